"""bandit, the security linter, finds nothing of medium or high severity in app/."""
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_bandit_reports_nothing_of_medium_or_high_severity():
    run = subprocess.run([sys.executable, "-m", "bandit", "-r", "app", "-f", "json", "-q"],
                         cwd=ROOT, capture_output=True, text=True)
    report = json.loads(run.stdout)
    serious = [(r["filename"], r["line_number"], r["test_id"], r["issue_text"])
               for r in report["results"] if r["issue_severity"] in ("MEDIUM", "HIGH")]
    assert not serious, serious
    assert report["metrics"]["_totals"]["loc"] > 3000  # it did scan the app

"""Valid HTML: the Nu Html Checker (vnu.jar from its npm package, run with Debian's Java)
over the rendered HTML of every page kind of the URL map, as admin, a supervisor (车间主任)
and a technician, with the demo data. The only errors allowed are the `hx-*` attribute
names (HTMX's own, not in the HTML standard). One vnu run checks all files."""
import json
import os
import re
import shutil
import subprocess

import pytest

from tests.conftest import Client
from tests.test_browser_phone import html_pages

ROOT = os.path.join(os.path.dirname(__file__), "..")
VNU = os.path.join(ROOT, "node_modules", "vnu-jar", "build", "dist", "vnu.jar")
USERS = ("admin", "zhangwei", "hesf")
HX_ATTRIBUTE = re.compile(r"^Attribute “hx-[a-z-]+” not allowed on element")

# Pages whose errors are known and being fixed elsewhere (none today); endpoint -> why.
# One here that passes fails the test, so the list cannot outlive the fix.
EXPECTED_FAILURES: dict[str, str] = {}


@pytest.fixture
def app(demo_app):
    return demo_app


def vnu(paths: list[str], *options: str) -> list[dict]:
    java = shutil.which("java")
    if not java or not os.path.exists(VNU):
        pytest.fail("vnu.jar or java missing: run scripts/test.sh (npm ci, default-jre-headless)")
    out = subprocess.run([java, "-Xss4m", "-jar", VNU, "--errors-only", "--format", "json", *options, *paths],
                         capture_output=True, text=True, timeout=600)
    return json.loads(out.stderr or "{}").get("messages", [])


def test_the_stylesheets_are_valid_css():
    """A stray brace in app.css had made the browser drop the rule after it (the phones'
    larger chart labels) without a sound; vnu's CSS checker reports it."""
    folder = os.path.join(ROOT, "static", "css")
    sheets = sorted(os.path.join(folder, f) for f in os.listdir(folder) if f.endswith(".css"))
    assert sheets
    errors = [f"{os.path.basename(m.get('url', ''))}:{m.get('lastLine')} {m.get('message')}"
              for m in vnu(sheets, "--css")]
    assert not errors, "\n".join(errors)


def test_every_page_kind_is_valid_html(app, tmp_path):
    urls = html_pages(app)
    adapter = app.url_map.bind("localhost")
    files: dict[str, tuple[str, str]] = {}   # path -> (who url, endpoint)
    for user in USERS:
        client = Client(app.test_client())
        assert client.login(user).status_code in (302, 303)
        error_seen = False
        for url in urls:
            response = client.get(url)
            if response.status_code >= 400:
                if error_seen:
                    continue  # one error page is one page kind
                error_seen = True
            assert response.mimetype == "text/html", url
            path = tmp_path / f"{len(files):03d}.html"
            path.write_bytes(response.data)
            files[str(path)] = (f"{user} {url}", adapter.match(url.split("?")[0])[0])
    errors: dict[str, list[str]] = {}
    for m in vnu(sorted(files)):
        if HX_ATTRIBUTE.match(m.get("message", "")):
            continue
        path = m.get("url", "").removeprefix("file:")
        who, endpoint = files.get(path, (path, ""))
        errors.setdefault(endpoint, []).append(
            f"{who} line {m.get('lastLine')}: {m.get('message')} [{m.get('extract', '').strip()[:80]}]")
    unexpected = {k: v for k, v in errors.items() if k not in EXPECTED_FAILURES}
    report = "\n".join(f"{k}\n    " + "\n    ".join(v[:8]) for k, v in sorted(unexpected.items()))
    assert not unexpected, report
    fixed = set(EXPECTED_FAILURES) - set(errors)
    assert not fixed, f"no longer failing, remove from EXPECTED_FAILURES: {sorted(fixed)}"

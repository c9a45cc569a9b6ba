"""scripts/backup.sh, as the README and the nightly timer run it: a consistent copy of the
SQLite database and a tarball of the uploads and the secret key."""
import os
import shutil
import sqlite3
import subprocess
import tarfile
from pathlib import Path

import pytest

from tests.conftest import ON_POSTGRES

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.skipif(ON_POSTGRES, reason="the SQLite path; pg_dump is PostgreSQL's own tool")
def test_backup_script_copies_database_and_files(tmp_path, template_db):
    instance = tmp_path / "instance"
    (instance / "uploads" / "trainings").mkdir(parents=True)
    shutil.copy(template_db, instance / "app.db")
    (instance / "secret_key").write_text("k")
    (instance / "uploads" / "trainings" / "a.bin").write_bytes(b"photo")
    env = {**os.environ, "INSTANCE_PATH": str(instance), "DATABASE_URL": ""}
    run = subprocess.run(["bash", "scripts/backup.sh", str(tmp_path / "bk")], cwd=ROOT, env=env,
                         capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    db_copy = next((tmp_path / "bk").glob("app-*.db"))
    with sqlite3.connect(db_copy) as conn:
        assert conn.execute("SELECT count(*) FROM position").fetchone()[0] >= 13
    with tarfile.open(next((tmp_path / "bk").glob("files-*.tgz"))) as tar:
        assert {"secret_key", "uploads/trainings/a.bin"} <= set(tar.getnames())

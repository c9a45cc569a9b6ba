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


@pytest.mark.skipif(ON_POSTGRES, reason="the SQLite path")
def test_backups_are_private_never_overwritten_and_pruned(tmp_path, template_db):
    instance = tmp_path / "instance"
    (instance / "uploads").mkdir(parents=True)
    shutil.copy(template_db, instance / "app.db")
    (instance / "secret_key").write_text("k")
    target = tmp_path / "bk"
    target.mkdir()
    old = target / "app-2020-01-01-023000.db"
    old.write_bytes(b"old")
    os.utime(old, (1_577_836_800, 1_577_836_800))  # 2020: past any retention
    env = {**os.environ, "INSTANCE_PATH": str(instance), "DATABASE_URL": "", "BACKUP_KEEP_DAYS": "30"}
    for _ in range(2):  # twice within the same second or two: two sets, none overwritten
        run = subprocess.run(["bash", "scripts/backup.sh", str(target)], cwd=ROOT, env=env,
                             capture_output=True, text=True)
        assert run.returncode == 0, run.stderr
    assert len(list(target.glob("app-*.db"))) == 2 and len(list(target.glob("files-*.tgz"))) == 2
    assert not old.exists()
    assert (target.stat().st_mode & 0o777) == 0o700
    assert all((f.stat().st_mode & 0o777) == 0o600 for f in target.iterdir()), \
        {f.name: oct(f.stat().st_mode & 0o777) for f in target.iterdir()}


@pytest.mark.skipif(not ON_POSTGRES, reason="the PostgreSQL path")
def test_postgresql_backup_and_restore_round_trip(tmp_path, template_db):
    """pg_dump by the script, pg_restore into an empty database as the README says: the
    tables, the uploads and a login work again."""
    from sqlalchemy import create_engine, text
    from werkzeug.security import check_password_hash, generate_password_hash

    from tests.conftest import PG_TEMPLATE, TEST_PASSWORD, _pg_admin, _pg_url

    source, restored = f"intranet_bk_{os.getpid()}", f"intranet_rs_{os.getpid()}"
    _pg_admin(f"CREATE DATABASE {source} TEMPLATE {PG_TEMPLATE}")
    _pg_admin(f"CREATE DATABASE {restored}")
    try:
        engine = create_engine(_pg_url(source))
        with engine.begin() as conn:
            conn.execute(text('INSERT INTO "user" (username, display_name, password_hash, is_admin, '
                              "can_record_trainings, can_issue_supplies, active, must_change_password, session_version, "
                              "created_at) VALUES ('bkadmin', 'x', :h, true, false, false, true, false, 1, now())"),
                         {"h": generate_password_hash(TEST_PASSWORD, method="scrypt:1024:8:1")})
            positions = conn.execute(text("SELECT count(*) FROM position")).scalar()
        engine.dispose()
        instance = tmp_path / "instance"
        (instance / "uploads" / "trainings").mkdir(parents=True)
        (instance / "secret_key").write_text("k")
        (instance / "uploads" / "trainings" / "a.bin").write_bytes(b"photo")
        env = {**os.environ, "INSTANCE_PATH": str(instance), "DATABASE_URL": _pg_url(source)}
        run = subprocess.run(["bash", "scripts/backup.sh", str(tmp_path / "bk")], cwd=ROOT, env=env,
                             capture_output=True, text=True)
        assert run.returncode == 0, run.stderr
        dump = next((tmp_path / "bk").glob("db-*.dump"))
        assert (dump.stat().st_mode & 0o777) == 0o600
        url = _pg_url(restored).replace("postgresql+psycopg", "postgresql")
        run = subprocess.run(["pg_restore", "--clean", "--if-exists", "--no-owner", "-d", url, str(dump)],
                             capture_output=True, text=True)
        assert run.returncode == 0, run.stderr
        engine = create_engine(_pg_url(restored))
        with engine.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM position")).scalar() == positions
            hashed = conn.execute(text('SELECT password_hash FROM "user" WHERE username = \'bkadmin\'')).scalar()
        engine.dispose()
        assert check_password_hash(hashed, TEST_PASSWORD)
        with tarfile.open(next((tmp_path / "bk").glob("files-*.tgz"))) as tar:
            assert {"secret_key", "uploads/trainings/a.bin"} <= set(tar.getnames())
    finally:
        _pg_admin(f"DROP DATABASE IF EXISTS {source} WITH (FORCE)")
        _pg_admin(f"DROP DATABASE IF EXISTS {restored} WITH (FORCE)")

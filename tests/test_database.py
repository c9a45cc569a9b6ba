"""SQLite under concurrent writers: WAL, busy timeout and BEGIN IMMEDIATE."""
import threading

import pytest

from sqlalchemy import func, select

from app.audit.log import record
from app.audit.models import AuditEntry
from app.extensions import db
from tests.conftest import ON_POSTGRES


@pytest.mark.skipif(ON_POSTGRES, reason="SQLite settings")
def test_sqlite_pragmas(app):
    with app.app_context():
        conn = db.session.connection()
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 5000


def test_16_concurrent_writers_no_database_locked(app):
    """Each writer reads then writes in one transaction (the pattern that fails with
    deferred transactions in WAL mode), 20 times; none may see "database is locked"."""
    writers, rounds = 16, 20
    errors: list[BaseException] = []
    start = threading.Barrier(writers)

    def work(n):
        try:
            with app.app_context():
                start.wait()
                for i in range(rounds):
                    seen = db.session.scalar(select(func.count(AuditEntry.id)))
                    record("test_write", "test", f"{n}-{i}", summary=f"seen {seen}")
                    db.session.commit()
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(writers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors[0]
    with app.app_context():
        assert db.session.scalar(
            select(func.count(AuditEntry.id)).where(AuditEntry.action == "test_write")
        ) == writers * rounds


def test_concurrent_http_posts(app, make_user):
    """16 clients post at once through the app; every post succeeds."""
    from tests.conftest import Client

    make_user("boss", admin=True)
    clients = []
    for _ in range(16):
        c = Client(app.test_client())
        c.login("boss")
        clients.append((c, c.csrf()))
    results = []
    barrier = threading.Barrier(16)

    def post(i):
        c, token = clients[i]
        barrier.wait()
        r = c.post("/org/positions", data={"csrf_token": token, "title": f"岗位{i}", "department": "售后服务部"})
        results.append(r.status_code)

    threads = [threading.Thread(target=post, args=(i,)) for i in range(16)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == [303] * 16

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


@pytest.mark.skipif(ON_POSTGRES, reason="SQLite rebuilds tables in batch migrations; PostgreSQL alters them")
def test_migrations_upgrade_a_database_with_data(tmp_path):
    """An installation with data at an older revision upgrades to the head: the batch
    migrations that rebuild tables others refer to (user, checklist_item, checklist_event)
    must not trip over the foreign keys the app enforces, and nothing is lost."""
    from datetime import date, datetime, time as dtime

    import sqlalchemy as sa
    from flask_migrate import upgrade

    from app import create_app

    path = tmp_path / "old.db"
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}", "SECRET_KEY": "x", "TESTING": True})
    with app.app_context():
        upgrade(revision="eaef7f0b335e")  # before the per-holder checklists, the outbox, the register
        meta = sa.MetaData()
        meta.reflect(bind=db.engine)

        def insert(table: str, **given) -> int:
            row = dict(given)
            for col in meta.tables[table].columns:
                if col.name in row or col.primary_key or col.nullable or col.server_default is not None:
                    continue
                kind = col.type.python_type if hasattr(col.type, "python_type") else str
                row[col.name] = {int: 1, str: "x", bool: False, float: 0.0, datetime: datetime(2026, 11, 2, 8),
                                 date: date(2026, 11, 2), dtime: dtime(8)}.get(kind, "x")
            with db.engine.begin() as conn:
                return conn.execute(meta.tables[table].insert().values(**row)).inserted_primary_key[0]

        pos = insert("position", title="技师", sort_order=1)
        emp = insert("employee", employee_no="E1", name="老王", position_id=pos, active=True,
                     hire_date=date(2020, 1, 1))
        user = insert("user", username="laowang", employee_id=emp, active=True)
        item = insert("checklist_item", position_id=pos, title="工位5S", kind="daily", active=True)
        event = insert("checklist_event", item_id=item, period_key="2026-11-02", action="tick", user_id=user)
        field = insert("checklist_field", item_id=item, label="照片", kind="photo")
        insert("checklist_value", event_id=event, item_id=item, period_key="2026-11-02", field_id=field,
               label="照片", kind="photo")
        insert("checklist_mark", item_id=item, period_key="2026-11-02", done=True, by_id=user,
               values_event_id=event, due_at=datetime(2026, 11, 2, 17))
        upgrade()  # to the head, on a database with rows that refer to the rebuilt tables
        with db.engine.connect() as conn:
            assert conn.exec_driver_sql("SELECT count(*) FROM user").scalar() == 1
            assert conn.exec_driver_sql("SELECT subject_id, done FROM checklist_mark").one() == (0, 1)
            assert conn.exec_driver_sql("SELECT count(*) FROM checklist_value").scalar() == 1
            assert conn.exec_driver_sql("SELECT employee_id, position_id, start FROM position_tenure").one() == \
                (emp, pos, "2020-01-01")
            # inspections rebuilt with AUTOINCREMENT (a deleted draft's number is not reused), indexes kept
            assert "AUTOINCREMENT" in conn.exec_driver_sql(
                "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'inspection'").scalar()
            assert {"ix_inspection_area_submitted", "ix_inspection_state_started", "ix_inspection_version_id",
                    "ix_inspection_inspector_id"} <= {r[1] for r in conn.exec_driver_sql("PRAGMA index_list(inspection)")}
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1  # on again for the app
            assert conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall() == []
        db.engine.dispose()


def test_a_read_request_keeps_nothing_it_changed_and_postgresql_keeps_its_prepared_statements(app, make_user, client):
    """A request ends a transaction that only read with COMMIT on PostgreSQL
    (database.end_read_transaction: psycopg forgets its prepared statements at a ROLLBACK),
    and with a rollback as before when it changed anything without committing it: an
    object changed and left unflushed, one flushed by a later query, a row changed by SQL,
    or a request that failed. Nothing of what such a request changed is kept."""
    from sqlalchemy import text, update

    from app.org.models import Position

    def changes(how: str):
        position = db.session.scalar(select(Position).filter_by(seed_key="technician"))
        if how == "dirty":
            position.title = "改过的岗位"
        elif how == "flushed":
            position.title = "改过的岗位"
            db.session.scalar(select(func.count(Position.id)))  # autoflush: the change is sent, not committed
        elif how == "sql":
            db.session.execute(update(Position).where(Position.id == position.id).values(title="改过的岗位"))
        elif how == "raw":
            db.session.execute(text("UPDATE position SET title = '改过的岗位' WHERE id = :i"), {"i": position.id})
        elif how == "failed":
            position.title = "改过的岗位"
            db.session.flush()
            raise RuntimeError("a read that fails")
        elif how == "committed":  # a form post: its change committed with its audit record, then a read
            position.title = "岗位（已改）"
            record("test_write", "position", position.id, summary="改名")
            db.session.commit()
            return position.title  # read again after the commit
        return "ok"

    app.add_url_rule("/_test/read/<how>", "test_read", changes, methods=["GET", "POST"])
    app.config["PROPAGATE_EXCEPTIONS"] = False
    make_user("reader")
    client.login("reader")
    for how in ("dirty", "flushed", "sql", "raw", "failed"):
        assert client.get(f"/_test/read/{how}").status_code == (500 if how == "failed" else 200)
        with app.app_context():
            assert db.session.scalar(select(Position.title).filter_by(seed_key="technician")) == "技师", how

    # a page that only reads, many times: on PostgreSQL its statements end up prepared on the
    # connection, and stay prepared from one request to the next
    for _ in range(8):
        assert client.get("/handbook/").status_code == 200
    if ON_POSTGRES:
        with app.app_context():
            prepared = db.session.scalar(text("SELECT count(*) FROM pg_prepared_statements"))
            db.session.commit()  # as a request would: a rollback here would clear them
        assert prepared > 0
    # a post that commits its change and then reads keeps its change, and the read after
    # the commit ends with a commit too: the prepared statements are still there
    assert client.post_form("/_test/read/committed").get_data(as_text=True) == "岗位（已改）"
    with app.app_context():
        assert db.session.scalar(select(Position.title).filter_by(seed_key="technician")) == "岗位（已改）"
        if ON_POSTGRES:
            assert db.session.scalar(text("SELECT count(*) FROM pg_prepared_statements")) >= prepared


@pytest.mark.skipif(not ON_POSTGRES, reason="psycopg's prepared statements")
def test_postgresql_keeps_more_prepared_statements_than_psycopgs_default(app):
    """The pages run a few hundred distinct statements; psycopg keeps 100 prepared per
    connection unless told otherwise, so at a peak's mix they were evicted before their
    next use and parsed and planned again. 150 distinct statements, each past psycopg's
    threshold (the fifth execution), all stay prepared on the connection."""
    from sqlalchemy import text

    with app.app_context():
        conn = db.session.connection()
        assert conn.connection.dbapi_connection.prepared_max == app.config["PG_PREPARED_MAX"] == 500
        for n in range(150):
            for _ in range(6):
                conn.execute(text(f"SELECT {n} + :x"), {"x": 1}).scalar()
        kept = conn.exec_driver_sql("SELECT count(*) FROM pg_prepared_statements").scalar()
        db.session.commit()
    assert kept >= 150

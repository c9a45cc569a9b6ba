"""Faults a request must survive: the database lost in the middle of a write (a 503 page in
Chinese, nothing half-written, the next request works) and a full disk while an upload is
written (a clear message, no file and no row left)."""
import contextlib
import errno
import os
import re

import pytest
from sqlalchemy import create_engine, event, func, select

from app import uploads
from app.extensions import db
from app.supplies.models import IssueSlip, StockEntry
from app.trainings.models import TrainingFile
from tests import imagegen
from tests.test_supplies import ledger_sum_matches, stock, store  # noqa: F401  (store is a fixture)
from tests.test_trainings import clerk, training_id, upload  # noqa: F401  (fixtures)


@contextlib.contextmanager
def database_lost_at(app, table: str | None):
    """The database goes away when the request first inserts into `table` (after its
    earlier writes), or at every statement (`table` None: the database is down): on
    PostgreSQL the server ends the connection (pg_terminate_backend, as a restart would);
    on SQLite the statement fails with the driver's OperationalError. Yields the
    statements that were cut."""
    insert = re.compile(rf'^\s*INSERT INTO "?{table}"?\b', re.I)
    cut = []

    def hook(conn, cursor, statement, parameters, context, executemany):
        if table is not None and (cut or not insert.match(statement)):
            return statement, parameters
        cut.append(statement)
        if conn.dialect.name == "postgresql":
            admin = create_engine(app.config["SQLALCHEMY_DATABASE_URI"], isolation_level="AUTOCOMMIT")
            with admin.connect() as other:
                other.exec_driver_sql(f"SELECT pg_terminate_backend({cursor.connection.info.backend_pid})")
            admin.dispose()
            return statement, parameters
        return "SELECT * FROM database_unavailable_in_this_test", ()

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", hook, retval=True)
    try:
        yield cut
    finally:
        event.remove(engine, "before_cursor_execute", hook)


def test_database_lost_during_a_slip(app, client, store):  # noqa: F811
    client.login("clerk")
    form = {"employee_id": store["t1"], "item_id": [store["手套"], store["口罩"]], "qty": ["3", "2"], "note": "月度领用"}
    with database_lost_at(app, "stock_entry") as cut:
        r = client.post_form("/supplies/slips/new", form)
    assert cut, "the fault was not injected"
    html = r.get_data(as_text=True)
    assert r.status_code == 503 and "数据库暂时不可用" in html and "没有保存任何内容" in html
    assert r.headers["Retry-After"]
    # nothing half-written: no slip, stock and ledger as before
    assert stock(app, store["手套"]) == 10000 and stock(app, store["口罩"]) == 2000
    with app.app_context():
        assert db.session.scalar(select(func.count(IssueSlip.id))) == 0
        assert db.session.scalar(select(func.count(StockEntry.id)).where(StockEntry.qty < 0)) == 0
    ledger_sum_matches(app)
    # the next request works, on a new connection
    r = client.post_form("/supplies/slips/new", form)
    assert r.status_code == 303
    assert stock(app, store["手套"]) == 7000 and stock(app, store["口罩"]) == 0
    ledger_sum_matches(app)


def test_database_down_for_a_page_view(app, client, store):  # noqa: F811
    """Even loading the logged-in user fails: the 503 page itself asks the database nothing."""
    client.login("clerk")
    with database_lost_at(app, None) as cut:
        r = client.get("/supplies/")
    assert cut
    html = r.get_data(as_text=True)
    assert r.status_code == 503 and "数据库暂时不可用" in html and "<html" in html
    assert client.get("/supplies/").status_code == 200


def test_database_lost_during_an_htmx_request_answers_in_the_page(app, client, store):  # noqa: F811
    client.login("clerk")
    form = {"employee_id": store["t1"], "item_id": [store["手套"]], "qty": ["1"]}
    with database_lost_at(app, "stock_entry"):
        r = client.post_form("/supplies/slips/new", form, headers={"HX-Request": "true"})
    assert r.status_code == 503 and r.headers["X-Error-Message"] == "1"
    assert "数据库暂时不可用" in r.get_data(as_text=True)
    assert client.get("/supplies/").status_code == 200


# --- a full disk while an upload is written ----------------------------------------------

@pytest.fixture
def disk_full_after(monkeypatch):
    """The disk fills up: the `n`-th file written to the uploads (counted from 1) fails
    with ENOSPC while its data is flushed."""
    state = {"left": None}
    real = os.fsync

    def fsync(fd):
        if state["left"] is not None:
            state["left"] -= 1
            if state["left"] <= 0:
                raise OSError(errno.ENOSPC, "No space left on device")
        return real(fd)

    monkeypatch.setattr(uploads.os, "fsync", fsync)

    def arm(n):
        state["left"] = n

    return arm


def stored_names(app, folder):
    root = os.path.join(app.config["UPLOAD_FOLDER"], folder)
    return sorted(os.listdir(root)) if os.path.isdir(root) else []


def test_disk_full_while_a_photo_is_written(app, client, clerk, training_id, disk_full_after):  # noqa: F811
    client.login("clerk")
    disk_full_after(2)  # the full-size rendition is written, the print-size one fails
    r = upload(client, training_id, "photo", [("现场.jpg", imagegen.jpeg())])
    html = r.get_data(as_text=True)
    assert "服务器存储空间已满" in html and "现场.jpg" in html
    assert stored_names(app, "trainings") == []  # neither the finished rendition nor the partial one
    with app.app_context():
        assert db.session.scalar(select(func.count(TrainingFile.id))) == 0
    disk_full_after(None)
    r = upload(client, training_id, "photo", [("现场.jpg", imagegen.jpeg())])
    with app.app_context():
        [row] = db.session.scalars(select(TrainingFile)).all()
    assert stored_names(app, "trainings") == sorted(f"{row.key}-{s}.jpg" for s in ("full", "print", "thumb"))


def test_disk_full_while_a_material_is_written(app, client, clerk, training_id, disk_full_after):  # noqa: F811
    client.login("clerk")
    disk_full_after(1)
    pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
    r = upload(client, training_id, "material", [("讲义.pdf", pdf)])
    assert "服务器存储空间已满" in r.get_data(as_text=True)
    assert stored_names(app, "trainings") == []
    with app.app_context():
        assert db.session.scalar(select(func.count(TrainingFile.id))) == 0


def test_a_file_is_complete_under_its_name_or_not_there(app, monkeypatch):
    """An upload is written as `<name>.part` and renamed when complete: a crash while
    writing leaves only `.part` files, which the orphan check removes (after an hour, so
    an upload still being written is left alone); a finished file is never half."""
    from app.jobs.tasks import uploads_check

    seen = []
    real = os.replace

    def replace(src, dst):
        seen.append((os.path.basename(src), os.path.basename(dst), os.path.getsize(src)))
        return real(src, dst)

    monkeypatch.setattr(uploads.os, "replace", replace)
    with app.test_request_context():
        stored = uploads.store_image(imagegen.jpeg(), "trainings")
        assert [(s, d) for s, d, _ in seen] == [(f"{stored.key}-{n}.jpg.part", f"{stored.key}-{n}.jpg")
                                               for n in ("full", "print", "thumb")]
        assert all(size > 0 for *_, size in seen)
        # what a kill -9 in the middle of a write leaves behind
        part = os.path.join(app.config["UPLOAD_FOLDER"], "trainings", "0" * 32 + "-full.jpg.part")
        with open(part, "wb") as fh:
            fh.write(b"\xff\xd8 half")
        assert "trainings/" + "0" * 32 + "-full.jpg.part" not in uploads_check(minutes=60)  # may still be written
        os.utime(part, (0, 0))  # an hour and more ago
        found = uploads_check(remove=True, minutes=60)
    assert "trainings/" + "0" * 32 + "-full.jpg.part" in found
    assert not os.path.exists(part)

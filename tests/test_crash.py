"""kill -9 of the web server in the middle of the day's writes: photo uploads, issue slips
and checklist ticks run against gunicorn (2 workers × 4 threads), and every gunicorn
process is killed outright while they run. Afterwards: every file row has its files, and
after the orphan check every stored file has its row; stock equals the ledger and every
slip is whole; every tick has its mark and its audit record; the server starts again and
works. (A kill -9 of the worker during a push: tests/test_worker.py.)"""
import http.client
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from datetime import date, time as dtime
from http.cookies import SimpleCookie
from urllib.parse import urlencode

import pytest
from sqlalchemy import func, select

from app.extensions import db
from tests import imagegen
from tests.conftest import CSRF_RE, TEST_PASSWORD

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


class Browser:
    """A user's browser against the live server: cookies, CSRF token, forms, files."""

    def __init__(self, port):
        self.port, self.cookies, self.token = port, {}, ""

    def request(self, method, path, body=b"", content_type=None, timeout=60):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        if content_type:
            headers["Content-Type"] = content_type
        try:
            conn.request(method, path, body=body, headers=headers)
            r = conn.getresponse()
            data = r.read()
            for header in r.headers.get_all("Set-Cookie") or []:
                for k, morsel in SimpleCookie(header).items():
                    self.cookies[k] = morsel.value
            return r.status, data.decode("utf-8", "replace")
        finally:
            conn.close()

    def get(self, path):
        status, html = self.request("GET", path)
        m = CSRF_RE.search(html)
        if m:
            self.token = m.group(1) or m.group(2)
        return status, html

    def post(self, path, fields, files=()):
        fields = {"csrf_token": self.token, **fields}
        if not files:
            return self.request("POST", path, urlencode(fields, doseq=True).encode(),
                                "application/x-www-form-urlencoded")
        boundary = uuid.uuid4().hex
        parts = []
        for k, v in fields.items():
            for one in v if isinstance(v, list) else [v]:
                parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{one}\r\n'.encode())
        for name, filename, data in files:
            parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
                         f'Content-Type: application/octet-stream\r\n\r\n'.encode() + data + b"\r\n")
        parts.append(f"--{boundary}--\r\n".encode())
        return self.request("POST", path, b"".join(parts), f"multipart/form-data; boundary={boundary}")

    def login(self, username):
        self.get("/auth/login")
        status, _ = self.post("/auth/login", {"username": username, "password": TEST_PASSWORD})
        assert status == 302, status
        status, html = self.get("/")
        assert status == 200 and "退出" in html, status


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(app):
    port = free_port()
    env = {**os.environ, "INSTANCE_PATH": app.instance_path, "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
           "UPLOAD_FOLDER": app.config["UPLOAD_FOLDER"], "SECRET_KEY": "test-secret", "HTMX_SOURCE": "local"}
    server = subprocess.Popen([sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{port}", "--workers", "2",
                               "--threads", "4", "--timeout", "120", "wsgi:app"], cwd=ROOT, env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    deadline = time.monotonic() + 60
    while True:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return server, port
        assert server.poll() is None and time.monotonic() < deadline, "gunicorn did not start"
        time.sleep(0.1)


@pytest.fixture
def day(app, make_user, optional_fields):
    """A clerk who records trainings and issues supplies, a workshop manager who ticks the
    workshop clerk's items, a technician; gloves in stock, a training to upload to."""
    from app.auth.models import User
    from app.checklists.models import ChecklistItem
    from app.org.models import Position
    from app.supplies import ledger
    from app.supplies.models import SupplyCategory, SupplyItem
    from app.staff.models import Employee
    from app.trainings.models import Training, TrainingCategory

    make_user("kc", position="workshop_clerk", can_record_trainings=True, can_issue_supplies=True)
    make_user("wm", position="workshop_manager")
    make_user("t1", position="technician", employee_no="T1")
    with app.app_context():
        clerk = db.session.scalar(select(User).filter_by(username="kc"))
        category = db.session.scalar(select(SupplyCategory.id))
        gloves = SupplyItem(name="手套", unit="副", category_id=category)
        db.session.add(gloves)
        db.session.flush()
        ledger.receive(gloves, 1000 * 1000, clerk, supplier="供应商甲")
        t = Training(topic="断电测试培训", category_id=db.session.scalar(select(TrainingCategory.id)),
                     held_on=date(2026, 11, 20), start_time=dtime(14), end_time=dtime(15), created_by_id=clerk.id)
        db.session.add(t)
        position = db.session.scalar(select(Position).filter_by(seed_key="workshop_clerk"))
        items = db.session.scalars(select(ChecklistItem.id).where(ChecklistItem.position_id == position.id,
                                                                  ChecklistItem.kind == "daily")).all()
        db.session.commit()
        return {"gloves": gloves.id, "training": t.id, "t1": db.session.scalar(select(Employee.id).filter_by(
            employee_no="T1")), "items": items}


def check_consistent(app, day):
    """The invariants a crash must not break."""
    from app.audit.models import AuditEntry
    from app.checklists.models import ChecklistEvent, ChecklistMark
    from app.jobs.tasks import uploads_check
    from app.supplies.ledger import check_balances
    from app.supplies.models import IssueSlip, StockEntry, SupplyItem
    from app.trainings.models import TrainingFile

    folder = os.path.join(app.config["UPLOAD_FOLDER"], "trainings")
    with app.app_context():
        # every file row has its three renditions, whole
        rows = db.session.scalars(select(TrainingFile)).all()
        on_disk = set(os.listdir(folder)) if os.path.isdir(folder) else set()
        for row in rows:
            for size in ("full", "print", "thumb"):
                assert f"{row.key}-{size}.jpg" in on_disk, f"row {row.id} lost its {size} file"
        # after the orphan check (what the nightly job does, here without waiting an hour)
        uploads_check(remove=True, minutes=0)
        keys = {r.key for r in rows}
        left = set(os.listdir(folder)) if os.path.isdir(folder) else set()
        assert all(name.split("-")[0] in keys and not name.endswith(".part") for name in left), left
        assert len(left) == 3 * len(rows)
        # stock equals the ledger; every slip whole (its one line issued), with its audit record
        item = db.session.get(SupplyItem, day["gloves"])
        total = db.session.scalar(select(func.sum(StockEntry.qty)).filter_by(item_id=item.id))
        assert item.stock == total
        assert check_balances() == []
        slips = db.session.scalars(select(IssueSlip)).all()
        issued = db.session.scalar(select(func.count(StockEntry.id)).where(StockEntry.slip_id.is_not(None)))
        assert issued == len(slips)
        assert item.stock == 1000 * 1000 - 1000 * len(slips)
        audited = db.session.scalar(select(func.count(AuditEntry.id)).where(AuditEntry.action == "stock_issue"))
        assert audited == len(slips)
        # every tick has its mark, its event and its audit record
        ticks = db.session.scalars(select(ChecklistEvent).filter_by(action="tick")).all()
        done = {(m.item_id, m.period_key) for m in db.session.scalars(select(ChecklistMark).filter_by(done=True))}
        assert {(e.item_id, e.period_key) for e in ticks} == done
        assert db.session.scalar(select(func.count(AuditEntry.id)).where(
            AuditEntry.action == "checklist_tick")) == len(ticks)
        return len(rows), len(slips), len(ticks)


@pytest.mark.parametrize("kill_after", [0.6, 1.4])
def test_kill_9_of_the_web_server_mid_writes(app, day, kill_after):
    from app import clock

    with app.app_context():
        today = clock.local_now().date().isoformat()
    photos = [imagegen.phone_photo(seed) for seed in range(4)]
    server, port = start_server(app)
    clerk, manager = Browser(port), Browser(port)
    try:
        clerk.login("kc")
        manager.login("wm")
        clerk.get(f"/trainings/{day['training']}")
        manager.get("/checklists/")
        answers = []

        def run(fn):
            try:
                answers.append(fn())
            except (OSError, http.client.HTTPException) as exc:  # the server died under the request or its answer
                answers.append(type(exc).__name__)

        jobs = [lambda p=p, n=n: clerk.post(f"/trainings/{day['training']}/files", {"kind": "photo"},
                                            [("files", f"现场{n}.jpg", p)]) for n, p in enumerate(photos)]
        jobs += [lambda: clerk.post("/supplies/slips/new", {"employee_id": str(day["t1"]),
                                                             "item_id": [str(day["gloves"])], "qty": ["1"]})
                 for _ in range(12)]
        jobs += [lambda i=i: manager.post(f"/checklists/items/{i}/{today}/tick", {"note": "巡检"})
                 for i in day["items"]]
        threads = [threading.Thread(target=run, args=(job,)) for job in jobs]
        for t in threads:
            t.start()
        time.sleep(kill_after)
        os.killpg(server.pid, signal.SIGKILL)  # the master and both workers, no cleanup
        server.wait()
        for t in threads:
            t.join(60)
    finally:
        if server.poll() is None:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()
    photos_kept, slips, ticks = check_consistent(app, day)
    # the server starts again on the same data and works
    server, port = start_server(app)
    try:
        again = Browser(port)
        again.login("kc")
        again.get("/supplies/slips/new")
        status, _ = again.post("/supplies/slips/new", {"employee_id": str(day["t1"]),
                                                       "item_id": [str(day["gloves"])], "qty": ["1"]})
        assert status == 303
        again.get(f"/trainings/{day['training']}")
        status, _ = again.post(f"/trainings/{day['training']}/files", {"kind": "photo"},
                               [("files", "再来.jpg", imagegen.jpeg())])
        assert status in (200, 303)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(30)
    assert check_consistent(app, day) == (photos_kept + 1, slips + 1, ticks)

"""The morning peak: many people, each with their own login, each following their role's
day, with real writes interleaved, against a bare page measured by the same client in the
same run. Nothing is served twice from a store: every page is rendered from the database.

    bash scripts/install-system-packages.sh --bench      # PostgreSQL (and wrk, for the reference figure)
    .venv/bin/python bench/peak.py [--datasets scale] [--seconds 30] [--rounds 2] [--rate 15]
    DATABASE_URL=postgresql+psycopg://…/intranet_bench .venv/bin/python bench/peak.py

People (distinct accounts, each linked to an employee of the position): 36 技师, 8
supervisors (车间主任, 前台主管), 7 clerks (车间文员, 售后内勤: supplies and trainings),
4 售后经理, 5 admins. Each follows a script of its role (workspace, handbook position, board,
self-checks, ticks and unticks, confirmations of the technicians' self-checks, month grid,
overdue list, slips and receipts, stock, an item's ledger, trainings, a training, the coverage
matrix, requisitions, notices, the audit log, staff). Writes go as a browser sends them (HTMX
ticks with the page's form token, slips as form posts).

(a) Closed loop, 8 requests in flight: requests/s of the mix against the bare 50-row page
    (bench/bare_app.py) under the same gunicorn settings, both driven by this client,
    alternated --rounds times (medians); p50/p95/p99 per request kind. Also the CPU time
    per request of the servers (gunicorn master and workers, from /proc; on PostgreSQL
    without the database server's share) and of this client, and the ratio they give: on
    a machine shared with other work, requests/s follow the load, CPU per request much less.
    The floor: the same people, 8 in flight, all asking for the change-password form
    (FLOOR_PATH: the login read, the list of his logins, the layout with its badges and a
    three-field form, no data of any part), against the same bare page: about the most any
    logged-in page of the app can serve, so the ceiling of (a)'s ratio.
(b) Open loop at --rate requests/s: latency per kind from the moment each request was due
    (no coordinated omission).
(c) Checks: every write the client saw succeed has its audit record (counted per action),
    the stock balances equal the ledger's sums, and no answer was outside 2xx/3xx.

Datasets as bench/pages.py builds them (/tmp/intranet-bench/{demo,scale}); with
DATABASE_URL set they are built in that PostgreSQL database. Run by hand, never in CI.
"""
import argparse
import http.client
import os
import queue
import random
import re
import shutil
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, ROOT)
sys.path.insert(0, HERE)

from pages import BASE, GUNICORN_THREADS, GUNICORN_WORKERS, start_gunicorn, stop  # noqa: E402
from scale import build  # noqa: E402

PASSWORD = "peak-password-2026"
ROLES = [  # (role, how many, positions by seed key, capabilities)
    ("技师", 36, ["technician"], {}),
    ("主管", 8, ["workshop_manager", "front_desk_supervisor"], {}),
    ("文员", 7, ["workshop_clerk", "after_sales_clerk"], {"can_issue_supplies": True, "can_record_trainings": True}),
    ("经理", 4, ["after_sales_manager"], {}),
    ("管理员", 5, ["after_sales_clerk"], {"is_admin": True}),
]
TOKEN_RE = re.compile(r'"X-CSRFToken": "([^"]+)"|name="csrf_token" type="hidden" value="([^"]+)"')
USER_AGENT = "Mozilla/5.0 (bench/peak.py)"
def _subject(subject: int) -> dict:
    """The form's person field as the board sends it: only for an occurrence of one holder
    (a position's own occurrence has none; "0" is no employee id and answers 400)."""
    return {"subject": subject} if subject else {}


WRITE_ACTIONS = {"selfcheck": "checklist_selfcheck", "tick": "checklist_tick", "confirm": "checklist_tick",
                 "untick": "checklist_untick", "slip": "stock_issue", "receive": "stock_receipt",
                 "inspect_start": "inspection_start", "inspect_answer": "inspection_answer",
                 "inspect_submit": "inspection_submit"}


# --- set-up, in-process --------------------------------------------------------------------

def prepare(instance: str, url: str) -> dict:
    """Accounts for every person of the peak (made or reset), and what each will touch:
    occurrences to self-check or tick (disjoint between people), the items, trainings,
    employees and positions their pages show."""
    os.environ["INSTANCE_PATH"] = instance
    from sqlalchemy import func, select

    from app import clock, create_app
    from app.audit.models import AuditEntry
    from app.auth.models import User
    from app.checklists.board import overdue_pending, visible_positions
    from app.checklists.marks import marks_for
    from app.checklists.models import ChecklistField, ChecklistItem
    from app.inspections.templates import areas as inspection_areas
    from app.permissions import may_inspect_area
    from app.extensions import db
    from app.org.models import Position
    from app.staff.models import Employee
    from app.supplies.models import SupplyItem
    from app.trainings.models import Attendee, Training

    app = create_app({"SQLALCHEMY_DATABASE_URI": url})
    with app.test_request_context():
        required = set(db.session.scalars(select(ChecklistField.item_id).where(
            ChecklistField.required.is_(True), ChecklistField.active.is_(True))))
        linked = set(db.session.scalars(select(User.employee_id).where(User.employee_id.is_not(None))))
        people = []
        for role, count, keys, caps in ROLES:
            employees = [e for e in db.session.scalars(
                select(Employee).join(Position).where(Position.seed_key.in_(keys), Employee.active.is_(True))
                .order_by(Employee.employee_no)) if e.id not in linked or role == "管理员"]
            for n in range(count):
                name = f"peak-{role}-{n + 1:02d}"
                user = db.session.scalar(select(User).filter_by(username=name))
                if user is None:
                    user = User(username=name, display_name=name)
                    db.session.add(user)
                employee = employees[n % len(employees)] if role != "管理员" else None
                user.employee_id = employee.id if employee else None
                user.display_name = employee.name if employee else f"管理员{n + 1}"
                user.active, user.must_change_password = True, False
                for cap in ("is_admin", "can_issue_supplies", "can_record_trainings"):
                    setattr(user, cap, caps.get(cap, False))
                user.set_password(PASSWORD)
                if employee:
                    linked.add(employee.id)
                people.append({"name": name, "role": role, "user": user})
        db.session.commit()
        now = clock.local_now()
        claimed: set = set()
        for p in people:
            user = p["user"]
            p["position"] = user.employee.position_id if user.employee else None
            pending, tickable = overdue_pending(user, now, 62)
            p["tickable"] = sorted(tickable)
            own = user.employee_id
            p["candidates"] = [(item.id, occ.period.key, sub.id) for item, occ, sub in pending
                               if item.id not in required and (
                item.position_id == p["position"] and sub.id in (0, own) if p["role"] == "技师"
                else item.position_id in tickable and item.position_id != p["position"])]
            # Not one already self-checked (a dataset used by an earlier run): a second
            # self-check of one's own waiting one is a double tap, answered without a record.
            waiting = marks_for(p["candidates"])
            p["candidates"] = [c for c in p["candidates"] if not (c in waiting and waiting[c].review == "pending")]
            random.Random(p["name"]).shuffle(p["candidates"])
            p["pool"] = []
        for _ in range(300):  # in turns, so people who share positions share their occurrences
            for p in people:
                while p["candidates"]:
                    key = p["candidates"].pop()
                    if key not in claimed:
                        claimed.add(key)
                        p["pool"].append(key)
                        break
        with_items = set(db.session.scalars(select(ChecklistItem.position_id).where(ChecklistItem.active.is_(True))))
        for p in people:
            user = p["user"]
            del p["candidates"]
            p["grids"] = [pos.id for pos in visible_positions(user)[0] if pos.id in with_items] or [0]
            p["area"] = next((a.key for a in inspection_areas().values() if may_inspect_area(user, a)), None)
            p.pop("user")
        targets = {
            "items": list(db.session.scalars(select(SupplyItem.id).where(SupplyItem.active.is_(True),
                                                                         SupplyItem.stock >= 50_000))),
            "trainings": [t for t, in db.session.execute(
                select(Attendee.training_id).group_by(Attendee.training_id)
                .order_by(func.count().desc()).limit(20))],
            "employees": list(db.session.scalars(select(Employee.id).where(Employee.active.is_(True)).limit(200))),
            "positions": list(db.session.scalars(select(Position.id).where(Position.is_external.is_(False)))),
            "year": db.session.scalar(select(func.max(Training.held_on))).year,
            "audit_start": db.session.scalar(select(func.max(AuditEntry.id))) or 0,
            # whose position an item is: a self-check is confirmed by someone who supervises it
            "item_position": {str(i): pid for i, pid in db.session.execute(
                select(ChecklistItem.id, ChecklistItem.position_id))},
            # the equipment register: the item pages a QR label opens, and a count in progress
            "equipment": _equipment_ids(),
            "inspection": _inspection_answers(),
            "count": _open_count(),
        }
        db.session.commit()
        db.session.remove()
        db.engine.dispose()
    return {"people": people, "targets": targets}


def _inspection_answers() -> dict:
    """The workshop 5S template and an answer for each of its items, all good (so a submit
    needs no photo): what a supervisor taps through on his phone."""
    from app.inspections import templates as tpl

    tpl.load_shipped()
    template = next((t for t in tpl.active_templates() if t.key == "workshop_5s"), None)
    if template is None:
        return {}
    good = {"pass_fail": lambda i: "pass", "yes_no": lambda i: i.get("good", "yes"),
            "score": lambda i: str(i["max"]), "number": lambda i: str(i["target"])}
    return {"template": template.id,
            "answers": [(i["key"], good[i["type"]](i)) for i in template.current.items() if i["type"] in good]}


def _equipment_ids() -> list[int]:
    """The register's items; a dataset built before the equipment part gets the demo's."""
    from sqlalchemy import select

    from app.equipment.demo import seed_equipment
    from app.equipment.models import Equipment
    from app.extensions import db

    if db.session.scalar(select(Equipment.id).limit(1)) is None:
        seed_equipment()
    return list(db.session.scalars(select(Equipment.id).where(Equipment.state != "scrapped")))


def _open_count() -> int:
    """A count in progress for the clerks' script: the latest open one, or one of the
    first location begun for the peak (as the 车间文员 would before counting)."""
    from sqlalchemy import select

    from app.auth.models import User
    from app.equipment import counts
    from app.equipment.models import Count, Equipment
    from app.extensions import db

    found = db.session.scalar(select(Count.id).where(Count.status == "open").order_by(Count.id.desc()))
    if found:
        return found
    place = db.session.scalar(select(Equipment.location).where(Equipment.location != "").order_by(Equipment.id))
    if place is None:
        return 0
    clerk = db.session.scalar(select(User).where(User.is_admin.is_(True)).order_by(User.id))
    return counts.start("location", place, clerk).id


def checks(instance: str, url: str, audit_start: int, successes: dict) -> list[str]:
    """(c): audit records per action against the writes the client saw succeed; stock."""
    os.environ["INSTANCE_PATH"] = instance
    from sqlalchemy import func, select

    from app import create_app
    from app.audit.models import AuditEntry
    from app.auth.models import User
    from app.extensions import db
    from app.supplies.ledger import check_balances

    problems = []
    app = create_app({"SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        peak_users = select(User.id).where(User.username.like("peak-%"))
        counted = dict(db.session.execute(
            select(AuditEntry.action, func.count()).where(AuditEntry.id > audit_start,
                                                          AuditEntry.user_id.in_(peak_users))
            .group_by(AuditEntry.action)).all())
        # A submitted inspection whose template and area are on a schedule also ticks that
        # week's occurrence (app/inspections/schedules.py): a tick the client did not ask
        # for, told apart by its note.
        by_submit = sum(1 for after in db.session.scalars(
            select(AuditEntry.after).where(AuditEntry.id > audit_start, AuditEntry.user_id.in_(peak_users),
                                           AuditEntry.action == "checklist_tick"))
            if str((after or {}).get("note", "")).startswith("检查得分"))
        if by_submit:
            counted["checklist_tick"] = counted.get("checklist_tick", 0) - by_submit
            print(f"      ({by_submit} scheduled inspection ticked by a submit, not counted as the client's ticks)")
        wanted = defaultdict(int)
        for kind, n in successes.items():
            wanted[WRITE_ACTIONS[kind]] += n
        for action, n in sorted(wanted.items()):
            if counted.get(action, 0) != n:
                problems.append(f"{action}: the client saw {n} succeed, the audit log has {counted.get(action, 0)}")
        problems += [f"stock: {line}" for line in check_balances()]
        db.session.remove()
        db.engine.dispose()
    return problems


# --- the client ----------------------------------------------------------------------------

class Person:
    """One browser: its own cookies, form token and keep-alive connection, and its day."""

    def __init__(self, spec: dict, targets: dict, base: str):
        self.__dict__.update(spec)
        self.targets, self.base = targets, base
        self.cookies: dict[str, str] = {}
        self.token = ""
        self.rng = random.Random(spec["name"])
        self.step = self.rng.randrange(100)
        self.ticked: list = []
        self.inspection: int | None = None  # the inspection he is doing, and what is left to answer
        self.to_answer: list = []
        self.lock = threading.Lock()
        self.conn: http.client.HTTPConnection | None = None

    # HTTP
    def request(self, method: str, path: str, body: dict | list | None = None, htmx: bool = False):
        host = urllib.parse.urlsplit(self.base)
        headers = {"User-Agent": USER_AGENT, "Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        data = None
        if body is not None:
            data = urllib.parse.urlencode(body, doseq=True)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        if htmx:
            headers.update({"HX-Request": "true", "HX-Current-URL": self.base + "/checklists/",
                            "X-CSRFToken": self.token})
        for attempt in (1, 2):
            if self.conn is None:
                self.conn = http.client.HTTPConnection(host.hostname, host.port, timeout=60)
            try:
                self.conn.request(method, path, body=data, headers=headers)
                resp = self.conn.getresponse()
                text = resp.read()
                break
            except (http.client.HTTPException, OSError):
                self.conn.close()
                self.conn = None
                if attempt == 2:
                    raise
        for name, value in resp.getheaders():
            if name.lower() == "set-cookie":
                key, _, rest = value.partition("=")
                self.cookies[key] = rest.split(";", 1)[0]
        return resp.status, text, resp.getheader("Location") or ""

    def login(self) -> None:
        _, html, _ = self.request("GET", "/auth/login")
        token = self._token(html)
        status, _, location = self.request("POST", "/auth/login",
                                           {"csrf_token": token, "username": self.name, "password": PASSWORD})
        if status not in (302, 303) or "/auth/login" in location:
            raise SystemExit(f"login failed for {self.name}: {status} {location}")
        _, html, _ = self.request("GET", "/")
        self.token = self._token(html)

    @staticmethod
    def _token(html: bytes) -> str:
        m = TOKEN_RE.search(html.decode("utf-8", "replace"))
        return (m.group(1) or m.group(2)) if m else ""

    # the day
    def script(self) -> list:
        t, pick = self.targets, self.rng.choice
        if self.role == "技师":
            return [("工作台", "GET", "/"), ("岗位手册", "GET", f"/handbook/positions/{self.position}"),
                    ("点检表", "GET", "/checklists/"), ("selfcheck", None, None), ("通知", "GET", "/notices/"),
                    ("工作台", "GET", "/"), ("培训", "GET", "/trainings/"), ("selfcheck", None, None),
                    ("设备", "GET", f"/equipment/{pick(t['equipment'])}"),  # a QR label scanned
                    ("申领", "GET", "/supplies/requisitions")]
        if self.role == "主管":
            return [("工作台", "GET", "/"), ("点检表", "GET", "/checklists/"), ("tick", None, None),
                    ("confirm", None, None), ("逾期", "GET", "/checklists/overdue"),
                    ("月度表", "GET", f"/checklists/positions/{pick(self.grids)}"), ("untick", None, None),
                    ("点检表", "GET", "/checklists/"), ("tick", None, None), ("通知", "GET", "/notices/"),
                    # a 5S inspection of his area on the phone, a few taps at a time between the rest
                    ("inspect", None, None), ("inspect", None, None), ("inspect", None, None),
                    ("inspect", None, None), ("inspect", None, None), ("inspect", None, None)]
        if self.role == "文员":
            item = pick(t["items"])
            return [("工作台", "GET", "/"), ("库存", "GET", "/supplies/"), ("slip", None, None),
                    ("台账", "GET", f"/supplies/items/{item}"), ("领用单", "GET", "/supplies/slips"),
                    ("培训", "GET", "/trainings/"), ("培训记录", "GET", f"/trainings/{pick(t['trainings'])}"),
                    ("receive", None, None), ("覆盖矩阵", "GET", "/coverage/"), ("申领", "GET", "/supplies/requisitions"),
                    ("盘点", "GET", f"/equipment/counts/{t['count']}"), ("设备台账", "GET", "/equipment/")]
        if self.role == "经理":
            return [("工作台", "GET", "/"), ("点检表", "GET", "/checklists/"), ("逾期", "GET", "/checklists/overdue"),
                    ("月度表", "GET", f"/checklists/positions/{pick(self.grids)}"), ("tick", None, None),
                    ("覆盖矩阵", "GET", "/coverage/"), ("申领", "GET", "/supplies/requisitions"),
                    ("员工", "GET", "/staff/")]
        return [("工作台", "GET", "/"), ("操作日志", "GET", "/admin/audit/"), ("员工", "GET", "/staff/"),
                ("覆盖矩阵", "GET", "/coverage/"), ("岗位手册", "GET", f"/handbook/positions/{pick(t['positions'])}"),
                ("点检表", "GET", "/checklists/")]

    def next_request(self, confirmations: "queue.Queue"):
        """(kind, method, path, body, htmx, write kind or None) of this person's next step."""
        steps = self.script()
        for _ in range(len(steps)):
            kind, method, path = steps[self.step % len(steps)]
            self.step += 1
            if method is not None:
                return kind, method, path, None, False, None
            write = self._write(kind, confirmations)
            if write is not None:
                return write
        return "工作台", "GET", "/", None, False, None

    def _write(self, kind: str, confirmations: "queue.Queue"):
        if kind in ("selfcheck", "tick"):
            if not self.pool:
                return None
            item_id, key, subject = self.pool.pop()
            if kind == "tick":
                self.ticked.append((item_id, key, subject))
            return ("自查" if kind == "selfcheck" else "勾选", "POST", f"/checklists/items/{item_id}/{key}/{kind}",
                    {"note": "", "next": "/checklists/", **_subject(subject)}, True, (kind, item_id, key, subject))
        if kind == "confirm":
            try:
                item_id, key, subject = confirmations.get_nowait()
            except queue.Empty:
                return None
            if self.targets["item_position"][str(item_id)] not in self.tickable:
                confirmations.put((item_id, key, subject))  # for one of the position's supervisors
                return None
            self.ticked.append((item_id, key, subject))
            return ("确认自查", "POST", f"/checklists/items/{item_id}/{key}/tick", {"note": "已核查", **_subject(subject)},
                    True, ("confirm", item_id, key, subject))
        if kind == "inspect" and self.area and self.targets.get("inspection"):
            insp = self.targets["inspection"]
            if self.inspection is None:  # start one for his area (the redirect names it: see one())
                return ("检查开始", "POST", "/inspections/start",
                        {"csrf_token": self.token, "template": insp["template"], "area": self.area}, False,
                        ("inspect_start", None, None))
            if self.to_answer:  # one tap per item, each saved at once over HTMX
                key, value = self.to_answer.pop(0)
                return ("检查作答", "POST", f"/inspections/{self.inspection}/items/{key}", {"value": value}, True,
                        ("inspect_answer", self.inspection, key))
            done, self.inspection = self.inspection, None
            return ("检查提交", "POST", f"/inspections/{done}/submit", {"csrf_token": self.token}, False,
                    ("inspect_submit", done, None))
        if kind == "untick" and self.ticked:
            item_id, key, subject = self.ticked.pop(0)
            return ("取消勾选", "POST", f"/checklists/items/{item_id}/{key}/untick", {"note": "复查", **_subject(subject)},
                    True, ("untick", item_id, key, subject))
        if kind == "slip":
            return ("发放", "POST", "/supplies/slips/new",
                    {"csrf_token": self.token, "employee_id": self.rng.choice(self.targets["employees"]),
                     "item_id": [self.rng.choice(self.targets["items"])], "qty": ["1"], "note": "早高峰",
                     "separate": "1", "beyond_ok": "1"},  # not against an approved requisition, past the standard knowingly
                    False, ("slip", None, None))
        if kind == "receive":
            return ("入库", "POST", "/supplies/receive",
                    {"csrf_token": self.token, "item_id": self.rng.choice(self.targets["items"]), "qty": "5",
                     "supplier": "基准", "note": ""}, False, ("receive", None, None))
        return None


class Tally:
    def __init__(self):
        self.lock = threading.Lock()
        self.times: dict[str, list[float]] = defaultdict(list)
        self.bad: list[str] = []
        self.successes: dict[str, int] = defaultdict(int)
        self.count = 0

    def add(self, kind: str, ms: float, status: int, path: str, write) -> None:
        with self.lock:
            self.count += 1
            self.times[kind].append(ms)
            if not 200 <= status < 400:
                self.bad.append(f"{status} {path}")
            elif write is not None:
                self.successes[write[0]] += 1


def one(person: Person, confirmations: "queue.Queue", tally: Tally | None, due: float | None = None) -> None:
    with person.lock:
        kind, method, path, body, htmx, write = person.next_request(confirmations)
        if method == "POST" and htmx:
            body = dict(body or {})
        started = due if due is not None else time.perf_counter()
        status, _, location = person.request(method, path, body, htmx)
        ms = (time.perf_counter() - started) * 1000
        if write is not None and write[0] == "inspect_start":
            found = re.search(r"/inspections/(\d+)", location) if status == 303 else None
            if found:  # the inspection begun: its items are answered in his next steps
                person.inspection = int(found.group(1))
                person.to_answer = list(person.targets["inspection"]["answers"])
    if write is not None and write[0] == "selfcheck" and 200 <= status < 400:
        confirmations.put((write[1], write[2], write[3]))
    if tally is not None:
        tally.add(f"{person.role}·{kind}", ms, status, path, write)


def in_flight(worker, inflight: int) -> float:
    """Runs `worker` in `inflight` threads at once until each returns; the seconds taken."""
    threads = [threading.Thread(target=worker) for _ in range(inflight)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return time.perf_counter() - started


def idle_queue(people: list[Person]) -> "queue.Queue[Person]":
    """The people, each taken by one request at a time (a person never has two in flight)."""
    idle: "queue.Queue[Person]" = queue.Queue()
    for p in people:
        idle.put(p)
    return idle


def closed_loop(people: list[Person], seconds: float, confirmations, inflight: int = 8) -> Tally:
    order = people[:]
    random.Random(1).shuffle(order)
    idle = idle_queue(order)
    tally, stop_at = Tally(), time.perf_counter() + seconds

    def worker():
        while time.perf_counter() < stop_at:
            p = idle.get()
            try:
                one(p, confirmations, tally)
            finally:
                idle.put(p)

    tally.elapsed = in_flight(worker, inflight)
    return tally


def server_cpu(proc: subprocess.Popen) -> float:
    """CPU seconds used so far by a gunicorn master and its workers (Linux /proc)."""
    pids = [proc.pid]
    try:
        with open(f"/proc/{proc.pid}/task/{proc.pid}/children") as fh:
            pids += [int(p) for p in fh.read().split()]
    except OSError:
        return float("nan")
    total = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat") as fh:
                fields = fh.read().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])  # utime, stime
        except OSError:
            pass
    return total / os.sysconf("SC_CLK_TCK")


def bare_loop(base: str, seconds: float, inflight: int = 8) -> tuple[float, int]:
    """Requests/s of the bare page, same client, same concurrency (and how many)."""
    host = urllib.parse.urlsplit(base)
    count, lock, stop_at = [0], threading.Lock(), time.perf_counter() + seconds

    def worker():
        conn = http.client.HTTPConnection(host.hostname, host.port, timeout=30)
        n = 0
        while time.perf_counter() < stop_at:
            conn.request("GET", "/", headers={"User-Agent": USER_AGENT})
            conn.getresponse().read()
            n += 1
        with lock:
            count[0] += n

    elapsed = in_flight(worker, inflight)
    return count[0] / elapsed, count[0]


FLOOR_PATH = "/auth/password"  # a logged-in page that reads nothing but the login


def floor_loop(people: list[Person], seconds: float, inflight: int = 8) -> tuple[float, int]:
    """Requests/s of FLOOR_PATH by these people, 8 in flight (and how many)."""
    idle = idle_queue(people)
    count, bad, lock, stop_at = [0], [], threading.Lock(), time.perf_counter() + seconds

    def worker():
        n = 0
        while time.perf_counter() < stop_at:
            p = idle.get()
            try:
                status, _, _ = p.request("GET", FLOOR_PATH)
            finally:
                idle.put(p)
            n += 1
            if status != 200:
                bad.append(status)
        with lock:
            count[0] += n

    elapsed = in_flight(worker, inflight)
    if bad:
        raise SystemExit(f"{FLOOR_PATH} answered {bad[:5]}")
    return count[0] / elapsed, count[0]


def open_loop(people: list[Person], rate: float, seconds: float, confirmations) -> Tally:
    """One request every 1/rate s, each from a person chosen at random among those idle (a
    person never has two requests in flight); latency counted from when it was due."""
    tally, rng = Tally(), random.Random(2)
    pool = ThreadPoolExecutor(max_workers=32)
    start = time.perf_counter()
    n = int(rate * seconds)
    for i in range(n):
        due = start + i / rate
        delay = due - time.perf_counter()
        if delay > 0:
            time.sleep(delay)
        free = [p for p in people if not p.lock.locked()]
        pool.submit(one, rng.choice(free or people), confirmations, tally, due)
    pool.shutdown(wait=True)
    return tally


def pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(q * len(values)))] if values else float("nan")


def wrk_bare(base: str) -> float | None:
    if not shutil.which("wrk"):
        return None
    out = subprocess.run(["wrk", "-t2", "-c8", "-d5s", base + "/"], capture_output=True, text=True).stdout
    m = re.search(r"Requests/sec:\s+([\d.]+)", out)
    return float(m.group(1)) if m else None


def run_dataset(name: str, instance: str, url: str, args) -> None:
    print(f"\n[{name}] preparing {sum(r[1] for r in ROLES)} accounts …", flush=True)
    spec = prepare(instance, url)
    env = {"INSTANCE_PATH": instance, "DATABASE_URL": url}
    bare, bare_base = start_gunicorn("bare_app:app", {}, HERE)
    proc, base = start_gunicorn("wsgi:app", env, ROOT)
    try:
        people = [Person(p, spec["targets"], base) for p in spec["people"]]
        for p in people:
            p.login()
        confirmations: queue.Queue = queue.Queue()
        warm = closed_loop(people, 5, confirmations)  # warm: templates compiled, connections open
        rounds, floors, cpu = [], [], defaultdict(float)  # CPU seconds: bare/mix server, bare/mix client; requests
        for r in range(args.rounds):
            s0, c0 = server_cpu(bare), time.process_time()
            bare_rps, bare_n = bare_loop(bare_base, args.bare_seconds)
            s1, c1 = server_cpu(bare), time.process_time()
            m0 = server_cpu(proc)
            tally = closed_loop(people, args.seconds, confirmations)
            m1, c2 = server_cpu(proc), time.process_time()
            cpu["bare server"] += s1 - s0
            cpu["bare client"] += c1 - c0
            cpu["bare n"] += bare_n
            cpu["mix server"] += m1 - m0
            cpu["mix client"] += c2 - c1
            cpu["mix n"] += tally.count
            if args.floor_seconds:
                f0 = server_cpu(proc)
                floor_rps, floor_n = floor_loop(people, args.floor_seconds)
                cpu["floor server"] += server_cpu(proc) - f0
                cpu["floor n"] += floor_n
                floors.append(floor_rps)
            rounds.append((bare_rps, tally))
            print(f"  round {r + 1}: bare {bare_rps:.0f} req/s, mix {tally.count / tally.elapsed:.0f} req/s "
                  f"({tally.count} requests, {sum(tally.successes.values())} writes, one every "
                  f"{tally.elapsed / max(1, sum(tally.successes.values())):.2f} s; {os.getloadavg()[0]:.1f} load)"
                  + (f", floor {floors[-1]:.0f} req/s" if floors else ""),
                  flush=True)
        bare_rps = statistics.median(b for b, _ in rounds)
        mix_rps = statistics.median(t.count / t.elapsed for _, t in rounds)
        reference = wrk_bare(bare_base)
        print(f"  (a) closed loop, 8 in flight: mix {mix_rps:.0f} req/s, bare page {bare_rps:.0f} req/s "
              f"(same client) → ratio {mix_rps / bare_rps:.3f}"
              + (f"; bare page by wrk {reference:.0f} req/s → ratio {mix_rps / reference:.3f}" if reference else ""))
        per = {k: 1000 * cpu[k] / max(1, cpu[k.split()[0] + " n"]) for k in ("bare server", "bare client",
                                                                              "mix server", "mix client")}
        print(f"      CPU per request (less disturbed by other work on the machine than req/s): bare page "
              f"{per['bare server']:.2f} ms server + {per['bare client']:.2f} ms client, mix "
              f"{per['mix server']:.2f} ms server (gunicorn only{'; the database server not counted' if url.startswith('postgresql') else ''})"
              f" + {per['mix client']:.2f} ms client → ratio by server CPU "
              f"{per['bare server'] / per['mix server']:.3f}, by server+client CPU "
              f"{(per['bare server'] + per['bare client']) / (per['mix server'] + per['mix client']):.3f}")
        if floors:
            floor_rps = statistics.median(floors)
            floor_cpu = 1000 * cpu["floor server"] / max(1, cpu["floor n"])
            print(f"      floor ({FLOOR_PATH}, a logged-in page that reads nothing but the login): "
                  f"{floor_rps:.0f} req/s → ratio {floor_rps / bare_rps:.3f} to the bare page, "
                  f"{floor_cpu:.2f} ms server CPU per request → {per['bare server'] / floor_cpu:.3f}: "
                  f"the ceiling of the mix's ratio")
        merged = defaultdict(list)
        for _, t in rounds:
            for k, v in t.times.items():
                merged[k] += v
        print(f"      {'kind':<18}{'n':>6}{'p50':>8}{'p95':>8}{'p99':>8}  ms")
        for k in sorted(merged, key=lambda k: -pct(merged[k], 0.95)):
            v = merged[k]
            print(f"      {k:<18}{len(v):>6}{pct(v, .5):8.1f}{pct(v, .95):8.1f}{pct(v, .99):8.1f}")
        ol = open_loop(people, args.rate, args.open_seconds, confirmations)
        print(f"  (b) open loop at {args.rate:g} req/s for {args.open_seconds:g} s ({ol.count} requests):")
        print(f"      {'kind':<18}{'n':>6}{'p50':>8}{'p95':>8}  ms")
        for k in sorted(ol.times, key=lambda k: -pct(ol.times[k], 0.95)):
            v = ol.times[k]
            print(f"      {k:<18}{len(v):>6}{pct(v, .5):8.1f}{pct(v, .95):8.1f}")
        worst = max((pct(v, .95) for v in ol.times.values()), default=float("nan"))
        print(f"      worst p95 {worst:.1f} ms")
    finally:
        stop(proc)
        stop(bare)
    successes = defaultdict(int)
    bad = []
    for _, t in [(None, warm)] + rounds:
        bad += t.bad
        for k, v in t.successes.items():
            successes[k] += v
    bad += ol.bad
    for k, v in ol.successes.items():
        successes[k] += v
    print(f"  people: {len(people)}; occurrences to self-check or tick: "
          f"{sum(len(p['pool']) for p in spec['people'])} left of the prepared pools")
    problems = checks(instance, url, spec["targets"]["audit_start"], successes)
    print(f"  (c) writes seen succeeding: {dict(successes)}; answers outside 2xx/3xx: {len(bad)}"
          + (f" (e.g. {bad[:5]})" if bad else ""))
    print("      audit log and stock: " + ("all consistent" if not problems else "; ".join(problems)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--datasets", default="scale")
    parser.add_argument("--seconds", type=float, default=30, help="closed-loop mix per round")
    parser.add_argument("--bare-seconds", type=float, default=10)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--floor-seconds", type=float, default=10,
                        help="closed loop of the floor page per round (0: none)")
    parser.add_argument("--rate", type=float, default=15)
    parser.add_argument("--open-seconds", type=float, default=40)
    parser.add_argument("--rebuild", action="store_true")
    args = parser.parse_args()
    pg = os.environ.get("DATABASE_URL", "")
    print(f"bench/peak.py: gunicorn {GUNICORN_WORKERS} workers x {GUNICORN_THREADS} threads; database: {'PostgreSQL' if pg else 'SQLite'}")
    for name in args.datasets.split(","):
        instance = os.path.join(BASE, name + ("-pg" if pg else ""))
        url = pg or f"sqlite:///{instance}/app.db"
        if pg or args.rebuild or not os.path.exists(os.path.join(instance, "app.db")):
            print(f"building {name} …", flush=True)
            build(instance, pg or None, 1.0, 2026, demo_only=(name == "demo"), log=lambda *a: None)
        run_dataset(name, instance, url, args)


if __name__ == "__main__":
    main()

"""Who had the trainings their position requires: fulfilment, the coverage matrix, what
expires, and the onboarding plan of a new hire. Plain functions; `today` comes from the
clock module, so tests fix the date.

A session fulfils a requirement for an attendee who signed in (已签到) and, where the
session was assessed, passed, on the session's date; the session must be held (已完成)
and match the requirement by category (and, if the requirement names a course, by its
topic) or be marked explicitly. A certificate requirement is fulfilled by an external
certificate (外部证书) linked to it, until the certificate's expiry date. A repeated
requirement expires `interval_months` after the last fulfilment.
"""
import calendar
from collections import defaultdict
from dataclasses import dataclass, field as dc_field
from functools import lru_cache
from datetime import date, timedelta
from typing import NamedTuple

from sqlalchemy import Integer, bindparam, func, or_, select
from sqlalchemy.orm import joinedload

from app import clock
from app.coverage.models import Certificate, Onboarding, OnboardingDone, OnboardingStep, Requirement, TrainingFulfils
from app.database import statement
from app.extensions import db
from app.handbook.models import ReadConfirmation
from app.handbook.revisions import current_revision
from app.org.models import Position, ordered_positions
from app.staff.models import Employee, staff_rows
from app.supplies.models import Entitlement, ISSUE, IssueSlip, StockEntry, SupplyItem, not_reversed
from app.supplies.sizes import group_ids_of
from app.trainings.models import Attendee, DONE as HELD, SIGNED, Training, TrainingLatest

DONE, SOON, EXPIRED, MISSING, NA = "done", "soon", "expired", "missing", "na"
LABELS = {DONE: "已完成", SOON: "即将到期", EXPIRED: "已过期", MISSING: "缺", NA: "不适用"}
NEW_HIRE_DAYS = 90
FIRST_ISSUE_DAYS = 7  # the first 劳保 issue is due within a week of hire
CONFIRM_DAYS = 3      # reading and confirming the duties: within three days


@lru_cache(maxsize=8192)  # a pure function of its arguments; the matrix asks it for thousands of cells
def add_months(d: date, months: int) -> date:
    y, m = divmod(d.month - 1 + months, 12)
    year, month = d.year + y, m + 1
    return date(year, month, min(d.day, calendar.monthrange(year, month)[1]))


class Evidence(NamedTuple):  # NamedTuples: a matrix makes thousands, a frozen dataclass costs 5x more
    on: date
    expires: date | None
    source: str  # 培训「…」 / 证书「…」（编号）
    training_id: int | None = None
    certificate_id: int | None = None


class Cell(NamedTuple):
    state: str
    evidence: Evidence | None = None
    expires: date | None = None

    @property
    def label(self) -> str:
        return LABELS[self.state]

    @property
    def ok(self) -> bool:
        return self.state in (DONE, SOON)


def requirements_of(position_ids=None) -> list[Requirement]:
    if position_ids is None:
        return list(db.session.scalars(_requirements(False)))
    return list(db.session.scalars(_requirements(True), {"positions": list(position_ids)}))


@statement
def _requirements(of_positions: bool):
    stmt = (select(Requirement).join(Position, Position.id == Requirement.position_id)
            .where(Requirement.active.is_(True)).order_by(Position.sort_order, Requirement.sort_order, Requirement.id))
    if of_positions:
        stmt = stmt.where(Requirement.position_id.in_(bindparam("positions", expanding=True)))
    return stmt


class _Rule(NamedTuple):
    """What of a requirement decides whether a session fulfils it, as plain values: read
    for every row of hundreds of employees, where each ORM attribute read costs."""
    id: int
    category_id: int | None
    course: str
    certificate: bool


def _rule(req: Requirement) -> _Rule:
    return _Rule(req.id, req.category_id, req.course or "", bool(req.certificate))


def _matches(rule: _Rule, training_id: int | None, category_id: int, topic: str | None, links) -> bool:
    if rule.certificate:
        return False  # only a certificate fulfils a certificate requirement
    if (training_id, rule.id) in links:
        return True
    if rule.category_id is not None and rule.category_id != category_id:
        return False
    if rule.course and rule.course not in (topic or ""):
        return False
    return rule.category_id is not None or bool(rule.course)


class ActiveOf(NamedTuple):
    """For evidence(): the active employees of these positions, selected by the statements
    themselves (a subquery), not hundreds of employee ids sent as parameters."""
    position_ids: list[int]


_ACTIVE_OF_POSITIONS = (Employee.active.is_(True), Employee.position_id.in_(bindparam("positions", expanding=True)))


def _employees(among: bool):
    """Whom a statement of evidence() reads: the active employees of the positions bound as
    `positions` (ActiveOf), or the employees bound as `employees`."""
    if among:
        return select(Employee.id).where(*_ACTIVE_OF_POSITIONS)
    return bindparam("employees", expanding=True)


def _attended(employee_ids, until, *where):
    """(employee id, training id, date, category, topic) of the held sessions these
    employees signed in to and, where assessed, passed (`employee_ids` and `until`: bind
    parameters, or what selects them)."""
    return (select(Attendee.employee_id, Training.id, Training.held_on, Training.category_id, Training.topic)
            .join(Training, Training.id == Attendee.training_id)
            .where(Attendee.employee_id.in_(employee_ids), Attendee.status == SIGNED,
                   Attendee.passed.is_not(False), Training.status == HELD, Training.held_on <= until, *where))


# The latest session per employee and category, as training_latest keeps it (triggers on
# the attendances and sessions); where that session lies after the date asked about (a
# session recorded as held in the future, or a past date asked), the latest one up to that
# date from the attendances, for those employees only (_UP_TO: `+ 0` on the category so that
# no database leads by its index instead of the employees' attendances).
_UP_TO = (_attended(bindparam("employees", expanding=True), bindparam("until"),
                    (Training.category_id + 0).in_(bindparam("categories", expanding=True)))
          .with_only_columns(Attendee.employee_id, Training.category_id, func.max(Training.held_on))
          .group_by(Attendee.employee_id, Training.category_id))


def _latest_by_category(among: bool, who: dict, categories, until: date) -> list[tuple[int, int, date]]:
    """(employee id, category id, date) of each employee's latest held session per
    category (signed in, passed where assessed) up to `until`, for the employees `who`
    names (_employees: the active ones of some positions `among`, or a list) and
    `categories`: one indexed read of training_latest, and a second statement only where
    its session lies after `until`."""
    categories = sorted(categories)
    rows = db.session.execute(_latest(among), {**who, "categories": categories}).all()
    later = {(e, c) for e, c, on in rows if on > until}
    if not later:
        return rows
    earlier = db.session.execute(_UP_TO, {"employees": sorted({e for e, _ in later}), "categories": categories,
                                          "until": until}).all()
    return [row for row in rows if (row[0], row[1]) not in later] + \
        [row for row in earlier if (row[0], row[1]) in later]


@statement
def _latest(among: bool):
    return (select(TrainingLatest.employee_id, TrainingLatest.category_id, TrainingLatest.held_on)
            .where(TrainingLatest.employee_id.in_(_employees(among)),
                   TrainingLatest.category_id.in_(bindparam("categories", expanding=True))))


def evidence(employee_ids, requirements: list[Requirement], until: date | None = None,
             detail: bool = True, positions: dict[int, int] | None = None) -> dict[tuple[int, int], Evidence]:
    """The latest fulfilment of each (employee id, requirement id), in a fixed number of
    queries whatever the history: per employee and category the latest session, then the
    sessions that name a course or were marked explicitly, then the certificates.

    Without `detail` (the matrix, the workspace: hundreds of employees) the latest session
    per employee and category is read as a date only (training_latest, kept by triggers),
    so its Evidence names no session; with it, the session's topic too. `employee_ids`: a
    list, or ActiveOf(position ids) (the statements select those employees themselves: no
    list of hundreds of parameters). `positions` (employee id -> position id of those
    employees), when the caller has read them already.

    Its statements are built once per shape (_employees: a list or ActiveOf; the number of
    courses named) and run with the values as bind parameters."""
    out: dict[tuple[int, int], Evidence] = {}
    among = isinstance(employee_ids, ActiveOf)
    who = {"positions": list(employee_ids.position_ids)} if among else {"employees": sorted(set(employee_ids))}
    if positions is None:
        positions = dict(db.session.execute(_positions(among), who).all()) if among or who["employees"] else {}
    if not positions or not requirements:
        return out
    until = until or clock.local_now().date()
    by_position = defaultdict(list)
    for req in requirements:
        if not req.certificate:
            by_position[req.position_id].append(req)
    rules = {pid: [_rule(r) for r in reqs] for pid, reqs in by_position.items()}

    def take(emp_id, tid, held_on, category_id, topic, links):
        for rule in rules.get(positions.get(emp_id), ()):
            if not _matches(rule, tid, category_id, topic, links):
                continue
            prev = out.get((emp_id, rule.id))
            if prev is None or held_on >= prev.on:
                out[(emp_id, rule.id)] = Evidence(held_on, None, f"培训「{topic}」" if topic is not None else "培训",
                                                  training_id=tid)

    if by_position:
        reqs = [r for rs in by_position.values() for r in rs]
        categories = sorted({r.category_id for r in reqs if r.category_id is not None})
        if categories and detail:
            for row in db.session.execute(_latest_sessions(among), {**who, "until": until, "categories": categories}):
                take(row[0], row[1], row[2], row[3], row[4], frozenset())
        elif categories:
            # take() on dates alone: the rules of a position that a session of the category
            # fulfils are those naming the category and no course (as _matches decides).
            fulfilled = {pid: defaultdict(list) for pid in rules}
            for pid, rs in rules.items():
                for rule in rs:
                    if rule.category_id is not None and not rule.course:
                        fulfilled[pid][rule.category_id].append(rule.id)
            none: dict = {}
            for emp_id, category_id, held_on in _latest_by_category(among, who, categories, until):
                for rid in fulfilled.get(positions.get(emp_id), none).get(category_id, ()):
                    prev = out.get((emp_id, rid))
                    if prev is None or held_on >= prev.on:
                        out[(emp_id, rid)] = Evidence(held_on, None, "培训")
        courses = sorted({r.course for r in reqs if r.course})
        special = db.session.execute(_special(among, len(courses)), {
            **who, "until": until, "requirements": [r.id for r in reqs],
            **{f"course_{i}": _like_escaped(c) for i, c in enumerate(courses)}}).all()
        if special:
            links = set(db.session.execute(_links(), {"trainings": sorted({r[1] for r in special})}).all())
            for row in special:
                take(*row, links)
    cert_reqs = {r.id for r in requirements if r.certificate}
    if cert_reqs:
        for c in db.session.scalars(_certificates(among), {**who, "requirements": sorted(cert_reqs), "until": until}):
            key = (c.employee_id, c.requirement_id)
            prev = out.get(key)
            if prev is None or (c.expires_on or date.max) >= (prev.expires or date.max):
                out[key] = Evidence(c.issued_on, c.expires_on, f"证书「{c.name}」" + (f"（{c.number}）" if c.number else ""),
                                    certificate_id=c.id)
    return out


@statement
def _positions(among: bool):
    return select(Employee.id, Employee.position_id).where(Employee.id.in_(_employees(among)))


@statement
def _latest_sessions(among: bool):
    """Per employee and category the latest session (of the latest day, the highest id)."""
    latest = _attended(_employees(among), bindparam("until"),
                       Training.category_id.in_(bindparam("categories", expanding=True))).add_columns(
        func.row_number().over(partition_by=(Attendee.employee_id, Training.category_id),
                               order_by=(Training.held_on.desc(), Training.id.desc())).label("rn")).subquery()
    return select(latest).where(latest.c.rn == 1)


@statement
def _special(among: bool, courses: int):
    """The sessions linked to the requirements bound as `requirements`, or whose topic
    contains one of the courses bound as course_0, course_1 … (escaped: _like_escaped)."""
    linked = (select(TrainingFulfils.training_id)
              .where(TrainingFulfils.requirement_id.in_(bindparam("requirements", expanding=True))))
    return (_attended(_employees(among), bindparam("until"), or_(
        Training.id.in_(linked), *[Training.topic.contains(bindparam(f"course_{i}"), escape=_ESCAPE)
                                   for i in range(courses)]))
        .order_by(Training.held_on))


_ESCAPE = "/"


def _like_escaped(text: str) -> str:
    """`text` to be found as it is by a LIKE with ESCAPE _ESCAPE (what contains(...,
    autoescape=True) does to a literal; a bind parameter of a prebuilt statement is escaped
    here)."""
    return text.replace(_ESCAPE, _ESCAPE * 2).replace("%", _ESCAPE + "%").replace("_", _ESCAPE + "_")


@statement
def _links():
    return (select(TrainingFulfils.training_id, TrainingFulfils.requirement_id)
            .where(TrainingFulfils.training_id.in_(bindparam("trainings", expanding=True))))


@statement
def _certificates(among: bool):
    return (select(Certificate).where(Certificate.employee_id.in_(_employees(among)),
                                      Certificate.requirement_id.in_(bindparam("requirements", expanding=True)),
                                      Certificate.issued_on <= bindparam("until"))
            .order_by(Certificate.issued_on, Certificate.id))


def cell(req: Requirement, ev: Evidence | None, today: date, warn_days: int) -> Cell:
    return _cell(req.certificate, req.interval_months, ev, today, today + timedelta(days=warn_days))


_MISSING = Cell(MISSING)


def _cell(certificate: bool, interval_months: int | None, ev: Evidence | None, today: date, soon: date) -> Cell:
    """cell() on plain values (the matrix calls it for every employee and requirement)."""
    if ev is None:
        return _MISSING
    expires = ev.expires if certificate else (add_months(ev.on, interval_months) if interval_months else None)
    if expires is not None and expires < today:
        return Cell(EXPIRED, ev, expires)
    if expires is not None and expires <= soon:
        return Cell(SOON, ev, expires)
    return Cell(DONE, ev, expires)


def warn_days() -> int:
    from flask import current_app

    return int(current_app.config.get("COVERAGE_WARN_DAYS", 60))


@dataclass
class Matrix:
    today: date
    positions: list
    columns: list[Requirement]
    groups: list[dict] = dc_field(default_factory=list)  # {position, rows: [{employee, cells}], pct}
    column_pct: dict = dc_field(default_factory=dict)  # requirement id -> (ok, applicable)

    @property
    def employee_count(self) -> int:
        return sum(len(g["rows"]) for g in self.groups)


def matrix(position_id: int | None = None, today: date | None = None, warn: int | None = None) -> Matrix:
    """Active employees (rows, grouped by position) × requirements (columns): a cell per
    pair, 不适用 where the requirement is not of the employee's position."""
    today = today or clock.local_now().date()
    warn = warn_days() if warn is None else warn
    positions = [p for p in ordered_positions() if position_id is None or p.id == position_id]
    columns = requirements_of([p.id for p in positions])
    with_reqs = {r.position_id for r in columns}
    positions = [p for p in positions if p.id in with_reqs]
    among = ActiveOf([p.id for p in positions])
    employees = db.session.execute(_members(), {"positions": among.position_ids}).all()  # plain rows: hundreds
    ev = evidence(among, columns, today, detail=False, positions={e.id: e.position_id for e in employees})
    m = Matrix(today, positions, columns)
    tally = {r.id: [0, 0] for r in columns}
    na, soon = Cell(NA), today + timedelta(days=warn)
    by_position = defaultdict(list)
    for e in employees:
        by_position[e.position_id].append(e)
    found, fine = ev.get, (DONE, SOON)  # the states of Cell.ok
    for p in positions:
        rows, ok = [], 0
        own = [(i, r.id, r.certificate, r.interval_months, tally[r.id]) for i, r in enumerate(columns)
               if r.position_id == p.id]
        # Which cells are 不适用 depends on the position only: the spans are laid out once.
        layout = [(i, w) for i, _, w in spans([na if r.position_id != p.id else _MISSING for r in columns])]
        members = by_position.get(p.id, ())
        complete = 0  # people who meet every requirement of the position
        for e in members:
            cells = [na] * len(columns)
            met = 0
            for i, rid, certificate, interval, counts in own:
                c = cells[i] = _cell(certificate, interval, found((e.id, rid)), today, soon)
                if c.state in fine:
                    counts[0] += 1
                    met += 1
            ok += met
            complete += met == len(own)
            rows.append({"employee": e, "cells": cells, "spans": [(i, cells[i], w) for i, w in layout]})
        for *_, counts in own:
            counts[1] += len(members)
        m.groups.append({"position": p, "rows": rows, "ok": ok, "applicable": len(members) * len(own),
                         "complete": complete})
    m.column_pct = {rid: tuple(v) for rid, v in tally.items()}
    return m


@statement
def _members():
    """The active employees of the positions bound as `positions` (ActiveOf), by number."""
    return (select(Employee.id, Employee.name, Employee.employee_no, Employee.position_id)
            .where(*_ACTIVE_OF_POSITIONS).order_by(Employee.employee_no))


def spans(cells: list[Cell]) -> list[tuple[int, Cell, int]]:
    """The cells as (column index, cell, width): a run of 不适用 cells is one cell spanning
    them. A position's requirements are adjacent columns, so a row is at most three cells
    of 不适用 around its own, and the page stays small however many positions have columns."""
    out: list[tuple[int, Cell, int]] = []
    for i, c in enumerate(cells):
        if c.state == NA and out and out[-1][1].state == NA:
            start, first, width = out[-1]
            out[-1] = (start, first, width + 1)
        else:
            out.append((i, c, 1))
    return out


def last_fulfilment_expiring(months: int, until: date) -> date:
    """The latest date whose fulfilment, repeated every `months`, expires by `until`
    (add_months is monotonic: later fulfilments expire later)."""
    d = add_months(until, -months)  # add_months(d, months) <= until; a clamped day may allow a few more
    while add_months(d + timedelta(days=1), months) <= until:
        d += timedelta(days=1)
    return d


def expiring(today: date | None = None, warn: int | None = None, detail: bool = True,
             position_ids=None) -> dict[str, list[dict]]:
    """What expires within the warning window, and what has expired, soonest first (of the
    positions `position_ids`, or all). With `detail`, each row's employee is the Employee
    and each cell's evidence names its session or certificate (read for these employees
    only); without (the workspace), the employee is a row of his id, position id, name and
    number, read with the others."""
    today = today or clock.local_now().date()
    warn = warn_days() if warn is None else warn
    columns = [r for r in requirements_of(position_ids) if r.certificate or r.interval_months]  # only these expire
    among = ActiveOf(sorted({r.position_id for r in columns}))
    staff = {e.id: e for e in db.session.execute(_members(), {"positions": among.position_ids})}
    positions = {e.id: e.position_id for e in staff.values()}
    until = today + timedelta(days=warn)
    by_position = defaultdict(list)
    for r in columns:
        last = None if r.certificate else last_fulfilment_expiring(r.interval_months, until)
        by_position[r.position_id].append((r.id, r.certificate, r.interval_months, r, last))
    ev = evidence(among, columns, today, detail=False, positions=positions)
    soon, expired = [], []
    for emp_id, position_id in positions.items():
        for rid, certificate, interval, r, latest in by_position[position_id]:
            found = ev.get((emp_id, rid))
            if found is None or (latest is not None and found.on > latest):
                continue  # none, or fulfilled after the last date that expires by `until`
            c = _cell(certificate, interval, found, today, until)
            if c.state in (SOON, EXPIRED):
                (soon if c.state == SOON else expired).append({"employee": emp_id, "requirement": r, "cell": c})
    people = staff
    if detail and (soon or expired):  # the employees themselves, for the few listed
        people = {e.id: e for e in db.session.scalars(
            _people(), {"employees": sorted({x["employee"] for x in soon + expired})})}
    for x in soon + expired:
        x["employee"] = people[x["employee"]]
    if detail and (soon or expired):
        _name_sessions([x for x in soon + expired if x["cell"].evidence.training_id is None
                        and x["cell"].evidence.certificate_id is None], today)
    soon.sort(key=lambda x: (x["cell"].expires, x["employee"].employee_no))
    expired.sort(key=lambda x: (x["cell"].expires, x["employee"].employee_no))
    return {"soon": soon, "expired": expired}


@statement
def _people():
    return select(Employee).where(Employee.id.in_(bindparam("employees", expanding=True)))


def _name_sessions(items: list[dict], until: date) -> None:
    """Name the session of each listed fulfilment known by its date only (the latest
    session of the requirement's category, as evidence(detail=False) reads it): the one
    evidence(detail=True) names, the latest of that day by id. One query for the sessions
    of these employees, categories and days, not a window over their whole history."""
    if not items:
        return
    best: dict[tuple[int, int, date], tuple[int, str]] = {}
    for emp_id, category_id, held_on, tid, topic in db.session.execute(_sessions_of_days(), {
            "employees": sorted({x["employee"].id for x in items}), "until": until,
            "days": sorted({x["cell"].evidence.on for x in items}),
            "categories": sorted({x["requirement"].category_id for x in items})}):
        key = (emp_id, category_id, held_on)
        if key not in best or tid > best[key][0]:
            best[key] = (tid, topic)
    for x in items:
        c = x["cell"]
        found = best.get((x["employee"].id, x["requirement"].category_id, c.evidence.on))
        if found is not None:
            x["cell"] = Cell(c.state, Evidence(c.evidence.on, None, f"培训「{found[1]}」", training_id=found[0]),
                             c.expires)


@statement
def _sessions_of_days():
    return (select(Attendee.employee_id, Training.category_id, Training.held_on, Training.id, Training.topic)
            .join(Training, Training.id == Attendee.training_id)
            .where(Attendee.employee_id.in_(bindparam("employees", expanding=True)), Attendee.status == SIGNED,
                   Attendee.passed.is_not(False), Training.status == HELD, Training.held_on <= bindparam("until"),
                   Training.held_on.in_(bindparam("days", expanding=True)),
                   Training.category_id.in_(bindparam("categories", expanding=True))))


def own_evidence(employee: Employee, today: date) -> tuple[list[Requirement], dict]:
    """The requirements of the employee's position and his latest fulfilment of each
    (evidence naming its session or certificate): what employee_requirements and plan
    both show, read once for the employee's page."""
    reqs = requirements_of([employee.position_id]) if employee.position_id is not None else []
    return reqs, evidence([employee.id], reqs, today)


def employee_requirements(employee: Employee, today: date | None = None, own: tuple | None = None) -> list[dict]:
    """The employee's requirements with state, and the upcoming planned sessions that
    would fulfil a missing or expiring one. `own`: own_evidence(employee, today), when the
    caller has it."""
    today = today or clock.local_now().date()
    if employee.position_id is None:
        return []
    reqs, ev = own or own_evidence(employee, today)
    planned = list(db.session.scalars(_planned(), {"today": today}))
    links = set(db.session.execute(_links(), {"trainings": [t.id for t in planned]}).all()) if planned else set()
    out = []
    for r in reqs:
        c = cell(r, ev.get((employee.id, r.id)), today, warn_days())
        upcoming = [t for t in planned if _matches(_rule(r), t.id, t.category_id, t.topic, links)] \
            if not c.state == DONE else []
        out.append({"requirement": r, "cell": c, "upcoming": upcoming[:3],
                    "due_on": employee.hire_date + timedelta(days=r.due_days)
                    if r.due_days and employee.hire_date else None})
    return out


@statement
def _planned():
    return select(Training).where(Training.status != HELD, Training.held_on >= bindparam("today")).order_by(Training.held_on)


# --- onboarding (入职) --------------------------------------------------------------------

@dataclass
class Step:
    kind: str  # confirm / requirement / issue / custom
    title: str
    due_on: date | None
    done_on: date | None = None
    evidence: str = ""
    step_id: int | None = None
    derived: bool = True  # the app knows the state; only custom steps are marked by hand

    LABELS = {"done": "已完成", "overdue": "已逾期", "open": "待完成"}  # of state()

    def state(self, today: date) -> str:
        if self.done_on is not None:
            return "done"
        return "overdue" if self.due_on is not None and self.due_on < today else "open"

    @property
    def days_late(self) -> int:
        """How many days after its due day the step was done (0: on time, or not done)."""
        if self.done_on is None or self.due_on is None:
            return 0
        return max((self.done_on - self.due_on).days, 0)


def is_new_hire(employee: Employee, today: date | None = None) -> bool:
    today = today or clock.local_now().date()
    return employee.hire_date is not None and today - timedelta(days=NEW_HIRE_DAYS) <= employee.hire_date <= today


def onboarding_for(employee: Employee) -> Onboarding | None:
    return db.session.scalar(_onboarding(), {"employee": employee.id})


@statement
def _onboarding():
    return select(Onboarding).where(Onboarding.employee_id == bindparam("employee"))


def plan(employee: Employee, today: date | None = None, own: tuple | None = None) -> list[Step]:
    """The onboarding steps of the employee's position, each with its state derived
    where the app knows it: the read confirmation, the requirements due after hire, the
    first issue of each entitlement, then admin's further steps (marked by hand). `own`:
    own_evidence(employee, today), when the caller has it."""
    today = today or clock.local_now().date()
    hire = employee.hire_date or today
    position = employee.position
    if position is None:
        return []
    steps: list[Step] = []
    revision = current_revision(position)
    confirm = Step("confirm", f"阅读并确认《{position.title}》岗位职责", hire + timedelta(days=CONFIRM_DAYS))
    if revision is not None:
        row = db.session.execute(_first_confirmed(), {"employee": employee.id, "revision": revision.id}).scalar()
        if row is not None:
            confirm.done_on = clock.to_local(row).date()
            confirm.evidence = f"已确认第 {revision.number} 版"
    steps.append(confirm)
    reqs, ev = own or own_evidence(employee, today)  # each requirement's evidence is its own: one read serves both
    for r in (r for r in reqs if r.due_days):
        s = Step("requirement", r.name, hire + timedelta(days=r.due_days))
        e = ev.get((employee.id, r.id))
        if e is not None and e.on >= hire - timedelta(days=365):
            s.done_on, s.evidence = e.on, e.source
        steps.append(s)
    entitlements = list(db.session.scalars(_entitlements(), {"position": position.id}))
    groups = group_ids_of([ent.item for ent in entitlements])  # the variants in every size count
    first: dict[int, tuple] = {}  # item id -> (day, slip id, number) of the employee's first issue of it
    if entitlements:
        # One query for all of them, led by the employee's slips; a reversed issue left out.
        for number, issued_on, slip_id, item_id in db.session.execute(_issues(), {
                "employee": employee.id, "items": sorted({i for ids in groups.values() for i in ids})}):
            if item_id not in first or (issued_on, slip_id) < first[item_id][:2]:
                first[item_id] = (issued_on, slip_id, number)
    for ent in entitlements:
        s = Step("issue", f"首次领取{ent.item.name}", hire + timedelta(days=FIRST_ISSUE_DAYS))
        issued = [first[i] for i in groups[ent.item.id] if i in first]
        if issued:
            on, _, number = min(issued)
            s.done_on, s.evidence = on, f"领用单 {number}"
        steps.append(s)
    ob = onboarding_for(employee)
    done = {d.step_id: d for d in db.session.scalars(_done(), {"onboarding": ob.id})} if ob is not None else {}
    for st in db.session.scalars(_steps(), {"position": position.id, "done": list(done)}):
        s = Step("custom", st.title, hire + timedelta(days=st.due_days), step_id=st.id, derived=False)
        d = done.get(st.id)
        if d is not None:
            s.done_on, s.evidence = d.done_on, (d.by.name if d.by else "") + (f"：{d.note}" if d.note else "")
        steps.append(s)
    return steps


@statement
def _first_confirmed():
    return (select(func.min(ReadConfirmation.confirmed_at))
            .where(ReadConfirmation.employee_id == bindparam("employee"),
                   ReadConfirmation.revision_id == bindparam("revision")))


@statement
def _entitlements():
    return (select(Entitlement).where(Entitlement.position_id == bindparam("position"), Entitlement.active.is_(True))
            .join(SupplyItem, SupplyItem.id == Entitlement.item_id).order_by(SupplyItem.name))


@statement
def _issues():
    """The employee's issues of these items (on his slips), a reversed one left out."""
    return (select(IssueSlip.number, IssueSlip.issued_on, IssueSlip.id, StockEntry.item_id)
            .join(StockEntry, StockEntry.slip_id == IssueSlip.id)
            .where(IssueSlip.employee_id == bindparam("employee"), StockEntry.kind == ISSUE,
                   StockEntry.item_id.in_(bindparam("items", expanding=True)), not_reversed()))


@statement
def _done():
    return select(OnboardingDone).where(OnboardingDone.onboarding_id == bindparam("onboarding"))


@statement
def _steps():
    """The position's active steps, and those bound as `done` (a retired step done stays)."""
    listed = OnboardingStep.active.is_(True) | OnboardingStep.id.in_(bindparam("done", expanding=True))
    return (select(OnboardingStep).where(OnboardingStep.position_id == bindparam("position"), listed)
            .order_by(OnboardingStep.sort_order, OnboardingStep.id))


def new_hires(today: date | None = None) -> list[Employee]:
    """Active employees hired within NEW_HIRE_DAYS, or with an onboarding not signed off."""
    today = today or clock.local_now().date()
    marked = select(Onboarding.employee_id).where(Onboarding.signed_off_at.is_(None))
    return list(db.session.scalars(
        select(Employee).where(Employee.active.is_(True),
                               (Employee.hire_date.between(today - timedelta(days=NEW_HIRE_DAYS), today))
                               | Employee.id.in_(marked))
        .order_by(Employee.hire_date.desc())))


def awaiting_sign_off(position_ids, mentor_id: int | None, today: date, limit: int) -> tuple[list, int]:
    """New hires not yet signed off (上岗确认) of these positions, or whose mentor is
    `mentor_id`: ([(employee, onboarding or None)], how many in all), the earliest hired
    first; one statement whatever their number (a window count)."""
    position_ids = list(position_ids or ())
    if not position_ids and mentor_id is None:
        return [], 0
    rows = db.session.execute(_awaiting(bool(position_ids), mentor_id is not None), {
        "positions": position_ids, "mentor": mentor_id, "since": today - timedelta(days=NEW_HIRE_DAYS),
        "today": today, "limit": limit}).all()
    return [(e, ob) for e, ob, _ in rows], (rows[0][2] if rows else 0)


@statement
def _awaiting(of_positions: bool, of_mentor: bool):
    whose = [Employee.position_id.in_(bindparam("positions", expanding=True))] if of_positions else []
    if of_mentor:
        whose.append(Onboarding.mentor_id == bindparam("mentor"))
    recent = Employee.hire_date.between(bindparam("since"), bindparam("today"))
    return (select(Employee, Onboarding, func.count().over())
            .outerjoin(Onboarding, Onboarding.employee_id == Employee.id)
            .where(Employee.active.is_(True), Onboarding.signed_off_at.is_(None), recent | Onboarding.id.is_not(None),
                   or_(*whose))
            .options(joinedload(Employee.position), joinedload(Onboarding.mentor))
            .order_by(Employee.hire_date, Employee.id).limit(bindparam("limit", type_=Integer)))


def positions_with_requirements() -> list[Position]:
    """The positions with an active requirement, in the org chart's order (the matrix's
    position filter)."""
    ids = set(db.session.scalars(select(Requirement.position_id).where(Requirement.active.is_(True))))
    return [p for p in ordered_positions() if p.id in ids]


def position_setup(position: Position) -> tuple[list[Requirement], list[OnboardingStep]]:
    """A position's requirements and onboarding steps, retired ones included, in order."""
    reqs = list(db.session.scalars(select(Requirement).filter_by(position_id=position.id)
                                   .order_by(Requirement.sort_order, Requirement.id)))
    steps = list(db.session.scalars(select(OnboardingStep).filter_by(position_id=position.id)
                                    .order_by(OnboardingStep.sort_order, OnboardingStep.id)))
    return reqs, steps


def certificates_of(employee: Employee) -> list[Certificate]:
    """The employee's certificates, the newest first."""
    return list(db.session.scalars(_certificates_of(), {"employee": employee.id}))


@statement
def _certificates_of():
    return (select(Certificate).where(Certificate.employee_id == bindparam("employee"))
            .order_by(Certificate.issued_on.desc()))


def _may_mentor(employee: Employee) -> tuple:
    """Who may mentor (带教) the employee: every other active employee."""
    return Employee.active.is_(True), Employee.id != employee.id


def mentor_choices(employee: Employee) -> list[Employee]:
    """Who may mentor the employee (_may_mentor), by number."""
    return list(db.session.scalars(select(Employee).where(*_may_mentor(employee)).order_by(Employee.employee_no)))


def mentor_rows(employee: Employee, current: int | None = None) -> list:
    """mentor_choices as plain rows (staff_rows: id, number, name, position title), for the
    picker: the employee page lists everyone, and the plan's `current` mentor even after he
    left (saving the form again keeps him)."""
    return [r for r in staff_rows(current) if r.id != employee.id]


def onboarding_progress(today: date | None = None) -> list[dict]:
    """Per new hire: the steps done, their number and those overdue, and the plan."""
    today = today or clock.local_now().date()
    hires = []
    for e in new_hires(today):
        steps = plan(e, today)
        hires.append({"employee": e, "done": sum(s.done_on is not None for s in steps), "total": len(steps),
                      "overdue": sum(s.state(today) == "overdue" for s in steps), "onboarding": onboarding_for(e)})
    return hires

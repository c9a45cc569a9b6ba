"""The training part's blocks of 我的工作台: my trainings, and for the training clerks the
held sessions whose records are incomplete.

Their statements are built once, with parameters (building them costs more than running
them), and read plain rows of the few columns shown."""
from datetime import date, time

from sqlalchemy import bindparam, func, literal, select, union_all

from app.extensions import db
from app.parts import Desk, Listing, SHOW
from app.permissions import can_record_trainings
from app.trainings.models import Attendee, DONE, PLANNED, SIGNED, Training, hours_between

# 我的培训 in one statement: the next sessions planned for him, the last three he attended
# and the times of those he attended this year (for the hours), each part a bounded
# subquery, told apart by `part`. The recent part is ordered by an expression that no
# index gives (coalesce), so that both databases start from his attendances, not by
# walking every session of all time backwards to find the three of someone who attends
# few (PostgreSQL did: 1.7 ms).
def _mine(part: str, *where, order=(), limit=None):
    stmt = (select(literal(part).label("part"), Training.id, Training.topic, Training.held_on, Training.start_time,
                   Training.end_time, Training.place, Attendee.status.label("sign"))
            .join(Attendee, Attendee.training_id == Training.id)
            .where(Attendee.employee_id == bindparam("employee_id"), *where))
    return select(stmt.order_by(*order).limit(limit).subquery() if limit else stmt.subquery())


_MINE = union_all(
    _mine("upcoming", Training.status == PLANNED, Training.held_on >= bindparam("today"),
          order=(Training.held_on, Training.start_time, Training.id), limit=SHOW),
    _mine("recent", Training.status == DONE, Training.held_on <= bindparam("today"),
          Attendee.status == SIGNED,  # attended: not 缺席 or 请假
          order=(func.coalesce(Training.held_on, Training.held_on).desc(), Training.start_time.desc(),
                 Training.id.desc()), limit=3),
    _mine("year", Attendee.status == SIGNED, Training.status == DONE, Training.held_on >= bindparam("year_start"),
          Training.held_on <= bindparam("today")))


def my_trainings(desk: Desk) -> dict | None:
    employee, today = desk.employee, desk.today
    if employee is None:
        return None
    rows = db.session.execute(_MINE, {"employee_id": employee.id, "today": today,
                                      "year_start": date(today.year, 1, 1)}).all()
    part = {"upcoming": [], "recent": [], "year": []}
    for row in rows:
        part[row.part].append(row)
    # a union keeps no order: each part sorted again as its subquery chose it (two sessions
    # of a day: the earlier first among the next ones, the later first among the last ones)
    upcoming = sorted(part["upcoming"], key=lambda t: (t.held_on, t.start_time or time.min, t.id))
    recent = sorted(part["recent"], key=lambda t: (t.held_on, t.start_time or time.min, t.id), reverse=True)
    hours = sum(hours_between(t.start_time, t.end_time) for t in part["year"])
    return {"upcoming": upcoming, "recent": recent, "hours": hours}


# Nobody signed in: no first signed attendee, probed per training on the attendee index (as
# NOT EXISTS inside an OR, PostgreSQL hashed every signed attendance of all time instead).
_NOBODY_SIGNED = (select(Attendee.id).where(Attendee.training_id == Training.id, Attendee.status == SIGNED)
                  .limit(1).scalar_subquery().is_(None))
_INCOMPLETE = (select(Training.id, Training.held_on, Training.topic, func.count().over())
               .where(Training.status == DONE, Training.held_on <= bindparam("today"),
                      Training.held_on >= bindparam("since"), (Training.content == "") | _NOBODY_SIGNED)
               .order_by(Training.held_on.desc()).limit(SHOW))


def missing_records(desk: Desk) -> Listing | None:
    """Held trainings (of the last year) with nobody signed in, or no report written: the
    latest few and their count (a window over the rows before LIMIT), in one query."""
    if not can_record_trainings(desk.user):
        return None
    today = desk.today
    rows = db.session.execute(_INCOMPLETE, {"today": today, "since": date(today.year - 1, today.month, 1)}).all()
    return Listing(rows, rows[0][3]) if rows else None

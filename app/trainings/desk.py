"""The training part's blocks of 我的工作台: my trainings, and for the training clerks the
held sessions whose records are incomplete.

Their statements are built once, with parameters (building them costs more than running
them), and read plain rows of the few columns shown."""
from datetime import date

from sqlalchemy import bindparam, func, select

from app.extensions import db
from app.parts import Desk, Listing, SHOW
from app.permissions import can_record_trainings
from app.trainings.models import Attendee, DONE, PLANNED, SIGNED, Training, hours_between

_MINE = (select(Training.id, Training.topic, Training.held_on, Training.start_time, Training.place,
                Attendee.status.label("sign"))
         .join(Attendee, Attendee.training_id == Training.id)
         .where(Attendee.employee_id == bindparam("employee_id")))
_UPCOMING = (_MINE.where(Training.status == PLANNED, Training.held_on >= bindparam("today"))
             .order_by(Training.held_on, Training.start_time).limit(SHOW))
_RECENT = (_MINE.where(Training.status == DONE, Training.held_on <= bindparam("today"),
                       Attendee.status == SIGNED)  # attended: not 缺席 or 请假
           .order_by(Training.held_on.desc()).limit(3))
_THIS_YEAR = (select(Training.start_time, Training.end_time).join(Attendee, Attendee.training_id == Training.id)
              .where(Attendee.employee_id == bindparam("employee_id"), Attendee.status == SIGNED,
                     Training.status == DONE, Training.held_on >= bindparam("year_start"),
                     Training.held_on <= bindparam("today")))


def my_trainings(desk: Desk) -> dict | None:
    employee, today = desk.employee, desk.today
    if employee is None:
        return None
    params = {"employee_id": employee.id, "today": today, "year_start": date(today.year, 1, 1)}
    upcoming = db.session.execute(_UPCOMING, params).all()
    recent = db.session.execute(_RECENT, params).all()
    hours = sum(hours_between(start, end) for start, end in db.session.execute(_THIS_YEAR, params))
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

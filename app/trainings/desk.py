"""The training part's blocks of 我的工作台: my trainings, and for the training clerks the
held sessions whose records are incomplete."""
from datetime import date

from sqlalchemy import func, select

from app.extensions import db
from app.parts import Desk, Listing, SHOW
from app.permissions import can_record_trainings
from app.trainings.models import Attendee, DONE, PLANNED, SIGNED, Training


def my_trainings(desk: Desk) -> dict | None:
    employee, today = desk.employee, desk.today
    if employee is None:
        return None
    mine = select(Training, Attendee).join(Attendee, Attendee.training_id == Training.id).where(
        Attendee.employee_id == employee.id)
    upcoming = db.session.execute(mine.where(Training.status == PLANNED, Training.held_on >= today)
                                  .order_by(Training.held_on, Training.start_time).limit(SHOW)).all()
    recent = db.session.execute(mine.where(Training.status == DONE, Training.held_on <= today,
                                           Attendee.status == SIGNED)  # attended: not 缺席 or 请假
                                .order_by(Training.held_on.desc()).limit(3)).all()
    year_start = date(today.year, 1, 1)
    hours = sum(t.hours for t in db.session.scalars(
        select(Training).join(Attendee, Attendee.training_id == Training.id).where(
            Attendee.employee_id == employee.id, Attendee.status == SIGNED, Training.status == DONE,
            Training.held_on >= year_start, Training.held_on <= today)))
    return {"upcoming": upcoming, "recent": recent, "hours": hours}


def missing_records(desk: Desk) -> Listing | None:
    """Held trainings (of the last year) with nobody signed in, or no report written."""
    if not can_record_trainings(desk.user):
        return None
    today = desk.today
    signed = select(Attendee.id).where(Attendee.training_id == Training.id, Attendee.status == SIGNED).exists()
    stmt = select(Training).where(Training.status == DONE, Training.held_on <= today,
                                  Training.held_on >= date(today.year - 1, today.month, 1),
                                  (~signed) | (func.length(Training.content) == 0))
    rows = db.session.scalars(stmt.order_by(Training.held_on.desc()).limit(SHOW)).all()
    total = db.session.scalar(select(func.count()).select_from(stmt.subquery()))
    return Listing(rows, total) if total else None

"""What the training templates (and the panels on position and employee pages) call."""
from datetime import datetime, timedelta

from markupsafe import Markup
from sqlalchemy import exists, select
from sqlalchemy.orm import selectinload

from app import clock
from app.extensions import db
from app.safe_html import select_options
from app.staff.models import Employee, staff_rows
from app.trainings.models import Attendee, SIGN_LABELS, Training
from app.trainings.records import employee_history


def trainings_for_position(position, limit=5):
    """Newest first, stopping at `limit`: walks the held_on index, not every attendee the
    position ever had."""
    attended = exists().where(Attendee.training_id == Training.id, Attendee.employee_id == Employee.id,
                              Employee.position_id == position.id)
    return list(db.session.scalars(select(Training).where(attended)
                                   .order_by(Training.held_on.desc(), Training.id.desc()).limit(limit)
                                   .options(selectinload(Training.category))))


def signed_time(attendee, training):
    """The sign-in time; with its date when it was not the session's day (a sign-in
    recorded the next day must not read as if before the start)."""
    local = clock.to_local(attendee.signed_at)
    return local.strftime("%H:%M") if local.date() == training.held_on else local.strftime("%Y-%m-%d %H:%M")


def signin_time_given(attendee, training):
    """The sign-in time as a print-out may state it: only when the sign-in was recorded
    during the session (from half an hour before its start to its end). A status the
    clerk entered afterwards (10:16 after an 08:30–10:00 session) is no sign-in time."""
    if attendee.signed_at is None:
        return ""
    local = clock.to_local(attendee.signed_at).replace(tzinfo=None)
    start = datetime.combine(training.held_on, training.start_time) - timedelta(minutes=30)
    end = datetime.combine(training.held_on, training.end_time)
    return local.strftime("%H:%M") if start <= local <= end else ""


def employee_options() -> Markup:
    """The <option>s of the training page's attendee picker: every active employee by
    number, as "number name". Written here, not by a Jinja loop over hundreds of employees
    (staff_rows: plain rows)."""
    return select_options((e.id, f"{e.employee_no} {e.name}") for e in staff_rows())


TEMPLATE_GLOBALS = {"training_history": employee_history, "trainings_for_position": trainings_for_position,
                    "sign_labels": SIGN_LABELS, "signed_time": signed_time, "signin_time_given": signin_time_given}

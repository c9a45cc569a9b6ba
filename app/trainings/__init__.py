from flask import Blueprint

bp = Blueprint("trainings", __name__, url_prefix="/trainings")

from app.trainings import routes  # noqa: E402,F401
from app.handbook import POSITION_PANELS  # noqa: E402
from app.staff import STAFF_PANELS  # noqa: E402

STAFF_PANELS.append("trainings/_employee_panel.html")
POSITION_PANELS.append("trainings/_position_panel.html")


@bp.app_context_processor
def _helpers():
    def training_history(employee):
        from app.trainings.records import employee_history

        return employee_history(employee)

    def trainings_for_position(position, limit=5):
        from sqlalchemy import select

        from app.extensions import db
        from app.staff.models import Employee
        from app.trainings.models import Attendee, Training

        from sqlalchemy import exists
        from sqlalchemy.orm import selectinload

        # Newest first, stopping at `limit`: walks the held_on index, not every attendee
        # the position ever had.
        attended = exists().where(Attendee.training_id == Training.id, Attendee.employee_id == Employee.id,
                                  Employee.position_id == position.id)
        return list(db.session.scalars(select(Training).where(attended)
                                       .order_by(Training.held_on.desc(), Training.id.desc()).limit(limit)
                                       .options(selectinload(Training.category))))

    from app.trainings.models import SIGN_LABELS

    def signed_time(attendee, training):
        """The sign-in time; with its date when it was not the session's day (a sign-in
        recorded the next day must not read as if before the start)."""
        from app import clock

        local = clock.to_local(attendee.signed_at)
        return local.strftime("%H:%M") if local.date() == training.held_on else local.strftime("%Y-%m-%d %H:%M")

    def signin_time_given(attendee, training):
        """The sign-in time as a print-out may state it: only when the sign-in was recorded
        during the session (from half an hour before its start to its end). A status the
        clerk entered afterwards (10:16 after an 08:30–10:00 session) is no sign-in time."""
        from datetime import datetime, timedelta

        from app import clock

        if attendee.signed_at is None:
            return ""
        local = clock.to_local(attendee.signed_at).replace(tzinfo=None)
        start = datetime.combine(training.held_on, training.start_time) - timedelta(minutes=30)
        end = datetime.combine(training.held_on, training.end_time)
        return local.strftime("%H:%M") if start <= local <= end else ""

    return {"training_history": training_history, "trainings_for_position": trainings_for_position,
            "sign_labels": SIGN_LABELS, "signed_time": signed_time, "signin_time_given": signin_time_given}

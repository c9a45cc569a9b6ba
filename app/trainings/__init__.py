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

        ids = select(Attendee.training_id).join(Employee, Attendee.employee_id == Employee.id).where(
            Employee.position_id == position.id)
        from sqlalchemy.orm import selectinload

        return list(db.session.scalars(select(Training).where(Training.id.in_(ids))
                                       .order_by(Training.held_on.desc()).limit(limit)
                                       .options(selectinload(Training.category))))

    from app.trainings.models import SIGN_LABELS

    return {"training_history": training_history, "trainings_for_position": trainings_for_position,
            "sign_labels": SIGN_LABELS}

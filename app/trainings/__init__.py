from flask import Blueprint

bp = Blueprint("trainings", __name__, url_prefix="/trainings")

from app.trainings import routes  # noqa: E402,F401
from app.staff import STAFF_PANELS  # noqa: E402

STAFF_PANELS.append("trainings/_employee_panel.html")


@bp.app_context_processor
def _helpers():
    def training_history(employee):
        from app.trainings.records import employee_history

        return employee_history(employee)

    from app.trainings.models import SIGN_LABELS

    return {"training_history": training_history, "sign_labels": SIGN_LABELS}

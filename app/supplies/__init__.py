from flask import Blueprint

bp = Blueprint("supplies", __name__, url_prefix="/supplies")

from app.supplies import routes  # noqa: E402,F401


@bp.app_context_processor
def _low_stock_badge():
    """Number of active items below their minimum, for the navigation badge."""
    def supplies_low_count():
        from flask_login import current_user

        from app.permissions import can_issue_supplies
        from app.supplies.stock import below_minimum

        if not can_issue_supplies(current_user):
            return 0
        return len(below_minimum())

    return {"supplies_low_count": supplies_low_count}

from flask import Blueprint

bp = Blueprint("supplies", __name__, url_prefix="/supplies")

from app.supplies import routes  # noqa: E402,F401
from app.handbook import POSITION_PANELS  # noqa: E402
from app.staff import STAFF_PANELS  # noqa: E402

POSITION_PANELS.append("supplies/_position_panel.html")
STAFF_PANELS.append("supplies/_employee_panel.html")


@bp.app_context_processor
def _low_stock_badge():
    """Number of active items below their minimum, for the navigation badge."""
    def supplies_low_count():
        from flask_login import current_user

        from app.permissions import can_issue_supplies
        from flask import g

        from app.supplies.stock import below_minimum_count

        if not can_issue_supplies(current_user):
            return 0
        if "_low_stock" not in g:  # once per request, however often the template asks
            g._low_stock = below_minimum_count()
        return g._low_stock

    def entitlements_for(position):
        from sqlalchemy import select

        from app.extensions import db
        from app.supplies.models import Entitlement

        return list(db.session.scalars(select(Entitlement).where(
            Entitlement.position_id == position.id, Entitlement.active.is_(True))))

    from app.supplies.entitlements import PERIOD_LABELS

    return {"supplies_low_count": supplies_low_count, "entitlements_for": entitlements_for,
            "entitlement_periods": PERIOD_LABELS}

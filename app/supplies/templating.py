"""What the supplies templates and the navigation call."""
from markupsafe import Markup
from sqlalchemy import select

from app.extensions import db
from app.permissions import can_issue_supplies
from app.safe_html import select_options
from app.supplies.entitlements import PERIOD_LABELS
from app.supplies.models import Entitlement
from app.supplies.requisitions import STATUS_LABELS
from app.supplies.stock import below_minimum_count


def low_stock_badge(user) -> tuple[int, str] | None:
    """Active items below their minimum, for the issuing clerks' navigation badge."""
    if not can_issue_supplies(user):
        return None
    n = below_minimum_count()
    return (n, f"{n} 种物品低于最低库存") if n else None


def staff_options(employees, selected) -> Markup:
    """The <option>s of the issuing pickers (领用人, 退回人): staff_rows as "number name（position）"."""
    return select_options(((e.id, f"{e.employee_no} {e.name}" + (f"（{e.title}）" if e.title else ""))
                           for e in employees), selected)


def entitlements_for(position):
    return list(db.session.scalars(select(Entitlement).where(
        Entitlement.position_id == position.id, Entitlement.active.is_(True))))


TEMPLATE_GLOBALS = {"entitlements_for": entitlements_for, "staff_options": staff_options, "entitlement_periods": PERIOD_LABELS,
                    "requisition_status_labels": STATUS_LABELS}

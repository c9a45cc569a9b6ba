"""What is due for 检定/校准: the filterable list (within 30/60/90 days, expired), the
workspace blocks of the responsible person and of the equipment managers, and the nightly
notices, once per item, due date and threshold (90 / 60 / 30 days, expired)."""
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select

from app.auth.models import User
from app.equipment.models import CATEGORIES
from app.equipment.rules import Due, EXPIRED, FAILED, MISSING, due_list, sees_workshop
from app.extensions import db
from app.notices.rules import account_of, notify, url_for
from app.parts import WorkspaceBlock

WINDOWS = (30, 60, 90)
THRESHOLDS = (30, 60, 90)  # days before the due date a notice goes out
WS_SHOW = 5
THRESHOLD_WORDS = {"expired": "已过期", 30: "30 天内到期", 60: "60 天内到期", 90: "90 天内到期"}


def filtered(today: date, within: int = 30, only: str = "", category: str = "",
             responsible_id: int | None = None) -> list[Due]:
    """The due list (register.due_list) narrowed: `only` "expired" (expired or failed) or
    "soon" (not yet expired), a category, a responsible person."""
    rows = due_list(today, within, responsible_id)
    if category in CATEGORIES:
        rows = [r for r in rows if r.item.category == category]
    if only == "expired":
        rows = [r for r in rows if r.state in (EXPIRED, FAILED)]
    elif only == "soon":
        rows = [r for r in rows if r.state not in (EXPIRED, FAILED, MISSING)]
    return rows


def threshold(d: Due):
    """The notice threshold this item has reached: "expired", 30, 60, 90, or None."""
    if d.state in (EXPIRED, FAILED):
        return "expired"
    if d.days is None:
        return None
    return next((t for t in THRESHOLDS if d.days <= t), None)


def managers() -> list[User]:
    return list(db.session.scalars(select(User).where(User.active.is_(True), User.can_manage_equipment.is_(True))))


def send_notices(now: datetime) -> int:
    """Notices of verifications due within 90 days or expired, to the item's responsible
    person and the equipment managers; once per item, due date and threshold (a new
    verification moves the due date and starts again). Returns how many were new."""
    made = 0
    keepers = managers()
    for d in due_list(now.date(), max(THRESHOLDS)):
        t = threshold(d)
        if t is None:
            continue
        item = d.item
        if t == "expired":
            text = f"{item.asset_no} {item.name} 的检定/校准已过期（有效期至 {item.verification_due:%Y-%m-%d}），请停止作为计量器具使用并尽快送检。" \
                if d.state == EXPIRED else f"{item.asset_no} {item.name} 的检定/校准结论为不合格，请送修或重新检定。"
        else:
            text = f"{item.asset_no} {item.name} 的检定/校准将于 {item.verification_due:%Y-%m-%d} 到期（{d.days} 天后），请安排送检。"
        who = [account_of(item.responsible)] + keepers
        made += notify(who, f"verify:{item.id}:{item.verification_due}:{t}", "equipment", text,
                       url_for("equipment.item", item_id=item.id) + "#verifications",
                       push=f"【检定到期】{text}")
    return made


# --- workspace blocks ----------------------------------------------------------------------

@dataclass
class DueBlock:
    rows: list
    total: int
    expired: int
    mine: bool  # the responsible person's own items (else the whole workshop's)

    def __bool__(self) -> bool:
        return self.total > 0


def _block(desk, responsible_id):
    rows = due_list(desk.today, 30, responsible_id, people=False)  # the block names no one
    rows = [r for r in rows if r.state != MISSING or responsible_id is None]
    if not rows:
        return None
    return DueBlock(rows[:WS_SHOW], len(rows), sum(r.state in (EXPIRED, FAILED) for r in rows),
                    responsible_id is not None)


def mine(desk):
    """The verifications due within 30 days (or expired) of the items I am responsible
    for; none for an equipment manager or whoever oversees them, who see the workshop's block."""
    if desk.employee is None or sees_workshop(desk.user):
        return None
    return _block(desk, desk.employee.id)


def workshop(desk):
    """Every verification due within 30 days or expired, for the equipment managers and
    whoever oversees them."""
    if not sees_workshop(desk.user):
        return None
    return _block(desk, None)


WORKSPACE_BLOCKS = (
    WorkspaceBlock("equipment.verify_due_mine", "equipment/_ws_verify_due.html", mine, order=60, card="todo"),
    WorkspaceBlock("equipment.verify_due_all", "equipment/_ws_verify_due.html", workshop, order=60, card="todo"),
)

"""The register's rules: entering and editing an item, changing its state, recording a
verification, and what is due. Plain functions: they validate, write, flush and record
the audit entry; the route commits (or rolls back on Refused)."""
import calendar
from dataclasses import dataclass
from datetime import date, timedelta

from flask import g
from sqlalchemy import bindparam, func, or_, select
from sqlalchemy.orm import selectinload

from app import clock, uploads
from app.audit.log import record
from app.auth.models import User
from app.equipment.models import (CATEGORIES, COUNT_OPEN, IN_USE, RESULTS, SCRAPPED, STATES, Count, Equipment,
                                  EquipmentEvent, Verification)
from app.database import statement
from app.extensions import db
from app.permissions import sees_workshop_equipment
from app.staff.models import Employee

SUB = "equipment"  # upload folder of the certificate scans
WARN_DAYS = 30  # a verification due within this many days shows as 即将到期


class Refused(ValueError):
    """A change the register refuses; `field` names the form field the message goes beside."""

    def __init__(self, message: str, field: str | None = None, status: int = 422):
        super().__init__(message)
        self.field, self.status = field, status

    @property
    def problems(self) -> dict:
        """Field → message of everything refused (one here; loans.FormRefused: all of a form)."""
        return {self.field: str(self)}


def add_months(d: date, months: int) -> date:
    """The same day `months` later, clamped to the month's end (31 Jan + 1 → 28/29 Feb)."""
    y, m = divmod(d.month - 1 + months, 12)
    year, month = d.year + y, m + 1
    return d.replace(year=year, month=month, day=min(d.day, calendar.monthrange(year, month)[1]))


def _due(item: Equipment) -> date | None:
    """The next due date kept on the item: the last verification plus the cycle; a failed
    verification leaves the item due from its date on (it is not valid)."""
    if not item.needs_verification or item.last_verified_on is None or not item.verify_months:
        return None
    if item.last_result == "fail":
        return item.last_verified_on
    return add_months(item.last_verified_on, item.verify_months)


def _asset_taken(asset_no: str, own_id: int | None = None) -> bool:
    stmt = select(Equipment.id).where(func.lower(Equipment.asset_no) == asset_no.lower())
    if own_id is not None:
        stmt = stmt.where(Equipment.id != own_id)
    return db.session.scalar(stmt.limit(1)) is not None


FIELD_LABELS = {"asset_no": "资产编号", "name": "名称", "category": "类别", "model": "型号", "maker": "生产厂家",
                "serial_no": "出厂编号", "location": "位置", "quantity": "数量", "responsible": "负责人",
                "purchased_on": "购置日期", "needs_verification": "需要检定", "verify_months": "检定周期",
                "notes": "备注"}


def _apply(item: Equipment, data: dict) -> None:
    asset_no = (data.get("asset_no") or "").strip()
    name = (data.get("name") or "").strip()
    if not asset_no:
        raise Refused("请填写资产编号。", "asset_no")
    if _asset_taken(asset_no, item.id):
        raise Refused(f"资产编号 {asset_no} 已被其他设备使用（不区分大小写）。", "asset_no", 409)
    if not name:
        raise Refused("请填写名称。", "name")
    if data.get("category") not in CATEGORIES:
        raise Refused("请选择类别。", "category")
    if data.get("purchased_on") and data["purchased_on"] > clock.local_now().date():
        raise Refused("购置日期不能晚于今天。", "purchased_on")
    quantity = data.get("quantity") or 1
    if not 1 <= quantity <= 9999:
        raise Refused("数量应在1到9999之间。", "quantity")
    months = data.get("verify_months")
    if data.get("needs_verification") and not months:
        raise Refused("需要检定/校准的设备请填写周期（月）。", "verify_months")
    if months is not None and not 1 <= months <= 120:
        raise Refused("周期应在1到120个月之间。", "verify_months")
    responsible_id = data.get("responsible_id") or None
    if responsible_id is not None and db.session.get(Employee, responsible_id) is None:
        raise Refused("负责人不存在。", "responsible_id")
    item.asset_no, item.name = asset_no, name
    for key in ("category", "model", "maker", "serial_no", "location", "notes"):
        setattr(item, key, (data.get(key) or "").strip())
    item.quantity = quantity
    item.responsible_id = responsible_id
    item.purchased_on = data.get("purchased_on")
    item.needs_verification = bool(data.get("needs_verification"))
    item.verify_months = months if item.needs_verification else None
    item.verification_due = _due(item)


def _counting(location: str, category: str) -> list[Count]:
    """The open counts whose list an item at this location and of this category belongs to."""
    scopes = [(Count.scope == "category") & (Count.scope_value == category)]
    if location:
        scopes.append((Count.scope == "location") & (Count.scope_value == location))
    return list(db.session.scalars(select(Count).where(Count.status == COUNT_OPEN, or_(*scopes)).order_by(Count.id)))


def counting_for(item: Equipment) -> list[Count]:
    """The open counts listing the item where the register puts it (the edit form says so)."""
    return _counting(item.location, item.category)


# what a count compares with what it finds: frozen while one runs (盘点期间台账冻结)
FROZEN = {"location": "位置", "category": "类别", "quantity": "数量"}


def frozen_problem(location: str, category: str, quantity: int, data: dict) -> tuple[str, str] | None:
    """(field, message) when `data` changes the location, category or quantity of an item
    (now at `location`, of `category`, `quantity` pieces) that an open count lists, or moves
    it into one: the count compares the shelf with what the register said when it began,
    and its close writes the corrections (an item found elsewhere gets that location). None
    when nothing frozen changes or no count runs."""
    new = {"location": (data.get("location") or "").strip(), "category": data.get("category"),
           "quantity": data.get("quantity") or 1}
    changed = [k for k, old in (("location", location or ""), ("category", category), ("quantity", quantity))
               if new[k] != old]
    if not changed:
        return None
    counts = {c.id: c for c in _counting(location, category) + _counting(new["location"], new["category"])}
    if not counts:
        return None
    c = counts[min(counts)]
    what = "、".join(FROZEN[k] for k in changed)
    return changed[0], (f"盘点 #{c.id}（{c.scope_label}）正在进行，盘点期间不能修改设备的{what}。"
                        "如果东西已挪到别处，请在盘点中记“在别处”，结束盘点时台账会按盘点结果更正；"
                        "否则请在盘点结束后再修改。")


def create(data: dict, user) -> Equipment:
    today = clock.local_now().date()
    item = Equipment(state=IN_USE)
    _apply(item, data)
    item.state_since = item.purchased_on or today  # in use since it was bought, if known
    db.session.add(item)
    db.session.flush()
    db.session.add(EquipmentEvent(equipment_id=item.id, kind="created", happened_on=today, state_to=IN_USE,
                                  note="登记入账", user_id=getattr(user, "id", None)))
    db.session.flush()
    record("equipment_create", "equipment", item.id, summary=f"{item.asset_no} {item.name}", after=item.snapshot(),
           user=user)
    return item


def update(item: Equipment, data: dict, user) -> list[str]:
    """Edits the item's facts; returns the names of the fields that changed (none: nothing
    written). The item's history gets a row naming them, the audit log the values."""
    if item.state == SCRAPPED:
        raise Refused("该设备已报废，信息不能再修改。", None, 409)
    # locked (PostgreSQL) before the open counts are read: a count that starts meanwhile
    # locks the items it lists, so it waits and then lists the item as it is saved
    db.session.refresh(item, with_for_update=True)
    frozen = frozen_problem(item.location, item.category, item.quantity, data)
    if frozen:
        raise Refused(frozen[1], frozen[0], 409)
    before = item.snapshot()
    _apply(item, data)
    db.session.flush()
    db.session.refresh(item, ["responsible"])
    after = item.snapshot()
    changed = [k for k in after if before.get(k) != after.get(k)]
    if not changed:
        return []
    db.session.add(EquipmentEvent(equipment_id=item.id, kind="edit", happened_on=clock.local_now().date(),
                                  note="修改：" + "、".join(FIELD_LABELS.get(k, k) for k in changed),
                                  user_id=getattr(user, "id", None)))
    db.session.flush()
    record("equipment_update", "equipment", item.id, summary=f"{item.asset_no} {item.name}",
           before={k: before.get(k) for k in changed}, after={k: after[k] for k in changed}, user=user)
    return changed


def change_state(item: Equipment, state: str, on: date | None, reason: str, user) -> EquipmentEvent:
    """在用 / 维修中 / 停用 / 报废, with the reason and the date; a scrapped item stays
    scrapped (it is kept, never deleted, and never returns to use)."""
    reason = (reason or "").strip()
    if item.state == SCRAPPED:
        raise Refused("该设备已报废，状态不能再更改。", "state", 409)
    if state not in STATES:
        raise Refused("请选择状态。", "state")
    if state == item.state:
        raise Refused(f"该设备已是“{STATES[state]}”。", "state")
    if state == SCRAPPED and item.lent_qty:
        raise Refused(f"该设备尚有 {item.lent_qty} 件借出未还，归还后才能报废。", "state", 409)
    if state == SCRAPPED:
        db.session.flush()
        db.session.refresh(item, with_for_update=True)  # as update(): a count starting meanwhile waits
        counting = _counting(item.location, item.category)
        if counting:
            c = counting[0]
            raise Refused(f"盘点 #{c.id}（{c.scope_label}）正在进行，清单中有这件设备：请先在盘点中记录它，"
                          "结束盘点后再报废。", "state", 409)
    if on is None:
        raise Refused("请填写日期。", "on")
    if on > clock.local_now().date():
        raise Refused("日期不能晚于今天。", "on")
    if item.state_since and on < item.state_since:
        raise Refused(f"日期不能早于上次状态变更（{item.state_since:%Y-%m-%d}）。", "on")
    if not reason:
        raise Refused("请填写状态变更的原因。", "reason")
    if len(reason) > 500:
        raise Refused(f"原因最多500字（现有{len(reason)}字）。", "reason")
    event = EquipmentEvent(equipment_id=item.id, kind="state", happened_on=on, state_from=item.state,
                           state_to=state, note=reason, user_id=getattr(user, "id", None))
    db.session.add(event)
    before = {"state": STATES[item.state]}
    item.state, item.state_since = state, on
    db.session.flush()
    record("equipment_state", "equipment", item.id, summary=f"{item.asset_no} {item.name}：{STATES[state]}（{reason}）",
           before=before, after={"state": STATES[state], "reason": reason, "date": on}, user=user)
    return event


def discard(stored: list) -> None:
    uploads.discard(SUB, stored)


def record_verification(item: Equipment, data: dict, user, upload=None, stored: list | None = None) -> Verification:
    """A 检定/校准 with its certificate (and optionally its scan, stored here: `stored`
    collects what was written so that the caller can remove it on a rollback). The item's
    last date, result and next due date are kept in the same write."""
    on = data.get("verified_on")
    if item.state == SCRAPPED:
        raise Refused("该设备已报废，不能再登记检定/校准。", "verified_on", 409)
    if not item.needs_verification or not item.verify_months:
        raise Refused("该设备未设为需要检定/校准，请先在设备信息中设定周期。", "verified_on")
    if on is None:
        raise Refused("请填写检定/校准日期。", "verified_on")
    if on > clock.local_now().date():
        raise Refused("检定/校准日期不能晚于今天。", "verified_on")
    if data.get("result") not in RESULTS:
        raise Refused("请选择结论。", "result")
    cert_no = (data.get("cert_no") or "").strip()
    if not cert_no:
        raise Refused("请填写证书编号。", "cert_no")
    v = Verification(equipment_id=item.id, verified_on=on, body=(data.get("body") or "").strip(), cert_no=cert_no,
                     result=data["result"], valid_until=on if data["result"] == "fail" else add_months(on, item.verify_months),
                     user_id=getattr(user, "id", None))
    if upload is not None and getattr(upload, "filename", ""):
        v.scan_key, v.scan_kind, v.scan_name, written = uploads.store_scan(upload, SUB)
        if stored is not None:
            stored.extend(written)
    db.session.add(v)
    if item.last_verified_on is None or on >= item.last_verified_on:
        item.last_verified_on, item.last_result = on, v.result
        item.verification_due = _due(item)
    db.session.add(EquipmentEvent(equipment_id=item.id, kind="verification", happened_on=on,
                                  note=f"{RESULTS[v.result]} · 证书 {v.cert_no}" + (f" · {v.body}" if v.body else ""),
                                  user_id=getattr(user, "id", None)))
    db.session.flush()
    record("equipment_verification", "equipment", item.id,
           summary=f"{item.asset_no} {item.name} 检定/校准 {on:%Y-%m-%d}（{RESULTS[v.result]}）",
           after={"verified_on": on, "number": v.cert_no, "issuer": v.body, "result": RESULTS[v.result],
                  "expires_on": v.valid_until, "scan": v.scan_name or None}, user=user)
    return v


# --- what is due ----------------------------------------------------------------------------

EXPIRED, FAILED, SOON, VALID, MISSING = "expired", "failed", "soon", "valid", "missing"
VERIFY_LABELS = {EXPIRED: "检定已过期", FAILED: "检定不合格", SOON: "检定即将到期", VALID: "检定有效",
                 MISSING: "检定未登记"}
VERIFY_CLASSES = {EXPIRED: "cv-expired", FAILED: "cv-expired", SOON: "cv-soon", VALID: "cv-done",
                  MISSING: "cv-missing"}


def verification_state(item: Equipment, today: date) -> str | None:
    """For an item that needs verification: expired / failed / soon (within WARN_DAYS) /
    valid / missing (never recorded); None otherwise (and for a scrapped item)."""
    if not item.needs_verification or item.state == SCRAPPED:
        return None
    if item.verification_due is None:
        return MISSING
    if item.last_result == "fail":
        return FAILED
    if item.verification_due < today:
        return EXPIRED
    if (item.verification_due - today).days <= WARN_DAYS:
        return SOON
    return VALID


@dataclass
class Due:
    item: Equipment
    state: str
    days: int | None  # days until due (negative: overdue), None when never verified


def due_list(today: date, within: int = 30, responsible_id: int | None = None, people: bool = True) -> list[Due]:
    """Items never verified first, then those whose verification has expired or falls due
    within `within` days, soonest first; one query (and one for the responsible people,
    unless `people` is False)."""
    out = []
    for item in db.session.scalars(_to_verify(people, responsible_id is not None),
                                   {"horizon": today + timedelta(days=within), "responsible": responsible_id}):
        days = (item.verification_due - today).days if item.verification_due else None
        out.append(Due(item, verification_state(item, today), days))
    return out


@statement
def _to_verify(people: bool, of_one_person: bool):
    stmt = (select(Equipment)
            .where(Equipment.needs_verification.is_(True), Equipment.state != SCRAPPED,
                   Equipment.verification_due.is_(None) | (Equipment.verification_due <= bindparam("horizon")))
            .order_by(Equipment.verification_due.is_not(None), Equipment.verification_due, Equipment.asset_no))
    if people:
        stmt = stmt.options(selectinload(Equipment.responsible))
    if of_one_person:
        stmt = stmt.where(Equipment.responsible_id == bindparam("responsible"))
    return stmt


# --- who is shown the workshop's equipment -------------------------------------------------

def sees_workshop(user) -> bool:
    """The workshop's blocks are his (permissions.sees_workshop_equipment)."""
    return sees_workshop_equipment(user, _keepers_positions)


def _keepers_positions() -> set[int]:
    """The positions of the active employees whose accounts keep the register (per request)."""
    if "_equipment_keepers_positions" not in g:
        g._equipment_keepers_positions = set(db.session.scalars(_keepers()))
    return g._equipment_keepers_positions


@statement
def _keepers():
    return (select(Employee.position_id).join(User, User.employee_id == Employee.id)
            .where(User.can_manage_equipment.is_(True), User.active.is_(True), Employee.active.is_(True),
                   Employee.position_id.is_not(None)).distinct())

"""故障报修: anyone reports a fault on an item (description, photos); the item goes to
维修中 and shows 故障 everywhere until the responsible person (or an equipment manager)
records the repair — who repaired it, when, the cost, the parts, the result — and returns
it to 在用, or scraps it (the register's state rule). Also the item's photo. Plain
functions: they validate, write, flush and record the audit entry; the route commits."""
from datetime import date

from sqlalchemy import or_, select, update

from app import clock, uploads
from app.audit.log import record
from app.equipment.rules import change_state
from app.equipment.models import (FAULT_CLOSED, FAULT_OPEN, IN_USE, REPAIR, SCRAPPED, STATES, Equipment,
                                  EquipmentEvent, EquipmentPhoto, Fault, FaultPhoto)
from app.equipment.rules import Refused
from app.extensions import db
from app.equipment.due import managers
from app.notices.rules import account_of, notify, url_for

SUB = "equipment"  # upload folder (as the certificate scans)
MAX_PHOTOS = 6
OUTCOMES = {IN_USE: "恢复在用", SCRAPPED: "报废"}

AUDIT_LABELS = {
    "equipment_fault_report": "设备故障报修",
    "equipment_fault_repair": "设备维修记录",
    "equipment_photo": "设备照片",
}


def _images(files) -> list:
    """The uploaded photos decoded and checked (nothing stored yet); UploadError names the
    bad one."""
    files = [f for f in (files or []) if f is not None and getattr(f, "filename", "")]
    if len(files) > MAX_PHOTOS:
        raise Refused(f"最多上传 {MAX_PHOTOS} 张照片。", "photos")
    out = []
    for n, f in enumerate(files, start=1):
        try:
            out.append(uploads.open_image(f.read()))
        except uploads.UploadError as exc:
            raise Refused(f"第 {n} 张照片：{exc}", "photos") from None
    return out


def _store(images, stored: list) -> list:
    kept = []
    for img in images:
        s = uploads.save_image(img, SUB)
        stored.append(s.key)
        kept.append(s)
    return kept


def discard(stored: list) -> None:
    for key in stored:
        uploads.remove_image(SUB, key)


def _count_open(item: Equipment, step: int) -> None:
    """The item's open faults, counted in one UPDATE (two reports at once count two)."""
    db.session.flush()
    db.session.execute(update(Equipment).where(Equipment.id == item.id)
                       .values(open_faults=Equipment.open_faults + step).execution_options(synchronize_session=False))
    db.session.refresh(item, ["open_faults"])


def report(item: Equipment, description: str, user, files=(), stored: list | None = None,
           check_item_id: int | None = None, check_period: str = "") -> Fault:
    """A fault on the item. An item in use goes to 维修中 (a state change in its
    history); one already under repair or stopped keeps its state. `stored` collects the
    photos written, for the caller to remove on a rollback."""
    stored = stored if stored is not None else []
    description = (description or "").strip()
    if item.state == SCRAPPED:
        raise Refused("该设备已报废，不能再报修。", "description", 409)
    if not description:
        raise Refused("请描述故障现象。", "description")
    if len(description) > 1000:
        raise Refused(f"故障描述最多1000字（现有{len(description)}字）。", "description")
    images = _images(files)
    today = clock.local_now().date()
    fault = Fault(equipment_id=item.id, description=description, state=FAULT_OPEN, reported_on=today,
                  reported_by_id=getattr(user, "id", None), check_item_id=check_item_id,
                  check_period=(check_period or "")[:12])
    db.session.add(fault)
    db.session.flush()
    for s in _store(images, stored):
        db.session.add(FaultPhoto(fault_id=fault.id, file_key=s.key, width=s.width, height=s.height))
    _count_open(item, +1)
    db.session.add(EquipmentEvent(equipment_id=item.id, kind="fault", happened_on=today,
                                  note=f"报修 #{fault.id}：{description[:200]}", user_id=getattr(user, "id", None)))
    if item.state == IN_USE:
        on = max(today, item.state_since or today)
        change_state(item, REPAIR, on, f"故障报修 #{fault.id}", user)
    db.session.flush()
    record("equipment_fault_report", "equipment", item.id, summary=f"{item.asset_no} {item.name} 报修：{description[:80]}",
           after={"fault": fault.id, "description": description, "photos": len(images),
                  **({"check": f"{check_item_id}:{check_period}"} if check_item_id else {})}, user=user)
    notify_report(item, fault)
    return fault


def repair(fault: Fault, data: dict, user) -> Fault:
    """The repair of an open fault: who repaired it, when (not before the report, not in
    the future), the cost (≥ 0) and parts, the result, and what becomes of the item
    (OUTCOMES). The item returns to 在用 once no other fault is open, or is scrapped."""
    item = fault.equipment
    if fault.state != FAULT_OPEN:
        raise Refused("该报修已记录维修结果。", None, 409)
    by = (data.get("repaired_by") or "").strip()
    on: date | None = data.get("repaired_on")
    result = (data.get("result") or "").strip()
    parts = (data.get("parts") or "").strip()
    outcome = data.get("outcome")
    cost = data.get("cost")
    if not by:
        raise Refused("请填写维修人（本店人员或厂家、服务商）。", "repaired_by")
    if len(by) > 80:
        raise Refused("维修人最多80字。", "repaired_by")
    if on is None:
        raise Refused("请填写维修日期。", "repaired_on")
    if on > clock.local_now().date():
        raise Refused("维修日期不能晚于今天。", "repaired_on")
    if on < fault.reported_on:
        raise Refused(f"维修日期不能早于报修日期（{fault.reported_on:%Y-%m-%d}）。", "repaired_on")
    if cost is not None and (cost < 0 or cost > 10_000_000):
        raise Refused("费用应在0到10000000元之间。", "cost")
    if len(parts) > 500:
        raise Refused("更换配件最多500字。", "parts")
    if not result:
        raise Refused("请填写维修结果。", "result")
    if len(result) > 500:
        raise Refused("维修结果最多500字。", "result")
    if outcome not in OUTCOMES:
        raise Refused("请选择维修后设备的状态。", "outcome")
    # one UPDATE … WHERE state is open: of two people recording the repair at once, one does
    won = db.session.execute(update(Fault).where(Fault.id == fault.id, Fault.state == FAULT_OPEN)
                             .values(state=FAULT_CLOSED).execution_options(synchronize_session=False)).rowcount
    if not won:
        raise Refused("该报修刚刚已由他人记录维修结果，请刷新后查看。", None, 409)
    fault.repaired_by, fault.repaired_on, fault.cost, fault.parts, fault.result = by, on, cost, parts, result
    fault.outcome, fault.state = outcome, FAULT_CLOSED
    fault.closed_by_id, fault.closed_at = getattr(user, "id", None), clock.now_utc()
    _count_open(item, -1)
    note = f"#{fault.id} {by} 维修：{result}" + (f"；配件 {parts}" if parts else "") + \
        (f"；费用 {cost:g} 元" if cost is not None else "")
    db.session.add(EquipmentEvent(equipment_id=item.id, kind="repair", happened_on=on, note=note[:500],
                                  user_id=getattr(user, "id", None)))
    db.session.flush()
    if outcome == SCRAPPED and item.state != SCRAPPED:
        change_state(item, SCRAPPED, max(on, item.state_since or on), f"维修后报废（报修 #{fault.id}）：{result}"[:500], user)
    elif outcome == IN_USE and item.state == REPAIR and item.open_faults == 0:
        change_state(item, IN_USE, max(on, item.state_since or on), f"维修完成（报修 #{fault.id}）"[:500], user)
    record("equipment_fault_repair", "equipment", item.id, summary=f"{item.asset_no} {item.name} 维修：{result[:80]}",
           after={"fault": fault.id, "repaired_by": by, "repaired_on": on, "cost": cost, "parts": parts,
                  "result": result, "state": STATES[item.state]}, user=user)
    return fault


def faults_of(item: Equipment, limit: int = 200) -> list[Fault]:
    from sqlalchemy.orm import selectinload

    return list(db.session.scalars(select(Fault).filter_by(equipment_id=item.id)
                                   .options(selectinload(Fault.photos), selectinload(Fault.reported_by),
                                            selectinload(Fault.closed_by))
                                   .order_by(Fault.id.desc()).limit(limit)))


def open_faults(limit: int = 200) -> list[Fault]:
    from sqlalchemy.orm import selectinload

    return list(db.session.scalars(select(Fault).filter_by(state=FAULT_OPEN)
                                   .options(selectinload(Fault.equipment), selectinload(Fault.reported_by))
                                   .order_by(Fault.id.desc()).limit(limit)))


EARLIER_SHOWN = 5  # earlier reports named above a new report's form


def earlier_reports(item: Equipment, check_item_id: int | None = None, check_period: str = "") -> list[Fault]:
    """What a new report of `item` may duplicate, newest first: its open faults, and any
    fault (open or not) already reported from the same check occurrence (checklist item and
    period). One statement, bounded."""
    from sqlalchemy.orm import selectinload

    same_check = (Fault.check_item_id == check_item_id) & (Fault.check_period == check_period) \
        if check_item_id else None
    cond = Fault.state == FAULT_OPEN if same_check is None else or_(Fault.state == FAULT_OPEN, same_check)
    return list(db.session.scalars(select(Fault).where(Fault.equipment_id == item.id, cond)
                                   .options(selectinload(Fault.reported_by))
                                   .order_by(Fault.id.desc()).limit(EARLIER_SHOWN)))


def set_photo(item: Equipment, upload, user, stored: list) -> EquipmentPhoto:
    """The item's photo (earlier ones are kept as rows, the newest is shown)."""
    if item.state == SCRAPPED:
        raise Refused("该设备已报废，信息不能再修改。", "photo", 409)
    if upload is None or not getattr(upload, "filename", ""):
        raise Refused("请选择照片。", "photo")
    try:
        img = uploads.open_image(upload.read())
    except uploads.UploadError as exc:
        raise Refused(str(exc), "photo") from None
    s = _store([img], stored)[0]
    photo = EquipmentPhoto(equipment_id=item.id, file_key=s.key, user_id=getattr(user, "id", None))
    db.session.add(photo)
    item.photo_key = s.key
    db.session.add(EquipmentEvent(equipment_id=item.id, kind="photo", happened_on=clock.local_now().date(),
                                  note="更换设备照片" if db.session.scalar(
                                      select(EquipmentPhoto.id).filter_by(equipment_id=item.id).limit(1)) else "上传设备照片",
                                  user_id=getattr(user, "id", None)))
    db.session.flush()
    record("equipment_photo", "equipment", item.id, summary=f"{item.asset_no} {item.name} 照片", user=user)
    return photo


def notify_report(item: Equipment, fault: Fault) -> None:
    """The responsible person and the equipment managers hear of the fault, once."""
    notify([account_of(item.responsible)] + managers(), f"fault:{fault.id}", "equipment",
           f"{item.asset_no} {item.name} 报修：{fault.description[:100]}",
           url_for("equipment.item", item_id=item.id) + "#faults",
           push=f"【设备报修】{item.asset_no} {item.name}：{fault.description[:100]}")

"""Demo data of issue 25b (flask seed-demo, after the register's seed_equipment): the
lifts' daily 举升机班前检查 over the last weeks (each technician self-checked, 张伟
confirmed), JS-03's failed check two days ago with its open fault, a fault on JS-05
repaired last week, a photo of JS-01, and the verification notices. The verifications
due soon and expired are the register's (JC-02, JC-03)."""
import random
from datetime import datetime, timedelta

from sqlalchemy import select

from app import clock, uploads
from app.auth.models import User
from app.checklists.fields import Entry, Submission, store
from app.checklists.models import EQUIPMENT, ChecklistEvent, ChecklistItem, ChecklistMark
from app.checklists.occurrences import expand
import app.equipment.due as due
from app.equipment.models import (FAULT_CLOSED, FAULT_OPEN, IN_USE, REPAIR, Equipment, EquipmentEvent,
                                  EquipmentPhoto, Fault)
from app.extensions import db

DAYS = 31  # a month of the lifts' pre-use checks


def _picture(seed: int, size=(1200, 900)) -> bytes:
    """A demo JPEG (a coloured scene), made here: the register does not import app.demo."""
    import io

    from PIL import Image, ImageDraw

    rng = random.Random(seed)
    img = Image.new("RGB", size, (rng.randint(90, 160), rng.randint(90, 160), rng.randint(90, 160)))
    draw = ImageDraw.Draw(img)
    draw.rectangle((0, size[1] * 2 // 3, size[0], size[1]), fill=(80, 80, 90))  # the floor
    for x in (size[0] // 4, size[0] * 3 // 4):  # two posts of a lift
        draw.rectangle((x - 40, size[1] // 8, x + 40, size[1] * 2 // 3), fill=(30, 90, 160))
    out = io.BytesIO()
    img.save(out, "JPEG", quality=85)
    return out.getvalue()


def _utc(local: datetime) -> datetime:
    return clock.to_utc(local)


def _entries(item, failed: str = "") -> list[Entry]:
    out = []
    for f in item.fields:
        if f.active and f.kind == "yesno":
            out.append(Entry(f, number=0.0 if f.label == failed else 1.0, text="否" if f.label == failed else "是"))
    return out


def seed(fresh: bool) -> list[str]:
    if not fresh:
        return []
    item = next((i for i in db.session.scalars(select(ChecklistItem).where(ChecklistItem.target == EQUIPMENT,
                                                                            ChecklistItem.active.is_(True)))), None)
    lifts = {e.asset_no: e for e in db.session.scalars(select(Equipment).where(Equipment.category == "举升设备"))}
    manager = db.session.scalar(select(User).filter_by(username="zhangwei"))
    techs = [u for u in db.session.scalars(select(User).where(User.active.is_(True))) if
             u.employee is not None and item is not None and u.employee.position_id == item.position_id]
    if item is None or not lifts or manager is None or \
            db.session.scalar(select(ChecklistMark.id).filter_by(item_id=item.id).limit(1)):
        return []
    rng = random.Random(25)
    now = clock.local_now()
    today = now.date()
    clerk = db.session.scalar(select(User).filter_by(username="chenxy")) or manager
    reporter = techs[0] if techs else manager

    # JS-05: a fault 12 days ago, repaired two days later (its state history first: the
    # checks below skip the days it was under repair)
    js5 = lifts.get("JS-05")
    if js5 is not None:
        on, back = today - timedelta(days=12), today - timedelta(days=10)
        fault = Fault(equipment_id=js5.id, description="举升时左前支臂有异响，停止使用。", state=FAULT_CLOSED,
                      reported_by_id=reporter.id, reported_at=_utc(datetime.combine(on, datetime.min.time()) +
                                                                   timedelta(hours=8, minutes=20)),
                      reported_on=on, repaired_by="元征售后 刘工", repaired_on=back, cost=680.0,
                      parts="支臂滑块 ×2", result="更换支臂滑块，加注润滑脂，空载、满载试举正常。", outcome=IN_USE,
                      closed_by_id=manager.id, closed_at=_utc(datetime.combine(back, datetime.min.time()) +
                                                               timedelta(hours=16)))
        db.session.add(fault)
        db.session.flush()
        db.session.add_all([
            EquipmentEvent(equipment_id=js5.id, kind="fault", happened_on=on, note=f"报修 #{fault.id}：{fault.description}",
                           user_id=reporter.id),
            EquipmentEvent(equipment_id=js5.id, kind="state", happened_on=on, state_from=IN_USE, state_to=REPAIR,
                           note=f"故障报修 #{fault.id}", user_id=reporter.id),
            EquipmentEvent(equipment_id=js5.id, kind="repair", happened_on=back,
                           note=f"#{fault.id} 元征售后 刘工 维修：{fault.result}；配件 {fault.parts}；费用 680 元",
                           user_id=manager.id),
            EquipmentEvent(equipment_id=js5.id, kind="state", happened_on=back, state_from=REPAIR, state_to=IN_USE,
                           note=f"维修完成（报修 #{fault.id}）", user_id=manager.id)])
        js5.state_since = back
    db.session.flush()

    # the daily checks: each lift in use each day, self-checked by a technician and
    # confirmed by 张伟; today's are partly open, one waits for confirmation
    made = 0
    js3 = lifts.get("JS-03")
    failed_day = today - timedelta(days=2)
    for _, occ, sub in expand([item], today - timedelta(days=DAYS), today):
        if occ.due_at >= now and occ.due_date == today and rng.random() < 0.5:
            continue  # today's, not yet done
        if occ.due_date < today and rng.random() < 0.06:
            continue  # a day missed
        failed = js3 is not None and sub.id == js3.id and occ.due_date == failed_day
        tech = rng.choice(techs) if techs else manager
        self_at = datetime.combine(occ.due_date, datetime.min.time()) + timedelta(hours=7, minutes=rng.randint(50, 85))
        self_at = min(self_at, now - timedelta(minutes=5))
        pending = occ.due_date == today and rng.random() < 0.4
        mark = ChecklistMark(item_id=item.id, period_key=occ.period.key, subject_id=sub.id, due_at=occ.due_at,
                             done=not pending, self_by_id=tech.id, self_at=_utc(self_at),
                             self_note="液压缸渗油，已停用报修" if failed else "",
                             review="pending" if pending else "")
        selfcheck = ChecklistEvent(item_id=item.id, period_key=occ.period.key, subject_id=sub.id, action="selfcheck",
                                   user_id=tech.id, at=_utc(self_at), note=mark.self_note)
        db.session.add_all([mark, selfcheck])
        db.session.flush()
        store(Submission(_entries(item, "液压/气路无渗漏" if failed else "")), selfcheck.id, item.id, occ.period.key,
              [], sub.id)
        mark.values_event_id = selfcheck.id
        if not pending:
            at = min(self_at + timedelta(minutes=rng.randint(10, 60)), now - timedelta(minutes=1))
            mark.by_id, mark.at = manager.id, _utc(at)
            db.session.add(ChecklistEvent(item_id=item.id, period_key=occ.period.key, subject_id=sub.id,
                                          action="tick", user_id=manager.id, at=_utc(at)))
        made += 1
    db.session.flush()

    # JS-03's open fault, from that failed check (the register's demo put it under repair)
    if js3 is not None:
        fault = Fault(equipment_id=js3.id, description="班前检查：液压缸渗油，举升后缓慢下沉。已停用，等待厂家上门。",
                      state=FAULT_OPEN, reported_by_id=reporter.id,
                      reported_at=_utc(datetime.combine(failed_day, datetime.min.time()) + timedelta(hours=8)),
                      reported_on=failed_day, check_item_id=item.id, check_period=failed_day.isoformat())
        db.session.add(fault)
        db.session.flush()
        db.session.add(EquipmentEvent(equipment_id=js3.id, kind="fault", happened_on=failed_day,
                                      note=f"报修 #{fault.id}：{fault.description}", user_id=reporter.id))
        js3.open_faults = 1

    # a photo of JS-01
    js1 = lifts.get("JS-01")
    if js1 is not None:
        stored = uploads.store_image(_picture(2501), "equipment")
        db.session.add(EquipmentPhoto(equipment_id=js1.id, file_key=stored.key, user_id=clerk.id))
        js1.photo_key = stored.key
    db.session.flush()
    notices = due.send_notices(now)
    return [f"举升机班前检查（每台各一次）：{made} 次点检；3 号举升机班前检查发现渗油，报修中；"
            f"5 号举升机上周维修完毕；检定到期提醒 {notices} 条。"]

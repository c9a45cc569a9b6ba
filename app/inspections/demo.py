"""Demo data of the inspection part (flask seed-demo): three months of weekly workshop 5S
inspections by 张伟 with varying scores, their findings' actions for 何师傅 and 马超 (closed
with before/after photos, done and waiting for verification, open, overdue), a front-desk
inspection, and one 厂家审核自查 by 王建国.

Everything is written through the part's rules, at the moment of seeding; each record is
then dated as its story has it (an inspection at its day, an action assigned after it,
done and verified before its due date), with the history rows, audit records, photos and
notices of each step, so no page shows a step of November logged on the day of seeding."""
import io
import random
from datetime import datetime, time, timedelta

from sqlalchemy import or_, select, update

from app import clock
from app.audit.models import AuditEntry
from app.auth.models import User
from app.demo import demo_photo
from app.extensions import db
from app.inspections import actions, inspecting, schedules, scoring
from app.inspections import templates as tpl
from app.inspections.models import ActionEvent, Inspection, InspectionPhoto, InspectionTemplate
from app.notices.models import Notice
from app.staff.models import Employee

WEEKS = 13
NOTES = {"w1": "3号工位旧刹车片未回收", "w3": "废机油桶未盖盖", "w6": "借用登记本未填写", "w9": "黄小明未穿劳保鞋",
         "w2": "2号工位通道堆放轮胎", "w10": "东门灭火器压力偏低", "a1": "孙磊今年无培训记录", "a2": "10月安全培训缺签到表",
         "a5": "烟度计检定已过期", "a8": "车间5S问题有 2 项逾期未关闭", "f2": "周杰未佩戴工牌", "f6": "卫生间检查表漏签"}


class _Upload:
    def __init__(self, data: bytes):
        self.stream = io.BytesIO(data)
        self.filename = "photo.jpg"

    def read(self):
        return self.stream.read()


def _answer_all(insp, rng: random.Random, fail_rate: float, user, seed: int) -> None:
    for item in insp.version.items():
        kind = item["type"]
        bad = rng.random() < fail_rate
        if kind == "pass_fail":
            value = "fail" if bad else ("na" if rng.random() < 0.05 else "pass")
        elif kind == "yes_no":
            value = ("no" if item.get("good", "yes") == "yes" else "yes") if bad else item.get("good", "yes")
        elif kind == "score":
            value = str(rng.randint(item["min"], item["pass_min"] - 1) if bad
                        else rng.randint(item["pass_min"], item["max"]))
        else:
            t = item["target"]
            good = item.get("target_dir", "ge") == "ge"
            v = (t - rng.randint(1, 3)) if bad == good else (t + rng.randint(0, 2))
            value = f"{min(v, 100) if item.get('unit') == '%' else v:g}"  # a rate is at most 100 %
        failed = scoring.evaluate(item, value)[1]
        note = NOTES.get(item["key"], "现场发现问题，已告知当班人员") if failed else ""
        inspecting.answer(insp, item["key"], value, note, user)
        if failed and item.get("photo_on_fail"):
            inspecting.add_photo(insp, item["key"], _Upload(demo_photo(seed * 31 + len(insp.photos), (1200, 900))),
                                 user, [])


def _backdate(insp, when: datetime) -> None:
    """The inspection done at `when` (local): started 25 minutes before, its answers and
    photos in between, its audit records with them."""
    utc = clock.to_utc(when)
    insp.started_at = utc - timedelta(minutes=25)
    if insp.submitted_at:
        insp.submitted_at = utc
    answered = {a.item_key: insp.started_at + timedelta(minutes=1 + 20 * n // max(len(insp.answers), 1))
                for n, a in enumerate(insp.answers)}
    for a in insp.answers:
        a.at = answered[a.item_key]
    for p in insp.photos:
        if p.action_id is None:
            p.at = answered.get(p.item_key, insp.started_at)
    db.session.flush()
    audit = update(AuditEntry).where(AuditEntry.object_type == "inspection", AuditEntry.object_id == str(insp.id))
    db.session.execute(audit.where(AuditEntry.action == "inspection_start").values(at=insp.started_at))
    db.session.execute(audit.where(AuditEntry.action.in_(("inspection_answer", "inspection_photo")))
                       .values(at=insp.started_at + timedelta(minutes=12)))
    db.session.execute(audit.where(AuditEntry.action == "inspection_submit").values(at=utc))


STEP_AUDIT = {"assign": "inspection_action_assign", "done": "inspection_action_done", "close": "inspection_action_close"}


def _dated(action, step: str, when: datetime) -> None:
    """Dates the step just taken on the action at `when` (local): its history row, its audit
    record, the notice it sent, the after photo of a done, the close itself; the notices it
    answered count as read from then."""
    utc = clock.to_utc(when)
    db.session.flush()
    db.session.execute(update(ActionEvent).where(ActionEvent.action_id == action.id, ActionEvent.kind == step)
                       .values(at=utc))
    db.session.execute(update(AuditEntry).where(AuditEntry.object_type == "inspection_action",
                                                AuditEntry.object_id == str(action.id),
                                                AuditEntry.action == STEP_AUDIT[step]).values(at=utc))
    sent = {"assign": Notice.key == f"insp-action:{action.id}",
            "done": Notice.key.startswith(f"insp-action-done:{action.id}:")}.get(step)
    if sent is not None:
        db.session.execute(update(Notice).where(sent).values(created_at=utc))
    db.session.execute(update(Notice).where(or_(Notice.key == f"insp-action:{action.id}",
                                                Notice.key.startswith(f"insp-action-done:{action.id}:")),
                                            Notice.read_at > utc).values(read_at=utc))
    if step == "assign":
        action.created_at = utc
    elif step == "done":
        db.session.execute(update(InspectionPhoto).where(InspectionPhoto.action_id == action.id).values(at=utc))
    elif step == "close":
        action.closed_at = utc


def seed(fresh: bool) -> list[str]:
    if not fresh or db.session.scalar(select(Inspection.id).limit(1)):
        return []
    tpl.load_shipped()
    users = {u.username: u for u in db.session.scalars(select(User))}
    staff = {e.employee_no: e for e in db.session.scalars(select(Employee))}
    inspector, manager, front = users.get("zhangwei"), users.get("wangjg"), users.get("liuyang")
    if inspector is None or manager is None:
        return []
    templates = {t.key: t for t in db.session.scalars(select(InspectionTemplate))}
    areas = tpl.areas()
    rng = random.Random(26)
    today = clock.local_now().date()
    monday = today - timedelta(days=today.weekday())
    made, action_count = [], 0
    for week in range(WEEKS, 0, -1):
        day = monday - timedelta(weeks=week) + timedelta(days=rng.choice([0, 1, 2]))
        insp = inspecting.start(templates["workshop_5s"], areas["workshop"], inspector)
        fail_rate = 0.12 + 0.18 * abs(((week * 7) % 5) - 2) / 2 * rng.random()
        _answer_all(insp, rng, fail_rate, inspector, week)
        inspecting.submit(insp, inspector)
        _backdate(insp, datetime.combine(day, time(16, 20)))
        made.append(insp)
    db.session.flush()
    # the actions: the last five inspections' findings, to 何师傅 and 马超
    people = [staff["S012"], staff["S013"]] if "S012" in staff and "S013" in staff else []
    hesf = users.get("hesf")
    for n, insp in enumerate(made[-5:]):
        acts = []
        for finding in inspecting.findings(insp, []):
            day = clock.to_local(insp.submitted_at).date()
            who = people[len(acts) % 2] if people else None
            if who is None:
                break
            due = day + timedelta(days=3)
            a = actions.assign(insp, finding.item["key"], who.id, due, f"{finding.item['question'][:30]}：立即整改，完成后拍照上传",
                               inspector, today=day)
            _dated(a, "assign", datetime.combine(day, time(16, 40)) + timedelta(minutes=len(acts)))
            acts.append(a)
            action_count += 1
            older = n < 3
            if older or (n == 3 and len(acts) == 1):
                # done within the three days, the older ones verified the next morning
                doer = hesf if (who.employee_no == "S012" and hesf) else inspector
                actions.record_done(a, "已按要求整改完毕", _Upload(demo_photo(900 + a.id, (1200, 900))), doer, [])
                done_day = day + timedelta(days=1 if older else 2)
                _dated(a, "done", datetime.combine(done_day, time(10, 0)) + timedelta(minutes=rng.randint(0, 300)))
                if older:
                    actions.close(a, "现场复查合格", inspector)
                    _dated(a, "close", datetime.combine(done_day + timedelta(days=1), time(9, 30))
                           + timedelta(minutes=rng.randint(0, 90)))
    # a front-desk inspection and one brand-audit self-check
    front_insp = None
    if front is not None and "front_5s" in templates:
        front_insp = insp = inspecting.start(templates["front_5s"], areas["front_desk"], front)
        _answer_all(insp, rng, 0.2, front, 77)
        inspecting.submit(insp, front)
        _backdate(insp, datetime.combine(today - timedelta(days=4), time(10, 0)))
    audit = inspecting.start(templates["brand_audit"], areas["department"], manager)
    _answer_all(audit, rng, 0.25, manager, 88)
    inspecting.submit(audit, manager)
    _backdate(audit, datetime.combine(today - timedelta(days=6), time(15, 0)))
    for n, finding in enumerate(inspecting.findings(audit, [])[:2]):
        if "S003" in staff:
            a = actions.assign(audit, finding.item["key"], staff["S003"].id, today + timedelta(days=7),
                               "按厂家审核标准补齐记录并上传证明", manager)
            _dated(a, "assign", datetime.combine(today - timedelta(days=6), time(15, 30)) + timedelta(minutes=n))
            action_count += 1
    # the schedules (weekly workshop 5S for 张伟, monthly front desk): from now on; the
    # workshop's inspections above are of past weeks, the front desk's of this month ticks
    # its monthly item as its submit would have (none if it fell in the month before)
    planned = schedules.load()
    if front_insp is not None:
        schedules.tick_scheduled(front_insp, front)
    # a draft started today, to resume
    draft = inspecting.start(templates["workshop_5s"], areas["workshop"], inspector)
    first = draft.version.items()[0]
    inspecting.answer(draft, first["key"], "pass", "", inspector)
    db.session.flush()
    return [f"检查整改：{WEEKS} 次车间5S检查（每周一次，得分有高有低）、1 次前台5S检查、1 次厂家审核自查、"
            f"1 份草稿；{action_count} 项整改（已关闭、待验证、待整改、已逾期）；{planned} 项检查计划（点检表）。"]

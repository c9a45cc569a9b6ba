"""Training records: attendees and sign-in, assessments, files (photos, scans, materials)."""
import re
from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import case, event, func, select
from sqlalchemy.orm import Session

from app import clock
from app.audit.log import record, record_changes
from app.extensions import db
from app.notices import rules as notices
from app.staff.models import Employee
from app.trainings.models import (ABSENT, Attendee, LEAVE, MATERIAL, PENDING, PHOTO, PLANNED, SIGN_LABELS, SIGNED,
                                  SIGNIN_SCAN, Training, TrainingFile, hours_between)
from app.uploads import (UploadError, detect_material, display_name, material_name, path_for, remove_file, remove_image, store_file, store_image)

SUB = "trainings"
PASS_MARK = 60


class TrainingError(ValueError):
    pass


# --- the session ---------------------------------------------------------------------

MOVED_LABELS = (("held_on", "日期"), ("start", "开始时间"), ("place", "地点"))


def save_training(training: Training | None, form, user) -> Training:
    """Create (`training` None) or change a session from its checked form, with its audit
    record; a planned session whose day, time or place moved tells its attendees."""
    before = training.snapshot() if training else None
    t = training or Training(created_by_id=user.id)
    text = lambda field: (field.data or "").strip()  # noqa: E731  (absent fields are None)
    t.topic, t.category_id, t.held_on = text(form.topic), form.category_id.data, form.held_on.data
    t.start_time, t.end_time, t.place = form.start_time.data, form.end_time.data, text(form.place)
    t.trainer_employee_id = form.trainer_employee_id.data or None
    t.trainer_name = "" if t.trainer_employee_id else text(form.trainer_name)
    t.organiser, t.content, t.outcome = text(form.organiser), text(form.content), text(form.outcome)
    t.status = form.status.data
    if training is None:
        db.session.add(t)
        db.session.flush()
        record("training_create", "training", t.id, summary=t.topic, after=t.snapshot())
        return t
    db.session.flush()
    db.session.refresh(t)
    record_changes("training_update", "training", t.id, before, t.snapshot(), summary=t.topic)
    after = t.snapshot()
    moved = [label for key, label in MOVED_LABELS if before.get(key) != after.get(key)]
    if moved and t.status == PLANNED:
        notices.training_changed(t, "的" + "、".join(moved) + "有变更，请留意")
    return t


# --- attendees -----------------------------------------------------------------------

def _next_order(training: Training) -> int:
    return max((a.sort_order for a in training.attendees), default=0) + 1


def hired_after(training: Training, employee: Employee) -> bool:
    """The employee joined after the session: he could not have attended it."""
    return employee.hire_date is not None and employee.hire_date > training.held_on


def add_employees(training: Training, employees: list[Employee]) -> list[Attendee]:
    """Adds the active employees not yet on the list, but for those hired after the session."""
    have = {a.employee_id for a in training.attendees if a.employee_id}
    added = []
    for emp in employees:
        if emp.id in have or not emp.active or hired_after(training, emp):
            continue
        a = Attendee(employee_id=emp.id, name=emp.name, position_title=emp.position.title if emp.position else "",
                     sort_order=_next_order(training))
        training.attendees.append(a)
        have.add(emp.id)
        added.append(a)
    db.session.flush()
    if added:
        record("training_attendees", "training", training.id, summary=f"{training.topic}：加入 {len(added)} 人",
               after={"names": [a.name for a in added]})
        if training.status == PLANNED:
            notices.training_attendees_added(training, added)
    return added


def add_outside(training: Training, name: str, organisation: str = "") -> Attendee:
    name = name.strip()
    if not name:
        raise TrainingError("请填写姓名。")
    if len(name) > 60:
        raise TrainingError("姓名最多60字。")
    a = Attendee(name=name, position_title=organisation.strip()[:60] or "外部人员", sort_order=_next_order(training))
    training.attendees.append(a)
    db.session.flush()
    record("training_attendees", "training", training.id, summary=f"{training.topic}：加入外部人员 {name}")
    return a


def remove_attendee(attendee: Attendee) -> None:
    if attendee.status != PENDING or attendee.score:
        raise TrainingError("已有签到或考核记录的人员不能移除，可标记为缺席。")
    training = attendee.training
    record("training_attendees", "training", training.id, summary=f"{training.topic}：移除 {attendee.name}")
    db.session.delete(attendee)
    db.session.flush()


def leaver_off_planned(employee: Employee, by=None) -> list[str]:
    """Part.on_leave: someone who left is taken off the lists of the sessions still planned
    (from today on) where nothing is recorded for him yet (remove_attendee: audited), so
    their 应到 no longer counts him; said to whoever recorded the departure."""
    today = clock.local_now().date()
    planned = list(db.session.scalars(
        select(Attendee).join(Training, Training.id == Attendee.training_id)
        .where(Attendee.employee_id == employee.id, Training.status == PLANNED, Training.held_on >= today,
               Attendee.status == PENDING)))
    taken = []
    for a in planned:
        if not a.score:
            taken.append(a.training.topic)
            remove_attendee(a)
    if not taken:
        return []
    return [f"已将 {employee.name} 从 {len(taken)} 场计划中的培训名单中移除（{'、'.join(taken[:3])}{' 等' if len(taken) > 3 else ''}）。"]


def sign_in_open(training: Training) -> bool:
    """已签到 and 缺席 are recorded from the session's day on; 请假 may be given ahead."""
    return training.held_on <= clock.local_now().date()


def _refuse_before_the_day(training: Training) -> None:
    if not sign_in_open(training):
        raise TrainingError(f"培训在 {training.held_on:%Y-%m-%d} 举行，当天起才能登记签到或缺席；请假可提前登记。")


NOT_THERE = (ABSENT, LEAVE)  # marked so, an attendee has no assessment


def set_status(attendee: Attendee, status: str) -> None:
    if status not in SIGN_LABELS:
        raise TrainingError("无效的签到状态。")
    if status in (SIGNED, ABSENT):
        _refuse_before_the_day(attendee.training)
    before = {"status": SIGN_LABELS[attendee.status]}
    summary = f"{attendee.training.topic}：{attendee.name} {SIGN_LABELS[status]}"
    attendee.status = status
    attendee.signed_at = clock.now_utc() if status == SIGNED else None
    if status in NOT_THERE and (attendee.score or attendee.passed is not None):
        # who was not there has no result: it would count in the pass rate and be printed
        before.update(score=attendee.score, passed=attendee.passed)
        summary += f"（清除考核结果 {attendee.score or '—'}）"
        attendee.score, attendee.passed = "", None
    db.session.flush()
    record("training_signin", "training", attendee.training_id, summary=summary,
           before=before, after={"status": SIGN_LABELS[status]})


def sign_all(training: Training) -> int:
    """全部签到: every attendee not yet marked becomes 已签到, one record each."""
    _refuse_before_the_day(training)
    pending = [a for a in training.attendees if a.status == PENDING]
    for a in pending:
        set_status(a, SIGNED)
    return len(pending)


def parse_score(text: str) -> tuple[str, bool | None]:
    """'' -> no result; '合格'/'不合格'; a number 0..100 (pass at 60)."""
    text = (text or "").strip()
    if not text:
        return "", None
    if text in ("合格", "通过", "pass"):
        return "合格", True
    if text in ("不合格", "未通过", "fail"):
        return "不合格", False
    if re.fullmatch(r"\d{1,3}(\.\d)?", text) and 0 <= float(text) <= 100:
        return text, float(text) >= PASS_MARK
    raise TrainingError("考核结果请填写 0 到 100 的分数，或“合格”“不合格”。")


def set_assessment(attendee: Attendee, score_text: str, feedback: str) -> None:
    score, passed = parse_score(score_text)
    if score and attendee.status in NOT_THERE:
        raise TrainingError(f"{attendee.name} {SIGN_LABELS[attendee.status]}，未参加培训，不能登记考核结果。"
                            "如确实参加了，请先改为已签到。")
    if len(feedback or "") > 200:
        raise TrainingError("反馈最多200字。")
    attendee.score, attendee.passed, attendee.feedback = score, passed, (feedback or "").strip()
    db.session.flush()
    record("training_assess", "training", attendee.training_id,
           summary=f"{attendee.training.topic}：{attendee.name} 考核 {score or '—'}")


@dataclass
class Totals:
    expected: int
    signed: int
    leave: int
    absent: int
    pending: int
    assessed: int
    passed: int

    @property
    def pass_rate(self) -> float | None:
        return self.passed / self.assessed if self.assessed else None


def totals(training: Training) -> Totals:
    counts = defaultdict(int)
    for a in training.attendees:
        counts[a.status] += 1
    assessed = [a for a in training.attendees if a.passed is not None and a.status not in NOT_THERE]
    return Totals(len(training.attendees), counts[SIGNED], counts[LEAVE], counts[ABSENT], counts[PENDING],
                  len(assessed), sum(1 for a in assessed if a.passed))


def totals_for(training_ids) -> dict[int, Totals]:
    """totals() of many trainings from one grouped query, without loading attendees."""
    ids = list(training_ids)
    if not ids:
        return {}
    def n(condition):
        return func.sum(case((condition, 1), else_=0))
    rows = db.session.execute(
        select(Attendee.training_id, func.count(), n(Attendee.status == SIGNED), n(Attendee.status == LEAVE),
               n(Attendee.status == ABSENT), n(Attendee.status == PENDING),
               # a result kept from before its holder was marked absent does not count
               n(Attendee.passed.is_not(None) & Attendee.status.not_in(NOT_THERE)),
               n(Attendee.passed.is_(True) & Attendee.status.not_in(NOT_THERE)))
        .where(Attendee.training_id.in_(ids)).group_by(Attendee.training_id))
    out = {i: Totals(0, 0, 0, 0, 0, 0, 0) for i in ids}
    out.update({tid: Totals(*(int(v or 0) for v in rest)) for tid, *rest in rows})
    return out


# --- files ---------------------------------------------------------------------------

@dataclass
class UploadResult:
    name: str
    ok: bool
    message: str = ""


def upload(training: Training, files, kind: str, user) -> list[UploadResult]:
    """Store each file on its own: a refused file leaves no row and no file behind, and
    does not stop the others."""
    if kind not in (PHOTO, SIGNIN_SCAN, MATERIAL):
        raise TrainingError("无效的文件类别。")
    results = []
    order = max((f.sort_order for f in training.files if f.kind == kind), default=0)
    for storage in files:
        name = display_name(getattr(storage, "filename", None))
        data = storage.read()
        try:
            if kind == MATERIAL:
                stored = store_file(data, name, SUB)
                row = TrainingFile(kind=kind, key=stored.key, display_name=material_name(name, stored.kind)[:120],
                                   mime=stored.mime, size=stored.size)
            elif kind == SIGNIN_SCAN and data[:5] == b"%PDF-":
                # office copiers scan to PDF: checked by content (a whole PDF, not a page
                # dressed up as one), kept as handed in
                if detect_material(data, name) != "pdf":
                    raise UploadError("不是完整的 PDF 文件。")
                stored = store_file(data, name, SUB, kind="pdf")
                row = TrainingFile(kind=kind, key=stored.key, display_name=material_name(name, "pdf")[:120],
                                   mime=stored.mime, size=stored.size)
            else:
                try:
                    img = store_image(data, SUB)
                except UploadError as exc:
                    if kind == SIGNIN_SCAN and "不是图片" in str(exc):
                        raise UploadError("签到表扫描件应为图片（JPG、PNG、WebP）或 PDF。") from None
                    raise
                row = TrainingFile(kind=kind, key=img.key, display_name=name, size=img.size, width=img.width,
                                   height=img.height)
        except UploadError as exc:
            results.append(UploadResult(name, False, str(exc)))
            continue
        order += 1
        row.sort_order, row.uploaded_by_id = order, user.id
        training.files.append(row)
        try:
            db.session.flush()
        except Exception:
            _remove_stored(row)
            raise
        db.session.info.setdefault("uploaded_files", []).append(row)
        results.append(UploadResult(name, True))
    saved = [r.name for r in results if r.ok]
    if saved:
        record("training_upload", "training", training.id, summary=f"{training.topic}：上传 {len(saved)} 个文件",
               after={"files": saved, "kind": kind})
    return results


def _remove_stored(row: TrainingFile) -> None:
    if row.stored_as_file:
        remove_file(SUB, row.key)
    else:
        remove_image(SUB, row.key)


@event.listens_for(Session, "after_commit")
def _forget_uploads(session) -> None:
    """After a commit the files written in the transaction are referenced by rows."""
    session.info.pop("uploaded_files", None)


@event.listens_for(Session, "after_rollback")
def _remove_uploads(session) -> None:
    """After a rollback, delete the files written in the transaction: no orphans."""
    for row in session.info.pop("uploaded_files", []):
        _remove_stored(row)


CAPTION_MAX = 120


def set_caption(f: TrainingFile, caption: str, sort_order: int | None = None) -> None:
    """A file's caption (and place in the list); a caption too long is refused, never cut."""
    caption = (caption or "").strip()
    if len(caption) > CAPTION_MAX:
        raise TrainingError(f"说明最多 {CAPTION_MAX} 字（现为 {len(caption)} 字），未保存，请删减后再提交。")
    f.caption = caption
    if sort_order is not None:
        f.sort_order = sort_order
    record("training_file_caption", "training", f.training_id, summary=f"{f.display_name}：{f.caption}")


def soft_delete(f: TrainingFile, user) -> None:
    f.deleted_at, f.deleted_by_id = clock.now_utc(), user.id
    db.session.flush()
    record("training_file_delete", "training", f.training_id, summary=f"删除 {f.display_name}（可恢复）")


def restore(f: TrainingFile) -> None:
    f.deleted_at, f.deleted_by_id = None, None
    db.session.flush()
    record("training_file_restore", "training", f.training_id, summary=f"恢复 {f.display_name}")


def file_path(f: TrainingFile, size: str = "full") -> str:
    """Materials are stored as handed in ("<key>.bin"); photos and scans in three sizes."""
    if f.stored_as_file:
        return path_for(SUB, f"{f.key}.bin")
    return path_for(SUB, f"{f.key}-{size}.jpg")


# --- history -------------------------------------------------------------------------

SHOWN_HISTORY = 12  # sessions listed on an employee's page before 显示全部


def employee_history(employee: Employee, limit: int | None = SHOWN_HISTORY) -> dict:
    """The employee's sessions, newest first: the latest `limit` (None: all) as (Training,
    Attendee), how many there are, and his signed-in hours per year over all of them (read
    as times of day, not as sessions)."""
    mine = Attendee.employee_id == employee.id
    stmt = (select(Training, Attendee).join(Attendee, Attendee.training_id == Training.id).where(mine)
            .order_by(Training.held_on.desc(), Training.id.desc()))
    rows = db.session.execute(stmt if limit is None else stmt.limit(limit)).all()
    hours: dict[int, float] = defaultdict(float)
    total = 0
    for held_on, start, end, status in db.session.execute(
            select(Training.held_on, Training.start_time, Training.end_time, Attendee.status)
            .join(Attendee, Attendee.training_id == Training.id).where(mine)):
        total += 1
        if status == SIGNED:
            hours[held_on.year] += hours_between(start, end)
    return {"rows": rows, "total": total, "hours": dict(sorted(hours.items(), reverse=True))}


def years() -> list[int]:
    first = db.session.scalar(select(func.min(Training.held_on)))
    now = clock.local_now().year
    return list(range(now, (first.year if first else now) - 1, -1))

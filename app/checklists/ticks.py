"""Ticking and unticking: records with who, when and a note; an untick is a record too.

自查 / 核查: the holder of a position self-checks their item (点检人); the supervisor then
confirms it — that is the tick (确认人) — or returns it with a note, and the holder can
redo it. Every step is an event; the mark keeps the latest state of both steps.
"""
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from app import clock
from app.audit.log import record
from app.checklists.fields import Submission, active_fields, anomalies, display, store, values_for
from app.checklists.models import ChecklistEvent, ChecklistItem, ChecklistMark
from app.checklists.schedule import Occurrence, is_late, occurrence, period_from_key, period_of
from app.checklists.targets import provider
from app.extensions import db
from app.notices import rules as notices
from app.permissions import may_self_check_subject
from app.staff.models import Employee, PositionTenure


class TickError(ValueError):
    """A tick that cannot be made; the message is shown to the user."""

    status = 422


class Conflict(TickError):
    """The step does not fit the mark's state (already confirmed, nothing to review)."""

    status = 409


def resolve(item: ChecklistItem, period_key: str) -> Occurrence:
    """The item's occurrence in the period named by key; refuses unknown or future periods
    and periods in which the item is not due."""
    try:
        period = period_from_key(item.kind, period_key)
    except (ValueError, TypeError):
        raise TickError("点检周期无效。") from None
    if period.key != period_key:
        raise TickError("点检周期无效。")
    now = clock.local_now()
    if period.start > period_of(item.kind, now.date()).start:
        raise TickError("不能勾选尚未开始的周期。")
    occ = occurrence(item.rule(), period, clock.workday_end(), clock.to_local(item.created_at))
    if occ is None:
        raise TickError("该项目在此周期无需点检。")
    return occ


def subject_of(item: ChecklistItem, occ: Occurrence, subject_id: int):
    """The employee whose occurrence this is (an item for each holder), or None (an item
    once for the position, subject 0). Refuses a subject that does not fit the period:
    someone who did not hold the position on the due date, or a person for an item that
    is once for the position. An item for each piece of equipment: the piece (a Subject),
    if it was in use on the due date."""
    if item.per_equipment(occ.period):
        if not subject_id:
            raise TickError("该项目每台设备各点检一次，请在设备一行操作。")
        p = provider()
        thing = p.subject_on(item, subject_id, occ.due_date) if p is not None else None
        if thing is None:
            raise TickError("该设备在此周期不在点检范围内（未登记、不在用或不属于此项目）。")
        return thing
    if not item.per_holder(occ.period):
        if subject_id:
            raise TickError("该项目本周期按岗位点检一次，不分人员。")
        return None
    if not subject_id:
        raise TickError("该项目每位在岗人员各点检一次，请在人员一行操作。")
    tenure = db.session.scalar(select(PositionTenure).where(
        PositionTenure.employee_id == subject_id, PositionTenure.position_id == item.position_id,
        PositionTenure.start <= occ.due_date,
        (PositionTenure.end.is_(None)) | (PositionTenure.end >= occ.due_date)).limit(1))
    if tenure is None:
        raise TickError("该员工在此周期不在本岗位，无需点检。")
    return db.session.get(Employee, subject_id)


def _label(item: ChecklistItem, occ: Occurrence, subject) -> str:
    who = f"（{subject.name}）" if subject is not None else ""
    return f"{item.position.title}「{item.title}」{who}{occ.period.label}"


def _mark(item_id: int, period_key: str, subject_id: int = 0) -> ChecklistMark | None:
    return db.session.scalar(select(ChecklistMark).filter_by(item_id=item_id, period_key=period_key,
                                                             subject_id=subject_id))


def _mark_for(item: ChecklistItem, period_key: str, occ: Occurrence, subject_id: int = 0) -> ChecklistMark:
    """The mark of this occurrence, created (once, whoever races) when missing."""
    mark = _mark(item.id, period_key, subject_id)
    if mark is None:
        mark = ChecklistMark(item_id=item.id, period_key=period_key, subject_id=subject_id, due_at=occ.due_at,
                             done=False)
        try:
            with db.session.begin_nested():
                db.session.add(mark)
        except IntegrityError:
            mark = _mark(item.id, period_key, subject_id)
    return mark


def _submission(item: ChecklistItem, values: Submission | None) -> Submission:
    """What was sent, or for a caller that sent nothing: no values, the required fields
    missing."""
    if values is not None:
        return values
    return Submission(missing=[f.label for f in active_fields(item) if f.required])


def _require_complete(values: Submission) -> None:
    if values.missing:
        raise TickError("请填写：" + "、".join(values.missing) + "。")


def _store_values(item: ChecklistItem, period_key: str, mark: ChecklistMark, event: ChecklistEvent,
                 values: Submission, stored: list | None) -> dict:
    """Store the submission's values with the event and make them the occurrence's
    current values; returns them for the audit record."""
    rows = store(values, event.id, item.id, period_key, stored if stored is not None else [], mark.subject_id)
    mark.values_event_id = event.id
    db.session.flush()
    return {v.label: display(v) for v in rows}


def self_check(item: ChecklistItem, period_key: str, user, note: str = "", values: Submission | None = None,
               stored: list | None = None, subject_id: int = 0) -> ChecklistMark:
    """The holder marks their own position's item 已自查 for the period (待核查 then),
    with the values the item asks for. An item for each holder: his own occurrence only."""
    if not item.active:
        raise TickError("该点检项目已停用。")
    employee = getattr(user, "employee", None)
    if employee is None or not employee.active or employee.position_id != item.position_id:
        raise PermissionError("只能自查本岗位的点检项目。")
    occ = resolve(item, period_key)
    if item.per_holder(occ.period):
        subject_id = subject_id or employee.id
    if not may_self_check_subject(user, subject_id, item.per_equipment(occ.period)):
        raise PermissionError("只能自查本人的点检项目。")
    subject = subject_of(item, occ, subject_id)
    mark = _mark_for(item, period_key, occ, subject_id)
    if mark.done:
        raise Conflict("该项目本周期已确认完成，无需再自查。")
    if mark.review == "pending" and mark.self_by_id == user.id:
        return mark  # a double tap
    values = _submission(item, values)
    _require_complete(values)
    now = clock.now_utc()
    late = is_late(occ, clock.to_local(now))
    note = (note or "").strip()[:200]
    mark.self_by_id, mark.self_at, mark.self_note, mark.review, mark.review_note = user.id, now, note, "pending", ""
    event = ChecklistEvent(item_id=item.id, period_key=period_key, subject_id=subject_id, action="selfcheck",
                           user_id=user.id, at=now, note=note, late=late)
    db.session.add(event)
    db.session.flush()
    recorded = _store_values(item, period_key, mark, event, values, stored) if not values.empty else {}
    if values.empty:
        mark.values_event_id = None
    record("checklist_selfcheck", "checklist_item", item.id,
           summary=f"{_label(item, occ, subject)} 已自查" + ("（补录）" if late else ""),
           after={"period": period_key, "note": note, **_subject_entry(subject),
                  **({"values": recorded} if recorded else {})})
    return mark


def return_check(item: ChecklistItem, period_key: str, user, note: str = "", subject_id: int = 0) -> ChecklistMark:
    """The supervisor returns a self-check (退回) with the reason; the holder can redo it."""
    occ = resolve(item, period_key)
    subject = subject_of(item, occ, subject_id)
    note = (note or "").strip()[:200]
    if not note:
        raise TickError("退回时请填写原因。")
    mark = _mark(item.id, period_key, subject_id)
    if mark is None or mark.done or mark.review != "pending":
        raise Conflict("该项目没有待核查的自查（可能已被确认或退回），请刷新后查看。")
    now = clock.now_utc()
    won = db.session.execute(
        update(ChecklistMark).where(ChecklistMark.id == mark.id, ChecklistMark.review == "pending",
                                    ChecklistMark.done == False)  # noqa: E712
        .values(review="returned", review_note=note).execution_options(synchronize_session=False)).rowcount
    db.session.refresh(mark)
    if not won:
        raise Conflict("该自查刚刚已被他人处理，请刷新后查看。")
    db.session.add(ChecklistEvent(item_id=item.id, period_key=period_key, subject_id=subject_id, action="return",
                                  user_id=user.id, at=now, note=note))
    db.session.flush()
    record("checklist_return", "checklist_item", item.id,
           summary=f"{_label(item, occ, subject)} 自查被退回：{note}",
           after={"period": period_key, "note": note, **_subject_entry(subject)})
    if mark.self_by is not None:
        notices.notify([mark.self_by], f"selfcheck-return:{mark.id}:{now:%Y%m%d%H%M%S}", "selfcheck",
                       f"您对「{item.title}」（{occ.period.label}）的自查被退回：{note}",
                       notices.url_for("checklists.index"))
    return mark


def tick(item: ChecklistItem, period_key: str, user, note: str = "", values: Submission | None = None,
         stored: list | None = None, subject_id: int = 0, expect_pending: bool = False) -> ChecklistMark | None:
    """Mark done, with the values the item asks for. Idempotent: ticking a done item
    changes nothing and is no error, also when two requests race (the unique constraint
    decides, the loser reads the winner). Confirming a self-check without entering
    anything keeps the values the holder entered."""
    if not item.active:
        raise TickError("该点检项目已停用。")
    occ = resolve(item, period_key)
    subject = subject_of(item, occ, subject_id)
    if expect_pending:  # a bulk confirmation: only a self-check still waiting, nothing created
        mark = _mark(item.id, period_key, subject_id)
        if mark is None or mark.done or mark.review != "pending":
            return None
    mark = _mark_for(item, period_key, occ, subject_id)
    if mark.done:
        return mark
    values = _submission(item, values)
    confirming = mark.review == "pending" and mark.values_event_id is not None and values.empty
    if not confirming:
        _require_complete(values)
    now = clock.now_utc()
    late = is_late(occ, clock.to_local(now))
    note = (note or "").strip()[:200]
    # One atomic UPDATE … WHERE done is false: of two supervisors confirming at once (or a
    # double tap), exactly one changes the row and records the event.
    guard = (ChecklistMark.review == "pending",) if expect_pending else ()
    won = db.session.execute(
        update(ChecklistMark).where(ChecklistMark.id == mark.id, ChecklistMark.done == False, *guard)  # noqa: E712
        .values(done=True, by_id=user.id, at=now, note=note, late=late, due_at=occ.due_at,
                review="")  # a pending self-check is confirmed by this tick
        .execution_options(synchronize_session=False)).rowcount
    db.session.refresh(mark)
    if not won:
        return None if expect_pending and not mark.done else mark
    event = ChecklistEvent(item_id=item.id, period_key=period_key, subject_id=subject_id, action="tick",
                           user_id=user.id, at=now, note=note, late=late)
    db.session.add(event)
    db.session.flush()
    recorded = {}
    if not values.empty:
        recorded = _store_values(item, period_key, mark, event, values, stored)
    elif not confirming:
        mark.values_event_id = None  # a re-tick without values does not show the old ones
    record("checklist_tick", "checklist_item", item.id,
           summary=_label(item, occ, subject) + ("（补录）" if late else ""),
           after={"period": period_key, "note": note, "late": late, **_subject_entry(subject),
                  **({"values": recorded} if recorded else {})})
    return mark


def untick(item: ChecklistItem, period_key: str, user, note: str = "", subject_id: int = 0) -> ChecklistMark | None:
    occ = resolve(item, period_key)
    subject = subject_of(item, occ, subject_id)
    mark = _mark(item.id, period_key, subject_id)
    if mark is None or not mark.done:
        return mark
    now = clock.now_utc()
    note = (note or "").strip()[:200]
    before = {"period": period_key, "by": mark.by.name if mark.by else None, "note": mark.note,
              **_subject_entry(subject)}
    mark.done, mark.by_id, mark.at, mark.note, mark.late = False, user.id, now, note, False
    db.session.add(ChecklistEvent(item_id=item.id, period_key=period_key, subject_id=subject_id, action="untick",
                                  user_id=user.id, at=now, note=note))
    db.session.flush()
    record("checklist_untick", "checklist_item", item.id,
           summary=f"{_label(item, occ, subject)} 取消勾选", before=before, after={"note": note})
    return mark


def confirm_all(item: ChecklistItem, period_key: str, user, subject_ids) -> tuple[list, list, list]:
    """批量确认: confirm the waiting self-checks of these holders (pieces of equipment) in
    one action, each an occurrence of its own with its own audit record. Returns
    (confirmed, skipped, flagged) subject ids: one that was returned, redone or confirmed
    meanwhile is skipped, never forced; one whose check recorded something wrong (a fault
    point answered 否, a figure out of range) is left for the supervisor to confirm on its
    own, having read it."""
    confirmed, skipped, flagged = [], [], []
    values = values_for([(item.id, period_key, s) for s in subject_ids]) if item.fields else {}
    for subject_id in subject_ids:
        if anomalies(item, values.get((item.id, period_key, subject_id), ())):
            flagged.append(subject_id)
            continue
        try:
            with db.session.begin_nested():
                mark = tick(item, period_key, user, subject_id=subject_id, expect_pending=True)
        except TickError:
            mark = None
        (confirmed if mark is not None and mark.done else skipped).append(subject_id)
    return confirmed, skipped, flagged


def history(item_id: int, period_key: str, subject_id: int = 0) -> list[ChecklistEvent]:
    return list(db.session.scalars(
        select(ChecklistEvent).filter_by(item_id=item_id, period_key=period_key, subject_id=subject_id)
        .order_by(ChecklistEvent.at, ChecklistEvent.id)
    ))


def _subject_entry(subject) -> dict:
    """Whose occurrence, for the audit record: the person or the piece of equipment
    (nothing for the position's own)."""
    if subject is None:
        return {}
    return {"equipment": subject.name} if getattr(subject, "thing", False) else {"employee": subject.name}

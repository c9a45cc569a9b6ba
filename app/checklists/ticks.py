"""Ticking and unticking: records with who, when and a note; an untick is a record too.

自查 / 核查: the holder of a position self-checks their item (点检人); the supervisor then
confirms it — that is the tick (确认人) — or returns it with a note, and the holder can
redo it. Every step is an event; the mark keeps the latest state of both steps.
"""
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from app import clock
from app.audit.log import record
from app.checklists.fields import Submission, active_fields, display, store
from app.checklists.models import ChecklistEvent, ChecklistItem, ChecklistMark
from app.checklists.schedule import Occurrence, is_late, occurrence, period_from_key, period_of
from app.extensions import db


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


def _mark(item_id: int, period_key: str) -> ChecklistMark | None:
    return db.session.scalar(select(ChecklistMark).filter_by(item_id=item_id, period_key=period_key))


def _mark_for(item: ChecklistItem, period_key: str, occ: Occurrence) -> ChecklistMark:
    """The mark of this occurrence, created (once, whoever races) when missing."""
    mark = _mark(item.id, period_key)
    if mark is None:
        mark = ChecklistMark(item_id=item.id, period_key=period_key, due_at=occ.due_at, done=False)
        try:
            with db.session.begin_nested():
                db.session.add(mark)
        except IntegrityError:
            mark = _mark(item.id, period_key)
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


def _keep_values(item: ChecklistItem, period_key: str, mark: ChecklistMark, event: ChecklistEvent,
                 values: Submission, stored: list | None) -> dict:
    """Store the submission's values with the event and make them the occurrence's
    current values; returns them for the audit record."""
    rows = store(values, event.id, item.id, period_key, stored if stored is not None else [])
    mark.values_event_id = event.id
    db.session.flush()
    return {v.label: display(v) for v in rows}


def self_check(item: ChecklistItem, period_key: str, user, note: str = "", values: Submission | None = None,
               stored: list | None = None) -> ChecklistMark:
    """The holder marks their own position's item 已自查 for the period (待核查 then),
    with the values the item asks for."""
    if not item.active:
        raise TickError("该点检项目已停用。")
    employee = getattr(user, "employee", None)
    if employee is None or not employee.active or employee.position_id != item.position_id:
        raise PermissionError("只能自查本岗位的点检项目。")
    occ = resolve(item, period_key)
    mark = _mark_for(item, period_key, occ)
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
    event = ChecklistEvent(item_id=item.id, period_key=period_key, action="selfcheck", user_id=user.id,
                           at=now, note=note, late=late)
    db.session.add(event)
    db.session.flush()
    kept = _keep_values(item, period_key, mark, event, values, stored) if not values.empty else {}
    if values.empty:
        mark.values_event_id = None
    record("checklist_selfcheck", "checklist_item", item.id,
           summary=f"{item.position.title}「{item.title}」{occ.period.label} 已自查" + ("（补录）" if late else ""),
           after={"period": period_key, "note": note, **({"values": kept} if kept else {})})
    return mark


def return_check(item: ChecklistItem, period_key: str, user, note: str = "") -> ChecklistMark:
    """The supervisor returns a self-check (退回) with the reason; the holder can redo it."""
    from app.notices import rules as notices

    occ = resolve(item, period_key)
    note = (note or "").strip()[:200]
    if not note:
        raise TickError("退回时请填写原因。")
    mark = _mark(item.id, period_key)
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
    db.session.add(ChecklistEvent(item_id=item.id, period_key=period_key, action="return", user_id=user.id,
                                  at=now, note=note))
    db.session.flush()
    record("checklist_return", "checklist_item", item.id,
           summary=f"{item.position.title}「{item.title}」{occ.period.label} 自查被退回：{note}",
           after={"period": period_key, "note": note})
    if mark.self_by is not None:
        notices.notify([mark.self_by], f"selfcheck-return:{mark.id}:{now:%Y%m%d%H%M%S}", "selfcheck",
                       f"您对「{item.title}」（{occ.period.label}）的自查被退回：{note}",
                       notices.url_for("checklists.index"))
    return mark


def tick(item: ChecklistItem, period_key: str, user, note: str = "", values: Submission | None = None,
         stored: list | None = None) -> ChecklistMark:
    """Mark done, with the values the item asks for. Idempotent: ticking a done item
    changes nothing and is no error, also when two requests race (the unique constraint
    decides, the loser reads the winner). Confirming a self-check without entering
    anything keeps the values the holder entered."""
    if not item.active:
        raise TickError("该点检项目已停用。")
    occ = resolve(item, period_key)
    mark = _mark_for(item, period_key, occ)
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
    won = db.session.execute(
        update(ChecklistMark).where(ChecklistMark.id == mark.id, ChecklistMark.done == False)  # noqa: E712
        .values(done=True, by_id=user.id, at=now, note=note, late=late, due_at=occ.due_at,
                review="")  # a pending self-check is confirmed by this tick
        .execution_options(synchronize_session=False)).rowcount
    db.session.refresh(mark)
    if not won:
        return mark
    event = ChecklistEvent(item_id=item.id, period_key=period_key, action="tick", user_id=user.id,
                           at=now, note=note, late=late)
    db.session.add(event)
    db.session.flush()
    kept = {}
    if not values.empty:
        kept = _keep_values(item, period_key, mark, event, values, stored)
    elif not confirming:
        mark.values_event_id = None  # a re-tick without values does not show the old ones
    record("checklist_tick", "checklist_item", item.id,
           summary=f"{item.position.title}「{item.title}」{occ.period.label}" + ("（补录）" if late else ""),
           after={"period": period_key, "note": note, "late": late, **({"values": kept} if kept else {})})
    return mark


def untick(item: ChecklistItem, period_key: str, user, note: str = "") -> ChecklistMark | None:
    resolve(item, period_key)
    mark = _mark(item.id, period_key)
    if mark is None or not mark.done:
        return mark
    now = clock.now_utc()
    note = (note or "").strip()[:200]
    before = {"period": period_key, "by": mark.by.name if mark.by else None, "note": mark.note}
    mark.done, mark.by_id, mark.at, mark.note, mark.late = False, user.id, now, note, False
    db.session.add(ChecklistEvent(item_id=item.id, period_key=period_key, action="untick", user_id=user.id,
                                  at=now, note=note))
    db.session.flush()
    record("checklist_untick", "checklist_item", item.id,
           summary=f"{item.position.title}「{item.title}」取消勾选", before=before, after={"note": note})
    return mark


def history(item_id: int, period_key: str) -> list[ChecklistEvent]:
    return list(db.session.scalars(
        select(ChecklistEvent).filter_by(item_id=item_id, period_key=period_key).order_by(ChecklistEvent.at, ChecklistEvent.id)
    ))

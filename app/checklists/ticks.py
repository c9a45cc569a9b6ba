"""Ticking and unticking: records with who, when and a note; an untick is a record too."""
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app import clock
from app.audit.log import record
from app.checklists.models import ChecklistEvent, ChecklistItem, ChecklistMark
from app.checklists.schedule import Occurrence, is_late, occurrence, period_from_key, period_of
from app.extensions import db


class TickError(ValueError):
    """A tick that cannot be made; the message is shown to the user."""


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


def tick(item: ChecklistItem, period_key: str, user, note: str = "") -> ChecklistMark:
    """Mark done. Idempotent: ticking a done item changes nothing and is no error, also
    when two requests race (the unique constraint decides, the loser reads the winner)."""
    if not item.active:
        raise TickError("该点检项目已停用。")
    occ = resolve(item, period_key)
    mark = _mark(item.id, period_key)
    if mark is None:
        mark = ChecklistMark(item_id=item.id, period_key=period_key, due_at=occ.due_at, done=False)
        try:
            with db.session.begin_nested():
                db.session.add(mark)
        except IntegrityError:
            mark = _mark(item.id, period_key)
    if mark.done:
        return mark
    now = clock.now_utc()
    late = is_late(occ, clock.to_local(now))
    note = (note or "").strip()[:200]
    mark.done, mark.by_id, mark.at, mark.note, mark.late, mark.due_at = True, user.id, now, note, late, occ.due_at
    db.session.add(ChecklistEvent(item_id=item.id, period_key=period_key, action="tick", user_id=user.id,
                                  at=now, note=note, late=late))
    db.session.flush()
    record("checklist_tick", "checklist_item", item.id,
           summary=f"{item.position.title}「{item.title}」{occ.period.label}" + ("（补录）" if late else ""),
           after={"period": period_key, "note": note, "late": late})
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

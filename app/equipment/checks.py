"""Checks for each piece of equipment (每台设备各一次): the register's side of the checklist
engine's third target. The engine owns periods, ticks, self-checks, figures and history
(app/checklists); this module only says which equipment an item's selection covers on
which days — the pieces of its category (and location) that were in use (在用) that day,
from the register's state history, as Holders does with tenures — and lists an item's
checks on its page.

A piece counts on a day when it was in use at some moment of it: the day it goes to
repair still has its morning check (the one that may have found the fault), the day it
comes back from repair has one too; a day wholly under repair, stopped or scrapped has
none.
"""
import json
from dataclasses import dataclass
from datetime import date, datetime

from flask import g, has_request_context, request
from sqlalchemy import and_, bindparam, or_, select
from sqlalchemy.orm import selectinload

from app import clock
from app.checklists.fields import anomalies, values_for
from app.checklists.models import EQUIPMENT, ChecklistEvent, ChecklistItem, ChecklistMark, ChecklistTargetChange
from app.checklists.occurrences import Subject
from app.checklists.schedule import DONE, occurrence, period_of, state
from app.equipment.models import CATEGORIES, IN_USE, Equipment, EquipmentEvent
from app.equipment.rules import verification_state
from app.database import statement
from app.extensions import db

FLAGS = {"expired": "检定已过期", "failed": "检定不合格"}


def make_scope(category: str, location: str = "") -> str:
    """The JSON kept in ChecklistItem.target_scope for a selection of equipment."""
    scope = {"category": category}
    if location:
        scope["location"] = location
    return json.dumps(scope, ensure_ascii=False)


def _matches(e: Equipment, scope: dict) -> bool:
    return e.category == scope.get("category") and (not scope.get("location") or e.location == scope["location"])


def in_use_spans(e: Equipment, events) -> list[tuple[date, date | None]]:
    """The days the piece was in use at some moment, as (first, last or None) spans, from
    its state changes in order. Before its first change it was in the state it was
    registered in (在用), since its purchase (the register's own "in use since") or, with
    no purchase date, since it was registered."""
    changes = [ev for ev in events if ev.kind == "state"]
    created = next((ev.happened_on for ev in events if ev.kind == "created"), None)
    start = e.purchased_on or created or clock.to_local(e.created_at).date()
    current = changes[0].state_from if changes else e.state
    spans = []
    for ev in changes:
        if current == IN_USE:
            spans.append((start, ev.happened_on))
        current, start = ev.state_to, ev.happened_on
    if current == IN_USE:
        spans.append((start, None))
    return spans


def _flag(e: Equipment, day: date) -> str:
    return FLAGS.get(verification_state(e, day) or "", "")


def _subject(e: Equipment, day: date) -> Subject:
    return Subject(e.id, f"{e.asset_no} {e.name}", e.asset_no, thing=True, flag=_flag(e, day))


def _events_of(ids) -> dict[int, list]:
    out: dict[int, list] = {}
    if not ids:
        return out
    for ev in db.session.scalars(select(EquipmentEvent).where(EquipmentEvent.equipment_id.in_(sorted(ids)),
                                                              EquipmentEvent.kind.in_(("created", "state")))
                                 .order_by(EquipmentEvent.happened_on, EquipmentEvent.id)):
        out.setdefault(ev.equipment_id, []).append(ev)
    return out


class EquipmentTargets:
    """The provider the checklist engine asks (see app/checklists/targets.py)."""

    def subjects_between(self, items, start: date, end: date) -> dict[int, list]:
        scopes = {i.id: i.scope for i in items}
        categories = {s.get("category") for s in scopes.values() if s.get("category")}
        if not categories:
            return {}
        # one statement: the pieces with their state history (an outer join)
        rows = db.session.execute(_with_history(), {"categories": sorted(categories)}).all()
        pieces, events = [], {}
        for e, ev in rows:
            if not pieces or pieces[-1] is not e:
                pieces.append(e)
            if ev is not None:
                events.setdefault(e.id, []).append(ev)
        today = clock.local_now().date()
        out: dict[int, list] = {}
        for e in pieces:
            spans = [(a, b) for a, b in in_use_spans(e, events.get(e.id, ()))
                     if a <= end and (b is None or b >= start)]
            if not spans:
                continue
            subject = _subject(e, min(end, today))
            for item_id, scope in scopes.items():
                if _matches(e, scope):
                    out.setdefault(item_id, []).extend((a, b, subject) for a, b in spans)
        return out

    def subject_on(self, item, thing_id: int, day: date | None) -> Subject | None:
        """The piece, if the item's selection covers it and it was in use on `day` (any
        day: None)."""
        e = db.session.get(Equipment, thing_id)
        if e is None or not _matches(e, item.scope):
            return None
        if day is not None and not any(a <= day and (b is None or day <= b)
                                       for a, b in in_use_spans(e, _events_of([e.id]).get(e.id, ()))):
            return None
        return _subject(e, day or clock.local_now().date())

    def describe(self, scope: dict) -> str:
        return " · ".join(x for x in (scope.get("category"), scope.get("location")) if x) or "未选择设备"

    def scope_choices(self) -> dict:
        locations = list(db.session.scalars(select(Equipment.location).where(Equipment.location != "")
                                            .distinct().order_by(Equipment.location).limit(200)))
        return {"category": list(CATEGORIES), "location": locations}


@statement
def _with_history():
    """The pieces of some categories with their state history (an outer join)."""
    return (select(Equipment, EquipmentEvent)
            .outerjoin(EquipmentEvent, and_(EquipmentEvent.equipment_id == Equipment.id,
                                            EquipmentEvent.kind.in_(("created", "state"))))
            .where(Equipment.category.in_(bindparam("categories", expanding=True)))
            .order_by(Equipment.asset_no, Equipment.id, EquipmentEvent.happened_on, EquipmentEvent.id))


# --- on the equipment's page ---------------------------------------------------------------

def _equipment_items(active_only: bool = True) -> list[ChecklistItem]:
    """Every (active) item that is or was for each piece of equipment (asked in SQL: the
    few such items, not every item of the app). Read once per GET request: an item's page
    asks for its checks and for their history."""
    cacheable = has_request_context() and request.method == "GET"
    items = g.get("_equipment_items") if cacheable else None
    if items is None:
        switched = select(ChecklistTargetChange.item_id).where(
            or_(ChecklistTargetChange.target == EQUIPMENT, ChecklistTargetChange.previous == EQUIPMENT))
        items = list(db.session.scalars(
            select(ChecklistItem).where(or_(ChecklistItem.target == EQUIPMENT, ChecklistItem.id.in_(switched)))
            .options(selectinload(ChecklistItem.target_changes), selectinload(ChecklistItem.position))))
        if cacheable:
            g._equipment_items = items
    return [i for i in items if i.active] if active_only else list(items)


@dataclass
class CheckLine:
    """One item checking this piece: today's (this period's) state and the last done."""
    item: ChecklistItem
    period_key: str | None
    state: str | None  # done / open / overdue / not_yet_due; None: not due this period
    review: str
    last_done: datetime | None  # UTC
    last_by: str
    anomalies: tuple = ()  # what this period's check recorded wrong (a point answered 否 …)


STATE_LABELS = {"done": "已完成", "open": "待完成", "overdue": "已逾期", "not_yet_due": "未到期"}


def _who_did(mark: ChecklistMark | None) -> str:
    """Who checked the piece and who confirmed it (何师傅点检，张伟确认), or who ticked it."""
    if mark is None or mark.by is None:
        return ""
    if mark.self_by is not None and mark.self_by_id != mark.by_id:
        return f"{mark.self_by.name}点检，{mark.by.name}确认"
    return mark.by.name


def checks_of(e: Equipment, now: datetime | None = None) -> list[CheckLine]:
    """The checks that cover this piece, each with its current period's state and the
    last time it was done; a piece not in use has them listed without a current state."""
    now = now or clock.local_now()
    items = [i for i in _equipment_items() if i.target == EQUIPMENT and _matches(e, i.scope)]
    if not items:
        return []
    marks = list(db.session.scalars(
        select(ChecklistMark).where(ChecklistMark.item_id.in_([i.id for i in items]),
                                    ChecklistMark.subject_id == e.id)
        .options(selectinload(ChecklistMark.by), selectinload(ChecklistMark.self_by))
        .order_by(ChecklistMark.due_at.desc()).limit(400)))
    spans = in_use_spans(e, _events_of([e.id]).get(e.id, ()))
    lines, currents = [], {}
    for item in items:
        occ = occurrence(item.rule(), period_of(item.kind, now.date()), clock.workday_end(),
                         clock.to_local(item.created_at))
        counted = occ is not None and item.per_equipment(occ.period) and any(
            a <= occ.due_date and (b is None or occ.due_date <= b) for a, b in spans)
        mine = [m for m in marks if m.item_id == item.id]
        current = next((m for m in mine if occ is not None and m.period_key == occ.period.key), None)
        if counted and current is not None and item.fields:
            currents[(item.id, current.period_key, e.id)] = item
        last = next((m for m in mine if m.done), None)
        lines.append(CheckLine(item, occ.period.key if counted else None,
                               state(occ, now, bool(current and current.done)) if counted else None,
                               current.review if current is not None and not current.done else "",
                               last.at if last else None, _who_did(last)))
    if currents:  # this period's findings, in one statement
        found = {key[0]: tuple(anomalies(currents[key], vals)) for key, vals in values_for(currents).items()}
        for line in lines:
            line.anomalies = found.get(line.item.id, ())
    return lines


def check_history(e: Equipment, limit: int = 200) -> list[ChecklistEvent]:
    """The checklist events (ticks, self-checks, returns, unticks) of this piece."""
    items = {i.id: i for i in _equipment_items(active_only=False)}  # retired items' checks too
    if not items:
        return []
    events = db.session.scalars(
        select(ChecklistEvent).where(ChecklistEvent.item_id.in_(sorted(items)), ChecklistEvent.subject_id == e.id)
        .options(selectinload(ChecklistEvent.user)).order_by(ChecklistEvent.at.desc()).limit(limit))
    return [ev for ev in events if items[ev.item_id].things_in(ev.period_key)]


__all__ = ["EquipmentTargets", "checks_of", "check_history", "in_use_spans", "make_scope", "DONE"]

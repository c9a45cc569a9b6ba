"""An item's whole history in time order, merged from several sources. Each source is a
function source(item) -> list[Entry]; a part that adds records about equipment (loans,
counts) adds its function to SOURCES under a key and a label for the page's filter (or
passes its own list to history()).

Sources today: the register's events (registration, state changes, verifications, edits,
fault reports and repairs, photos — EquipmentEvent rows) and the checks of the checklist
engine for this piece (ticks, self-checks, returns, unticks)."""
from dataclasses import dataclass
from datetime import date, datetime
from typing import Callable

from flask import url_for
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app import clock
from app.auth.models import User
from app.checklists.models import ChecklistItem
from app.equipment.checks import check_history
from app.equipment.models import EVENT_KINDS, STATES, EquipmentEvent
from app.extensions import db

LIMIT = 300  # per source; the page shows the newest


@dataclass
class Entry:
    on: date          # the day it happened
    at: datetime      # when it was recorded (UTC), for the order within a day
    kind: str         # what, in words (状态变更, 点检 …)
    text: str
    who: str = ""
    link: str = ""
    css: str = ""     # e.g. "flag" for a fault


def register_events(item) -> list[Entry]:
    out = []
    for ev in db.session.scalars(select(EquipmentEvent).filter_by(equipment_id=item.id)
                                 .options(selectinload(EquipmentEvent.user).selectinload(User.employee))
                                 .order_by(EquipmentEvent.id.desc()).limit(LIMIT)):
        kind = EVENT_KINDS.get(ev.kind, ev.kind)
        if ev.kind == "state":
            kind += f"：{STATES.get(ev.state_from, ev.state_from)} → {STATES.get(ev.state_to, ev.state_to)}"
        out.append(Entry(ev.happened_on, ev.at, kind, ev.note, ev.user.name if ev.user else "系统",
                         css="flag" if ev.kind == "fault" else ""))
    return out


CHECK_ACTIONS = {"tick": "点检确认", "untick": "取消勾选", "selfcheck": "点检（自查）", "return": "自查退回"}


def checks(item) -> list[Entry]:
    events = check_history(item, LIMIT)
    titles = {i.id: i.title for i in db.session.scalars(
        select(ChecklistItem).where(ChecklistItem.id.in_({e.item_id for e in events})))} if events else {}
    return [Entry(clock.to_local(ev.at).date(), ev.at, CHECK_ACTIONS.get(ev.action, ev.action),
                  f"「{titles.get(ev.item_id, '')}」{ev.period_key}" + (f"：{ev.note}" if ev.note else ""),
                  ev.user.name if ev.user else "",
                  url_for("checklists.item_history", item_id=ev.item_id, period_key=ev.period_key, subject=item.id))
            for ev in events]


# Each source under its key, with what it is in words for the page's filter (a lift's daily
# checks are two entries a day, and would bury its repairs and verifications).
SOURCES: dict[str, tuple[str, Callable]] = {"register": ("登记、检定与维修", register_events), "checks": ("点检", checks)}


def history(item, sources=None) -> list[Entry]:
    """Every source's entries, newest first (by day, then by when recorded)."""
    entries = [e for source in (sources or [fn for _, fn in SOURCES.values()]) for e in source(item)]
    return sorted(entries, key=lambda e: (e.on, e.at), reverse=True)

"""Inspections on a schedule, run by the checklist engine: each schedule in
data/templates.yaml is a checklist item of the inspecting position (weekly 车间5S检查 for
the 车间主任), so a due inspection shows on his board and workspace and a missed one is
overdue; submitting an inspection of that template and area ticks the occurrence of the
period it was submitted in, with its score as the note."""
from sqlalchemy import select

from app import clock
from app.audit.log import record
from app.checklists.models import ChecklistItem
from app.checklists.schedule import period_of
from app.checklists.seed import add_items
from app.checklists.ticks import TickError, tick
from app.extensions import db
from app.inspections.models import Inspection
from app.inspections.templates import area, shipped


def _title(entry: dict) -> str:
    template = next((t for t in shipped()["templates"] if t["key"] == entry["template"]), None)
    place = area(entry["area"])
    return f"{template['name'] if template else entry['template']}（{place.name if place else entry['area']}）"


def not_loaded() -> list[str]:
    """The titles of the shipped schedules not yet a checklist item (by their key)."""
    keys = set(db.session.scalars(select(ChecklistItem.seed_key).where(ChecklistItem.seed_key.is_not(None))))
    return [_title(s) for s in shipped().get("schedules", []) if s["key"] not in keys]


def load(user=None) -> int:
    """The shipped schedules as checklist items (each once, by its key); returns how many
    were added. An item edited or retired on the checklist pages is kept as it is."""
    entries = []
    for s in shipped().get("schedules", []):
        entry = {k: v for k, v in s.items() if k not in ("template", "area")}
        entry["title"] = _title(s)
        entries.append(entry)
    added = add_items(entries)
    if added:
        record("checklist_item_create", "checklist_item", None, summary=f"检查计划：新增点检项目 {added} 个", user=user)
    return added


def tick_scheduled(insp: Inspection, user) -> list[ChecklistItem]:
    """Ticks the scheduled items this submitted inspection fulfils (its template and area),
    in the period of its submit; a period in which the item is not due is left alone."""
    key = insp.version.template.key
    done = []
    for s in shipped().get("schedules", []):
        if s["template"] != key or s["area"] != insp.area_key:
            continue
        item = db.session.scalar(select(ChecklistItem).filter_by(seed_key=s["key"]))
        if item is None or not item.active:
            continue
        day = clock.to_local(insp.submitted_at).date()
        try:
            tick(item, period_of(item.kind, day).key, user,
                 note=f"检查得分 {insp.score if insp.score is not None else '—'}（检查记录 #{insp.id}）")
        except TickError:
            continue
        done.append(item)
    return done

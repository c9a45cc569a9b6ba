"""Loads the shipped checklist items (data/checklists.yaml), once per key."""
import json
from datetime import time
from functools import lru_cache
from pathlib import Path

import yaml
from sqlalchemy import func, select

from app.audit.log import record
from app.checklists.fields import KINDS
from app.checklists.models import ChecklistField, ChecklistItem
from app.extensions import db
from app.handbook.models import Duty
from app.handbook.revisions import duties_of
from app.org.models import Position

DATA = Path(__file__).resolve().parent / "data" / "checklists.yaml"


def find_duty(position: Position, ref: str) -> Duty | None:
    """"5" -> the 5th active duty; "1.3" -> sub-item (3) of duty 1."""
    parts = [int(x) for x in str(ref).split(".")]
    duties = duties_of(position)
    if not 1 <= parts[0] <= len(duties):
        return None
    duty = duties[parts[0] - 1]
    if len(parts) == 2:
        items = duty.items
        return items[parts[1] - 1] if 1 <= parts[1] <= len(items) else None
    return duty


@lru_cache(maxsize=1)
def default_dates() -> dict[str, tuple[int, int]]:
    """seed key -> (month, day) of the shipped items whose date the document does not give."""
    with open(DATA, encoding="utf-8") as fh:
        entries = yaml.safe_load(fh)["items"]
    return {e["key"]: (e["month"], e["day"]) for e in entries if e.get("default_date")}


def date_is_default(item) -> bool:
    """True while a shipped item still has the date the app chose, not one admin set."""
    return (item.month, item.day) == default_dates().get(item.seed_key or "")


def load_items(path: Path = DATA) -> int:
    with open(path, encoding="utf-8") as fh:
        return add_items(yaml.safe_load(fh)["items"])


def add_items(entries: list[dict]) -> int:
    """Adds the entries (checklists.yaml format) whose key is not in the database yet and
    whose position exists; returns how many were added."""
    have = {k for k in db.session.scalars(select(ChecklistItem.seed_key)) if k}
    positions = {p.seed_key: p for p in db.session.scalars(select(Position)) if p.seed_key}
    next_order = (db.session.scalar(select(func.max(ChecklistItem.sort_order))) or 0) + 1
    added = 0
    for order, e in enumerate(entries, start=next_order):
        position = positions.get(e["position"])
        if e["key"] in have or position is None:
            continue
        due = e.get("due_time")
        item = ChecklistItem(
            seed_key=e["key"], position_id=position.id, title=e["title"], kind=e["kind"],
            weekday=e.get("weekday"), month_day=e.get("day") if e["kind"] == "monthly" else None,
            month_end=bool(e.get("month_end")), month=e.get("month"),
            day=e.get("day") if e["kind"] == "yearly" else None,
            due_time=time.fromisoformat(due) if due else None,
            end_of_workday=bool(e.get("end_of_workday")), sort_order=order,
            target=e.get("per") if e.get("per") in ("holder", "equipment") else "position",
            target_scope=_scope(e.get("equipment")),
        )
        duty = find_duty(position, e["duty"]) if e.get("duty") else None
        item.duty_id = duty.id if duty else None
        item.rule()  # validates
        db.session.add(item)
        added += 1
    db.session.flush()
    fields = add_fields(entries)
    if fields and not added:  # new items are recorded by load_seed; new fields alone here

        record("seed_load", "handbook", None, summary=f"载入点检项目的填写字段 {fields} 个")
    return added


def _scope(equipment: dict | None) -> str:
    """`equipment: {category: 举升设备, location: …}` of an item for each piece of equipment."""
    return json.dumps({k: v for k, v in equipment.items() if k in ("category", "location") and v},
                      ensure_ascii=False) if equipment else ""


def add_fields(entries: list[dict]) -> int:
    """The entries' `fields` (what a tick records) for the items with their keys, each
    once per item key and label, so an existing installation gets them too; fields
    changed or retired in the app are kept as they are."""
    wanted = [(e["key"], n, spec) for e in entries for n, spec in enumerate(e.get("fields") or [], start=1)]
    if not wanted:
        return 0
    items = {i.seed_key: i for i in db.session.scalars(
        select(ChecklistItem).where(ChecklistItem.seed_key.in_({k for k, _, _ in wanted})))}
    have = set(db.session.scalars(select(ChecklistField.seed_key).where(ChecklistField.seed_key.is_not(None))))
    added = 0
    for key, order, spec in wanted:
        seed_key = f"{key}:{spec['label']}"[:60]
        item = items.get(key)
        if item is None or seed_key in have:
            continue
        if spec["kind"] not in KINDS:
            raise ValueError(f"unknown field kind {spec['kind']!r} in {key}")
        db.session.add(ChecklistField(
            item_id=item.id, seed_key=seed_key, label=spec["label"], kind=spec["kind"], unit=spec.get("unit", ""),
            decimals=spec.get("decimals", 0), min_value=spec.get("min"), max_value=spec.get("max"),
            target=spec.get("target"), target_dir=spec.get("target_dir", "ge"),
            choices="\n".join(spec.get("choices", [])), required=bool(spec.get("required")),
            fault_on_no=bool(spec.get("fault_on_no")), sort_order=order))
        added += 1
    db.session.flush()
    for item in items.values():
        db.session.expire(item, ["fields"])
    return added

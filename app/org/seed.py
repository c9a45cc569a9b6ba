"""Loads the positions and reporting lines of the handbook seed file.

Idempotent: a position is created only if no position carries its seed key yet, and a
position's reporting lines are set only when the position is created, so an edit made in
the app (a renamed position, a removed line) is never overwritten by a later load.
"""
from pathlib import Path

import yaml
from sqlalchemy import select

from app.extensions import db
from app.org.models import Position, ReportingLine

SEED_FILE = Path(__file__).resolve().parent.parent / "handbook" / "data" / "handbook.yaml"


def read_seed(path: Path = SEED_FILE) -> dict:
    with open(path, encoding="utf-8") as fh:
        return yaml.safe_load(fh)


def _superior_refs(entry: dict) -> list[tuple[str, bool]]:
    refs = []
    for ref in entry.get("superiors") or []:
        if isinstance(ref, dict):
            refs.append((ref["key"], bool(ref.get("inferred"))))
        else:
            refs.append((ref, False))
    return refs


def load_positions(data: dict) -> list[Position]:
    """Create missing seed positions and their lines; return the positions created."""
    department = data.get("company_department", "售后服务部")
    by_key = {p.seed_key: p for p in db.session.scalars(select(Position)) if p.seed_key}
    created: list[Position] = []
    for order, entry in enumerate(data["positions"], start=1):
        key = entry["key"]
        if key in by_key:
            continue
        position = db.session.scalar(select(Position).filter_by(title=entry["title"]))
        if position is None:
            position = Position(
                title=entry["title"],
                department=entry.get("department", department),
                is_external=bool(entry.get("external")),
                sort_order=order,
            )
            db.session.add(position)
            created.append(position)
        position.seed_key = key  # adopt a same-named position made by hand
        by_key[key] = position
    db.session.flush()
    created_ids = {p.id for p in created}
    for entry in data["positions"]:
        position = by_key[entry["key"]]
        if position.id not in created_ids:
            continue
        for sup_key, inferred in _superior_refs(entry):
            superior = by_key[sup_key]
            db.session.add(
                ReportingLine(superior_id=superior.id, subordinate_id=position.id, inferred=inferred)
            )
    db.session.flush()
    return created

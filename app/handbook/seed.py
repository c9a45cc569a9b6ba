"""Loads the handbook's duties and glossary from the data files under handbook/data/.

A seed position gets its duties and revision 1 only while it has no revision yet, and a
glossary term is added only if no term carries its seed key (or its name): whatever was
edited in the app stays as it is.
"""
from pathlib import Path

import yaml
from sqlalchemy import select

from app.extensions import db
from app.handbook.models import Duty, GlossaryTerm, PositionRevision
from app.handbook.revisions import add_revision
from app.org.models import Position

DATA = Path(__file__).resolve().parent / "data"


def _text(entry) -> str:
    return entry if isinstance(entry, str) else entry["text"]


def load_duties(data: dict) -> list[Position]:
    positions = {p.seed_key: p for p in db.session.scalars(select(Position)) if p.seed_key}
    loaded = []
    for entry in data["positions"]:
        position = positions.get(entry["key"])
        if position is None:
            continue
        has_revision = db.session.scalar(select(PositionRevision.id).filter_by(position_id=position.id).limit(1))
        if has_revision or not entry.get("duties"):
            # A position the document gives no duties gets no revision: its first one is
            # what admin writes or adopts from the reference draft (drafts.py).
            continue
        for n, duty_entry in enumerate(entry.get("duties") or [], start=1):
            duty = Duty(position_id=position.id, sort_order=n, text=_text(duty_entry),
                        truncated=isinstance(duty_entry, dict) and bool(duty_entry.get("truncated")))
            db.session.add(duty)
            items = duty_entry.get("items", []) if isinstance(duty_entry, dict) else []
            for m, item in enumerate(items, start=1):
                db.session.add(Duty(position_id=position.id, parent=duty, sort_order=m, text=_text(item)))
        db.session.flush()
        db.session.expire(position)
        add_revision(position, author_name="初始手册", note="载入《售后岗位职责说明书》")
        loaded.append(position)
    return loaded


def load_glossary(path: Path = DATA / "glossary.yaml") -> int:
    with open(path, encoding="utf-8") as fh:
        terms = yaml.safe_load(fh)["terms"]
    existing = {t.seed_key for t in db.session.scalars(select(GlossaryTerm)) if t.seed_key}
    names = set(db.session.scalars(select(GlossaryTerm.term)))
    added = 0
    for entry in terms:
        if entry["key"] in existing or entry["term"] in names:
            continue
        db.session.add(GlossaryTerm(seed_key=entry["key"], term=entry["term"],
                                    aliases="|".join(entry.get("aliases", [])),
                                    explanation=entry["explanation"].strip()))
        added += 1
    db.session.flush()
    return added

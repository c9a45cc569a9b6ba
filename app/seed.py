"""Loads the shipped handbook (positions, reporting lines, duties, glossary)."""
from app.audit.log import record
from app.checklists.seed import load_items
from app.supplies.seed import load_categories
from app.trainings.seed import load_categories as load_training_categories
from app.handbook.seed import load_duties, load_glossary
from app.org.seed import load_positions, read_seed


def load_seed() -> dict:
    data = read_seed()
    created = load_positions(data)
    with_duties = load_duties(data)
    terms = load_glossary()
    items = load_items()
    load_categories()
    load_training_categories()
    parts = []
    if created:
        parts.append(f"岗位 {len(created)} 个：" + "、".join(p.title for p in created))
    if with_duties:
        parts.append(f"岗位职责 {len(with_duties)} 份")
    if terms:
        parts.append(f"术语 {terms} 条")
    if items:
        parts.append(f"点检项目 {items} 个")
    if parts:
        record("seed_load", "handbook", None, summary="载入" + "；".join(parts))
    return {"positions": len(created), "duties": len(with_duties), "terms": terms, "items": items}

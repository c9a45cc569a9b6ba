"""Loads the shipped handbook (positions, reporting lines, duties, glossary)."""
from app.audit.log import record
from app.checklists.seed import load_items
from app.extensions import db
from app.supplies.models import SupplyCategory
from app.trainings.models import TrainingCategory

SUPPLY_CATEGORIES = ["劳保用品", "办公用品"]
TRAINING_CATEGORIES = ["技术", "服务流程", "安全/5S", "厂家培训", "管理"]


def load_named(model, names: list[str]) -> int:
    """Add the named rows (categories) that are missing; never renames or removes."""
    have = set(db.session.scalars(db.select(model.name)))
    missing = [n for n in names if n not in have]
    for order, name in enumerate(names, start=1):
        if name in missing:
            db.session.add(model(name=name, sort_order=order))
    db.session.flush()
    return len(missing)
from app.handbook.seed import load_duties, load_glossary
from app.org.seed import load_positions, read_seed


def load_seed() -> dict:
    data = read_seed()
    created = load_positions(data)
    with_duties = load_duties(data)
    terms = load_glossary()
    items = load_items()
    load_named(SupplyCategory, SUPPLY_CATEGORIES)
    load_named(TrainingCategory, TRAINING_CATEGORIES)
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

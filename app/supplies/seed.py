"""The two supply categories every install starts with."""
from sqlalchemy import select

from app.extensions import db
from app.supplies.models import SupplyCategory

CATEGORIES = ["劳保用品", "办公用品"]


def load_categories() -> int:
    have = set(db.session.scalars(select(SupplyCategory.name)))
    added = 0
    for order, name in enumerate(CATEGORIES, start=1):
        if name not in have:
            db.session.add(SupplyCategory(name=name, sort_order=order))
            added += 1
    db.session.flush()
    return added

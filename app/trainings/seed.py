"""The training categories every install starts with (editable in the app)."""
from sqlalchemy import select

from app.extensions import db
from app.trainings.models import TrainingCategory

CATEGORIES = ["技术", "服务流程", "安全/5S", "厂家培训", "管理"]


def load_categories() -> int:
    have = set(db.session.scalars(select(TrainingCategory.name)))
    added = 0
    for order, name in enumerate(CATEGORIES, start=1):
        if name not in have:
            db.session.add(TrainingCategory(name=name, sort_order=order))
            added += 1
    db.session.flush()
    return added

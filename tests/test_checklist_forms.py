"""A stored checklist item shown on its form (ItemForm.fill_from) and saved back unchanged
(items.apply_form), without HTTP: what an admin opens and saves without touching is what
was there (issue 27 moved the mapping out of the route)."""
from datetime import time

import pytest
from sqlalchemy import select

from app.checklists.forms import ItemForm
from app.checklists.items import apply_form
from app.checklists.models import ChecklistItem
from app.extensions import db
from app.org.models import Position

ITEMS = [
    dict(title="夕会", kind="daily", due_time=time(16, 30), working_days="01234"),
    dict(title="周报", kind="weekly", weekday=4, end_of_workday=True, working_days="0123456"),
    dict(title="月报", kind="monthly", month_day=25, working_days="012345"),
    dict(title="月末盘点", kind="monthly", month_end=True, working_days="01234"),
    dict(title="年检", kind="yearly", month=3, day=15, working_days="01234", active=False),
    dict(title="工位5S", kind="daily", target="holder", working_days="012345"),
    dict(title="举升机班前检查", kind="daily", target="equipment", working_days="012345",
         target_scope='{"category": "举升机", "location": "一号工位"}'),
]


@pytest.mark.parametrize("fields", ITEMS, ids=[f["title"] for f in ITEMS])
def test_an_item_saved_back_from_its_form_is_unchanged(app, fields):
    with app.test_request_context():
        position = db.session.scalar(select(Position).filter_by(seed_key="technician"))
        item = ChecklistItem(position_id=position.id, sort_order=1, **fields)
        db.session.add(item)
        db.session.flush()
        form = ItemForm(obj=item, duty_choices=[])
        form.fill_from(item)
        copy = ChecklistItem(position_id=position.id, sort_order=1, target=form.target.data)
        apply_form(copy, form)
        assert copy.snapshot() == item.snapshot()


def test_a_new_items_form_offers_every_day_and_the_duty_it_came_from(app):
    with app.test_request_context():
        form = ItemForm(duty_choices=[(7, "1. 职责")])
        form.fill_new(7)
        assert form.working_days.data == list(range(7)) and form.duty_id.data == 7
        form.fill_new(None)
        assert form.duty_id.data == 0

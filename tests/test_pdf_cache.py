"""The PDF cache: a repeated print of unchanged content is not laid out again; any change of
what the PDF shows (a tick, a new revision, a ledger row) gives a new PDF; the cache stays
within its size."""
import os

import pytest
from sqlalchemy import select

from app import clock, printing
from app.auth.models import User
from app.checklists.models import ChecklistItem
from app.checklists.schedule import period_of
from app.checklists.ticks import tick
from app.extensions import db
from app.org.models import Position
from app.supplies.models import SupplyCategory, SupplyItem
from tests.pdftools import pdftotext
from tests.test_handbook import edit_payload


@pytest.fixture
def layouts(monkeypatch):
    """Counts WeasyPrint layouts (calls of the uncached HTML -> PDF step)."""
    calls = []
    real = printing.html_to_pdf

    def counting(html):
        calls.append(1)
        return real(html)

    monkeypatch.setattr(printing, "html_to_pdf", counting)
    return calls


def cache_files(app):
    folder = os.path.join(app.instance_path, "cache", "pdf")
    return sorted(f for f in os.listdir(folder) if f.endswith(".pdf")) \
        if os.path.isdir(folder) else []


def add_manager_duty(app, client, text):
    """A new revision of the 售后经理's duties, saved through the editor."""
    with app.app_context():
        pid = db.session.scalar(select(Position.id).filter_by(seed_key="after_sales_manager"))
    data, rows = edit_payload(app, pid)
    data, _ = edit_payload(app, pid, rows=rows + [(None, text, False)])
    assert client.post_form(f"/handbook/positions/{pid}/edit", data).status_code == 303


def test_repeat_comes_from_cache_and_new_revision_gives_new_pdf(app, admin_client, layouts):
    first = admin_client.get("/handbook/handbook.pdf")
    again = admin_client.get("/handbook/handbook.pdf")
    assert first.status_code == again.status_code == 200
    assert first.data == again.data and len(layouts) == 1 and len(cache_files(app)) == 1

    add_manager_duty(app, admin_client, "主持每周质量例会")
    changed = admin_client.get("/handbook/handbook.pdf")
    assert len(layouts) == 2 and changed.data != first.data
    assert "主持每周质量例会" in pdftotext(changed.data)
    assert "主持每周质量例会" not in pdftotext(first.data)


def test_a_tick_gives_a_new_month_pdf(app, admin_client, layouts, optional_fields):
    with app.app_context():
        item = db.session.scalar(select(ChecklistItem).filter_by(seed_key="clerk_return_rate"))
        position_id, item_id = item.position_id, item.id
    url = f"/checklists/positions/{position_id}/month.pdf"
    before = admin_client.get(url).data
    assert admin_client.get(url).data == before and len(layouts) == 1
    with app.app_context():
        item = db.session.get(ChecklistItem, item_id)
        boss = db.session.scalar(select(User).filter_by(username="boss"))
        today = clock.local_now().date()
        tick(item, period_of(item.kind, today).key, boss, "当日已统计")
        db.session.commit()
    after = admin_client.get(url).data
    assert len(layouts) == 2 and after != before


def test_a_ledger_row_gives_a_new_count_sheet(app, admin_client, layouts):
    from app.supplies.ledger import receive

    with app.app_context():
        cat = db.session.scalar(select(SupplyCategory).order_by(SupplyCategory.id))
        item = SupplyItem(name="防滑手套", unit="副", category_id=cat.id, min_stock=0)
        db.session.add(item)
        db.session.commit()
        item_id = item.id
    url = "/supplies/count-sheet.pdf"
    first = admin_client.get(url)
    with app.app_context():
        receive(db.session.get(SupplyItem, item_id), 7000, db.session.scalar(select(User).filter_by(username="boss")))
        db.session.commit()
    second = admin_client.get(url)
    assert second.data != first.data and len(layouts) == 2
    assert "7" in pdftotext(second.data)


def test_cache_is_bounded(app, admin_client, layouts):
    app.config["PDF_CACHE_MB"] = 1
    with app.app_context():
        ids = list(db.session.scalars(select(Position.id).where(Position.is_external.is_(False))))
    for pid in ids:
        assert admin_client.get(f"/handbook/positions/{pid}/print.pdf").status_code == 200
    folder = os.path.join(app.instance_path, "cache", "pdf")
    total = sum(os.path.getsize(os.path.join(folder, f)) for f in cache_files(app))
    assert len(layouts) == len(ids) and 0 < total <= 1024 * 1024
    assert len(cache_files(app)) < len(ids)  # the least recently used were dropped


def test_cache_off(app, admin_client, layouts):
    app.config["PDF_CACHE_MB"] = 0
    admin_client.get("/handbook/handbook.pdf")
    admin_client.get("/handbook/handbook.pdf")
    assert len(layouts) == 2 and cache_files(app) == []


def test_a_change_made_by_sql_by_hand_shows_in_the_next_print_and_page(app, admin_client, layouts):
    """Nothing is kept by data version: a duty edited outside the app (SQL by hand, no
    audit record, no restart) is in the very next page view and print."""
    from sqlalchemy import text

    first = admin_client.get("/handbook/handbook.pdf")
    with app.app_context():
        duty_id, position_id = db.session.execute(text("SELECT id, position_id FROM duty ORDER BY id LIMIT 1")).one()
        db.session.execute(text("UPDATE duty SET text = :t WHERE id = :i"), {"t": "手工修改的职责文字", "i": duty_id})
        db.session.commit()
    assert "手工修改的职责文字" in admin_client.get(f"/handbook/positions/{position_id}").get_data(as_text=True)
    changed = admin_client.get("/handbook/handbook.pdf")
    assert len(layouts) == 2 and "手工修改的职责文字" in pdftotext(changed.data)
    assert "手工修改的职责文字" not in pdftotext(first.data)

"""Ticking in a real browser: one tap, only that row changes."""
import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from app.checklists.models import ChecklistEvent
from app.extensions import db
from tests.conftest import browser_login

pytestmark = pytest.mark.browser


def test_tick_and_untick_changes_only_that_row(app, live_server, page, make_user):
    make_user("wm", position="workshop_manager")
    browser_login(page, live_server, "wm")
    page.click("nav.mainnav >> text=点检表")
    page.wait_for_url(re.compile(r"/checklists/$"))
    expect(page.locator("h1")).to_have_text("今日点检")
    row = page.locator("tr.ck-row", has_text="夕会数据准备").first
    row_id = row.get_attribute("id")
    other = page.locator("tr.ck-row", has_text="超越系统工单").first
    # mark everything else so a reload or a wider swap would be noticed
    page.evaluate("document.querySelectorAll('tr.ck-row').forEach(r => r.dataset.keep = '1')")
    other_html = other.inner_html()
    counts = page.locator("section.ck-section", has=row).locator(".ck-counts")
    done_before = int(re.search(r"已完成 (\d+)", counts.inner_text()).group(1))
    row.locator("input[name=note]").fill("记录已存档")
    row.locator("button.tick-btn").click()
    page.wait_for_selector(f"#{row_id} >> text=已完成")
    new_row = page.locator(f"#{row_id}")
    assert "记录已存档" in new_row.inner_text() and "wm" in new_row.inner_text()
    assert new_row.get_attribute("data-keep") is None          # this row was replaced
    assert other.get_attribute("data-keep") == "1"             # the others were not
    assert other.inner_html() == other_html
    # the section's counts follow the row (out-of-band swap), no reload
    expect(counts).to_contain_text(f"已完成 {done_before + 1} /")
    new_row.locator("button.untick-btn").click()
    page.wait_for_selector(f"#{row_id} >> button.tick-btn")
    expect(counts).to_contain_text(f"已完成 {done_before} /")
    assert other.get_attribute("data-keep") == "1"
    with app.app_context():
        actions = list(db.session.scalars(select(ChecklistEvent.action).order_by(ChecklistEvent.id)))
    assert actions == ["tick", "untick"]

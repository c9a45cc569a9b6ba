"""Issuing a two-line slip in a real browser."""
import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from app.extensions import db
from app.supplies import ledger
from app.supplies.models import SupplyCategory, SupplyItem
from tests.conftest import browser_login, wait_until

pytestmark = pytest.mark.browser


def test_issue_slip_with_two_lines(app, live_server, page, make_user):
    make_user("clerk", position="workshop_clerk", can_issue_supplies=True)
    make_user("t1", position="technician", employee_no="T1")
    with app.app_context():
        from app.auth.models import User

        clerk = db.session.scalar(select(User).filter_by(username="clerk"))
        cat = db.session.scalar(select(SupplyCategory).filter_by(name="劳保用品"))
        ids = {}
        for name, unit, qty in (("手套", "副", 20), ("口罩", "盒", 5)):
            item = SupplyItem(name=name, unit=unit, category_id=cat.id)
            db.session.add(item)
            db.session.flush()
            ledger.receive(item, qty * 1000, clerk)
            ids[name] = str(item.id)
        db.session.commit()
        from app.staff.models import Employee

        t1 = str(db.session.scalar(select(Employee.id).filter_by(employee_no="T1")))
    browser_login(page, live_server, "clerk")
    page.click("nav.mainnav >> text=物资发放")
    page.wait_for_url(re.compile(r"/supplies/$"))
    page.click("nav.subnav >> text=发放")
    page.wait_for_url(re.compile(r"/supplies/slips/new$"))
    expect(page.locator("h1")).to_contain_text("新建领用单")
    # start from one line; add the second through HTMX
    page.evaluate("document.querySelectorAll('#slip-lines [data-line]').forEach((l, i) => { if (i) l.remove(); })")
    page.click("text=添加一行")
    wait_until(page, "document.querySelectorAll('#slip-lines [data-line]').length === 2")
    page.select_option("select[name=employee_id]", value=t1)
    lines = page.locator("#slip-lines [data-line]")
    lines.nth(0).locator("select").select_option(value=ids["手套"])
    lines.nth(0).locator("input[name=qty]").fill("3")
    lines.nth(1).locator("select").select_option(value=ids["口罩"])
    lines.nth(1).locator("input[name=qty]").fill("2")
    page.click("text=发放并生成领用单")
    page.wait_for_url(re.compile(r"/supplies/slips/\d+$"))
    expect(page.locator("h1")).to_contain_text("领用单 LY")
    assert "已发放" in page.inner_text(".flashes")
    assert "手套" in page.inner_text("table") and "口罩" in page.inner_text("table")
    page.click("nav.subnav >> text=库存")
    page.wait_for_url(re.compile(r"/supplies/$"))
    expect(page.locator("h1")).to_have_text("物资库存")
    rows = {r.locator("td").nth(0).inner_text().split()[0]: r.locator("td").nth(3).inner_text()
            for r in page.locator("tbody tr").all()}
    assert rows["手套"] == "17" and rows["口罩"] == "3"

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


# The text of each due line's "… ：应发 N 单位", and how many lines it takes on screen.
_DUE_LINES = r"""() => [...document.querySelectorAll('.due-card li label')].map(label => {
  const walk = document.createTreeWalker(label, NodeFilter.SHOW_TEXT);
  let node = walk.nextNode();
  while (node && !node.textContent.includes('应发')) node = walk.nextNode();
  const text = node.textContent, range = document.createRange();
  range.setStart(node, text.search(/\S/));
  range.setEnd(node, text.trimEnd().length);
  return [text.trim(), new Set([...range.getClientRects()].map(r => Math.round(r.top))).size];
})"""


def test_the_due_list_reads_on_a_phone(app, live_server, page, make_user):
    """发放标准 at 390 px: each 本期应发 line squeezed three columns (what is due, the size
    hint, the standard) beside its checkbox, and 劳保鞋：应发 1 双 wrapped almost a character
    a line. What is due reads on one line."""
    from app.org.models import Position
    from app.supplies.models import Entitlement

    make_user("clerk", position="workshop_clerk", can_issue_supplies=True)
    make_user("t1", position="technician", employee_no="T1")  # no shoe size on record: the hint shows
    with app.app_context():
        cat = db.session.scalar(select(SupplyCategory).filter_by(name="劳保用品"))
        tech = db.session.scalar(select(Position).filter_by(seed_key="technician"))
        for name, spec, unit, kind, period in (("劳保鞋", "42码", "双", "shoe", "year"), ("防滑手套", "", "副", "", "week")):
            item = SupplyItem(name=name, spec=spec, unit=unit, category_id=cat.id, size_kind=kind)
            db.session.add(item)
            db.session.flush()
            db.session.add(Entitlement(position_id=tech.id, item_id=item.id, qty=1000, period=period))
        db.session.commit()
    page.set_viewport_size({"width": 390, "height": 844})
    browser_login(page, live_server, "clerk")
    page.goto(live_server + "/supplies/entitlements")
    expect(page.locator(".due-card .ask-note")).to_contain_text("未登记鞋码")
    lines = dict(page.evaluate(_DUE_LINES))
    assert lines == {"劳保鞋：应发 1 双": 1, "防滑手套：应发 1 副": 1}

"""Counting on a phone (390×844, touch): the clerk opens a count of the 工具室, taps 在 /
缺失 item after item (HTMX: the page is not reloaded), types an asset number as a handheld
scanner would, opens an item page from its QR label and records it into the count there,
then explains the difference and signs. Nothing scrolls sideways."""
import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from app.equipment import counts, rules as register
from app.equipment.models import Count, Equipment
from app.extensions import db
from tests.conftest import browser_login, wait_until
from tests.test_equipment_counts import tool

pytestmark = pytest.mark.browser
PHONE = dict(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True, locale="zh-CN")


def fits(p) -> bool:
    return p.evaluate("document.scrollingElement.scrollWidth <= window.innerWidth")


def test_counting_a_tool_room_on_a_phone(app, live_server, browser, make_user):
    make_user("chen", position="workshop_clerk", can_manage_equipment=True)
    with app.app_context():
        for no, qty in (("ZG-01", 12), ("ZG-02", 1), ("ZG-03", 1), ("ZG-04", 1)):
            register.create(tool(no, quantity=qty, name={"ZG-01": "正时专用工具组"}.get(no)), None)
        count = counts.start("location", "工具室", None)
        db.session.commit()
        count_id = count.id
        zg04 = db.session.scalar(select(Equipment.id).filter_by(asset_no="ZG-04"))
    ctx = browser.new_context(**PHONE)
    ctx.route(re.compile(r"^https?://(?!127\.0\.0\.1)"), lambda route: route.abort())
    p = ctx.new_page()
    browser_login(p, live_server, "chen")
    p.goto(f"{live_server}/equipment/counts/{count_id}")
    # htmx loads after the page (async, its local copy once the CDN fails): a tap before it
    # is there posts the plain form, which reloads the page (it works; this test is of the
    # in-place path). It once did under load, and __still_here below was gone.
    wait_until(p, "window.htmx !== undefined")
    expect(p.locator(".count-progress")).to_contain_text("已盘 0 / 4")
    assert fits(p)
    p.evaluate("window.__still_here = true")  # gone if a tap reloaded the page
    current = p.locator(".count-current")
    expect(current).to_contain_text("正时专用工具组")
    current.locator("input[name=counted_qty]").fill("11")
    current.get_by_role("button", name="在", exact=True).tap()
    expect(p.locator(".count-progress")).to_contain_text("已盘 1 / 4")
    expect(current).to_contain_text("ZG-02")
    current.get_by_role("button", name="缺失", exact=True).tap()
    expect(p.locator(".count-progress")).to_contain_text("缺失 1")
    expect(current).to_contain_text("ZG-03")
    # a handheld scanner types the number and Enter
    scan = p.locator("input[name=asset_no]")
    scan.fill("zg-03")
    scan.press("Enter")
    expect(p.locator(".count-progress")).to_contain_text("已盘 3 / 4")
    scan = p.locator("input[name=asset_no]")
    expect(scan).to_be_focused()  # ready for the next scan
    scan.fill("XX-99")
    scan.press("Enter")
    expect(p.locator("#work [role=alert]")).to_contain_text("不在台账中")
    assert p.evaluate("window.__still_here === true")
    assert fits(p)
    # the QR label of ZG-04 opens its page, which offers the open count
    p.goto(f"{live_server}/equipment/{zg04}")
    p.get_by_role("button", name=f"记入盘点 #{count_id}").tap()
    expect(p.locator(".count-progress")).to_contain_text("已盘 4 / 4")
    expect(p.locator(".count-current")).to_contain_text("清单已全部盘完")
    # closing: the short set and the missing tool need their reasons
    p.get_by_role("link", name="说明差异并结束盘点").first.tap()
    p.get_by_role("button", name="签名并结束盘点").tap()
    expect(p.locator("[role=alert]").first).to_contain_text("差异未说明原因")
    boxes = p.locator("textarea[name^=explain-]")
    expect(boxes).to_have_count(2)
    boxes.nth(0).fill("一个套筒送修")
    boxes.nth(1).fill("借给钣金组未登记，已追回")
    assert fits(p)
    p.get_by_role("button", name="签名并结束盘点").tap()
    expect(p.locator("main, body").first).to_contain_text("已结束并签名")
    expect(p.locator("body")).to_contain_text("借给钣金组未登记，已追回")
    ctx.close()
    with app.app_context():
        closed = db.session.get(Count, count_id)
        assert closed.status == "closed" and closed.signed_name == "chen"

"""The lifts' pre-use check on a phone (390×844, touch), with the demo data: a technician
scans a lift's QR label (its item page), taps 去点检, answers the four points on the board
line of that lift and self-checks it; on the next lift a point answered 否 shows 点检异常 and
报修, which opens the fault report for that lift, pre-filled."""
import re
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from app import clock
from app.checklists.models import ChecklistMark
from app.equipment.models import Equipment
from app.extensions import db
from tests.conftest import browser_login, serve

pytestmark = pytest.mark.browser
PHONE = dict(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True, locale="zh-CN")


@pytest.fixture
def demo_server(demo_app, monkeypatch):
    # Next Monday at 07:40, before the 08:30 due time: the day's checks are open.
    tz = ZoneInfo("Asia/Shanghai")
    today = datetime.now(tz).date()
    monday = datetime.combine(today + timedelta(days=7 - today.weekday()), time(7, 40), tz)
    monkeypatch.setattr(clock, "now_utc", lambda: monday.astimezone(ZoneInfo("UTC")).replace(tzinfo=None))
    with serve(demo_app) as url:
        yield url


def answer(row, values):
    for select_box, value in zip(row.locator("select").all(), values):
        select_box.select_option(value)
    row.locator("button.selfcheck-detail-btn").tap()


def test_a_lift_checked_from_its_qr_label_and_a_failed_point_reported(demo_app, demo_server, browser):
    with demo_app.app_context():
        lifts = {e.asset_no: e.id for e in db.session.scalars(select(Equipment).where(Equipment.category == "举升设备"))}
    ctx = browser.new_context(**PHONE)
    ctx.route(re.compile(r"^https?://(?!127\.0\.0\.1)"), lambda route: route.abort())
    p = ctx.new_page()
    browser_login(p, demo_server, "hesf")

    p.goto(f"{demo_server}/equipment/{lifts['JS-01']}")  # what the label's QR code opens
    expect(p.locator("#checks")).to_contain_text("举升机班前检查")
    p.locator("#checks a", has_text="去点检").tap()
    p.wait_for_url(re.compile(r"/checklists/\?item=\d+"))
    row = p.locator(f"li.ck-row[id$='-{lifts['JS-01']}']")
    expect(row).to_contain_text("JS-01")
    row.locator("summary").tap()
    answer(row, ["yes", "yes", "yes", "yes"])
    row = p.locator(f"li.ck-row[id$='-{lifts['JS-01']}']")
    expect(row).to_contain_text("待核查")
    assert p.evaluate("document.scrollingElement.scrollWidth <= window.innerWidth")

    other = p.locator(f"li.ck-row[id$='-{lifts['JS-02']}']")
    other.locator("summary").tap()
    answer(other, ["no", "yes", "yes", "yes"])
    other = p.locator(f"li.ck-row[id$='-{lifts['JS-02']}']")
    expect(other).to_contain_text("点检异常")
    other.locator("summary").tap()
    other.locator("a", has_text="报修").tap()
    p.wait_for_url(re.compile(rf"/equipment/{lifts['JS-02']}/faults/new"))
    expect(p.locator("main")).to_contain_text("JS-02")
    expect(p.locator("textarea")).to_have_value(re.compile("液压/气路无渗漏"))
    ctx.close()

    with demo_app.app_context():
        mark = db.session.scalar(select(ChecklistMark).where(ChecklistMark.subject_id == lifts["JS-01"],
                                                             ChecklistMark.review == "pending"))
        assert mark is not None and mark.self_by.username == "hesf"

    # The workshop manager's review list: JS-02's fault is on its line and out of the bulk
    # confirmation; confirming JS-01 on its line takes the bulk button away (it offered
    # only JS-01), without reloading the page.
    ctx = browser.new_context(**PHONE)
    ctx.route(re.compile(r"^https?://(?!127\.0\.0\.1)"), lambda route: route.abort())
    p = ctx.new_page()
    browser_login(p, demo_server, "zhangwei")
    p.goto(f"{demo_server}/checklists/?show=review")
    faulty = p.locator(f"li.ck-row[id$='-{lifts['JS-02']}']")
    expect(faulty.locator("summary")).to_contain_text("⚠ 异常：液压/气路无渗漏 为“否”")
    group = p.locator("li.ck-grp", has=faulty)
    expect(group.locator(".ck-bulk button")).to_have_text("确认其余无异常的（1 台已自查）")
    expect(group.locator(".ck-fault-list")).to_contain_text("JS-02")
    p.locator(f"li.ck-row[id$='-{lifts['JS-01']}'] .ck-act button.tick-btn").tap()
    expect(p.locator(f"li.ck-row[id$='-{lifts['JS-01']}']")).to_contain_text("已完成")
    expect(group.locator(".ck-bulk")).to_have_count(0)
    expect(group.locator(".ck-fault-list")).to_contain_text("JS-02")
    ctx.close()

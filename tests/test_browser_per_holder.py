"""On a phone (390×844) with the demo data: a technician self-checks his own weekly tool
count in one tap; the workshop manager's board, filtered to what is unfinished, fits two
screens, and he confirms every waiting self-check of the item in one action."""
import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from app.auth.models import User
from app.checklists.models import ChecklistMark
from app.extensions import db
from tests.conftest import browser_login, serve

pytestmark = pytest.mark.browser
PHONE = dict(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True, locale="zh-CN")


@pytest.fixture
def demo_server(demo_app):
    with serve(demo_app) as url:
        yield url


def phone(browser):
    ctx = browser.new_context(**PHONE)
    ctx.route(re.compile(r"^https?://(?!127\.0\.0\.1)"), lambda route: route.abort())
    return ctx, ctx.new_page()


def height(p) -> int:
    return p.evaluate("document.scrollingElement.scrollHeight")


def test_technician_self_checks_his_own_and_manager_confirms_all(demo_app, demo_server, browser, tmp_path,
                                                                monkeypatch):
    # Next Monday at 10:00: a new week nobody has ticked yet (the demo's ticks stop at the
    # moment it was built), so the board is at its fullest and the weekly count is open.
    from datetime import datetime, time, timedelta
    from zoneinfo import ZoneInfo

    from app import clock

    tz = ZoneInfo("Asia/Shanghai")
    today = datetime.now(tz).date()
    monday = datetime.combine(today + timedelta(days=7 - today.weekday()), time(10, 0), tz)
    utc = monday.astimezone(ZoneInfo("UTC")).replace(tzinfo=None)
    monkeypatch.setattr(clock, "now_utc", lambda: utc)
    ctx, p = phone(browser)
    browser_login(p, demo_server, "hesf")
    p.goto(demo_server + "/checklists/?show=all")
    with demo_app.app_context():
        hesf = db.session.scalar(select(User).filter_by(username="hesf"))
        mine = hesf.employee_id
    row = p.locator("li.ck-row", has_text="专用工具清点")
    expect(row).to_have_count(1)  # his own line only, not his coworkers'
    assert row.get_attribute("id").endswith(f"-{mine}")
    row.locator("button.selfcheck-btn").tap()
    expect(p.locator(f"#{row.get_attribute('id')}")).to_contain_text("待核查")
    assert p.evaluate("document.scrollingElement.scrollWidth <= window.innerWidth")
    p.screenshot(path=str(tmp_path / "technician.png"), full_page=True)
    ctx.close()

    ctx, p = phone(browser)
    browser_login(p, demo_server, "zhangwei")
    p.goto(demo_server + "/checklists/")
    expect(p.locator(".seg a.active")).to_have_text("未完成")
    assert height(p) <= 2 * 844, height(p)  # the filtered board: at most two screens
    assert p.evaluate("document.scrollingElement.scrollWidth <= window.innerWidth")
    p.screenshot(path=str(tmp_path / "manager.png"), full_page=True)
    p.goto(demo_server + "/checklists/?show=all")
    group = p.locator("li.ck-grp", has_text="专用工具清点")
    group.locator("summary").first.tap()
    expect(group.locator(f"li.ck-row[id$='-{mine}']")).to_contain_text("待核查")
    group.locator(".ck-bulk button").tap()
    expect(p.locator(".flash, .flashes, [role=status], .notice").first).to_be_visible()
    expect(p.locator("body")).to_contain_text("已确认 1 人的自查")
    ctx.close()
    with demo_app.app_context():
        m = db.session.scalar(select(ChecklistMark).where(ChecklistMark.subject_id == mine,
                                                           ChecklistMark.review == "", ChecklistMark.done.is_(True))
                              .order_by(ChecklistMark.id.desc()))
        assert m is not None and m.self_by_id == hesf.id


def test_ticking_a_persons_line_updates_the_items_counts(demo_app, demo_server, browser, monkeypatch):
    """Inside an item for each holder, one tap on a person's line swaps that line only and
    the item's counts (out of band), without a reload."""
    from datetime import datetime, time, timedelta
    from zoneinfo import ZoneInfo

    from app import clock

    tz = ZoneInfo("Asia/Shanghai")
    today = datetime.now(tz).date()
    monday = datetime.combine(today + timedelta(days=7 - today.weekday()), time(10, 0), tz)
    monkeypatch.setattr(clock, "now_utc", lambda: monday.astimezone(ZoneInfo("UTC")).replace(tzinfo=None))
    ctx, p = phone(browser)
    browser_login(p, demo_server, "zhangwei")
    p.goto(demo_server + "/checklists/?show=all")
    group = p.locator("li.ck-grp", has_text="专用工具清点")
    count = group.locator(".ck-gcount")
    expect(count).to_contain_text("0/4")
    group.locator("summary").first.tap()
    p.evaluate("document.querySelectorAll('li.ck-row').forEach(r => r.dataset.keep = '1')")
    line = group.locator("li.ck-row", has_text="马超")
    line_id = line.get_attribute("id")
    line.locator("button.tick-btn").tap()
    expect(p.locator(f"#{line_id}")).to_contain_text("已完成")
    expect(count).to_contain_text("1/4")
    assert p.locator(f"#{line_id}").get_attribute("data-keep") is None  # this line was swapped
    assert group.locator("li.ck-row", has_text="林涛").get_attribute("data-keep") == "1"  # not the others
    ctx.close()

"""Ticking in a real browser: one tap, only that row changes."""
import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from app.checklists.models import ChecklistEvent
from app.extensions import db
from tests.conftest import browser_login, wait_until

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("optional_fields")]  # ticking, not fields


def test_tick_and_untick_changes_only_that_row(app, live_server, page, make_user):
    make_user("wm", position="workshop_manager")
    browser_login(page, live_server, "wm")
    page.click("nav.mainnav >> text=点检表")
    page.wait_for_url(re.compile(r"/checklists/$"))
    expect(page.locator("h1")).to_have_text("今日点检")
    row = page.locator("li.ck-row", has_text="夕会数据准备").first
    row_id = row.get_attribute("id")
    other = page.locator("li.ck-row", has_text="超越系统工单").first
    # mark everything else so a reload or a wider swap would be noticed
    page.evaluate("document.querySelectorAll('li.ck-row').forEach(r => r.dataset.keep = '1')")
    other_html = other.inner_html()
    counts = page.locator("section.ck-section", has=row).locator(".ck-counts")
    done_before = int(re.search(r"已完成 (\d+)", counts.inner_text()).group(1))
    # the heading of the row's kind (每日 3 项未完成) follows too
    kind = page.locator("section.ck-section", has=row).locator("h3.ck-group small").first
    open_before = int(re.search(r"(\d+) 项未完成", kind.inner_text()).group(1))
    # A note goes with the tick from the row's details; the bare tick is one tap.
    row.locator("summary").click()
    row.locator(".tick-form input[name=note]").last.fill("记录已存档")
    row.locator("button.tick-detail-btn").click()
    page.wait_for_selector(f"#{row_id} >> text=已完成")
    new_row = page.locator(f"#{row_id}")
    new_row.locator("summary").click()
    assert "记录已存档" in new_row.inner_text() and "wm" in new_row.inner_text()
    assert new_row.get_attribute("data-keep") is None          # this row was replaced
    assert other.get_attribute("data-keep") == "1"             # the others were not
    assert other.inner_html() == other_html
    # the section's counts follow the row (out-of-band swap), no reload
    expect(counts).to_contain_text(f"已完成 {done_before + 1} /")
    expect(kind).to_contain_text(f"{open_before - 1} 项未完成" if open_before > 1 else "项已完成")
    new_row.locator("button.untick-btn").click()
    page.wait_for_selector(f"#{row_id} >> button.tick-btn")
    page.locator(f"#{row_id} button.tick-btn").click()  # one tap
    page.wait_for_selector(f"#{row_id} >> text=已完成")
    expect(counts).to_contain_text(f"已完成 {done_before + 1} /")
    page.locator(f"#{row_id} summary").click()
    page.locator(f"#{row_id} button.untick-btn").click()
    page.wait_for_selector(f"#{row_id} >> button.tick-btn")
    expect(counts).to_contain_text(f"已完成 {done_before} /")
    assert other.get_attribute("data-keep") == "1"
    with app.app_context():
        actions = list(db.session.scalars(select(ChecklistEvent.action).order_by(ChecklistEvent.id)))
    assert actions == ["tick", "untick", "tick", "untick"]


def _no_sideways_scroll(page):
    assert page.evaluate("document.scrollingElement.scrollWidth <= window.innerWidth"), page.url


def test_phone_self_check_then_supervisor_confirms(app, live_server, browser, make_user):
    """On a phone (390×844, touch): a 售后内勤 sees the banner on her workspace, confirms
    reading her duties, self-checks an item; her manager sees it 待核查 and confirms it."""
    make_user("li", position="after_sales_clerk")
    make_user("wang", position="after_sales_manager")
    phone = dict(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True, locale="zh-CN")

    ctx = browser.new_context(**phone)
    ctx.route(re.compile(r"^https?://(?!127\.0\.0\.1)"), lambda route: route.abort())
    p = ctx.new_page()
    browser_login(p, live_server, "li")
    banner = p.locator("a.ws-banner")
    expect(banner).to_contain_text("请阅读并确认您的岗位职责")
    _no_sideways_scroll(p)
    banner.tap()
    p.locator("#confirm button").tap()
    expect(p.locator("#confirm")).to_contain_text("您已于")
    _no_sideways_scroll(p)
    p.goto(live_server + "/")
    expect(p.locator("a.ws-banner")).to_have_count(0)
    p.locator("text=去自查").tap()
    p.wait_for_url(re.compile(r"/checklists/$"))
    row = p.locator("li.ck-row", has_text="5K/10K客户回厂率").first
    row_id = row.get_attribute("id")
    row.locator("summary").tap()
    row.locator(".selfcheck-form").get_by_label("5K回厂率").fill("90.6")
    row.locator(".selfcheck-form input[name=note]").fill("回厂率已统计")
    row.locator("button.selfcheck-detail-btn").tap()
    expect(p.locator(f"#{row_id}")).to_contain_text("待核查")
    expect(p.locator(f"#{row_id}")).to_contain_text("已自查：回厂率已统计")
    _no_sideways_scroll(p)
    ctx.close()

    ctx = browser.new_context(**phone)
    ctx.route(re.compile(r"^https?://(?!127\.0\.0\.1)"), lambda route: route.abort())
    p = ctx.new_page()
    browser_login(p, live_server, "wang")
    expect(p.locator(".ws-todo")).to_contain_text("待核查的自查")
    expect(p.locator(".ws-todo")).to_contain_text(re.compile(r"li \d\d-\d\d \d\d:\d\d 已自查：回厂率已统计"))  # who, when
    _no_sideways_scroll(p)
    p.goto(live_server + "/checklists/")
    row = p.locator(f"#{row_id}")
    expect(row).to_contain_text("待核查")
    # he reads the self-check's details first: the line's 确认 hides, the details hold it
    row.locator("summary").tap()
    expect(row.locator(".ck-act button.tick-btn")).to_be_hidden()
    expect(row.locator("button.tick-detail-btn")).to_have_text("确认")
    expect(row.locator("button.return-btn")).to_be_visible()
    row.locator("button.tick-detail-btn").tap()
    expect(p.locator(f"#{row_id}")).to_contain_text("已完成")
    expect(p.locator(f"#{row_id}")).to_contain_text("确认人 wang")
    expect(p.locator(f"#{row_id}")).to_contain_text("点检人 li")
    expect(p.locator(f"#{row_id}")).to_contain_text("已自查：回厂率已统计")  # kept beside the confirmation
    _no_sideways_scroll(p)
    ctx.close()
    with app.app_context():
        actions = [e.action for e in db.session.scalars(select(ChecklistEvent).order_by(ChecklistEvent.id))]
    assert actions == ["selfcheck", "tick"]


def test_phone_tick_with_a_figure_and_a_photo(app, live_server, browser, make_user, tmp_path):
    """On a phone (390×844, touch) the manager ticks 回厂率 with a figure and a photo in
    the row's form; the board shows the figure flagged below target and the photo, the
    month grid shows the figure with the photo mark."""
    from app.checklists.models import ChecklistField, ChecklistItem
    from tests.imagegen import jpeg

    make_user("wang", position="after_sales_manager")
    with app.app_context():
        item = db.session.scalar(select(ChecklistItem).filter_by(seed_key="clerk_return_rate"))
        for f in item.fields:
            f.required = f.label == "5K回厂率"
        db.session.add(ChecklistField(item_id=item.id, label="看板照片", kind="photo", required=True, sort_order=9))
        db.session.commit()
        position_id = item.position_id
    photo = tmp_path / "board.jpg"
    photo.write_bytes(jpeg((1200, 900)))
    ctx = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True, locale="zh-CN")
    ctx.route(re.compile(r"^https?://(?!127\.0\.0\.1)"), lambda route: route.abort())
    p = ctx.new_page()
    browser_login(p, live_server, "wang")
    p.goto(live_server + "/checklists/")
    row = p.locator("li.ck-row", has_text="5K/10K客户回厂率").first
    row_id = row.get_attribute("id")
    expect(row.locator(".ck-tap")).to_have_text("填写并勾选")  # required figures: the row opens to its form
    row.locator("summary").tap()
    for box in row.locator(".ck-field input[type=text]").all():  # one line each, not a column's 11rem
        assert box.bounding_box()["height"] < 60, box.bounding_box()
    file_input = row.locator("input[type=file]")
    assert file_input.get_attribute("capture") == "environment"
    _no_sideways_scroll(p)
    row.get_by_label("5K回厂率").fill("80.5")
    file_input.set_input_files(str(photo))
    row.locator("button.tick-detail-btn").tap()
    done = p.locator(f"#{row_id}")
    expect(done).to_contain_text("已完成")
    done.locator("summary").tap()  # the figures and photo are in the row's details
    expect(done).to_contain_text(re.compile(r"5K回厂率：\s*80\.5%"))
    expect(done).to_contain_text("低于目标 85.0%")
    expect(done.locator(".ck-photos img")).to_have_count(1)
    wait_until(p, f"document.querySelector('#{row_id} .ck-photos img').naturalWidth > 0")  # loaded, not only placed
    _no_sideways_scroll(p)
    p.goto(live_server + f"/checklists/positions/{position_id}")
    cell = p.locator("td.cell.has-value").first
    expect(cell).to_contain_text("80.5")
    expect(cell.locator("sup")).to_have_text("照")
    _no_sideways_scroll(p)
    ctx.close()

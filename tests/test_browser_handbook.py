"""The handbook in a real browser: live search and the read confirmation."""
import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import func, select

from app.extensions import db
from app.handbook.models import ReadConfirmation
from tests.conftest import browser_login

pytestmark = pytest.mark.browser


def test_live_search_and_confirm_read(app, live_server, page, make_user):
    make_user("li", position="after_sales_clerk")
    browser_login(page, live_server, "li")
    page.click("nav.mainnav >> text=岗位手册")
    page.wait_for_url(re.compile(r"/handbook/$"))
    expect(page.locator("h1")).to_have_text("岗位职责手册")
    page.evaluate("window.__marker = 1")
    # live search: results appear while typing, without leaving the page
    page.fill("input[name=q]", "夕")
    page.type("input[name=q]", "会")
    page.wait_for_selector("#search-results mark")
    assert page.url.endswith("/handbook/")
    results = page.inner_text("#search-results")
    assert "车间文员 第 1(4) 条" in results and "术语" in results
    assert page.locator("#search-results mark").first.inner_text() == "夕会"
    # follow the hit to the duty
    page.click("#search-results >> text=车间文员 第 1(4) 条")
    page.wait_for_url(re.compile(r"/handbook/positions/\d+#duty-\d+$"))
    assert page.evaluate("window.__marker") == 1  # boosted: no full reload
    # a glossary term shows its explanation on tap (focus)
    term = page.locator("dfn.term").first
    term.click()
    assert term.locator(".term-tip").is_visible()
    # own position: confirm the read; only the confirmation box changes
    page.click("nav.mainnav >> text=岗位手册")
    page.click("text=去阅读并确认")
    page.wait_for_selector("text=我已阅读并理解")
    page.evaluate("document.querySelector('h1').dataset.keep = 'yes'")
    page.click("text=我已阅读并理解")
    page.wait_for_selector("text=您已于")
    assert page.evaluate("document.querySelector('h1').dataset.keep") == "yes"
    with app.app_context():
        assert db.session.scalar(select(func.count(ReadConfirmation.id))) == 1


def test_the_org_chart_fits_a_phone(app, live_server, browser, make_user):
    """Found on a phone: the chart opened centred in a scroll box, positions cut off, no
    hint that it scrolls. On a phone it is a vertical tree that fits the width."""
    from app.org.models import Position

    make_user("li", position="after_sales_clerk")
    with app.app_context():
        titles = set(db.session.scalars(select(Position.title).where(Position.active.is_(True))))
    context = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844}, is_mobile=True,
                                  has_touch=True)
    page = context.new_page()
    browser_login(page, live_server, "li")
    page.goto(live_server + "/handbook/")
    tree = page.locator(".orgchart .org-tree")
    expect(tree).to_be_visible()
    assert not page.locator(".orgchart svg").is_visible()
    shown = set(tree.locator("a").all_inner_texts())
    assert shown == titles                                  # every position, each once
    assert len(tree.locator("a").all_inner_texts()) == len(titles)
    right = page.evaluate("Math.max(...[...document.querySelectorAll('.org-tree a')].map(a => a.getBoundingClientRect().right))")
    assert right <= 390
    assert page.evaluate("document.querySelector('.orgchart').scrollWidth <= document.querySelector('.orgchart').clientWidth")
    assert "亦向" in tree.inner_text()                      # a second superior is named, not lost
    context.close()

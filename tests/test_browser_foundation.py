"""Real headless Chromium (Debian's package) through Playwright."""
import re

import pytest
from playwright.sync_api import expect

from tests.conftest import browser_login

pytestmark = pytest.mark.browser


def test_login_and_navigate_through_htmx(app, live_server, page, make_user):
    make_user("boss", admin=True)
    browser_login(page, live_server, "boss")
    assert page.evaluate("typeof window.htmx") == "object"
    # A marker on window survives boosted navigation: no full page reload happened.
    page.evaluate("window.__marker = 42")
    page.click("nav.mainnav >> text=员工")
    page.wait_for_url(re.compile(r"/staff/$"))
    expect(page.locator("h1")).to_have_text("员工名录")
    page.click("nav.mainnav >> text=岗位手册")
    page.wait_for_url(re.compile(r"/handbook/$"))
    expect(page.locator("h1")).to_have_text("岗位职责手册")
    assert page.evaluate("window.__marker") == 42
    assert page.locator(".org-node.external").count() >= 2
    # Live filter: typing in the staff search updates only the list, via HTMX.
    page.click("nav.mainnav >> text=员工")
    page.wait_for_url(re.compile(r"/staff/$"))
    expect(page.locator("h1")).to_have_text("员工名录")
    page.fill("input[name=q]", "zzz-nobody")
    page.wait_for_selector("text=没有符合条件的员工")
    assert page.evaluate("window.__marker") == 42
    # Logout is a POST with the CSRF token.
    page.click("text=退出")
    page.wait_for_url(re.compile(r"/auth/login"))


def test_cdn_unreachable_falls_back_to_vendored_htmx(app, live_server, page, make_user):
    app.config["HTMX_SOURCE"] = "cdn"
    make_user("boss", admin=True)
    requested = []
    page.on("request", lambda req: requested.append(req.url))
    browser_login(page, live_server, "boss")
    assert page.evaluate("htmx.version") == "2.0.11"
    assert any("cdn.jsdelivr.net" in u for u in requested)
    assert any("/static/vendor/htmx-2.0.11.min.js" in u for u in requested)


def test_phone_layout_has_menu(app, live_server, browser, make_user):
    make_user("boss", admin=True)
    context = browser.new_context(viewport={"width": 390, "height": 800}, locale="zh-CN")
    page = context.new_page()
    browser_login(page, live_server, "boss")
    assert not page.is_visible("nav.mainnav >> text=员工")
    page.click("text=☰ 菜单")
    assert page.is_visible("nav.mainnav >> text=员工")
    context.close()

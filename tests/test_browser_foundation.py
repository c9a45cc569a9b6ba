"""Real headless Chromium (Debian's package) through Playwright."""
import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

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


@pytest.mark.parametrize("url, expected", [
    ("/admin/accounts/new", "没有权限"),          # 403 for a plain employee (CSRF passes, permission fails)
    ("/handbook/positions/999999/confirm", "页面不存在"),  # 404
])
def test_htmx_error_shows_beside_the_control_never_an_alert(app, live_server, page, make_user, url, expected):
    make_user("tech", position="technician")
    browser_login(page, live_server, "tech")
    dialogs = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.goto(live_server + "/handbook/")
    page.evaluate("""(url) => {
        const b = document.createElement('button');
        b.id = 'probe'; b.textContent = '试一下'; b.setAttribute('hx-post', url);
        document.querySelector('main').prepend(b); htmx.process(b);
    }""", url)
    page.click("#probe")
    note = page.locator("#probe + .htmx-error")
    expect(note).to_contain_text(expected)
    assert dialogs == [] and page.locator("h1").first.inner_text() == "岗位职责手册"  # the page stays


def test_drag_and_drop_label_survives_an_upload_swap(app, live_server, page, make_user):
    """The file-count label and drag and drop are bound by delegation, so they keep
    working after an upload swaps the files section in."""
    from datetime import date, time

    from app.extensions import db
    from app.trainings.models import Training, TrainingCategory

    make_user("clerk", position="workshop_clerk", can_record_trainings=True)
    with app.app_context():
        from app.auth.models import User

        clerk = db.session.scalar(select(User).filter_by(username="clerk"))
        t = Training(topic="拖放测试", category_id=db.session.scalar(select(TrainingCategory.id)), held_on=date(2026, 11, 1),
                     start_time=time(9), end_time=time(10), created_by_id=clerk.id)
        db.session.add(t)
        db.session.commit()
        tid = t.id
    browser_login(page, live_server, "clerk")
    page.goto(f"{live_server}/trainings/{tid}")
    from tests import imagegen

    for round_ in range(2):  # the second time the section was swapped in by the first upload
        form = page.locator("[data-upload]").first
        form.locator("input[type=file]").set_input_files(
            [{"name": f"p{round_}.jpg", "mimeType": "image/jpeg", "buffer": imagegen.jpeg()}])
        expect(form.locator(".dropzone span")).to_have_text("已选择 1 个文件")
        form.locator("button[type=submit]").click()
        expect(page.locator(".photo")).to_have_count(round_ + 1)

"""Real headless Chromium (Debian's package) through Playwright."""
import os
import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from tests.conftest import browser_login, wait_until

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("optional_fields")]  # ticking, not fields


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


VENDORED = os.path.join(os.path.dirname(__file__), "..", "static", "vendor", "htmx-2.0.11.min.js")


def _boost_still_works(page, live_server):
    """htmx runs (exactly one copy): a boosted link swaps the page without a reload."""
    page.evaluate("window.__marker = 7")
    page.click("nav.mainnav >> text=员工")
    page.wait_for_url(re.compile(r"/staff/$"))
    expect(page.locator("h1")).to_have_text("员工名录")
    assert page.evaluate("window.__marker") == 7
    assert page.evaluate("htmx.version") == "2.0.11"


@pytest.mark.parametrize("cdn", ["unreachable", "hangs", "answers"])
def test_htmx_from_the_cdn_never_keeps_the_page_waiting(app, live_server, browser, make_user, cdn):
    """The CDN refuses, hangs (as for 8 s and more) or answers: the page renders at once
    and htmx runs, from the vendored copy or from the CDN, never both."""
    app.config["HTMX_SOURCE"] = "cdn"
    make_user("boss", admin=True)
    context = browser.new_context(locale="zh-CN")
    requested = []

    def cdn_route(route):
        requested.append(route.request.url)
        if cdn == "unreachable":
            route.abort()
        elif cdn == "answers":
            with open(VENDORED, "rb") as fh:
                route.fulfill(status=200, body=fh.read(), content_type="application/javascript",
                              headers={"Access-Control-Allow-Origin": "*"})
        # "hangs": never answered

    context.route(re.compile(r"^https://cdn\.jsdelivr\.net/"), cdn_route)
    context.route(re.compile(r"^https?://(?!127\.0\.0\.1|cdn\.jsdelivr\.net)"), lambda route: route.abort())
    page = context.new_page()
    local = []
    page.on("request", lambda req: local.append(req.url) if "/static/vendor/htmx" in req.url else None)
    page.goto(live_server + "/auth/login", wait_until="commit")
    expect(page.locator("h1")).to_have_text("登录", timeout=3000)  # rendered without waiting for the CDN
    page.fill("input[name=username]", "boss")
    page.fill("input[name=password]", "test-password-1")
    page.click("button[type=submit]")
    page.wait_for_url(live_server + "/")
    wait_until(page, "window.htmx !== undefined")
    _boost_still_works(page, live_server)
    assert requested, "the CDN was asked"
    assert bool(local) == (cdn != "answers")  # the vendored copy only when the CDN failed
    context.close()


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


def _refuse_with(app, endpoint, code):
    from flask import abort

    def refused(**kwargs):
        if code == 500:
            raise RuntimeError("boom")  # an unhandled error, as a bug would raise
        abort(code)

    app.view_functions[endpoint] = refused


def _note_tick_form(page):
    """The tick form with a note of the first row that has one (in the row's details,
    opened as a person would)."""
    row_id = page.locator("li.ck-row:visible", has=page.locator("form.tick-form:not(.has-fields) input[name=note]")) \
        .first.get_attribute("id")
    page.locator(f"#{row_id} > details > summary").click()
    return page.locator(f"#{row_id} .ck-detail form.tick-form")


@pytest.mark.parametrize("code, expected", [
    (409, "操作冲突"), (413, "文件过大"), (422, "内容有误"), (429, "操作过于频繁"), (500, "系统出错"),
])
def test_every_htmx_error_status_shows_beside_the_control(app, live_server, page, make_user, code, expected):
    """409, 413, 422, 429 and 500 from a real tick form: a Chinese message beside the form,
    no alert, the row and the page stay as they were."""
    make_user("mgr", position="after_sales_manager")
    browser_login(page, live_server, "mgr")
    dialogs = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.goto(live_server + "/checklists/?show=all")
    if code == 413:
        app.config["MAX_CONTENT_LENGTH"] = 64  # the tick's own form is larger than this
    else:
        _refuse_with(app, "checklists.do_tick", code)
    form = _note_tick_form(page)
    form.locator("input[name=note]").fill("已核对")
    form.locator("button").click()
    expect(page.locator("form.tick-form + .htmx-error").first).to_contain_text(expected)
    assert not page.locator("form.tick-form + .htmx-error").first.inner_text().startswith(str(code))  # no "422 ·"
    assert dialogs == []
    assert form.locator("input[name=note]").input_value() == "已核对"
    assert page.locator("h1").first.is_visible() and "系统出错" not in page.locator("h1").first.inner_text()


def test_expired_form_token_with_a_valid_login_is_renewed_and_the_input_kept(app, live_server, page, make_user):
    """A page left open past the CSRF token's lifetime: the first tick is refused with a
    message beside it, the typed note stays, the page gets a fresh token and the second
    try succeeds."""
    import time

    make_user("mgr", position="after_sales_manager")
    browser_login(page, live_server, "mgr")
    page.goto(live_server + "/checklists/?show=all")
    form = _note_tick_form(page)
    row_id = form.evaluate("f => f.closest('li.ck-row').id")
    form.locator("input[name=note]").fill("数据已上报")
    app.config["WTF_CSRF_TIME_LIMIT"] = 1
    time.sleep(2.2)  # the page's token is now older than its lifetime
    form.locator("button").click()
    expect(page.locator(f"#{row_id} form.tick-form + .htmx-error")).to_contain_text("安全校验已过期")
    assert form.locator("input[name=note]").input_value() == "数据已上报"
    app.config["WTF_CSRF_TIME_LIMIT"] = 3600
    form.locator("button").click()
    expect(page.locator(f"#{row_id}")).to_contain_text("已完成")
    expect(page.locator(f"#{row_id}")).to_contain_text("数据已上报")


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


def test_login_messages_with_javascript_on(app, live_server, page, make_user):
    """A wrong password says so, and after five a locked-out user is told to wait: the
    boosted form shows the page the server answered, as without JavaScript."""
    make_user("tech", position="technician")
    page.goto(live_server + "/auth/login")
    def attempt(password) -> int:
        page.goto(live_server + "/auth/login")  # a fresh page each time: no race with the last swap
        page.fill("input[name=username]", "tech")
        page.fill("input[name=password]", password)
        with page.expect_response(lambda r: r.url.endswith("/auth/login") and r.request.method == "POST") as answer:
            page.click("button[type=submit]")
        page.wait_for_load_state("networkidle")  # the answer's page swapped in and settled
        return answer.value.status

    for n in range(5):
        assert attempt(f"wrong-{n}") == 401
        expect(page.locator(".field .error")).to_contain_text("用户名或密码不正确")
    assert attempt("wrong-again") == 429
    expect(page.locator(".flash-error")).to_contain_text("登录失败次数过多")
    assert "忘记密码请联系" not in page.locator(".flash-error").inner_text()


def test_an_htmx_403_on_a_link_is_a_message_at_the_top_never_in_the_tab_bar(app, live_server, page, make_user):
    make_user("tech", position="technician")
    browser_login(page, live_server, "tech")
    page.goto(live_server + "/trainings/")
    page.evaluate("""() => {
        const a = document.createElement('a');
        a.id = 'probe'; a.href = '/coverage/'; a.textContent = '覆盖矩阵';
        (document.querySelector('nav.subnav') || document.querySelector('main')).append(a); htmx.process(a);
    }""")
    page.click("#probe")
    note = page.locator("main > .page-error")
    expect(note).to_contain_text("没有权限")
    assert page.locator("nav .htmx-error").count() == 0


def test_a_refused_form_on_a_phone_brings_its_first_message_into_view(app, live_server, browser, make_user):
    """The employee form at 390 px, submitted with a hire date two years ahead (the field in
    the lower half): the page comes back (422) with the message beside 入职日期 scrolled into
    view and the cursor in the field, wherever the swap left the page."""
    make_user("boss", admin=True)
    ctx = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    page = ctx.new_page()
    try:
        browser_login(page, live_server, "boss")
        page.goto(live_server + "/staff/new")
        page.fill("input[name=employee_no]", "T009")
        page.fill("input[name=name]", "新人")
        page.fill("input[name=hire_date]", "2099-01-01")
        page.locator("main button[type=submit]").last.scroll_into_view_if_needed()
        page.locator("main button[type=submit]").last.click()
        wait_until(page, "document.querySelector('main .has-error')")
        page.wait_for_timeout(100)  # after the settle
        box = page.evaluate("(() => { const r = document.querySelector('main .has-error').getBoundingClientRect();"
                            " return [r.top, r.bottom, window.innerHeight]; })()")
        assert 0 <= box[0] and box[1] <= box[2], box
        assert "90天" in page.locator("main .has-error").inner_text()
        assert page.evaluate("document.activeElement.name") == "hire_date"
        assert page.evaluate("window.scrollY") > 0  # the field is below the first screen
    finally:
        ctx.close()


def test_a_form_answered_in_place_leaves_the_address_of_its_page(app, live_server, page, make_user):
    """A boosted form whose answer is a page, not a redirect (a temporary password shown
    once, a form refused with its messages), keeps the address bar at the page the form was
    on: the POST's own URL there would be asked for with GET on a reload (405)."""
    make_user("boss", admin=True)
    make_user("tech", position="technician")
    browser_login(page, live_server, "boss")
    page.goto(live_server + "/admin/accounts/")
    page.on("dialog", lambda d: d.accept())
    row = page.locator("tr", has_text="tech").first
    row.locator("button", has_text="重置密码").click()
    page.wait_for_selector("p.secret code")
    assert page.url.endswith("/admin/accounts/"), page.url
    page.reload()
    assert page.locator("h1").first.inner_text() != "405" and page.locator("p.secret").count() == 0


def test_a_swap_never_writes_an_inline_style_the_policy_refuses(app, live_server, page, make_user):
    """htmx settles a swapped element's attributes from the one it replaces; with `style`
    among them, an element that carries an empty style attribute (left by the CSSOM: a
    screenshot tool hiding the caret, an extension) had it written back with setAttribute,
    which the Content-Security-Policy (no inline styles) refuses with a console error. The
    boosted password form, answered 422 in place, swaps its inputs (same ids) without one."""
    make_user("tech", position="technician")
    browser_login(page, live_server, "tech")
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(live_server + "/auth/password")
    page.evaluate("() => document.querySelectorAll('input, textarea').forEach(e => {"
                  "e.style.caretColor = 'transparent'; e.style.caretColor = ''; })")
    assert page.evaluate("() => document.querySelectorAll('input[style]').length") > 0
    page.fill("input[name=current]", "wrong-password")
    page.fill("input[name=new]", "another-password-2026")
    page.fill("input[name=confirm]", "another-password-2026")
    with page.expect_response(lambda r: r.url.endswith("/auth/password") and r.request.method == "POST") as answer:
        page.click("main button[type=submit]")
    assert answer.value.status == 422
    page.wait_for_timeout(300)  # htmx settles 20 ms after the swap
    assert not [e for e in errors if "Content Security Policy" in e or "inline style" in e], errors

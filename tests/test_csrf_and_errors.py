from sqlalchemy import func, select

from app.extensions import db
from app.org.models import Position


def test_post_without_csrf_token_is_refused_and_changes_nothing(app, admin_client):
    with app.app_context():
        before = db.session.scalar(select(func.count(Position.id)))
    r = admin_client.post("/org/positions", data={"title": "钣金技师", "department": "售后服务部"})
    assert r.status_code == 400
    assert "安全校验" in r.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count(Position.id))) == before


def test_login_without_csrf_is_refused(client, make_user):
    make_user("li")
    from tests.conftest import TEST_PASSWORD

    r = client.post("/auth/login", data={"username": "li", "password": TEST_PASSWORD})
    assert r.status_code == 400


def test_htmx_request_carries_token_in_header(admin_client):
    token = admin_client.csrf()
    r = admin_client.post(
        "/org/positions",
        data={"title": "钣金技师", "department": "售后服务部"},
        headers={"X-CSRFToken": token, "HX-Request": "true"},
    )
    assert r.status_code == 303


def test_error_pages_are_chinese(client, admin_client):
    r = admin_client.get("/no/such/page")
    assert r.status_code == 404 and "页面不存在" in r.get_data(as_text=True)
    r = admin_client.get("/org/positions")  # POST-only route
    assert r.status_code == 405 and "不支持的操作" in r.get_data(as_text=True)


def test_413_page(app, admin_client):
    app.config["MAX_CONTENT_LENGTH"] = 1000
    r = admin_client.post("/staff/import", data={"file": (__import__("io").BytesIO(b"x" * 5000), "a.csv")})
    assert r.status_code == 413
    assert "文件过大" in r.get_data(as_text=True)


def test_500_page_has_no_stack_trace(app, client, make_user):
    app.config["PROPAGATE_EXCEPTIONS"] = False

    @app.get("/boom")
    def boom():  # pragma: no cover - the body is the point
        raise RuntimeError("secret internals")

    make_user("boss", admin=True)
    client.login("boss")
    r = client.get("/boom")
    text = r.get_data(as_text=True)
    assert r.status_code == 500
    assert "系统出错" in text and "secret internals" not in text and "Traceback" not in text


def test_400_and_403_pages(app, client, make_user):
    make_user("tech", position="technician")
    client.login("tech")
    r = client.get("/admin/accounts/")
    assert r.status_code == 403 and "没有权限" in r.get_data(as_text=True)
    assert "请联系售后经理或管理员" in r.get_data(as_text=True)


def test_the_403_page_does_not_send_the_after_sales_manager_to_himself(client, make_user):
    make_user("boss", position="after_sales_manager")
    client.login("boss")
    for headers in ({}, {"HX-Request": "true"}):
        r = client.get("/admin/accounts/", headers=headers)
        text = r.get_data(as_text=True)
        assert r.status_code == 403 and "没有权限" in text
        assert "请联系管理员" in text and "售后经理" not in text.split("没有权限", 1)[1].split("</main>")[0]


def test_fragment_for_htmx_and_full_page_otherwise(admin_client):
    full = admin_client.get("/staff/")
    frag = admin_client.get("/staff/", headers={"HX-Request": "true"})
    boosted = admin_client.get("/staff/", headers={"HX-Request": "true", "HX-Boosted": "true"})
    assert "<html" in full.get_data(as_text=True)
    assert "<html" not in frag.get_data(as_text=True) and "<table" in frag.get_data(as_text=True)
    assert "<html" in boosted.get_data(as_text=True)
    assert "HX-Request" in full.headers.get("Vary", "")


def test_htmx_from_cdn_with_sri_and_local_fallback(app, admin_client):
    app.config["HTMX_SOURCE"] = "cdn"
    html = admin_client.get("/").get_data(as_text=True)
    assert 'data-sri="sha384-' in html and "htmx.org@2.0.11" in html
    assert "js/load-htmx.js" in html and "vendor/htmx-2.0.11.min.js" in html
    app.config["HTMX_SOURCE"] = "local"
    html = admin_client.get("/").get_data(as_text=True)
    assert "cdn.jsdelivr.net" not in html and "vendor/htmx-2.0.11.min.js" in html


def test_vendored_htmx_matches_the_sri_hash(app):
    import base64
    import hashlib
    import os

    from app.web import HTMX_LOCAL, HTMX_SRI

    data = open(os.path.join(app.static_folder, HTMX_LOCAL), "rb").read()
    assert "sha384-" + base64.b64encode(hashlib.sha384(data).digest()).decode() == HTMX_SRI


def test_htmx_request_after_the_login_expired_redirects_the_page(client):
    """Not the login form inside the live-search results: HX-Redirect to the login page,
    with `next` the page the user was on."""
    r = client.get("/handbook/search?q=客户", headers={"HX-Request": "true",
                                                      "HX-Current-URL": "http://localhost/handbook/positions/3?x=1"})
    assert r.status_code == 204 and r.data == b""
    assert r.headers["HX-Redirect"] == "/auth/login?next=/handbook/positions/3?x%3D1"
    plain = client.get("/handbook/search?q=a")
    assert plain.status_code == 302 and "/auth/login?next=/handbook/search?q%3Da" in plain.headers["Location"]


def test_htmx_post_after_the_login_expired_redirects_not_a_form_error(client, make_user):
    """A tick sent after the login ended (its session held the token's secret): to the
    login page, back to the board afterwards, never "表单已过期" in the row."""
    r = client.post("/checklists/items/3/2026-11-28/tick", data={"csrf_token": "stale", "note": "x"},
                    headers={"HX-Request": "true", "HX-Current-URL": "http://localhost/checklists/?day=2026-11-28"})
    assert r.status_code == 204
    assert r.headers["HX-Redirect"] == "/auth/login?next=/checklists/?day%3D2026-11-28"


def test_expired_token_with_a_valid_login_gets_a_fresh_one(app, client, make_user, optional_fields):
    """The refusal carries a fresh token; sent again with it, the same request passes."""
    from sqlalchemy import select

    from app.checklists.models import ChecklistMark
    from app.extensions import db

    make_user("mgr", position="after_sales_manager")
    client.login("mgr")
    with app.app_context():
        from app.checklists.models import ChecklistItem

        item = db.session.scalar(select(ChecklistItem).filter_by(seed_key="clerk_return_rate"))
        from app import clock

        url = f"/checklists/items/{item.id}/{clock.local_now().date().isoformat()}/tick"
    headers = {"HX-Request": "true", "HX-Current-URL": "http://localhost/checklists/"}
    r = client.post(url, data={"note": "已统计"}, headers={**headers, "X-CSRFToken": "expired-token"})
    assert r.status_code == 400 and "安全校验已过期" in r.get_data(as_text=True)
    fresh = r.headers["X-CSRF-Refresh"]
    with app.app_context():
        assert db.session.scalar(select(ChecklistMark).filter_by(item_id=item.id, done=True)) is None
    r = client.post(url, data={"note": "已统计"}, headers={**headers, "X-CSRFToken": fresh})
    assert r.status_code == 200
    with app.app_context():
        assert db.session.scalar(select(ChecklistMark).filter_by(item_id=item.id, done=True)).note == "已统计"


def test_every_page_carries_the_csp_without_inline_code(app, admin_client):
    for url in ("/", "/handbook/", "/auth/login", "/nope-404"):
        csp = admin_client.get(url).headers["Content-Security-Policy"]
        assert "script-src 'self';" in csp and "style-src 'self';" in csp and "frame-ancestors 'self'" in csp
        assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    app.config["HTMX_SOURCE"] = "cdn"
    csp = admin_client.get("/").headers["Content-Security-Policy"]
    assert "script-src 'self' https://cdn.jsdelivr.net;" in csp
    # and no template serves inline script, inline handlers or style attributes to a browser
    import pathlib
    import re

    root = pathlib.Path(app.root_path).parent / "templates"
    for path in root.rglob("*.html"):
        if path.parts[-2] == "print":
            continue  # rendered by WeasyPrint only
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"<script(?![^>]*\bsrc=)", text), path
        markup = re.sub(r"{{.*?}}|{%.*?%}", "", text, flags=re.S)  # the HTML, not Jinja's own `only=` arguments
        assert not re.search(r"\son[a-z]+=", markup), path
        assert ' style="' not in text and "js:" not in text, path


def test_over_https_hsts_and_secure_cookies(app, client, make_user):
    from tests.conftest import CSRF_RE, TEST_PASSWORD

    make_user("li")
    r = client.get("/auth/login", base_url="https://localhost")
    assert r.headers["Strict-Transport-Security"].startswith("max-age=")
    token = CSRF_RE.search(r.get_data(as_text=True))
    r = client.post("/auth/login", base_url="https://localhost", headers={"Referer": "https://localhost/auth/login"},
                    data={"username": "li", "password": TEST_PASSWORD, "remember": "y",
                          "csrf_token": token.group(1) or token.group(2)})
    cookies = r.headers.getlist("Set-Cookie")
    assert r.status_code == 302 and len(cookies) >= 2 and all("; Secure" in c for c in cookies)
    assert "Strict-Transport-Security" not in client.get("/auth/login").headers  # plain http: none


def test_forwarded_address_only_from_trusted_proxies(app, make_user):
    """Throttling sees X-Forwarded-For only when TRUSTED_PROXIES says a proxy sets it."""
    from app import create_app
    from app.auth.models import LoginAttempt
    from app.extensions import db
    from sqlalchemy import select
    from tests.conftest import Client

    def attempt(application):
        c = Client(application.test_client())
        c.post_form("/auth/login", {"username": "ghost", "password": "wrong-password-1"},
                    headers={"X-Forwarded-For": "203.0.113.9"})
        with application.app_context():
            return db.session.scalar(select(LoginAttempt.ip).order_by(LoginAttempt.id.desc()).limit(1))

    assert attempt(app) == "127.0.0.1"  # no proxy configured: the header is ignored
    behind = create_app({**app.config, "TRUSTED_PROXIES": 1})
    assert attempt(behind) == "203.0.113.9"


def test_select_options_escape_and_mark_the_chosen_one():
    from app.safe_html import select_options

    html = select_options([(1, "张伟"), (12, "<b>李&四</b>"), (2, "王五")], selected=12)
    assert html == ('<option value="1">张伟</option><option value="12" selected>&lt;b&gt;李&amp;四&lt;/b&gt;</option>'
                    '<option value="2">王五</option>')
    assert " selected" not in select_options([(1, "a")], None) and select_options([], 3) == ""

from sqlalchemy import func, select

from app.audit.models import AuditEntry
from app.auth.models import LoginAttempt, User
from app.extensions import db
from tests.conftest import TEST_PASSWORD


def test_login_and_logout(client, make_user):
    make_user("li", position="technician")
    r = client.login("li")
    assert r.status_code == 302 and r.headers["Location"] == "/"
    home = client.get("/")
    assert home.status_code == 200
    assert "您好，li" in home.get_data(as_text=True)
    r = client.logout()
    assert r.status_code == 303
    assert client.get("/").status_code == 302  # back to the login page


def test_login_required_redirects_with_next(client):
    r = client.get("/staff/")
    assert r.status_code == 302
    assert "/auth/login?next=" in r.headers["Location"]


def test_wrong_password_and_unknown_user_get_same_message(client, make_user):
    make_user("li")
    wrong = client.login("li", "wrong-password-9")
    unknown = client.login("nobody", "wrong-password-9")
    assert wrong.status_code == unknown.status_code == 401
    text_wrong, text_unknown = wrong.get_data(as_text=True), unknown.get_data(as_text=True)
    assert "用户名或密码不正确" in text_wrong and "用户名或密码不正确" in text_unknown
    # nothing in the page says which of the two was wrong
    strip = lambda t: t.replace("nobody", "X").replace('value="li"', 'value="X"')  # noqa: E731
    import re

    token = re.compile(r'value="[^"]{40,}"|"X-CSRFToken": "[^"]+"')
    assert token.sub("", strip(text_wrong)) == token.sub("", strip(text_unknown))


def test_next_is_followed_only_when_on_site(client, make_user):
    make_user("li")
    r = client.post_form("/auth/login?next=/staff/", {"username": "li", "password": TEST_PASSWORD})
    assert r.headers["Location"] == "/staff/"
    client.logout()
    r = client.post_form("/auth/login?next=https://evil.example/x", {"username": "li", "password": TEST_PASSWORD})
    assert r.headers["Location"] == "/"
    client.logout()
    r = client.post_form("/auth/login?next=//evil.example/x", {"username": "li", "password": TEST_PASSWORD})
    assert r.headers["Location"] == "/"


def test_throttled_after_repeated_failures_per_account(app, client, make_user):
    make_user("li")
    for _ in range(app.config["LOGIN_MAX_FAILURES_PER_USER"]):
        assert client.login("li", "bad-password-1").status_code == 401
    # even the right password is refused while locked
    r = client.login("li")
    assert r.status_code == 429
    assert "登录失败次数过多" in r.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count(LoginAttempt.id))) == 5


def test_throttle_counts_in_database_across_processes(app, make_user):
    """A second app instance (another worker) sees the failures counted by the first."""
    make_user("li")
    first = app.test_client()
    from tests.conftest import Client

    c1 = Client(first)
    for _ in range(5):
        c1.login("li", "bad-password-1")
    from app import create_app

    other = create_app(dict(app.config))
    c2 = Client(other.test_client())
    assert c2.login("li").status_code == 429


def test_throttle_per_address(app, client, make_user):
    app.config["LOGIN_MAX_FAILURES_PER_IP"] = 3
    make_user("li")
    for name in ("a1", "a2", "a3"):
        client.login(name, "bad-password-1")
    assert client.login("li").status_code == 429


def test_failed_and_successful_logins_are_audited(app, client, make_user):
    make_user("li")
    client.login("li", "bad-password-1")
    client.login("li")
    with app.app_context():
        actions = db.session.scalars(select(AuditEntry.action).order_by(AuditEntry.id.desc()).limit(2)).all()
    assert actions == ["login", "login_failed"]


def test_default_hash_is_owasp_scrypt(app):
    from app.config import defaults

    assert defaults(app.instance_path)["PASSWORD_HASH_METHOD"] == "scrypt:32768:8:3"
    with app.app_context():
        app.config["PASSWORD_HASH_METHOD"] = defaults(app.instance_path)["PASSWORD_HASH_METHOD"]
        user = User(username="x")
        user.set_password("correct-horse-1")
        assert user.password_hash.startswith("scrypt:32768:8:3$")
        assert user.check_password("correct-horse-1")
        assert not user.check_password("correct-horse-2")


def test_session_cookie_flags(app, client, make_user):
    make_user("li")
    r = client.login("li")
    cookie = r.headers.get("Set-Cookie")
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert app.config["PERMANENT_SESSION_LIFETIME"].total_seconds() == 12 * 3600


def test_secure_cookie_setting(monkeypatch, tmp_path):
    monkeypatch.setenv("SESSION_COOKIE_SECURE", "1")
    monkeypatch.setenv("SESSION_LIFETIME_HOURS", "2")
    from app.config import defaults

    cfg = defaults(str(tmp_path))
    assert cfg["SESSION_COOKIE_SECURE"] is True
    assert cfg["PERMANENT_SESSION_LIFETIME"].total_seconds() == 7200


def test_change_password(app, client, make_user):
    make_user("li")
    client.login("li")
    bad = client.post_form("/auth/password", {"current": "nope-nope-1", "new": "new-password-22", "confirm": "new-password-22"})
    assert bad.status_code == 422 and "当前密码不正确" in bad.get_data(as_text=True)
    weak = client.post_form("/auth/password", {"current": TEST_PASSWORD, "new": "short", "confirm": "short"})
    assert weak.status_code == 422 and "密码至少" in weak.get_data(as_text=True)
    ok = client.post_form("/auth/password", {"current": TEST_PASSWORD, "new": "new-password-22", "confirm": "new-password-22"})
    assert ok.status_code == 303
    assert client.get("/").status_code == 200  # still logged in with the new session version
    client.logout()
    assert client.login("li").status_code == 401
    assert client.login("li", "new-password-22").status_code == 302


def test_password_change_logs_out_other_sessions(app, make_user):
    from tests.conftest import Client

    make_user("li")
    a, b = Client(app.test_client()), Client(app.test_client())
    a.login("li")
    b.login("li")
    a.post_form("/auth/password", {"current": TEST_PASSWORD, "new": "new-password-22", "confirm": "new-password-22"})
    assert a.get("/").status_code == 200
    assert b.get("/").status_code == 302


def test_deactivated_account_cannot_log_in(app, client, make_user):
    user = make_user("li")
    with app.app_context():
        db.session.get(User, user.id).active = False
        db.session.commit()
    assert client.login("li").status_code == 401

"""Server-side login sessions, absolute lifetime, and login throttling that nobody can
turn against a colleague."""
from datetime import timedelta

from sqlalchemy import select

from app.auth.models import LoginSession
from app.database import utcnow
from app.extensions import db
from tests.conftest import TEST_PASSWORD, Client


def cookie(client, name):
    c = client.get_cookie(name)
    return c.value if c else None


def logged_in(client) -> bool:
    r = client.get("/checklists/")
    return r.status_code == 200


def test_logout_ends_the_session_on_the_server(app, client, make_user):
    make_user("li")
    client.post_form("/auth/login", {"username": "li", "password": TEST_PASSWORD, "remember": "y"})
    session_cookie, remember_cookie = cookie(client, "session"), cookie(client, "remember_token")
    assert session_cookie and remember_cookie and logged_in(client)
    client.logout()
    assert not logged_in(client)
    # replaying either cookie after logout gives the login page
    client.set_cookie("session", session_cookie)
    r = client.get("/checklists/")
    assert r.status_code == 302 and "/auth/login" in r.headers["Location"]
    client.delete_cookie("session")
    client.set_cookie("remember_token", remember_cookie)
    r = client.get("/checklists/")
    assert r.status_code == 302 and "/auth/login" in r.headers["Location"]
    with app.app_context():
        row = db.session.scalar(select(LoginSession))
        assert row.ended_reason == "logout" and row.ended_at is not None


def test_absolute_lifetime_holds_for_remember_me_too(app, client, make_user):
    make_user("li")
    client.post_form("/auth/login", {"username": "li", "password": TEST_PASSWORD, "remember": "y"})
    remember_cookie = cookie(client, "remember_token")
    assert logged_in(client)
    with app.app_context():
        row = db.session.scalar(select(LoginSession))
        row.created_at = utcnow() - timedelta(hours=app.config["SESSION_ABSOLUTE_HOURS"] + 1)
        db.session.commit()
    assert not logged_in(client)
    client.delete_cookie("session")
    client.set_cookie("remember_token", remember_cookie)
    assert not logged_in(client)
    with app.app_context():
        assert db.session.scalar(select(LoginSession)).ended_reason == "expired"


def seen_long_ago(app, **delta):
    with app.app_context():
        row = db.session.scalar(select(LoginSession).order_by(LoginSession.id.desc()))
        row.last_seen_at = utcnow() - timedelta(**delta)
        db.session.commit()


def test_a_login_left_unused_ends_on_the_server_unless_remembered(app, client, make_user):
    """The 12-hour idle lifetime holds on the server too (a copied cookie replayed later
    does not revive it); remember-me is meant to outlive idle browsers."""
    make_user("li")
    client.login("li")
    assert logged_in(client)
    seen_long_ago(app, hours=13)
    assert not logged_in(client)
    with app.app_context():
        assert db.session.scalar(select(LoginSession)).ended_reason == "idle"
    other = Client(app.test_client())
    other.post_form("/auth/login", {"username": "li", "password": TEST_PASSWORD, "remember": "y"})
    seen_long_ago(app, hours=13)
    assert logged_in(other)


def test_the_cookie_is_signed_anew_when_the_login_records_its_use(app, client, make_user):
    """Not on every page (that costs each view a signing), but every few minutes of use,
    so the idle lifetime still slides."""
    make_user("li")
    client.login("li")
    client.get("/checklists/")
    for _ in range(2):
        r = client.get("/checklists/")
        assert r.status_code == 200 and "session=" not in r.headers.get("Set-Cookie", "")
    seen_long_ago(app, minutes=6)
    r = client.get("/checklists/")
    assert r.status_code == 200 and "session=" in r.headers.get("Set-Cookie", "")
    with app.app_context():
        assert utcnow() - db.session.scalar(select(LoginSession.last_seen_at)) < timedelta(minutes=1)


def test_user_sees_and_ends_other_logins(app, make_user):
    make_user("li")
    phone, desk = Client(app.test_client()), Client(app.test_client())
    phone.c.environ_base.update(HTTP_USER_AGENT="Mozilla/5.0 (iPhone; CPU iPhone OS 17_0) Safari/604.1",
                                REMOTE_ADDR="10.0.0.7")
    phone.login("li")
    desk.c.environ_base.update(HTTP_USER_AGENT="Mozilla/5.0 (Windows NT 10.0) Chrome/120.0 Safari/537.36")
    desk.login("li")
    page = desk.get("/auth/password").get_data(as_text=True)
    assert "Safari · iOS" in page and "Chrome · Windows" in page and "10.0.0.7" in page and "本设备" in page
    with app.app_context():
        phone_row = db.session.scalar(select(LoginSession).filter_by(ip="10.0.0.7"))
    r = desk.post_form(f"/auth/sessions/{phone_row.id}/end")
    assert r.status_code == 303
    assert not logged_in(phone) and logged_in(desk)
    # ending everything else; and nobody ends another user's login
    phone.login("li")
    make_user("wang")
    other = Client(app.test_client())
    other.login("wang")
    with app.app_context():
        li_row = db.session.scalar(select(LoginSession).filter_by(ip="10.0.0.7", ended_at=None))
    assert other.post_form(f"/auth/sessions/{li_row.id}/end").status_code == 404
    assert logged_in(phone)
    desk.post_form("/auth/sessions/end-others")
    assert not logged_in(phone) and logged_in(desk)


def test_admin_ends_a_users_logins_and_password_change_ends_the_others(app, make_user):
    make_user("li")
    make_user("boss", admin=True)
    li1, li2, admin = (Client(app.test_client()) for _ in range(3))
    li1.login("li")
    li2.login("li")
    admin.login("boss")
    with app.app_context():
        from app.auth.models import User

        li_id = db.session.scalar(select(User.id).filter_by(username="li"))
    assert admin.post_form(f"/admin/accounts/{li_id}/end-sessions").status_code == 303
    assert not logged_in(li1) and not logged_in(li2)
    li1.login("li")
    li2.login("li")
    r = li1.post_form("/auth/password", {"current": TEST_PASSWORD, "new": "new-password-42", "confirm": "new-password-42"})
    assert r.status_code == 303
    assert logged_in(li1) and not logged_in(li2)


def test_failures_from_elsewhere_never_lock_the_account(app, make_user, monkeypatch):
    """Five failures from one address lock that address for the account, not the account:
    its owner still logs in from their own computer; many failures slow down, never lock."""
    make_user("boss", admin=True)
    attacker, owner = Client(app.test_client()), Client(app.test_client())
    attacker.c.environ_base["REMOTE_ADDR"] = "10.9.9.9"
    for _ in range(app.config["LOGIN_MAX_FAILURES_PER_USER"]):
        assert attacker.login("boss", "wrong-password-1").status_code == 401
    assert attacker.login("boss").status_code == 429  # this address is locked out for it
    assert owner.login("boss").status_code == 302      # the owner is not

    waits = []
    monkeypatch.setattr("app.auth.routes.time.sleep", lambda s: waits.append(s))
    app.config["LOGIN_SLOW_AFTER_FAILURES"] = 2
    for n in range(4):  # a distributed guess: every try from another address
        c = Client(app.test_client())
        c.c.environ_base["REMOTE_ADDR"] = f"10.8.0.{n}"
        c.login("boss", "wrong-password-1")
    assert waits and waits == sorted(waits) and max(waits) <= app.config["LOGIN_MAX_DELAY_SECONDS"]
    assert Client(app.test_client()).login("boss").status_code == 302  # slowed, not locked


def test_unknown_name_costs_a_password_check(app, client, monkeypatch):
    """An unknown user name is checked against a hash of the configured method, so it
    takes as long as a wrong password."""
    import app.auth.routes as routes

    checked = []
    real = routes.check_password_hash
    monkeypatch.setattr(routes, "check_password_hash", lambda h, p: checked.append(h) or real(h, p))
    assert client.login("nobody-here", "some-password-1").status_code == 401
    method = app.config["PASSWORD_HASH_METHOD"].split(":")[0]
    assert len(checked) == 1 and checked[0].startswith(method)


def test_parallel_failures_all_count(app, make_user):
    """16 failed logins at once (16 threads, as from several workers) count 16: each is its
    own row, so the counting has no read-modify-write race on either database."""
    import threading

    from sqlalchemy import func

    from app.auth.models import LoginAttempt

    make_user("li")
    app.config["LOGIN_MAX_FAILURES_PER_USER"] = 100
    clients = []
    for n in range(16):
        c = Client(app.test_client())
        c.c.environ_base["REMOTE_ADDR"] = f"10.7.0.{n}"
        token = c.csrf()
        clients.append((c, token))
    barrier = threading.Barrier(16)
    statuses = []

    def fail(c, token):
        barrier.wait()
        r = c.c.post("/auth/login", data={"username": "li", "password": "wrong-password-1", "csrf_token": token})
        statuses.append(r.status_code)

    threads = [threading.Thread(target=fail, args=pair) for pair in clients]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert statuses == [401] * 16
    with app.app_context():
        assert db.session.scalar(select(func.count(LoginAttempt.id)).filter_by(username="li", success=False)) == 16

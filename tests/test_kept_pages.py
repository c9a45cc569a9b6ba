"""Kept pages (app/fragments.py): a repeated view is served from the store, and nothing a
user could notice goes stale — a change made in the app or by another worker, a notice
read, a flash message, the form token, another user, the minute."""
from datetime import datetime

from sqlalchemy import event, func, insert, select, update

from app.audit.models import AuditEntry
from app.auth.models import User
from app.extensions import db
from app.notices.models import Notice
from app.staff.models import Employee
from tests.conftest import CSRF_RE, Client
from tests.test_checklists import day_after_tomorrow, freeze  # noqa: F401  (a fixture)


def count_statements(app, fetch):
    with app.app_context():
        engine = db.engine
    seen = []

    def count(*args):
        seen.append(args[2])

    event.listen(engine, "before_cursor_execute", count)
    try:
        response = fetch()
    finally:
        event.remove(engine, "before_cursor_execute", count)
    return response, seen


def test_repeated_view_is_served_kept_and_follows_a_change(app, admin_client):
    first, first_sql = count_statements(app, lambda: admin_client.get("/staff/"))
    again, again_sql = count_statements(app, lambda: admin_client.get("/staff/"))
    assert first.status_code == again.status_code == 200
    # One statement, the login's (which reads the data version and the unread notices too),
    # with no BEGIN: the page itself is not redone, and the account is not even loaded.
    assert len(again_sql) == 1 < len(first_sql), again_sql
    assert not any("password_hash" in sql for sql in again_sql)
    assert CSRF_RE.sub("", again.get_data(as_text=True)) == CSRF_RE.sub("", first.get_data(as_text=True))
    r = admin_client.post_form("/staff/new", {"name": "陈晓燕", "employee_no": "S905", "position_id": "0",
                                              "active": "y"})
    assert r.status_code in (302, 303)
    assert "陈晓燕" in admin_client.get("/staff/").get_data(as_text=True)


def test_a_change_committed_by_another_worker_shows(app, admin_client):
    """Another gunicorn worker shares only the database: its audit record is the news."""
    admin_client.get("/staff/")
    with app.app_context():
        with db.engine.begin() as conn:  # not through this process's ORM session
            conn.execute(insert(Employee).values(employee_no="S906", name="赵敏杰", active=True,
                                                 created_at=datetime(2026, 1, 5), updated_at=datetime(2026, 1, 5)))
            conn.execute(insert(AuditEntry).values(at=datetime(2026, 1, 5), actor="系统", action="employee_add",
                                                   object_type="employee", summary="另一进程"))
    assert "赵敏杰" in admin_client.get("/staff/").get_data(as_text=True)


def test_each_user_and_each_session_get_their_own(app, make_user):
    make_user("li", position="after_sales_clerk")
    make_user("wang", position="workshop_manager", employee_no="E-wang")
    li, wang, li_phone = (Client(app.test_client()) for _ in range(3))
    li.login("li"), wang.login("wang"), li_phone.login("li")
    assert "li" in li.get("/").get_data(as_text=True)
    page = wang.get("/").get_data(as_text=True)
    assert "wang" in page and "车间主任" in page and "售后内勤" not in page.split("</nav>", 1)[1][:400]
    # li's second device gets li's page, with its own session's form token, which works.
    html = li_phone.get("/").get_data(as_text=True)
    token = CSRF_RE.search(html)
    token = token.group(1) or token.group(2)
    assert token not in li.get("/").get_data(as_text=True)
    assert li_phone.post("/notices/read-all", data={"csrf_token": token}).status_code in (302, 303)


def test_the_bell_follows_a_notice_read(app, client, make_user):
    from app.notices.rules import notify

    make_user("li", position="after_sales_clerk")
    with app.app_context():
        li = db.session.scalar(select(User).filter_by(username="li"))
        notify([li], "test:kept", "training", "一条通知", "/trainings/")
        db.session.commit()
        notice_id = db.session.scalar(select(func.max(Notice.id)))
    client.login("li")
    assert 'class="nav-badge">1<' in client.get("/trainings/").get_data(as_text=True)
    assert 'class="nav-badge">1<' in client.get("/trainings/").get_data(as_text=True)
    client.post_form(f"/notices/{notice_id}/open")
    assert "nav-badge" not in client.get("/trainings/").get_data(as_text=True)


def test_a_flash_message_shows_once(app, admin_client):
    admin_client.get("/handbook/glossary")
    r = admin_client.post_form("/handbook/glossary/new", {"term": "三件套", "explanation": "座椅套、方向盘套、脚垫。",
                                                          "active": "y"}, follow_redirects=True)
    assert "术语「三件套」已保存。" in r.get_data(as_text=True)
    again = admin_client.get("/handbook/glossary").get_data(as_text=True)
    assert "三件套" in again and "已保存" not in again


def test_the_minute_is_part_of_the_page(app, admin_client, freeze):
    freeze(day_after_tomorrow(16, 29))
    before = admin_client.get("/checklists/").get_data(as_text=True)
    assert admin_client.get("/checklists/").get_data(as_text=True).count("已逾期") == before.count("已逾期")
    freeze(day_after_tomorrow(16, 31))  # 每天16:30前 items are overdue now
    after = admin_client.get("/checklists/").get_data(as_text=True)
    assert after.count("已逾期") > before.count("已逾期")


def test_a_password_to_change_is_asked_for_before_any_kept_page(app, admin_client):
    """An account flagged for a new password (by a script, with no audit record) gets the
    password form, not the page it viewed a moment ago."""
    assert admin_client.get("/staff/").status_code == 200
    with app.app_context():
        with db.engine.begin() as conn:
            conn.execute(update(User).where(User.username == "boss").values(must_change_password=True))
    r = admin_client.get("/staff/")
    assert r.status_code == 302 and "/auth/password" in r.headers["Location"]


def test_a_phone_that_changed_its_address_is_served_kept_again(app, admin_client):
    """Flask-Login marks a session seen from another address no longer fresh, once; after
    that the pages are kept again (a phone moving between Wi-Fi and 4G)."""
    admin_client.get("/staff/")
    admin_client.c.environ_base["REMOTE_ADDR"] = "10.1.2.3"
    moved, moved_sql = count_statements(app, lambda: admin_client.get("/staff/"))
    assert moved.status_code == 200 and "session=" in moved.headers.get("Set-Cookie", "")
    admin_client.get("/staff/")
    again, again_sql = count_statements(app, lambda: admin_client.get("/staff/"))
    assert again.status_code == 200 and len(again_sql) == 1 < len(moved_sql), again_sql

from sqlalchemy import select

from app.audit.models import AuditEntry
from app.auth.models import User
from app.extensions import db
from app.staff.models import Employee


def test_admin_creates_account_linked_to_employee(app, admin_client):
    admin_client.post_form("/staff/new", {"name": "陈晓燕", "employee_no": "S005", "position_id": "0", "active": "y"})
    with app.app_context():
        emp = db.session.scalar(select(Employee).filter_by(employee_no="S005"))
    r = admin_client.post_form("/admin/accounts/new", {
        "username": "chenxy", "password": "first-pass-123", "employee_id": emp.id,
        "can_record_trainings": "y", "active": "y",
    })
    assert r.status_code == 303
    with app.app_context():
        user = db.session.scalar(select(User).filter_by(username="chenxy"))
        assert user.employee_id == emp.id and user.can_record_trainings and not user.is_admin
        assert user.must_change_password
        assert db.session.scalar(select(AuditEntry).filter_by(action="user_create", object_id=str(user.id)))


def test_account_validation(admin_client):
    r = admin_client.post_form("/admin/accounts/new", {"username": "boss", "password": "short", "employee_id": 0})
    text = r.get_data(as_text=True)
    assert r.status_code == 422 and "该用户名已被使用" in text and "密码至少" in text


def test_reset_password_shows_once_and_forces_change(app, admin_client, make_user, client):
    from tests.conftest import Client

    user = make_user("li")
    r = admin_client.post_form(f"/admin/accounts/{user.id}/reset-password")
    assert r.status_code == 200 and r.headers["Cache-Control"] == "no-store"
    temp = r.get_data(as_text=True).split('<p class="secret"><code>')[1].split("</code>")[0]
    other = Client(app.test_client())
    r = other.login("li", temp)
    assert r.headers["Location"] == "/auth/password"


def test_deactivate_keeps_account_and_history(app, admin_client, make_user):
    user = make_user("li")
    r = admin_client.post_form(f"/admin/accounts/{user.id}/edit", {"username": "li", "employee_id": 0})
    assert r.status_code == 303
    with app.app_context():
        u = db.session.get(User, user.id)
        assert u is not None and u.active is False
        entry = db.session.scalar(select(AuditEntry).filter_by(action="user_update", object_id=str(user.id)))
        assert entry.before["active"] is True and entry.after["active"] is False


def test_last_admin_cannot_lose_admin(app, admin_client):
    with app.app_context():
        for u in db.session.scalars(select(User).filter(User.username != "boss")):
            u.is_admin = False
        db.session.commit()
        boss = db.session.scalar(select(User).filter_by(username="boss"))
    r = admin_client.post_form(f"/admin/accounts/{boss.id}/edit", {"username": "boss", "employee_id": 0, "active": "y"})
    assert r.status_code == 422 and "至少需要保留一个" in r.get_data(as_text=True)


def test_a_new_account_without_a_typed_password_gets_one_shown_once(app, admin_client):
    from tests.conftest import Client

    r = admin_client.post_form("/admin/accounts/new", {"username": "newbie", "password": "", "employee_id": 0,
                                                        "active": "y"})
    page = r.get_data(as_text=True)
    assert r.status_code == 200 and r.headers["Cache-Control"] == "no-store" and "账号已创建" in page
    password = page.split('<p class="secret"><code>')[1].split("</code>")[0]
    assert len(password) >= 10
    r = Client(app.test_client()).login("newbie", password)
    assert r.headers["Location"] == "/auth/password"  # first login: a password of one's own


def test_a_deactivated_users_open_session_is_told_why(app, admin_client, make_user):
    from tests.conftest import Client

    user = make_user("li")
    li = Client(app.test_client())
    li.login("li")
    assert li.get("/").status_code == 200
    assert admin_client.post_form(f"/admin/accounts/{user.id}/edit", {"username": "li", "employee_id": 0}).status_code == 303
    page = li.get("/", follow_redirects=True).get_data(as_text=True)
    assert "您的账号已停用" in page and "登录" in page


def test_the_account_of_someone_who_left_can_still_be_edited(app, admin_client, make_user):
    """An account stays linked to its employee after he leaves: its form still offers him,
    so editing the account (here: its display name) keeps the link instead of refusing it."""
    user = make_user("zhao", position="technician", employee_no="T77")
    with app.app_context():
        emp = db.session.get(User, user.id).employee
        emp.active = False
        db.session.commit()
        emp_id = emp.id
    page = admin_client.get(f"/admin/accounts/{user.id}/edit").get_data(as_text=True)
    assert f'<option value="{emp_id}" selected>T77 zhao（技师）</option>' in page
    assert f'value="{emp_id}"' not in admin_client.get("/admin/accounts/new").get_data(as_text=True)
    r = admin_client.post_form(f"/admin/accounts/{user.id}/edit", {"username": "zhao", "display_name": "赵师傅",
                                                                    "employee_id": emp_id})
    assert r.status_code == 303
    with app.app_context():
        assert db.session.get(User, user.id).employee_id == emp_id

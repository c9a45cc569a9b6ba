"""Account changes moved out of accounts/routes.py (issue 27), called without HTTP: the
checks that keep an active admin and keep an admin from locking himself out."""
from types import SimpleNamespace

import pytest
from sqlalchemy import func, select

from app.accounts.changes import Refused, create_account, end_logins, reset_password, update_account
from app.audit.models import AuditEntry
from app.auth.models import User
from app.extensions import db


def _form(**values):
    fields = dict(username="li", display_name="", employee_id=0, is_admin=False, can_record_trainings=False,
                  can_issue_supplies=False, can_manage_equipment=False, active=True, password="")
    return SimpleNamespace(**{k: SimpleNamespace(data=v) for k, v in {**fields, **values}.items()})


def _audits(action):
    return db.session.scalar(select(func.count(AuditEntry.id)).filter_by(action=action))


def test_an_account_is_created_with_a_generated_password_shown_once(app):
    with app.test_request_context():
        before = _audits("user_create")
        user, generated = create_account(_form(username=" li ", display_name=" 李 "))
        assert (user.username, user.display_name, user.must_change_password) == ("li", "李", True)
        assert generated and user.check_password(generated) and _audits("user_create") == before + 1
        typed, none = create_account(_form(username="wang", password="first-pass-123"))
        assert none is None and typed.check_password("first-pass-123")


def test_the_last_active_admin_stays_and_nobody_deactivates_himself(app, make_user):
    boss = make_user("boss2", admin=True)
    other = make_user("adm2")
    with app.test_request_context():
        for u in db.session.scalars(select(User).where(User.id != boss.id)):
            u.is_admin = False
        boss = db.session.get(User, boss.id)
        for change, field in ((dict(is_admin=False), "is_admin"), (dict(is_admin=True, active=False), "is_admin")):
            with pytest.raises(Refused, match="至少需要保留一个启用的管理员账号") as refused:
                update_account(boss, _form(username="boss2", **change), by=boss)
            assert refused.value.field == field
        other = db.session.get(User, other.id)
        other.active = other.is_admin = True  # a second active admin
        with pytest.raises(Refused, match="不能停用自己正在使用的账号") as refused:
            update_account(boss, _form(username="boss2", is_admin=True, active=False), by=boss)
        updates = _audits("user_update")
        assert refused.value.field == "active" and boss.active
        update_account(boss, _form(username="boss2", is_admin=True, active=False), by=other)
        assert not boss.active and _audits("user_update") == updates + 1


def test_a_reset_and_ending_logins_are_audited(app, make_user):
    li = make_user("li")
    with app.test_request_context():
        user = db.session.get(User, li.id)
        version = user.session_version
        resets, ends = _audits("user_password_reset"), _audits("user_sessions_ended")
        password = reset_password(user)
        assert user.check_password(password) and user.must_change_password and user.session_version == version + 1
        assert end_logins(user) == 0
        assert (_audits("user_password_reset"), _audits("user_sessions_ended")) == (resets + 1, ends + 1)

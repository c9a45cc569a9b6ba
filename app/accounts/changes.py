"""Accounts (admin): creating and changing one, with the checks that keep the app usable
(an active admin always remains, nobody deactivates the account he is using), a password
reset and ending an account's logins; each audited."""
from sqlalchemy import func, select

from app.audit.log import record, record_changes
from app.auth import sessions
from app.auth.models import User
from app.cli import generate_password
from app.extensions import db
from app.staff.models import Employee


class Refused(ValueError):
    """A change that would lock people out; `field` names the form field it belongs to."""

    def __init__(self, message: str, field: str):
        super().__init__(message)
        self.field = field


def _fill(user: User, form) -> None:
    user.username = form.username.data.strip()
    user.display_name = (form.display_name.data or "").strip()
    user.employee = db.session.get(Employee, form.employee_id.data) if form.employee_id.data else None
    user.is_admin = form.is_admin.data
    user.can_record_trainings = form.can_record_trainings.data
    user.can_issue_supplies = form.can_issue_supplies.data
    user.can_manage_equipment = form.can_manage_equipment.data
    user.active = form.active.data


def other_active_admins(user: User) -> int:
    return db.session.scalar(
        select(func.count(User.id)).where(User.is_admin.is_(True), User.active.is_(True), User.id != user.id)
    )


def create_account(form) -> tuple[User, str | None]:
    """A new account from the checked NewAccountForm, with the password typed or, when
    none was, a generated one (returned, to be shown once); changed at the first login."""
    user = User()
    _fill(user, form)
    generated = None if form.password.data else generate_password()
    user.set_password(form.password.data or generated)
    user.must_change_password = True
    db.session.add(user)
    db.session.flush()
    record("user_create", "user", user.id, summary=user.username, after=user.snapshot())
    return user, generated


def _log_out_everywhere(user: User, reason: str) -> None:
    """Every login of the account ends: the cookies' version moves on and the server-side
    logins are closed with `reason`."""
    user.session_version += 1
    sessions.end_all(user, reason)


def update_account(user: User, form, by: User) -> None:
    """Change an account from the checked AccountForm. Refuses taking away the last active
    admin and `by` deactivating his own account; a deactivated account's logins end."""
    losing_admin = user.is_admin and (not form.is_admin.data or not form.active.data)
    if losing_admin and other_active_admins(user) == 0:
        raise Refused("至少需要保留一个启用的管理员账号。", "is_admin")
    if user.id == by.id and not form.active.data:
        raise Refused("不能停用自己正在使用的账号。", "active")
    before = user.snapshot()
    _fill(user, form)
    if before["active"] and not user.active:
        _log_out_everywhere(user, "deactivated")
    db.session.flush()
    record_changes("user_update", "user", user.id, before, user.snapshot(), summary=user.username)


def close_for_leaver(employee, by=None) -> list[str]:
    """An employee marked 离职 keeps no way in (Part.on_leave): his account, if it is still
    active, is deactivated and its logins end, in the same write, with its own audit
    record. The last active admin, and the account of the person making the change, are
    left for an admin to decide on the accounts page (said in the returned lines)."""
    user = db.session.scalar(select(User).where(User.employee_id == employee.id))
    if user is None or not user.active:
        return []
    if (by is not None and user.id == by.id) or (user.is_admin and other_active_admins(user) == 0):
        return [f"{employee.name} 的账号 {user.username} 仍为启用（您正在使用，或是唯一的管理员），请在账号管理中处理。"]
    user.active = False
    _log_out_everywhere(user, "deactivated")
    db.session.flush()
    record("user_update", "user", user.id, summary=f"{user.username}：{employee.name} 离职，账号停用",
           before={"active": True}, after={"active": False})
    return [f"已停用 {employee.name} 的账号 {user.username}，其登录已结束。"]


def reset_password(user: User) -> str:
    """A new generated password (returned, to be shown once), changed at the next login;
    every login of the account ends."""
    password = generate_password()
    user.set_password(password)
    user.must_change_password = True
    _log_out_everywhere(user, "reset")
    record("user_password_reset", "user", user.id, summary=user.username)
    return password


def end_logins(user: User, keep: str | None = None) -> int:
    """End every login of the account but the one with token `keep`; how many ended."""
    ended = sessions.end_all(user, "admin", keep=keep)
    record("user_sessions_ended", "user", user.id, summary=f"{user.username}：结束 {ended} 处登录")
    return ended

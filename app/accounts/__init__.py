"""账号管理 (admin): accounts, their capabilities and sessions."""
from flask import Flask

from app.accounts import audit_routes, changes, desk, routes
from app.parts import NavEntry, Part, WorkspaceBlock, add
from app.permissions import can_manage_accounts

AUDIT_LABELS = {
    "user_sessions_ended": "结束账号的全部登录",
    "user_create": "创建账号",
    "user_update": "修改账号",
    "user_password_reset": "重置密码",
}


def bench_pages() -> list[tuple[str, str]]:
    return [("audit", "/admin/audit/")]


def register(app: Flask) -> None:
    add(app, Part(
        "accounts", blueprint=routes.bp, more_blueprints=(audit_routes.bp,), audit_labels=AUDIT_LABELS,
        bench_pages=bench_pages,
        # 管理: accounts, the audit log and the robots are one section for admins.
        nav=(NavEntry("管理", "accounts.index", order=90, active=("accounts", "audit", "notices.webhook"),
                      visible=can_manage_accounts),),
        workspace=(WorkspaceBlock("accounts.gaps", "accounts/_ws_gaps.html", desk.account_gaps, 40),),
        on_leave=changes.close_for_leaver,
    ))

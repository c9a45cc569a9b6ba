"""Logging in and out, passwords, sessions and the login throttle."""
from flask import Flask

from app.auth import routes
from app.parts import Part, add

AUDIT_LABELS = {
    "login": "登录",
    "login_failed": "登录失败",
    "logout": "退出",
    "session_end": "结束登录",
    "password_change": "修改密码",
}


def register(app: Flask) -> None:
    add(app, Part("auth", blueprint=routes.bp, audit_labels=AUDIT_LABELS, object_labels={"user": "账号"}))

"""站内通知 and the department's group robots: who is told what, once."""
from datetime import timedelta

from flask import Flask, g
from flask_login import current_user

from app.notices import routes, rules, webhook
from app.parts import Job, Part, add

AUDIT_LABELS = {"webhook_add": "添加群机器人", "webhook_remove": "停用群机器人"}


def unread_notices() -> int:
    """The bell's number in the navigation: one indexed COUNT per page, however often the
    page asks."""
    if not getattr(current_user, "is_authenticated", False):
        return 0
    if "_unread_notices" not in g:
        g._unread_notices = rules.unread_count(current_user)
    return g._unread_notices


def register(app: Flask) -> None:
    webhook.install(app)
    add(app, Part(
        "notices", blueprint=routes.bp, audit_labels=AUDIT_LABELS,
        jobs=(Job("notices-send-due", timedelta(hours=1), rules.send_due_job),),
        template_globals={"unread_notices": unread_notices},
    ))

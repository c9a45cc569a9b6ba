from flask import render_template
from flask_login import current_user, login_required
from markupsafe import Markup

from app import clock
from app.checklists.routes import GROUP_LABELS
from app.fragments import cached, kept_page
from app.main import bp
from app.main.workspace import workspace
from app.supplies.requisitions import STATUS_LABELS
from app.web import render

STATE_LABELS = {"done": "已完成", "open": "待完成", "overdue": "已逾期", "not_yet_due": "未到期"}

def _body(user) -> str:
    """The workspace's content, per user and minute (due times are whole minutes), kept
    while nothing changed (app/fragments.py); it has links only, no form token."""
    now = clock.local_now()
    return cached(("workspace", user.id, now.replace(second=0, microsecond=0)), lambda: render_template(
        "main/_workspace_body.html", ws=workspace(user, now), user=user, kind_titles=GROUP_LABELS,
        state_labels=STATE_LABELS, status_labels=STATUS_LABELS))


@bp.get("/")
@kept_page
@login_required
def index():
    """我的工作台: the person's day, and what waits for them."""
    # The string is this app's own Jinja output, autoescaped when it was rendered (bandit B704).
    return render("main/workspace.html", body=Markup(_body(current_user)))  # nosec B704

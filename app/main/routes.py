from flask_login import current_user, login_required

from app import clock
from app.checklists.routes import GROUP_LABELS
from app.main import bp
from app.main.workspace import workspace
from app.supplies.requisitions import STATUS_LABELS
from app.web import render

STATE_LABELS = {"done": "已完成", "open": "待完成", "overdue": "已逾期", "not_yet_due": "未到期"}


@bp.get("/")
@login_required
def index():
    """我的工作台: the person's day, and what waits for them."""
    return render("main/workspace.html", ws=workspace(current_user, clock.local_now()), user=current_user,
                  kind_titles=GROUP_LABELS, state_labels=STATE_LABELS, status_labels=STATUS_LABELS)

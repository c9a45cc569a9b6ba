from collections import OrderedDict
from threading import Lock

from flask import render_template
from flask_login import current_user, login_required
from markupsafe import Markup
from sqlalchemy import func, select

from app import clock
from app.audit.models import AuditEntry
from app.checklists.routes import GROUP_LABELS
from app.extensions import db
from app.main import bp
from app.main.workspace import workspace
from app.supplies.requisitions import STATUS_LABELS
from app.web import render

STATE_LABELS = {"done": "已完成", "open": "待完成", "overdue": "已逾期", "not_yet_due": "未到期"}

# The workspace's content, per user, for as long as nothing changed: every state change in
# the app writes an audit record in its transaction, so the newest audit id (one indexed
# MAX) together with the current minute (due times are whole minutes) is an exact key.
# The content has links only (no form, no CSRF token); each worker keeps its own LRU.
_CACHE: "OrderedDict[tuple, str]" = OrderedDict()
_CACHE_SIZE = 512
_lock = Lock()


def _body(user) -> str:
    now = clock.local_now()
    key = (db.engine.url.render_as_string(hide_password=True), user.id,
           db.session.scalar(select(func.max(AuditEntry.id))) or 0, now.replace(second=0, microsecond=0))
    with _lock:
        html = _CACHE.get(key)
        if html is not None:
            _CACHE.move_to_end(key)
            return html
    html = render_template("main/_workspace_body.html", ws=workspace(user, now), user=user,
                           kind_titles=GROUP_LABELS, state_labels=STATE_LABELS, status_labels=STATUS_LABELS)
    with _lock:
        _CACHE[key] = html
        while len(_CACHE) > _CACHE_SIZE:
            _CACHE.popitem(last=False)
    return html


@bp.get("/")
@login_required
def index():
    """我的工作台: the person's day, and what waits for them."""
    # The string is this app's own Jinja output, autoescaped when it was rendered (bandit B704).
    return render("main/workspace.html", body=Markup(_body(current_user)))  # nosec B704

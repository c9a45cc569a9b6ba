from flask import Blueprint
from flask_login import login_required

from app import clock
from app.main.workspace import workspace
from app.web import me, render

bp = Blueprint("main", __name__)


@bp.get("/")
@login_required
def index():
    """我的工作台: the person's day, and what waits for them."""
    return render("main/workspace.html", ws=workspace(me(), clock.local_now()), user=me())

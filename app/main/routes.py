from flask import abort
from flask_login import current_user, login_required
from sqlalchemy import func, select

from app.extensions import db
from app.main import bp
from app.org.models import Position
from app.staff.models import Employee
from app.web import render

# Parts whose issues are not built yet: the navigation shows them, the page says so.
UPCOMING = {
    "trainings": ("培训档案", "培训记录、签到表、照片和资料的归档与打印。"),
}


@bp.get("/")
@login_required
def index():
    counts = {
        "positions": db.session.scalar(select(func.count(Position.id)).where(Position.active.is_(True))),
        "employees": db.session.scalar(select(func.count(Employee.id)).where(Employee.active.is_(True))),
    }
    return render("main/index.html", counts=counts, user=current_user)


@bp.get("/section/<name>")
@login_required
def upcoming(name: str):
    if name not in UPCOMING:
        abort(404)
    title, text = UPCOMING[name]
    return render("main/upcoming.html", title=title, text=text)

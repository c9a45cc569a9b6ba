from flask_login import current_user, login_required
from sqlalchemy import func, select

from app.extensions import db
from app.main import bp
from app.org.models import Position
from app.staff.models import Employee
from app.web import render


@bp.get("/")
@login_required
def index():
    counts = {
        "positions": db.session.scalar(select(func.count(Position.id)).where(Position.active.is_(True))),
        "employees": db.session.scalar(select(func.count(Employee.id)).where(Employee.active.is_(True))),
    }
    return render("main/index.html", counts=counts, user=current_user)

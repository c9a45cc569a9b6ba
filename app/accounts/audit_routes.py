from flask import Blueprint, request
from flask_login import login_required
from sqlalchemy import or_, select

from app import params

from app.clock import local_day_range
from app.parts import audit_labels, object_labels
from app.audit.models import AuditEntry
from app.auth.models import User
from app.permissions import admin_required
from app.staff.models import Employee
from app.web import render

bp = Blueprint("audit", __name__, url_prefix="/admin/audit")


@bp.get("/")
@login_required
@admin_required
def index():
    args = request.args
    stmt = select(AuditEntry).order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
    who = (args.get("actor") or "").strip()
    if who:  # the account's username as recorded, or its holder's name (陈晓燕 finds chenxy)
        named = (select(User.username).outerjoin(Employee, Employee.id == User.employee_id)
                 .where(or_(User.display_name.contains(who, autoescape=True), Employee.name.contains(who, autoescape=True))))
        stmt = stmt.where(or_(AuditEntry.actor.contains(who, autoescape=True), AuditEntry.actor.in_(named)))
    if args.get("action"):
        stmt = stmt.where(AuditEntry.action == args["action"])
    if args.get("object_type"):
        stmt = stmt.where(AuditEntry.object_type == args["object_type"])
    if args.get("q"):
        stmt = stmt.where(AuditEntry.summary.contains(args["q"].strip(), autoescape=True))
    start = params.optional_date_arg("start")
    if start:
        stmt = stmt.where(AuditEntry.at >= local_day_range(start, start)[0])
    end = params.optional_date_arg("end")
    if end:
        stmt = stmt.where(AuditEntry.at < local_day_range(end, end)[1])
    page = params.paginate(stmt, count=False)
    return render(
        "audit/index.html", "audit/_rows.html",
        page=page, args=args, actions=audit_labels(), object_labels=object_labels(),
    )

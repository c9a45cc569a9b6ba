"""The org chart's pages (岗位与汇报关系): positions and lines; each change is a new handbook
revision of the positions concerned."""
from flask import Blueprint, flash, redirect, url_for
from flask_login import current_user, login_required

from app.forms import PostForm
from app.extensions import db
from app.handbook.org_changes import add_reporting_line, new_position, remove_reporting_line
from app.org.chart import OrgError, chart_layout
from app.org.forms import LineForm, PositionForm
from app.org.models import Position, ReportingLine, ordered_positions, with_lines
from app.permissions import can_edit_org, require
from app.staff.models import head_counts
from app.web import render

bp = Blueprint("org", __name__, url_prefix="/org")


def _page(position_form=None, line_form=None, status=200):
    positions = with_lines(ordered_positions())
    return render(
        "org/index.html",
        "org/_lines.html",
        status=status,
        positions=positions,
        chart=chart_layout(positions, head_counts()),
        position_form=position_form or PositionForm(),
        line_form=line_form or LineForm(),
        post_form=PostForm(),
    )


@bp.get("/")
@login_required
def index():
    return _page()


@bp.post("/positions")
@login_required
def create():
    require(can_edit_org)
    form = PositionForm()
    if form.validate_on_submit():
        try:
            position = new_position(form.title.data, form.department.data, form.is_external.data, current_user)
        except OrgError as exc:
            db.session.rollback()
            form.title.errors.append(str(exc))
        else:
            db.session.commit()
            flash(f"已新增岗位「{position.title}」。", "success")
            return redirect(url_for("org.index"), code=303)
    return _page(position_form=form, status=422)


@bp.post("/lines")
@login_required
def add():
    require(can_edit_org)
    form = LineForm()
    if form.validate_on_submit():
        superior = db.get_or_404(Position, form.superior_id.data)
        subordinate = db.get_or_404(Position, form.subordinate_id.data)
        try:
            add_reporting_line(superior, subordinate, current_user)
        except OrgError as exc:
            db.session.rollback()
            form.superior_id.errors.append(str(exc))
        else:
            db.session.commit()
            flash(f"已设置：「{subordinate.title}」直属于「{superior.title}」。", "success")
            return redirect(url_for("org.index"), code=303)
    return _page(line_form=form, status=422)


@bp.post("/lines/<int:line_id>/delete")
@login_required
def delete(line_id: int):
    require(can_edit_org)
    line = db.get_or_404(ReportingLine, line_id)
    if not PostForm().validate_on_submit():
        return _page(status=400)
    remove_reporting_line(line, current_user)
    db.session.commit()
    flash("已删除该汇报关系。", "success")
    return redirect(url_for("org.index"), code=303)

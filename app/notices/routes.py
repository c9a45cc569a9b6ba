from flask import abort, flash, redirect, url_for
from flask_login import current_user, login_required
from sqlalchemy import select

from app import params
from app.auth.forms import PostForm
from app.extensions import db
from app.notices import bp
from app.notices.models import Notice
from app.notices.rules import KIND_LABELS, mark_read
from app.web import render


@bp.get("/")
@login_required
def index():
    """My notices: unread first, then read, newest first within each; 50 a page."""
    stmt = (select(Notice).where(Notice.user_id == current_user.id)
            .order_by(Notice.read_at.is_not(None), Notice.id.desc()))
    page = params.paginate(stmt, count=False)
    return render("notices/index.html", notices=page.items, page=page, kinds=KIND_LABELS, post_form=PostForm())


@bp.post("/<int:notice_id>/open")
@login_required
def open_notice(notice_id: int):
    """Marks the notice read and goes to what it is about."""
    if not PostForm().validate_on_submit():
        abort(400)
    notice = db.session.get(Notice, notice_id)
    if notice is None or notice.user_id != current_user.id:
        abort(404)
    mark_read(current_user, notice.id)
    db.session.commit()
    return redirect(notice.link if notice.link.startswith("/") and not notice.link.startswith("//")
                    else url_for("notices.index"), code=303)


@bp.post("/read-all")
@login_required
def read_all():
    if not PostForm().validate_on_submit():
        abort(400)
    n = mark_read(current_user)
    db.session.commit()
    flash(f"已将 {n} 条通知标为已读。" if n else "没有未读通知。", "success")
    return redirect(url_for("notices.index"), code=303)

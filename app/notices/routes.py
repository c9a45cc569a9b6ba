from flask import Blueprint, abort, flash, redirect, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select

from app import params
from app.audit.log import record
from app.extensions import db
from app.forms import PostForm
from app.notices.models import Notice, WebhookDelivery, WebhookTarget
from app.notices.outbox import pending_count
from app.notices.rules import mark_read
from app.notices.webhook import WebhookError, check_url
from app.org.models import Position, ordered_positions
from app.parts import notice_kinds
from app.permissions import can_manage_accounts, require
from app.web import render

bp = Blueprint("notices", __name__, url_prefix="/notices")


@bp.get("/")
@login_required
def index():
    """My notices: unread first, then read, newest first within each; 50 a page."""
    stmt = (select(Notice).where(Notice.user_id == current_user.id)
            .order_by(Notice.read_at.is_not(None), Notice.created_at.desc(), Notice.id.desc()))
    page = params.paginate(stmt, count=False)
    return render("notices/index.html", notices=page.items, page=page, kinds=notice_kinds(), post_form=PostForm())


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


# --- group robots (admin) -------------------------------------------------------------------

@bp.route("/webhooks", methods=["GET", "POST"])
@login_required
def webhooks():
    """Admin: the 企业微信 / 钉钉 group robots that also receive events, and failed pushes."""
    require(can_manage_accounts)
    form = PostForm()
    error, status = "", 200
    if request.method == "POST":
        if not form.validate_on_submit():
            abort(400)
        position_id = params.to_id(request.form.get("position_id"))
        try:
            url = check_url(request.form.get("url", ""))
            if position_id and db.session.get(Position, position_id) is None:
                raise WebhookError("请选择岗位。")
        except WebhookError as exc:
            error, status = str(exc), 422
        else:
            target = WebhookTarget(position_id=position_id, url=url)
            db.session.add(target)
            db.session.flush()
            record("webhook_add", "webhook_target", target.id,
                   summary=f"群机器人：{target.position.title if target.position else '全部门'}")
            db.session.commit()
            flash("已添加群机器人。之后的通知会同时推送到该群。", "success")
            return redirect(url_for("notices.webhooks"), code=303)
    targets = db.session.scalars(select(WebhookTarget).where(WebhookTarget.active.is_(True))
                                 .order_by(WebhookTarget.id)).all()
    # newest outcome first: a row's id is when the event happened, not when it was sent or
    # given up (the worker finishes rows in any order)
    failures = db.session.scalars(select(WebhookDelivery).where(WebhookDelivery.status == "failed")
                                  .order_by(WebhookDelivery.finished_at.desc(), WebhookDelivery.id.desc())
                                  .limit(50)).all()
    sent = db.session.scalars(select(WebhookDelivery).where(WebhookDelivery.status == "sent")
                              .order_by(WebhookDelivery.finished_at.desc(), WebhookDelivery.id.desc())
                              .limit(10)).all()

    return render("notices/webhooks.html", targets=targets, failures=failures, sent=sent, error=error,
                  waiting=pending_count(),
                  positions=[p for p in ordered_positions() if not p.is_external], post_form=form,
                  values=request.form, status=status)


@bp.post("/webhooks/<int:target_id>/remove")
@login_required
def webhook_remove(target_id: int):
    require(can_manage_accounts)
    if not PostForm().validate_on_submit():
        abort(400)
    target = db.get_or_404(WebhookTarget, target_id)
    target.active = False
    record("webhook_remove", "webhook_target", target.id, summary="停用群机器人")
    db.session.commit()
    flash("已停用该群机器人。", "success")
    return redirect(url_for("notices.webhooks"), code=303)

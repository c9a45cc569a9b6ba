from flask import Blueprint, abort, flash, redirect, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import func, select

from app import clock, params
from app.extensions import db

from app.handbook.confirmations import (ConfirmError, confirm, confirmation_due, has_duties, position_status,
                                        unconfirmed_and_unwritten, valid_confirmation)
from app.handbook.drafts import MARK as DRAFT_MARK, AdoptError, add_checklist_after_edit, adopt, draft_for
from app.handbook.editing import Conflict, EditError, fill_form, input_from, save_position
from app.handbook.forms import AdoptDraftForm, ConfirmForm, DutyRowForm, GlossaryForm, PositionEditForm
from app.handbook.glossary import GlossaryError, active_terms, save_term
from app.handbook.models import GlossaryTerm, PositionRevision
from app.handbook.revisions import current_revision, current_revisions, diff, duties_of, fold, wording_only
from app.handbook.search import highlight, search
from app.org.chart import chart_layout
from app.org.models import Position, ordered_positions, with_lines
from app.parts import position_panels
from app.permissions import (can_edit_org, holds_position, is_supervisor, may_confirm_reading, may_view_position,
                             require, supervises)
from app.printing import pdf_response, render_pdf
from app.staff.models import Employee, head_counts
from app.web import me, render

bp = Blueprint("handbook", __name__, url_prefix="/handbook")


def _position(position_id: int) -> Position:
    position = db.get_or_404(Position, position_id)
    if not may_view_position(current_user, position):
        abort(404)
    return position


@bp.get("/")
@login_required
def index():
    positions = with_lines(ordered_positions())  # the chart draws every line
    mine = current_user.position
    revisions = current_revisions()
    return render(
        "handbook/index.html",
        positions=positions, chart=chart_layout(positions, head_counts()),
        revisions=revisions, mine=mine, mine_has_duties=bool(mine) and has_duties(revisions.get(mine.id)),
        mine_confirmation_due=confirmation_due(current_user, mine) if mine else None,
    )


@bp.get("/positions/<int:position_id>")
@login_required
def position(position_id: int):
    with_lines(ordered_positions(include_inactive=True))  # its superiors and subordinates, named on the page
    position = _position(position_id)
    revision = current_revision(position)
    own = holds_position(current_user, position)
    confirmation = valid_confirmation(current_user.employee, position, revision) if own and revision else None
    # the first forty holders and how many there are, in one statement (a window count)
    rows = db.session.execute(select(Employee, func.count().over())
                              .where(Employee.position_id == position.id, Employee.active.is_(True))
                              .order_by(Employee.employee_no).limit(40)).all()
    staff, staff_count = [e for e, _ in rows], rows[0][1] if rows else 0
    return render(
        "handbook/position.html", staff=staff, staff_count=staff_count,
        position=position, duties=duties_of(position), revision=revision, own=own,
        confirmation=confirmation, confirm_form=ConfirmForm(revision=revision.number if revision else ""),
        panels=position_panels(),
        draft=draft_for(position) if can_edit_org(current_user) else None,
        adopt_form=AdoptDraftForm(base_revision=str(revision.number if revision else 0)),
    )


@bp.post("/positions/<int:position_id>/confirm")
@login_required
def confirm_read(position_id: int):
    position = _position(position_id)
    form = ConfirmForm()
    require(may_confirm_reading, position)
    if not form.validate_on_submit() or not form.revision.data.isdigit():
        abort(400)
    try:
        confirmation = confirm(current_user, position, int(form.revision.data))
    except ConfirmError as exc:
        db.session.rollback()
        flash(str(exc), "warning")
        return redirect(url_for("handbook.position", position_id=position.id), code=303)
    db.session.commit()
    if request.headers.get("HX-Request") == "true" and request.headers.get("HX-Boosted") != "true":
        return render("handbook/_confirm.html", position=position, own=True,
                      revision=current_revision(position), confirmation=confirmation, confirm_form=form)
    flash("已确认阅读，谢谢。", "success")
    return redirect(url_for("handbook.position", position_id=position.id), code=303)


@bp.get("/unconfirmed")
@login_required
def unconfirmed_list():
    """Who has not confirmed reading, across every position the user supervises."""
    require(is_supervisor)
    groups, unwritten = unconfirmed_and_unwritten(me())
    return render("handbook/unconfirmed.html", groups=groups, without_duties=unwritten)


@bp.get("/positions/<int:position_id>/confirmations")
@login_required
def confirmations(position_id: int):
    position = _position(position_id)
    require(supervises, position)
    statuses = position_status(position)
    context = dict(position=position, statuses=statuses, revision=current_revision(position))
    if request.args.get("format") == "pdf":
        pdf = render_pdf("print/confirmations.html", **context)
        return pdf_response(pdf, f"{position.title}-阅读确认.pdf")
    return render("handbook/confirmations.html", **context)


def _edit_form(position: Position, revision: PositionRevision | None) -> PositionEditForm:
    form = PositionEditForm(position=position)
    if request.method == "GET":
        draft = draft_for(position) if request.args.get("draft") == "1" else None
        fill_form(form, position, revision, draft.duties if draft is not None else None)
    return form


@bp.route("/positions/<int:position_id>/edit", methods=["GET", "POST"])
@login_required
def edit(position_id: int):
    require(can_edit_org)
    position = _position(position_id)
    revision = current_revision(position)
    form = _edit_form(position, revision)
    conflict = None
    status = 200
    if request.method == "POST":
        if not form.validate_on_submit():
            status = 422
        else:
            had_draft = form.from_draft.data == "1" and draft_for(position) is not None
            try:
                saved = save_position(position, input_from(form), current_user)
                if saved is not None and had_draft:
                    add_checklist_after_edit(position)
            except Conflict as exc:
                db.session.rollback()
                conflict, status = exc.revision, 409
            except EditError as exc:
                db.session.rollback()
                for key, messages in exc.errors.items():
                    getattr(form, key).errors = list(getattr(form, key).errors) + messages
                status = 422
            else:
                db.session.commit()
                if saved is None:
                    flash("没有修改，未生成新版本。", "info")
                else:
                    flash(f"已保存为第 {saved.number} 版。", "success")
                return redirect(url_for("handbook.position", position_id=position.id), code=303)
    return render("handbook/edit.html", form=form, position=position, revision=revision,
                  conflict=conflict, status=status, draft_mark=DRAFT_MARK if form.from_draft.data == "1" else None)


@bp.post("/positions/<int:position_id>/adopt-draft")
@login_required
def adopt_draft(position_id: int):
    """One action: the reference draft becomes the position's duties (next revision)."""
    require(can_edit_org)
    position = _position(position_id)
    form = AdoptDraftForm()
    if not form.validate_on_submit():
        abort(400)
    base = form.base_revision.data or ""
    try:
        saved = adopt(position, current_user, int(base) if base.isdigit() else -1)
    except (AdoptError, Conflict) as exc:
        db.session.rollback()
        message = str(exc) if isinstance(exc, AdoptError) else "在您查看期间该岗位已被他人修改，请查看最新内容后再决定。"
        flash(message, "warning")
        return redirect(url_for("handbook.position", position_id=position.id), code=303)
    db.session.commit()
    flash(f"已采用参考草稿，保存为第 {saved.number} 版；相关点检项目已加入岗位点检表。", "success")
    return redirect(url_for("handbook.position", position_id=position.id), code=303)


@bp.get("/positions/<int:position_id>/edit/row")
@login_required
def edit_row(position_id: int):
    """One blank duty row for the editor (HTMX 'add row')."""
    require(can_edit_org)
    _position(position_id)
    index = request.args.get("index", type=params.bounded_int, default=0)
    if not 0 <= index < 500:
        abort(400)
    row = DutyRowForm(prefix=f"duties-{index}", data={"order": (index + 1) * 10})
    return render("handbook/_duty_row.html", row=row, index=index)


@bp.get("/positions/<int:position_id>/revisions")
@login_required
def revisions(position_id: int):
    position = _position(position_id)
    rows = db.session.scalars(
        select(PositionRevision).filter_by(position_id=position.id).order_by(PositionRevision.number.desc())
    ).all()
    return render("handbook/revisions.html", position=position, revisions=rows,
                  wording_only={r.number for r in rows if wording_only(r)})


def _revision(position: Position, number: int) -> PositionRevision:
    rev = db.session.scalar(select(PositionRevision).filter_by(position_id=position.id, number=number))
    if rev is None:
        abort(404)
    return rev


@bp.get("/positions/<int:position_id>/revisions/<int:number>")
@login_required
def revision(position_id: int, number: int):
    position = _position(position_id)
    rev = _revision(position, number)
    return render("handbook/revision.html", position=position, rev=rev, current=current_revision(position))


@bp.get("/positions/<int:position_id>/diff")
@login_required
def compare(position_id: int):
    position = _position(position_id)
    current = current_revision(position)
    a = request.args.get("a", type=params.bounded_int, default=max(1, (current.number if current else 1) - 1))
    b = request.args.get("b", type=params.bounded_int, default=current.number if current else 1)
    old, new = _revision(position, a), _revision(position, b)
    numbers = list(db.session.scalars(
        select(PositionRevision.number).filter_by(position_id=position.id).order_by(PositionRevision.number)
    ))
    return render("handbook/diff.html", position=position, old=old, new=new,
                  blocks=fold(diff(old.snapshot, new.snapshot)), numbers=numbers)


@bp.get("/positions/<int:position_id>/print.pdf")
@login_required
def print_position(position_id: int):
    position = _position(position_id)
    pdf = render_pdf("print/position.html", position=position, duties=duties_of(position),
                     revision=current_revision(position))
    return pdf_response(pdf, f"岗位职责说明书-{position.title}.pdf")


def handbook_context() -> dict:
    positions = [p for p in ordered_positions() if not p.is_external]
    revisions = current_revisions()
    latest = max((r.created_at for r in revisions.values()), default=None)
    duties = {p.id: duties_of(p) for p in positions}
    return {
        "positions": positions,
        "duties": duties,
        "written": [p for p in positions if duties[p.id]],  # a page each, in the org chart's order
        "unwritten": [p for p in positions if not duties[p.id]],  # then listed together on one page
        "revisions": revisions,
        "latest": latest,
    }


@bp.get("/handbook.pdf")
@login_required
def print_handbook():
    pdf = render_pdf("print/handbook.html", **handbook_context())
    return pdf_response(pdf, f"岗位职责手册-{clock.local_now():%Y%m%d}.pdf")


@bp.get("/search")
@login_required
def search_page():
    q = request.args.get("q", "").strip()
    hits = search(q)
    return render("handbook/search.html", "handbook/_search_results.html", q=q, hits=hits, highlight=highlight)


@bp.get("/glossary")
@login_required
def glossary():
    terms = active_terms() if not can_edit_org(current_user) else list(
        db.session.scalars(select(GlossaryTerm).order_by(GlossaryTerm.active.desc(), GlossaryTerm.term))
    )
    return render("handbook/glossary.html", terms=terms)


@bp.route("/glossary/new", methods=["GET", "POST"], defaults={"term_id": None})
@bp.route("/glossary/<int:term_id>/edit", methods=["GET", "POST"])
@login_required
def glossary_edit(term_id: int | None):
    require(can_edit_org)
    term = db.get_or_404(GlossaryTerm, term_id) if term_id else None
    form = GlossaryForm(obj=term)
    if form.validate_on_submit():
        try:
            saved = save_term(term, form.term.data, form.aliases.data or "", form.explanation.data, form.active.data)
        except GlossaryError as exc:
            db.session.rollback()
            getattr(form, exc.field).errors = list(getattr(form, exc.field).errors) + [str(exc)]
        else:
            db.session.commit()
            flash(f"术语「{saved.term}」已保存。", "success")
            return redirect(url_for("handbook.glossary") + f"#term-{saved.id}", code=303)
    if request.method == "GET" and term is not None:
        form.fill_from(term)
    return render("handbook/glossary_form.html", form=form, term=term,
                  status=422 if request.method == "POST" else 200)

from flask import Blueprint, abort, current_app, flash, redirect, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select

from app import clock, params
from app.checklists import results as results_rules
from app.checklists.board import (FILTERS, HolderGroup, board, overdue_rows, page_of, people_to_narrow, single_row, slots, visible_positions)
from app.checklists.fields import (FieldError, KINDS, active_fields, attendee_choices, discard, file_path, parse, values_of_events)
from app.checklists.forms import FieldForm, ItemForm, TickForm
from app.checklists.grid import month_grid, monthly_rates, position_items
from app.checklists.items import create_field, create_item, move_item, pending_target_change, update_field, update_item
from app.checklists.models import ChecklistField, ChecklistItem, ChecklistValue, TARGETS
from app.checklists.schedule import KIND_LABELS, describe
from app.checklists.targets import provider, scope_choices
from app.checklists.templating import GROUP_LABELS
from app.checklists.ticks import (TickError, confirm_all, history, resolve, return_check, self_check, subject_of, tick, untick)
from app.extensions import db
from app.handbook.revisions import duties_of
from app.org.models import Position
from app.permissions import (can_edit_org, is_supervisor, may_see_subject, may_self_check, may_view_checklist, require, supervises)
from app.printing import pdf_response, render_pdf
from app.staff.models import Employee
from app.uploads import send_stored
from app.web import ListPage, files_not_kept, is_htmx, me, render
from app.xlsxexport import Table, requested_format, table_response

bp = Blueprint("checklists", __name__, url_prefix="/checklists")

DAY_LABELS = {"daily": "当日", "weekly": "当周", "monthly": "当月", "yearly": "当年"}  # a past day's board
OVERDUE_PER_PAGE = 20  # a phone's worth of compact rows


def _helpers() -> dict:
    return {"describe": lambda item: describe(item.rule(), clock.workday_end()),
            "kind_labels": KIND_LABELS, "group_labels": GROUP_LABELS, "day_labels": DAY_LABELS,
            "tick_form": TickForm()}


def _person_choices(people, position_id: int | None) -> list[tuple[int, str]]:
    """The person picker's (id, name), of the one position chosen if any."""
    return [(e.id, e.name) for e in people if not position_id or e.position_id == position_id]


def _filters(default_show: str) -> dict:
    """The board's and the overdue list's filters, from the address (so a link or a reload
    keeps them): what to show, one position, one person."""
    show = request.args.get("show") or default_show
    if show not in FILTERS:
        show = default_show
    return {"show": show, "position": params.id_arg("position"), "person": params.id_arg("person"),
            "item": params.id_arg("item")}


@bp.get("/")
@login_required
def index():
    day = params.date_arg("date")
    today = clock.local_now().date()
    f = _filters("open" if is_supervisor(me()) else "all")
    sections = board(me(), day, only=f["position"], show=f["show"], person=f["person"], item=f["item"])
    positions, tickable = visible_positions(me())
    return render("checklists/index.html", sections=sections, day=day, today=today, board_day=day,
                  filters=f, filter_labels=FILTERS, positions=[p for p in positions if p.id in tickable],
                  people=_person_choices(people_to_narrow(positions, tickable), f["position"]), **_helpers())


def _item_and_check(item_id: int, holder: bool = False) -> ChecklistItem:
    """The item, if the user supervises its position (or, for a self-check, holds it)."""
    item = db.get_or_404(ChecklistItem, item_id)
    require(may_self_check if holder else supervises, item if holder else item.position)
    return item


def _subject_arg(value: str | None = None) -> int:
    """Whose occurrence (an employee id; 0, the position's own), from the form or the
    address; a malformed one is a 400."""
    if value is None:
        value = request.form.get("subject") or request.args.get("subject")
    try:
        return params.parse_id(value) or 0
    except params.BadParam:
        abort(400, description="人员参数无效。")


def _after_tick(item: ChecklistItem, period_key: str, error: str | None = None, subject_id: int = 0):
    if is_htmx():
        row = single_row(me(), item, period_key, subject_id)
        # On the board, the section's counts (已完成 2 / 10, 逾期 1) change with the row.
        day = params.parse_date(request.form.get("day")) if request.form.get("day") else None
        section = next(iter(board(me(), day, only=item.position_id)), None) if day else None
        group = None
        if section is not None and subject_id:
            group = next((g for g in section["groups"][item.kind] if isinstance(g, HolderGroup) and g.item is item),
                         None)
        return render("checklists/_row_update.html", row=row, error=error, section=section, board_day=day, group=group,
                      entered=request.form if error else {}, status=422 if error else 200, **_helpers())
    if error:
        flash(error, "error")
    return redirect(_back(), code=303)


def _change_mark(item_id: int, period_key: str, change, holder: bool = False, with_values: bool = False):
    """Tick, untick, self-check or return (`change`), then answer with the row (HTMX) or
    a redirect. A tick or self-check brings the values the item asks for. A refusal
    keeps the row (with what was typed) and says why beside it; no upload is left behind."""
    item = _item_and_check(item_id, holder)
    subject_id = _subject_arg()
    form = TickForm()
    if not form.validate_on_submit():
        return _after_tick(item, period_key, "；".join(sum(form.errors.values(), [])) or "提交有误。", subject_id)
    stored: list = []
    try:
        extra = {"subject_id": subject_id}
        if with_values and active_fields(item):
            values = parse(item, request.form, request.files, dict(attendee_choices(item.position_id)))
            extra.update(values=values, stored=stored)
        change(item, period_key, me(), form.note.data, **extra)
        db.session.commit()
    except PermissionError:
        db.session.rollback()
        discard(stored)
        abort(403)
    except (TickError, FieldError) as exc:
        db.session.rollback()
        discard(stored)
        if is_htmx():
            if exc.status == 422 and _period_ok(item, period_key, subject_id):
                # the row again, the message in it (and which chosen files were not kept)
                return _after_tick(item, period_key, " ".join(filter(None, (str(exc), files_not_kept()))), subject_id)
            abort(exc.status, description=str(exc))  # shown beside the control, the row stays
        flash(str(exc), "error")
        return redirect(url_for("checklists.index"), code=303)
    except BaseException:
        db.session.rollback()
        discard(stored)
        raise
    return _after_tick(item, period_key, subject_id=subject_id)


def _period_ok(item: ChecklistItem, period_key: str, subject_id: int = 0) -> bool:
    try:
        subject_of(item, resolve(item, period_key), subject_id)
    except TickError:
        return False
    return True


@bp.post("/items/<int:item_id>/<period_key>/confirm-all")
@login_required
def do_confirm_all(item_id: int, period_key: str):
    """批量确认: the supervisor confirms every waiting self-check of an item for each holder
    in one action (or the ones ticked in the list); each occurrence gets its own audit
    record, and one returned or redone meanwhile is skipped and named."""
    item = _item_and_check(item_id)
    if not TickForm().validate_on_submit():
        abort(400)
    subjects = [s for s in (_subject_arg(v) for v in request.form.getlist("subjects")) if s]
    if not subjects:
        flash("请选择要确认的人员。", "error")
        return redirect(_back(), code=303)
    try:
        occ = resolve(item, period_key)
        confirmed, skipped, flagged = confirm_all(item, period_key, me(), subjects)
        db.session.commit()
    except TickError as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return redirect(_back(), code=303)
    unit = "台设备" if item.per_equipment(occ.period) else "人"
    if confirmed:
        flash(f"「{item.title}」已确认 {len(confirmed)} {unit}的自查。", "success")
    if flagged:
        flash(f"{_names(item, occ, flagged)} 的点检记录了异常，未批量确认，请逐一查看后确认或退回。", "error")
    if skipped:
        flash(f"{_names(item, occ, skipped)} 的自查已被退回、重做或他人处理，未确认，请查看后再操作。", "error")
    return redirect(_back(), code=303)


def _names(item, occ, subject_ids) -> str:
    """The people (pieces of equipment) of these occurrences, as a message names them."""
    names = []
    for sid in subject_ids:
        try:
            names.append(subject_of(item, occ, sid).name)
        except TickError:  # no longer one of the period's subjects
            names.append(f"#{sid}")
    return "、".join(names)


def _back() -> str:
    target = request.form.get("next") or url_for("checklists.index")
    if not target.startswith("/") or target.startswith("//"):
        target = url_for("checklists.index")
    return target


@bp.post("/items/<int:item_id>/<period_key>/selfcheck")
@login_required
def do_selfcheck(item_id: int, period_key: str):
    """自查: the holder of the position marks their item done, for the supervisor to confirm."""
    return _change_mark(item_id, period_key, self_check, holder=True, with_values=True)


@bp.post("/items/<int:item_id>/<period_key>/return")
@login_required
def do_return(item_id: int, period_key: str):
    """退回: the supervisor sends a self-check back with the reason."""
    return _change_mark(item_id, period_key, return_check)


@bp.post("/items/<int:item_id>/<period_key>/tick")
@login_required
def do_tick(item_id: int, period_key: str):
    return _change_mark(item_id, period_key, tick, with_values=True)


@bp.post("/items/<int:item_id>/<period_key>/untick")
@login_required
def do_untick(item_id: int, period_key: str):
    return _change_mark(item_id, period_key, untick)


@bp.get("/items/<int:item_id>/<period_key>/history")
@login_required
def item_history(item_id: int, period_key: str):
    item = db.get_or_404(ChecklistItem, item_id)
    subject_id = _subject_arg(request.args.get("subject", ""))
    thing = item.things_in(period_key)
    if not may_view_checklist(me(), item.position) or not may_see_subject(me(), item.position,
                                                                                   subject_id, thing):
        abort(403)
    events = history(item.id, period_key, subject_id)
    if thing:
        subject = provider().subject_on(item, subject_id, None) if provider() and subject_id else None
    else:
        subject = db.session.get(Employee, subject_id) if subject_id else None
    return render("checklists/history.html", item=item, period_key=period_key, events=events, subject=subject,
                  event_values=values_of_events(e.id for e in events), **_helpers())


@bp.get("/values/<int:value_id>/<size>")
@login_required
def value_file(value_id: int, size: str):
    """A recorded photo (full/print/thumb JPEG) or file (a download with its name), for
    those who may see the item's position. Never rendered inline as HTML."""
    value = db.get_or_404(ChecklistValue, value_id)
    item = db.get_or_404(ChecklistItem, value.item_id)
    if not may_view_checklist(me(), item.position) or not value.file_key or \
            not may_see_subject(me(), item.position, value.subject_id, item.things_in(value.period_key)):
        abort(404)
    if value.kind != "photo":
        return send_stored(file_path(value), value.file_mime, value.file_name)
    if size not in ("full", "print", "thumb"):
        abort(404)
    return send_stored(file_path(value, size), "image/jpeg")


@bp.get("/items/<int:item_id>/results")
@login_required
def item_results(item_id: int):
    """An item's recorded figures over time: a table of the month, the month's average,
    sum, minimum and maximum, and charts (figures as a line with the target, counts per
    day, week or month)."""
    item = db.get_or_404(ChecklistItem, item_id)
    if not may_view_checklist(me(), item.position):
        abort(403)
    year, month = params.month_arg()
    group = request.args.get("group") if request.args.get("group") in results_rules.GROUPS else "day"
    span = min(max(request.args.get("span", type=params.bounded_int) or 3, 1), 12)
    prev_m = (year - 1, 12) if month == 1 else (year, month - 1)
    next_m = (year + 1, 1) if month == 12 else (year, month + 1)
    return render("checklists/results.html", item=item, year=year, month=month, group=group, span=span,
                  r=results_rules.report(item, year, month, span, group, clock.local_now(), _person_arg(item.position)),
                  may_edit=can_edit_org(me()), prev_m="%d-%02d" % prev_m, next_m="%d-%02d" % next_m,
                  **_helpers())


@bp.get("/overdue")
@login_required
def overdue_list():
    window = current_app.config["CHECKLIST_OVERDUE_DAYS"]
    days = min(request.args.get("days", type=params.bounded_int) or window, window)
    days = max(days, 1)
    position_id = params.id_arg("position")
    person = params.id_arg("person")
    now = clock.local_now()
    found, tickable = slots(me(), now, days, person)
    position_of = {i.id: i.position for i in {sl.item for sl in found}}  # a few dozen items, a few thousand slots
    per_position: dict = {}
    for sl in found:
        p = position_of[sl.item.id]
        per_position[p] = per_position.get(p, 0) + sl.missing
    found = [sl for sl in found if position_id is None or position_of[sl.item.id].id == position_id]
    # Grouped by position (in the org chart's order), newest first within each.
    order = {iid: (p.sort_order, p.id) for iid, p in position_of.items()}
    found.sort(key=lambda sl: order[sl.item.id])
    page = ListPage.counted(params.page_arg(), OVERDUE_PER_PAGE, lambda n, size: page_of(found, n, size))
    page.items = overdue_rows(page.items, tickable, now, me())  # persons and marks for the page shown only
    positions, _ = visible_positions(me())
    groups: dict = {}
    for row in page.items:
        groups.setdefault(row.item.position, []).append(row)
    return render("checklists/overdue.html", rows=page.items, groups=groups, page=page, days=days, window=window,
                  position_id=position_id, person=person, per_position=per_position,
                  people=_person_choices(people_to_narrow(positions, tickable), position_id), **_helpers())


def _person_arg(position: Position) -> int | None:
    """?person= narrows a month to one holder; a plain holder sees only his own lines."""
    person = params.id_arg("person")
    if not supervises(me(), position):
        person = current_user.employee_id or 0
    elif person is not None and not may_see_subject(me(), position, person):
        abort(403)
    return person


def _name(person: int | None) -> str:
    e = db.session.get(Employee, person) if person else None
    return e.name if e else ""


def _viewable_position(position_id: int) -> Position:
    position = db.get_or_404(Position, position_id)
    if not may_view_checklist(me(), position):
        abort(403)
    return position


@bp.get("/positions/<int:position_id>")
@login_required
def position_month(position_id: int):
    position = _viewable_position(position_id)
    year, month = params.month_arg()
    now = clock.local_now()
    items = position_items(position)  # for the grid and the rates: read once
    prev_m = (year - 1, 12) if month == 1 else (year, month - 1)
    next_m = (year + 1, 1) if month == 12 else (year, month + 1)
    person = _person_arg(position)
    grid = month_grid(position, year, month, now, items, person, people_page=params.page_arg("people"))
    return render("checklists/position.html", grid=grid,
                  position=position, person=person, person_name=_name(person),
                  year=year, month=month, rates=monthly_rates(position, now=now, items=items),
                  prev_m="%d-%02d" % prev_m, next_m="%d-%02d" % next_m, **_helpers())


@bp.get("/positions/<int:position_id>/month.pdf")
@login_required
def position_month_pdf(position_id: int):
    position = _viewable_position(position_id)
    year, month = params.month_arg()
    now, items = clock.local_now(), position_items(position)

    grid = month_grid(position, year, month, now, items, _person_arg(position))
    pdf = render_pdf("print/checklist_month.html", grid=grid, appendix=results_rules.appendix(grid), **_helpers())
    return pdf_response(pdf, f"点检表-{position.title}-{year}年{month:02d}月.pdf")


@bp.get("/positions/<int:position_id>/month.csv")
@bp.get("/positions/<int:position_id>/month.xlsx", endpoint="position_month_xlsx")
@login_required
def position_month_csv(position_id: int):
    """One row per occurrence of the month, one column per field; as CSV or Excel."""
    position = _viewable_position(position_id)
    year, month = params.month_arg()
    header, rows = results_rules.month_table(month_grid(position, year, month, person=_person_arg(position)))
    return table_response(Table("点检记录", header, rows), requested_format(),
                          f"点检记录-{position.title}-{year}年{month:02d}月")


# --- admin: items --------------------------------------------------------------------

def _duty_choices(position: Position):
    choices = []
    for n, d in enumerate(duties_of(position), start=1):
        choices.append((d.id, f"{n}. {d.text[:40]}"))
        for m, c in enumerate(d.items, start=1):
            choices.append((c.id, f"{n}({m}) {c.text[:38]}"))
    return choices


@bp.get("/positions/<int:position_id>/items")
@login_required
def items(position_id: int):
    require(can_edit_org)
    position = db.get_or_404(Position, position_id)
    rows = db.session.scalars(select(ChecklistItem).filter_by(position_id=position.id)
                              .order_by(ChecklistItem.sort_order, ChecklistItem.id)).all()
    return render("checklists/items.html", position=position, items=rows, **_helpers())


@bp.route("/positions/<int:position_id>/items/new", methods=["GET", "POST"])
@login_required
def item_new(position_id: int):
    require(can_edit_org)
    position = db.get_or_404(Position, position_id)
    form = ItemForm(duty_choices=_duty_choices(position), categories=scope_choices()["category"])
    if request.method == "GET":
        form.fill_new(request.args.get("duty", type=params.bounded_int))
    if form.validate_on_submit():
        create_item(position, form)
        db.session.commit()
        flash("点检项目已新增。", "success")
        return redirect(url_for("checklists.items", position_id=position.id), code=303)
    return render("checklists/item_form.html", form=form, position=position, item=None,
                  status=422 if request.method == "POST" else 200)


@bp.route("/items/<int:item_id>/edit", methods=["GET", "POST"])
@login_required
def item_edit(item_id: int):
    require(can_edit_org)
    item = db.get_or_404(ChecklistItem, item_id)
    form = ItemForm(obj=item, duty_choices=_duty_choices(item.position), categories=scope_choices()["category"])
    if request.method == "GET":
        form.fill_from(item)
    if form.validate_on_submit():
        update_item(item, form, me())
        db.session.commit()
        flash("点检项目已保存。以往的勾选记录保持不变。", "success")
        return redirect(url_for("checklists.items", position_id=item.position_id), code=303)
    return render("checklists/item_form.html", form=form, position=item.position, item=item,
                  pending_change=pending_target_change(item), targets=TARGETS,
                  status=422 if request.method == "POST" else 200)


@bp.post("/items/<int:item_id>/move")
@login_required
def item_move(item_id: int):
    require(can_edit_org)
    item = db.get_or_404(ChecklistItem, item_id)
    if not TickForm().validate_on_submit():
        abort(400)
    move_item(item, -1 if request.form.get("dir") == "up" else 1)
    db.session.commit()
    return redirect(url_for("checklists.items", position_id=item.position_id), code=303)


# --- admin: the fields an item asks for -------------------------------------------------

@bp.route("/items/<int:item_id>/fields", methods=["GET", "POST"])
@login_required
def item_fields(item_id: int):
    """The item's fields, and a form to add one."""
    require(can_edit_org)
    item = db.get_or_404(ChecklistItem, item_id)
    form = FieldForm()
    if form.validate_on_submit():
        create_field(item, form)
        db.session.commit()
        flash(f"已添加字段「{form.label.data.strip()}」。", "success")
        return redirect(url_for("checklists.item_fields", item_id=item.id), code=303)
    return render("checklists/fields.html", item=item, form=form, field=None, kinds=KINDS,
                  status=422 if request.method == "POST" else 200, **_helpers())


@bp.route("/fields/<int:field_id>/edit", methods=["GET", "POST"])
@login_required
def field_edit(field_id: int):
    """Change a field; values entered before keep the definition they were entered with."""
    require(can_edit_org)
    f = db.get_or_404(ChecklistField, field_id)
    form = FieldForm(obj=f)
    if request.method == "GET":
        form.fill_from(f)
    if form.validate_on_submit():
        update_field(f, form)
        db.session.commit()
        flash(f"已保存字段「{f.label}」。以往填写的数据按当时的定义保留。", "success")
        return redirect(url_for("checklists.item_fields", item_id=f.item_id), code=303)
    return render("checklists/fields.html", item=f.item, form=form, field=f, kinds=KINDS,
                  status=422 if request.method == "POST" else 200, **_helpers())

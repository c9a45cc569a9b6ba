"""Creating, editing and ordering checklist items. Past ticks are never rewritten: they
keep the due moment they were ticked against."""
import json

from sqlalchemy import select

from app import clock
from app.audit.log import record, record_changes
from app.checklists.fields import NUMERIC
from app.checklists.models import ChecklistField, ChecklistItem, ChecklistTargetChange, EQUIPMENT, TARGETS
from app.checklists.schedule import next_period, period_of
from app.extensions import db


def apply_form(item: ChecklistItem, form) -> None:
    item.title = form.title.data.strip()
    item.duty_id = form.duty_id.data or None
    item.kind = form.kind.data
    item.weekday = form.weekday.data if item.kind == "weekly" else None
    item.month_end = bool(form.month_end.data) if item.kind == "monthly" else False
    item.month_day = form.month_day.data if item.kind == "monthly" and not item.month_end else None
    item.month = form.month.data if item.kind == "yearly" else None
    item.day = form.day.data if item.kind == "yearly" else None
    item.due_time = form.due_time.data if form.due_mode.data == "time" else None
    item.end_of_workday = form.due_mode.data == "end_of_workday"
    item.working_days = "".join(str(d) for d in sorted(set(form.working_days.data)))
    item.active = bool(form.active.data)
    if getattr(form, "equipment_category", None) is not None and form.target.data == EQUIPMENT:
        scope = {"category": form.equipment_category.data}
        if (form.equipment_location.data or "").strip():
            scope["location"] = form.equipment_location.data.strip()
        item.target_scope = json.dumps(scope, ensure_ascii=False)
    item.rule()  # raises ValueError on an impossible combination


def switch_target(item: ChecklistItem, target: str, user=None) -> ChecklistTargetChange | None:
    """Switch whom the item is for, from the start of its next period: the current and past
    periods stay counted as they were, and their records are never rewritten. Switching
    back before the change takes effect cancels it."""
    if target not in TARGETS:
        raise ValueError(target)
    today = clock.local_now().date()
    starts = next_period(period_of(item.kind, today)).start
    pending = [c for c in item.target_changes if c.valid_from > today]
    effective = item.target_on(today) if item.target_changes else item.target
    for c in pending:  # a switch not yet in force is replaced
        item.target_changes.remove(c)
    item.target = target
    if target == effective:
        return None
    change = ChecklistTargetChange(valid_from=starts, previous=effective, target=target,
                                   by_id=getattr(user, "id", None), at=clock.now_utc())
    item.target_changes.append(change)
    return change


def pending_target_change(item: ChecklistItem) -> ChecklistTargetChange | None:
    today = clock.local_now().date()
    return next((c for c in item.target_changes if c.valid_from > today), None)


def create_item(position, form) -> ChecklistItem:
    order = db.session.scalar(select(db.func.max(ChecklistItem.sort_order)).filter_by(position_id=position.id)) or 0
    item = ChecklistItem(position_id=position.id, sort_order=order + 1,
                         target=form.target.data if form.target.data in TARGETS else "position")
    apply_form(item, form)
    db.session.add(item)
    db.session.flush()
    record("checklist_item_create", "checklist_item", item.id, summary=f"{position.title}「{item.title}」",
           after=item.snapshot())
    return item


def update_item(item: ChecklistItem, form, user=None) -> None:
    before = item.snapshot()
    apply_form(item, form)
    if form.target.data in TARGETS and form.target.data != item.target:
        switch_target(item, form.target.data, user)
    db.session.flush()
    after = item.snapshot()
    pending = pending_target_change(item)
    if pending is not None:
        before.setdefault("for_whom_from", None)
        after["for_whom_from"] = pending.valid_from.isoformat()
    record_changes("checklist_item_update", "checklist_item", item.id, before, after,
                   summary=f"{item.position.title}「{item.title}」")


def move_item(item: ChecklistItem, step: int) -> None:
    """Swap with the neighbour above (-1) or below (+1) among the position's items."""
    siblings = list(db.session.scalars(
        select(ChecklistItem).filter_by(position_id=item.position_id).order_by(ChecklistItem.sort_order, ChecklistItem.id)
    ))
    i = siblings.index(item)
    j = i + step
    if not 0 <= j < len(siblings):
        return  # already the first (last): nothing changes, not even the others' numbering
    for n, s in enumerate(siblings, start=1):  # numbered 1…n (gaps left by removed items), then swapped
        s.sort_order = n
    siblings[i].sort_order, siblings[j].sort_order = siblings[j].sort_order, siblings[i].sort_order
    record("checklist_item_update", "checklist_item", item.id, summary=f"调整顺序「{item.title}」",
           after={"sort_order": item.sort_order})
    db.session.flush()


def apply_field_form(f: ChecklistField, form) -> None:
    f.label = form.label.data.strip()
    f.kind = form.kind.data
    numeric = f.kind in NUMERIC
    f.unit = (form.unit.data or "").strip() if numeric else ""
    f.decimals = (form.decimals.data or 0) if f.kind == "number" else 0
    f.min_value = form.min_value.data if numeric else None
    f.max_value = form.max_value.data if numeric else None
    f.target = form.target.data if numeric else None
    f.target_dir = form.target_dir.data if numeric else "ge"
    f.choices = "\n".join(c.strip() for c in (form.choices.data or "").splitlines() if c.strip()) \
        if f.kind == "choice" else ""
    f.required = bool(form.required.data)
    f.fault_on_no = f.kind == "yesno" and bool(getattr(form, "fault_on_no", None) and form.fault_on_no.data)
    f.active = bool(form.active.data)


def create_field(item: ChecklistItem, form) -> ChecklistField:
    order = db.session.scalar(select(db.func.max(ChecklistField.sort_order)).filter_by(item_id=item.id)) or 0
    f = ChecklistField(item_id=item.id, sort_order=order + 1)
    apply_field_form(f, form)
    db.session.add(f)
    db.session.flush()
    db.session.refresh(item)  # item.fields includes the new one
    record("checklist_field_create", "checklist_item", item.id, summary=f"「{item.title}」新增字段「{f.label}」",
           after=f.snapshot())
    return f


def update_field(f: ChecklistField, form) -> None:
    """Values entered before keep their own copy of the definition."""
    before = f.snapshot()
    apply_field_form(f, form)
    db.session.flush()
    record_changes("checklist_field_update", "checklist_item", f.item_id, before, f.snapshot(),
                   summary=f"「{f.item.title}」字段「{f.label}」")

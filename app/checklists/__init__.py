from flask import Blueprint

bp = Blueprint("checklists", __name__, url_prefix="/checklists")

from app.checklists import routes  # noqa: E402,F401
from app.handbook import POSITION_PANELS  # noqa: E402
from app.staff import STAFF_PANELS  # noqa: E402

POSITION_PANELS.append("checklists/_position_panel.html")
STAFF_PANELS.append("checklists/_employee_panel.html")


@bp.app_context_processor
def _helpers():
    def checklist_items_for(position):
        from app.checklists.board import items_for

        return items_for([position.id]).get(position.id, [])

    def checklist_describe(item):
        from app import clock
        from app.checklists.schedule import describe

        return describe(item.rule(), clock.workday_end())

    def checklist_record(employee):
        """This month's record of the employee's own occurrences (items for each holder of
        his position): per item, done and due so far, and the rate."""
        from app import clock
        from app.checklists.grid import month_grid

        if employee.position is None:
            return None
        now = clock.local_now()
        grid = month_grid(employee.position, now.year, now.month, now, person=employee.id)
        rows = [r for r in grid["rows"] if r["subject"].id == employee.id]
        if not rows:
            return None
        due, done = sum(r["due"] for r in rows), sum(r["done"] for r in rows)
        return {"rows": rows, "due": due, "done": done, "rate": (done / due) if due else None,
                "year": now.year, "month": now.month}

    from app.checklists.seed import date_is_default

    return {"checklist_items_for": checklist_items_for, "checklist_describe": checklist_describe,
            "checklist_date_is_default": date_is_default, "checklist_record": checklist_record}


# Helpers the checklist templates (board rows, grid, print-outs) use for item fields.
@bp.app_template_global("ck_fields")
def _ck_fields(item):
    from app.checklists.fields import active_fields

    return active_fields(item)


@bp.app_template_global("ck_has_uploads")
def _ck_has_uploads(item):
    from app.checklists.fields import UPLOAD_KINDS, active_fields

    return any(f.kind in UPLOAD_KINDS for f in active_fields(item))


@bp.app_template_global("ck_attendees")
def _ck_attendees(item):
    """(employee id, name) of the active employees of the item's position, once per
    position and request."""
    from flask import g

    from app.checklists.fields import attendee_choices

    memo = g.setdefault("ck_attendees", {})
    if item.position_id not in memo:
        memo[item.position_id] = attendee_choices(item.position_id)
    return memo[item.position_id]


@bp.app_template_global("ck_num")
def _ck_num(value, decimals=0):
    from app.checklists.fields import fmt_number

    return fmt_number(value, decimals or 0)


@bp.app_template_global("ck_flag")
def _ck_flag(value):
    from app.checklists.fields import flag

    return flag(value)


@bp.app_template_global("ck_display")
def _ck_display(value):
    from app.checklists.fields import display

    return display(value)


@bp.app_template_global("ck_summary")
def _ck_summary(values):
    from app.checklists.fields import summarize

    return summarize(values)


@bp.app_template_global("ck_file_accept")
def _ck_file_accept():
    from app.checklists.fields import FILE_ACCEPT

    return FILE_ACCEPT


@bp.app_template_global("ck_photo_pages")
def _ck_photo_pages(photos):
    from app.checklists.results import photo_pages

    return photo_pages(photos)


@bp.app_template_global("ck_fault_points")
def _ck_fault_points(item, values):
    from app.checklists.fields import fault_points

    return fault_points(item, values) if values else []


@bp.app_template_global("ck_thing_scope")
def _ck_thing_scope(item):
    """An item for each piece of equipment: its selection in words (举升设备 · 一号车间)."""
    from app.checklists.targets import describe

    return describe(item)

from flask import Blueprint

bp = Blueprint("checklists", __name__, url_prefix="/checklists")

from app.checklists import routes  # noqa: E402,F401
from app.handbook import POSITION_PANELS  # noqa: E402

POSITION_PANELS.append("checklists/_position_panel.html")


@bp.app_context_processor
def _helpers():
    def checklist_items_for(position):
        from app.checklists.board import items_for

        return items_for([position.id]).get(position.id, [])

    def checklist_describe(item):
        from app import clock
        from app.checklists.schedule import describe

        return describe(item.rule(), clock.workday_end())

    from app.checklists.seed import date_is_default

    return {"checklist_items_for": checklist_items_for, "checklist_describe": checklist_describe,
            "checklist_date_is_default": date_is_default}

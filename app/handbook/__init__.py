from flask import Blueprint

bp = Blueprint("handbook", __name__, url_prefix="/handbook")

# Templates that later parts add to the position page (checklist items, trainings,
# supply entitlements). Each is included with `position` in the context.
POSITION_PANELS: list[str] = []

from app.handbook import routes  # noqa: E402,F401
from app.handbook.provenance import LINE_NOTE, duty_notes, footnotes, from_draft, title_note  # noqa: E402

# What the app inferred or mended, marked wherever the handbook's text shows.
bp.add_app_template_global(duty_notes, "duty_notes")
bp.add_app_template_global(title_note, "title_note")
bp.add_app_template_global(LINE_NOTE, "line_note")
bp.add_app_template_global(footnotes, "handbook_footnotes")
bp.add_app_template_global(from_draft, "from_draft")
from app.handbook.drafts import rhythm as draft_rhythm  # noqa: E402

bp.add_app_template_global(draft_rhythm, "draft_rhythm")

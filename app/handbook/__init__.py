from flask import Blueprint

bp = Blueprint("handbook", __name__, url_prefix="/handbook")

# Templates that later parts add to the position page (checklist items, trainings,
# supply entitlements). Each is included with `position` in the context.
POSITION_PANELS: list[str] = []

from app.handbook import routes  # noqa: E402,F401

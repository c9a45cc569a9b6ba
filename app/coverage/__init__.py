"""Training coverage (培训覆盖): requirements per position, certificates, the coverage
matrix, what expires, and new-hire onboarding (入职)."""
from flask import Blueprint

bp = Blueprint("coverage", __name__, url_prefix="/coverage")

from app.coverage import routes  # noqa: E402,F401
from app.staff import STAFF_PANELS  # noqa: E402

STAFF_PANELS.append("coverage/_employee_panel.html")

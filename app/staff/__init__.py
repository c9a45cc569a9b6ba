from flask import Blueprint

bp = Blueprint("staff", __name__, url_prefix="/staff")

# Templates that other parts add to an employee's page (training history …), each
# included with `employee` in the context.
STAFF_PANELS: list[str] = []

from app.staff import routes  # noqa: E402,F401

"""车间设备、工具台账: the workshop's equipment and tools, their states, verifications
(检定/校准) and QR labels."""
from flask import Blueprint

bp = Blueprint("equipment", __name__, url_prefix="/equipment")

from app.equipment import routes  # noqa: E402,F401
from app.equipment import routes_counts, routes_loans  # noqa: E402,F401  (loans, counts, import: issue 25a)

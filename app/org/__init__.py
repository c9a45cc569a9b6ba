from flask import Blueprint

bp = Blueprint("org", __name__, url_prefix="/org")

from app.org import routes  # noqa: E402,F401

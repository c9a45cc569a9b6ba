from flask import Blueprint

bp = Blueprint("notices", __name__, url_prefix="/notices")

from app.notices import routes  # noqa: E402,F401


@bp.record_once
def _install(state):
    from app.notices import webhook

    webhook.install(state.app)


@bp.app_context_processor
def _unread():
    """The bell's number in the navigation: one indexed COUNT per page."""
    from flask_login import current_user

    def unread_notices() -> int:
        from flask import g

        if not getattr(current_user, "is_authenticated", False):
            return 0
        if "_unread_notices" not in g:  # once per request, however often the page asks
            from app.notices.rules import unread_count

            g._unread_notices = unread_count(current_user)
        return g._unread_notices

    return {"unread_notices": unread_notices}

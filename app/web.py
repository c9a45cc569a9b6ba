"""Cross-cutting web helpers: HTMX-aware rendering, error pages, template filters."""
from datetime import timedelta
from zoneinfo import ZoneInfo

from flask import current_app, make_response, render_template, request
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from app import parts, permissions
from app.audit.changes import change_rows
from app.extensions import db
from app.printing import css_string
from app.safe_html import select_options
from app.uploads import StorageFull

HTMX_VERSION = "2.0.11"
HTMX_CDN = f"https://cdn.jsdelivr.net/npm/htmx.org@{HTMX_VERSION}/dist/htmx.min.js"
HTMX_SRI = "sha384-2OatzQy1H+Zd/IIrjr1TcuDGqLXeHhbooAyJY1KdQMKnr4LZ22k31GBLdYKHmVjg"
HTMX_LOCAL = f"vendor/htmx-{HTMX_VERSION}.min.js"

ERROR_MESSAGES = {
    400: ("请求有误", "提交的内容无法处理。若页面停留过久，请刷新后重试。"),
    401: ("需要登录", "请先登录。"),
    403: ("没有权限", "您的账号没有执行此操作的权限。如需开通，请联系售后经理或管理员。"),
    404: ("页面不存在", "找不到您要访问的页面，它可能已被移动或删除。"),
    405: ("不支持的操作", "此页面不支持该请求方式。"),
    409: ("操作冲突", "内容已被他人修改，请刷新页面查看最新内容后再操作。"),
    413: ("文件过大", "上传的文件超过了允许的大小，请压缩后重试。"),
    422: ("内容有误", "提交的内容未通过检查，请修改后重试。"),
    429: ("操作过于频繁", "请稍后再试。"),
    500: ("系统出错", "服务器处理时出错，已记录。请稍后重试，或联系管理员。"),
    503: ("数据库暂时不可用", "系统暂时连不上数据库，本次操作没有保存任何内容。请稍等片刻后重试；若持续出现，请联系管理员。"),
    507: ("存储空间已满", "服务器存储空间已满，文件未能保存。请联系管理员清理空间后重试。"),
}
# The head of the department (the 售后经理's position, by its key in the handbook's data) is
# not sent to himself: his 403 names the administrator only.
TOP_POSITION_KEY = "after_sales_manager"
FORBIDDEN_FOR_THE_TOP = "您的账号没有执行此操作的权限。如需开通，请联系管理员。"


def _default_message(code: int, default: str) -> str:
    """The generic message of `code` for the user asking."""
    if code == 403 and getattr(current_user, "is_authenticated", False):
        position = current_user.position
        if position is not None and position.seed_key == TOP_POSITION_KEY:
            return FORBIDDEN_FOR_THE_TOP
    return default


def me():
    """The logged-in user (or the anonymous user) itself, not Flask-Login's proxy: every
    attribute read through `current_user` goes through werkzeug's LocalProxy, which a rule
    looping over a board's rows (permissions per row) pays hundreds of times a page."""
    return current_user._get_current_object()


def is_htmx() -> bool:
    """An HTMX request that wants a fragment (boosted navigation wants the full page)."""
    return request.headers.get("HX-Request") == "true" and request.headers.get("HX-Boosted") != "true"


def render(template: str, fragment: str | None = None, status: int = 200, **context):
    """The full page normally; only `fragment` for an HTMX request. Varies on HX-Request."""
    name = fragment if (fragment and is_htmx()) else template
    response = make_response(render_template(name, **context), status)
    if fragment:
        response.vary.add("HX-Request")
    return response


def files_not_kept(field: str | None = None) -> str:
    """For a refused post that carried files (in `field`, or any): which were not kept, to
    be chosen again (a browser cannot be handed them back with the form); "" when it
    carried none. Shown under a form's file field (macros/forms.html) and in a refused
    checklist row."""
    if request.method != "POST":
        return ""
    names = [f.filename for key, f in request.files.items(multi=True)
             if f and f.filename and (field is None or key == field)]
    if not names:
        return ""
    shown = "、".join(names[:3]) + (f" 等 {len(names)} 个文件" if len(names) > 3 else "")
    return f"所选的文件（{shown}）没有保存：请改正后重新选择文件再提交。"


class ListPage:
    """A page of rows already in memory (a derived list such as the overdue list), with the
    attributes of Flask-SQLAlchemy's Pagination that the pager macro uses."""

    def __init__(self, rows: list, page: int, per_page: int, total: int | None = None):
        self.total = len(rows) if total is None else total
        self.per_page = per_page
        self.pages = max((self.total + per_page - 1) // per_page, 1)
        self.page = min(page, self.pages)
        self.items = rows[(self.page - 1) * per_page:self.page * per_page] if total is None else rows
        self.has_prev, self.has_next = self.page > 1, self.page < self.pages
        self.prev_num, self.next_num = self.page - 1, self.page + 1

    @classmethod
    def counted(cls, page: int, per_page: int, fetch) -> "ListPage":
        """A page of a list whose total is known without listing it: fetch(page, per_page)
        gives (the page's rows, the total); a page past the end shows the last one."""
        rows, total = fetch(page, per_page)
        last = max((total + per_page - 1) // per_page, 1)
        if page > last:
            rows, total = fetch(last, per_page)
        return cls(rows, min(page, last), per_page, total)


def _error_response(code: int, message: str | None = None, standalone: bool = False):
    """`standalone`: a page that asks the database nothing (it is away), not the app's layout."""
    title, default = ERROR_MESSAGES.get(code, ERROR_MESSAGES[500])
    # X-Error-Message: an error message, not a page or fragment to swap in. app.js shows it
    # beside the control used (at the top of the page for a link), also for a status the
    # page otherwise swaps (422 re-rendered forms) and for boosted navigation, which swaps
    # the 4xx pages of forms (the login's 401) but never an error page.
    if standalone:
        context = {"code": code, "title": title, "message": message or default}
        # Without the context processors: Flask-Login's loads the user from the database.
        page = "errors/_error.html" if is_htmx() else "errors/unavailable.html"
        html = current_app.jinja_env.get_template(page).render(
            company_name=current_app.config["COMPANY_NAME"], department_name=current_app.config["DEPARTMENT_NAME"],
            **context)
    else:
        context = {"code": code, "title": title, "message": message or _default_message(code, default)}
        html = render_template("errors/_error.html" if is_htmx() else "errors/error.html", **context)
    response = make_response(html, code)
    response.headers["X-Error-Message"] = "1"
    return response


def hx_redirect(target: str):
    """For an HTMX request: leave the page for `target` (HX-Redirect) instead of swapping
    a whole page into a fragment."""
    response = make_response("", 204)
    response.headers["HX-Redirect"] = target
    return response


PASSWORD_CHANGE_EXEMPT = {"auth.change_password", "auth.logout", "auth.login", "static"}


def require_password_change():
    """A user with a temporary password (a new account, a reset, the first admin) sets
    their own before anything else, on every request, not only after logging in."""
    from flask import redirect, url_for
    from flask_login import current_user

    if request.endpoint in PASSWORD_CHANGE_EXEMPT or not current_user.is_authenticated:
        return None
    if not current_user.must_change_password:
        return None
    target = url_for("auth.change_password")
    return hx_redirect(target) if is_htmx() else redirect(target)


def register_error_handlers(app) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(error):
        from flask_login import current_user
        from flask_wtf.csrf import generate_csrf

        if is_htmx():
            if not current_user.is_authenticated:
                # The login ended too (its session carried the token's secret): to the
                # login page, and back to this page afterwards.
                return current_app.login_manager.unauthorized()
            # The login is valid, only the page's token is old (left open for hours): the
            # answer carries a fresh one, which app.js puts into the page; nothing on the
            # page is replaced, so what the user typed is still there.
            response = _error_response(
                400, "页面打开时间较长，安全校验已过期，现已自动更新。您填写的内容仍在，请再提交一次。")
            response.headers["X-CSRF-Refresh"] = generate_csrf()
            return response
        return _error_response(400, "表单已过期或缺少安全校验，请刷新页面后重新提交。")

    @app.errorhandler(HTTPException)
    def http_error(error):
        if error.code in (301, 302, 303, 304, 307, 308):
            return error
        # A message written for the user (Chinese) replaces the generic one.
        own = error.description if error.description != type(error).description else None
        return _error_response(error.code or 500, own)

    from sqlalchemy.exc import InterfaceError, OperationalError, TimeoutError as PoolTimeout

    @app.errorhandler(OperationalError)
    @app.errorhandler(InterfaceError)
    @app.errorhandler(PoolTimeout)
    def database_unavailable(error):
        """The database away for a moment (restarted, its connection cut, locked past the
        busy timeout): the transaction is rolled back, so nothing of the request is kept; a
        dropped connection is discarded by the pool, so the next request gets a new one."""
        app.logger.warning("Database unavailable on %s %s: %s", request.method, request.path,
                           str(error).splitlines()[0][:200])

        try:
            db.session.rollback()
        except Exception:  # noqa: BLE001 - the connection is gone; the session is reset below
            pass
        db.session.remove()
        response = _error_response(503, standalone=True)
        response.headers["Retry-After"] = "5"
        return response

    @app.errorhandler(StorageFull)
    def storage_full(error):
        app.logger.error("Disk full while storing an upload on %s %s", request.method, request.path)

        db.session.rollback()
        return _error_response(507, str(error))

    @app.errorhandler(Exception)
    def unhandled(error):
        app.logger.exception("Unhandled error on %s %s", request.method, request.path)

        db.session.rollback()
        return _error_response(500)


def register_template_helpers(app) -> None:
    tz = ZoneInfo(app.config["TIMEZONE"])
    utc = ZoneInfo("UTC")

    @app.template_filter("localtime")
    def localtime(value, fmt="%Y-%m-%d %H:%M"):
        if value is None:
            return ""
        return value.replace(tzinfo=utc).astimezone(tz).strftime(fmt)

    app.add_template_filter(css_string, "css_string")
    app.add_template_global(parts.nav_entries, "nav_entries")
    app.add_template_global(select_options, "select_options")
    app.add_template_global(files_not_kept, "files_not_kept")
    app.add_template_global(parts.tiles, "nav_tiles")

    app.add_template_global(change_rows, "audit_change_rows")  # the audit log's before/after in words

    @app.template_filter("ymd")
    def ymd(value):
        return value.strftime("%Y-%m-%d") if value else ""

    @app.context_processor
    def inject():
        source = current_app.config["HTMX_SOURCE"]
        return {
            "timedelta": timedelta,
            "company_name": current_app.config["COMPANY_NAME"],
            "department_name": current_app.config["DEPARTMENT_NAME"],
            "htmx": {
                "cdn": HTMX_CDN if source != "local" else None,
                "sri": HTMX_SRI,
                "local": HTMX_LOCAL,
            },
            **permissions.TEMPLATE_HELPERS,
        }


def content_security_policy() -> str:
    """Scripts and styles from the app's own files only, no inline code; the htmx CDN host
    (its file checked by SRI) only when HTMX_SOURCE is cdn."""
    from urllib.parse import urlsplit

    cdn = ""
    if current_app.config["HTMX_SOURCE"] != "local":
        parts = urlsplit(HTMX_CDN)
        cdn = f" {parts.scheme}://{parts.netloc}"
    return ("default-src 'self'; "
            f"script-src 'self'{cdn}; connect-src 'self'{cdn}; "
            "style-src 'self'; img-src 'self' data:; font-src 'self'; "
            "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'self'")


class SecureCookies:
    """WSGI middleware: over HTTPS every cookie the app sets (session, remember-me) is
    Secure, whatever SESSION_COOKIE_SECURE says. Sits inside ProxyFix, so behind a
    trusted proxy the scheme is the client's."""

    def __init__(self, wsgi_app):
        self.wsgi_app = wsgi_app

    def __call__(self, environ, start_response):
        if environ.get("wsgi.url_scheme") != "https":
            return self.wsgi_app(environ, start_response)

        def start(status, headers, exc_info=None):
            headers = [(k, v + "; Secure" if k.lower() == "set-cookie" and "; secure" not in v.lower() else v)
                       for k, v in headers]
            return start_response(status, headers, exc_info)

        return self.wsgi_app(environ, start)

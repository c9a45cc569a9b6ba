"""Application factory for the after-sales intranet."""
import os

from flask import Flask, request

from app import accounts, auth, checklists, cli, coverage, equipment, handbook, inspections, jobs, main, notices, staff, \
    supplies, trainings
from app import database  # noqa: F401  (SQLite connection and transaction settings)
from app import models  # noqa: F401  (every model, so Alembic and the metadata see all tables)
from app.audit import guard
from app.auth.sessions import load
from app.config import defaults
from app.extensions import csrf, db, login_manager, migrate
from app.params import IdConverter
from app.staff import tenure
from app.web import (SecureCookies, content_security_policy, hx_redirect, register_error_handlers,
                     register_template_helpers, require_password_change)

# The parts of the intranet, each registering itself (app/parts.py). A new part is its
# package and one line here.
PARTS = [
    main.register,
    auth.register,
    accounts.register,
    notices.register,
    jobs.register,
    staff.register,
    handbook.register,
    checklists.register,
    trainings.register,
    supplies.register,
    coverage.register,
    equipment.register,
    inspections.register,
]


def create_app(config: dict | None = None) -> Flask:
    app = Flask(
        __name__,
        instance_relative_config=True,
        template_folder="../templates",
        static_folder="../static",
        instance_path=os.environ.get("INSTANCE_PATH") or None,
    )
    os.makedirs(app.instance_path, exist_ok=True)
    register_config(app, config)
    app.url_map.converters["int"] = IdConverter  # before any route is added
    register_extensions(app)
    register_parts(app)
    register_web(app)
    register_cli(app)
    return app


def register_config(app: Flask, config: dict | None) -> None:
    app.config.from_mapping(defaults(app.instance_path))
    app.config.from_pyfile("config.py", silent=True)
    if config:
        app.config.from_mapping(config)
    os.makedirs(app.config["UPLOAD_FOLDER"], exist_ok=True)


def register_extensions(app: Flask) -> None:
    db.init_app(app)

    @app.teardown_request
    def end_reads(exc):
        """A request that did not fail ends a transaction that only read (a page, or what a
        form post read after committing, such as the row it sends back) with COMMIT on
        PostgreSQL, so that psycopg keeps its prepared statements
        (database.end_read_transaction); before the session's own teardown, which closes it."""
        if exc is None and db.session.registry.has():  # a request that used no session has nothing to end
            try:
                database.end_read_transaction(db.session())
            except Exception:  # the connection went away: the session's closing rollback cleans up
                app.logger.exception("ending a read transaction")
    migrate.init_app(app, db, directory=os.path.normpath(os.path.join(os.path.dirname(__file__), "..", "migrations")))
    csrf.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = "请先登录。"
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"

    @login_manager.unauthorized_handler
    def unauthorized():
        """To the login page, and back to the page afterwards. An HTMX request (a live
        search, a tick) gets HX-Redirect, so the browser leaves the page for the login form
        instead of putting the form inside a fragment; `next` is the page, not the fragment."""
        from urllib.parse import urlsplit

        from flask import flash, redirect, request, url_for

        if request.headers.get("HX-Request") == "true":
            page = urlsplit(request.headers.get("HX-Current-URL", ""))
            target = (page.path + ("?" + page.query if page.query else "")) if page.path.startswith("/") else "/"
            return hx_redirect(url_for("auth.login", next=target))
        from flask import g

        flash(g.get("login_refused") or login_manager.login_message, login_manager.login_message_category)
        return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))

    @login_manager.user_loader
    def load_user(user_id: str):
        return load(user_id)

    tenure.install()  # who held which position when, kept with every change of an employee


def register_parts(app: Flask) -> None:
    """Each part adds its blueprint, audit labels, navigation, workspace blocks, notices,
    jobs, demo data and panels (app/parts.py); the order here is the navigation's and the
    panels' tie-break, and the order in which their pieces are read."""
    for register in PARTS:
        register(app)


def register_web(app: Flask) -> None:
    register_error_handlers(app)
    register_template_helpers(app)
    app.before_request(require_password_change)
    guard.install(app)  # tests: a request that commits a change without its audit record fails

    app.wsgi_app = SecureCookies(app.wsgi_app)
    trusted = int(app.config["TRUSTED_PROXIES"])
    if trusted > 0:
        # Behind that many reverse proxies: the client's address and scheme come from
        # their X-Forwarded-* headers. Without proxies these headers are ignored, so
        # nobody can pick the address the login throttling sees.
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=trusted, x_proto=trusted, x_host=trusted, x_port=trusted)

    @app.after_request
    def security_headers(response):
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "SAMEORIGIN")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("Content-Security-Policy", content_security_policy())
        if request.is_secure:
            response.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
        return response

    @app.after_request
    def keep_form_address(response):
        """A boosted form answered in place (its page re-rendered with the errors, a
        password shown once): the address bar keeps the form's page, not the POST's URL,
        which a reload would ask for with GET (405)."""
        if request.method != "GET" and request.headers.get("HX-Boosted") == "true" \
                and not 300 <= response.status_code < 400:
            response.headers.setdefault("HX-Push-Url", "false")
        return response


def register_cli(app: Flask) -> None:
    cli.register(app)

"""Fixtures in the flaskr style: app, client, runner, auth, plus users and a live server.

A template database is built once per session through the real migrations and seed
(`run_init`), then copied for every test, so each test starts from a fresh install.
With TEST_DATABASE_URL set to a PostgreSQL server URL, the same suite runs on PostgreSQL:
the template is a database, and each test gets `CREATE DATABASE … TEMPLATE` of it.
"""
import contextlib
import gc
import os
import queue
import re
import shutil
import threading
import uuid

import pytest
from jinja2 import BytecodeCache
from sqlalchemy import create_engine, select
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool
from werkzeug.serving import make_server

from app import create_app
from app.extensions import db

TEST_PASSWORD = "test-password-1"
CSRF_RE = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"|"X-CSRFToken": "([^"]+)"')


# The suite makes an app per test (~1,300 in a run on both databases). What every app
# builds the same way is built once per session below; what a test sees of its app is
# unchanged.


def _share_url_builders() -> None:
    """Werkzeug compiles a Python function for each URL rule (two: with and without query
    arguments) when an app adds the rule: ~360 compiles per app, most of create_app's
    time. The function depends only on the rule's text, its parts and its defaults (it
    reaches the rule's converters through its `self` argument), so the function compiled
    for one app's rule is the one every other app compiles for the same rule. Memoised on
    exactly those inputs; tests/test_suite_harness.py checks it against werkzeug's own
    compile for every rule of the app."""
    from werkzeug.routing import rules

    original = rules.Rule._compile_builder
    if getattr(original, "memoised", False):
        return
    cache: dict = {}

    def _compile_builder(self, append_unknown=True):
        defaults = self.defaults or {}
        folded = tuple((data, self._converters[data].to_url(defaults[data]))
                       for dynamic, data in self._trace if dynamic and data in defaults)
        key = (append_unknown, self.rule, tuple(self._trace), tuple(map(str, defaults)), folded)
        try:
            return cache[key]
        except KeyError:
            built = cache[key] = original(self, append_unknown)
            return built

    _compile_builder.memoised = True
    _compile_builder.original = original
    rules.Rule._compile_builder = _compile_builder


_share_url_builders()


class SharedTemplateCode(BytecodeCache):
    """Each app's Jinja environment compiles a template on its first render: the same
    templates again in every test. Jinja's bytecode cache (its documented way of sharing
    compiled templates between environments) keeps each template's compiled code for
    every app of the session, keyed by the template's name and file and checked against a
    hash of its source: an edited template is compiled afresh."""

    def __init__(self):
        self.code: dict[str, bytes] = {}

    def load_bytecode(self, bucket):
        code = self.code.get(bucket.key)
        if code is not None:
            bucket.bytecode_from_string(code)  # dropped by Jinja if the source changed since

    def dump_bytecode(self, bucket):
        self.code[bucket.key] = bucket.bytecode_to_string()


TEMPLATE_CODE = SharedTemplateCode()


def make_app(config: dict):
    """create_app for a test, its Jinja environment sharing compiled templates (above)."""
    application = create_app(config)
    application.jinja_env.bytecode_cache = TEMPLATE_CODE
    return application


# The cyclic garbage collector: every test's app is a large web of reference cycles that
# lives through its test, so it reaches the oldest generation, which only a full
# collection frees. With the default thresholds a full collection ran every few tests and
# walked the whole heap each time (a fifth of the suite's time); collecting less often
# frees the same garbage in fewer passes. (Serving processes tune the collector too:
# app/warm.py.)
gc.set_threshold(50_000, 20, 20)


PG_URL = os.environ.get("TEST_DATABASE_URL", "")
ON_POSTGRES = PG_URL.startswith("postgresql")
# Several checkouts may test against one server at once: each names its own template.
PG_TEMPLATE = os.environ.get("TEST_PG_TEMPLATE", "intranet_test_template")


def _pg_admin(sql: str) -> None:
    engine = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.exec_driver_sql(sql)
    engine.dispose()


def _pg_url(name: str) -> str:
    return make_url(PG_URL).set(database=name).render_as_string(hide_password=False)


class PgCopies:
    """Each test's database on PostgreSQL (`CREATE DATABASE … TEMPLATE`) is made ahead by a
    thread of its own, which also drops it after the test. The server takes 0.05 to 0.9 s
    to copy a template (~11 MB), and the test used to wait for that, and for the drop
    after it: a third of the PostgreSQL run. A test still gets a database that nobody has
    used, a copy of the template it names; copies of a template are only made once a test
    has asked for one (the template is complete by then).
    """

    AHEAD = 2  # copies kept ready per template

    def __init__(self, url: str):
        self.url = url
        self.ready: dict[str, queue.Queue] = {}
        self.jobs: queue.Queue = queue.Queue()
        self.errors: list[str] = []
        self.thread: threading.Thread | None = None

    def take(self, template: str) -> str:
        """The name of a fresh copy of `template` (waits for it if none is ready yet)."""
        if self.thread is None:
            self.thread = threading.Thread(target=self._work, name="pg-copies", daemon=True)
            self.thread.start()
        if template not in self.ready:
            self.ready[template] = queue.Queue()
            for _ in range(self.AHEAD):
                self.jobs.put(("create", template))
        name = self.ready[template].get(timeout=120)
        if isinstance(name, BaseException):
            raise name
        self.jobs.put(("create", template))  # the next test's
        return name

    def drop(self, name: str) -> None:
        self.jobs.put(("drop", name))

    def _work(self) -> None:
        engine = create_engine(self.url, isolation_level="AUTOCOMMIT", poolclass=NullPool)
        while True:
            job, arg = self.jobs.get()
            if job == "stop":
                break
            try:
                with engine.connect() as conn:
                    if job == "create":
                        name = "intranet_test_" + uuid.uuid4().hex[:12]
                        conn.exec_driver_sql(f"CREATE DATABASE {name} TEMPLATE {arg}")
                        self.ready[arg].put(name)
                    else:
                        conn.exec_driver_sql(f"DROP DATABASE IF EXISTS {arg} WITH (FORCE)")
            except Exception as exc:  # noqa: BLE001 - handed to the test that waits, or reported at the end
                if job == "create":
                    self.ready[arg].put(exc)
                else:
                    self.errors.append(f"DROP DATABASE {arg}: {exc}")
            finally:
                self.jobs.task_done()
        engine.dispose()

    def close(self) -> None:
        """Drops the copies made ahead and waits for every drop."""
        if self.thread is None:
            return
        self.jobs.join()  # copies still being made land in `ready`
        for names in self.ready.values():
            while not names.empty():
                name = names.get()
                if isinstance(name, str):
                    self.drop(name)
        self.jobs.put(("stop", None))
        self.thread.join()
        self.thread = None
        assert not self.errors, "\n".join(self.errors)


PG_COPIES = PgCopies(PG_URL)


@pytest.fixture(scope="session", autouse=ON_POSTGRES)
def _pg_copies():
    yield PG_COPIES
    PG_COPIES.close()


def _config(instance: str, database: str) -> dict:
    return {
        "TESTING": True,
        "SECRET_KEY": "test-secret",
        "SQLALCHEMY_DATABASE_URI": database if "://" in database else "sqlite:///" + database,
        "UPLOAD_FOLDER": os.path.join(instance, "uploads"),
        "HTMX_SOURCE": "local",
        # Cheaper hashing keeps the suite fast; test_auth checks the production default.
        "PASSWORD_HASH_METHOD": "scrypt:1024:8:1",
        "AUDIT_GUARD": True,  # app/audit/guard.py: every committed change has its audit record
    }


@pytest.fixture(autouse=True)
def _audit_invariant():
    """Fails the test in which a request committed a change without its audit record
    (app/audit/guard.py), even where the request's error page went unchecked."""
    from app.audit import guard

    guard.VIOLATIONS.clear()
    yield
    assert not guard.VIOLATIONS, "\n".join(guard.VIOLATIONS)


@pytest.fixture(scope="session")
def template_db(tmp_path_factory):
    instance = tmp_path_factory.mktemp("template")
    database = str(instance / "app.db")
    if ON_POSTGRES:
        _pg_admin(f"DROP DATABASE IF EXISTS {PG_TEMPLATE} WITH (FORCE)")
        _pg_admin(f"CREATE DATABASE {PG_TEMPLATE}")
        database = _pg_url(PG_TEMPLATE)
    os.environ["INSTANCE_PATH"] = str(instance)
    app = make_app(_config(str(instance), database))
    with app.app_context():
        from app.cli import run_init

        run_init()
        # The shipped checklist items date from "installation": a month ago, so that what
        # a test sees on today's board does not depend on the hour the suite started
        # (an item created after today's due time has no occurrence today).
        from datetime import timedelta

        from app.checklists.models import ChecklistItem
        from app.database import utcnow

        for item in db.session.scalars(select(ChecklistItem)):
            item.created_at = utcnow() - timedelta(days=30)
        db.session.commit()
        db.session.remove()  # closing the last connection checkpoints the WAL into the file
        db.engine.dispose()
    return database


@contextlib.contextmanager
def fresh_app(template_db, instance, pg_template: str = PG_TEMPLATE, uploads: str | None = None):
    """An app on a copy of the fresh install (a database made from the template), in the
    folder `instance`; the copy is dropped afterwards. `uploads`: a folder of stored files
    that belongs to the template (copied too)."""
    if ON_POSTGRES:
        name = PG_COPIES.take(pg_template)
        database = _pg_url(name)
    else:
        database = str(instance / "app.db")
        shutil.copy(template_db, database)
    if uploads and os.path.isdir(uploads):
        shutil.copytree(uploads, os.path.join(instance, "uploads"), dirs_exist_ok=True)
    os.environ["INSTANCE_PATH"] = str(instance)
    app = make_app(_config(str(instance), database))
    try:
        yield app
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
        if ON_POSTGRES:
            PG_COPIES.drop(name)


@pytest.fixture(scope="session")
def demo_template(template_db, tmp_path_factory):
    """The fresh install plus `seed-demo` (the command, as an installation runs it), built
    once per session, then every account's password TEST_PASSWORD: (database, uploads
    folder). Tests that only need the demo take a copy of it (`demo_app`) instead of
    seeding their own."""
    instance = tmp_path_factory.mktemp("demo-template")
    if ON_POSTGRES:
        name = PG_TEMPLATE + "_demo"
        _pg_admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        _pg_admin(f"CREATE DATABASE {name} TEMPLATE {PG_TEMPLATE}")
        database = _pg_url(name)
    else:
        database = str(instance / "app.db")
        shutil.copy(template_db, database)
    os.environ["INSTANCE_PATH"] = str(instance)
    app = make_app(_config(str(instance), database))
    seeded = app.test_cli_runner().invoke(args=["seed-demo"])
    assert seeded.exit_code == 0, seeded.output  # on a fresh install (test_cli.py reads the result)
    with app.app_context():
        from app.auth.models import User

        for u in db.session.scalars(select(User)):
            u.set_password(TEST_PASSWORD)
            u.must_change_password = False
        db.session.commit()
        db.session.remove()
        db.engine.dispose()
    return database, str(instance / "uploads")


@pytest.fixture
def demo_app(demo_template, tmp_path, monkeypatch):
    """An app on a copy of the demo data (see demo_template)."""
    monkeypatch.setenv("INSTANCE_PATH", str(tmp_path))
    database, uploads = demo_template
    with fresh_app(database, tmp_path, pg_template=PG_TEMPLATE + "_demo", uploads=uploads) as application:
        yield application


@pytest.fixture
def app(template_db, tmp_path, monkeypatch):
    monkeypatch.setenv("INSTANCE_PATH", str(tmp_path))  # restored after the test
    with fresh_app(template_db, tmp_path) as application:
        yield application


@pytest.fixture
def optional_fields(app):
    """The shipped checklist fields (回厂率, 工单数 …) made optional, for tests about
    ticking itself; test_checklist_fields.py covers required fields and their values."""
    from sqlalchemy import update

    from app.checklists.models import ChecklistField

    with app.app_context():
        db.session.execute(update(ChecklistField).values(required=False))
        db.session.commit()


class Client:
    """Test client wrapper that knows how to fetch a CSRF token and log in."""

    def __init__(self, client):
        self.c = client

    def __getattr__(self, name):
        return getattr(self.c, name)

    def csrf(self) -> str:
        """A CSRF token of the client's session, as a browser has it from the page it is on:
        from the user's password page (a small page with a form; the workspace at "/" costs
        a few dozen statements, and post_form asks before every post), or the login page
        for a client that is not logged in (the password page sends it there)."""
        for url in ("/auth/password", "/auth/login"):
            html = self.c.get(url, follow_redirects=True).get_data(as_text=True)
            m = CSRF_RE.search(html)
            if m:
                return m.group(1) or m.group(2)
        raise AssertionError("no CSRF token found")

    def post_form(self, url, data=None, **kwargs):
        data = dict(data or {})
        data.setdefault("csrf_token", self.csrf())
        return self.c.post(url, data=data, **kwargs)

    def login(self, username, password=TEST_PASSWORD):
        return self.post_form("/auth/login", {"username": username, "password": password})

    def logout(self):
        return self.post_form("/auth/logout")


@pytest.fixture
def client(app):
    return Client(app.test_client())


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def make_user(app):
    """make_user("name", position="workshop_manager", admin=False, **flags) -> User."""

    def make(username, position=None, admin=False, employee_no=None, **flags):
        from app.auth.models import User
        from app.org.models import Position
        from app.staff.models import Employee

        with app.app_context():
            employee = None
            if position:
                pos = db.session.scalar(select(Position).filter_by(seed_key=position))
                assert pos is not None, position
                employee = Employee(employee_no=employee_no or f"E-{username}", name=username, position=pos)
                db.session.add(employee)
            user = User(username=username, is_admin=admin, employee=employee, **flags)
            user.set_password(TEST_PASSWORD)
            db.session.add(user)
            db.session.commit()
            db.session.refresh(user)
            db.session.expunge(user)
            return user

    return make


@pytest.fixture
def admin_client(client, make_user):
    make_user("boss", admin=True)
    client.login("boss")
    return client


@pytest.fixture
def live_server(app):
    """The app served on a free localhost port in a thread, for browser tests."""
    with serve(app) as url:
        yield url


@contextlib.contextmanager
def serve(app):
    """Serve `app` on a free localhost port in a thread while the block runs; its URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=5)


def race(calls) -> list:
    """Runs the callables in threads released at once (a barrier); their results, in the
    order they finished."""
    barrier = threading.Barrier(len(calls))
    results = []

    def go(call):
        barrier.wait()
        results.append(call())

    threads = [threading.Thread(target=go, args=(c,)) for c in calls]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


@pytest.fixture(scope="session")
def browser():
    chromium = shutil.which("chromium") or "/usr/bin/chromium"
    if not os.path.exists(chromium):
        pytest.fail("Debian's chromium is not installed; run scripts/test.sh, which installs it")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(
            executable_path=chromium,
            headless=True,
            args=[
                "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic",
                "--no-first-run", "--disable-background-networking", "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield b
        b.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    # No network but localhost: a CDN request fails at once instead of hanging.
    context.route(re.compile(r"^https?://(?!127\.0\.0\.1)"), lambda route: route.abort())
    p = context.new_page()
    yield p
    context.close()


def browser_login(page, base, username, password=TEST_PASSWORD):
    page.goto(base + "/auth/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_url(base + "/")


def wait_until(page, expression: str, timeout: float = 5.0) -> None:
    """Polls a JavaScript expression until true. (Playwright's wait_for_function evaluates
    a string inside the page, which the app's Content-Security-Policy rightly forbids.)"""
    import time

    deadline = time.monotonic() + timeout
    while not page.evaluate(f"() => Boolean({expression})"):
        if time.monotonic() > deadline:
            raise AssertionError(f"not true within {timeout} s: {expression}")
        page.wait_for_timeout(50)

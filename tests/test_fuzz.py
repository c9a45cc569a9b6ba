"""Random and extreme values into every query parameter and form field of every route, as
admin, with the demo data: whatever comes in, the answer is never a 5xx.

Field names are those the app's own pages use (collected from every GET page's forms and
links); the values come from hypothesis: huge and negative numbers, exponents, dates far
outside any calendar the app uses, full-width digits, long and odd Unicode text.
FUZZ_EXAMPLES (default 300) sets how many requests; run with a few thousand by hand.
"""
import os
import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.extensions import db
from tests.conftest import CSRF_RE, PG_TEMPLATE, fresh_app
from tests.test_browser_phone import SKIP_ENDPOINTS, demo_ids

EXTREMES = [
    "", " ", "0", "-1", "1e1000000", "1e-999999999", "99999999999999999999", "-99999999999999999999",
    "2147483648", "9223372036854775808", "NaN", "Infinity", "1_000", "１２", "0x10", "9999-12-31", "0001-01-01",
    "2026-02-30", "9999-12", "2026-13", "-2026-01", "../../etc/passwd", "<script>alert(1)</script>",
    "=HYPERLINK(\"http://x\")", "' OR 1=1 --", "%", "_", "\\", "\u202e", "𠮷" * 50, "x" * 5000, "y",
    "approve", "reject", "up", "down", "signed", "absent", "planned", "done", "cancelled",
]
value = st.one_of(st.sampled_from(EXTREMES), st.text(max_size=300), st.integers().map(str),
                  st.dates().map(str), st.floats(allow_nan=True).map(str))
QUERY_NAMES = ["date", "month", "year", "page", "start", "end", "q", "position", "days", "category", "status",
               "attendee", "employee", "item", "line", "format", "deleted", "a", "b", "kind", "index", "draft",
               "trainer", "type", "user", "action", "next", "size", "only"]


@pytest.fixture(scope="module", autouse=True)
def _no_audit_credit():
    """Random input succeeds by chance: the routes it happens to drive to a change count
    for nothing in test_zz_audit_invariant.py (which needs a deterministic test for each),
    though any change without its record still fails here (conftest._audit_invariant)."""
    from app.audit import guard

    before = set(guard.AUDITED)
    yield
    guard.AUDITED.clear()
    guard.AUDITED.update(before)


@pytest.fixture(scope="module")
def demo_app(tmp_path_factory, demo_template):
    """One demo instance for the whole module (hypothesis runs many examples per test): a
    copy of the session's demo database (conftest.demo_template)."""
    database, uploads = demo_template
    with fresh_app(database, tmp_path_factory.mktemp("fuzz"), pg_template=PG_TEMPLATE + "_demo", uploads=uploads) as app:
        app.config["PDF_CACHE_MB"] = 0
        with app.app_context():
            from app.auth.models import User

            boss = User(username="fuzzadmin", is_admin=True)
            boss.set_password("fuzz-password-1")
            db.session.add(boss)
            db.session.commit()
        yield app


def log_in(client) -> str:
    """Logs the fuzzing admin in (again, when an example ended its own login); returns a
    CSRF token of the session."""
    html = client.get("/", follow_redirects=True).get_data(as_text=True)
    m = CSRF_RE.search(html)
    if "/auth/logout" in html:
        return m.group(1) or m.group(2)
    r = client.post("/auth/login", data={"username": "fuzzadmin", "password": "fuzz-password-1",
                                         "csrf_token": m.group(1) or m.group(2)})
    assert r.status_code == 302, r.status_code
    return log_in(client)


@pytest.fixture(scope="module")
def admin(demo_app):
    client = demo_app.test_client()
    log_in(client)
    return client


def routes(app) -> list[tuple[str, str]]:
    """(method, url) of every route, with demo ids in the path."""
    from flask import url_for

    with app.app_context():
        ids = demo_ids()
        out = []
        with app.test_request_context():
            for rule in app.url_map.iter_rules():
                if rule.endpoint in SKIP_ENDPOINTS - {"auth.login"} or rule.endpoint == "auth.logout":
                    continue
                args = {name: ids.get(f"{rule.endpoint.split('.')[0]}.{name}", ids.get(name, 1)) for name in rule.arguments}
                url = url_for(rule.endpoint, **args)
                for method in sorted(rule.methods & {"GET", "POST"}):
                    out.append((method, url))
    return sorted(set(out))


def field_names(client, urls) -> list[str]:
    """Every form field name used on the app's pages."""
    names = set()
    for url in urls:
        r = client.get(url)
        if r.mimetype != "text/html":
            continue
        html = r.get_data(as_text=True)
        names |= set(re.findall(r'name="([A-Za-z_][\w\-]*)"', html))
    return sorted(names - {"csrf_token"})


@pytest.fixture(scope="module")
def surface(demo_app, admin):
    all_routes = routes(demo_app)
    get_urls = [u for m, u in all_routes if m == "GET" and not u.endswith((".pdf", ".csv"))]
    return all_routes, field_names(admin, get_urls)


def test_every_route_is_covered(surface):
    all_routes, fields = surface
    assert len(all_routes) > 80 and len(fields) > 40


@settings(max_examples=int(os.environ.get("FUZZ_EXAMPLES", "300")), deadline=None, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(data=st.data())
def test_no_input_gives_a_5xx(surface, admin, data):
    all_routes, fields = surface
    method, url = data.draw(st.sampled_from(all_routes), label="route")
    query = data.draw(st.dictionaries(st.sampled_from(QUERY_NAMES), value, max_size=4), label="query")
    if method == "GET":
        r = admin.get(url, query_string=query)
    else:
        token = log_in(admin)  # an earlier example may have ended this very login
        form = data.draw(st.dictionaries(st.sampled_from(fields), st.one_of(value, st.lists(value, max_size=3)),
                                         max_size=8), label="form")
        form["csrf_token"] = token
        r = admin.post(url, query_string=query, data=form)
    assert r.status_code < 500, (method, url, query, r.status_code)

"""Derived from the URL map: every route that accepts POST, PUT or DELETE was seen, during
this test session, committing a change together with its audit record
(app/audit/guard.py collects them), or is on the short allow-list below.

Runs last (file name) and only when the whole suite ran: a filtered run (-k, a file, a
marker) exercises only part of the routes. The one filter it accepts is `-m "not browser"`,
the PostgreSQL run of scripts/test.sh: without it the invariant would never be checked on
PostgreSQL, and a route that only a browser test writes through is a gap worth seeing."""
import pytest

from app.audit import guard

# POST routes that change nothing anyone else sees (no audit record is due).
ALLOWED = {
    "notices.open_notice": "opening a notice marks it read for its reader only",
    "notices.read_all": "marks the reader's own notices read",
    "staff.import_csv": "the preview of an import: nothing is written until staff.import_confirm",
}


def _whole_suite(config) -> bool:
    args = [a for a in config.args if a not in ("tests", "tests/", str(config.rootpath / "tests"))]
    return not args and not config.option.keyword and config.option.markexpr in ("", "not browser")


def test_every_writing_route_records_its_change(app, request):
    if not _whole_suite(request.config):
        pytest.skip("the whole suite did not run: only part of the routes were exercised")
    writing = {r.endpoint for r in app.url_map.iter_rules() if r.methods & {"POST", "PUT", "DELETE", "PATCH"}}
    missing = sorted(writing - guard.AUDITED - set(ALLOWED))
    assert not missing, f"routes never seen committing a change with its audit record: {missing}"
    assert not set(ALLOWED) - writing, "the allow-list names a route that no longer exists"

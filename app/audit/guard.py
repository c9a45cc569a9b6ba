"""The invariant every record depends on, checked while the app runs under test: a request
that commits a change to the data commits an audit record with it.

With AUDIT_GUARD on (the test configuration), every INSERT, UPDATE and DELETE a request
sends that changes rows is noted by table; at each COMMIT (before it is sent), a change to
any table but the few below without an INSERT INTO audit_entry in the same transaction
raises AuditMissing: nothing is committed, the request ends in an error page, and
VIOLATIONS (which the suite checks after every test) says why. Endpoints that committed a change with its audit record are
collected in AUDITED, which tests/test_zz_audit_invariant.py compares with the URL map.
"""
import re

from flask import current_app, g, has_request_context, request
from sqlalchemy import event
from sqlalchemy.engine import Engine

# Tables a request may change without an audit record, and why.
EXEMPT_TABLES = {
    "login_session",  # last seen, kept every few minutes by every request (auth/sessions.py)
    "login_attempt",  # throttling counts; the login's outcome itself is audited
    "notice",         # opening a notice marks it read: the reader's own state, not the department's data
}

AUDITED: set[str] = set()  # endpoints seen committing a change together with its audit record
VIOLATIONS: list[str] = []  # what was refused, for the test suite to fail on (an error page hides it)

_WRITE = re.compile(r'^\s*(?:INSERT\s+(?:OR\s+\w+\s+)?INTO|UPDATE|DELETE\s+FROM)\s+"?(\w+)', re.I)


class AuditMissing(RuntimeError):
    pass


def _on() -> bool:
    return has_request_context() and g.get("_audit_guard") is not None


def _note(conn, cursor, statement, parameters, context, executemany):
    """After a statement: a write that changed rows (an UPDATE … WHERE that lost a race
    and matched none changed nothing: no record is due; a failed INSERT never gets here)."""
    if not _on():
        return
    found = _WRITE.match(statement)
    if found and (executemany or cursor.rowcount != 0):
        g._audit_guard.add(found.group(1).lower())


def _check(conn):
    if not _on():
        return
    tables, g._audit_guard = g._audit_guard, set()
    if "audit_entry" in tables:
        AUDITED.add(request.endpoint or "")
        return
    changed = tables - EXEMPT_TABLES
    if not changed:
        return
    message = (f"{request.method} {request.path} ({request.endpoint}) committed changes to "
               f"{', '.join(sorted(changed))} without an audit record")
    VIOLATIONS.append(message)
    raise AuditMissing(message)


def _forget(conn):
    if _on():
        g._audit_guard = set()


def _start():
    if current_app.config.get("AUDIT_GUARD"):
        g._audit_guard = set()


def install(app) -> None:
    if not app.config.get("AUDIT_GUARD"):
        return
    for target, name, hook in ((Engine, "after_cursor_execute", _note), (Engine, "commit", _check),
                               (Engine, "rollback", _forget)):
        if not event.contains(target, name, hook):  # once per process
            event.listen(target, name, hook)
    app.before_request(_start)

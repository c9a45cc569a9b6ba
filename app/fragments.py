"""Rendered pages and page fragments kept for as long as nothing changed.

Every state change in the app writes an audit record in its transaction, so the newest
audit id (one indexed MAX) is an exact version of the data (with a count of this
process's own commits, which also covers a write without an audit record made here);
together with what else the fragment depends on (the user, the minute, a row's state, a
filter) it makes the key. A
fragment never holds a form token: one with forms is rendered with FORM_TOKEN_SLOT in its
place, and with_form_token() puts this session's token in when it is served. Each worker
process keeps its own LRU, bounded by size.

Whole pages (views marked with @kept_page) are kept the same way, per user, address
(query string included), minute, data version and the user's unread notices (reading a
notice is the one change without an audit record, and the bell shows their number): a
repeated view costs one statement (the login's, which reads both versions too, outside a
transaction and without loading the account) and a dictionary lookup. A page is neither
served from nor put in the store when a flash message waits (it shows once), for an HTMX
request (which may want a fragment of the same address), or when the view changed the
session (other than creating its form token).
"""
import secrets
from collections import OrderedDict
from functools import lru_cache
from threading import Lock
from typing import Callable

from flask import current_app, g, request, session
from flask_wtf.csrf import generate_csrf
from sqlalchemy import func, select

from app.extensions import db

_CACHE: "OrderedDict[tuple, tuple]" = OrderedDict()  # key -> (value, size)
_MAX_SIZE = 24_000_000  # per worker, in characters or bytes; a board row ~1.5 K, the matrix page ~100 K
_size = 0
_lock = Lock()
FORM_TOKEN_SLOT = "\x00form-token\x00"  # cannot occur in escaped output


def version_columns(user_id) -> tuple:
    """(the data version, the user's unread notices) as columns of a statement: the login's
    statement for a kept page reads them with it (auth/sessions.py peek), so a kept page
    needs no second round trip to the database."""
    from app.notices.models import Notice

    return (_newest_audit().scalar_subquery().label("data_version"),
            select(func.count(Notice.id)).where(Notice.user_id == user_id, Notice.read_at.is_(None))
            .scalar_subquery().label("unread_notices"))


@lru_cache(maxsize=1)
def _newest_audit():
    """Built once: on every request, building a statement costs more than running it."""
    from app.audit.models import AuditEntry

    return select(func.max(AuditEntry.id))


def data_version() -> int:
    return db.session.scalar(_newest_audit()) or 0


_local_writes = 0  # commits with ORM changes in this process


def _after_flush(session, context) -> None:
    session.info["fragments_wrote"] = True


def _after_commit(session) -> None:
    """A write committed in this process makes a new version here at once, even one that
    wrote no audit record (a test's fixture, a script run in the same process)."""
    global _local_writes
    if session.info.pop("fragments_wrote", False):
        _local_writes += 1


def _after_rollback(session) -> None:
    session.info.pop("fragments_wrote", None)


def with_form_token(html: str) -> str:
    """A cached fragment with this session's CSRF token where it was left out."""
    if FORM_TOKEN_SLOT not in html:
        return html
    return html.replace(FORM_TOKEN_SLOT, generate_csrf())


def clear() -> None:
    """Forget every fragment (tests that count the work behind a cached one)."""
    global _size
    with _lock:
        _CACHE.clear()
        _size = 0


def _get(key: tuple):
    with _lock:
        found = _CACHE.get(key)
        if found is None:
            return None
        _CACHE.move_to_end(key)
        return found[0]


def _put(key: tuple, value, size: int) -> None:
    global _size
    with _lock:
        if key not in _CACHE:
            _CACHE[key] = (value, size)
            _size += size
        while _size > _MAX_SIZE and _CACHE:  # the least recently used go first
            _size -= _CACHE.popitem(last=False)[1][1]


def _app_key() -> str:
    """This application's share of the store: its database and a token of its own, so two
    apps of one process (tests) never see each other's pages, even on one database."""
    return current_app.extensions["fragments"]


def cached(key: tuple, render: Callable[[], object], version: int | None = None, size=len):
    """The fragment for `key` at the current data version, rendered once. A page made of
    many fragments (a board's rows) reads the version once and passes it. A plain value
    (never ORM objects: they would outlive their session) is kept the same way, with
    `size` giving its share of the store."""
    version = data_version() if version is None else version
    full = (_app_key(), version, _local_writes) + tuple(key)
    found = _get(full)
    if found is None:
        found = render()
        _put(full, found, size(found))
    return found


def kept_page(view):
    """Marks a GET page whose HTML depends only on the data, the user, the address and the
    minute, so it may be served again from the store (see the module doc). Put it under
    the route decorator and above login_required."""
    view.kept_page = True
    return view


def _serve_kept():
    view = current_app.view_functions.get(request.endpoint)
    if (not getattr(view, "kept_page", False) or request.method != "GET" or "HX-Request" in request.headers
            or "_flashes" in session):
        return None
    from app import clock
    from app.auth.sessions import peek

    login = peek()  # one statement, the account not loaded
    if login is None:  # Flask-Login's full check has work to do: leave the page to it
        return None
    user_id, version, unread = login
    g._unread_notices = unread  # the bell's number, should the page be rendered
    minute = clock.local_now().replace(second=0, microsecond=0)
    g._kept_page_key = (_app_key(), version, _local_writes, "page", user_id, unread, minute, request.full_path)
    kept = _get(g._kept_page_key)
    if kept is None:
        g._kept_session = _session_but_token()  # before the view: did it change the session?
        return None
    parts, vary = kept
    response = current_app.response_class(parts[0] if len(parts) == 1 else generate_csrf().encode().join(parts),
                                          mimetype="text/html")
    response.vary.update(vary)  # HX-Request, where the address also serves a fragment
    return response


def _session_but_token() -> dict:
    """The session without the form token's secret, which a page may create (the stored
    page has a slot in place of the token, and each serving makes its own)."""
    return {k: v for k, v in session.items() if k != "csrf_token"}


def _keep(response):
    key = g.pop("_kept_page_key", None)
    if (key is None or response.status_code != 200 or response.mimetype != "text/html"
            or response.is_streamed or (session.modified and _session_but_token() != g.get("_kept_session"))):
        return response
    body = response.get_data()
    token = g.get("csrf_token")
    parts = tuple(body.split(token.encode())) if token else (body,)  # joined by each serving's token
    _put(key, (parts, tuple(response.vary)), len(body))
    return response


def install(app) -> None:
    """This app's share of the store, and the hooks of kept pages (registered before the
    password-change check, which loads the account: a kept page is served without it)."""
    from sqlalchemy import event
    from sqlalchemy.orm import Session

    app.extensions["fragments"] = f"{app.config.get('SQLALCHEMY_DATABASE_URI')}#{secrets.token_hex(4)}"
    for name, hook in (("after_flush", _after_flush), ("after_commit", _after_commit),
                       ("after_rollback", _after_rollback)):
        if not event.contains(Session, name, hook):  # once per process, for every session
            event.listen(Session, name, hook)
    app.before_request(_serve_kept)
    app.after_request(_keep)

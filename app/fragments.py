"""Rendered page fragments kept for as long as nothing changed.

Every state change in the app writes an audit record in its transaction, so the newest
audit id (one indexed MAX) is an exact version of the data; together with what else the
fragment depends on (the user, the minute, a row's state, a filter) it makes the key. A
fragment never holds a form token: one with forms is rendered with FORM_TOKEN_SLOT in its
place, and with_form_token() puts this session's token in when it is served. Each worker
process keeps its own LRU, bounded by size.
"""
from collections import OrderedDict
from threading import Lock
from typing import Callable

from sqlalchemy import func, select

from app.extensions import db

_CACHE: "OrderedDict[tuple, str]" = OrderedDict()
_MAX_CHARS = 8_000_000  # per worker; a board row is ~1.5 K characters, the matrix ~60 K
_size = 0
_lock = Lock()
FORM_TOKEN_SLOT = "\x00form-token\x00"  # cannot occur in escaped output


def data_version() -> int:
    from app.audit.models import AuditEntry

    return db.session.scalar(select(func.max(AuditEntry.id))) or 0


def with_form_token(html: str) -> str:
    """A cached fragment with this session's CSRF token where it was left out."""
    if FORM_TOKEN_SLOT not in html:
        return html
    from flask_wtf.csrf import generate_csrf

    return html.replace(FORM_TOKEN_SLOT, generate_csrf())


def clear() -> None:
    """Forget every fragment (tests that count the work behind a cached one)."""
    global _size
    with _lock:
        _CACHE.clear()
        _size = 0


def cached(key: tuple, render: Callable[[], str], version: int | None = None) -> str:
    """The fragment for `key` at the current data version, rendered once. A page made of
    many fragments (a board's rows) reads the version once and passes it."""
    global _size
    version = data_version() if version is None else version
    full = (db.engine.url.render_as_string(hide_password=True), version) + tuple(key)
    with _lock:
        html = _CACHE.get(full)
        if html is not None:
            _CACHE.move_to_end(full)
            return html
    html = render()
    with _lock:
        if full not in _CACHE:
            _CACHE[full] = html
            _size += len(html)
        while _size > _MAX_CHARS and _CACHE:  # the least recently used go first
            _size -= len(_CACHE.popitem(last=False)[1])
    return html

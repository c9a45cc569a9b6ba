"""Rendered page fragments kept for as long as nothing changed.

Every state change in the app writes an audit record in its transaction, so the newest
audit id (one indexed MAX) is an exact version of the data; together with what else the
fragment depends on (the user, the minute, a filter) it makes the key. Fragments hold no
form token (CSRF stays outside them). Each worker process keeps its own bounded LRU.
"""
from collections import OrderedDict
from threading import Lock
from typing import Callable

from sqlalchemy import func, select

from app.extensions import db

_CACHE: "OrderedDict[tuple, str]" = OrderedDict()
_SIZE = 512
_lock = Lock()


def data_version() -> int:
    from app.audit.models import AuditEntry

    return db.session.scalar(select(func.max(AuditEntry.id))) or 0


def cached(key: tuple, render: Callable[[], str]) -> str:
    """The fragment for `key` at the current data version, rendered once."""
    full = (db.engine.url.render_as_string(hide_password=True), data_version()) + tuple(key)
    with _lock:
        html = _CACHE.get(full)
        if html is not None:
            _CACHE.move_to_end(full)
            return html
    html = render()
    with _lock:
        _CACHE[full] = html
        while len(_CACHE) > _SIZE:
            _CACHE.popitem(last=False)
    return html

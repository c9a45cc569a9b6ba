"""SQLite tuning and shared column helpers.

On SQLite every connection gets WAL, foreign keys and a busy timeout. Transactions that
may write (a POST/PUT/PATCH/DELETE request, or any work outside a request such as the
CLI) start with BEGIN IMMEDIATE: they take the write lock up front and wait for it
(busy timeout) instead of failing with "database is locked" when a read transaction
later tries to upgrade. Reads (GET) keep plain deferred transactions, so they never
block writers. On PostgreSQL none of this applies.
"""
import sqlite3
from datetime import datetime, timezone

from flask import current_app, has_request_context, request
from sqlalchemy import event
from sqlalchemy.engine import Engine

WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}


def utcnow() -> datetime:
    """Naive UTC now; all timestamps are stored as naive UTC."""
    return datetime.now(timezone.utc).replace(tzinfo=None)


def _busy_timeout_ms() -> int:
    try:
        return int(current_app.config.get("SQLITE_BUSY_TIMEOUT_MS", 15000))
    except RuntimeError:  # no app context
        return 15000


@event.listens_for(Engine, "connect")
def _sqlite_on_connect(dbapi_connection, connection_record):
    if not isinstance(dbapi_connection, sqlite3.Connection):
        return
    # Let SQLAlchemy's "begin" event emit BEGIN itself (pysqlite's own handling is off).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={_busy_timeout_ms()}")
    try:
        cursor.execute("PRAGMA journal_mode=WAL")  # not for :memory:, harmless there
    except sqlite3.DatabaseError:
        pass
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


@event.listens_for(Engine, "begin")
def _sqlite_on_begin(conn):
    if conn.dialect.name != "sqlite":
        return
    if has_request_context() and request.method not in WRITE_METHODS:
        conn.exec_driver_sql("BEGIN")
    else:
        conn.exec_driver_sql("BEGIN IMMEDIATE")

"""SQLite tuning and shared column helpers.

On SQLite every connection gets WAL, foreign keys and a busy timeout. Transactions that
may write (a POST/PUT/PATCH/DELETE request, or any work outside a request such as the
CLI) start with BEGIN IMMEDIATE: they take the write lock up front and wait for it
(busy timeout) instead of failing with "database is locked" when a read transaction
later tries to upgrade. Reads (GET) keep plain deferred transactions, so they never
block writers. On PostgreSQL none of this applies.

On PostgreSQL a request whose last transaction wrote nothing (a page; what a form post read
after committing, such as the row it sends back) ends it with COMMIT, not ROLLBACK
(end_read_transaction): psycopg forgets every prepared statement at a ROLLBACK (a
rolled-back PREPARE would be gone), so every statement of every page was parsed and planned
again on every request. A commit of a transaction that wrote nothing is what a rollback is;
a transaction that wrote anything, or a request that failed, still ends in a rollback.
psycopg keeps PG_PREPARED_MAX prepared statements per connection (500; its own default of
100 is fewer than the distinct statements of the pages people use at a peak).
"""
import sqlite3
from datetime import datetime, timezone
from functools import lru_cache

from flask import current_app, has_request_context, request
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.pool import Pool

WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}


def utcnow() -> datetime:
    """Naive UTC now; all timestamps are stored as naive UTC."""
    return datetime.now(timezone.utc).replace(tzinfo=None)


SHAPES_KEPT = 64  # statements kept per builder of database.statement


def statement(build):
    """A statement built once per process (per combination of the builder's arguments, which
    choose its shape, never its values), on first use, and run with its values as bind
    parameters: `db.session.execute(build(admin), {"positions": ids})`.

    Building a select and its cache key costs a few hundred microseconds on every call
    (more than SQLite takes to run it); a statement kept whole has its cache key worked out
    once. Statements are immutable and shared by threads; the values never are. At most
    SHAPES_KEPT shapes per builder are kept (a shape counted from the data, such as the
    number of key ranges of checklist marks, cannot grow the process without bound)."""
    return lru_cache(maxsize=SHAPES_KEPT)(build)


def _config(key: str, default):
    try:
        return current_app.config.get(key, default)
    except RuntimeError:  # no app context
        return default


def _busy_timeout_ms() -> int:
    return int(_config("SQLITE_BUSY_TIMEOUT_MS", 15000))


@event.listens_for(Engine, "connect")
def _sqlite_on_connect(dbapi_connection, connection_record):
    if hasattr(dbapi_connection, "prepared_max"):  # psycopg (PostgreSQL)
        # A statement is prepared at its fifth execution on a connection and kept in a
        # cache of prepared_max; a peak's mix of pages runs a few hundred distinct ones.
        dbapi_connection.prepared_max = int(_config("PG_PREPARED_MAX", 500))
        return
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


# --- reads end with COMMIT on PostgreSQL (see the module's docstring) -------------------------

_WROTE = "_wrote"  # in the DBAPI connection's info: a statement other than SELECT ran since it began


@event.listens_for(Engine, "before_cursor_execute")
def _note_write(conn, cursor, statement, parameters, context, executemany):
    if statement[:6].upper() != "SELECT":  # anything else (DML, DDL, WITH …) counts as a write
        conn.info[_WROTE] = True


@event.listens_for(Engine, "commit")
@event.listens_for(Engine, "rollback")
def _transaction_over(conn):
    if conn.invalidated:  # the connection was lost: it is not reused (and its info not readable)
        return
    conn.info.pop(_WROTE, None)


@event.listens_for(Pool, "checkin")
def _checked_in(dbapi_connection, connection_record):
    connection_record.info.pop(_WROTE, None)


def end_read_transaction(session) -> bool:
    """Commit the session's transaction if it is on PostgreSQL and wrote nothing (at the
    end of a request that did not fail), so that psycopg keeps its prepared statements;
    True if it did. Anything else is left to the session's closing rollback."""
    if not session.in_transaction():
        return False
    conn = session.connection()
    if conn.dialect.name != "postgresql" or conn.info.get(_WROTE) or session.new or session.dirty or session.deleted:
        return False
    session.commit()
    return True

"""Query plans of the main pages: which statements reach a table that grows with the
years without an index.

    .venv/bin/python bench/plans.py                       # the SQLite three-year dataset
    DATABASE_URL=postgresql+psycopg://…/intranet_bench .venv/bin/python bench/plans.py
    .venv/bin/python bench/plans.py --roles 技师,主管,文员,经理,管理员   # every page each role reaches

Serves each page of bench/pagelist.py in-process as the bench admin, records its
statements, and runs EXPLAIN (PostgreSQL) or EXPLAIN QUERY PLAN (SQLite) on each. A full
scan of a large table is reported unless the statement walks it in key order and stops
at a LIMIT. tests/test_page_queries.py applies the same check on SQLite. Run by hand.
"""
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))

# Tables that grow with the years. Employees grow with headcount, not years: left out.
LARGE = {"checklist_mark", "checklist_event", "stock_entry", "audit_entry", "training_attendee",
         "read_confirmation", "issue_slip", "requisition", "requisition_line", "requisition_step", "training"}


MIN_ROWS = 5000  # PostgreSQL: a table smaller than this may be scanned


def record_statements(engine):
    """Context: a list that fills with (statement, parameters) of every query run."""
    from contextlib import contextmanager

    from sqlalchemy import event

    @contextmanager
    def recording():
        seen: list = []

        def listener(conn, cursor, statement, parameters, context, executemany):
            seen.append((statement, parameters))

        event.listen(engine, "before_cursor_execute", listener)
        try:
            yield seen
        finally:
            event.remove(engine, "before_cursor_execute", listener)

    return recording()


def scans(driver_connection, dialect: str, statement: str, parameters) -> list[str]:
    """Plan lines of this SELECT that read a large table in full."""
    if not statement.lstrip().upper().startswith("SELECT"):
        return []
    if dialect == "sqlite":
        plan = [row[-1] for row in driver_connection.execute("EXPLAIN QUERY PLAN " + statement, parameters or ())]
        in_order = " LIMIT " in statement and not any("TEMP B-TREE" in line for line in plan)
        return [line for line in plan
                if line.split()[0] == "SCAN" and "USING" not in line and line.split()[1] in LARGE and not in_order]
    with driver_connection.cursor() as cur:
        cur.execute("EXPLAIN " + statement, parameters or None)
        plan = [row[0] for row in cur.fetchall()]
        in_order = " LIMIT " in statement and not any("Sort" in line for line in plan)
        found = []
        for line in plan:
            if "Seq Scan on " not in line or in_order:
                continue
            table = line.split("Seq Scan on ")[1].split()[0]
            cur.execute("SELECT reltuples FROM pg_class WHERE relname = %s", (table,))
            # Below some thousands of rows a sequential scan is the planner's right choice.
            if table in LARGE and (cur.fetchone() or (0,))[0] > MIN_ROWS:
                found.append(line.strip())
    return found


def check(app, engine, client, url: str, name: str) -> int:
    """Serve the page once more, EXPLAIN each of its statements, report; the number of
    full scans of large tables."""
    from app.extensions import db

    with record_statements(engine) as seen:
        status = client.get(url).status_code
    with app.app_context():
        conn = db.session.connection().connection.driver_connection
        found = [(line, sql) for sql, params in seen for line in scans(conn, engine.dialect.name, sql, params)]
    report(name, status, seen, found)
    return len(found)


def report(name: str, status: int, seen: list, found: list) -> None:
    print(f"{name:<14} HTTP {status}, {len(seen)} statements, "
          + ("every large table through an index" if not found else f"{len(found)} full scans:"))
    for line, sql in found:
        print(f"    {line}\n      {' '.join(sql.split())[:160]}")


def by_roles(roles: list[str]) -> None:
    """Every page kind each role reaches by links (bench/crawl.py's walk), as the first of
    bench/peak.py's people of the role: what a supervisor's own narrowing asks (a page of
    twenty technicians' marks), which the bench admin's pages never ask."""
    from crawl import pages, role_app

    from app.extensions import db

    app, first = role_app()
    with app.app_context():
        engine = db.engine
    problems = 0
    for role in roles:
        print(f"\n{role} ({first[role]})")
        for client, endpoint, url, _ in pages(app, first[role]):
            problems += check(app, engine, client, url, f"{endpoint} {url}")
    print(f"\n{problems} full scans of large tables ({engine.dialect.name})")


def main() -> None:
    sys.path.insert(0, os.path.join(HERE, ".."))
    sys.path.insert(0, HERE)
    if "--roles" in sys.argv:
        by_roles(sys.argv[sys.argv.index("--roles") + 1].split(","))
        return
    from pagelist import main_pages
    from scale import BENCH_ADMIN, BENCH_PASSWORD, DEFAULT_INSTANCE as instance

    url = os.environ.get("DATABASE_URL") or f"sqlite:///{instance}/app.db"
    os.environ["INSTANCE_PATH"] = instance
    from app import create_app
    from app.extensions import db

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "WTF_CSRF_ENABLED": False})
    client = app.test_client()
    client.post("/auth/login", data={"username": BENCH_ADMIN, "password": BENCH_PASSWORD})
    with app.app_context():
        pages = main_pages()
        engine = db.engine
    problems = 0
    for name, path in pages:
        client.get(path)
        problems += check(app, engine, client, path, name)
    print(f"\n{problems} full scans of large tables ({engine.dialect.name})")


if __name__ == "__main__":
    main()

"""Main pages cost the same number of SQL statements however much data lies behind them
(no query per row), and on SQLite their queries on the large tables use indexes.

The demo data is grown twice with bench/scaledata.grow (the three-year dataset's builder,
at a small factor, then again larger); each page's statements are counted after each step
and must be equal. The query plans are checked at the larger size.
"""
import os
import sys

import pytest
from sqlalchemy import event, func, select

from app.extensions import db
from tests.conftest import ON_POSTGRES

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "bench"))

# Tables that grow with the years: a query must reach them through an index, or walk them
# in key order and stop at its LIMIT (newest first by id). Employees grow with headcount,
# not with years, and are left out.
LARGE = {"checklist_mark", "checklist_event", "stock_entry", "audit_entry", "training_attendee",
         "read_confirmation", "issue_slip", "requisition", "requisition_line", "requisition_step", "training"}


def main_pages() -> list[tuple[str, str]]:
    """The pages of the speed issue, with the busiest object of each kind."""
    from app.checklists.models import ChecklistItem
    from app.handbook.models import Duty
    from app.supplies.models import StockEntry
    from app.trainings.models import Attendee

    def top(col, *where):
        return db.session.execute(select(col, func.count()).where(*where).group_by(col)
                                  .order_by(func.count().desc(), col).limit(1)).first()[0]

    grid = top(ChecklistItem.position_id, ChecklistItem.active.is_(True))
    duties = top(Duty.position_id)
    item = top(StockEntry.item_id)
    emp = top(StockEntry.employee_id, StockEntry.employee_id.is_not(None))
    training = top(Attendee.training_id)
    return [
        ("home", "/"), ("board", "/checklists/"), ("overdue", "/checklists/overdue"),
        ("grid", f"/checklists/positions/{grid}"), ("position", f"/handbook/positions/{duties}"),
        ("search", "/handbook/search?q=客户"), ("trainings", "/trainings/"), ("training", f"/trainings/{training}"),
        ("stock", "/supplies/"), ("ledger", f"/supplies/items/{item}"), ("emp_supplies", f"/supplies/employees/{emp}"),
        ("staff", "/staff/"), ("requisitions", "/supplies/requisitions"), ("slips", "/supplies/slips"),
        ("audit", "/admin/audit/"),
    ]


def measure(app, client) -> dict[str, tuple[int, list]]:
    with app.app_context():
        pages = main_pages()
        engine = db.engine
    seen: list = []

    def listener(conn, cursor, statement, parameters, context, executemany):
        seen.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", listener)
    out = {}
    try:
        for name, url in pages:
            client.get(url)  # warm: per-process caches (glossary, periods) filled once
            seen.clear()
            r = client.get(url)
            assert r.status_code == 200, (name, url, r.status_code)
            out[name] = (len(seen), list(seen))
    finally:
        event.remove(engine, "before_cursor_execute", listener)
    return out


def grow(app, factor, prefix):
    import scaledata

    with app.app_context():
        scaledata.grow(factor=factor, seed=7, log=lambda *a: None, prefix=prefix)
        db.session.commit()


@pytest.fixture
def demo(app):
    from app.demo import seed_demo

    with app.app_context():
        seed_demo()
        db.session.commit()
    return app


def test_statements_per_page_do_not_grow_with_the_data(demo, admin_client):
    grow(demo, 0.02, "X")
    small = measure(demo, admin_client)
    grow(demo, 0.08, "Y")
    large = measure(demo, admin_client)
    diffs = {name: (small[name][0], large[name][0]) for name in small if small[name][0] != large[name][0]}
    assert not diffs, f"statements per page grew with the data (small, large): {diffs}"
    for name, (count, _) in large.items():
        assert count <= 25, (name, count)

    if ON_POSTGRES:
        return
    # Query plans at the larger size: no full scan of a table that grows with the years.
    scans = []
    with demo.app_context():
        conn = db.session.connection().connection.driver_connection
        for name, (_, statements) in large.items():
            for sql, params in statements:
                if not sql.lstrip().upper().startswith("SELECT"):
                    continue
                plan = [row[-1] for row in conn.execute("EXPLAIN QUERY PLAN " + sql, params or ())]
                walks_in_order = " LIMIT " in sql and not any("TEMP B-TREE" in d for d in plan)
                for detail in plan:
                    words = detail.split()
                    if words[0] == "SCAN" and "USING" not in detail and words[1] in LARGE and not walks_in_order:
                        scans.append((name, detail, sql[:120]))
    assert not scans, "\n".join(map(str, scans))

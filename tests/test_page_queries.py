"""Main pages cost the same number of SQL statements however much data lies behind them
(no query per row), and on SQLite their queries on the large tables use indexes.

The demo data is grown twice with bench/scaledata.grow (the three-year dataset's builder,
at a small factor, then again larger); each page's statements are counted after each step
and must be equal. The query plans are checked at the larger size.
"""
import os
import sys

import pytest

from app.extensions import db
from tests.conftest import ON_POSTGRES

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "bench"))


def measure(app, client) -> dict[str, tuple[int, list]]:
    from pagelist import main_pages
    from plans import record_statements

    with app.app_context():
        pages = main_pages()
        engine = db.engine
    out = {}
    for name, url in pages:
        client.get(url)  # warm: per-process caches (glossary, periods) filled once
        with record_statements(engine) as seen:
            r = client.get(url)
        assert r.status_code == 200, (name, url, r.status_code)
        out[name] = (len(seen), list(seen))
    return out


def grow(app, factor, prefix):
    import scaledata

    with app.app_context():
        scaledata.grow(factor=factor, seed=7, log=lambda *a: None, prefix=prefix)
        db.session.commit()


@pytest.fixture
def app(demo_app):
    """A copy of the session's demo database (see conftest.demo_template)."""
    return demo_app


@pytest.fixture
def demo(app):
    return app


def test_statements_per_page_do_not_grow_with_the_data(demo, admin_client):
    grow(demo, 0.02, "X")
    small = measure(demo, admin_client)
    grow(demo, 0.08, "Y")
    large = measure(demo, admin_client)
    diffs = {name: (small[name][0], large[name][0]) for name in small if small[name][0] != large[name][0]}
    assert not diffs, f"statements per page grew with the data (small, large): {diffs}"
    for name, (count, _) in large.items():
        # the workspace gathers a few rows from each part (the overdue summary also reads the
        # lifts in use for their daily check, the equipment managers' block the verifications
        # due, the loans one statement for the overdue and the leavers' blocks, inspections one
        # for the actions to verify); other pages ≤ 25
        assert count <= (38 if name == "home" else 25), (name, count)

    if ON_POSTGRES:
        return  # at this size PostgreSQL's planner rightly prefers sequential scans
    # Query plans at the larger size: no full scan of a table that grows with the years.
    from plans import scans

    found = []
    with demo.app_context():
        conn = db.session.connection().connection.driver_connection
        for name, (_, statements) in large.items():
            found += [(name, line, sql[:120]) for sql, params in statements for line in scans(conn, "sqlite", sql, params)]
    assert not found, "\n".join(map(str, found))


ROLES = {"hesf": "技师", "zhangwei": "车间主任", "chenxy": "车间文员", "lijing": "售后内勤", "wangjg": "售后经理"}


def workspace_statements(app, client) -> dict[str, int]:
    from plans import record_statements

    with app.app_context():
        engine = db.engine
    out = {}
    for username in ROLES:
        client.logout()
        assert client.login(username).status_code == 302
        client.get("/")  # warm
        with record_statements(engine) as seen:
            r = client.get("/")
        assert r.status_code == 200 and "我的工作台" in r.get_data(as_text=True), username
        out[username] = len(seen)
    return out


def test_every_roles_workspace_costs_the_same_whatever_the_data(demo, client):
    """我的工作台 of a technician, a supervisor, the clerks and the manager: each block reads a
    few rows and a count, so the page's statements do not grow with the years behind it."""
    small = workspace_statements(demo, client)
    grow(demo, 0.02, "X")
    medium = workspace_statements(demo, client)
    grow(demo, 0.08, "Y")
    large = workspace_statements(demo, client)
    # Equal up to the eager loads of who ticked what (a person already loaded for another
    # row is not read again, so which people the rows name moves the count by one or two).
    grown = {u: (small[u], medium[u], large[u]) for u in small if max(medium[u], large[u]) > small[u] + 2}
    assert not grown, f"statements of a workspace grew with the data (small, medium, large): {grown}"
    assert all(n <= 38 for n in large.values()), large


def test_the_open_faults_in_the_workspace_cost_the_same_however_many(demo, client):
    """The open faults in 待我处理 (the responsible person's, the equipment managers') are a
    few rows and a count in one statement: forty more open faults add no statement."""
    from app.equipment import faults
    from app.equipment.models import Equipment

    before = workspace_statements(demo, client)
    with demo.app_context():
        items = list(db.session.scalars(db.select(Equipment).where(Equipment.state != "scrapped")))
        for n in range(40):
            faults.report(items[n % len(items)], f"故障 {n}", None)
        db.session.commit()
    after = workspace_statements(demo, client)
    assert after == before, (before, after)
    client.logout()
    client.login("zhangwei")
    assert "设备报修（未修复）" in client.get("/").get_data(as_text=True)


def test_the_overdue_actions_in_the_workspace_cost_the_same_however_many(demo, client):
    """逾期未完成的整改 in the manager's and the supervisors' 待我处理: the first rows and their
    number in one statement, so forty more overdue actions add none."""
    from datetime import timedelta

    from app import clock
    from app.inspections.models import OPEN, CorrectiveAction

    before = workspace_statements(demo, client)
    with demo.app_context():
        model = db.session.scalars(db.select(CorrectiveAction).order_by(CorrectiveAction.id)).first()
        today = clock.local_now().date()
        for n in range(40):
            db.session.add(CorrectiveAction(inspection_id=model.inspection_id, item_key=model.item_key,
                                            finding=f"逾期 {n}", what="整改", assignee_id=model.assignee_id,
                                            due_on=today - timedelta(days=n + 1), state=OPEN,
                                            created_by_id=model.created_by_id))
        db.session.commit()
    after = workspace_statements(demo, client)
    assert after == before, (before, after)
    client.logout()
    client.login("wangjg")
    assert "逾期未完成的整改" in client.get("/").get_data(as_text=True)


def test_the_new_hires_to_sign_off_cost_the_same_however_many(demo, client):
    """新员工入职，待上岗确认 in the supervisors' and the mentor's 待我处理: the first rows
    and their number in one statement, so twelve more new hires add none; the mentor (何师傅)
    sees the new hire he trains, the front desk's supervisor does not."""
    from datetime import timedelta

    from app import clock
    from app.org.models import Position
    from app.staff.models import Employee

    before = workspace_statements(demo, client)
    with demo.app_context():
        tech = db.session.scalar(db.select(Position).filter_by(seed_key="technician"))
        today = clock.local_now().date()
        for n in range(12):
            db.session.add(Employee(employee_no=f"NH{n:02d}", name=f"新人{n:02d}", position_id=tech.id,
                                    hire_date=today - timedelta(days=n)))
        db.session.commit()
    after = workspace_statements(demo, client)
    assert after == before, (before, after)
    client.logout()
    client.login("zhangwei")
    html = client.get("/").get_data(as_text=True)
    assert "新员工入职，待上岗确认" in html and "林涛" in html and "全部 13 人" in html
    client.logout()
    client.login("hesf")  # 林涛's 带教师傅 in the demo
    html = client.get("/").get_data(as_text=True)
    assert "新员工入职，待上岗确认" in html and "林涛" in html and "新人00" not in html
    client.logout()
    client.login("liuyang")
    assert "新员工入职，待上岗确认" not in client.get("/").get_data(as_text=True)


def test_a_positions_reading_confirmations_cost_the_same_however_many_hold_it(demo, admin_client):
    """阅读确认情况 of the 技师 lists every holder with 无账号 where he has none: twelve more
    technicians, half of them with an account, add no statement (it read each holder's
    account one by one: 171 statements for the 技师 of the three-year dataset)."""
    from plans import record_statements

    from app.auth.models import User
    from app.org.models import Position
    from app.staff.models import Employee

    with demo.app_context():
        tech = db.session.scalar(db.select(Position).filter_by(seed_key="technician")).id
        engine = db.engine
    url = f"/handbook/positions/{tech}/confirmations"

    def statements():
        admin_client.get(url)  # warm
        with record_statements(engine) as seen:
            r = admin_client.get(url)
        assert r.status_code == 200
        return len(seen), r.get_data(as_text=True)

    before, _ = statements()
    with demo.app_context():
        for n in range(12):
            e = Employee(employee_no=f"JS9{n:02d}", name=f"技师{n:02d}", position_id=tech)
            db.session.add(e)
            if n % 2:
                db.session.flush()
                db.session.add(User(username=f"js9{n:02d}", employee_id=e.id, password_hash="x"))
        db.session.commit()
    after, html = statements()
    assert after == before, (before, after)
    assert '技师00 <small class="muted">（无账号）</small>' in html
    assert "技师01 <small" not in html  # he has an account

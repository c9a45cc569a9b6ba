"""Permissions from the org chart, and a 403 for a lower-ranked user on every state change."""
import re

import pytest
from sqlalchemy import func, select

from app.audit.models import AuditEntry
from app.extensions import db
from app.org.models import Position
from app.permissions import supervised_position_ids, supervises

# State-changing routes any logged-in user may use: their own session and password, and
# asking for supplies (a requisition is theirs; approving and issuing are checked), ending
# their own logins and reading their own notices (test_sessions.py, test_notices.py: nobody
# touches another's).
OPEN_TO_ALL = {"auth.login", "auth.logout", "auth.change_password", "supplies.requisition_new",
               "auth.end_session", "auth.end_other_sessions", "notices.open_notice", "notices.read_all",
               "equipment.fault_new"}  # 故障报修: anyone logged in


@pytest.fixture
def objects(app, make_user):
    """Rows with id 1 for the routes that load an object before checking permissions."""
    from app.supplies.ledger import receive
    from app.supplies.models import SupplyCategory, SupplyItem
    from app.supplies.requisitions import create

    requester = make_user("requester", position="after_sales_clerk", employee_no="E-req")
    with app.app_context():
        from app.auth.models import User

        user = db.session.get(User, requester.id)
        cat = db.session.scalar(select(SupplyCategory))
        item = SupplyItem(name="签字笔", category_id=cat.id, unit="支")
        db.session.add(item)
        db.session.flush()
        receive(item, 10000, user)
        create(user, [(item, 1000)], "测试")
        # issue 25b: a lift with a fault (id 1), for the repair and photo routes
        from app.equipment import faults, rules as register

        lift = register.create({"asset_no": "JS-01", "name": "举升机", "category": "举升设备"}, user)
        faults.report(lift, "异响", user)
        db.session.commit()


def _position(key):
    return db.session.scalar(select(Position).filter_by(seed_key=key))


def test_manager_supervises_everything_below(app, make_user):
    manager = make_user("mgr", position="after_sales_manager")
    with app.app_context():
        from app.auth.models import User

        user = db.session.get(User, manager.id)
        below = {db.session.get(Position, pid).seed_key for pid in supervised_position_ids(user)}
        assert {"after_sales_clerk", "workshop_manager", "workshop_clerk", "technician",
                "customer_service", "service_advisor"} <= below
        assert "general_manager" not in below and "after_sales_manager" not in below


def test_workshop_manager_supervises_only_the_workshop(app, make_user):
    wm = make_user("wm", position="workshop_manager")
    with app.app_context():
        from app.auth.models import User

        user = db.session.get(User, wm.id)
        assert supervises(user, _position("technician"))
        assert supervises(user, _position("workshop_clerk"))
        assert not supervises(user, _position("customer_service"))
        assert not supervises(user, _position("workshop_manager"))
        assert not supervises(user, _position("after_sales_manager"))


def test_admin_supervises_all_and_plain_employee_nothing(app, make_user):
    admin = make_user("adm", admin=True)
    tech = make_user("tech", position="technician")
    with app.app_context():
        from app.auth.models import User

        a, t = db.session.get(User, admin.id), db.session.get(User, tech.id)
        for p in db.session.scalars(select(Position)):
            assert supervises(a, p)
            assert not supervises(t, p)


def _state_changing_rules(app):
    for rule in app.url_map.iter_rules():
        methods = rule.methods - {"HEAD", "OPTIONS", "GET"}
        if methods and rule.endpoint not in OPEN_TO_ALL and rule.endpoint != "static":
            yield rule, sorted(methods)[0]


def _url(rule):
    return re.sub(r"<(?:\w+:)?(\w+)>", "1", rule.rule)


def test_every_state_changing_route_is_listed(app):
    rules = list(_state_changing_rules(app))
    assert len(rules) >= 8  # accounts, staff, org …; new parts add to this list by themselves


@pytest.mark.parametrize("who", ["technician", "workshop_clerk"])
def test_lower_ranked_user_gets_403_on_every_state_change(app, client, make_user, objects, who):
    make_user("low", position=who)
    client.login("low")
    token = client.csrf()
    with app.app_context():
        audit_before = db.session.scalar(select(func.count(AuditEntry.id)))
    checked = []
    for rule, method in _state_changing_rules(app):
        r = client.open(_url(rule), method=method, data={"csrf_token": token, "title": "X"},
                        headers={"X-CSRFToken": token})
        assert r.status_code == 403, f"{rule.rule} answered {r.status_code}"
        frag = client.open(_url(rule), method=method, data={"csrf_token": token},
                           headers={"X-CSRFToken": token, "HX-Request": "true"})
        assert frag.status_code == 403, f"{rule.rule} (HTMX) answered {frag.status_code}"
        checked.append(rule.endpoint)
    assert checked
    with app.app_context():
        assert db.session.scalar(select(func.count(AuditEntry.id))) == audit_before


def test_anonymous_is_sent_to_login_on_every_state_change(app, client):
    token = client.csrf()
    for rule, method in _state_changing_rules(app):
        r = client.open(_url(rule), method=method, data={"csrf_token": token})
        assert r.status_code == 302 and "/auth/login" in r.headers["Location"], rule.rule


def test_admin_pages_are_admin_only(client, make_user):
    make_user("mgr", position="after_sales_manager")
    client.login("mgr")
    for url in ("/admin/accounts/", "/admin/accounts/new", "/admin/audit/", "/staff/new", "/staff/import"):
        assert client.get(url).status_code == 403, url


def test_the_rules_moved_into_permissions_decide_from_the_org_chart(app, make_user):
    """Called directly, without HTTP: who sees a checklist, someone's supplies and
    requisitions, who decides a requisition, who sees a colleague's details."""
    from types import SimpleNamespace

    from app import permissions as p
    from app.auth.models import User
    from app.staff.models import Employee

    make_user("wm", position="workshop_manager")         # supervises 技师
    make_user("tech", position="technician", employee_no="E-t")
    make_user("other", position="technician", employee_no="E-o")
    make_user("cs", position="customer_service")          # elsewhere
    make_user("clerk", position="workshop_clerk", can_issue_supplies=True)
    with app.test_request_context():
        users = {u.username: u for u in db.session.scalars(select(User))}
        tech_pos = db.session.scalar(select(Position).filter_by(seed_key="technician"))
        other = db.session.scalar(select(Employee).filter_by(employee_no="E-o"))
        req = SimpleNamespace(employee=other, employee_id=other.id)
        assert [n for n in ("wm", "tech", "cs", "clerk") if p.may_view_checklist(users[n], tech_pos)] == ["wm", "tech"]
        assert [n for n in ("wm", "tech", "other", "cs", "clerk")
                if p.may_see_supplies_of(users[n], other)] == ["wm", "other", "clerk"]
        assert [n for n in ("wm", "tech", "other", "cs", "clerk")
                if p.may_decide_requisition(users[n], req)] == ["wm"]
        assert [n for n in ("wm", "tech", "other", "cs", "clerk")
                if p.may_see_requisition(users[n], req)] == ["wm", "other", "clerk"]
        assert [n for n in ("wm", "tech", "other", "cs", "clerk")
                if p.may_see_employee_details(users[n], other)] == ["wm", "other", "clerk"]

"""The permission rules moved into app/permissions.py (issue 27), called directly without
HTTP: each says who may do one thing, decided from the org chart and the capabilities."""
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from app import permissions as p
from app.extensions import db
from app.org.models import Position

NAMES = ("adm", "wm", "tech", "other", "cs", "clerk", "nobody")


@pytest.fixture
def people(app, make_user):
    make_user("adm", admin=True)
    make_user("wm", position="workshop_manager")           # supervises 技师
    make_user("tech", position="technician", employee_no="E-t")
    make_user("other", position="technician", employee_no="E-o")
    make_user("cs", position="customer_service")            # elsewhere
    make_user("clerk", position="workshop_clerk", can_issue_supplies=True, can_record_trainings=True)
    make_user("nobody")                                     # an account without an employee


def _users():
    from app.auth.models import User

    return {u.username: u for u in db.session.scalars(select(User))}


def _position(key):
    return db.session.scalar(select(Position).filter_by(seed_key=key))


def _who(check, *args):
    users = _users()
    return [n for n in NAMES if check(users[n], *args)]


def test_holding_a_position_and_confirming_its_duties(app, people):
    from app.staff.models import Employee

    with app.test_request_context():
        tech = _position("technician")
        assert _who(p.holds_position, tech) == ["tech", "other"]
        assert _who(p.holds_position, tech.id) == ["tech", "other"]
        assert _who(p.may_confirm_reading, tech) == ["tech", "other"]
        db.session.scalar(select(Employee).filter_by(employee_no="E-o")).active = False  # a leaver
        assert _who(p.may_confirm_reading, tech) == ["tech"]
        assert not p.may_confirm_reading(SimpleNamespace(is_authenticated=False), tech)


def test_a_retired_position_is_seen_only_by_org_editors(app, people):
    with app.test_request_context():
        tech = _position("technician")
        assert _who(p.may_view_position, tech) == list(NAMES)
        tech.active = False
        assert _who(p.may_view_position, tech) == ["adm"]


def test_onboarding_sign_off_is_for_the_supervisors_of_the_position(app, people):
    from app.staff.models import Employee

    with app.test_request_context():
        other = db.session.scalar(select(Employee).filter_by(employee_no="E-o"))
        assert _who(p.may_sign_off_onboarding, other) == ["adm", "wm"]


def test_deleted_training_files_are_for_admin(app, people):
    with app.test_request_context():
        assert _who(p.may_restore_training_files) == ["adm"]


def test_self_check_of_one_occurrence(app, people):
    from app.staff.models import Employee

    with app.test_request_context():
        users = _users()
        item = SimpleNamespace(position_id=_position("technician").id)
        own, coworker = users["tech"].employee_id, users["other"].employee_id
        assert _who(p.may_self_check_occurrence, item, 0) == ["tech", "other"]
        assert _who(p.may_self_check_occurrence, item, own) == ["tech"]
        assert _who(p.may_self_check_occurrence, item, coworker) == ["other"]
        db.session.get(Employee, own).active = False
        assert _who(p.may_self_check_occurrence, item, own) == []


def test_who_may_ask_for_supplies_withdraw_and_see_the_context(app, people):
    from app.staff.models import Employee

    with app.test_request_context():
        users = _users()
        assert _who(p.may_submit_requisition) == ["wm", "tech", "other", "cs", "clerk"]  # linked to an employee
        assert not p.may_submit_requisition(SimpleNamespace(is_authenticated=False))
        other = db.session.scalar(select(Employee).filter_by(employee_no="E-o"))
        # asked by the clerk for the technician "other"
        req = SimpleNamespace(status="pending", employee=other, employee_id=other.id,
                              requested_by_id=users["clerk"].id)
        assert _who(p.may_withdraw_requisition, req) == ["other", "clerk"]
        req.status = "approved"
        assert _who(p.may_withdraw_requisition, req) == []
        assert _who(p.may_see_requisition_context, req) == ["adm", "wm", "clerk"]


def test_which_requisitions_a_user_reaches(app, people):
    with app.test_request_context():
        users = _users()
        tech_id = _position("technician").id
        assert p.requisitions_visible_to(users["clerk"]).everyone
        assert p.requisitions_visible_to(users["adm"]).everyone
        wm = p.requisitions_visible_to(users["wm"])
        assert not wm.everyone and tech_id in wm.position_ids and wm.employee_ids == {users["wm"].employee_id}
        tech = p.requisitions_visible_to(users["tech"])
        assert (tech.everyone, tech.employee_ids, tech.position_ids) == (False, {users["tech"].employee_id}, set())
        nobody = p.requisitions_visible_to(users["nobody"])
        assert (nobody.everyone, nobody.employee_ids, nobody.position_ids) == (False, set(), set())

        assert p.requisitions_decidable_by(users["adm"]).everyone
        wm = p.requisitions_decidable_by(users["wm"])
        assert tech_id in wm.position_ids and wm.except_employee_id == users["wm"].employee_id and not wm.everyone
        assert p.requisitions_decidable_by(users["tech"]).position_ids == set()
        assert not p.requisitions_decidable_by(users["clerk"]).everyone  # issuing is not deciding


def test_the_requisition_lists_follow_the_reach(app, people):
    """The list queries built from a Reach agree with the one-requisition rules."""
    from app.auth.models import User
    from app.supplies.ledger import receive
    from app.supplies.models import SupplyCategory, SupplyItem
    from app.supplies.requisitions import create, reach_shape, reaching, visible_requisitions

    with app.test_request_context():
        users = _users()
        item = SupplyItem(name="手套", category_id=db.session.scalar(select(SupplyCategory)).id, unit="副")
        db.session.add(item)
        db.session.flush()
        receive(item, 10000, users["clerk"])
        reqs = [create(users[n], [(item, 1000)], "测试") for n in ("tech", "other", "wm", "cs")]
        db.session.flush()
        for name in NAMES:
            user = db.session.scalar(select(User).filter_by(username=name))
            seen = set(db.session.scalars(visible_requisitions(user)))
            shape, values = reach_shape(p.requisitions_decidable_by(user))  # as the workspace's block asks
            decided = set(db.session.scalars(reaching(*shape), values))
            assert seen == {r for r in reqs if p.may_see_requisition(user, r)}, name
            assert decided == {r for r in reqs if p.may_decide_requisition(user, r)
                               and r.employee_id != user.employee_id}, name


def test_who_sees_the_staff_lists_detail_columns(app, people):
    with app.test_request_context():
        assert _who(p.may_see_colleagues_details) == ["adm", "wm", "clerk"]

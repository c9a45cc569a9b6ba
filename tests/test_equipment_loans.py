"""Tool loans (借用/归还): the rules called directly (who may lend, what may be lent, the
return in each condition, two clerks at once), the pages (item, loan list, employee page),
the workspace blocks and the nightly notice."""
import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm.attributes import set_committed_value

from app.audit.models import AuditEntry
from app.equipment import desk, loans, rules as register
from app.equipment.models import Count, Equipment, EquipmentEvent, Loan
from app.extensions import db
from app.notices.models import Notice
from app.parts import Desk
from app.staff.models import Employee
from tests.conftest import TEST_PASSWORD, race
from tests.test_equipment import item_data, today


def tool(**kw) -> dict:
    return item_data(**{"asset_no": "ZG-01", "name": "正时专用工具组", "category": "专用工具", "model": "EN-48383",
                        "location": "工具室", "quantity": 1, "needs_verification": False, "verify_months": None, **kw})


def employee(no="T1", name="何师傅", active=True) -> Employee:
    e = Employee(employee_no=no, name=name, active=active)
    db.session.add(e)
    db.session.flush()
    return e


def audits(action) -> int:
    return db.session.scalar(select(func.count(AuditEntry.id)).filter_by(action=action))


# --- the rules ----------------------------------------------------------------------------------

def test_a_loan_and_its_return_in_good_order(app):
    with app.app_context():
        item = register.create(tool(), None)
        he = employee()
        loan = loans.lend(item, he.id, today() + timedelta(days=3), None)
        assert item.lent_qty == 1 and loan.quantity == 1 and loan.is_open
        assert [l.id for l in loans.held_by(he.id)] == [loan.id]
        with pytest.raises(register.Refused) as exc:
            loans.lend(item, he.id, today() + timedelta(days=3), None)
        assert exc.value.status == 409 and "已全部借出" in str(exc.value)
        loans.give_back(loan, "ok", None)
        assert item.lent_qty == 0 and loan.condition_label == "完好" and not loans.held_by(he.id)
        with pytest.raises(register.Refused) as exc:
            loans.give_back(loan, "ok", None)
        assert exc.value.status == 409
        kinds = [e.kind for e in db.session.scalars(select(EquipmentEvent).filter_by(equipment_id=item.id)
                                                    .order_by(EquipmentEvent.id))]
        assert kinds == ["created", "loan", "return"]
        assert audits("equipment_loan") == 1 and audits("equipment_return") == 1


def test_what_cannot_be_lent(app):
    with app.app_context():
        item = register.create(tool(), None)
        he, gone = employee(), employee("T2", "离职者", active=False)
        cases = [((None, today() + timedelta(days=1)), "borrower_id", "请选择借用人"),
                 ((gone.id, today() + timedelta(days=1)), "borrower_id", "已离职"),
                 ((he.id, None), "due_on", "请填写预计归还日期"),
                 ((he.id, today() - timedelta(days=1)), "due_on", "不能早于今天"),
                 ((he.id, today() + timedelta(days=400)), "due_on", "最长")]
        for (who, due), field, words in cases:
            with pytest.raises(register.Refused) as exc:
                loans.lend(item, who, due, None)
            assert exc.value.field == field and words in str(exc.value)
        register.change_state(item, "scrapped", today(), "报废", None)
        with pytest.raises(register.Refused) as exc:
            loans.lend(item, he.id, today() + timedelta(days=1), None)
        assert "报废" in str(exc.value) and exc.value.status == 409
        assert item.lent_qty == 0 and db.session.scalar(select(func.count(Loan.id))) == 0


def test_a_counted_set_lends_some_pieces_and_a_missing_piece_adjusts_the_quantity(app):
    with app.app_context():
        item = register.create(tool(quantity=12), None)
        he, ma = employee(), employee("T2", "马超")
        first = loans.lend(item, he.id, today() + timedelta(days=2), None, 5)
        with pytest.raises(register.Refused) as exc:
            loans.lend(item, ma.id, today() + timedelta(days=2), None, 8)
        assert exc.value.field == "quantity" and "只剩 7 件可借" in str(exc.value)
        second = loans.lend(item, ma.id, today() + timedelta(days=2), None, 7)
        assert item.lent_qty == 12
        with pytest.raises(register.Refused) as exc:
            loans.give_back(first, "missing", None, "", 1, "reduce")
        assert exc.value.field == "note"
        with pytest.raises(register.Refused) as exc:
            loans.give_back(first, "missing", None, "少一件", 6, "reduce")
        assert exc.value.field == "missing_qty"
        loans.give_back(first, "missing", None, "丢了一个 10mm 套筒", 1, "reduce")
        assert item.quantity == 11 and item.lent_qty == 7 and item.state == "in_use"
        loans.give_back(second, "missing", None, "拉拔器断了", 2, "repair")
        assert item.quantity == 11 and item.lent_qty == 0 and item.state == "repair"


def test_a_damaged_return_goes_through_the_hook_to_repair(app, monkeypatch):
    with app.app_context():
        item = register.create(tool(), None)
        loan = loans.lend(item, employee().id, today() + timedelta(days=1), None)
        loans.give_back(loan, "damaged", None, "手柄开裂")
        assert item.state == "repair"
        fault = db.session.scalar(select(EquipmentEvent).filter_by(equipment_id=item.id, kind="fault"))
        assert "手柄开裂" in fault.note and "何师傅" in fault.note  # a fault report, with the borrower
        # the hook is one function the fault reports can take over
        called = []
        monkeypatch.setattr(loans, "on_damaged_return", lambda l, user=None: called.append(l.id))
        register.change_state(item, "in_use", today(), "修好了", None)
        loan2 = loans.lend(item, employee("T2", "马超").id, today() + timedelta(days=1), None)
        loans.give_back(loan2, "damaged", None, "又坏了")
        assert called == [loan2.id] and item.state == "in_use"


def test_two_clerks_lending_the_last_piece_at_once_make_one_loan(app):
    with app.app_context():
        item = register.create(tool(), None)
        a, b = employee(), employee("T2", "马超")
        db.session.commit()
        item_id, ids = item.id, (a.id, b.id)

    def lend(who):
        def go():
            with app.app_context():
                it = db.session.get(Equipment, item_id)
                set_committed_value(it, "lent_qty", 0)  # each saw the tool free when it read it
                try:
                    loans.lend(it, who, today() + timedelta(days=1), None)
                    db.session.commit()
                    return "lent"
                except register.Refused as exc:
                    db.session.rollback()
                    return str(exc)
                finally:
                    db.session.remove()
        return go

    results = race([lend(ids[0]), lend(ids[1])])
    assert sorted(r == "lent" for r in results) == [False, True], results
    with app.app_context():
        assert db.session.scalar(select(func.count(Loan.id))) == 1
        assert db.session.get(Equipment, item_id).lent_qty == 1


def test_the_permission_rules_for_loans(app, make_user):
    from app import permissions as p
    from app.auth.models import User

    clerk = make_user("chen", position="workshop_clerk", can_manage_equipment=True)
    tech = make_user("tech", position="technician")
    boss = make_user("wm", position="workshop_manager")
    other = make_user("other", position="technician", employee_no="E-o")
    with app.app_context():
        clerk, tech, boss, other = (db.session.get(User, u.id) for u in (clerk, tech, boss, other))
        item = register.create(tool(responsible_id=tech.employee_id), None)
        assert p.may_lend_equipment(clerk, item) and p.may_lend_equipment(clerk)
        assert p.may_lend_equipment(tech, item) and not p.may_lend_equipment(tech)  # his own item only
        assert not p.may_lend_equipment(other, item)
        assert p.may_see_loans_of(tech, tech.employee) and p.may_see_loans_of(boss, tech.employee)
        assert p.may_see_loans_of(clerk, other.employee) and not p.may_see_loans_of(other, tech.employee)
        assert p.may_count_equipment(clerk) and not p.may_count_equipment(boss)
        assert p.may_import_equipment(clerk) and not p.may_import_equipment(tech)


# --- pages ----------------------------------------------------------------------------------------

@pytest.fixture
def clerk(client, make_user):
    make_user("chen", position="workshop_clerk", can_manage_equipment=True)
    client.login("chen")
    return client


def _setup(app, quantity=1, responsible=None):
    with app.app_context():
        he = employee()
        item = register.create(tool(quantity=quantity, responsible_id=responsible), None)
        db.session.commit()
        return item.id, he.id


def test_a_clerk_lends_on_the_item_page_and_the_item_shows_it_everywhere(app, clerk):
    item_id, he_id = _setup(app)
    page = clerk.get(f"/equipment/{item_id}").get_data(as_text=True)
    assert f"/equipment/{item_id}/lend" in page
    assert clerk.get(f"/equipment/{item_id}/lend").status_code == 200
    due = today() + timedelta(days=2)
    r = clerk.post_form(f"/equipment/{item_id}/lend", {"borrower_id": he_id, "due_on": due.isoformat(), "quantity": "1"})
    assert r.status_code == 303
    for url in (f"/equipment/{item_id}", "/equipment/", "/equipment/loans"):
        html = clerk.get(url).get_data(as_text=True)
        assert "借出" in html and "何师傅" in html and f"{due:%Y-%m-%d}" in html, url
    with app.app_context():
        loan_id = db.session.scalar(select(Loan.id))
    assert clerk.get(f"/equipment/loans/{loan_id}/return").status_code == 200
    r = clerk.post_form(f"/equipment/loans/{loan_id}/return", {"condition": "ok", "note": ""})
    assert r.status_code == 303
    html = clerk.get(f"/equipment/{item_id}").get_data(as_text=True)
    assert "完好" in html and f"/equipment/{item_id}/lend" in html


def test_bad_loans_get_the_message_beside_the_field_and_change_nothing(app, clerk):
    item_id, he_id = _setup(app)
    r = clerk.post_form(f"/equipment/{item_id}/lend", {"borrower_id": "0", "due_on": today().isoformat()})
    assert r.status_code == 422 and "请选择借用人" in r.get_data(as_text=True)
    r = clerk.post_form(f"/equipment/{item_id}/lend",
                        {"borrower_id": he_id, "due_on": (today() - timedelta(days=1)).isoformat()})
    assert r.status_code == 422 and "预计归还日期不能早于今天" in r.get_data(as_text=True)
    r = clerk.post_form(f"/equipment/{item_id}/lend", {"borrower_id": he_id, "due_on": "明天"})
    assert r.status_code == 422
    assert clerk.post_form(f"/equipment/{item_id}/lend", {"borrower_id": he_id,
                                                          "due_on": today().isoformat()}).status_code == 303
    r = clerk.post_form(f"/equipment/{item_id}/lend", {"borrower_id": he_id, "due_on": today().isoformat()})
    assert r.status_code == 409 and "已全部借出" in r.get_data(as_text=True)
    with app.app_context():
        loan_id = db.session.scalar(select(Loan.id))
    r = clerk.post_form(f"/equipment/loans/{loan_id}/return", {"condition": "damaged", "note": ""})
    assert r.status_code == 422 and "缺件或损坏时请写明情况" in r.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count(Loan.id))) == 1
        assert db.session.get(Loan, loan_id).is_open and db.session.get(Equipment, item_id).state == "in_use"
        assert audits("equipment_loan") == 1 and audits("equipment_return") == 0


def test_the_responsible_technician_lends_his_item_and_no_other(app, client, make_user):
    tech = make_user("tech", position="technician")
    item_id, he_id = _setup(app, responsible=tech.employee_id)
    with app.app_context():
        other = register.create(tool(asset_no="ZG-02"), None)
        db.session.commit()
        other_id = other.id
    client.login("tech")
    due = (today() + timedelta(days=1)).isoformat()
    assert client.post_form(f"/equipment/{other_id}/lend", {"borrower_id": he_id, "due_on": due}).status_code == 403
    assert client.post_form(f"/equipment/{item_id}/lend", {"borrower_id": he_id, "due_on": due}).status_code == 303
    assert "/equipment/import" not in client.get("/equipment/").get_data(as_text=True)
    assert client.get("/equipment/import").status_code == 403


def test_an_employee_page_lists_the_tools_he_holds(app, client, make_user):
    """Shown among the employee's records (the person, his supervisors, admin and the
    clerks who see records: here the demo's 车间文员, who also issues supplies)."""
    make_user("chen", position="workshop_clerk", can_manage_equipment=True, can_issue_supplies=True)
    clerk = client
    clerk.login("chen")
    item_id, he_id = _setup(app)
    clerk.post_form(f"/equipment/{item_id}/lend", {"borrower_id": he_id, "due_on": today().isoformat()})
    html = clerk.get(f"/staff/{he_id}").get_data(as_text=True)
    assert "借用中的工具" in html and "ZG-01" in html
    make_user("other", position="technician", employee_no="E-o")
    clerk.logout()
    clerk.login("other")
    assert "ZG-01" not in clerk.get(f"/staff/{he_id}").get_data(as_text=True)


def _error_fields(html: str) -> dict[str, str]:
    """Each field marked wrong (its label or legend) → the text of its block, message included."""
    out = {}
    for m in re.finditer(r'<(div|fieldset) class="field[^"]*has-error[^"]*">(.*?)</(?:div|fieldset)>', html, re.S):
        name = re.search(r"<label[^>]*>([^<]+)</label>|<legend>([^<]+)</legend>", m.group(2))
        out[(name.group(1) or name.group(2)).strip()] = m.group(2)
    return out


def test_a_return_says_everything_missing_at_once_beside_each_field(app, clerk):
    """缺件 chosen and nothing else filled in: the pieces, what to do about them and the note
    are asked for in one answer, each beside its field (not one per submit); a field the
    form itself refuses (0 pieces) comes with the others. Nothing is recorded."""
    item_id, he_id = _setup(app, quantity=12)
    assert clerk.post_form(f"/equipment/{item_id}/lend", {"borrower_id": he_id, "due_on": today().isoformat(),
                                                          "quantity": "5"}).status_code == 303
    with app.app_context():
        loan_id = db.session.scalar(select(Loan.id))
    r = clerk.post_form(f"/equipment/loans/{loan_id}/return", {"condition": "missing", "missing_qty": "", "note": ""})
    fields = _error_fields(r.get_data(as_text=True))
    assert r.status_code == 422
    assert "请填写缺少的件数" in fields["缺少件数"] and "请选择缺件的处理方式" in fields["缺件处理"]
    assert "缺件或损坏时请写明情况" in fields["情况说明（缺件、损坏时必填）"]
    r = clerk.post_form(f"/equipment/loans/{loan_id}/return", {"condition": "missing", "missing_qty": "0", "note": " "})
    fields = _error_fields(r.get_data(as_text=True))
    assert r.status_code == 422 and set(fields) == {"缺少件数", "缺件处理", "情况说明（缺件、损坏时必填）"}
    assert "缺少件数应在1到9999之间" in fields["缺少件数"]
    r = clerk.post_form(f"/equipment/loans/{loan_id}/return", {"condition": "missing", "missing_qty": "6",
                                                               "missing_action": "reduce", "note": "少了"})
    assert r.status_code == 422 and set(_error_fields(r.get_data(as_text=True))) == {"缺少件数"}
    with app.app_context():
        assert db.session.get(Loan, loan_id).is_open and db.session.get(Equipment, item_id).quantity == 12
        assert audits("equipment_return") == 0
        assert loans.return_problems(db.session.get(Loan, loan_id), "missing") == {  # the rule, called directly
            "missing_qty": "请填写缺少的件数。", "missing_action": "请选择缺件的处理方式。", "note": "缺件或损坏时请写明情况。"}
    assert clerk.post_form(f"/equipment/loans/{loan_id}/return", {"condition": "missing", "missing_qty": "1",
                                                                  "missing_action": "reduce", "note": "少了一个套筒"}
                           ).status_code == 303


def test_the_demo_loans_and_their_items_histories_give_the_same_dates(demo_app):
    """Each demo loan's line in its item's history is of the day it was lent and names the
    day it is due (马超's ZG-03 is 3 days overdue, the history says so); each return's of
    the day it came back; the corrections of the count closed 20 days ago are of that day."""
    from tests.conftest import Client

    with demo_app.app_context():
        for loan in db.session.scalars(select(Loan)):
            events = db.session.scalars(select(EquipmentEvent).filter_by(equipment_id=loan.equipment_id)).all()
            lent = [e for e in events if e.kind == "loan" and e.note.startswith(f"借给 {loan.borrower.name}")]
            assert [(e.happened_on, f"预计 {loan.due_on:%Y-%m-%d} 归还" in e.note) for e in lent] == [(loan.lent_on, True)]
            if loan.returned_on:
                back = [e for e in events if e.kind in ("return", "edit") and e.happened_on == loan.returned_on]
                assert [e.kind for e in back] == ["return", "edit"]  # back with a piece short, the quantity adjusted
        zg03 = db.session.scalar(select(Equipment).filter_by(asset_no="ZG-03"))
        late = db.session.scalar(select(Loan).filter_by(equipment_id=zg03.id))
        assert (today() - late.due_on).days == 3
        closed = db.session.scalar(select(Count).filter_by(status="closed"))
        corrections = db.session.scalars(select(EquipmentEvent).where(EquipmentEvent.note.like(f"盘点 #{closed.id}%"))).all()
        assert corrections and {e.happened_on for e in corrections} == {closed.started_on}
        due, zg03_id = late.due_on, zg03.id
    c = Client(demo_app.test_client())
    c.login("chenxy")
    page = c.get(f"/equipment/{zg03_id}").get_data(as_text=True)
    assert f"借给 马超 4 件，预计 {due:%Y-%m-%d} 归还" in page and "逾期 3 天" in page
    assert f"预计 {today():%Y-%m-%d} 归还" not in page

# --- workspace blocks and notices ------------------------------------------------------------

def _overdue_loan(app, borrower_active=True):
    """A loan of ZG-01 to 何师傅 made 10 days ago, due 3 days ago."""
    with app.app_context():
        he = employee(active=True)
        item = register.create(tool(), None)
        loan = loans.lend(item, he.id, today(), None)
        loan.lent_on, loan.due_on = today() - timedelta(days=10), today() - timedelta(days=3)
        he.active = borrower_active
        db.session.commit()
        return loan.id, he.id


def test_the_workspace_blocks_borrower_clerk_and_admin(app, make_user):
    from app.auth.models import User
    from datetime import datetime

    loan_id, he_id = _overdue_loan(app)
    clerk = make_user("chen", position="workshop_clerk", can_manage_equipment=True)
    boss = make_user("boss", admin=True)
    with app.app_context():
        he = db.session.get(Employee, he_id)
        user = User(username="hesf", employee=he, password_hash="x")
        db.session.add(user)
        db.session.commit()
        now = datetime.combine(today(), datetime.min.time()).replace(hour=9)
        mine = desk.my_tools(Desk(user, he, None, now))
        assert [l.id for l in mine["rows"]] == [loan_id] and mine["overdue"] == 1
        clerk = db.session.get(User, clerk.id)
        over = desk.overdue_loans(Desk(clerk, clerk.employee, None, now))
        assert over.total == 1 and [l.id for l in over.rows] == [loan_id]
        assert desk.overdue_loans(Desk(user, he, None, now)) is None  # not a clerk
        admin = db.session.get(User, boss.id)
        assert not desk.leavers_with_tools(Desk(admin, None, None, now))  # nobody left yet
        he.active = False
        db.session.commit()
        left = desk.leavers_with_tools(Desk(admin, None, None, now))
        assert [r.employee.id for r in left.rows] == [he_id]
        assert desk.leavers_with_tools(Desk(clerk, clerk.employee, None, now)) is None
        from flask import render_template

        with app.test_request_context():
            blocks = {b.name: b for b in desk.WORKSPACE_BLOCKS}
            for block, data in ((blocks["equipment.loans_mine"], mine), (blocks["equipment.loans_overdue"], over),
                                (blocks["equipment.leavers_with_tools"], left)):
                html = render_template(block.template, block=data)
                assert "ZG-01" in html and ("逾期" in html or "离职" in html), block.name


def test_the_overdue_notice_goes_to_borrower_and_clerks_once(app, make_user):
    from app.auth.models import User
    from datetime import datetime

    loan_id, he_id = _overdue_loan(app)
    clerk = make_user("chen", position="workshop_clerk", can_manage_equipment=True)
    make_user("tech2", position="technician")
    with app.app_context():
        user = User(username="hesf", employee_id=he_id, password_hash="x")
        db.session.add(user)
        db.session.commit()
        now = datetime.combine(today(), datetime.min.time()).replace(hour=2)
        assert desk.overdue_loan_notices(now) == 2
        assert desk.overdue_loan_notices(now) == 0  # once per loan and state
        texts = {n.user_id: n.text for n in db.session.scalars(select(Notice))}
        assert set(texts) == {user.id, clerk.id}
        assert "何师傅" in texts[user.id] and "已逾期 3 天" in texts[user.id]
        loans.give_back(db.session.get(Loan, loan_id), "ok", None)
        db.session.commit()
        assert desk.overdue_loan_notices(now) == 0


def test_the_loan_list_flags_overdue(app, clerk):
    _overdue_loan(app)
    html = clerk.get("/equipment/loans?show=overdue").get_data(as_text=True)
    assert "ZG-01" in html and "逾期 3 天" in html


def test_the_part_puts_the_blocks_on_the_workspace_and_the_rule_in_send_due(app, client, make_user):
    """Registered through the equipment part (app.parts): the borrower's, the clerk's and
    admin's workspaces show them; notices send-due runs the overdue rule."""
    from app.auth.models import User
    from app.notices.rules import send_due

    loan_id, he_id = _overdue_loan(app)
    make_user("chen", position="workshop_clerk", can_manage_equipment=True)
    make_user("boss", admin=True)
    with app.app_context():
        user = User(username="hesf", employee_id=he_id)
        user.set_password(TEST_PASSWORD)
        db.session.add(user)
        db.session.commit()
    client.login("hesf")
    assert "我借用的工具" in client.get("/").get_data(as_text=True)
    client.logout()
    client.login("chen")
    html = client.get("/").get_data(as_text=True)
    assert "逾期未还的工具" in html and "ZG-01" in html
    client.logout()
    with app.app_context():
        db.session.get(Employee, he_id).active = False
        db.session.commit()
    client.login("boss")
    html = client.get("/").get_data(as_text=True)
    assert "离职人员未还工具" in html and "何师傅" in html
    with app.app_context():
        assert send_due()["equipment_loan_overdue"] == 1  # the clerk (the borrower left: no notice to him)
        assert send_due()["equipment_loan_overdue"] == 0


def test_a_tool_out_on_loan_cannot_be_scrapped_and_a_damaged_return_opens_a_fault(app):
    """Scrapping waits for the return (the tool is in someone's hands); a damaged return is a
    fault report (故障报修) the responsible person repairs like any other; the item's history
    lists the loan, the return and the fault."""
    from app.equipment.history import history
    from app.equipment.models import Fault

    with app.app_context():
        item = register.create(tool(), None)
        loan = loans.lend(item, employee().id, today() + timedelta(days=3), None)
        with pytest.raises(register.Refused) as refused:
            register.change_state(item, "scrapped", today(), "报废", None)
        assert refused.value.status == 409 and "借出未还" in str(refused.value) and item.state == "in_use"
        loans.give_back(loan, "damaged", None, "套筒裂了")
        fault = db.session.scalar(select(Fault).filter_by(equipment_id=item.id))
        assert item.state == "repair" and fault is not None and "套筒裂了" in fault.description
        kinds = [e.kind for e in history(item)]
        assert {"借出", "归还", "故障报修"} <= set(kinds)


def test_a_loan_says_everything_missing_at_once_beside_each_field(app, clerk):
    """No borrower and a due date in the past: both asked for in one answer, each beside its
    field; the rule says the same when called directly. Nothing is lent."""
    item_id, he_id = _setup(app, quantity=12)
    past = (today() - timedelta(days=1)).isoformat()
    r = clerk.post_form(f"/equipment/{item_id}/lend", {"borrower_id": "0", "due_on": past, "quantity": "3"})
    fields = _error_fields(r.get_data(as_text=True))
    assert r.status_code == 422 and set(fields) == {"借用人", "预计归还日期"}
    assert "请选择借用人" in fields["借用人"] and "预计归还日期不能早于今天" in fields["预计归还日期"]
    with app.app_context():
        assert db.session.scalar(select(Loan.id)) is None and audits("equipment_loan") == 0
        assert loans.lend_problems(None, today() - timedelta(days=1), 0) == {
            "borrower_id": "请选择借用人。", "due_on": "预计归还日期不能早于今天。", "quantity": "借用数量应在1到9999之间。"}


def test_whoever_marks_a_borrower_as_left_is_told_the_tools_he_still_holds(app):
    """离职 (parts.employee_left, as the directory's save calls it): the tools still out
    with him are named, for the person who recorded it."""
    from app.parts import employee_left

    with app.test_request_context():
        he = employee()
        loans.lend(register.create(tool(), None), he.id, today() + timedelta(days=3), None)
        other = employee("T2", "马超")
        he.active = False
        lines = employee_left(he, None)
        assert any("何师傅 仍借用 1 项工具：ZG-01" in line and "请尽快收回" in line for line in lines), lines
        assert not any("仍借用" in line for line in employee_left(other, None))


def test_the_lend_page_of_an_item_under_repair_or_all_lent_says_so_instead_of_a_form(app, clerk):
    with app.app_context():
        item = register.create(tool(quantity=2), None)
        he = employee()
        db.session.commit()
        item_id, he_id = item.id, he.id
    assert 'name="borrower_id"' in clerk.get(f"/equipment/{item_id}/lend").get_data(as_text=True)
    with app.app_context():
        loans.lend(db.session.get(Equipment, item_id), he_id, today() + timedelta(days=2), None, quantity=2)
        db.session.commit()
    page = clerk.get(f"/equipment/{item_id}/lend").get_data(as_text=True)
    assert "已全部借出（2 件），归还后才能再借出" in page and 'name="borrower_id"' not in page
    with app.app_context():
        loan = db.session.scalar(select(Loan))
        loans.give_back(loan, "damaged", None, note="棘轮打滑")
        db.session.commit()
        assert db.session.get(Equipment, item_id).state == "repair"
    page = clerk.get(f"/equipment/{item_id}/lend").get_data(as_text=True)
    assert "该设备当前为“维修中”，不能借出；记录维修、恢复在用后才能借出" in page and 'name="borrower_id"' not in page
    assert "可借" not in page

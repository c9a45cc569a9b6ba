"""The supply rules moved out of supplies/routes.py (issue 27), called without HTTP: an
item's save, an entitlement's save, the slip's lines and pre-fill, the count form, the
requisition's issue quantities and the ledger's spans."""
from datetime import date

import pytest
from sqlalchemy import func, select

from app import clock
from app.audit.models import AuditEntry
from app.extensions import db
from app.org.models import Position
from app.staff.models import Employee
from app.supplies import ledger
from app.supplies.ledger import LedgerError
from app.supplies.models import Entitlement, SupplyCategory, SupplyItem
from tests.test_sizes import sized  # noqa: F401  (a fixture)
from tests.test_supplies import store  # noqa: F401  (a fixture)


def _user(name):
    from app.auth.models import User

    return db.session.scalar(select(User).filter_by(username=name))


def _audits(action):
    return db.session.scalar(select(func.count(AuditEntry.id)).filter_by(action=action))


ITEM = dict(spec="", unit="支", decimals=0, min_stock="5", active=True, size_kind="")


def test_an_item_is_saved_with_its_minimum_in_its_units_and_audited(app, store):
    from app.supplies.items import save_item

    with app.test_request_context():
        cat = db.session.scalar(select(SupplyCategory.id).filter_by(name="办公用品"))
        item = save_item(None, name=" 记号笔 ", category_id=cat, **{**ITEM, "unit": " 支 ", "min_stock": "2.5",
                                                                    "decimals": 1})
        assert (item.name, item.unit, item.min_stock, item.spec) == ("记号笔", "支", 2500, "")
        assert _audits("supply_item_create") == 1
        save_item(item, name="记号笔", category_id=cat, **{**ITEM, "min_stock": "3"})  # itself is no duplicate
        assert item.min_stock == 3000 and _audits("supply_item_update") == 1


def test_an_item_of_the_same_name_and_spec_or_a_bad_minimum_is_refused_unchanged(app, store):
    from app.supplies.items import save_item

    with app.test_request_context():
        cat = db.session.scalar(select(SupplyCategory.id).filter_by(name="办公用品"))
        count = db.session.scalar(select(func.count(SupplyItem.id)))
        with pytest.raises(LedgerError, match="已有同名同规格的物品") as refused:
            save_item(None, name="签字笔", category_id=cat, **ITEM)
        assert refused.value.field == "name"
        pen = db.session.get(SupplyItem, store["签字笔"])
        with pytest.raises(LedgerError, match="必须是整数") as refused:
            save_item(pen, name="签字笔（蓝）", category_id=cat, **{**ITEM, "min_stock": "1.5"})
        assert refused.value.field == "min_stock"
        assert pen.name == "签字笔" and pen.min_stock == 0
        assert save_item(None, name="签字笔", category_id=cat, **{**ITEM, "spec": "红"}).spec == "红"  # another spec
        assert db.session.scalar(select(func.count(SupplyItem.id))) == count + 1
        assert _audits("supply_item_update") == 0


def test_an_entitlement_is_one_per_position_and_item_and_refused_field_by_field(app, store):
    from app.supplies.entitlements import save_entitlement

    with app.test_request_context():
        tech = db.session.scalar(select(Position).filter_by(seed_key="technician"))
        gloves = db.session.get(SupplyItem, store["手套"])
        for args, field in (((None, gloves, "week", "2"), "position_id"), ((tech, None, "week", "2"), "item_id"),
                            ((tech, gloves, "day", "2"), "period"), ((tech, gloves, "week", "两副"), "qty"),
                            ((tech, gloves, "week", "0"), "qty")):
            with pytest.raises(LedgerError) as refused:
                save_entitlement(*args)
            assert refused.value.field == field
        gloves.active = False
        with pytest.raises(LedgerError, match="请选择启用的物品"):
            save_entitlement(tech, gloves, "week", "2")
        gloves.active = True
        assert db.session.scalar(select(func.count(Entitlement.id))) == 0
        first = save_entitlement(tech, gloves, "week", "2")
        again = save_entitlement(tech, gloves, "month", "3", active=False)
        assert first is again and (again.qty, again.period, again.active) == (3000, "month", False)
        assert db.session.scalar(select(func.count(Entitlement.id))) == 1 and _audits("entitlement_save") == 2


def test_slip_lines_as_typed(app, store):
    from app.supplies.slips import parse_lines

    with app.test_request_context():
        items = {i.id: i for i in db.session.scalars(select(SupplyItem))}
        lines, raw, errors = parse_lines([str(store["手套"]), "", "", str(store["口罩"]), "x"],
                                         ["2", "", "3", "1.5", "1"], items)
        assert [(i.name, q) for i, q in lines] == [("手套", 2000)]
        assert len(raw) == 5 and raw[0] == {"item_id": str(store["手套"]), "qty": "2"}
        assert errors == ["第 3 行：请选择物品。", "第 4 行（口罩）：该物品的数量必须是整数。", "第 5 行：请选择物品。"]
        # each row not understood carries its own message, for the form to show under it
        assert [r.get("error") for r in raw] == [None, None, "请选择物品。", "该物品的数量必须是整数。", "请选择物品。"]
        # an item not offered on the form (inactive) is still found, and refused later by the ledger
        lines, _, errors = parse_lines([str(store["签字笔"])], ["1"], {})
        assert [i.name for i, _ in lines] == ["签字笔"] and errors == []


def test_a_prefilled_slip_takes_each_persons_size(app, sized):  # noqa: F811
    from app.supplies.slips import prefilled_rows

    with app.test_request_context():
        items = {i.id: i for i in db.session.scalars(select(SupplyItem))}
        t2, t3 = db.session.get(Employee, sized["T2"]), db.session.get(Employee, sized["T3"])
        rows = prefilled_rows(t2, [f"{sized['工作服XL']}:1", "999:2", "x"], items)
        assert rows[0]["item_id"] == sized["工作服L"] and rows[0]["qty"] == "1" and not rows[0]["ask"]
        assert rows[1:] == [{"item_id": "999", "qty": "2"}, {"item_id": "x", "qty": ""}]
        asked = prefilled_rows(t3, [f"{sized['工作服XL']}:1"], items)[0]
        assert asked["item_id"] == "" and asked["ask"] and asked["note"]


def test_a_slip_may_not_bypass_an_approved_requisition(app, store):
    from app.supplies.requisitions import create, decide
    from app.supplies.slips import refuse_outside_requisition

    with app.test_request_context():
        t1 = db.session.get(Employee, store["t1"])
        gloves, masks = db.session.get(SupplyItem, store["手套"]), db.session.get(SupplyItem, store["口罩"])
        req = create(_user("t1"), [(gloves, 1000)], "手套破了")
        refuse_outside_requisition(t1, [(gloves, 1000)], separate=False)  # pending: nothing to settle yet
        decide(req, _user("boss"), True)
        with pytest.raises(LedgerError, match="有已批准未发放的申领包含 手套") as refused:
            refuse_outside_requisition(t1, [(masks, 1000), (gloves, 1000)], separate=False)
        assert refused.value.field == "requisition"
        refuse_outside_requisition(t1, [(gloves, 1000)], separate=True)
        refuse_outside_requisition(t1, [(masks, 1000)], separate=False)
        refuse_outside_requisition(None, [(gloves, 1000)], separate=False)


def test_a_slip_beyond_the_standard_counts_every_size_and_only_entitled_articles(app, sized):  # noqa: F811
    """The standard of a sized article counts what he received in any size; the sentence
    names the article, not the size; an article without a standard is not mentioned; once
    confirmed, the sentences are returned for the slip's audit record."""
    from app.supplies.slips import SlipRefused, beyond_standard_said, refuse_unconfirmed

    with app.test_request_context():
        t1 = db.session.get(Employee, sized["T1"])
        coat_xl, coat_l = db.session.get(SupplyItem, sized["工作服XL"]), db.session.get(SupplyItem, sized["工作服L"])
        shoes = db.session.get(SupplyItem, sized["劳保鞋42码"])
        pens = SupplyItem(name="签字笔", spec="", unit="支", category_id=coat_l.category_id)
        db.session.add(pens)
        db.session.flush()
        ledger.receive(pens, 10_000, _user("clerk"))
        assert beyond_standard_said(t1, [(coat_xl, 1000), (shoes, 1000), (pens, 5000)]) == []
        assert beyond_standard_said(t1, [(coat_xl, 1000), (coat_l, 1000)]) == [
            "t1本年已领 工作服 0 套，标准 1 套/年，本次发 2 套将超出标准。"]
        ledger.issue(t1, [(coat_l, 1000)], _user("clerk"))
        said = ["t1本年已领 工作服 1 套，标准 1 套/年，本次再发 1 套将超出标准。"]
        assert beyond_standard_said(t1, [(coat_xl, 1000), (pens, 1000)]) == said
        with pytest.raises(SlipRefused) as refused:
            refuse_unconfirmed(t1, [(coat_xl, 1000)], separate=False, beyond_ok=False)
        assert refused.value.problems == {"beyond": said}
        assert refuse_unconfirmed(t1, [(coat_xl, 1000)], separate=False, beyond_ok=True) == said
        assert refuse_unconfirmed(t1, [(pens, 1000)], separate=False, beyond_ok=False) == []
        assert beyond_standard_said(None, [(coat_xl, 1000)]) == []


def test_the_count_form_and_the_issue_quantities(app, store):
    from app.supplies.ledger import typed_counts
    from app.supplies.requisitions import create, decide, issue_quantities
    from app.supplies.quantity import QuantityError

    with app.test_request_context():
        gloves, masks = db.session.get(SupplyItem, store["手套"]), db.session.get(SupplyItem, store["口罩"])
        counted, errors = typed_counts([gloves, masks], {f"qty-{gloves.id}": " 0 ", f"reason-{gloves.id}": "丢失",
                                                         f"qty-{masks.id}": ""})
        assert counted == [(gloves, 0, "丢失")] and errors == {}
        assert typed_counts([gloves, masks], {f"qty-{masks.id}": "1.5"}) == ([], {masks.id: "该物品的数量必须是整数。"})
        assert typed_counts([gloves], {}) == ([], {0: "请至少填写一种物品的实盘数量。"})
        assert typed_counts([], {}) == ([], {0: "请选择物品。"})

        req = create(_user("t1"), [(gloves, 2000), (masks, 1000)], "用完了")
        decide(req, _user("boss"), True)
        first, second = req.lines
        assert issue_quantities(req, {f"qty-{first.id}": "2", f"qty-{second.id}": " "}) == {first.id: 2000,
                                                                                          second.id: 0}
        with pytest.raises(QuantityError):
            issue_quantities(req, {f"qty-{first.id}": "很多"})


def test_a_persons_year_and_the_ledgers_spans(app, store):
    from app.supplies.history import category_issues, employee_entries, employee_totals, entries_between

    with app.test_request_context():
        clerk = _user("clerk")
        t1 = db.session.get(Employee, store["t1"])
        gloves, masks = db.session.get(SupplyItem, store["手套"]), db.session.get(SupplyItem, store["口罩"])
        ledger.issue(t1, [(gloves, 3000), (masks, 1000)], clerk)
        ledger.give_back(masks, 1000, t1, clerk)
        db.session.flush()
        today = clock.local_now().date()
        assert [(i.name, q) for i, q in employee_totals(t1, today.year)] == [("手套", 3000)]  # the mask went back
        assert employee_totals(t1, today.year - 1) == []
        assert len(db.session.scalars(employee_entries(t1, today.year)).all()) == 3
        cat = gloves.category
        assert {e.item.name for e in category_issues(cat, today.year, today.month)} == {"手套", "口罩"}
        other_month = (today.year - 1, today.month)
        assert category_issues(cat, *other_month) == []
        # every entry of today: the fixture's two receipts, the issue's two lines, the return
        assert [e.kind for e in entries_between(today, today)] == ["receipt", "receipt", "issue", "issue", "return"]
        assert entries_between(date(today.year - 1, 1, 1), date(today.year - 1, 12, 31)) == []


def test_my_dues_on_the_workspace_are_the_due_lists(app, sized):  # noqa: F811
    """entitlements.due_of (the workspace's two queries for one person) says what
    due_list says for that person: a variant in another size counts as the article, a
    return gives back, an issue of an earlier week does not count this week, an inactive
    person is due nothing."""
    from datetime import timedelta

    from app.supplies.entitlements import due_list, due_of

    with app.test_request_context():
        clerk = _user("clerk")
        t1, t2, t3 = (db.session.get(Employee, sized[k]) for k in ("T1", "T2", "T3"))
        coat_l = db.session.get(SupplyItem, sized["工作服L"])
        gloves = SupplyItem(name="防滑手套", spec="", unit="副", category_id=coat_l.category_id)
        db.session.add(gloves)
        db.session.flush()
        ledger.receive(gloves, 50_000, clerk)
        tech = db.session.scalar(select(Position).filter_by(seed_key="technician"))
        db.session.add(Entitlement(position_id=tech.id, item_id=gloves.id, qty=2000, period="week"))
        ledger.issue(t2, [(coat_l, 1000), (gloves, 1000)], clerk)  # his size of the entitled 工作服（XL）
        ledger.issue(t1, [(gloves, 2000)], clerk)
        ledger.give_back(gloves, 1000, t2, clerk)
        db.session.commit()
        today = clock.local_now().date()
        next_week = today + timedelta(days=7)

        def plain(dues):
            return [(d.employee.id, d.entitlement.item.name, d.received, d.due, d.start, d.end) for d in dues]

        for e in (t1, t2, t3):
            for day in (today, next_week):
                assert plain(due_of(e, day)) == plain(d for d in due_list(day) if d.employee.id == e.id)
        assert [(name, due) for _, name, _, due, *_ in plain(due_of(t2, today))] == [("劳保鞋", 1000), ("防滑手套", 2000)]
        assert [name for _, name, *_ in plain(due_of(t1, today))] == ["劳保鞋", "工作服"]
        assert "防滑手套" in [name for _, name, *_ in plain(due_of(t1, next_week))]
        t3.active = False
        assert due_of(t3, today) == [] == [d for d in due_list(today) if d.employee.id == t3.id]

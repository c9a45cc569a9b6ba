"""Clothing and shoe sizes: employees record them, sized items are variants of one article,
a slip pre-filled from the entitlements gives each person their size or asks."""
import re

import pytest
from sqlalchemy import select

from app.extensions import db
from app.org.models import Position
from app.staff.models import Employee, normalize_size
from app.supplies import ledger
from app.supplies.entitlements import due_list
from app.supplies.models import Entitlement, SupplyCategory, SupplyItem
from app.supplies.sizes import variant_for


@pytest.mark.parametrize("raw, expected", [
    ("XL", "XL"), (" xl ", "XL"), ("４２码", "42"), ("42 码", "42"), ("42", "42"), ("170/88a", "170/88A"), ("", ""),
    (None, ""),
])
def test_one_spelling_per_size(raw, expected):
    assert normalize_size(raw) == expected


@pytest.fixture
def sized(app, make_user):
    """工作服 in XL and L, 劳保鞋 in 42码; technicians: T1 XL/42, T2 L/44, T3 no sizes;
    the technician entitlement names 工作服（XL）and 劳保鞋（42码）."""
    make_user("clerk", position="workshop_clerk", can_issue_supplies=True)
    make_user("t1", position="technician", employee_no="T1", )
    make_user("t2", position="technician", employee_no="T2")
    make_user("t3", position="technician", employee_no="T3")
    with app.app_context():
        from app.auth.models import User

        clerk = db.session.scalar(select(User).filter_by(username="clerk"))
        cat = db.session.scalar(select(SupplyCategory.id).filter_by(name="劳保用品"))
        ids = {}
        for name, spec, kind in (("工作服", "XL", "clothing"), ("工作服", "L", "clothing"), ("劳保鞋", "42码", "shoe")):
            item = SupplyItem(name=name, spec=spec, unit="套", category_id=cat, size_kind=kind)
            db.session.add(item)
            db.session.flush()
            ledger.receive(item, 10_000, clerk)
            ids[f"{name}{spec}"] = item.id
        for no, clothing, shoe in (("T1", "XL", "42"), ("T2", "L", "44"), ("T3", None, None)):
            e = db.session.scalar(select(Employee).filter_by(employee_no=no))
            e.clothing_size, e.shoe_size = clothing, shoe
            ids[no] = e.id
        tech = db.session.scalar(select(Position).filter_by(seed_key="technician"))
        for key in ("工作服XL", "劳保鞋42码"):
            db.session.add(Entitlement(position_id=tech.id, item_id=ids[key], qty=1000, period="year"))
        db.session.commit()
    return ids


def test_variant_for_each_person(app, sized):
    with app.app_context():
        coat = db.session.get(SupplyItem, sized["工作服XL"])
        shoes = db.session.get(SupplyItem, sized["劳保鞋42码"])
        t1, t2, t3 = (db.session.get(Employee, sized[k]) for k in ("T1", "T2", "T3"))
        assert variant_for(coat, t2).item.id == sized["工作服L"]
        assert variant_for(coat, t1).item.id == sized["工作服XL"]
        assert variant_for(shoes, t1).item.id == sized["劳保鞋42码"]
        missing = variant_for(shoes, t2)  # 44 is not stocked
        assert missing.item is None and "44" in missing.note
        unknown = variant_for(coat, t3)
        assert unknown.item is None and "未登记服装尺码" in unknown.note


def test_prefilled_slip_picks_each_persons_size_or_asks(app, client, sized):
    client.login("clerk")
    html = client.get("/supplies/entitlements").get_data(as_text=True)
    assert "按个人服装尺码" in html and "工作服（L）" in html and "未登记服装尺码" in html
    coat, shoes = sized["工作服XL"], sized["劳保鞋42码"]
    form = client.get(f"/supplies/slips/new?employee={sized['T2']}&line={coat}:1&line={shoes}:1").get_data(as_text=True)
    selected = re.findall(r'<option value="(\d+)" selected>', form)
    assert str(sized["工作服L"]) in selected  # T2 wears L, though the standard names XL
    assert "按t2的服装尺码 L" in form and "劳保鞋没有t2的鞋码 44" in form
    form = client.get(f"/supplies/slips/new?employee={sized['T3']}&line={coat}:1").get_data(as_text=True)
    assert "t3未登记服装尺码，请选择工作服的尺码" in form
    assert not re.findall(r'<option value="\d+" selected>[^<]*工作服', form)


def test_a_refused_prefilled_slip_keeps_each_rows_size_hint(app, client, sized):
    """Issuing from 发放标准 to someone without sizes on record: the shoe and overall rows
    start blank with a hint each. Submitted with them still blank, each row said 请选择物品。
    and the hints were gone, so the clerk could not tell which row was the shoes. Each row
    keeps its hint (and its item) across the refusal, under its own error; a size chosen
    on one row leaves its hint there, no longer asking."""
    from app.supplies.models import IssueSlip

    client.login("clerk")
    coat, shoes = sized["工作服XL"], sized["劳保鞋42码"]
    form = client.get(f"/supplies/slips/new?employee={sized['T3']}&line={coat}:1&line={shoes}:1").get_data(as_text=True)
    assert re.findall(r'name="line_for" value="(\d*)"', form) == [str(coat), str(shoes), ""]

    def rows(html):
        return re.findall(r'<div class="slip-line[^"]*" data-line>(.*?)</div>', html, re.S)

    posted = {"employee_id": sized["T3"], "item_id": ["", "", ""], "qty": ["1", "1", ""],
              "line_for": [str(coat), str(shoes), ""]}
    r = client.post_form("/supplies/slips/new", posted)
    assert r.status_code == 422
    first, second, third = rows(r.get_data(as_text=True))
    assert "请选择物品。" in first and "t3未登记服装尺码，请选择工作服的尺码" in first and "鞋码" not in first
    assert "请选择物品。" in second and "t3未登记鞋码，请选择劳保鞋的尺码" in second and "服装" not in second
    assert 'class="line-note ask"' in first and 'class="line-note ask"' in second and "line-note" not in third
    assert f'name="line_for" value="{coat}"' in first and f'name="line_for" value="{shoes}"' in second  # and again
    # the overall's size chosen, the shoes still blank: the shoes' row still asks, the overall's only says
    r = client.post_form("/supplies/slips/new", dict(posted, item_id=[str(sized["工作服L"]), "", ""]))
    first, second, _ = rows(r.get_data(as_text=True))
    assert r.status_code == 422 and "未登记服装尺码" in first and "ask" not in first and "请选择物品" not in first
    assert 'class="line-note ask"' in second and "请选择物品。" in second
    with app.app_context():
        assert db.session.scalar(select(IssueSlip.id)) is None


def test_any_variant_meets_the_entitlement(app, client, sized):
    client.login("clerk")
    r = client.post_form("/supplies/slips/new", {"employee_id": sized["T2"], "item_id": [sized["工作服L"]], "qty": ["1"]})
    assert r.status_code == 303
    with app.app_context():
        due = {(d.employee.employee_no, d.entitlement.item.name) for d in due_list()}
    assert ("T2", "工作服") not in due and ("T1", "工作服") in due and ("T2", "劳保鞋") in due


def test_staff_form_and_import_keep_sizes(app, admin_client):
    r = admin_client.get("/staff/new")
    assert "服装尺码" in r.get_data(as_text=True) and "鞋码" in r.get_data(as_text=True)
    r = admin_client.post_form("/staff/new", {"name": "林涛", "employee_no": "S900", "position_id": "0",
                                              "clothing_size": " xl ", "shoe_size": "４３码", "active": "y"})
    assert r.status_code == 303
    with app.app_context():
        e = db.session.scalar(select(Employee).filter_by(employee_no="S900"))
        assert (e.clothing_size, e.shoe_size) == ("XL", "43")
    page = admin_client.get(r.headers["Location"]).get_data(as_text=True)
    assert "XL / 43" in page
    from app.staff.importer import apply, parse

    with app.app_context():
        rows = parse("姓名,工号,服装尺码,鞋码\n林涛,S900,,44\n王五,S901,M,41码\n")
        assert all(r.ok for r in rows)
        apply(rows)
        db.session.commit()
        got = {e.employee_no: (e.clothing_size, e.shoe_size) for e in db.session.scalars(select(Employee))}
        assert got["S900"] == ("XL", "44") and got["S901"] == ("M", "41")


def test_sized_item_needs_its_size_as_spec(app, admin_client):
    with app.app_context():
        cat = db.session.scalar(select(SupplyCategory.id).filter_by(name="劳保用品"))
    r = admin_client.post_form("/supplies/items/new", {"name": "反光背心", "spec": "", "category_id": cat, "unit": "件",
                                                       "decimals": "0", "min_stock": "0", "size_kind": "clothing",
                                                       "active": "y"})
    assert r.status_code == 422 and "规格请填写尺码" in r.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(SupplyItem).filter_by(name="反光背心")) is None


def test_the_standard_is_each_persons_size_and_issuing_past_it_is_said(app, client, sized):
    """The handbook's standard reads 工作服（按个人服装尺码）, not the size the entitlement
    happens to name (XL: a new hire wearing L would think XL is his); a second overall of the
    year, in any size, is issued (a torn one is replaced) once the clerk confirms it, with a
    warning, and the person's history shows the standard beside what he received."""
    client.login("clerk")
    with app.app_context():
        tech = db.session.scalar(select(Position.id).filter_by(seed_key="technician"))
    page = client.get(f"/handbook/positions/{tech}").get_data(as_text=True)
    assert "工作服（按个人服装尺码）：1 套 / 年" in page and "劳保鞋（按个人鞋码）" in page and "工作服（XL）" not in page
    first = client.post_form("/supplies/slips/new", {"employee_id": sized["T2"], "item_id": [sized["工作服L"]], "qty": ["1"]},
                             follow_redirects=True).get_data(as_text=True)
    assert "超出岗位标准" not in first
    second = {"employee_id": sized["T2"], "item_id": [sized["工作服XL"]], "qty": ["1"]}
    refused = client.post_form("/supplies/slips/new", second)
    assert refused.status_code == 422
    assert "t2本年已领 工作服 1 套，标准 1 套/年，本次再发 1 套将超出标准。" in refused.get_data(as_text=True)
    second = client.post_form("/supplies/slips/new", dict(second, beyond_ok="1"),
                              follow_redirects=True).get_data(as_text=True)
    assert "已发放" in second and "注意：t2 本年已领工作服 2套，超出岗位标准 1套/年。" in second
    history = client.get(f"/supplies/employees/{sized['T2']}").get_data(as_text=True)
    card = history.split("岗位标准（本期）", 1)[1].split("</section>", 1)[0]
    assert "工作服（按个人服装尺码）：标准 1 套/年，本年已领 2 套" in card and "超出标准" in card
    assert "劳保鞋（按个人鞋码）：标准 1 套/年，本年已领 0 套" in card and "未领 1" in card

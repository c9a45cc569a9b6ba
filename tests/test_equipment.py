"""The equipment and tool register (车间设备、工具台账): the rules called directly, the pages
as a clerk with 可管理设备 and as a technician, verification due dates and badges, and the
QR label PDF read back (text, fonts, the QR code decoded with zbarimg)."""
import io
import re
import shutil
import subprocess
import tempfile
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from app.audit.models import AuditEntry
from app.equipment import rules as register
from app.equipment.models import Equipment, EquipmentEvent, Verification
from app.extensions import db
from tests.imagegen import jpeg
from tests.pdftools import assert_cjk_fonts_embedded, pdftotext


def item_data(**kw) -> dict:
    data = {"asset_no": "JC-01", "name": "尾气分析仪", "category": "检测/计量设备", "model": "FGA-4100",
            "maker": "佛分", "serial_no": "", "location": "检测区", "quantity": 1, "responsible_id": None,
            "purchased_on": None, "needs_verification": True, "verify_months": 12, "notes": ""}
    data.update(kw)
    return data


def today() -> date:
    """The app's today (its TIMEZONE, Asia/Shanghai in the tests), also outside a request."""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    return datetime.now(ZoneInfo("Asia/Shanghai")).date()


# --- the rules, called directly ----------------------------------------------------------

def test_add_months_clamps_to_the_month_end():
    assert register.add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert register.add_months(date(2027, 12, 31), 2) == date(2028, 2, 29)
    assert register.add_months(date(2026, 8, 31), 12) == date(2027, 8, 31)
    assert register.add_months(date(2026, 3, 15), 12) == date(2027, 3, 15)


def test_asset_numbers_are_unique_regardless_of_case(app):
    with app.app_context():
        register.create(item_data(asset_no="JC-01"), None)
        with pytest.raises(register.Refused) as exc:
            register.create(item_data(asset_no=" jc-01 "), None)
        assert exc.value.field == "asset_no" and "已被其他设备使用" in str(exc.value)
        other = register.create(item_data(asset_no="JC-02"), None)
        with pytest.raises(register.Refused):
            register.update(other, item_data(asset_no="Jc-01"), None)
        db.session.rollback()
        assert db.session.scalar(select(func.count(Equipment.id))) == 0


def test_a_verification_in_the_future_is_refused(app):
    with app.app_context():
        item = register.create(item_data(), None)
        with pytest.raises(register.Refused) as exc:
            register.record_verification(item, {"verified_on": today() + timedelta(days=1), "result": "pass",
                                                "cert_no": "JD1"}, None)
        assert exc.value.field == "verified_on" and "不能晚于今天" in str(exc.value)
        assert item.verification_due is None


def test_the_next_due_date_follows_the_last_verification_and_the_cycle(app):
    with app.app_context():
        item = register.create(item_data(verify_months=12), None)
        assert register.verification_state(item, today()) == register.MISSING
        last_jan = date(today().year - 1, 1, 31)
        register.record_verification(item, {"verified_on": last_jan, "result": "pass", "cert_no": "JD1"}, None)
        assert item.verification_due == date(today().year, 1, 31)
        # an older certificate entered afterwards does not move the due date back
        register.record_verification(item, {"verified_on": last_jan - timedelta(days=400), "result": "pass",
                                            "cert_no": "JD0"}, None)
        assert item.last_verified_on == last_jan
        # a shorter cycle recomputes the due date in the same write; month end clamped
        register.update(item, item_data(verify_months=1), None)
        assert item.verification_due == date(today().year - 1, 2, 28 if (today().year - 1) % 4 else 29)
        assert register.verification_state(item, today()) == register.EXPIRED


def test_a_failed_verification_leaves_the_item_not_valid(app):
    with app.app_context():
        item = register.create(item_data(), None)
        register.record_verification(item, {"verified_on": today(), "result": "fail", "cert_no": "JD9"}, None)
        assert register.verification_state(item, today()) == register.FAILED
        assert [d.item.id for d in register.due_list(today())] == [item.id]


def test_scrapped_stays_scrapped(app):
    with app.app_context():
        item = register.create(item_data(asset_no="JS-01", needs_verification=False, verify_months=None), None)
        with pytest.raises(register.Refused) as exc:
            register.change_state(item, "repair", today(), "", None)
        assert exc.value.field == "reason"
        register.change_state(item, "scrapped", today(), "液压缸报废", None)
        for state in ("in_use", "repair", "idle"):
            with pytest.raises(register.Refused) as exc:
                register.change_state(item, state, today(), "修好了", None)
            assert exc.value.status == 409
        with pytest.raises(register.Refused):
            register.update(item, item_data(asset_no="JS-01", name="新名字"), None)
        assert item.state == "scrapped" and db.session.get(Equipment, item.id) is not None
        kinds = [e.kind for e in db.session.scalars(select(EquipmentEvent).filter_by(equipment_id=item.id)
                                                    .order_by(EquipmentEvent.id))]
        assert kinds == ["created", "state"]


def test_the_due_list_puts_the_most_urgent_first(app):
    with app.app_context():
        t = today()
        never = register.create(item_data(asset_no="A-never"), None)
        expired = register.create(item_data(asset_no="B-expired"), None)
        soon = register.create(item_data(asset_no="C-soon"), None)
        later = register.create(item_data(asset_no="D-later"), None)
        far = register.create(item_data(asset_no="E-far"), None)
        register.create(item_data(asset_no="F-none", needs_verification=False, verify_months=None), None)
        for item, ago in ((expired, 400), (soon, 350), (later, 300), (far, 10)):
            register.record_verification(item, {"verified_on": t - timedelta(days=ago), "result": "pass",
                                                "cert_no": item.asset_no}, None)
        assert [d.item.asset_no for d in register.due_list(t, 30)] == ["A-never", "B-expired", "C-soon"]
        rows = register.due_list(t, 90)
        assert [d.item.asset_no for d in rows] == ["A-never", "B-expired", "C-soon", "D-later"]
        assert [d.state for d in rows] == ["missing", "expired", "soon", "valid"]
        assert rows[1].days < 0 < rows[2].days <= 30 < rows[3].days


# --- pages -----------------------------------------------------------------------------------

@pytest.fixture
def clerk(client, make_user):
    make_user("chen", position="workshop_clerk", can_manage_equipment=True)
    client.login("chen")
    return client


def audit_count(app, action) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count(AuditEntry.id)).filter_by(action=action))


def new_item(app, **kw) -> int:
    with app.app_context():
        item = register.create(item_data(**kw), None)
        db.session.commit()
        return item.id


def form_of(**kw) -> dict:
    data = {"asset_no": "JC-01", "name": "尾气分析仪", "category": "检测/计量设备", "model": "FGA-4100",
            "maker": "佛分", "serial_no": "", "location": "检测区", "quantity": "1", "responsible_id": "0",
            "purchased_on": "", "needs_verification": "y", "verify_months": "12", "notes": ""}
    data.update(kw)
    return {k: v for k, v in data.items() if v is not None}


def test_a_technician_sees_the_register_but_cannot_manage_it(app, client, make_user):
    item_id = new_item(app)
    make_user("tech", position="technician")
    client.login("tech")
    assert client.get("/equipment/").status_code == 200
    page = client.get(f"/equipment/{item_id}")
    assert page.status_code == 200 and "尾气分析仪" in page.get_data(as_text=True)
    assert "变更状态" not in page.get_data(as_text=True)
    assert client.get("/equipment/due").status_code == 200
    assert client.get("/equipment/new").status_code == 403
    assert client.get(f"/equipment/{item_id}/edit").status_code == 403
    assert client.post_form("/equipment/new", form_of(asset_no="X-1")).status_code == 403
    assert client.post_form(f"/equipment/{item_id}/state", {"state": "idle", "on": today().isoformat(),
                                                            "reason": "x"}).status_code == 403
    assert client.post_form(f"/equipment/{item_id}/verifications", {"verified_on": today().isoformat(),
                                                                    "cert_no": "1", "result": "pass"}).status_code == 403
    with app.app_context():
        assert db.session.get(Equipment, item_id).state == "in_use"


def test_the_supply_capability_does_not_manage_equipment(app, client, make_user):
    make_user("li", position="after_sales_clerk", can_issue_supplies=True)
    client.login("li")
    assert client.get("/equipment/new").status_code == 403


def test_a_clerk_registers_edits_and_the_list_filters(app, clerk):
    r = clerk.post_form("/equipment/new", form_of())
    assert r.status_code == 303
    assert audit_count(app, "equipment_create") == 1
    with app.app_context():
        item_id = db.session.scalar(select(Equipment.id).filter_by(asset_no="JC-01"))
    r = clerk.post_form(f"/equipment/{item_id}/edit", form_of(location="5号工位"))
    assert r.status_code == 303 and audit_count(app, "equipment_update") == 1
    page = clerk.get(f"/equipment/{item_id}").get_data(as_text=True)
    assert "5号工位" in page and "修改：位置" in page and "检定未登记" in page
    new_item(app, asset_no="JS-01", name="双柱举升机", category="举升设备", location="1号工位", model="QJY-4.0",
             needs_verification=False, verify_months=None)
    lst = clerk.get("/equipment/?category=举升设备").get_data(as_text=True)
    assert "双柱举升机" in lst and "尾气分析仪" not in lst
    lst = clerk.get("/equipment/?q=fga").get_data(as_text=True)
    assert "尾气分析仪" in lst and "双柱举升机" not in lst
    lst = clerk.get("/equipment/?location=1号工位").get_data(as_text=True)
    assert "双柱举升机" in lst and "尾气分析仪" not in lst


def test_bad_input_gets_the_message_beside_the_field_and_changes_nothing(app, clerk):
    item_id = new_item(app, asset_no="JC-01")
    before = audit_count(app, "equipment_create")
    r = clerk.post_form("/equipment/new", form_of(asset_no="jc-01", name="另一台"))
    html = r.get_data(as_text=True)
    assert r.status_code == 409
    assert re.search(r'id="asset_no"[^>]*>\s*<div class="error" role="alert">资产编号 jc-01 已被其他设备使用', html)
    r = clerk.post_form("/equipment/new", form_of(asset_no="JC-09", verify_months="", needs_verification="y"))
    assert r.status_code == 422 and "请填写周期" in r.get_data(as_text=True)
    assert audit_count(app, "equipment_create") == before
    r = clerk.post_form(f"/equipment/{item_id}/verifications",
                        {"verified_on": (today() + timedelta(days=3)).isoformat(), "cert_no": "JD1", "result": "pass"})
    assert r.status_code == 422
    assert re.search(r'id="verified_on"[^>]*>\s*<div class="error" role="alert">检定/校准日期不能晚于今天',
                     r.get_data(as_text=True))
    r = clerk.post_form(f"/equipment/{item_id}/state", {"state": "idle", "on": today().isoformat(), "reason": ""})
    assert r.status_code == 422 and "请填写原因" in r.get_data(as_text=True)
    r = clerk.post_form(f"/equipment/{item_id}/verifications",
                        {"verified_on": today().isoformat(), "cert_no": "JD1", "result": "pass",
                         "scan": (io.BytesIO(b"MZ\x90\x00rubbish"), "证书.pdf")}, content_type="multipart/form-data")
    assert r.status_code == 422 and "扫描件应为图片" in r.get_data(as_text=True)
    with app.app_context():
        item = db.session.get(Equipment, item_id)
        assert item.state == "in_use" and item.verification_due is None and item.name == "尾气分析仪"
        assert db.session.scalar(select(func.count(Verification.id))) == 0


def test_two_clerks_saving_one_asset_number_at_once_get_one_item(app, clerk, monkeypatch):
    """The rule's check passes for both (neither sees the other's row yet); the unique
    index keeps one, and the second gets the message beside the field, not a 500."""
    new_item(app, asset_no="JC-01")
    monkeypatch.setattr(register, "_asset_taken", lambda *a, **k: False)
    r = clerk.post_form("/equipment/new", form_of(asset_no="jc-01", name="另一台"))
    assert r.status_code == 409 and "资产编号 jc-01 已被其他设备使用" in r.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count(Equipment.id))) == 1


def test_state_change_and_verification_with_a_scan(app, clerk, make_user):
    item_id = new_item(app)
    r = clerk.post_form(f"/equipment/{item_id}/state", {"state": "repair", "on": today().isoformat(),
                                                        "reason": "传感器故障，返厂维修"})
    assert r.status_code == 303 and audit_count(app, "equipment_state") == 1
    on = today() - timedelta(days=350)
    r = clerk.post_form(f"/equipment/{item_id}/verifications",
                        {"verified_on": on.isoformat(), "cert_no": "JD2026-7", "body": "市计量院", "result": "pass",
                         "scan": (io.BytesIO(jpeg()), "证书.jpg")}, content_type="multipart/form-data")
    assert r.status_code == 303 and audit_count(app, "equipment_verification") == 1
    page = clerk.get(f"/equipment/{item_id}").get_data(as_text=True)
    assert "检定即将到期" in page and "JD2026-7" in page and "传感器故障，返厂维修" in page and "维修中" in page
    assert "检定即将到期" in clerk.get("/equipment/").get_data(as_text=True)
    assert "JC-01" in clerk.get("/equipment/due?days=30").get_data(as_text=True)
    with app.app_context():
        v = db.session.scalar(select(Verification))
        assert db.session.get(Equipment, item_id).verification_due == register.add_months(on, 12)
    scan = clerk.get(f"/equipment/verifications/{v.id}/scan")
    assert scan.status_code == 200 and scan.mimetype == "image/jpeg"
    clerk.logout()
    assert clerk.get(f"/equipment/verifications/{v.id}/scan").status_code == 302  # to the login
    make_user("tech", position="technician")
    clerk.login("tech")
    assert clerk.get(f"/equipment/verifications/{v.id}/scan").status_code == 200


def test_the_due_page_takes_30_60_90_days(app, clerk):
    item_id = new_item(app)
    with app.app_context():
        register.record_verification(db.session.get(Equipment, item_id),
                                     {"verified_on": today() - timedelta(days=300), "result": "pass",
                                      "cert_no": "JD5"}, None)
        db.session.commit()
    assert "JC-01" not in clerk.get("/equipment/due?days=30").get_data(as_text=True)
    assert "JC-01" in clerk.get("/equipment/due?days=90").get_data(as_text=True)
    assert clerk.get("/equipment/due?days=99999").status_code == 200


def test_an_account_gets_the_equipment_capability(app, admin_client, make_user):
    user = make_user("chen", position="workshop_clerk")
    r = admin_client.post_form(f"/admin/accounts/{user.id}/edit", {
        "username": "chen", "employee_id": str(user.employee_id), "active": "y", "can_manage_equipment": "y"})
    assert r.status_code == 303
    assert "可管理设备" in admin_client.get(f"/admin/accounts/{user.id}/edit").get_data(as_text=True)
    from app.auth.models import User

    with app.app_context():
        assert db.session.get(User, user.id).can_manage_equipment
        entry = db.session.scalar(select(AuditEntry).filter_by(action="user_update").order_by(AuditEntry.id.desc()))
        assert entry.after.get("can_manage_equipment") is True


# --- QR labels -------------------------------------------------------------------------------

def _decode_qr(pdf: bytes) -> list[str]:
    with tempfile.TemporaryDirectory() as tmp:
        path = f"{tmp}/labels.pdf"
        with open(path, "wb") as fh:
            fh.write(pdf)
        subprocess.run(["pdftoppm", "-r", "200", "-png", "-f", "1", "-l", "1", path, f"{tmp}/page"], check=True)
        png = next(p for p in sorted(__import__("os").listdir(tmp)) if p.endswith(".png"))
        out = subprocess.run(["zbarimg", "--quiet", "--raw", f"{tmp}/{png}"], capture_output=True, text=True)
        return out.stdout.split()


@pytest.mark.skipif(shutil.which("zbarimg") is None, reason="zbar-tools is installed by scripts/test.sh")
def test_a_label_holds_the_asset_number_the_name_and_a_qr_code_of_the_page(app, client, make_user):
    item_id = new_item(app, asset_no="JC-02", name="不透光烟度计")
    make_user("tech", position="technician")
    client.login("tech")
    r = client.get(f"/equipment/{item_id}/label.pdf")
    assert r.status_code == 200 and r.mimetype == "application/pdf"
    text = pdftotext(r.data)
    assert "JC-02" in text and "不透光烟度计" in text
    assert_cjk_fonts_embedded(r.data)
    assert _decode_qr(r.data) == [f"http://localhost/equipment/{item_id}"]
    app.config["PUBLIC_URL"] = "https://intranet.example.lan/"
    assert _decode_qr(client.get(f"/equipment/{item_id}/label.pdf").data) == [
        f"https://intranet.example.lan/equipment/{item_id}"]


def test_the_label_sheet_follows_the_list_filters(app, client, make_user):
    new_item(app, asset_no="JS-01", name="双柱举升机", category="举升设备", needs_verification=False, verify_months=None)
    new_item(app, asset_no="JC-01")
    make_user("tech", position="technician")
    client.login("tech")
    text = pdftotext(client.get("/equipment/labels.pdf?category=举升设备").data)
    assert "JS-01" in text and "JC-01" not in text
    text = pdftotext(client.get("/equipment/labels.pdf").data)
    assert "JS-01" in text and "JC-01" in text
    assert client.get("/equipment/labels.pdf?q=nothing-like-this").status_code == 404


def _statements(app, client, url) -> int:
    from sqlalchemy import event

    with app.app_context():
        engine = db.engine
    seen = []

    def before(conn, cursor, statement, *args):
        seen.append(statement)

    client.get(url)  # warm
    event.listen(engine, "before_cursor_execute", before)
    try:
        assert client.get(url).status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", before)
    return len(seen)


def _grow(app, start: int, n: int, item_id: int) -> None:
    """n more items, each with its own responsible person; n more verifications and state
    changes of one item, each by its own user."""
    from app.auth.models import User
    from app.staff.models import Employee

    with app.app_context():
        item = db.session.get(Equipment, item_id)
        for i in range(start, start + n):
            e = Employee(employee_no=f"Q{i:03d}", name=f"员工{i}")
            u = User(username=f"u{i}", password_hash="x", employee=e)
            db.session.add_all([e, u])
            db.session.flush()
            register.create(item_data(asset_no=f"N-{i:03d}", responsible_id=e.id), u)
            register.record_verification(item, {"verified_on": today() - timedelta(days=900 - i),
                                                "result": "pass", "cert_no": f"C{i}"}, u)
        db.session.commit()


def test_list_due_and_item_pages_cost_the_same_statements_however_many_rows(app, clerk):
    item_id = new_item(app, asset_no="JC-01")
    _grow(app, 0, 3, item_id)
    urls = ["/equipment/", "/equipment/due?days=90", f"/equipment/{item_id}"]
    small = [_statements(app, clerk, u) for u in urls]
    _grow(app, 3, 20, item_id)
    assert [_statements(app, clerk, u) for u in urls] == small

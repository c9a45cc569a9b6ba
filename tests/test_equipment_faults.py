"""故障报修, the item's photo, verification due (lists, workspace blocks, notices) and the
item's whole history: the rules called directly, the pages, and a phone reporting a fault
from the item's page."""
import io
import re
from datetime import date, datetime, timedelta

import pytest
from PIL import Image
from sqlalchemy import func, select

from app.auth.models import User
from app.equipment import due, faults, history, rules as register
from app.equipment.models import Equipment, EquipmentEvent, Fault, FaultPhoto
from app.extensions import db
from app.notices.models import Notice
from app.parts import Desk
from app.permissions import may_record_repair, may_report_fault, may_set_equipment_photo
from tests.imagegen import jpeg
from tests.test_equipment import audit_count, item_data, new_item, today


class Upload(io.BytesIO):
    """What request.files gives: a stream with a file name."""

    def __init__(self, data: bytes, filename: str = "x.jpg"):
        super().__init__(data)
        self.filename = filename


def _lift(app, **kw) -> int:
    return new_item(app, **{"asset_no": "JS-01", "name": "双柱举升机", "category": "举升设备",
                            "needs_verification": False, "verify_months": None, **kw})


# --- the rules -----------------------------------------------------------------------------

def test_a_report_puts_the_item_under_repair_and_a_repair_returns_it(app, tmp_path):
    item_id = _lift(app)
    with app.app_context():
        item = db.session.get(Equipment, item_id)
        fault = faults.report(item, "液压缸渗油", None, [Upload(jpeg((800, 600)))])
        db.session.commit()
        assert item.state == "repair" and item.open_faults == 1
        assert len(fault.photos) == 1 and fault.photos[0].width == 800
        assert [e.kind for e in db.session.scalars(select(EquipmentEvent).filter_by(equipment_id=item_id)
                                                   .order_by(EquipmentEvent.id))] == ["created", "fault", "state"]
        faults.repair(fault, {"repaired_by": "元征售后", "repaired_on": today(), "cost": 680.0,
                              "parts": "油封", "result": "更换油封，试举正常", "outcome": "in_use"}, None)
        db.session.commit()
        assert fault.state == "closed" and item.state == "in_use" and item.open_faults == 0
        kinds = [e.kind for e in history.history(item)]
        assert {"登记入账", "故障报修", "维修记录"} <= set(kinds)
        assert any(k.startswith("状态变更：维修中 → 在用") for k in kinds)
    assert audit_count(app, "equipment_fault_report") == 1 and audit_count(app, "equipment_fault_repair") == 1


def test_a_repair_can_scrap_the_item_and_two_faults_keep_it_under_repair(app):
    item_id = _lift(app)
    with app.app_context():
        item = db.session.get(Equipment, item_id)
        first = faults.report(item, "异响", None)
        second = faults.report(item, "支臂变形", None)
        assert item.open_faults == 2
        ok = {"repaired_by": "刘工", "repaired_on": today(), "cost": None, "parts": "", "result": "已修复"}
        faults.repair(first, {**ok, "outcome": "in_use"}, None)
        assert item.state == "repair"  # the other fault is still open
        faults.repair(second, {**ok, "result": "支臂无法修复", "outcome": "scrapped"}, None)
        assert item.state == "scrapped" and item.open_faults == 0
        with pytest.raises(register.Refused) as exc:
            faults.report(item, "又坏了", None)
        assert exc.value.status == 409


@pytest.mark.parametrize("data, field, message", [
    ({"repaired_by": ""}, "repaired_by", "请填写维修人"),
    ({"repaired_on": date(2099, 1, 1)}, "repaired_on", "不能晚于今天"),
    ({"repaired_on": date(2000, 1, 1)}, "repaired_on", "不能早于报修日期"),
    ({"cost": -5.0}, "cost", "费用"),
    ({"result": " "}, "result", "请填写维修结果"),
    ({"outcome": "idle"}, "outcome", "请选择"),
])
def test_a_bad_repair_is_refused_and_changes_nothing(app, data, field, message):
    item_id = _lift(app)
    with app.app_context():
        item = db.session.get(Equipment, item_id)
        fault = faults.report(item, "异响", None)
        db.session.commit()
        good = {"repaired_by": "刘工", "repaired_on": today(), "cost": 10.0, "parts": "", "result": "好了",
                "outcome": "in_use"}
        with pytest.raises(register.Refused) as exc:
            faults.repair(fault, {**good, **data}, None)
        assert exc.value.field == field and message in str(exc.value)
        db.session.rollback()
        assert db.session.get(Fault, fault.id).state == "open"
        assert db.session.get(Equipment, item_id).state == "repair"


def test_a_photo_that_is_not_an_image_is_refused(app):
    item_id = _lift(app)
    with app.app_context():
        item = db.session.get(Equipment, item_id)
        with pytest.raises(register.Refused) as exc:
            faults.report(item, "异响", None, [Upload(b"%PDF-1.4 not a photo", "x.jpg")])
        assert exc.value.field == "photos" and "第 1 张照片" in str(exc.value)
        db.session.rollback()
        assert db.session.scalar(select(func.count(Fault.id))) == 0
        assert db.session.get(Equipment, item_id).state == "in_use"


def test_who_may_report_repair_and_set_the_photo(app, make_user):
    item_id = _lift(app)
    tech = make_user("tech", position="technician")
    keeper = make_user("keeper", position="workshop_manager")
    clerk = make_user("clerk", position="workshop_clerk", can_manage_equipment=True)
    with app.app_context():
        item = db.session.get(Equipment, item_id)
        item.responsible_id = keeper.employee_id
        for u in (tech, keeper, clerk):
            u.is_authenticated  # noqa: B018  (a User from make_user is logged-in-able)
        assert may_report_fault(tech, item) and may_report_fault(keeper, item)
        assert not may_record_repair(tech, item) and may_record_repair(keeper, item) and may_record_repair(clerk, item)
        assert not may_set_equipment_photo(tech, item) and may_set_equipment_photo(clerk, item)
        item.state = "scrapped"
        assert not may_report_fault(tech, item)


# --- the pages -----------------------------------------------------------------------------

def test_a_technician_reports_a_fault_and_the_responsible_person_records_the_repair(app, client, make_user):
    keeper = make_user("keeper", position="workshop_manager")
    item_id = _lift(app, responsible_id=keeper.employee_id)
    make_user("tech", position="technician")
    client.login("tech")
    page = client.get(f"/equipment/{item_id}").get_data(as_text=True)
    assert "报修" in page and "记录维修" not in page
    r = client.post_form(f"/equipment/{item_id}/faults/new",
                         {"description": "举升后缓慢下沉", "photos": (io.BytesIO(jpeg((640, 480))), "a.jpg")},
                         content_type="multipart/form-data")
    assert r.status_code == 303
    page = client.get(f"/equipment/{item_id}").get_data(as_text=True)
    assert "故障（报修中）" in page and "举升后缓慢下沉" in page
    assert "故障（报修中）" in client.get("/equipment/").get_data(as_text=True)
    with app.app_context():
        fault = db.session.scalar(select(Fault))
        photo = db.session.scalar(select(FaultPhoto))
        notices = db.session.scalar(select(func.count(Notice.id)).where(Notice.user_id == keeper.id))
    assert notices == 1  # the responsible person is told
    img = client.get(f"/equipment/fault-photos/{photo.id}/full")
    assert img.status_code == 200 and Image.open(io.BytesIO(img.data)).size == (640, 480)
    # the technician cannot record the repair
    repair = {f"r{fault.id}-repaired_by": "刘工", f"r{fault.id}-repaired_on": today().isoformat(),
              f"r{fault.id}-result": "更换油封", f"r{fault.id}-outcome": "in_use", f"r{fault.id}-cost": "120.5"}
    assert client.post_form(f"/equipment/faults/{fault.id}/repair", repair).status_code == 403
    client.logout()
    client.login("keeper")
    bad = client.post_form(f"/equipment/faults/{fault.id}/repair", {**repair, f"r{fault.id}-result": ""})
    assert bad.status_code == 422 and "请填写维修结果" in bad.get_data(as_text=True)
    r = client.post_form(f"/equipment/faults/{fault.id}/repair", repair)
    assert r.status_code == 303
    page = client.get(f"/equipment/{item_id}").get_data(as_text=True)
    assert "已修复" in page and "费用 120.5 元" in page and "故障（报修中）" not in page
    assert "维修中 → 在用" in page  # the history in time order shows the state changes


def test_a_report_without_a_description_is_refused(app, client, make_user):
    item_id = _lift(app)
    make_user("tech", position="technician")
    client.login("tech")
    r = client.post_form(f"/equipment/{item_id}/faults/new", {"description": ""})
    assert r.status_code == 422 and "请描述故障现象" in r.get_data(as_text=True)
    # with a photo chosen: the page says it was not kept (a browser cannot be handed it back)
    r = client.post_form(f"/equipment/{item_id}/faults/new",
                         {"description": "", "photos": (io.BytesIO(jpeg((640, 480))), "支臂.jpg")},
                         content_type="multipart/form-data")
    assert r.status_code == 422 and "所选的文件（支臂.jpg）没有保存：请改正后重新选择文件再提交。" in r.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count(Fault.id))) == 0
    # without a CSRF token nothing happens either
    assert client.c.post(f"/equipment/{item_id}/faults/new", data={"description": "x"}).status_code == 400


def test_the_item_photo_shows_on_its_page_and_in_the_list(app, client, make_user):
    item_id = _lift(app)
    make_user("clerk", position="workshop_clerk", can_manage_equipment=True)
    client.login("clerk")
    bad = client.post_form(f"/equipment/{item_id}/photo", {"photo": (io.BytesIO(b"GIF89a..."), "a.jpg")},
                           content_type="multipart/form-data")
    assert bad.status_code == 422 and "图片" in bad.get_data(as_text=True)
    r = client.post_form(f"/equipment/{item_id}/photo", {"photo": (io.BytesIO(jpeg((3000, 2000))), "lift.jpg")},
                         content_type="multipart/form-data")
    assert r.status_code == 303
    assert f"/equipment/{item_id}/photo/print" in client.get(f"/equipment/{item_id}").get_data(as_text=True)
    assert f"/equipment/{item_id}/photo/thumb" in client.get("/equipment/").get_data(as_text=True)
    full = Image.open(io.BytesIO(client.get(f"/equipment/{item_id}/photo/full").data))
    assert max(full.size) <= 2048 and not full.getexif()  # resized and stripped
    assert audit_count(app, "equipment_photo") == 1


# --- verification due ----------------------------------------------------------------------

def _verified(app, asset_no, days_ago, responsible_id=None) -> int:
    with app.app_context():
        item = register.create(item_data(asset_no=asset_no, responsible_id=responsible_id), None)
        register.record_verification(item, {"verified_on": today() - timedelta(days=days_ago), "result": "pass",
                                            "cert_no": f"C-{asset_no}"}, None)
        db.session.commit()
        return item.id


def test_due_notices_go_once_per_item_and_threshold(app, make_user):
    keeper = make_user("keeper", position="workshop_manager")
    clerk = make_user("clerk", position="workshop_clerk", can_manage_equipment=True)
    _verified(app, "JC-01", 365 - 20, keeper.employee_id)   # due within 30 days
    _verified(app, "JC-02", 400, keeper.employee_id)        # expired
    _verified(app, "JC-03", 365 - 80)                      # within 90 days
    _verified(app, "JC-04", 100)                           # far off
    with app.app_context():
        now = datetime.combine(today(), datetime.min.time()) + timedelta(hours=2)
        made = due.send_notices(now)
        db.session.commit()
        assert made == 2 + 2 + 1  # keeper and clerk for two, the clerk alone for JC-03
        assert due.send_notices(now) == 0  # once per item and threshold
        texts = list(db.session.scalars(select(Notice.text).where(Notice.user_id == keeper.id)))
        assert any("已过期" in t and "JC-02" in t for t in texts) and any("JC-01" in t for t in texts)
        assert db.session.scalar(select(func.count(Notice.id)).where(Notice.user_id == clerk.id)) == 3


def test_the_due_blocks_of_the_responsible_person_and_the_manager(app, make_user):
    keeper = make_user("keeper", position="dispatcher")  # supervises no keeper of the register
    clerk = make_user("clerk", position="workshop_clerk", can_manage_equipment=True)
    tech = make_user("tech", position="technician")
    _verified(app, "JC-01", 365 - 20, keeper.employee_id)
    _verified(app, "JC-02", 400)
    with app.app_context():
        now = datetime.combine(today(), datetime.min.time())

        def desk(user):
            u = db.session.get(User, user.id)
            return Desk(u, u.employee, u.employee.position if u.employee else None, now)

        mine = due.mine(desk(keeper))
        assert mine and [r.item.asset_no for r in mine.rows] == ["JC-01"] and mine.mine
        assert due.workshop(desk(keeper)) is None
        everything = due.workshop(desk(clerk))
        assert everything.total == 2 and everything.expired == 1
        assert due.mine(desk(tech)) is None and due.workshop(desk(tech)) is None
    assert {b.name for b in due.WORKSPACE_BLOCKS} == {"equipment.verify_due_mine", "equipment.verify_due_all"}


def test_the_due_page_filters_expired_category_and_mine(app, client, make_user):
    keeper = make_user("keeper", position="workshop_manager")
    _verified(app, "JC-01", 365 - 20, keeper.employee_id)
    _verified(app, "JC-02", 400)
    client.login("keeper")
    page = client.get("/equipment/due?days=90").get_data(as_text=True)
    assert "JC-01" in page and "JC-02" in page
    page = client.get("/equipment/due?only=expired").get_data(as_text=True)
    assert "JC-02" in page and "JC-01" not in page and "检定已过期" in page
    page = client.get("/equipment/due?days=90&mine=1").get_data(as_text=True)
    assert "JC-01" in page and "JC-02" not in page
    assert "JC-01" not in client.get("/equipment/due?days=90&category=专用工具").get_data(as_text=True)


def test_an_expired_verification_is_printed_on_the_label(app, client, make_user):
    from tests.pdftools import pdftotext

    item_id = _verified(app, "JC-02", 400)
    make_user("tech", position="technician")
    client.login("tech")
    assert "检定已过期" in pdftotext(client.get(f"/equipment/{item_id}/label.pdf").data)


def test_the_demo_has_lift_checks_an_open_and_a_repaired_fault(demo_app):
    from app.parts import demo_steps

    from app.checklists.models import ChecklistMark
    from app.equipment import demo_checks

    with demo_app.app_context():  # seed-demo ran the equipment part's demo, this step with it
        js3 = db.session.scalar(select(Equipment).filter_by(asset_no="JS-03"))
        js5 = db.session.scalar(select(Equipment).filter_by(asset_no="JS-05"))
        assert js3.open_faults == 1 and js3.state == "repair"
        assert db.session.scalar(select(Fault).filter_by(equipment_id=js5.id)).state == "closed"
        assert js5.state == "in_use"
        lifts = {e.id for e in db.session.scalars(select(Equipment).filter_by(category="举升设备"))}
        subjects = set(db.session.scalars(select(ChecklistMark.subject_id).where(ChecklistMark.subject_id.in_(lifts))))
        assert subjects == lifts  # every lift has checks
        assert db.session.scalar(select(Equipment).filter_by(asset_no="JS-01")).photo_key
        assert demo_checks.seed(True) == []  # once
        assert "equipment" in [name for name, _ in demo_steps()]


def test_an_items_history_shows_the_newest_entries_and_filters_by_source(demo_app):
    """A lift's daily checks are two entries a day: its page shows the newest ten of its
    history, a filter to its register entries (registration, repairs, verifications) or
    its checks, and the whole list on demand."""
    from tests.conftest import Client

    with demo_app.app_context():
        js5 = db.session.scalar(select(Equipment).filter_by(asset_no="JS-05"))
    c = Client(demo_app.test_client())
    c.login("zhangwei")

    def rows(url):
        html = c.get(url).get_data(as_text=True)
        table = html.split('id="history"', 1)[1]
        return html, re.findall(r'<td data-label="事项"[^>]*>([^<]*)</td>', table)

    html, shown = rows(f"/equipment/{js5.id}")
    total = int(re.search(r"显示全部 (\d+) 条", html).group(1))
    assert len(shown) == 10 and total > 10
    _, everything = rows(f"/equipment/{js5.id}?all=1")
    assert len(everything) == total and everything[:10] == shown
    _, register = rows(f"/equipment/{js5.id}?history=register&all=1")
    _, checks = rows(f"/equipment/{js5.id}?history=checks&all=1")
    assert register and all(not k.startswith("点检") and k != "自查退回" for k in register)
    assert checks and all(k.startswith("点检") or k in ("自查退回", "取消勾选") for k in checks)
    assert "故障报修" in " ".join(register) and len(register) + len(checks) == total
    # an unknown filter is all of it
    assert rows(f"/equipment/{js5.id}?history=nonsense")[1] == shown


def test_the_due_block_renders_its_rows(app, make_user):
    from flask import render_template

    keeper = make_user("keeper", position="workshop_manager")
    _verified(app, "JC-01", 365 - 20, keeper.employee_id)
    _verified(app, "JC-02", 400, keeper.employee_id)
    with app.test_request_context():
        u = db.session.get(User, keeper.id)
        block = due.mine(Desk(u, u.employee, u.employee.position, datetime.combine(today(), datetime.min.time())))
        html = render_template("equipment/_ws_verify_due.html", block=block)
    assert "我负责的设备检定到期" in html and "（1 项已过期）" in html
    assert "JC-02 尾气分析仪" in html and re.search(r"已过期 3[45] 天", html) and "mine=1" in html


def _todo(client, username: str) -> str:
    """The 待我处理 card of the user's workspace."""
    client.logout()
    client.login(username)
    page = client.get("/").get_data(as_text=True)
    start = page.find("待我处理")
    return page[start:page.find("</section>", start)] if start >= 0 else ""


def test_open_faults_wait_in_the_responsible_persons_and_the_managers_workspace(app, client, make_user):
    """An open fault is in 待我处理 of the item's responsible person (his own items only)
    and of the equipment managers (every item), linking to the fault; a repaired one is not."""
    keeper = make_user("keeper", position="dispatcher")  # supervises no keeper of the register
    make_user("clerk", position="workshop_clerk", can_manage_equipment=True)
    make_user("tech", position="technician")
    mine = _lift(app, responsible_id=keeper.employee_id)
    other = _lift(app, asset_no="JS-02")
    with app.app_context():
        fault = faults.report(db.session.get(Equipment, mine), "液压缸渗油，举升后缓慢下沉", None)
        faults.report(db.session.get(Equipment, other), "支臂异响", None)
        db.session.commit()
        fault_id = fault.id

    keeper_todo = _todo(client, "keeper")
    assert "我负责的设备报修" in keeper_todo and f"/equipment/{mine}#fault-{fault_id}" in keeper_todo
    assert "液压缸渗油" in keeper_todo and "支臂异响" not in keeper_todo
    clerk_todo = _todo(client, "clerk")
    assert "设备报修（未修复）" in clerk_todo and "液压缸渗油" in clerk_todo and "支臂异响" in clerk_todo
    assert "报修" not in _todo(client, "tech")
    # the block's link: the register narrowed to the items with an open fault
    listed = client.get("/equipment/?state=fault").get_data(as_text=True)
    assert "JS-01" in listed and "JS-02" in listed
    with app.app_context():
        faults.repair(db.session.get(Fault, fault_id), {"repaired_by": "刘工", "repaired_on": today(), "cost": None,
                                                        "parts": "", "result": "已修复", "outcome": "in_use"}, None)
        db.session.commit()
    assert "我负责的设备报修" not in _todo(client, "keeper")
    listed = client.get("/equipment/?state=fault").get_data(as_text=True)
    assert "JS-01" not in listed and "JS-02" in listed


def test_the_department_manager_sees_the_workshops_equipment_blocks_read_only(app, client, make_user):
    """The 售后经理 supervises the workshop's keepers of the register (车间主任, 车间文员):
    his 待我处理 shows the workshop's open faults, verifications due and overdue loans, as
    theirs does; the 前台主管, who supervises none of them, sees none. Neither may change
    the register."""
    make_user("clerk", position="workshop_clerk", can_manage_equipment=True)
    make_user("boss", position="after_sales_manager")
    make_user("front", position="front_desk_supervisor")
    lift = _lift(app, asset_no="JS-07")
    with app.app_context():
        faults.report(db.session.get(Equipment, lift), "举升机下降异响", None)
        db.session.commit()

    boss = _todo(client, "boss")
    assert "设备报修（未修复）" in boss and "举升机下降异响" in boss
    assert client.get(f"/equipment/{lift}/edit").status_code == 403
    assert "举升机下降异响" not in _todo(client, "front")
    # no keeper of the register in the workshop: nothing for him to oversee
    with app.app_context():
        from app.auth.models import User
        db.session.scalar(db.select(User).filter_by(username="clerk")).can_manage_equipment = False
        db.session.commit()
    assert "举升机下降异响" not in _todo(client, "boss")


def test_two_people_recording_one_repair_at_once_close_it_once(app, make_user):
    from tests.conftest import race

    item_id = _lift(app)
    with app.app_context():
        fault = faults.report(db.session.get(Equipment, item_id), "异响", None)
        db.session.commit()
        fault_id = fault.id

    def close():
        with app.app_context():
            f = db.session.get(Fault, fault_id)
            try:
                faults.repair(f, {"repaired_by": "刘工", "repaired_on": today(), "cost": None, "parts": "",
                                  "result": "已修复", "outcome": "in_use"}, None)
                db.session.commit()
                return "ok"
            except register.Refused:
                db.session.rollback()
                return "refused"

    results = race([close, close])
    assert sorted(results) == ["ok", "refused"]
    with app.app_context():
        item = db.session.get(Equipment, item_id)
        assert item.open_faults == 0 and item.state == "in_use"
        assert db.session.scalar(select(func.count(EquipmentEvent.id)).filter_by(equipment_id=item_id,
                                                                                kind="repair")) == 1


def test_the_photos_are_not_orphans_for_the_cleanup(app):
    from app import uploads
    from app.parts import referenced_uploads

    item_id = _lift(app)
    with app.app_context():
        item = db.session.get(Equipment, item_id)
        faults.report(item, "异响", None, [Upload(jpeg((400, 300)))])
        faults.set_photo(item, Upload(jpeg((400, 300))), None, [])
        db.session.commit()
        assert uploads.orphans(referenced_uploads(), 0) == []

"""Checklist items for each piece of equipment (每台设备各一次): each lift in use has its own
daily pre-use check; any technician self-checks any lift, the workshop manager confirms;
a lift under repair is not due (from the register's state history); the board, the month
grid and the 点检表 PDF show a line per lift; a failed point offers 报修, pre-filled."""
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from app import clock
from app.checklists.grid import month_grid
from app.checklists.models import ChecklistField, ChecklistItem, ChecklistMark
from app.checklists.occurrences import expand
from app.equipment import checks, rules as register
from app.equipment.models import Equipment
from app.extensions import db
from app.org.models import Position
from tests.conftest import Client
from tests.pdftools import pdftotext
from tests.test_checklists import freeze  # noqa: F401 (the fixture)
from tests.test_equipment import item_data

TZ = ZoneInfo("Asia/Shanghai")


def later(days: int, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(datetime.now(TZ).date() + timedelta(days=days), time(hour, minute))


def login(app, name):
    c = Client(app.test_client())
    assert c.login(name).status_code == 302
    return c


@pytest.fixture
def lifts(app, make_user):
    """Two lifts and an aligner (another category); 举升机班前检查 for each 举升设备, due
    08:30, with a yes/no point whose 否 is a fault; two technicians, their manager."""
    make_user("t1", position="technician", employee_no="T01")
    make_user("t2", position="technician", employee_no="T02")
    make_user("boss_wm", position="workshop_manager")
    with app.app_context():
        ids = {}
        for no, cat in (("JS-01", "举升设备"), ("JS-02", "举升设备"), ("JC-01", "检测/计量设备")):
            e = register.create(item_data(asset_no=no, name="双柱举升机" if cat == "举升设备" else "四轮定位仪",
                                          category=cat, needs_verification=False, verify_months=None,
                                          purchased_on=datetime.now(TZ).date() - timedelta(days=400)), None)
            ids[no] = e.id
        tech = db.session.scalar(select(Position).filter_by(seed_key="technician"))
        item = ChecklistItem(position_id=tech.id, title="举升机班前检查（测试）", kind="daily", due_time=time(8, 30),
                             target="equipment", target_scope=checks.make_scope("举升设备"), sort_order=99,
                             created_at=clock.now_utc() - timedelta(days=40))
        db.session.add(item)
        db.session.flush()
        lock = ChecklistField(item_id=item.id, label="安全锁止有效", kind="yesno", required=True, fault_on_no=True)
        db.session.add(lock)
        db.session.commit()
        return item.id, tech.id, ids, lock.id


def test_the_lifts_in_use_each_day_follow_the_state_history(app, lifts):
    item_id, _, ids, _ = lifts
    with app.app_context():
        today = clock.local_now().date()
        js2 = db.session.get(Equipment, ids["JS-02"])
        register.change_state(js2, "repair", today - timedelta(days=5), "液压缸渗油", None)
        register.change_state(js2, "in_use", today - timedelta(days=2), "已修复", None)
        item = db.session.get(ChecklistItem, item_id)
        days = {}
        for _, occ, sub in expand([item], today - timedelta(days=6), today):
            days.setdefault(occ.due_date, []).append(sub.number)
        # in use at some moment of the day: the day it went to repair and the day it came back count
        assert days[today - timedelta(days=6)] == ["JS-01", "JS-02"]
        assert days[today - timedelta(days=5)] == ["JS-01", "JS-02"]
        assert days[today - timedelta(days=4)] == ["JS-01"] and days[today - timedelta(days=3)] == ["JS-01"]
        assert days[today - timedelta(days=2)] == ["JS-01", "JS-02"]
        assert all(s.thing and s.person == 0 for subs in [expand([item], today, today)] for _, _, s in subs)
        # the aligner is not a lift: never a subject
        assert "JC-01" not in {n for subs in days.values() for n in subs}
        spans = checks.in_use_spans(js2, js2_events(js2))
        assert spans == [(js2.purchased_on, today - timedelta(days=5)), (today - timedelta(days=2), None)]


def js2_events(e):
    from app.equipment.models import EquipmentEvent

    return list(db.session.scalars(select(EquipmentEvent).filter_by(equipment_id=e.id)
                                   .order_by(EquipmentEvent.happened_on, EquipmentEvent.id)))


def test_any_technician_checks_any_lift_and_the_manager_confirms(app, lifts, freeze):
    item_id, tech_id, ids, lock = lifts
    freeze(later(2, 8))
    key = later(2, 8).date().isoformat()
    t1, t2, wm = login(app, "t1"), login(app, "t2"), login(app, "boss_wm")
    board = t1.get("/checklists/?show=all").get_data(as_text=True)
    assert "每台设备各一次（举升设备）" in board and "JS-01 双柱举升机" in board and "JS-02 双柱举升机" in board
    assert "JC-01" not in board
    # a required point left out is refused; with it, each technician checks a lift
    r = t1.post_form(f"/checklists/items/{item_id}/{key}/selfcheck", {"subject": ids["JS-01"]},
                     headers={"HX-Request": "true"})
    assert r.status_code == 422 and "请填写：安全锁止有效" in r.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(ChecklistMark).filter_by(item_id=item_id, review="pending")) is None
    assert t1.post_form(f"/checklists/items/{item_id}/{key}/selfcheck",
                        {"subject": ids["JS-01"], f"f{lock}": "yes"}).status_code == 303
    assert t2.post_form(f"/checklists/items/{item_id}/{key}/selfcheck",
                        {"subject": ids["JS-02"], f"f{lock}": "yes"}).status_code == 303
    with app.app_context():
        marks = {m.subject_id: m.review for m in db.session.scalars(select(ChecklistMark).filter_by(item_id=item_id))}
    assert marks == {ids["JS-01"]: "pending", ids["JS-02"]: "pending"}
    # the aligner is not covered; a lift without its id neither
    r = t1.post_form(f"/checklists/items/{item_id}/{key}/selfcheck", {"subject": ids["JC-01"], f"f{lock}": "yes"},
                     headers={"HX-Request": "true"})
    assert r.status_code == 422 and "不在点检范围内" in r.get_data(as_text=True)
    r = t1.post_form(f"/checklists/items/{item_id}/{key}/selfcheck", {f"f{lock}": "yes"},
                     headers={"HX-Request": "true"})
    assert r.status_code == 422 and "每台设备各点检一次" in r.get_data(as_text=True)
    board = wm.get("/checklists/?show=all").get_data(as_text=True)
    assert "全部确认（2 台已自查）" in board and "逐台查看（2 台）" in board
    r = wm.post_form(f"/checklists/items/{item_id}/{key}/confirm-all",
                     {"subjects": [str(ids["JS-01"]), str(ids["JS-02"])]})
    assert r.status_code == 303
    with app.app_context():
        assert all(m.done for m in db.session.scalars(select(ChecklistMark).filter_by(item_id=item_id)))
    # the lift's page lists the check, done, and its history the self-check and the tick
    page = t1.get(f"/equipment/{ids['JS-01']}").get_data(as_text=True)
    assert "举升机班前检查（测试）" in page and "已完成" in page
    assert "点检（自查）" in page and "点检确认" in page
    # 上次完成 names who checked the lift as well as who confirmed it, not the confirmer alone
    assert "（t1点检，boss_wm确认）" in page.split("上次完成", 1)[1].split("</small>", 1)[0]
    hist = t1.get(f"/checklists/items/{item_id}/{key}/history?subject={ids['JS-01']}")
    assert hist.status_code == 200 and "JS-01 双柱举升机" in hist.get_data(as_text=True)


def test_a_lift_under_repair_is_not_due_and_a_tick_for_it_is_refused(app, lifts, freeze):
    item_id, _, ids, lock = lifts
    freeze(later(2, 8))
    key = later(2, 8).date().isoformat()
    with app.app_context():
        js2 = db.session.get(Equipment, ids["JS-02"])
        register.change_state(js2, "repair", clock.local_now().date() - timedelta(days=1), "渗油", None)
        db.session.commit()
    wm = login(app, "boss_wm")
    board = wm.get("/checklists/?show=all").get_data(as_text=True)
    assert "JS-01 双柱举升机" in board and "JS-02 双柱举升机" not in board
    r = wm.post_form(f"/checklists/items/{item_id}/{key}/tick", {"subject": ids["JS-02"], f"f{lock}": "yes"},
                     headers={"HX-Request": "true"})
    assert r.status_code == 422
    with app.app_context():
        assert db.session.scalar(select(ChecklistMark).filter_by(item_id=item_id)) is None


def test_a_failed_point_offers_a_fault_report_prefilled(app, lifts, freeze):
    item_id, _, ids, lock = lifts
    freeze(later(2, 8))
    key = later(2, 8).date().isoformat()
    t1 = login(app, "t1")
    assert t1.post_form(f"/checklists/items/{item_id}/{key}/selfcheck",
                        {"subject": ids["JS-01"], f"f{lock}": "no", "note": "锁止卡滞"}).status_code == 303
    board = t1.get("/checklists/?show=all").get_data(as_text=True)
    assert "点检异常：安全锁止有效 为“否”" in board
    link = f"/equipment/{ids['JS-01']}/faults/new?check={item_id}&amp;period={key}"
    assert link in board
    # the lift's own page says what this period's check found, not only 待核查
    assert "⚠ 本期点检异常：安全锁止有效 为“否”" in t1.get(f"/equipment/{ids['JS-01']}").get_data(as_text=True)
    assert "本期点检异常" not in t1.get(f"/equipment/{ids['JS-02']}").get_data(as_text=True)
    form = t1.get(link.replace("&amp;", "&")).get_data(as_text=True)
    assert "「举升机班前检查（测试）」（" + key + "）点检异常：安全锁止有效 为“否”。" in form
    r = t1.post_form(f"/equipment/{ids['JS-01']}/faults/new",
                     {"description": "安全锁止卡滞", "check": str(item_id), "period": key})
    assert r.status_code == 303
    with app.app_context():
        from app.equipment.models import Fault

        fault = db.session.scalar(select(Fault))
        assert fault.check_item_id == item_id and fault.check_period == key
        assert db.session.get(Equipment, ids["JS-01"]).state == "repair"
    # JS-01 went to repair today: today's check still shows (it was in use this morning)
    assert "JS-01 双柱举升机" in t1.get("/checklists/?show=all").get_data(as_text=True)


def test_the_report_form_names_an_earlier_report_of_the_item_and_of_the_same_check(app, lifts, freeze):
    """The 报修 link of a failed check stays on the board after the report: the form it opens
    says that this check was already reported (#N, its state, a link), and names the
    item's other open faults; a second, different fault can still be reported."""
    from app.equipment.models import Fault

    item_id, _, ids, lock = lifts
    freeze(later(2, 8))
    key = later(2, 8).date().isoformat()
    t1 = login(app, "t1")
    form_url = f"/equipment/{ids['JS-01']}/faults/new?check={item_id}&period={key}"
    assert "earlier-faults" not in t1.get(form_url).get_data(as_text=True)  # nothing reported yet
    assert t1.post_form(f"/equipment/{ids['JS-01']}/faults/new", {"description": "立柱有异响"}).status_code == 303
    form = t1.get(form_url).get_data(as_text=True)
    with app.app_context():
        first = db.session.scalar(select(Fault.id))
    assert "该设备已有 1 条未修复的报修" in form and f"#fault-{first}\">报修 #{first}</a>，状态：报修中" in form
    assert "立柱有异响" in form and "这次点检" not in form  # not from this check
    assert t1.post_form(f"/equipment/{ids['JS-01']}/faults/new",
                        {"description": "安全锁止卡滞", "check": str(item_id), "period": key}).status_code == 303
    with app.app_context():
        second = db.session.scalar(select(Fault.id).where(Fault.id != first))
    form = t1.get(form_url).get_data(as_text=True)
    assert f"这次点检（「举升机班前检查（测试）」{key}）已经报修过：" in form
    assert f"#fault-{second}\">报修 #{second}</a>（报修中）" in form and "该设备另有 1 条未修复的报修" in form
    assert f"报修 #{second}</a>，状态" not in form  # named once, as this check's report
    # still a form: a second, different fault is possible; another lift's form says nothing
    assert 'name="description"' in form
    assert "earlier-faults" not in t1.get(f"/equipment/{ids['JS-02']}/faults/new?check={item_id}&period={key}"
                                          ).get_data(as_text=True)


def test_a_failed_point_is_on_the_line_and_never_confirmed_in_bulk(app, lifts, freeze):
    """The supervisor's review list shows a check's fault on the lift's line (not only in
    its details); 全部确认 confirms the others, and the server leaves the faulty one
    unconfirmed even when a form names it, until he confirms it on its own."""
    item_id, _, ids, lock = lifts
    freeze(later(2, 8))
    key = later(2, 8).date().isoformat()
    t1, wm = login(app, "t1"), login(app, "boss_wm")
    assert t1.post_form(f"/checklists/items/{item_id}/{key}/selfcheck",
                        {"subject": ids["JS-01"], f"f{lock}": "no"}).status_code == 303
    assert t1.post_form(f"/checklists/items/{item_id}/{key}/selfcheck",
                        {"subject": ids["JS-02"], f"f{lock}": "yes"}).status_code == 303
    board = wm.get("/checklists/?show=review").get_data(as_text=True)
    summary = board.split('id="ck-' + f'{item_id}-{key}-{ids["JS-01"]}"', 1)[1].split("</summary>", 1)[0]
    assert "⚠ 异常：安全锁止有效 为“否”" in summary
    assert "⚠ 1 台点检异常" in board and "待核查 2" in board and "异常 1" in board
    # no one-tap 确认 beside the faulty lift: it is confirmed from its details, read
    row = board.split('id="ck-' + f'{item_id}-{key}-{ids["JS-01"]}"', 1)[1].split('<li id="ck-', 1)[0]
    state = row.split('class="ck-state"', 1)[1]
    assert "tick-btn" not in state and "查看异常并确认" in summary and "已知悉异常，确认" in row
    assert "确认其余无异常的（1 台已自查）" in board and "全部确认" not in board
    bulk = board.split('class="ck-bulk"', 1)[1].split("</form>", 1)[0]
    assert f'value="{ids["JS-02"]}"' in bulk and f'value="{ids["JS-01"]}"' not in bulk
    # a form that names both (an old page, a crafted post): only the lift without fault
    r = wm.post_form(f"/checklists/items/{item_id}/{key}/confirm-all",
                     {"subjects": [str(ids["JS-01"]), str(ids["JS-02"])]})
    assert r.status_code == 303
    with app.app_context():
        done = {m.subject_id: m.done for m in db.session.scalars(select(ChecklistMark).filter_by(item_id=item_id))}
    assert done == {ids["JS-01"]: False, ids["JS-02"]: True}
    page = wm.get("/checklists/?show=all").get_data(as_text=True)
    assert "已确认 1 台设备的自查" in page
    assert "JS-01 双柱举升机 的点检记录了异常，未批量确认" in page
    # confirmed on its own, the line still says what was found
    assert wm.post_form(f"/checklists/items/{item_id}/{key}/tick", {"subject": ids["JS-01"]}).status_code == 303
    page = wm.get("/checklists/?show=all").get_data(as_text=True)
    line = page.split('id="ck-' + f'{item_id}-{key}-{ids["JS-01"]}"', 1)[1].split("</summary>", 1)[0]
    assert "已完成" in page and "⚠ 异常：安全锁止有效 为“否”" in line


def test_a_failed_point_confirmed_stays_a_fault_in_every_record(app, lifts, freeze):
    """何师傅 answers 安全锁止有效 否 on JS-01: his line offers 报修 beside 待核查 (not only in
    its details). Once the supervisor confirms it, the month grid, the printed sheet, the
    results page and the occurrence's history still say something was wrong (异 and the
    point), not a plain ✔ / √ / 否; JS-02, answered 是, stays ✔."""
    item_id, tech_id, ids, lock = lifts
    freeze(later(0, 8))
    day = later(0, 8).date()
    key = day.isoformat()
    t1, wm = login(app, "t1"), login(app, "boss_wm")
    assert t1.post_form(f"/checklists/items/{item_id}/{key}/selfcheck",
                        {"subject": ids["JS-01"], f"f{lock}": "no", "note": "锁止卡滞"}).status_code == 303
    board = t1.get("/checklists/?show=all").get_data(as_text=True)
    state = board.split(f'id="ck-{item_id}-{key}-{ids["JS-01"]}"', 1)[1].split('class="ck-state"', 1)[1] \
        .split("</li>", 1)[0]
    assert "待核查" in state and f"/equipment/{ids['JS-01']}/faults/new?check={item_id}&amp;period={key}" in state
    assert wm.post_form(f"/checklists/items/{item_id}/{key}/tick", {"subject": ids["JS-01"]}).status_code == 303
    assert wm.post_form(f"/checklists/items/{item_id}/{key}/tick",
                        {"subject": ids["JS-02"], f"f{lock}": "yes"}).status_code == 303
    page = wm.get(f"/checklists/positions/{tech_id}?month={day:%Y-%m}").get_data(as_text=True)
    rows = {no: page.split(f"{no} 双柱举升机", 1)[1].split("</tr>", 1)[0] for no in ("JS-01", "JS-02")}
    assert 'class="cell done has-value flagged"' in rows["JS-01"] and ">异<" in rows["JS-01"]
    assert "安全锁止有效 异常：应为“是”" in rows["JS-01"]
    assert "flagged" not in rows["JS-02"] and ">✔<" in rows["JS-02"]
    pdf = wm.get(f"/checklists/positions/{tech_id}/month.pdf?month={day:%Y-%m}").data
    assert "安全锁止有效 异常：应为“是”" in pdftotext(pdf)  # beside the tick in 勾选记录
    # the grid, laid out: JS-01's cells on the line of the item's title above its name
    layout = pdftotext(pdf, layout=True).split("勾选记录", 1)[0]
    js01 = layout.split("JS-01 双柱举升机", 1)[0].rsplit("\n", 2)[-2] + layout.split("JS-01 双柱举升机", 1)[1]
    js01, js02 = js01.split("JS-02 双柱举升机", 1)[0], layout.split("JS-02 双柱举升机", 1)[1].split("\n", 1)[0]
    assert "异" in js01 and "√" not in js01 and "√" in js02 and "异" not in js02, (js01, js02)
    results = wm.get(f"/checklists/items/{item_id}/results?month={day:%Y-%m}").get_data(as_text=True)
    assert '<span class="flag" title="异常：应为“是”">否</span>' in results
    history = wm.get(f"/checklists/items/{item_id}/{key}/history?subject={ids['JS-01']}").get_data(as_text=True)
    assert "否（异常：应为“是”）" in history


def test_a_technicians_workspace_has_one_line_per_lift_check_naming_the_overdue_lifts(app, lifts, freeze):
    """我的工作台: an item for each piece of equipment is one line that counts the lifts
    done and names those overdue, not the item's title once per lift."""
    item_id, _, ids, lock = lifts
    freeze(later(2, 9))  # past 08:30
    key = later(2, 9).date().isoformat()
    t1 = login(app, "t1")
    assert t1.post_form(f"/checklists/items/{item_id}/{key}/selfcheck",
                        {"subject": ids["JS-02"], f"f{lock}": "yes"}).status_code == 303
    login(app, "boss_wm").post_form(f"/checklists/items/{item_id}/{key}/tick", {"subject": ids["JS-02"]})
    home = t1.get("/").get_data(as_text=True)
    assert home.count("举升机班前检查（测试）") == 1
    line = home.split("举升机班前检查（测试）", 1)[1].split("</li>", 1)[0]
    assert "已完成 1/2 台" in line and "逾期：JS-01" in line and "JS-02" not in line
    # self-checked, JS-01 waits on the supervisor: no longer his overdue
    assert t1.post_form(f"/checklists/items/{item_id}/{key}/selfcheck",
                        {"subject": ids["JS-01"], f"f{lock}": "yes"}).status_code == 303
    home = t1.get("/").get_data(as_text=True)
    item_line = home.split("举升机班前检查（测试）", 1)
    line = item_line[1].split("</li>", 1)[0]
    assert "待核查 1 台" in line and "逾期" not in line and "待核查" in item_line[0].rsplit("<li", 1)[1]


def test_the_month_grid_and_the_pdf_have_a_row_per_lift(app, lifts, freeze):
    item_id, tech_id, ids, lock = lifts
    freeze(later(0, 8))
    key = later(0, 8).date().isoformat()
    wm = login(app, "boss_wm")
    assert wm.post_form(f"/checklists/items/{item_id}/{key}/tick",
                        {"subject": ids["JS-01"], f"f{lock}": "yes"}).status_code == 303
    day = later(0, 8).date()
    with app.app_context():
        grid = month_grid(db.session.get(Position, tech_id), day.year, day.month)
        rows = [r for r in grid["rows"] if r["item"].id == item_id]
        assert [r["subject"].number for r in rows] == ["JS-01", "JS-02"]
        assert rows[0]["cells"][day].status == "done"
        assert all(p["subject"].person for p in grid["people"])  # lifts are not people's rates
    page = wm.get(f"/checklists/positions/{tech_id}?month={day:%Y-%m}").get_data(as_text=True)
    assert "每台" in page and "JS-01 双柱举升机" in page and "JS-02 双柱举升机" in page
    text = pdftotext(wm.get(f"/checklists/positions/{tech_id}/month.pdf?month={day:%Y-%m}").data)
    assert "举升机班前检查（测试）（每台）" in text and "JS-01 双柱举升机" in text and "JS-02 双柱举升机" in text


def test_an_expired_verification_shows_on_the_board_line(app, lifts, freeze):
    item_id, _, ids, _ = lifts
    with app.app_context():
        js1 = db.session.get(Equipment, ids["JS-01"])
        js1.needs_verification, js1.verify_months = True, 12
        register.record_verification(js1, {"verified_on": clock.local_now().date() - timedelta(days=400),
                                           "result": "pass", "cert_no": "C1"}, None)
        db.session.commit()
    freeze(later(0, 10))
    board = login(app, "t1").get("/checklists/?show=all").get_data(as_text=True)
    line = board.split("JS-01 双柱举升机", 1)[1][:300]
    assert "检定已过期" in line


def test_admin_makes_an_item_for_each_piece_of_equipment(app, admin_client):
    with app.app_context():
        tech = db.session.scalar(select(Position).filter_by(seed_key="technician"))
    data = {"title": "四柱举升机月度保养", "duty_id": "0", "kind": "monthly", "month_day": "25", "weekday": "0",
            "due_mode": "none", "working_days": [str(d) for d in range(7)], "target": "equipment", "active": "y"}
    r = admin_client.post_form(f"/checklists/positions/{tech.id}/items/new", data)
    assert r.status_code == 422 and "请选择设备类别" in r.get_data(as_text=True)
    r = admin_client.post_form(f"/checklists/positions/{tech.id}/items/new",
                               {**data, "equipment_category": "举升设备", "equipment_location": "5号工位"})
    assert r.status_code == 303
    with app.app_context():
        item = db.session.scalar(select(ChecklistItem).filter_by(title="四柱举升机月度保养"))
        assert item.target == "equipment" and item.scope == {"category": "举升设备", "location": "5号工位"}


def test_an_overdue_lift_check_is_noticed_to_the_holders_not_to_a_namesake_id(app, lifts, freeze):
    """The subject of a lift's occurrence is the lift's id: the overdue notice goes to the
    position's holders (and its supervisors), never to the employee with that id."""
    from app.notices.models import Notice
    from app.notices.rules import send_due
    freeze(later(2, 10))
    with app.app_context():
        made = send_due(clock.local_now())["overdue"]
        db.session.commit()
        notices = list(db.session.scalars(select(Notice).where(Notice.text.contains("举升机班前检查（测试）"))))
        from app.auth.models import User

        names = {db.session.get(User, n.user_id).username for n in notices}
        assert made and names == {"t1", "t2", "boss_wm"}
        assert any("JS-01 双柱举升机" in n.text for n in notices) and any("JS-02 双柱举升机" in n.text for n in notices)


def test_permission_rules_for_lines_of_equipment(app, make_user):
    from app.permissions import may_see_subject, may_self_check_subject

    from app.auth.models import User

    made = make_user("t1", position="technician")
    with app.app_context():
        t1 = db.session.get(User, made.id)
        other = t1.employee_id + 1
        assert not may_self_check_subject(t1, other) and may_self_check_subject(t1, other, thing=True)
        tech = db.session.scalar(select(Position).filter_by(seed_key="technician"))
        assert not may_see_subject(t1, tech, other) and may_see_subject(t1, tech, other, thing=True)


def test_a_technician_sees_every_lift_but_no_bulk_confirmation(app, lifts, freeze):
    item_id, _, ids, lock = lifts
    freeze(later(2, 8))
    key = later(2, 8).date().isoformat()
    t1 = login(app, "t1")
    assert t1.post_form(f"/checklists/items/{item_id}/{key}/selfcheck",
                        {"subject": ids["JS-02"], f"f{lock}": "yes"}).status_code == 303
    board = t1.get("/checklists/?show=all").get_data(as_text=True)
    assert "JS-01 双柱举升机" in board and "JS-02 双柱举升机" in board and "待核查" in board
    assert "全部确认" not in board
    # confirming stays with the supervisors
    r = t1.post_form(f"/checklists/items/{item_id}/{key}/tick", {"subject": ids["JS-02"]})
    assert r.status_code == 403


def test_the_parts_pieces_are_ready_to_register():
    from app.equipment import part_25b

    assert set(part_25b.AUDIT_LABELS) == {"equipment_fault_report", "equipment_fault_repair", "equipment_photo"}
    assert len(part_25b.WORKSPACE_BLOCKS) == 2 and callable(part_25b.NOTICES[0]) and callable(part_25b.demo)


def test_the_results_page_lists_every_lift_for_a_technician(app, lifts, freeze):
    item_id, _, ids, lock = lifts
    freeze(later(0, 8))
    key = later(0, 8).date().isoformat()
    t1 = login(app, "t1")
    assert t1.post_form(f"/checklists/items/{item_id}/{key}/selfcheck",
                        {"subject": ids["JS-02"], f"f{lock}": "no"}).status_code == 303
    page = t1.get(f"/checklists/items/{item_id}/results").get_data(as_text=True)
    assert "<th>设备</th>" in page and "JS-01 双柱举升机" in page and "JS-02 双柱举升机" in page

"""Checklist items for each holder: every technician has his own 工位5S, self-checks only
his own, the supervisor confirms each (or all waiting ones at once); joiners and leavers
count only for the days they held the position; switching an item never rewrites history."""
import csv
import io
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from app.audit.models import AuditEntry
from app.checklists.grid import month_grid
from app.checklists.models import ChecklistItem, ChecklistMark
from app.extensions import db
from app.notices.models import Notice
from app.org.models import Position
from app.staff.models import Employee
from tests.conftest import Client, race
from tests.test_checklists import freeze  # noqa: F401 (the fixture)
from tests.pdftools import pdftotext

TZ = ZoneInfo("Asia/Shanghai")


def later(days: int, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(datetime.now(TZ).date() + timedelta(days=days), time(hour, minute))


@pytest.fixture
def bay(app, make_user):
    """工位5S for each 技师, due 17:00; two technicians with logins, their workshop manager."""
    make_user("t1", position="technician", employee_no="T01")
    make_user("t2", position="technician", employee_no="T02")
    make_user("boss_wm", position="workshop_manager")
    with app.app_context():
        tech = db.session.scalar(select(Position).filter_by(seed_key="technician"))
        item = ChecklistItem(position_id=tech.id, title="工位5S（测试）", kind="daily", due_time=time(17, 0),
                             target="holder", sort_order=99)
        db.session.add(item)
        db.session.commit()
        ids = {e.name: e.id for e in db.session.scalars(select(Employee))}
        return item.id, tech.id, ids


def login(app, name):
    c = Client(app.test_client())
    assert c.login(name).status_code == 302
    return c


def state(app, item_id, key):
    with app.app_context():
        return {(m.subject_id, m.done, m.review) for m in db.session.scalars(
            select(ChecklistMark).filter_by(item_id=item_id, period_key=key))}


def test_each_holder_self_checks_his_own_only(app, bay, freeze):
    item_id, _, ids = bay
    freeze(later(2, 10))
    key = later(2, 10).date().isoformat()
    t1, t2 = login(app, "t1"), login(app, "t2")
    board = t1.get("/checklists/").get_data(as_text=True)
    # a coworker's bay is not on his board (by its row, not the text "t2", which a random
    # CSRF token may contain: it did once in CI)
    assert "工位5S（测试）" in board and f'id="ck-{item_id}-{key}-{ids["t1"]}"' in board
    assert f'id="ck-{item_id}-{key}-{ids["t2"]}"' not in board
    assert t1.post_form(f"/checklists/items/{item_id}/{key}/selfcheck", {"note": "工位已整理"}).status_code == 303
    assert state(app, item_id, key) == {(ids["t1"], False, "pending")}
    # t2's own occurrence is still open: one technician's 5S is not everyone's.
    html = t2.get("/checklists/?show=open").get_data(as_text=True)
    assert f'id="ck-{item_id}-{key}-{ids["t2"]}"' in html and "待完成" in html
    # Self-checking another holder's occurrence: 403, nothing changed.
    r = t1.post_form(f"/checklists/items/{item_id}/{key}/selfcheck", {"subject": ids["t2"]})
    assert r.status_code == 403
    assert state(app, item_id, key) == {(ids["t1"], False, "pending")}
    # Someone not holding the position on that day has no occurrence to confirm.
    wm = login(app, "boss_wm")
    r = wm.post_form(f"/checklists/items/{item_id}/{key}/tick", {"subject": ids["boss_wm"]},
                     headers={"HX-Request": "true"})
    assert r.status_code == 422 and "不在本岗位" in r.get_data(as_text=True)


def test_supervisor_sees_a_line_per_person_and_confirms_all_waiting(app, bay, freeze):
    item_id, _, ids = bay
    freeze(later(2, 10))
    key = later(2, 10).date().isoformat()
    login(app, "t1").post_form(f"/checklists/items/{item_id}/{key}/selfcheck", {"note": "整理完毕"})
    wm = login(app, "boss_wm")
    board = wm.get("/checklists/").get_data(as_text=True)  # 未完成 by default for a supervisor
    assert 'aria-current="true">未完成' in board
    assert f'id="ck-{item_id}-{key}-{ids["t1"]}"' in board and f'id="ck-{item_id}-{key}-{ids["t2"]}"' in board
    assert "全部确认（1 人已自查）" in board and "整理完毕" in board
    # A bulk confirmation that names t2 (nothing to confirm) skips him and says so.
    r = wm.post_form(f"/checklists/items/{item_id}/{key}/confirm-all",
                     {"subjects": [str(ids["t1"]), str(ids["t2"])], "next": "/checklists/"})
    assert r.status_code == 303
    page = wm.get("/checklists/?show=all").get_data(as_text=True)
    assert "已确认 1 人的自查" in page and "t2 的自查已被退回、重做或他人处理" in page
    assert state(app, item_id, key) == {(ids["t1"], True, "")}
    with app.app_context():
        assert db.session.scalar(select(func.count(AuditEntry.id)).filter_by(action="checklist_tick")) == 1
    # Confirming again changes nothing and records nothing.
    wm.post_form(f"/checklists/items/{item_id}/{key}/confirm-all", {"subjects": [str(ids["t1"])]})
    with app.app_context():
        assert db.session.scalar(select(func.count(AuditEntry.id)).filter_by(action="checklist_tick")) == 1
    # The filters stay in the address: 待核查 shows nothing now, 已逾期 nothing before 17:00.
    assert f"ck-{item_id}-{key}-" not in wm.get("/checklists/?show=review").get_data(as_text=True)
    only_t2 = wm.get(f"/checklists/?show=all&person={ids['t2']}").get_data(as_text=True)
    assert f'id="ck-{item_id}-{key}-{ids["t2"]}"' in only_t2 and f'ck-{item_id}-{key}-{ids["t1"]}"' not in only_t2


def test_a_self_check_in_time_is_waiting_not_overdue_after_the_due_time(app, bay, freeze):
    """t1 self-checked at 10:00, t2 did nothing; at 18:00 (due 17:00) the supervisor's board
    counts one overdue (t2) and one waiting (t1), and 已逾期 lists t2 only: t1 did his part
    in time, his line waits for the supervisor, as his workspace says."""
    item_id, tech_id, ids = bay
    freeze(later(2, 10))
    key = later(2, 10).date().isoformat()
    login(app, "t1").post_form(f"/checklists/items/{item_id}/{key}/selfcheck", {"note": "整理完毕"})
    freeze(later(2, 18))
    wm = login(app, "boss_wm")
    board = wm.get(f"/checklists/?show=all&position={tech_id}&item={item_id}").get_data(as_text=True)
    counts = board.split(f'id="ckg-{item_id}-{key}-count"', 1)[1].split("</span>\n</span>", 1)[0]
    assert "待核查 1" in counts and "逾期 1" in counts
    section = board.split('class="ck-counts"', 1)[1].split("</p>", 1)[0]
    assert "逾期 1" in section and "已完成 0 / 2" in section
    overdue = wm.get(f"/checklists/?show=overdue&position={tech_id}").get_data(as_text=True)
    assert f'id="ck-{item_id}-{key}-{ids["t2"]}"' in overdue and f'ck-{item_id}-{key}-{ids["t1"]}"' not in overdue
    assert f'ck-{item_id}-{key}-{ids["t1"]}"' in wm.get("/checklists/?show=review").get_data(as_text=True)


def test_the_boards_overdue_filter_says_it_is_today_and_points_to_the_overdue_list(app, bay, freeze):
    """The board is a day's: its 已逾期 filter on a morning with nothing overdue yet says
    今天, and points to the 逾期清单, which holds the days before (t2 missed yesterday's
    工位5S) and says how far back it looks; they no longer read as contradicting."""
    item_id, tech_id, ids = bay
    freeze(later(3, 9))  # before today's 17:00; yesterday's was missed
    t2 = login(app, "t2")
    board = t2.get("/checklists/?show=overdue").get_data(as_text=True)
    empty = board.split('class="muted ck-empty"', 1)[1].split("</p>", 1)[0]
    assert "今天没有已逾期的项目" in empty and "以往日期未完成的见" in empty and "/checklists/overdue" in empty
    overdue = t2.get("/checklists/overdue").get_data(as_text=True)
    assert "近 62 天已过截止时间" in overdue
    assert f'ck-{item_id}-{later(2, 9).date().isoformat()}-{ids["t2"]}"' in overdue


def test_joiner_and_leaver_count_only_for_days_held(app, bay, freeze, make_user):
    item_id, tech_id, ids = bay
    start = later(2, 9)
    freeze(start)
    make_user("t3", position="technician", employee_no="T03")  # joins today
    freeze(later(4, 9))
    with app.app_context():  # t2 leaves two days later
        e = db.session.get(Employee, ids["t2"])
        e.active = False
        db.session.commit()
        freeze(later(6, 9))
        position = db.session.get(Position, tech_id)
        day = later(6, 9).date()
        grid = month_grid(position, day.year, day.month) if day.month == start.month else None
        if grid is None:  # the window crossed a month: take the first month
            grid = month_grid(position, start.year, start.month)
        cells = {r["subject"].name: set(r["cells"]) for r in grid["rows"] if r["item"].id == item_id}
    assert start.date() in cells["t3"] and start.date() - timedelta(days=1) not in cells["t3"]
    assert later(3, 9).date() in cells["t2"] and later(4, 9).date() not in cells["t2"]
    assert later(4, 9).date() in cells["t1"]


def test_switching_applies_from_the_next_period_and_keeps_history(app, bay, make_user, freeze):
    item_id, _, ids = bay
    make_user("boss", admin=True)
    freeze(later(2, 10))
    key = later(2, 10).date().isoformat()
    wm = login(app, "boss_wm")
    wm.post_form(f"/checklists/items/{item_id}/{key}/tick", {"subject": ids["t1"]})
    admin = login(app, "boss")
    form = admin.get(f"/checklists/items/{item_id}/edit").get_data(as_text=True)
    assert "每位在岗人员各一次" in form
    r = admin.post_form(f"/checklists/items/{item_id}/edit", {
        "title": "工位5S（测试）", "duty_id": "0", "kind": "daily", "weekday": "0", "due_mode": "time",
        "due_time": "17:00", "working_days": [str(d) for d in range(7)], "target": "position", "active": "y"})
    assert r.status_code == 303
    with app.app_context():
        item = db.session.get(ChecklistItem, item_id)
        today, tomorrow = later(2, 10).date(), later(3, 10).date()
        assert item.target_on(today) == "holder" and item.target_on(tomorrow) == "position"
    # Today still counts per person; the recorded tick is untouched.
    assert state(app, item_id, key) == {(ids["t1"], True, "")}
    board = wm.get("/checklists/?show=all").get_data(as_text=True)
    assert f'id="ck-{item_id}-{key}-{ids["t2"]}"' in board
    freeze(later(3, 10))
    board = wm.get("/checklists/?show=all").get_data(as_text=True)
    assert f'id="ck-{item_id}-{later(3, 10).date().isoformat()}-0"' in board
    with app.app_context():
        entry = db.session.scalar(select(AuditEntry).filter_by(action="checklist_item_update"))
        assert "holder" in str(entry.before) and "position" in str(entry.after)


def test_overdue_list_and_reminder_per_person(app, bay, freeze):
    from app.checklists.notices import send_reminders

    item_id, tech_id, ids = bay
    freeze(later(2, 16, 15))
    key = later(2, 16).date().isoformat()
    with app.app_context():
        assert send_reminders() == 2  # t1 and t2, 45 minutes before 17:00
        assert send_reminders() == 0  # once per occurrence
        texts = set(db.session.scalars(select(Notice.text).where(Notice.kind == "reminder")))
        assert texts == {"「工位5S（测试）」将于 17:00 截止，尚未完成。"}
    login(app, "t1").post_form(f"/checklists/items/{item_id}/{key}/selfcheck")
    freeze(later(2, 18))
    wm = login(app, "boss_wm")
    html = wm.get(f"/checklists/overdue?position={tech_id}").get_data(as_text=True)
    assert f'id="ck-{item_id}-{key}-{ids["t1"]}"' in html and f'id="ck-{item_id}-{key}-{ids["t2"]}"' in html
    only = wm.get(f"/checklists/overdue?person={ids['t2']}").get_data(as_text=True)
    assert f'ck-{item_id}-{key}-{ids["t1"]}"' not in only and f'ck-{item_id}-{key}-{ids["t2"]}"' in only
    # A technician's overdue list holds his own occurrence, not his coworker's.
    mine = login(app, "t2").get("/checklists/overdue").get_data(as_text=True)
    assert f'ck-{item_id}-{key}-{ids["t2"]}"' in mine and f'ck-{item_id}-{key}-{ids["t1"]}"' not in mine


def test_month_csv_and_pdf_have_a_row_per_person(app, bay, freeze):
    item_id, tech_id, ids = bay
    freeze(later(2, 10))
    day = later(2, 10).date()
    wm = login(app, "boss_wm")
    wm.post_form(f"/checklists/items/{item_id}/{day.isoformat()}/tick", {"subject": ids["t1"], "note": "好"})
    freeze(later(2, 18))
    r = wm.get(f"/checklists/positions/{tech_id}/month.csv?month={day:%Y-%m}")
    rows = list(csv.reader(io.StringIO(r.get_data(as_text=True).lstrip("\ufeff"))))
    mine = [row for row in rows[1:] if row[0] == "工位5S（测试）" and row[3].startswith(day.isoformat())]
    assert sorted((row[1], row[4]) for row in mine) == [("t1", "已完成"), ("t2", "未完成")]
    page = wm.get(f"/checklists/positions/{tech_id}?month={day:%Y-%m}").get_data(as_text=True)
    assert "各人完成率" in page and "t1" in page and "t2" in page
    text = pdftotext(wm.get(f"/checklists/positions/{tech_id}/month.pdf?month={day:%Y-%m}").data)
    assert "工位5S（测试）（每人）" in text and "t1" in text and "t2" in text
    # A technician's own month shows his lines only.
    own = login(app, "t2").get(f"/checklists/positions/{tech_id}?month={day:%Y-%m}").get_data(as_text=True)
    assert "只看 t2 的记录" in own and ">t1<" not in own
    # A person's chip narrows the month to him, and its exports are his (the page was a 500)
    r = wm.get(f"/checklists/positions/{tech_id}?month={day:%Y-%m}&person={ids['t1']}")
    assert r.status_code == 200
    assert f"month.csv?month={day:%Y-%m}&amp;person={ids['t1']}" in r.get_data(as_text=True)


def test_a_technicians_own_month_rate_counts_his_lines_not_his_coworkers(app, bay, freeze):
    """t1 does his 工位5S, t2 misses his. The month narrowed to t1 (what t1 sees of his
    position) gives the rate of the lines shown, his and the shared ones, labelled as his:
    the position's rate would count t2's misses, and tell t1 how his coworker did."""
    from app.checklists.grid import month_grid

    item_id, tech_id, ids = bay
    freeze(later(2, 10))
    day = later(2, 10).date()
    wm = login(app, "boss_wm")
    wm.post_form(f"/checklists/items/{item_id}/{day.isoformat()}/tick", {"subject": ids["t1"]})
    freeze(later(2, 18))
    with app.app_context():
        position = db.session.get(Position, tech_id)
        full = month_grid(position, day.year, day.month)
        own = month_grid(position, day.year, day.month, person=ids["t1"])
        t2_row = next(r for r in full["rows"] if r["item"].id == item_id and r["subject"].id == ids["t2"])
        assert t2_row["due"] >= 1 and t2_row["done"] == 0
        assert (full["due"] - own["due"], full["done"] - own["done"]) == (t2_row["due"], 0)
        assert (own["due"], own["done"]) == (sum(r["due"] for r in own["rows"]), sum(r["done"] for r in own["rows"]))
    page = login(app, "t1").get(f"/checklists/positions/{tech_id}?month={day:%Y-%m}").get_data(as_text=True)
    assert "t1 本月完成率（本人及岗位共同项目）" in page and f"（已完成 {own['done']} / 应完成 {own['due']}，含补录）" in page
    board = wm.get(f"/checklists/positions/{tech_id}?month={day:%Y-%m}").get_data(as_text=True)
    assert "<p>本月完成率：" in board and f"（已完成 {full['done']} / 应完成 {full['due']}，含补录）" in board


def test_employee_page_shows_his_month_and_past_days_are_not_today(app, bay, freeze):
    item_id, _, ids = bay
    freeze(later(2, 18))
    key = later(2, 18).date().isoformat()
    wm = login(app, "boss_wm")
    wm.post_form(f"/checklists/items/{item_id}/{key}/tick", {"subject": ids["t1"]})
    page = wm.get(f"/staff/{ids['t1']}").get_data(as_text=True)
    assert "本月点检" in page and "工位5S（测试）" in page and "已完成 1 / " in page
    # a coworker does not see it
    assert "本月点检" not in login(app, "t2").get(f"/staff/{ids['t1']}").get_data(as_text=True)
    # A past day's board says 当日, not 今日; its heading names the day.
    past = wm.get(f"/checklists/?date={later(1, 9).date().isoformat()}&show=all")
    html = past.get_data(as_text=True)
    assert past.status_code == 200 and "当日" in html and "<h1>今日点检</h1>" not in html
    assert f"{later(1, 9):%m-%d} 点检" in html


def test_printed_photo_pages_never_hold_one_photo_alone():
    from app.checklists.results import photo_pages

    assert [len(p) for p in photo_pages(list(range(21)))] == [6, 6, 6, 3]
    assert [len(p) for p in photo_pages(list(range(13)))] == [6, 5, 2]
    assert [len(p) for p in photo_pages(list(range(7)))] == [5, 2]
    assert [len(p) for p in photo_pages([1])] == [1]
    assert sum(photo_pages(list(range(25))), []) == list(range(25))  # order kept


def test_results_page_has_a_row_per_person(app, bay, freeze):
    item_id, _, ids = bay
    with app.app_context():
        from app.checklists.models import ChecklistField

        db.session.add(ChecklistField(item_id=item_id, label="整理用时", kind="number", unit="分钟", sort_order=1))
        db.session.commit()
    freeze(later(2, 10))
    key = later(2, 10).date().isoformat()
    wm = login(app, "boss_wm")
    field_id = None
    with app.app_context():
        from app.checklists.models import ChecklistField

        field_id = db.session.scalar(select(ChecklistField.id).filter_by(item_id=item_id))
    wm.post_form(f"/checklists/items/{item_id}/{key}/tick", {"subject": ids["t1"], f"f{field_id}": "12"})
    wm.post_form(f"/checklists/items/{item_id}/{key}/tick", {"subject": ids["t2"], f"f{field_id}": "25"})
    html = wm.get(f"/checklists/items/{item_id}/results?month={later(2, 10):%Y-%m}").get_data(as_text=True)
    assert "<th>人员</th>" in html
    assert html.count('data-label="人员">t1<') >= 1 and html.count('data-label="人员">t2<') >= 1
    assert "12" in html and "25" in html
    # The holder's own results: his lines only.
    own = login(app, "t2").get(f"/checklists/items/{item_id}/results?month={later(2, 10):%Y-%m}").get_data(as_text=True)
    assert 'data-label="人员">t2<' in own and 'data-label="人员">t1<' not in own


def test_two_supervisors_confirming_one_holder_give_one_confirmation(app, bay, freeze, make_user):
    from app.checklists.models import ChecklistEvent

    item_id, _, ids = bay
    make_user("boss_sm", position="after_sales_manager")
    freeze(later(2, 10))
    key = later(2, 10).date().isoformat()
    login(app, "t1").post_form(f"/checklists/items/{item_id}/{key}/selfcheck")
    clients = []
    for name in ["boss_wm", "boss_sm"] * 3:
        c = login(app, name)
        clients.append((c, c.csrf()))
    statuses = race([lambda c=c, token=token: c.post(
        f"/checklists/items/{item_id}/{key}/confirm-all",
        data={"csrf_token": token, "subjects": str(ids["t1"])}).status_code for c, token in clients])
    assert statuses == [303] * len(clients)
    assert state(app, item_id, key) == {(ids["t1"], True, "")}
    with app.app_context():
        assert db.session.scalar(select(func.count(ChecklistEvent.id)).filter_by(item_id=item_id, action="tick")) == 1


def test_checklist_positions_rule(app, bay):
    """Who sees and ticks which position's checklist: the rule in permissions.py."""
    from app.auth.models import User
    from app.org.models import ordered_positions
    from app.permissions import checklist_positions, may_see_subject, may_self_check_subject

    _, tech_id, ids = bay
    with app.app_context():
        t1 = db.session.scalar(select(User).filter_by(username="t1"))
        wm = db.session.scalar(select(User).filter_by(username="boss_wm"))
        seen, ticks = checklist_positions(t1, ordered_positions())
        assert [p.id for p in seen] == [tech_id] and tech_id not in ticks
        seen, ticks = checklist_positions(wm, ordered_positions())
        assert tech_id in ticks and tech_id in {p.id for p in seen}
        tech = db.session.get(Position, tech_id)
        assert may_self_check_subject(t1, ids["t1"]) and not may_self_check_subject(t1, ids["t2"])
        assert may_see_subject(t1, tech, 0) and not may_see_subject(t1, tech, ids["t2"])
        assert may_see_subject(wm, tech, ids["t2"])
        # the list form the boards use decides the same, subject by subject
        from app.checklists.occurrences import Subject
        from app.permissions import visible_subjects
        subjects = [Subject(0), Subject(ids["t1"]), Subject(ids["t2"]), Subject(99, thing=True)]
        for user in (t1, wm):
            assert visible_subjects(user, tech, subjects) == [
                s for s in subjects if may_see_subject(user, tech, s.id, s.thing)]
        assert [s.id for s in visible_subjects(t1, tech, subjects)] == [0, ids["t1"], 99]


def test_a_per_holder_item_needs_a_person(app, bay, freeze):
    item_id, _, _ = bay
    freeze(later(2, 10))
    key = later(2, 10).date().isoformat()
    r = login(app, "boss_wm").post_form(f"/checklists/items/{item_id}/{key}/tick", headers={"HX-Request": "true"})
    assert r.status_code == 422 and "请在人员一行操作" in r.get_data(as_text=True)
    assert state(app, item_id, key) == set()
    r = login(app, "boss_wm").post_form(f"/checklists/items/{item_id}/{key}/tick", {"subject": "x1"})
    assert r.status_code == 400


def test_many_holders_are_listed_on_the_items_own_page(app, bay, freeze, make_user, monkeypatch):
    """An item with more people than the board lists links to a page of its own with every
    person's line; the board keeps its counts and bulk confirmation."""
    from app.checklists import board as board_module

    item_id, _, ids = bay
    monkeypatch.setattr(board_module, "SHOW_PEOPLE", 1)
    freeze(later(2, 10))
    key = later(2, 10).date().isoformat()
    wm = login(app, "boss_wm")
    html = wm.get("/checklists/?show=all").get_data(as_text=True)
    assert f'id="ck-{item_id}-{key}-{ids["t1"]}"' not in html and f"item={item_id}" in html and "0/2" in html
    own = wm.get(f"/checklists/?show=all&item={item_id}").get_data(as_text=True)
    assert f'id="ck-{item_id}-{key}-{ids["t1"]}"' in own and f'id="ck-{item_id}-{key}-{ids["t2"]}"' in own
    assert "返回全部项目" in own


def test_a_holders_photo_is_his_and_his_supervisors_and_asked_for_each_time(app, bay, freeze):
    """A technician's 5S photo: he and his supervisor open it, a coworker gets a 404; the
    browser may keep it but must ask again (no-cache), so ended access is not served from
    the cache."""
    import io as _io

    from app.checklists.models import ChecklistField, ChecklistValue
    from tests.imagegen import jpeg

    item_id, _, ids = bay
    with app.app_context():
        f = ChecklistField(item_id=item_id, label="工位照片", kind="photo", required=True, sort_order=1)
        db.session.add(f)
        db.session.commit()
        field_id = f.id
    freeze(later(2, 10))
    key = later(2, 10).date().isoformat()
    t1 = login(app, "t1")
    token = t1.csrf()
    r = t1.post(f"/checklists/items/{item_id}/{key}/selfcheck",
                data={"csrf_token": token, f"f{field_id}": (_io.BytesIO(jpeg((800, 600))), "bay.jpg")},
                content_type="multipart/form-data")
    assert r.status_code == 303
    with app.app_context():
        value_id = db.session.scalar(select(ChecklistValue.id))
    url = f"/checklists/values/{value_id}/thumb"
    mine = t1.get(url)
    assert mine.status_code == 200 and mine.headers["Cache-Control"] == "private, no-cache"
    assert t1.get(url, headers={"If-None-Match": mine.headers["ETag"]}).status_code == 304
    assert login(app, "boss_wm").get(url).status_code == 200
    assert login(app, "t2").get(url).status_code == 404


def test_month_grid_pages_people_but_counts_everyone(app, bay, freeze, monkeypatch):
    from app.checklists import grid as grid_module

    item_id, tech_id, ids = bay
    monkeypatch.setattr(grid_module, "PEOPLE_PER_PAGE", 1)
    freeze(later(2, 10))
    day = later(2, 10).date()
    wm = login(app, "boss_wm")
    wm.post_form(f"/checklists/items/{item_id}/{day.isoformat()}/tick", {"subject": ids["t2"]})
    freeze(later(2, 18))
    url = f"/checklists/positions/{tech_id}?month={day:%Y-%m}"
    first = wm.get(url + "&people=1").get_data(as_text=True)
    second = wm.get(url + "&people=2").get_data(as_text=True)
    assert '<span class="ck-who">t1</span>' in first and '<span class="ck-who">t2</span>' not in first
    assert '<span class="ck-who">t2</span>' in second and "第 2 / 2 页人员" in second
    with app.app_context():
        position = db.session.get(Position, tech_id)
        paged = month_grid(position, day.year, day.month, people_page=1)
        whole = month_grid(position, day.year, day.month)
        assert (paged["due"], paged["done"]) == (whole["due"], whole["done"])  # everyone counted
        assert {p["subject"].name: p["done"] for p in paged["people"]} == {"t1": 0, "t2": 1}


def test_rates_count_each_holders_marks_typed_by_hand_and_no_more_than_the_holders(app, bay, freeze):
    """The month's and the twelve months' rates of an item for each holder read the
    occurrences' done counts (kept by the database from the marks, even those written by
    SQL by hand): two holders done count two; a third mark, by someone who does not hold
    the position, does not make an occurrence more than done; the day with one holder done
    counts one."""
    from sqlalchemy import text

    from app.checklists.grid import monthly_rates

    item_id, tech_id, ids = bay
    today = later(2, 18)
    freeze(today)
    with app.app_context():
        item = db.session.get(ChecklistItem, item_id)
        item.created_at = datetime(today.year, today.month, 1) - timedelta(days=40)
        db.session.commit()
        position = db.session.get(Position, tech_id)
        before = monthly_rates(position)[-1]
        grid_before = month_grid(position, today.year, today.month)
        day = today.date().isoformat()
        yesterday = (today.date() - timedelta(days=1)).isoformat()
        marks = [(day, ids["t1"]), (day, ids["t2"]), (day, ids["boss_wm"]), (yesterday, ids["t1"])]
        for key, subject in marks:
            db.session.execute(text(
                "INSERT INTO checklist_mark (item_id, period_key, subject_id, due_at, done, note, late, self_note, "
                "review, review_note) VALUES (:i, :k, :s, :due, true, '', false, '', '', '')"),
                {"i": item_id, "k": key, "s": subject, "due": datetime.fromisoformat(key + "T17:00")})
        db.session.commit()
        after = monthly_rates(position)[-1]
        grid_after = month_grid(position, today.year, today.month)
        expected = 3 if yesterday[:7] == day[:7] else 2  # yesterday may be last month's
        assert after["done"] - before["done"] == expected
        assert grid_after["done"] - grid_before["done"] == expected
        assert (after["due"], after["done"]) == (grid_after["due"], grid_after["done"])

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from app import clock
from app.checklists.models import ChecklistEvent, ChecklistItem, ChecklistMark
from app.extensions import db
from tests.conftest import Client, race

TZ = ZoneInfo("Asia/Shanghai")

# These tests are about ticking; the fields a tick records: test_checklist_fields.py.
pytestmark = pytest.mark.usefixtures("optional_fields")


@pytest.fixture
def freeze(monkeypatch):
    """freeze(local_datetime): the app's clock reads this local time from now on."""
    def set_(local: datetime):
        utc = local.replace(tzinfo=TZ).astimezone(ZoneInfo("UTC")).replace(tzinfo=None)
        monkeypatch.setattr(clock, "now_utc", lambda: utc)
        return local
    return set_


def day_after_tomorrow(hour, minute=0):
    d = datetime.now(TZ).date() + timedelta(days=2)
    return datetime.combine(d, time(hour, minute))


def item(app, key):
    with app.app_context():
        i = db.session.scalar(select(ChecklistItem).filter_by(seed_key=key))
        return i.id, i.position_id


def marks(app):
    with app.app_context():
        return db.session.scalars(select(ChecklistMark)).all()


def events(app):
    with app.app_context():
        return [(e.action, e.late, e.user.username) for e in
                db.session.scalars(select(ChecklistEvent).order_by(ChecklistEvent.id))]


@pytest.fixture
def people(make_user):
    make_user("wm", position="workshop_manager")      # supervises the workshop clerk
    make_user("wc", position="workshop_clerk")        # holds the position
    make_user("cs", position="customer_service")      # a peer elsewhere
    make_user("boss", admin=True)


def test_seed_items_with_duties_and_rhythms(app):
    with app.app_context():
        booking = db.session.scalar(select(ChecklistItem).filter_by(seed_key="wclerk_booking"))
        assert booking.due_time == time(16, 30) and booking.kind == "daily"
        assert "下午4点30分之前" in booking.duty.text
        assert db.session.scalar(select(ChecklistItem).filter_by(seed_key="clerk_mail_forms")).month_day == 25
        assert db.session.scalar(select(ChecklistItem).filter_by(seed_key="clerk_month_end")).month_end
        assert db.session.scalar(select(ChecklistItem).filter_by(seed_key="wclerk_add_on")).end_of_workday
        assert db.session.scalar(select(ChecklistItem).filter_by(seed_key="clerk_weekly_finance")).weekday == 0
        assert db.session.scalar(select(ChecklistItem).filter_by(seed_key="mgr_annual_plan")).kind == "yearly"
        assert db.session.scalar(select(func.count(ChecklistItem.id))) == 20
        meetings = db.session.scalars(select(ChecklistItem).where(ChecklistItem.seed_key.like("cs_%meeting"))).all()
        assert {m.kind for m in meetings} == {"daily", "weekly"} and len(meetings) == 3
        assert all("晨会、夕会、周会" in m.duty.text for m in meetings)  # 客服专员 duty 11


def test_a_default_date_says_so_until_admin_changes_it(app, admin_client):
    with app.app_context():
        plan = db.session.scalar(select(ChecklistItem).filter_by(seed_key="mgr_annual_plan"))
        plan_id, position_id = plan.id, plan.position_id
    assert "默认日期，可修改" in admin_client.get(f"/handbook/positions/{position_id}").get_data(as_text=True)
    with app.app_context():
        db.session.get(ChecklistItem, plan_id).day = 20
        db.session.commit()
    assert "默认日期，可修改" not in admin_client.get(f"/handbook/positions/{position_id}").get_data(as_text=True)


def test_position_page_lists_items_and_item_shows_duty(app, client, people, freeze):
    # A fixed morning: an item created (with the test database) after today's 16:30 starts
    # tomorrow, so at the real clock the board could hold no 预约统计 yet.
    freeze(day_after_tomorrow(9))
    item_id, position_id = item(app, "wclerk_booking")
    client.login("wm")
    html = client.get(f"/handbook/positions/{position_id}").get_data(as_text=True)
    assert "点检项目" in html and "预约统计" in html and "每天16:30前" in html
    board = client.get("/checklists/?show=all").get_data(as_text=True)
    assert "预约统计" in board and "岗位职责" in board


def test_supervisor_ticks_holder_reads_only_peer_refused(app, client, people, freeze):
    freeze(day_after_tomorrow(10))
    item_id, position_id = item(app, "wclerk_booking")
    key = day_after_tomorrow(10).date().isoformat()
    holder = Client(app.test_client())
    holder.login("wc")
    html = holder.get("/checklists/?show=all").get_data(as_text=True)
    # The holder can self-check it, so the board never calls it read-only (只读/仅查看).
    assert "预约统计" in html and "只读" not in html and "仅查看" not in html and "tick-btn" not in html
    assert "selfcheck-form" in html
    assert holder.post_form(f"/checklists/items/{item_id}/{key}/tick").status_code == 403
    peer = Client(app.test_client())
    peer.login("cs")
    assert peer.post_form(f"/checklists/items/{item_id}/{key}/tick").status_code == 403
    assert peer.get(f"/checklists/positions/{position_id}").status_code == 403
    assert "预约统计" not in peer.get("/checklists/?show=all").get_data(as_text=True)
    client.login("wm")
    r = client.post_form(f"/checklists/items/{item_id}/{key}/tick", {"note": "已交刘主管"})
    assert r.status_code == 303
    m = marks(app)
    assert len(m) == 1 and m[0].done and not m[0].late and m[0].note == "已交刘主管"
    admin = Client(app.test_client())
    admin.login("boss")
    assert admin.post_form(f"/checklists/items/{item_id}/{key}/untick").status_code == 303


def test_untick_is_a_record(app, client, people, freeze):
    freeze(day_after_tomorrow(9))
    item_id, _ = item(app, "wclerk_chaoyue")
    key = day_after_tomorrow(9).date().isoformat()
    client.login("wm")
    client.post_form(f"/checklists/items/{item_id}/{key}/tick")
    client.post_form(f"/checklists/items/{item_id}/{key}/untick", {"note": "单据未齐"})
    assert events(app) == [("tick", False, "wm"), ("untick", False, "wm")]
    assert not marks(app)[0].done
    html = client.get(f"/checklists/items/{item_id}/{key}/history").get_data(as_text=True)
    assert "勾选" in html and "取消勾选" in html and "单据未齐" in html
    board = client.get("/checklists/?show=all").get_data(as_text=True)
    assert "取消勾选：单据未齐" in board


def test_late_tick_is_marked_with_real_time(app, client, people, freeze):
    freeze(day_after_tomorrow(17, 5))   # after 16:30
    item_id, _ = item(app, "wclerk_booking")
    key = day_after_tomorrow(10).date().isoformat()
    client.login("wm")
    board = client.get("/checklists/?show=all").get_data(as_text=True)
    assert "state-overdue" in board and "补录" in board
    client.post_form(f"/checklists/items/{item_id}/{key}/tick")
    m = marks(app)[0]
    assert m.late and clock.to_local.__name__  # late, with the real time below
    with app.app_context():
        assert clock.to_local(m.at).strftime("%H:%M") == "17:05"
    assert events(app) == [("tick", True, "wm")]
    assert "（补录）" in client.get("/checklists/?show=all").get_data(as_text=True)


def test_past_period_can_be_ticked_late_future_refused(app, client, people, freeze):
    freeze(day_after_tomorrow(9))
    item_id, _ = item(app, "wclerk_chaoyue")
    client.login("wm")
    # the day the item was created (today, real time) lies in the past of the frozen clock
    past = datetime.now(TZ).date().isoformat()
    assert client.post_form(f"/checklists/items/{item_id}/{past}/tick").status_code == 303
    assert marks(app)[0].late
    future = (day_after_tomorrow(9).date() + timedelta(days=1)).isoformat()
    r = client.post_form(f"/checklists/items/{item_id}/{future}/tick", follow_redirects=True)
    assert "不能勾选尚未开始的周期" in r.get_data(as_text=True)
    r = client.post_form(f"/checklists/items/{item_id}/not-a-date/tick", follow_redirects=True)
    assert "点检周期无效" in r.get_data(as_text=True)
    assert len(marks(app)) == 1


def test_double_tap_gives_one_tick(app, client, people, freeze):
    freeze(day_after_tomorrow(9))
    item_id, _ = item(app, "wclerk_chaoyue")
    key = day_after_tomorrow(9).date().isoformat()
    client.login("wm")
    for _ in range(2):
        assert client.post_form(f"/checklists/items/{item_id}/{key}/tick").status_code == 303
    assert len(marks(app)) == 1 and events(app) == [("tick", False, "wm")]


def test_concurrent_ticks_give_one_tick_and_no_error(app, people, make_user, freeze):
    freeze(day_after_tomorrow(9))
    make_user("mgr", position="after_sales_manager")
    item_id, _ = item(app, "wclerk_chaoyue")
    key = day_after_tomorrow(9).date().isoformat()
    clients = []
    for name in ["wm", "mgr", "boss"] * 3:
        c = Client(app.test_client())
        c.login(name)
        clients.append((c, c.csrf()))
    statuses = race([lambda c=c, token=token: c.post(
        f"/checklists/items/{item_id}/{key}/tick", data={"csrf_token": token},
        headers={"HX-Request": "true"}).status_code for c, token in clients])
    assert statuses == [200] * len(clients)
    assert len(marks(app)) == 1 and len(events(app)) == 1


def test_htmx_tick_returns_only_the_row(app, client, people, freeze):
    freeze(day_after_tomorrow(9))
    item_id, _ = item(app, "wclerk_chaoyue")
    key = day_after_tomorrow(9).date().isoformat()
    client.login("wm")
    token = client.csrf()
    r = client.post(f"/checklists/items/{item_id}/{key}/tick", data={"csrf_token": token, "note": "x" * 201},
                    headers={"HX-Request": "true", "X-CSRFToken": token})
    assert r.status_code == 422 and "备注最多200字" in r.get_data(as_text=True)
    assert not marks(app)
    r = client.post(f"/checklists/items/{item_id}/{key}/tick", data={"csrf_token": token},
                    headers={"HX-Request": "true", "X-CSRFToken": token})
    html = r.get_data(as_text=True)
    assert r.status_code == 200 and html.lstrip().startswith(f'<li id="ck-{item_id}-{key}-0"')
    assert "已完成" in html and "取消勾选" in html and "<html" not in html


def test_changing_an_item_never_rewrites_past_ticks(app, admin_client, freeze):
    freeze(day_after_tomorrow(16))
    item_id, position_id = item(app, "wclerk_booking")
    key = day_after_tomorrow(16).date().isoformat()
    admin_client.post_form(f"/checklists/items/{item_id}/{key}/tick")
    before = marks(app)[0]
    assert not before.late and before.due_at.time() == time(16, 30)
    r = admin_client.post_form(f"/checklists/items/{item_id}/edit", {
        "title": "预约统计", "duty_id": 0, "kind": "daily", "weekday": 0, "due_mode": "time",
        "due_time": "09:00", "working_days": list(range(7)), "active": "y"})
    assert r.status_code == 303
    after = marks(app)[0]
    assert after.due_at.time() == time(16, 30) and not after.late
    with app.app_context():
        assert db.session.get(ChecklistItem, item_id).due_time == time(9, 0)


def test_item_form_validation(app, admin_client):
    _, position_id = item(app, "wclerk_booking")
    r = admin_client.post_form(f"/checklists/positions/{position_id}/items/new", {
        "title": "月度盘点", "duty_id": 0, "kind": "monthly", "weekday": 0, "due_mode": "time",
        "working_days": []})
    html = r.get_data(as_text=True)
    assert r.status_code == 422
    assert "请填写每月的截止日" in html and "请填写截止时间" in html and "至少选择一个工作日" in html
    r = admin_client.post_form(f"/checklists/positions/{position_id}/items/new", {
        "title": "月度盘点", "duty_id": 0, "kind": "monthly", "weekday": 0, "month_day": 31,
        "due_mode": "none", "working_days": [0, 1, 2, 3, 4, 5], "active": "y"})
    assert r.status_code == 303
    with app.app_context():
        new = db.session.scalar(select(ChecklistItem).filter_by(title="月度盘点"))
        assert new.month_day == 31 and new.working_days == "012345"


def test_overdue_list_month_grid_and_pdf(app, client, people, freeze):
    freeze(day_after_tomorrow(18))
    client.login("wm")
    html = client.get("/checklists/overdue").get_data(as_text=True)
    assert "预约统计" in html and "state-overdue" in html and "车间文员" in html
    item_id, position_id = item(app, "wclerk_chaoyue")
    key = day_after_tomorrow(9).date().isoformat()
    client.post_form(f"/checklists/items/{item_id}/{key}/tick", {"note": "补单"})
    month = day_after_tomorrow(9).strftime("%Y-%m")
    grid = client.get(f"/checklists/positions/{position_id}?month={month}").get_data(as_text=True)
    assert 'class="cell late"' in grid and 'class="cell missed"' in grid and "<svg" in grid
    r = client.get(f"/checklists/positions/{position_id}/month.pdf?month={month}")
    assert r.mimetype == "application/pdf"
    from tests.pdftools import assert_cjk_fonts_embedded, pdftotext

    text = pdftotext(r.data)
    assert "岗位点检表" in text and "车间文员" in text and "超越系统工单逐单核对" in text
    assert "wm" in text and "补单" in text and "确认人（主管）" in text
    assert_cjk_fonts_embedded(r.data)
    assert client.get(f"/checklists/positions/{position_id}?month=2026-13").status_code == 400


def test_memoised_overdue_and_rates_follow_every_tick_and_the_clock(app, people, freeze):
    """The overdue list and the 12-month rates are memoised per worker: a tick, an untick
    and the passing of a due moment each show at once."""
    from app.auth.models import User
    from app.checklists.board import overdue
    from app.checklists.grid import monthly_rates
    from app.checklists.ticks import tick, untick

    item_id, position_id = item(app, "wclerk_chaoyue")
    now = freeze(day_after_tomorrow(18))
    with app.app_context():
        wm = db.session.scalar(select(User).filter_by(username="wm"))
        it = db.session.get(ChecklistItem, item_id)
        it.created_at = clock.to_utc(now - timedelta(days=10))
        db.session.commit()
        key = now.date().isoformat()

        def pending():
            return {(r.item.id, r.period_key) for r in overdue(wm, now=clock.local_now())}

        def done_this_month():
            return monthly_rates(it.position, now=clock.local_now())[-1]["done"]

        assert (item_id, key) in pending()
        before = done_this_month()
        tick(it, key, wm, "")
        db.session.commit()
        assert (item_id, key) not in pending() and done_this_month() == before + 1
        untick(it, key, wm, "误勾")
        db.session.commit()
        assert (item_id, key) in pending() and done_this_month() == before
        # Tomorrow's occurrence becomes overdue when its due moment passes, not before.
        tomorrow = (now + timedelta(days=1)).date().isoformat()
        assert (item_id, tomorrow) not in pending()
        freeze(now + timedelta(days=1, minutes=1))
        assert (item_id, tomorrow) in pending()


def board_row(client, item_id, key):
    import re

    html = client.get("/checklists/?show=all").get_data(as_text=True)
    row = re.search(rf'<li id="ck-{item_id}-{key}-0".*?</li>', html, re.S)
    assert row, "the row is on the board"
    token = re.search(r'"X-CSRFToken": "([^"]+)"', html).group(1)
    return row.group(0), token


def test_board_rows_follow_the_clock_the_tick_and_the_viewer(app, client, people, freeze):
    """A row shows the clock passing the due time, a tick, and who looks (may tick or not,
    their own form token)."""
    import re

    item_id, _ = item(app, "wclerk_booking")
    key = day_after_tomorrow(16).date().isoformat()
    freeze(day_after_tomorrow(16, 20))
    client.login("wm")
    row, _ = board_row(client, item_id, key)
    assert "待完成" in row and "勾选" in row
    def tokenless(html):  # a form token carries the second it was made
        return re.sub(r'name="csrf_token" value="[^"]+"', "", html)

    assert tokenless(board_row(client, item_id, key)[0]) == tokenless(row)  # the same row again
    freeze(day_after_tomorrow(16, 31))  # nothing recorded, but 16:30 has passed
    row, token = board_row(client, item_id, key)
    assert "已逾期" in row and "补录" in row
    assert set(re.findall(r'name="csrf_token" value="([^"]+)"', row)) == {token}
    holder = Client(app.test_client())
    holder.login("wc")
    holder_row, holder_token = board_row(holder, item_id, key)
    assert "已逾期" in holder_row and "tick-btn" not in holder_row and "自查完成" in holder_row
    assert set(re.findall(r'name="csrf_token" value="([^"]+)"', holder_row)) == {holder_token} != {token}
    assert client.post_form(f"/checklists/items/{item_id}/{key}/tick").status_code == 303
    row, _ = board_row(client, item_id, key)
    assert "已完成（补录）" in row and "取消勾选" in row
    assert "已完成（补录）" in board_row(holder, item_id, key)[0]


def test_month_grid_follows_the_clock_and_the_tick(app, client, people, freeze):
    """Today's cell turns from ○ to ✘ when its due time passes with nothing recorded, and a
    tick shows at once."""
    import re

    item_id, position_id = item(app, "wclerk_booking")
    day = day_after_tomorrow(16).date()
    url = f"/checklists/positions/{position_id}?month={day:%Y-%m}"

    def cell():
        html = client.get(url).get_data(as_text=True)
        row = next(r for r in re.findall(r"<tr[^>]*>.*?</tr>", html, re.S) if "预约统计" in r)
        return re.findall(r'<td class="cell ([^"]*)"', row)[day.day - 1].split()[0]

    client.login("wm")
    freeze(day_after_tomorrow(16, 20))
    assert cell() == "open" and cell() == "open"
    freeze(day_after_tomorrow(16, 31))
    assert cell() == "missed"
    assert client.post_form(f"/checklists/items/{item_id}/{day.isoformat()}/tick").status_code == 303
    assert cell() == "late"

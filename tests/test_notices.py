"""站内通知: each event noticed exactly once, to the right people; the bell, the list,
reading; the daily `notices send-due`."""
import re
from datetime import date, timedelta

from sqlalchemy import func, select

from app.auth.models import User
from app.extensions import db
from app.notices.models import Notice
from tests.conftest import Client
from tests.test_supplies import store  # noqa: F401  (fixture)


def notices_of(app, username) -> list[tuple[str, str]]:
    with app.app_context():
        uid = db.session.scalar(select(User.id).filter_by(username=username))
        return [(n.kind, n.text) for n in db.session.scalars(select(Notice).filter_by(user_id=uid).order_by(Notice.id))]


def test_requisition_notices_each_step_once(app, client, store, make_user):  # noqa: F811
    make_user("wm", position="workshop_manager")
    requester = Client(app.test_client())
    requester.login("t1")
    r = requester.post_form("/supplies/requisitions/new", {"item_id": [store["手套"]], "qty": ["2"], "reason": "手套破了"})
    assert r.status_code == 303
    wm = notices_of(app, "wm")
    req_id = int(r.headers["Location"].rstrip("/").rsplit("/", 1)[1])
    # which requisition and what it asks for: several from one person do not read alike
    assert len(wm) == 1 and f"t1 提交了物资申领 #{req_id}（手套），等待您审批" in wm[0][1]
    assert notices_of(app, "t2") == []  # a peer is told nothing
    sup = Client(app.test_client())
    sup.login("wm")
    html = sup.get("/").get_data(as_text=True)
    assert 'nav-bell has-unread' in html and 'title="通知（1 条未读）"' in html
    with app.app_context():
        from app.supplies.models import Requisition

        req_id = db.session.scalar(select(Requisition.id))
    sup.post_form(f"/supplies/requisitions/{req_id}/decide", {"decision": "approve", "note": "同意"})
    client.login("clerk")
    client.post_form(f"/supplies/requisitions/{req_id}/issue", {f"qty-{_line(app, req_id)}": "2"})
    texts = [t for _, t in notices_of(app, "t1")]
    assert texts == ["您的物资申领（手套）已批准，可到车间文员处领取。", texts[1]] and "已发放（领用单" in texts[1]
    assert len(notices_of(app, "wm")) == 1
    # a rejection says what was asked for and why, not only 请查看原因
    r = requester.post_form("/supplies/requisitions/new", {"item_id": [store["口罩"], store["手套"]], "qty": ["1", "1"],
                                                           "reason": "备用"})
    assert r.status_code == 303
    with app.app_context():
        from app.supplies.models import Requisition

        second = db.session.scalar(select(Requisition.id).order_by(Requisition.id.desc()))
    sup.post_form(f"/supplies/requisitions/{second}/decide", {"decision": "reject", "note": "本月已领足，下月再申请"})
    assert notices_of(app, "t1")[-1][1] == "您的物资申领（口罩、手套）已被驳回，理由：本月已领足，下月再申请"
    with app.app_context():  # decided: the supervisor's notice no longer waits
        assert db.session.scalar(select(Notice.read_at).filter_by(key=f"req-decide:{req_id}")) is not None
    # and his list says the request was dealt with, instead of still asking for a decision
    listing = sup.get("/notices/").get_data(as_text=True)
    item = listing.split(f"物资申领 #{req_id}（手套）", 1)[1].split("</li>", 1)[0]
    assert "已处理" in item and "未读" not in item


def _line(app, req_id):
    with app.app_context():
        from app.supplies.models import Requisition

        return db.session.get(Requisition, req_id).lines[0].id


def test_revision_tells_the_holders_renaming_does_not(app, admin_client, make_user):
    from tests.test_handbook import edit_payload, pid

    make_user("li", position="after_sales_clerk")
    position = pid(app, "after_sales_clerk")
    data, rows = edit_payload(app, position, note="改标题")
    data["title"] = "售后内勤（办公室）"
    admin_client.post_form(f"/handbook/positions/{position}/edit", data)
    assert notices_of(app, "li") == []
    data, rows = edit_payload(app, position)
    data["duties-0-text"] = rows[0][1] + "（含电子档案）"
    admin_client.post_form(f"/handbook/positions/{position}/edit", data)
    li = notices_of(app, "li")
    assert len(li) == 1 and li[0][0] == "revision" and "第 3 版" in li[0][1]


def test_training_invitation_and_change(app, make_user):
    make_user("tclerk", can_record_trainings=True)
    make_user("tech", position="technician", employee_no="T-7")
    c = Client(app.test_client())
    c.login("tclerk")
    with app.app_context():
        from app.staff.models import Employee
        from app.trainings.models import TrainingCategory

        cat = db.session.scalar(select(TrainingCategory.id))
        emp = db.session.scalar(select(Employee.id).filter_by(employee_no="T-7"))
    day = (date.today() + timedelta(days=7)).isoformat()
    form = {"topic": "举升机安全操作", "category_id": cat, "held_on": day, "start_time": "09:00", "end_time": "10:30",
            "place": "二楼培训室", "trainer_employee_id": 0, "trainer_name": "厂家讲师", "status": "planned"}
    r = c.post_form("/trainings/new", form)
    assert r.status_code == 303, re.findall(r'class="error"[^>]*>([^<]*)', r.get_data(as_text=True))
    tid = int(r.headers["Location"].rstrip("/").split("/")[-1])
    c.post_form(f"/trainings/{tid}/attendees", {"employee_id": emp})
    c.post_form(f"/trainings/{tid}/attendees", {"employee_id": emp})  # again: no second notice
    got = notices_of(app, "tech")
    assert len(got) == 1 and "举升机安全操作" in got[0][1] and "二楼培训室" in got[0][1]
    c.post_form(f"/trainings/{tid}/edit", {**form, "place": "车间3号工位"})
    got = notices_of(app, "tech")
    assert len(got) == 2 and "地点有变更" in got[1][1]


def test_send_due_twice_creates_nothing_twice(demo_app):
    """On the demo data (a copy of conftest.demo_template)."""
    app, runner = demo_app, demo_app.test_cli_runner()
    first = runner.invoke(args=["notices", "send-due"])
    assert first.exit_code == 0 and "逾期点检" in first.output
    with app.app_context():
        made = db.session.scalar(select(func.count(Notice.id)))
        kinds = set(db.session.scalars(select(Notice.kind)))
    assert made > 0 and {"overdue", "entitlement"} <= kinds
    second = runner.invoke(args=["notices", "send-due"])
    assert second.exit_code == 0 and "逾期点检 0 条，劳保待领 0 条" in second.output
    with app.app_context():
        assert db.session.scalar(select(func.count(Notice.id))) == made


def test_the_list_puts_unread_first_each_group_newest_first_by_time(app, client, make_user):
    """Unread, then read, each newest first by when it was sent (not by its number: a
    notice made for an earlier moment, as the demo's are, sorts by its time), under the
    headings 未读 and 已读."""
    from datetime import datetime

    from app.notices.rules import notify

    make_user("li", position="after_sales_clerk")
    with app.app_context():
        li = db.session.scalar(select(User).filter_by(username="li"))
        for key, text, at, read in (("a", "旧的已读", datetime(2026, 11, 4, 2, 13), True),
                                    ("b", "新的已读", datetime(2026, 11, 25, 8, 42), True),
                                    ("c", "较早的未读", datetime(2026, 11, 18, 4, 3), False),
                                    ("d", "最新的未读", datetime(2026, 11, 30, 1, 0), False),
                                    ("e", "较晚的已读", datetime(2026, 11, 18, 4, 58), True)):
            notify([li], key, "training", text, "/trainings/")
            db.session.flush()
            n = db.session.scalar(select(Notice).filter_by(user_id=li.id, key=key))
            n.created_at, n.read_at = at, (at if read else None)
        db.session.commit()
    client.login("li")
    page = client.get("/notices/").get_data(as_text=True)
    order = sorted(("旧的已读", "新的已读", "较早的未读", "最新的未读", "较晚的已读"), key=page.index)
    assert order == ["最新的未读", "较早的未读", "新的已读", "较晚的已读", "旧的已读"]
    assert page.index("<h2 class=\"notice-group\">未读</h2>") < page.index("最新的未读") \
        < page.index("<h2 class=\"notice-group\">已读</h2>") < page.index("新的已读")


def test_list_open_and_read_all(app, client, make_user):
    from app.notices.rules import notify

    make_user("li", position="after_sales_clerk")
    make_user("wang", position="after_sales_clerk", employee_no="E-wang")
    with app.app_context():
        li = db.session.scalar(select(User).filter_by(username="li"))
        for n in range(3):
            notify([li], f"test:{n}", "training", f"第{n}条通知", "/trainings/")
        notify([li], "test:0", "training", "重复的通知", "/trainings/")  # same key: nothing new
        db.session.commit()
        ids = list(db.session.scalars(select(Notice.id).filter_by(user_id=li.id).order_by(Notice.id)))
    assert len(ids) == 3
    client.login("li")
    page = client.get("/notices/").get_data(as_text=True)
    assert page.count("未读") >= 3 and "第2条通知" in page
    r = client.post_form(f"/notices/{ids[0]}/open")
    assert r.status_code == 303 and r.headers["Location"] == "/trainings/"
    client.post_form("/notices/read-all")
    with app.app_context():
        assert db.session.scalar(select(func.count(Notice.id)).where(Notice.read_at.is_(None))) == 0
    other = Client(app.test_client())
    other.login("wang")
    assert other.post_form(f"/notices/{ids[1]}/open").status_code == 404


def test_who_is_told_as_a_positions_supervisors(app, make_user):
    """The holders of the positions above it, an admin among them too (a 售后经理 who
    also administers the app supervises by the chart like anyone else); a pure admin
    account only stands in when no account holds a position above it."""
    from app.notices.rules import supervisors_of
    from app.org.models import Position

    make_user("wm", position="workshop_manager")
    make_user("asm", position="after_sales_manager", admin=True)
    make_user("root", admin=True)
    make_user("gone", admin=True)
    make_user("t1", position="technician")
    with app.app_context():
        db.session.scalar(select(User).filter_by(username="gone")).active = False
        db.session.commit()

        def told(key):
            return sorted(u.username for u in supervisors_of(db.session.scalar(select(Position).filter_by(seed_key=key))))

        assert told("technician") == ["asm", "wm"]
        assert told("workshop_manager") == ["asm"]
        # the top of the department: nobody with an account above it, so the active admins
        # (the install's own `admin` too), not the deactivated one
        assert told("after_sales_manager") == ["admin", "asm", "root"]


def test_settling_an_event_finds_its_notices_by_key_among_the_unread(app, make_user):
    """settle() runs in the writes that deal with an event (a requisition decided, an
    action verified); over the years the read notices pile up, so the statement it sends
    looks its key up in the partial index of the unread notices instead of scanning them."""
    from sqlalchemy import event

    from app.notices import rules

    make_user("wm", position="workshop_manager")
    with app.app_context():
        uid = db.session.scalar(select(User.id).filter_by(username="wm"))
        db.session.add_all([Notice(user_id=uid, key=f"req-decide:{i}", kind="requisition", text="待审批")
                            for i in range(3)])
        db.session.commit()
        sent = []

        def keep(conn, cursor, statement, parameters, context, executemany):
            if statement.lstrip().upper().startswith("UPDATE NOTICE"):
                sent.append((statement, parameters))

        event.listen(db.engine, "before_cursor_execute", keep)
        try:
            rules.settle("req-decide:1")
        finally:
            event.remove(db.engine, "before_cursor_execute", keep)
        assert [n.key for n in db.session.scalars(select(Notice).where(Notice.read_at.is_(None))
                                                  .order_by(Notice.key))] == ["req-decide:0", "req-decide:2"]
        (statement, parameters), = sent
        conn = db.session.connection()
        if db.engine.dialect.name == "postgresql":
            conn.exec_driver_sql("SET LOCAL enable_seqscan = off")  # three rows: a scan would be cheaper
            plan = " ".join(r[0] for r in conn.exec_driver_sql("EXPLAIN " + statement, parameters))
        else:
            plan = " ".join(str(r[-1]) for r in conn.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters))
        db.session.rollback()
    assert "ix_notice_unread_key" in plan, plan

"""自查 / 核查: the holder self-checks, the supervisor confirms (the tick) or returns it."""
import threading

import pytest
from sqlalchemy import func, select

from app import clock
from app.checklists.models import ChecklistEvent, ChecklistItem, ChecklistMark
from app.extensions import db
from app.notices.models import Notice
from tests.conftest import Client

# These tests are about ticking; the fields a tick records: test_checklist_fields.py.
pytestmark = pytest.mark.usefixtures("optional_fields")


def setup(app, make_user):
    make_user("li", position="after_sales_clerk")          # holds 售后内勤
    make_user("wang", position="after_sales_manager")      # supervises it
    make_user("zhao", position="customer_service")         # another position
    with app.app_context():
        item = db.session.scalar(select(ChecklistItem).filter_by(seed_key="clerk_return_rate"))
        return item.id, clock.local_now().date().isoformat()


def client_for(app, username):
    c = Client(app.test_client())
    assert c.login(username).status_code == 302
    return c


def mark(app, item_id, key):
    with app.app_context():
        m = db.session.scalar(select(ChecklistMark).filter_by(item_id=item_id, period_key=key))
        return None if m is None else (m.done, m.review, m.self_note, m.review_note, m.self_by_id, m.by_id)


def test_self_check_then_confirm(app, make_user):
    item, key = setup(app, make_user)
    li, wang = client_for(app, "li"), client_for(app, "wang")
    board = li.get("/checklists/?show=all").get_data(as_text=True)
    assert "自查完成" in board and "勾选</button>" not in board
    r = li.post_form(f"/checklists/items/{item}/{key}/selfcheck", {"note": "回厂率 87%"},
                     headers={"HX-Request": "true"})
    assert r.status_code == 200 and "待核查" in r.get_data(as_text=True)
    assert mark(app, item, key)[:3] == (False, "pending", "回厂率 87%")
    board = wang.get("/checklists/?show=all").get_data(as_text=True)
    assert "待核查" in board and "已自查：回厂率 87%" in board and ">确认</button>" in board and ">退回</button>" in board
    assert wang.post_form(f"/checklists/items/{item}/{key}/tick", {"note": "已核对"}).status_code == 303
    done, review, *_ = mark(app, item, key)
    assert done and review == ""
    html = wang.get("/checklists/?show=all").get_data(as_text=True)
    assert "确认人 wang" in html and "点检人 li" in html
    # the holder's note stays beside the supervisor's once confirmed
    assert "已自查：回厂率 87%" in html and "已核对" in html
    with app.app_context():
        actions = list(db.session.scalars(select(ChecklistEvent.action).filter_by(item_id=item).order_by(ChecklistEvent.id)))
    assert actions == ["selfcheck", "tick"]
    # confirmed: a self-check now is a 409 with a message, nothing changed
    r = li.post_form(f"/checklists/items/{item}/{key}/selfcheck", {}, headers={"HX-Request": "true"})
    assert r.status_code == 409 and "已确认完成" in r.get_data(as_text=True)


def test_return_then_redo(app, make_user):
    item, key = setup(app, make_user)
    li, wang = client_for(app, "li"), client_for(app, "wang")
    li.post_form(f"/checklists/items/{item}/{key}/selfcheck", {"note": "已统计"})
    r = wang.post_form(f"/checklists/items/{item}/{key}/return", {"note": ""}, headers={"HX-Request": "true"})
    assert r.status_code == 422 and "退回时请填写原因" in r.get_data(as_text=True)
    assert mark(app, item, key)[1] == "pending"
    assert wang.post_form(f"/checklists/items/{item}/{key}/return", {"note": "10K数据缺失"}).status_code == 303
    assert mark(app, item, key)[1:4] == ("returned", "已统计", "10K数据缺失")
    html = li.get("/checklists/?show=all").get_data(as_text=True)
    assert "已退回" in html and "退回原因：10K数据缺失" in html and "重新自查" in html
    summary = html.split('class="ck-row', 1)[1].split("</summary>", 1)[0]  # on the line, not only in 详情
    assert "退回原因：10K数据缺失" in summary
    with app.app_context():
        assert db.session.scalar(select(func.count(Notice.id)).filter_by(kind="selfcheck")) == 1
    # returning again: nothing pending
    r = wang.post_form(f"/checklists/items/{item}/{key}/return", {"note": "再退"}, headers={"HX-Request": "true"})
    assert r.status_code == 409
    li.post_form(f"/checklists/items/{item}/{key}/selfcheck", {"note": "已补全10K数据"})
    assert mark(app, item, key)[1:4] == ("pending", "已补全10K数据", "")
    html = li.get(f"/checklists/items/{item}/{key}/history").get_data(as_text=True)
    assert html.count("<td>自查</td>") == 2 and "<td>退回自查</td>" in html


def test_who_may_do_what(app, make_user):
    item, key = setup(app, make_user)
    zhao, li = client_for(app, "zhao"), client_for(app, "li")
    assert zhao.post_form(f"/checklists/items/{item}/{key}/selfcheck", {}).status_code == 403  # another position
    li.post_form(f"/checklists/items/{item}/{key}/selfcheck", {})
    assert li.post_form(f"/checklists/items/{item}/{key}/tick", {}).status_code == 403      # confirming: supervisors
    assert li.post_form(f"/checklists/items/{item}/{key}/return", {"note": "x"}).status_code == 403
    assert mark(app, item, key)[:2] == (False, "pending")


def test_two_supervisors_confirming_at_once_give_one_confirmation(app, make_user):
    item, key = setup(app, make_user)
    make_user("boss", admin=True)
    client_for(app, "li").post_form(f"/checklists/items/{item}/{key}/selfcheck", {})
    clients = [client_for(app, "wang"), client_for(app, "boss")]
    tokens = [c.csrf() for c in clients]
    barrier = threading.Barrier(2)
    codes = []

    def confirm(c, token):
        barrier.wait()
        codes.append(c.c.post(f"/checklists/items/{item}/{key}/tick", data={"csrf_token": token}).status_code)

    threads = [threading.Thread(target=confirm, args=pair) for pair in zip(clients, tokens)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert codes == [303, 303]
    with app.app_context():
        assert db.session.scalar(select(func.count(ChecklistEvent.id)).filter_by(item_id=item, action="tick")) == 1

import csv
import io
import re
import threading

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.staff.models import Employee
from app.supplies import ledger
from app.supplies.entitlements import due_list
from app.supplies.ledger import LedgerError, Shortage, stock_of
from app.supplies.models import IssueSlip, Requisition, StockEntry, SupplyCategory, SupplyItem
from app.supplies.quantity import QuantityError, fmt, parse
from tests.conftest import Client


@pytest.fixture
def store(app, make_user):
    """A clerk, two technicians, and three items with stock: 手套 10, 口罩 2, 签字笔 0."""
    make_user("clerk", position="workshop_clerk", can_issue_supplies=True)
    make_user("t1", position="technician", employee_no="T1")
    make_user("t2", position="technician", employee_no="T2")
    make_user("boss", admin=True)
    with app.app_context():
        from app.auth.models import User

        clerk = db.session.scalar(select(User).filter_by(username="clerk"))
        cats = {c.name: c.id for c in db.session.scalars(select(SupplyCategory))}
        ids = {}
        for name, unit, cat, minimum, qty in (("手套", "副", "劳保用品", 5, 10), ("口罩", "盒", "劳保用品", 5, 2),
                                              ("签字笔", "支", "办公用品", 0, 0)):
            item = SupplyItem(name=name, unit=unit, category_id=cats[cat], min_stock=minimum * 1000)
            db.session.add(item)
            db.session.flush()
            if qty:
                ledger.receive(item, qty * 1000, clerk, supplier="供应商甲")
            ids[name] = item.id
        db.session.commit()
        ids["t1"] = db.session.scalar(select(Employee.id).filter_by(employee_no="T1"))
        ids["t2"] = db.session.scalar(select(Employee.id).filter_by(employee_no="T2"))
        return ids


def stock(app, item_id):
    with app.app_context():
        return stock_of([item_id])[item_id]


def ledger_sum_matches(app):
    """The stock shown equals the sum of the ledger, for every item."""
    from app.supplies.stock import overview

    with app.app_context():
        for row in overview(include_inactive=True):
            total = db.session.scalar(select(func.coalesce(func.sum(StockEntry.qty), 0)).filter_by(item_id=row.item.id))
            assert row.stock == total
            running = 0
            for entry in db.session.scalars(select(StockEntry).filter_by(item_id=row.item.id).order_by(StockEntry.id)):
                running += entry.qty
                assert entry.balance == running, "each row keeps the stock after it"
        from app.supplies.ledger import check_balances

        assert check_balances() == []


def test_quantity_parsing():
    assert parse("3") == 3000 and parse("2.5", 1) == 2500 and parse(" 1，5 ", 1) == 1500
    assert fmt(2500) == "2.5" and fmt(3000) == "3" and fmt(-2000) == "-2"
    # full-width digits are the same digits, everywhere quantities are typed
    assert parse("１２") == 12000 and parse("２．５", 1) == 2500 and parse(".5", 1) == 500
    for bad, decimals, message in (("0", 0, "必须大于零"), ("-1", 0, "不能为负数"), ("abc", 0, "不是有效的数量"),
                                   ("1.5", 0, "必须是整数"), ("1.2345", 3, "最多保留 3 位小数"), ("", 0, "请填写数量"),
                                   ("nan", 0, "不是有效的数量"), ("1e12", 0, "不是有效的数量"),
                                   ("1e1000000", 0, "不是有效的数量"), ("1e-999999999", 3, "不是有效的数量"),
                                   ("1_000", 0, "不是有效的数量"), ("Infinity", 0, "不是有效的数量"),
                                   ("1000000000", 0, "数量过大"), ("9" * 100, 0, "不是有效的数量"),
                                   ("0.0001", 3, "最多保留 3 位小数"), ("-0", 0, "必须大于零")):
        with pytest.raises(QuantityError, match=message):
            parse(bad, decimals)


def test_slip_issues_all_lines_and_stock_equals_ledger(app, client, store):
    client.login("clerk")
    r = client.post_form("/supplies/slips/new", {"employee_id": store["t1"], "item_id": [store["手套"], store["口罩"]],
                                                 "qty": ["3", "2"], "note": "月度领用"})
    assert r.status_code == 303
    assert stock(app, store["手套"]) == 7000 and stock(app, store["口罩"]) == 0
    with app.app_context():
        slip = db.session.scalar(select(IssueSlip))
        assert slip.number.startswith("LY") and len(slip.lines) == 2
        first_id = slip.lines[0].id
    ledger_sum_matches(app)
    html = client.get(f"/supplies/slips/{slip.id}").get_data(as_text=True)  # lines numbered 1, 2
    assert "<td>1</td><td>手套" in html and "<td>2</td><td>口罩" in html and f"<td>{first_id}</td>" not in html


def test_slip_is_all_or_nothing(app, client, store):
    client.login("clerk")
    r = client.post_form("/supplies/slips/new", {"employee_id": store["t1"],
                                                 "item_id": [store["手套"], store["口罩"], store["签字笔"]],
                                                 "qty": ["3", "5", "1"]})
    html = r.get_data(as_text=True)
    assert r.status_code == 422
    assert "库存不足，未发放任何物品" in html and "口罩：需要 5 盒，库存仅 2 盒" in html and "签字笔：需要 1 支，库存仅 0 支" in html
    assert "手套：" not in html.split("库存不足")[1].split("</div>")[0]
    assert stock(app, store["手套"]) == 10000
    with app.app_context():
        assert db.session.scalar(select(func.count(IssueSlip.id))) == 0


@pytest.mark.parametrize("qty,message", [("0", "必须大于零"), ("-2", "不能为负数"), ("两个", "不是有效的数量"),
                                         ("1.5", "必须是整数")])
def test_bad_quantities_refused(app, client, store, qty, message):
    client.login("clerk")
    r = client.post_form("/supplies/slips/new", {"employee_id": store["t1"], "item_id": [store["手套"]], "qty": [qty]})
    assert r.status_code == 422 and message in r.get_data(as_text=True)
    assert stock(app, store["手套"]) == 10000


def test_inactive_item_and_employee_refused(app, client, store):
    with app.app_context():
        db.session.get(SupplyItem, store["口罩"]).active = False
        db.session.get(Employee, store["t2"]).active = False
        db.session.commit()
    client.login("clerk")
    r = client.post_form("/supplies/slips/new", {"employee_id": store["t1"], "item_id": [store["口罩"]], "qty": ["1"]})
    assert r.status_code == 422 and "已停用" in r.get_data(as_text=True)
    r = client.post_form("/supplies/slips/new", {"employee_id": store["t2"], "item_id": [store["手套"]], "qty": ["1"]})
    assert r.status_code == 422 and "已离职" in r.get_data(as_text=True)
    r = client.post_form("/supplies/slips/new", {"employee_id": "999", "item_id": [store["手套"]], "qty": ["1"]})
    assert r.status_code == 422 and "请选择领用人" in r.get_data(as_text=True)
    r = client.post_form("/supplies/receive", {"item_id": store["口罩"], "qty": "5"})
    assert r.status_code == 422 and "已停用" in r.get_data(as_text=True)
    assert stock(app, store["口罩"]) == 2000


def test_concurrent_last_piece(app, store, make_user):
    """Two clerks issue the last 2 boxes at once: one slip, one shortage message."""
    make_user("clerk2", position="after_sales_clerk", can_issue_supplies=True)
    clients = []
    for name in ("clerk", "clerk2"):
        c = Client(app.test_client())
        c.login(name)
        clients.append((c, c.csrf()))
    barrier = threading.Barrier(2)
    results = []

    def go(c, token, emp):
        barrier.wait()
        r = c.post("/supplies/slips/new", data={"csrf_token": token, "employee_id": emp,
                                                "item_id": [store["口罩"]], "qty": ["2"]})
        results.append((r.status_code, r.get_data(as_text=True)))

    threads = [threading.Thread(target=go, args=(c, t, e)) for (c, t), e in zip(clients, (store["t1"], store["t2"]))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    codes = sorted(code for code, _ in results)
    assert codes == [303, 422]
    assert "库存仅 0 盒" in next(text for code, text in results if code == 422)
    assert stock(app, store["口罩"]) == 0
    ledger_sum_matches(app)


def test_reversal_points_at_the_row_and_only_once(app, client, store):
    client.login("clerk")
    client.post_form("/supplies/slips/new", {"employee_id": store["t1"], "item_id": [store["手套"]], "qty": ["8"]})
    with app.app_context():
        entry = db.session.scalar(select(StockEntry).filter_by(kind="issue"))
    r = client.post_form(f"/supplies/entries/{entry.id}/reverse", {"reason": ""})
    assert r.status_code == 422 and "请填写冲销原因" in r.get_data(as_text=True)
    r = client.post_form(f"/supplies/entries/{entry.id}/reverse", {"reason": "录错数量"})
    assert r.status_code == 303
    assert stock(app, store["手套"]) == 10000
    with app.app_context():
        rev = db.session.scalar(select(StockEntry).filter_by(kind="reversal"))
        assert rev.reverses_id == entry.id and rev.qty == 8000 and rev.employee_id == store["t1"]
        assert db.session.get(StockEntry, entry.id).qty == -8000  # the original row is untouched
    r = client.post_form(f"/supplies/entries/{entry.id}/reverse", {"reason": "再来一次"})
    assert r.status_code == 422 and "已被冲销" in r.get_data(as_text=True)
    r = client.post_form(f"/supplies/entries/{rev.id}/reverse", {"reason": "冲销冲销"})
    assert r.status_code == 422 and "冲销记录不能再冲销" in r.get_data(as_text=True)
    # reversing a receipt whose goods are out would take stock below zero
    client.post_form("/supplies/slips/new", {"employee_id": store["t1"], "item_id": [store["口罩"]], "qty": ["2"]})
    with app.app_context():
        receipt = db.session.scalar(select(StockEntry).filter_by(kind="receipt", item_id=store["口罩"]))
    r = client.post_form(f"/supplies/entries/{receipt.id}/reverse", {"reason": "退货"})
    assert r.status_code == 422 and "库存将小于零" in r.get_data(as_text=True)
    ledger_sum_matches(app)
    html = client.get(f"/supplies/items/{store['手套']}").get_data(as_text=True)
    assert "已冲销" in html and "录错数量" in html


def test_return_and_count(app, client, store):
    client.login("clerk")
    client.post_form("/supplies/slips/new", {"employee_id": store["t1"], "item_id": [store["手套"]], "qty": ["4"]})
    r = client.post_form("/supplies/return", {"employee_id": store["t1"], "item_id": store["手套"], "qty": "5"})
    assert r.status_code == 422 and "仅有 4 副" in r.get_data(as_text=True)
    assert client.post_form("/supplies/return", {"employee_id": store["t1"], "item_id": store["手套"], "qty": "1"}).status_code == 303
    assert stock(app, store["手套"]) == 7000
    r = client.post_form("/supplies/count", {"item_id": store["手套"], "qty": "6"})
    assert r.status_code == 422 and "请填写差异原因" in r.get_data(as_text=True)
    assert client.post_form("/supplies/count", {"item_id": store["手套"], "qty": "6", "reason": "破损1副"}).status_code == 303
    assert stock(app, store["手套"]) == 6000
    with app.app_context():
        adj = db.session.scalar(select(StockEntry).filter_by(kind="adjust"))
        assert adj.qty == -1000 and adj.counted == 6000
    ledger_sum_matches(app)


def test_below_minimum_badge_and_item_ledger_running_balance(app, client, store):
    client.login("clerk")
    html = client.get("/supplies/").get_data(as_text=True)
    assert "低于最低库存" in html and 'class="nav-badge"' in html  # 口罩 2 < 5
    client.post_form("/supplies/slips/new", {"employee_id": store["t1"], "item_id": [store["手套"]], "qty": ["3"]})
    html = client.get(f"/supplies/items/{store['手套']}").get_data(as_text=True)
    assert '<td class="num">10</td>' in html and '<td class="num">7</td>' in html


def test_requisition_flow(app, client, store, make_user):
    make_user("wm", position="workshop_manager")
    requester = Client(app.test_client())
    requester.login("t1")
    r = requester.post_form("/supplies/requisitions/new", {"item_id": [store["签字笔"]], "qty": ["5"], "reason": ""})
    assert r.status_code == 422 and "请填写申领理由" in r.get_data(as_text=True)
    r = requester.post_form("/supplies/requisitions/new", {"item_id": [store["手套"], store["签字笔"]],
                                                           "qty": ["4", "5"], "reason": "更换破损手套"})
    assert r.status_code == 303
    with app.app_context():
        req_id = db.session.scalar(select(Requisition.id))
    # the requester and a peer may not approve; the clerk may not issue before approval
    assert requester.post_form(f"/supplies/requisitions/{req_id}/decide", {"decision": "approve"}).status_code == 403
    client.login("clerk")
    assert client.post_form(f"/supplies/requisitions/{req_id}/decide", {"decision": "approve"}).status_code == 403
    r = client.post_form(f"/supplies/requisitions/{req_id}/issue", {})
    assert r.status_code == 422 and "不能发放" in r.get_data(as_text=True)
    sup = Client(app.test_client())
    sup.login("wm")
    # the approver sees which asks the stock cannot meet (the pens: none in stock)
    rows = sup.get(f"/supplies/requisitions/{req_id}").get_data(as_text=True).split("<tbody>", 1)[1].split("</tbody>")[0]
    pen_row = next(r for r in rows.split("<tr>") if "签字笔" in r)
    glove_row = next(r for r in rows.split("<tr>") if "手套" in r)
    assert "库存不足" in pen_row and "库存不足" not in glove_row
    r = sup.post_form(f"/supplies/requisitions/{req_id}/decide", {"decision": "reject", "note": ""})
    assert r.status_code == 422 and "驳回时请填写理由" in r.get_data(as_text=True)
    html = r.get_data(as_text=True)
    field = html.split('for="f-note"', 1)[0].rsplit("<div", 1)[1] + html.split('for="f-note"', 1)[1].split("</div>", 1)[0]
    assert "has-error" in field and "驳回时请填写理由" in field  # beside the field it is about
    r = sup.post_form(f"/supplies/requisitions/{req_id}/decide", {"decision": "approve", "note": "同意"},
                      follow_redirects=True)
    assert "申领已批准。" in r.get_data(as_text=True) and "已已" not in r.get_data(as_text=True)
    with app.app_context():
        lines = db.session.get(Requisition, req_id).lines
        glove_line, pen_line = lines[0].id, lines[1].id
    # pens are out of stock: issue the gloves only
    r = client.post_form(f"/supplies/requisitions/{req_id}/issue", {f"qty-{glove_line}": "4", f"qty-{pen_line}": "0"})
    assert r.status_code == 303
    with app.app_context():
        req = db.session.get(Requisition, req_id)
        assert req.status == "partial"
    html = client.get(f"/supplies/requisitions/{req_id}").get_data(as_text=True)
    assert "部分发放" in html and "同意" in html and "提交申请" in html
    r = client.post_form(f"/supplies/requisitions/{req_id}/issue", {f"qty-{pen_line}": "9"})
    assert r.status_code == 422 and "最多还可发放 5 支" in r.get_data(as_text=True)
    client.post_form("/supplies/receive", {"item_id": store["签字笔"], "qty": "20"})
    assert client.post_form(f"/supplies/requisitions/{req_id}/issue", {f"qty-{pen_line}": "5"}).status_code == 303
    with app.app_context():
        req = db.session.get(Requisition, req_id)
        assert req.status == "issued" and [s.action for s in req.steps] == ["submit", "approve", "issue", "issue"]
    ledger_sum_matches(app)


def test_entitlements_due_and_prefilled_slip(app, client, store):
    with app.app_context():
        from app.org.models import Position

        tech = db.session.scalar(select(Position).filter_by(seed_key="technician"))
        tech_id = tech.id
    client.login("clerk")
    r = client.post_form("/supplies/entitlements", {"position_id": tech_id, "item_id": store["手套"], "qty": "2", "period": "week"})
    assert r.status_code == 303
    r = client.post_form("/supplies/entitlements", {"position_id": tech_id, "item_id": store["手套"], "qty": "x", "period": "week"})
    assert r.status_code == 422
    with app.app_context():
        due = {(d.employee.employee_no, d.due) for d in due_list()}
    assert ("T1", 2000) in due and ("T2", 2000) in due
    client.post_form("/supplies/slips/new", {"employee_id": store["t1"], "item_id": [store["手套"]], "qty": ["1"]})
    with app.app_context():
        due = {d.employee.employee_no: d.due for d in due_list()}
    assert due["T1"] == 1000 and due["T2"] == 2000
    html = client.get("/supplies/entitlements").get_data(as_text=True)
    assert f'value="{store["手套"]}:1"' in html
    page = client.get(f"/handbook/positions/{tech_id}").get_data(as_text=True)
    assert "劳保用品发放标准" in page and "手套：2 副 / 周" in page
    form = client.get(f"/supplies/slips/new?employee={store['t1']}&line={store['手套']}:1").get_data(as_text=True)
    assert f'<option value="{store["t1"]}" selected' in form and 'name="qty" value="1"' in form


def test_the_due_list_comes_a_page_of_employees_at_a_time(app, client, store):
    """本期应发 lists a card per employee owed something: thirty to a page, with the total
    and a pager, so a large workshop's page stays short."""
    from app.org.models import Position
    from app.staff.models import Employee

    with app.app_context():
        tech = db.session.scalar(select(Position).filter_by(seed_key="technician"))
        for n in range(40):
            db.session.add(Employee(employee_no=f"Z{n:03d}", name=f"新技师{n:03d}", position=tech))
        db.session.commit()
        tech_id = tech.id
    client.login("clerk")
    assert client.post_form("/supplies/entitlements", {"position_id": tech_id, "item_id": store["手套"], "qty": "2",
                                                       "period": "week"}).status_code == 303
    first = client.get("/supplies/entitlements").get_data(as_text=True)
    total = first.count('class="card due-card"')
    assert total == 30 and "（42 人）" in first and "第 1 / 2 页" in first and "下一页" in first
    second = client.get("/supplies/entitlements?page=2").get_data(as_text=True)
    assert second.count('class="card due-card"') == 12 and "新技师039" in second and "新技师039" not in first


def test_csv_cells_never_reach_excel_as_formulas(app, client, store):
    from app.csvexport import safe_cell

    assert safe_cell("=HYPERLINK(\"http://x\")") == "'=HYPERLINK(\"http://x\")"
    assert [safe_cell(v) for v in ("+1+1", "-1+1", "@SUM(A1)", "\tx", "\rx")] == \
        ["'+1+1", "'-1+1", "'@SUM(A1)", "'\tx", "'\rx"]
    assert [safe_cell(v) for v in ("-2", "3.5", "工作服", None, 7)] == ["-2", "3.5", "工作服", "", "7"]
    client.login("clerk")
    with app.app_context():
        db.session.get(SupplyItem, store["手套"]).name = "=HYPERLINK(\"http://evil\",\"点我\")"
        db.session.commit()
    client.post_form("/supplies/slips/new", {"employee_id": store["t1"], "item_id": [store["手套"]], "qty": ["1"]})
    rows = list(csv.reader(io.StringIO(client.get("/supplies/ledger.csv").get_data(as_text=True).lstrip("\ufeff"))))
    cells = [c for row in rows[1:] for c in row]
    assert "'=HYPERLINK(\"http://evil\",\"点我\")" in cells and not any(c.startswith("=") for c in cells)
    assert "-1" in cells  # the issue's quantity change stays a number


def test_employee_history_and_csv(app, client, store):
    client.login("clerk")
    client.post_form("/supplies/slips/new", {"employee_id": store["t1"], "item_id": [store["手套"]], "qty": ["3"]})
    html = client.get(f"/supplies/employees/{store['t1']}").get_data(as_text=True)
    assert "手套 3副" in html
    assert f"/supplies/employees/{store['t1']}" in client.get(f"/staff/{store['t1']}").get_data(as_text=True)
    other = Client(app.test_client())
    other.login("t2")
    assert other.get(f"/supplies/employees/{store['t1']}").status_code == 403
    own = Client(app.test_client())
    own.login("t1")
    assert own.get(f"/supplies/employees/{store['t1']}").status_code == 200
    r = client.get("/supplies/ledger.csv")
    assert r.mimetype == "text/csv" and "filename*=UTF-8''" in r.headers["Content-Disposition"]
    raw = r.data
    assert raw.startswith("\ufeff".encode("utf-8"))
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows[0][:3] == ["编号", "时间", "类型"]
    kinds = [row[2] for row in rows[1:]]
    assert kinds.count("入库") == 2 and kinds.count("发放") == 1
    issue_row = next(row for row in rows if row[2] == "发放")
    assert issue_row[4] == "手套" and issue_row[7] == "-3" and issue_row[8] == "t1"
    assert client.get("/supplies/ledger.csv?start=2026-12-01&end=2026-11-01").status_code == 400


def test_pdfs(app, client, store):
    from tests.pdftools import assert_cjk_fonts_embedded, pdftotext

    client.login("clerk")
    client.post_form("/supplies/slips/new", {"employee_id": store["t1"], "item_id": [store["手套"], store["口罩"]], "qty": ["3", "1"]})
    with app.app_context():
        slip = db.session.scalar(select(IssueSlip))
        cat = db.session.scalar(select(SupplyCategory).filter_by(name="劳保用品"))
    r = client.get(f"/supplies/slips/{slip.id}.pdf")
    text = pdftotext(r.data)
    assert "物资领用单" in text and slip.number in text and "手套" in text and "口罩" in text and "领用人签字" in text
    assert_cjk_fonts_embedded(r.data)
    text = pdftotext(client.get(f"/supplies/ledger.pdf?category={cat.id}").data)
    assert "劳保用品发放登记表" in text and "t1" in text and "领用人签字" in text
    r = client.get(f"/supplies/count-sheet.pdf?category={cat.id}")
    text = pdftotext(r.data)
    assert "物资盘点表" in text and "实盘数量" in text and "手套" in text and "签字笔" not in text
    assert_cjk_fonts_embedded(r.data)


def test_rules_refuse_directly(app, store):
    with app.app_context():
        from app.auth.models import User

        clerk = db.session.scalar(select(User).filter_by(username="clerk"))
        t1 = db.session.get(Employee, store["t1"])
        gloves = db.session.get(SupplyItem, store["手套"])
        with pytest.raises(Shortage):
            ledger.issue(t1, [(gloves, 6000), (gloves, 6000)], clerk)  # same item twice counts together
        with pytest.raises(LedgerError, match="至少需要一行"):
            ledger.issue(t1, [], clerk)
        assert stock_of([gloves.id])[gloves.id] == 10000


def test_an_overlong_note_or_reason_is_refused_beside_its_field_never_cut(app, client, store):
    """Long text was silently cut to 200 characters: now nothing is saved and the form says so."""
    from app.supplies.models import StockEntry

    client.login("clerk")
    with app.app_context():
        before = db.session.scalar(select(func.count(StockEntry.id)))
    r = client.post_form("/supplies/receive", {"item_id": store["手套"], "qty": "5", "note": "很" * 10_000})
    assert r.status_code == 422 and "备注最多 200 字（现为 10000 字）" in r.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count(StockEntry.id))) == before


def test_requisition_form_grows_warns_withdraws_and_shows_context(app, client, store, make_user):
    """Found trying it: exactly 3 lines and no way to add one (also without JavaScript), no
    warning about a duplicate pending request, no withdraw, no context for the approver."""
    make_user("wm", position="workshop_manager")
    requester = Client(app.test_client())
    requester.login("t1")
    form = requester.get("/supplies/requisitions/new").get_data(as_text=True)
    assert form.count("data-line") == 3
    # the button says what the issue form's says (it said 再加一行 here, 添加一行 there)
    assert '<button type="submit" name="add_line" value="1">添加一行</button>' in form and "再加一行" not in form
    client.login("clerk")
    assert ">添加一行</button>" in client.get("/supplies/slips/new").get_data(as_text=True)
    # 添加一行: a plain form post (no JavaScript) keeps what was typed and adds a line
    r = requester.post_form("/supplies/requisitions/new", {"item_id": [store["手套"], "", ""], "qty": ["2", "", ""],
                                                           "reason": "破损", "add_line": "1"})
    html = r.get_data(as_text=True)
    assert r.status_code == 200 and html.count("data-line") == 4 and 'value="2"' in html
    with app.app_context():
        assert db.session.scalar(select(func.count(Requisition.id))) == 0
    first = {"item_id": [store["手套"], "", "", store["口罩"]], "qty": ["2", "", "", "1"], "reason": "破损"}
    assert requester.post_form("/supplies/requisitions/new", first).status_code == 303
    # the same item again while the first waits: a warning, nothing saved, unless confirmed
    again = {"item_id": [store["手套"]], "qty": ["1"], "reason": "再要一副"}
    r = requester.post_form("/supplies/requisitions/new", again)
    assert r.status_code == 422 and "已有待审批的申领包含相同物品" in r.get_data(as_text=True) and "仍然提交" in r.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count(Requisition.id))) == 1
        req_id = db.session.scalar(select(Requisition.id))
    assert requester.post_form("/supplies/requisitions/new", dict(again, duplicate_ok="1")).status_code == 303
    # the approver sees the person's entitlement and what he received lately
    client.login("clerk")
    client.post_form("/supplies/slips/new", {"employee_id": store["t1"], "item_id": [store["口罩"]], "qty": ["1"]})
    sup = Client(app.test_client())
    sup.login("wm")
    page = sup.get(f"/supplies/requisitions/{req_id}").get_data(as_text=True)
    assert "的发放标准与近期领用" in page and "口罩" in page.split("近期领用", 1)[1] and "撤回申领" not in page
    # withdraw (撤回) while pending: by the requester only, recorded, then no decision
    other = Client(app.test_client())
    other.login("t2")
    assert other.post_form(f"/supplies/requisitions/{req_id}/withdraw").status_code == 403
    assert "撤回申领" in requester.get(f"/supplies/requisitions/{req_id}").get_data(as_text=True)
    assert requester.post_form(f"/supplies/requisitions/{req_id}/withdraw").status_code == 303
    page = requester.get(f"/supplies/requisitions/{req_id}").get_data(as_text=True)
    assert "已撤回" in page and "撤回申领" not in page
    r = sup.post_form(f"/supplies/requisitions/{req_id}/decide", {"decision": "approve"})
    assert r.status_code == 422
    assert requester.post_form(f"/supplies/requisitions/{req_id}/withdraw").status_code == 422


def test_a_rejected_or_withdrawn_requisition_owes_nothing(app, client, store, make_user):
    """A rejected line is not 未发 2: nothing is owed, the column says 已驳回 (已撤回)."""
    from app.supplies.requisitions import open_per_line

    make_user("wm", position="workshop_manager")
    requester = Client(app.test_client())
    requester.login("t1")
    for reason in ("破损", "再要"):
        assert requester.post_form("/supplies/requisitions/new", {"item_id": [store["手套"]], "qty": ["2"],
                                                                  "reason": reason, "duplicate_ok": "1"}).status_code == 303
    with app.app_context():
        rejected, withdrawn = db.session.scalars(select(Requisition.id).order_by(Requisition.id)).all()
    sup = Client(app.test_client())
    sup.login("wm")
    assert sup.post_form(f"/supplies/requisitions/{rejected}/decide",
                         {"decision": "reject", "note": "本周已领"}).status_code == 303
    assert requester.post_form(f"/supplies/requisitions/{withdrawn}/withdraw").status_code == 303
    for req_id, label in ((rejected, "已驳回"), (withdrawn, "已撤回")):
        page = sup.get(f"/supplies/requisitions/{req_id}").get_data(as_text=True)
        row = page.split("<tbody>", 1)[1].split("</tr>", 1)[0]
        assert f'<span class="muted">{label}</span>' in row and ">2<" not in row.split("</td>", 2)[2]
        with app.app_context():
            assert set(open_per_line(db.session.get(Requisition, req_id)).values()) == {0}


def test_the_approver_sees_a_request_beyond_the_positions_standard(app, client, store, make_user):
    """手套 1 副/周 for technicians: 2 副 asked (nothing received this week) is flagged on the
    requisition's page for the approver, and 1 副 asked after 1 副 received this week too;
    1 副 with nothing received is not. A warning: approving still works."""
    from app.org.models import Position
    from app.supplies.models import Entitlement

    make_user("wm", position="workshop_manager")
    with app.app_context():
        tech = db.session.scalar(select(Position).filter_by(seed_key="technician"))
        db.session.add(Entitlement(position_id=tech.id, item_id=store["手套"], qty=1000, period="week"))
        db.session.commit()
    t1, t2 = Client(app.test_client()), Client(app.test_client())
    t1.login("t1")
    t2.login("t2")
    sup = Client(app.test_client())
    sup.login("wm")

    def ask(who, qty):
        assert who.post_form("/supplies/requisitions/new", {"item_id": [store["手套"]], "qty": [qty], "reason": "破损",
                                                            "duplicate_ok": "1"}).status_code == 303
        with app.app_context():
            return db.session.scalar(select(func.max(Requisition.id)))

    two = ask(t1, "2")
    page = sup.get(f"/supplies/requisitions/{two}").get_data(as_text=True)
    assert 'id="beyond-standard"' in page and "超出岗位发放标准" in page
    assert "手套：本周" in page and "已领 0副，本申领 2副，合计 2副，标准 1副/周" in page
    assert '<span class="badge warn">超标准</span>' in page
    one = ask(t2, "1")
    assert 'id="beyond-standard"' not in sup.get(f"/supplies/requisitions/{one}").get_data(as_text=True)
    client.login("clerk")
    assert client.post_form("/supplies/slips/new", {"employee_id": store["t2"], "item_id": [store["手套"]],
                                                    "qty": ["1"]}).status_code == 303
    page = sup.get(f"/supplies/requisitions/{one}").get_data(as_text=True)
    assert "已领 1副，本申领 1副，合计 2副，标准 1副/周" in page
    # the requester himself is not shown the approver's context; approving is not blocked
    assert 'id="beyond-standard"' not in t1.get(f"/supplies/requisitions/{two}").get_data(as_text=True)
    assert sup.post_form(f"/supplies/requisitions/{two}/decide", {"decision": "approve"}).status_code == 303
    # the issuer sees it too while it waits to be issued
    assert "本申领未发 2副" in client.get(f"/supplies/requisitions/{two}").get_data(as_text=True)


def test_the_requisition_form_shows_every_problem_of_one_submit_at_once(app, client, store):
    """A quantity that is not whole, the same item already waiting for approval and no
    reason: all three after one submit, each beside its field, nothing saved; with a
    quantity the form understands, the other two still come together."""
    t1 = Client(app.test_client())
    t1.login("t1")
    assert t1.post_form("/supplies/requisitions/new", {"item_id": [store["手套"]], "qty": ["1"],
                                                       "reason": "破损"}).status_code == 303
    for qty in ("1.5", "2"):
        r = t1.post_form("/supplies/requisitions/new", {"item_id": [store["手套"], store["口罩"]],
                                                        "qty": [qty, "1"], "reason": ""})
        html = r.get_data(as_text=True)
        assert r.status_code == 422
        lines = html.split("<legend>物品与数量</legend>", 1)[1].split("</fieldset>", 1)[0]
        assert ("整数" in lines) == (qty == "1.5")
        # said under the row it is about (the first; its quantity field marked), not above the rows
        rows = re.findall(r'<div class="slip-line[^"]*" data-line>(.*?)</div>', lines, re.S)
        assert ("整数" in rows[0], "整数" in rows[1]) == (qty == "1.5", False)
        assert ('aria-invalid="true"' in rows[0]) == (qty == "1.5")
        assert "第 1 行" not in lines
        duplicate = html.split("</fieldset>", 1)[1].split('for="f-reason"', 1)[0]
        assert "已有待审批的申领包含相同物品" in duplicate and "仍然提交" in duplicate
        reason = html.split('id="f-reason"', 1)[1].split("</div>", 1)[0]
        assert "请填写申领理由" in reason
        assert f"请修改下面标出的 {3 if qty == '1.5' else 2} 处问题" in html
    with app.app_context():
        assert db.session.scalar(select(func.count(Requisition.id))) == 1


def test_a_slip_for_an_approved_requisition_is_issued_against_it(app, client, store, make_user):
    make_user("wm", position="workshop_manager")
    requester = Client(app.test_client())
    requester.login("t1")
    requester.post_form("/supplies/requisitions/new", {"item_id": [store["手套"]], "qty": ["2"], "reason": "破损"})
    with app.app_context():
        req_id = db.session.scalar(select(Requisition.id))
    sup = Client(app.test_client())
    sup.login("wm")
    sup.post_form(f"/supplies/requisitions/{req_id}/decide", {"decision": "approve"})
    client.login("clerk")
    form = client.get(f"/supplies/slips/new?employee={store['t1']}").get_data(as_text=True)
    assert f"/supplies/requisitions/{req_id}#issue" in form and "按申领" in form
    # a plain slip for the same item would leave the requisition 未发: refused once, nothing issued
    r = client.post_form("/supplies/slips/new", {"employee_id": store["t1"], "item_id": [store["手套"]], "qty": ["2"]})
    assert r.status_code == 422 and "请按申领发放" in r.get_data(as_text=True)
    assert stock(app, store["手套"]) == 10000
    with app.app_context():
        line = db.session.get(Requisition, req_id).lines[0].id
    assert client.post_form(f"/supplies/requisitions/{req_id}/issue", {f"qty-{line}": "2"}).status_code == 303
    with app.app_context():
        assert db.session.get(Requisition, req_id).status == "issued"
    # a separate issue stays possible when said so
    assert client.post_form("/supplies/slips/new", {"employee_id": store["t1"], "item_id": [store["手套"]],
                                                    "qty": ["1"], "separate": "1"}).status_code == 303


def test_count_a_whole_list_in_one_form(app, client, store):
    """盘点 took one item per submit: the whole list is one form now, all or nothing."""
    client.login("clerk")
    page = client.get("/supplies/count").get_data(as_text=True)
    for name in ("手套", "口罩", "签字笔"):
        assert f'name="qty-{store[name]}"' in page
    # one row wrong (a difference without a reason): nothing saved, the row says why
    r = client.post_form("/supplies/count", {f"qty-{store['手套']}": "10", f"qty-{store['口罩']}": "1",
                                             f"qty-{store['签字笔']}": ""})
    assert r.status_code == 422 and "请填写差异原因" in r.get_data(as_text=True)
    assert 'value="10"' in r.get_data(as_text=True)  # what was typed stays
    with app.app_context():
        assert db.session.scalar(select(func.count(StockEntry.id)).filter_by(kind="adjust")) == 0
    r = client.post_form("/supplies/count", {f"qty-{store['手套']}": "10", f"qty-{store['口罩']}": "1",
                                             f"reason-{store['口罩']}": "破损1盒", f"qty-{store['签字笔']}": ""})
    assert r.status_code == 303
    with app.app_context():
        adjusted = {e.item_id: e for e in db.session.scalars(select(StockEntry).filter_by(kind="adjust"))}
    assert set(adjusted) == {store["手套"], store["口罩"]}  # the empty row is not counted
    assert adjusted[store["口罩"]].qty == -1000 and adjusted[store["手套"]].qty == 0
    assert stock(app, store["口罩"]) == 1000
    assert client.post_form("/supplies/count", {}).status_code == 422  # nothing filled in
    ledger_sum_matches(app)


def test_requisitions_to_decide_is_the_permission_as_a_query(app, make_user):
    """The workspace's 待审批 block selects exactly what may_decide_requisition allows."""
    from sqlalchemy import select as _select

    from app.auth.models import User
    from app.main.workspace import desk_of
    from app.parts import Listing
    from app.supplies.desk import requisitions_to_decide
    from app.permissions import may_decide_requisition
    from app.supplies.models import Requisition

    make_user("tech1", position="technician")
    make_user("wm", position="workshop_manager")
    make_user("cs", position="customer_service")
    make_user("root", admin=True)
    with app.app_context():
        root = db.session.scalar(_select(User).filter_by(username="root"))
        for name in ("tech1", "cs"):
            e = db.session.scalar(_select(Employee).filter_by(name=name))
            db.session.add(Requisition(employee_id=e.id, requested_by_id=root.id, status="pending", reason="测试"))
        db.session.commit()
        for name in ("wm", "cs", "root", "tech1"):
            u = db.session.scalar(_select(User).filter_by(username=name))
            with app.test_request_context():
                expected = {r.id for r in db.session.scalars(_select(Requisition))
                            if r.employee_id != u.employee_id and may_decide_requisition(u, r)}
                block = requisitions_to_decide(desk_of(u)) or Listing()  # None: not for this user
                assert {r.id for r in block.rows} == expected and block.total == len(expected), name


def test_the_workspace_lists_what_i_collected_not_what_was_taken_back(app, store):
    """我的工作台 最近领取: an issue reversed (发错人, 冲销) is not something the technician
    collected; the issue after it is."""
    from datetime import datetime

    from app.auth.models import User
    from app.parts import Desk
    from app.supplies.desk import my_supplies

    with app.app_context():
        clerk = db.session.scalar(select(User).filter_by(username="clerk"))
        t1 = db.session.get(Employee, store["t1"])
        gloves, masks = db.session.get(SupplyItem, store["手套"]), db.session.get(SupplyItem, store["口罩"])
        wrong = ledger.issue(t1, [(gloves, 2000)], clerk)
        ledger.issue(t1, [(masks, 1000)], clerk)
        db.session.commit()
        user = db.session.scalar(select(User).filter_by(username="t1"))
        desk = Desk(user, t1, t1.position, datetime.now())
        assert [x.item.name for x in my_supplies(desk)["last"]] == ["口罩", "手套"]
        ledger.reverse(db.session.scalar(select(StockEntry).filter_by(slip_id=wrong.id, kind="issue")), clerk, "发错人")
        db.session.commit()
        assert [x.item.name for x in my_supplies(desk)["last"]] == ["口罩"]


def test_a_slip_beyond_the_positions_standard_is_refused_once_then_issued_when_confirmed(app, client, store, make_user):
    """何师傅's weekly gloves issued, Back, the pre-filled form submitted again: it made a
    second slip without a word. Now the form says, per article, what he already received
    this period against the standard, and issues only with 仍然发放（超出标准） ticked; the
    slip's audit record says so. An item without a standard for his position (口罩) is not
    affected; a requisition's refusal comes in the same answer."""
    from app.audit.models import AuditEntry
    from app.org.models import Position
    from app.supplies.models import Entitlement

    with app.app_context():
        tech = db.session.scalar(select(Position).filter_by(seed_key="technician"))
        db.session.add(Entitlement(position_id=tech.id, item_id=store["手套"], qty=1000, period="week"))
        db.session.commit()
    client.login("clerk")
    prefilled = f"/supplies/slips/new?employee={store['t1']}&line={store['手套']}:1"
    assert 'name="qty" value="1"' in client.get(prefilled).get_data(as_text=True)
    form = {"employee_id": store["t1"], "item_id": [store["手套"]], "qty": ["1"]}
    assert client.post_form("/supplies/slips/new", form).status_code == 303
    # Back, and the same form again
    r = client.post_form("/supplies/slips/new", form)
    html = r.get_data(as_text=True)
    assert r.status_code == 422
    assert "t1本周已领 手套 1 副，标准 1 副/周，本次再发 1 副将超出标准。" in html
    assert 'name="beyond_ok"' in html and "仍然发放（超出标准）" in html
    assert 'value="1"' in html.split('id="slip-lines"', 1)[1]  # what was typed stays
    assert stock(app, store["手套"]) == 9000
    with app.app_context():
        assert db.session.scalar(select(func.count(IssueSlip.id))) == 1
    # 口罩 has no standard for technicians: not a word about it, on its own or beside the gloves
    assert client.post_form("/supplies/slips/new", {"employee_id": store["t1"], "item_id": [store["口罩"]],
                                                    "qty": ["1"]}).status_code == 303
    r = client.post_form("/supplies/slips/new", {"employee_id": store["t1"], "item_id": [store["手套"], store["口罩"]],
                                                 "qty": ["2", "1"]})
    html = r.get_data(as_text=True)
    assert r.status_code == 422 and "本次再发 2 副将超出标准" in html and "口罩" not in html.split('id="beyond-standard"', 1)[1]
    # confirmed: issued, and the slip's audit record says it was beyond the standard
    r = client.post_form("/supplies/slips/new", dict(form, beyond_ok="1"))
    assert r.status_code == 303
    assert stock(app, store["手套"]) == 8000
    with app.app_context():
        slip_id = db.session.scalar(select(func.max(IssueSlip.id)))
        audit = db.session.scalar(select(AuditEntry).filter_by(action="stock_issue", object_id=str(slip_id)))
        assert "超出发放标准" in audit.summary
        assert audit.after["beyond_standard"] == ["t1本周已领 手套 1 副，标准 1 副/周，本次再发 1 副将超出标准。"]
        first = db.session.scalar(select(AuditEntry).filter_by(action="stock_issue").order_by(AuditEntry.id))
        assert "超出" not in first.summary and "beyond_standard" not in first.after
    # beyond the standard and against an approved requisition: both said at once, both confirmed at once
    make_user("wm", position="workshop_manager")
    t1 = Client(app.test_client())
    t1.login("t1")
    assert t1.post_form("/supplies/requisitions/new", {"item_id": [store["手套"]], "qty": ["1"],
                                                       "reason": "破损"}).status_code == 303
    with app.app_context():
        req_id = db.session.scalar(select(Requisition.id))
    sup = Client(app.test_client())
    sup.login("wm")
    assert sup.post_form(f"/supplies/requisitions/{req_id}/decide", {"decision": "approve"}).status_code == 303
    r = client.post_form("/supplies/slips/new", form)
    html = r.get_data(as_text=True)
    assert r.status_code == 422 and "请按申领发放（见上方）" in html and "将超出标准" in html
    r = client.post_form("/supplies/slips/new", dict(form, separate="1"))  # one confirmed, the other still asked
    html = r.get_data(as_text=True)
    assert r.status_code == 422 and "请按申领发放（见上方）" not in html and "将超出标准" in html
    assert re.search(r'name="separate" value="1" checked', html)  # the confirmation given is kept
    assert client.post_form("/supplies/slips/new", dict(form, separate="1", beyond_ok="1")).status_code == 303
    assert stock(app, store["手套"]) == 7000
    ledger_sum_matches(app)


def test_issuing_against_a_requisition_links_its_slip(app, client, store, make_user):
    """After 发放 on a requisition, the flash and the 办理记录 named the slip as plain text:
    its number is a link to the slip (where it is printed), in both."""
    make_user("wm", position="workshop_manager")
    t1 = Client(app.test_client())
    t1.login("t1")
    assert t1.post_form("/supplies/requisitions/new", {"item_id": [store["手套"]], "qty": ["3"],
                                                       "reason": "破损"}).status_code == 303
    with app.app_context():
        req = db.session.scalar(select(Requisition))
        req_id, line = req.id, req.lines[0].id
    sup = Client(app.test_client())
    sup.login("wm")
    assert sup.post_form(f"/supplies/requisitions/{req_id}/decide", {"decision": "approve"}).status_code == 303
    client.login("clerk")
    numbers = []
    for qty in ("1", "2"):  # in two parts: two slips, two steps
        page = client.post_form(f"/supplies/requisitions/{req_id}/issue", {f"qty-{line}": qty},
                                follow_redirects=True).get_data(as_text=True)
        with app.app_context():
            slip = db.session.scalar(select(IssueSlip).order_by(IssueSlip.id.desc()))
            numbers.append((slip.id, slip.number))
        flashed = page.split('class="flashes"', 1)[1].split("</div></div>", 1)[0]
        assert f'已发放，领用单 <a href="/supplies/slips/{slip.id}">{slip.number}</a>。' in flashed
    steps = page.split("<h2>办理记录</h2>", 1)[1].split("</ul>", 1)[0]
    for slip_id, number in numbers:
        assert f'发放：领用单 <a href="/supplies/slips/{slip_id}">{number}</a>' in steps
    assert "提交申请" in steps and "批准" in steps
    # the person who asked follows the same link to his slip
    own = t1.get(f"/supplies/requisitions/{req_id}").get_data(as_text=True)
    assert f'<a href="/supplies/slips/{numbers[0][0]}">' in own
    assert t1.get(f"/supplies/slips/{numbers[0][0]}").status_code == 200


def test_a_reversed_issue_is_marked_in_the_list_and_nobody_signs_for_it_in_the_register(app, client, store):
    """A slip taken back (冲销) looked like any other in the list, and the 发放登记表 printed
    the issue (40 副) and its reversal (-40 副) as two rows, each with a signature box: the
    person would have signed for 40 pairs he never got. Now the list says 已冲销 / 部分冲销;
    the register leaves an issue reversed within the month out of the table with its
    reversal (listed below it), and asks no signature for a reversal or for an issue
    reversed after its month."""
    from datetime import datetime, timedelta

    from app import clock
    from app.auth.models import User
    from tests.pdftools import pdftotext

    with app.app_context():
        today = clock.local_now().date()
        last_month = (today.replace(day=1) - timedelta(days=1)).replace(day=15)
        clerk = db.session.scalar(select(User).filter_by(username="clerk"))
        t1, t2 = db.session.get(Employee, store["t1"]), db.session.get(Employee, store["t2"])
        gloves, masks = db.session.get(SupplyItem, store["手套"]), db.session.get(SupplyItem, store["口罩"])
        ledger.receive(gloves, 40_000, clerk)
        wrong = ledger.issue(t1, [(gloves, 40_000)], clerk)  # 40 instead of 4
        ledger.reverse(wrong.lines[0], clerk, "数量录错，应为4副")
        right = ledger.issue(t1, [(gloves, 4000)], clerk)
        both = ledger.issue(t2, [(gloves, 1000), (masks, 1000)], clerk)
        ledger.reverse(both.lines[1], clerk, "口罩发错")
        earlier = ledger.issue(t2, [(gloves, 2000)], clerk)  # last month's, taken back this month
        earlier.issued_on = last_month
        earlier.lines[0].at = clock.to_utc(datetime.combine(last_month, datetime.min.time()).replace(hour=10))
        db.session.flush()
        ledger.reverse(earlier.lines[0], clerk, "未领走")
        db.session.commit()
        numbers = {s.id: s.number for s in db.session.scalars(select(IssueSlip))}
        category = gloves.category_id
    client.login("clerk")
    listing = client.get("/supplies/slips").get_data(as_text=True)
    rows = {n: row for row in listing.split("<tbody>", 1)[1].split("</tr>") for n in numbers.values() if n in row}
    assert "已冲销" in rows[numbers[wrong.id]] and 'class="inactive"' in rows[numbers[wrong.id]]
    assert "部分冲销" in rows[numbers[both.id]] and "口罩 1盒（已冲销）" in rows[numbers[both.id]]
    assert "冲销" not in rows[numbers[right.id]]
    assert "已冲销" in client.get(f"/supplies/slips/{wrong.id}").get_data(as_text=True).split("</h1>", 1)[0]

    def flat(pdf):  # the PDF's text without its line breaks and spaces (cells wrap)
        return re.sub(r"\s+", "", pdftotext(pdf))

    table, below = flat(client.get(f"/supplies/ledger.pdf?category={category}").data).split("本月发放后又在本月冲销", 1)
    assert "共3条" in table  # 4 副 to t1, 1 副 to t2, the reversal of last month's issue
    assert numbers[wrong.id] not in table and "40副" not in table  # neither the 40 nor the -40
    assert numbers[right.id] in table and numbers[both.id] in table and "口罩" not in table
    assert "未列入上表（无需签字）的2条" in below
    assert f"t1手套40副（{numbers[wrong.id]}），{today:%m-%d}冲销：数量录错，应为4副" in below
    assert f"t2口罩1盒（{numbers[both.id]}），{today:%m-%d}冲销：口罩发错" in below
    assert f"冲销{last_month:%m-%d}的发放，无需签字" in table  # the reversal of last month's issue: no box
    assert table.count("无需签字") == 1
    earlier = flat(client.get(f"/supplies/ledger.pdf?category={category}&month={last_month:%Y-%m}").data)
    assert "共1条" in earlier and f"已于{today:%m-%d}冲销，无需签字" in earlier


def test_the_slip_pages_note_column_says_what_its_link_is_for(app, client, store):
    """The slip page's 说明 column held only a link called 台账: it says where it leads
    (the item's ledger, where a line is reversed), a reversed line says so, and a reversal
    names the line it takes back by its number on the slip, not the ledger's entry id."""
    client.login("clerk")
    client.post_form("/supplies/slips/new", {"employee_id": store["t1"], "item_id": [store["手套"], store["口罩"]],
                                             "qty": ["3", "1"]})
    with app.app_context():
        slip = db.session.scalar(select(IssueSlip))
        gloves_line, masks_line = (l.id for l in slip.lines)
    assert client.post_form(f"/supplies/entries/{gloves_line}/reverse", {"reason": "录错数量"}).status_code == 303
    html = client.get(f"/supplies/slips/{slip.id}").get_data(as_text=True)
    rows = html.split("<tbody>", 1)[1].split("</tbody>", 1)[0].split("</tr>")[:3]
    assert "已冲销" in rows[0] and f'#entry-{gloves_line}">在台账中查看</a>' in rows[0]
    assert f'#entry-{masks_line}">在台账中查看或冲销</a>' in rows[1] and "已冲销" not in rows[1]
    assert "冲销第 1 行：录错数量" in rows[2] and f"#{gloves_line}" not in rows[2]
    assert ">台账<" not in html
    own = Client(app.test_client())
    own.login("t1")  # the person sees what happened, without the clerk's link
    page = own.get(f"/supplies/slips/{slip.id}").get_data(as_text=True)
    assert "冲销第 1 行：录错数量" in page and "在台账中查看" not in page


def test_the_registers_number_header_is_read_whole(app, client, store):
    """序号 wrapped to 序/号 in the 发放登记表 (and the 盘点表): its column holds it on one line."""
    from tests.pdftools import pdftotext

    client.login("clerk")
    client.post_form("/supplies/slips/new", {"employee_id": store["t1"], "item_id": [store["手套"]], "qty": ["1"]})
    with app.app_context():
        cat = db.session.scalar(select(SupplyCategory.id).filter_by(name="劳保用品"))
    for url in (f"/supplies/ledger.pdf?category={cat}", f"/supplies/count-sheet.pdf?category={cat}"):
        text = pdftotext(client.get(url).data)
        assert "序号" in text, url

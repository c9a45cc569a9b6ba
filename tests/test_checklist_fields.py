"""Checklist records: the figures, photos, files and minutes a tick records (fields.py),
kept with their tick, shown on the board, the grid, the results page, the CSV and the PDF."""
import csv
import io
import os
import re
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage, MultiDict

from app import charts
from app.checklists import fields as F
from app.checklists import results
from app.checklists.models import ChecklistEvent, ChecklistField, ChecklistItem, ChecklistMark, ChecklistValue
from app.extensions import db
from tests.conftest import Client
from tests.imagegen import jpeg, phone_photo
from tests.pdftools import assert_cjk_fonts_embedded, pdfimages_count, pdftotext
from tests.test_checklists import day_after_tomorrow, freeze  # noqa: F401 (freeze is a fixture)

PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _item(key) -> ChecklistItem:
    return db.session.scalar(select(ChecklistItem).filter_by(seed_key=key))


def _field(i: ChecklistItem, label: str) -> ChecklistField:
    return next(f for f in i.fields if f.label == label)


def _new_field(i: ChecklistItem, **kw) -> ChecklistField:
    f = ChecklistField(item_id=i.id, label=kw.pop("label", "字段"), kind=kw.pop("kind", "number"),
                       sort_order=len(i.fields) + 1, **kw)
    db.session.add(f)
    db.session.flush()
    db.session.expire(i, ["fields"])
    return f


def _files(**named) -> MultiDict:
    md = MultiDict()
    for name, items in named.items():
        for filename, data in items:
            md.add(name, FileStorage(io.BytesIO(data), filename=filename))
    return md


def uploaded(app) -> list[str]:
    root = os.path.join(app.config["UPLOAD_FOLDER"], "checklists")
    return sorted(os.listdir(root)) if os.path.isdir(root) else []


# --- the shipped fields -----------------------------------------------------------------

def test_shipped_items_ask_for_their_natural_figures(app):
    with app.app_context():
        rate = _item("clerk_return_rate")
        assert [(f.label, f.kind, f.unit, f.target, f.required) for f in rate.fields] == [
            ("5K回厂率", "number", "%", 85, True), ("10K回厂率", "number", "%", 85, True)]
        assert [f.label for f in _item("wclerk_booking").fields] == ["SA预约台次", "个人预约率", "总预约率"]
        assert [(f.label, f.kind) for f in _item("wclerk_chaoyue").fields] == [("工单数", "count"), ("差异数", "count")]
        assert [(f.label, f.kind) for f in _item("wclerk_evening_meeting").fields] == [("会议记录", "minutes")]
        assert [(f.label, f.kind) for f in _item("wclerk_add_on").fields] == [("追加单数", "count"), ("金额", "number")]
        assert [(f.label, f.kind) for f in _item("cs_feedback").fields] == [("条数", "count"), ("反馈表", "file")]
        assert [f.kind for f in _item("clerk_month_end").fields] == ["file"]
        assert [f.kind for f in _item("cs_month_report").fields] == ["file"]
        # Loading again adds nothing: once per item key and label.
        from app.checklists.seed import load_items

        before = db.session.scalar(select(func.count(ChecklistField.id)))
        load_items()
        assert db.session.scalar(select(func.count(ChecklistField.id))) == before


def test_an_existing_installation_gets_the_fields_on_the_next_init(app):
    from app.checklists.seed import load_items

    with app.app_context():
        rate = _item("clerk_return_rate")
        for f in list(rate.fields):
            db.session.delete(f)
        db.session.flush()
        db.session.expire(rate, ["fields"])
        load_items()
        assert [f.label for f in _item("clerk_return_rate").fields] == ["5K回厂率", "10K回厂率"]


def test_the_5s_draft_brings_a_photo_field(app, make_user):
    from app.handbook.drafts import adopt
    from app.org.models import Position

    admin = make_user("adm", admin=True)
    with app.app_context():
        from app.auth.models import User

        tech = db.session.scalar(select(Position).filter_by(seed_key="technician"))
        adopt(tech, db.session.get(User, admin.id), 0)
        five_s = _item("draft_tech_5s")
        assert [(f.label, f.kind, f.required) for f in five_s.fields] == [("工位照片", "photo", True)]


# --- every kind: valid, invalid, required and missing -----------------------------------

@pytest.mark.parametrize("kind,extra,raw,expected", [
    ("number", {"decimals": 1, "unit": "%", "min_value": 0, "max_value": 100}, "82.5", 82.5),
    ("number", {"decimals": 1, "unit": "%", "min_value": 0, "max_value": 100}, "８５%", 85.0),
    ("number", {"decimals": 2, "unit": "元"}, "1,280.50", 1280.5),
    ("number", {"decimals": 0}, "12,345,678", 12345678.0),
    ("count", {}, "12", 12.0),
    ("count", {}, "0", 0.0),
])
def test_numbers_parse(app, kind, extra, raw, expected):
    with app.app_context():
        f = _new_field(_item("clerk_mail_forms"), kind=kind, **extra)
        assert F.parse_number(raw, f) == expected


@pytest.mark.parametrize("kind,extra,raw,message", [
    ("number", {"decimals": 1}, "abc", "应为数字"),
    ("number", {"decimals": 1}, "82.55", "最多 1 位小数"),
    ("number", {"decimals": 0}, "82.5", "应为整数"),
    ("number", {"decimals": 1, "min_value": 0, "max_value": 100}, "120", "应在 0.0 到 100.0 之间"),
    ("number", {"decimals": 0, "min_value": 0}, "-3", "不能小于 0"),
    ("number", {}, "9" * 400, "数值过大"),
    ("count", {}, "3.5", "应为整数"),
    ("count", {}, "-2", "不能为负数"),
    ("count", {}, "1e3", "应为整数"),
    # a decimal comma is not read as a thousands separator (88,5 became 885: "应在 0 到 100 之间")
    ("number", {"decimals": 1, "min_value": 0, "max_value": 100}, "88,5", "的小数点请用“.”"),
    ("number", {"decimals": 2}, "1,28", "的小数点请用“.”"),
])
def test_bad_numbers_are_refused_in_chinese(app, kind, extra, raw, message):
    with app.app_context():
        f = _new_field(_item("clerk_mail_forms"), label="回厂率", kind=kind, **extra)
        with pytest.raises(F.FieldError) as exc:
            F.parse_number(raw, f)
        assert message in str(exc.value) and "「回厂率」" in str(exc.value)


def test_each_kind_in_a_form(app):
    with app.app_context():
        i = _item("clerk_mail_forms")
        fs = {k: _new_field(i, label=F.KINDS[k], kind=k, required=True,
                            choices="A类\nB类" if k == "choice" else "") for k in F.KINDS}
        form = MultiDict({f"f{fs['number'].id}": "3", f"f{fs['count'].id}": "4", f"f{fs['yesno'].id}": "yes",
                          f"f{fs['choice'].id}": "B类", f"f{fs['text'].id}": "已寄出",
                          f"f{fs['minutes'].id}": "讨论了本周返修", f"f{fs['minutes'].id}_other": "张三、李四"})
        files = _files(**{f"f{fs['photo'].id}": [("a.jpg", jpeg()), ("b.png", jpeg())],
                          f"f{fs['file'].id}": [("清单.pdf", PDF_BYTES)]})
        sub = F.parse(i, form, files, {})
        assert not sub.missing
        got = {e.field.kind: e for e in sub.entries}
        assert got["number"].number == 3 and got["count"].number == 4
        assert got["yesno"].number == 1 and got["yesno"].text == "是"
        assert got["choice"].text == "B类" and got["text"].text == "已寄出"
        assert got["minutes"].attendees == "张三、李四"
        assert len([e for e in sub.entries if e.field.kind == "photo"]) == 2
        assert got["file"].file_type == "pdf"
        # Nothing sent: every required field is named as missing, nothing else.
        empty = F.parse(i, MultiDict(), MultiDict(), {})
        assert empty.empty and sorted(empty.missing) == sorted(F.KINDS.values())


@pytest.mark.parametrize("kind,value,files,message", [
    ("yesno", "maybe", None, "请选择“是”或“否”"),
    ("choice", "C类", None, "请从列表中选择"),
    ("text", "字" * 201, None, "最多 200 字"),
    ("minutes", "", None, "请填写会议内容"),  # attendees without minutes
    ("photo", None, [("x.jpg", b"not an image at all")], "不是图片文件"),
    ("photo", None, [("p.jpg", jpeg())] * 11, "最多 10 张"),
    ("file", None, [("报表.xlsx", PDF_BYTES)], "与内容（PDF）不符"),
    ("file", None, [("run.exe", b"MZ\x90\x00" + b"\x00" * 100)], "可执行程序"),
])
def test_each_kind_refuses_bad_input(app, kind, value, files, message):
    with app.app_context():
        i = _item("clerk_mail_forms")
        f = _new_field(i, label="记录", kind=kind, choices="A类\nB类" if kind == "choice" else "")
        form = MultiDict({f"f{f.id}": value} if value is not None else {})
        if kind == "minutes":
            form.add(f"f{f.id}_other", "张三")
        with pytest.raises(F.FieldError) as exc:
            F.parse(i, form, _files(**{f"f{f.id}": files}) if files else MultiDict(), {})
        assert message in str(exc.value)


def test_flags_follow_the_definition_a_value_was_entered_with(app):
    with app.app_context():
        v = ChecklistValue(kind="number", number=80.0, decimals=1, unit="%", target=85.0, target_dir="ge")
        assert F.flag(v) == "低于目标 85.0%"
        v.number = 90.0
        assert F.flag(v) == ""
        assert F.flag(ChecklistValue(kind="count", number=2, decimals=0, unit="单", target=0, target_dir="le")) \
            == "高于目标 0单"
        assert F.flag(ChecklistValue(kind="number", number=120, decimals=0, max_value=100, target_dir="ge")) \
            == "高于上限 100"



def test_anomalies_name_a_fault_answered_no_and_a_figure_out_of_line(app):
    """What a supervisor must read on the line before confirming: a fault point answered
    否 and a figure out of its range, in the values' order; a 否 on a point that is no
    fault, a 是, figures within their limits or short of a target are no anomaly."""
    with app.app_context():
        item = ChecklistItem(title="举升机班前检查", kind="daily")
        item.fields = [ChecklistField(id=1, label="安全锁止有效", kind="yesno", fault_on_no=True),
                       ChecklistField(id=2, label="是否清洁", kind="yesno", fault_on_no=False)]
        no, yes, other = (ChecklistValue(kind="yesno", field_id=1, label="安全锁止有效", number=0, text="否"),
                          ChecklistValue(kind="yesno", field_id=1, label="安全锁止有效", number=1, text="是"),
                          ChecklistValue(kind="yesno", field_id=2, label="是否清洁", number=0, text="否"))
        low = ChecklistValue(kind="number", label="胎压", number=1.8, decimals=1, unit="bar", min_value=2.0)
        fine = ChecklistValue(kind="number", label="胎压", number=2.3, decimals=1, unit="bar", min_value=2.0)
        assert F.anomalies(item, [no, other, low]) == ["安全锁止有效 为“否”", "胎压 低于下限 2.0"]
        assert F.anomalies(item, [yes, other, fine]) == []
        short = ChecklistValue(kind="number", label="5K回厂率", number=84, decimals=1, unit="%", target=85,
                               target_dir="ge")
        assert F.flag(short) and F.anomalies(item, [short]) == []  # a result short of target, not a fault
        assert F.anomalies(item, []) == []
        # an answer stored as its number only (the demo's lift checks, SQL by hand) reads 是/否
        assert F.display(ChecklistValue(kind="yesno", number=0, text="")) == "否"
        assert F.display(ChecklistValue(kind="yesno", number=1)) == "是"


@pytest.mark.parametrize("lo,hi,decimals,cover,expected", [
    (-0.24, 3.24, 0, False, [0, 1, 2, 3]),      # a count from 0 to 3: no 0, 1, 2, 2, 3
    (0, 3, 0, True, [0, 1, 2, 3]),
    (0, 7, 0, True, [0, 2, 4, 6, 8]),           # a bar chart's top at a round count above 7
    (79.66, 91.84, 1, False, [80, 85, 90]),     # a rate
    (2.05, 2.45, 1, False, [2.1, 2.2, 2.3, 2.4]),
    (0, 0.3, 0, True, [0, 1]),                  # never finer than the figures are written
])
def test_chart_axes_have_round_distinct_ticks(lo, hi, decimals, cover, expected):
    ticks = charts.nice_ticks(lo, hi, decimals, cover=cover)
    assert ticks == pytest.approx(expected)
    labels = [F.fmt_number(t, decimals) for t in ticks]
    assert len(set(labels)) == len(labels)

# --- over HTTP: the board's one-row form ------------------------------------------------

def _rate_form(app, five="82.5", ten="90.0") -> tuple[int, dict]:
    with app.app_context():
        rate = _item("clerk_return_rate")
        return rate.id, {f"f{_field(rate, '5K回厂率').id}": five, f"f{_field(rate, '10K回厂率').id}": ten}


@pytest.fixture
def clerk_people(make_user):
    make_user("mgr", position="after_sales_manager")  # supervises 售后内勤
    make_user("lj", position="after_sales_clerk")     # holds it
    make_user("cs2", position="customer_service")     # may not tick it


def test_tick_with_figures_shows_them_flagged_on_the_board(app, client, clerk_people, freeze):
    freeze(day_after_tomorrow(10))
    key = day_after_tomorrow(10).date().isoformat()
    item_id, form = _rate_form(app, five="80.5", ten="91")
    client.login("mgr")
    r = client.post_form(f"/checklists/items/{item_id}/{key}/tick", form, headers={"HX-Request": "true"})
    assert r.status_code == 200
    html = r.get_data(as_text=True)
    assert "5K回厂率：" in html and "80.5%" in html and "低于目标 85.0%" in html and "91.0%" in html
    board = client.get(f"/checklists/?date={key}&show=all").get_data(as_text=True)
    assert "80.5%" in board and "低于目标" in board
    with app.app_context():
        mark = db.session.scalar(select(ChecklistMark))
        assert mark.done and mark.values_event_id
        vals = db.session.scalars(select(ChecklistValue).order_by(ChecklistValue.id)).all()
        assert [(v.label, v.number, v.unit, v.event_id) for v in vals] == [
            ("5K回厂率", 80.5, "%", mark.values_event_id), ("10K回厂率", 91.0, "%", mark.values_event_id)]
        from app.audit.models import AuditEntry

        audit = db.session.scalar(select(AuditEntry).filter_by(action="checklist_tick"))
        assert "80.5%" in str(audit.after)


@pytest.mark.parametrize("five,ten,message", [
    ("", "90", "请填写：5K回厂率"),
    ("abc", "90", "「5K回厂率」应为数字"),
    ("85.55", "90", "最多 1 位小数"),
    ("101", "90", "应在 0.0 到 100.0 之间"),
])
def test_a_bad_or_missing_figure_ticks_nothing(app, client, clerk_people, freeze, five, ten, message):
    freeze(day_after_tomorrow(10))
    key = day_after_tomorrow(10).date().isoformat()
    item_id, form = _rate_form(app, five=five, ten=ten)
    client.login("mgr")
    r = client.post_form(f"/checklists/items/{item_id}/{key}/tick", {**form, "note": "已核对系统数据"},
                         headers={"HX-Request": "true"})
    assert r.status_code == 422
    html = r.get_data(as_text=True)
    assert message in html
    assert f'value="{ten}"' in html  # what was typed is kept in the row, the note too
    assert html.count('value="已核对系统数据"') == 1  # in the tick's form, not in 退回's reason
    with app.app_context():
        assert not db.session.scalar(select(func.count(ChecklistMark.id)).where(ChecklistMark.done.is_(True)))
        assert not db.session.scalar(select(func.count(ChecklistValue.id)))
        assert not db.session.scalar(select(func.count(ChecklistEvent.id)))


def test_a_bad_photo_leaves_no_file_and_ticks_nothing(app, client, clerk_people, freeze):
    freeze(day_after_tomorrow(10))
    key = day_after_tomorrow(10).date().isoformat()
    with app.app_context():
        i = _item("clerk_mail_forms")
        monthly_key = key[:7]
        photo = _new_field(i, label="照片", kind="photo", required=True)
        count = _new_field(i, label="件数", kind="count", required=True)
        db.session.commit()
        item_id, pid, cid = i.id, photo.id, count.id
    client.login("mgr")
    data = {f"f{cid}": "3", f"f{pid}": [(io.BytesIO(jpeg()), "ok.jpg"), (io.BytesIO(b"GIF89a-broken"), "bad.jpg")]}
    r = client.post_form(f"/checklists/items/{item_id}/{monthly_key}/tick", data,
                         headers={"HX-Request": "true"}, content_type="multipart/form-data")
    html = r.get_data(as_text=True)
    assert r.status_code == 422 and "bad.jpg" in html
    # the browser cannot be handed the chosen files back: the row says so
    assert "所选的文件（ok.jpg、bad.jpg）没有保存：请改正后重新选择文件再提交。" in html
    assert uploaded(app) == []
    with app.app_context():
        assert not db.session.scalar(select(func.count(ChecklistValue.id)))


def test_a_peer_may_not_tick_an_item_with_fields(app, client, clerk_people, freeze):
    freeze(day_after_tomorrow(10))
    key = day_after_tomorrow(10).date().isoformat()
    item_id, form = _rate_form(app)
    client.login("cs2")
    assert client.post_form(f"/checklists/items/{item_id}/{key}/tick", form).status_code == 403
    client.login("lj")  # the holder self-checks, never ticks
    assert client.post_form(f"/checklists/items/{item_id}/{key}/tick", form).status_code == 403
    with app.app_context():
        assert not db.session.scalar(select(func.count(ChecklistValue.id)))


def test_values_are_kept_through_untick_and_retick(app, client, clerk_people, freeze):
    freeze(day_after_tomorrow(10))
    key = day_after_tomorrow(10).date().isoformat()
    item_id, form = _rate_form(app, five="88", ten="90")
    client.login("mgr")
    url = f"/checklists/items/{item_id}/{key}"
    assert client.post_form(url + "/tick", form).status_code == 303
    assert client.post_form(url + "/untick", {"note": "数据有误"}).status_code == 303
    # Unticked: the board no longer shows the figures as the result …
    assert "88.0%" not in client.get(f"/checklists/?date={key}&show=all").get_data(as_text=True)
    # … re-ticking asks for them again, and keeps both in the history.
    _, form2 = _rate_form(app, five="86.5", ten="90")
    assert client.post_form(url + "/tick", form2).status_code == 303
    history = client.get(url + "/history").get_data(as_text=True)
    assert "88.0%" in history and "86.5%" in history and "数据有误" in history
    board = client.get(f"/checklists/?date={key}&show=all").get_data(as_text=True)
    assert "86.5%" in board and "88.0%" not in board
    with app.app_context():
        assert db.session.scalar(select(func.count(ChecklistValue.id))) == 4


def test_self_check_with_figures_then_confirm_keeps_them(app, client, clerk_people, freeze):
    freeze(day_after_tomorrow(10))
    key = day_after_tomorrow(10).date().isoformat()
    item_id, form = _rate_form(app, five="84", ten="87")
    holder = Client(app.test_client())
    holder.login("lj")
    url = f"/checklists/items/{item_id}/{key}"
    r = holder.post_form(url + "/selfcheck", {k: "" for k in form}, headers={"HX-Request": "true"})
    assert r.status_code == 422 and "请填写：5K回厂率、10K回厂率" in r.get_data(as_text=True)
    assert holder.post_form(url + "/selfcheck", form).status_code == 303
    client.login("mgr")
    board = client.get(f"/checklists/?date={key}&show=all").get_data(as_text=True)
    assert "待核查" in board and "84.0%" in board
    freeze(day_after_tomorrow(10) + timedelta(days=1))  # past due: on the overdue list, figures shown
    overdue = client.get("/checklists/overdue").get_data(as_text=True)
    row = re.search(rf'<li id="ck-{item_id}-{key}-0".*?</li>', overdue, re.S).group(0)
    assert "待核查" in row and "84.0%" in row and f'name="{next(iter(form))}"' not in row
    assert client.post_form(url + "/tick", {}).status_code == 303  # confirm without retyping
    with app.app_context():
        mark = db.session.scalar(select(ChecklistMark))
        assert mark.done and mark.self_by is not None
        vals = db.session.scalars(select(ChecklistValue).where(ChecklistValue.event_id == mark.values_event_id)).all()
        assert sorted(v.number for v in vals) == [84.0, 87.0]


def test_a_changed_definition_leaves_old_values_readable(app, client, clerk_people, freeze, admin_client):
    freeze(day_after_tomorrow(10))
    key = day_after_tomorrow(10).date().isoformat()
    item_id, form = _rate_form(app, five="80", ten="90")
    with app.app_context():
        five_id = _field(_item("clerk_return_rate"), "5K回厂率").id
    client.login("mgr")
    assert client.post_form(f"/checklists/items/{item_id}/{key}/tick", form).status_code == 303
    # Admin renames the field, lowers the target and retires the other one.
    r = admin_client.post_form(f"/checklists/fields/{five_id}/edit", {
        "label": "首保回厂率", "kind": "number", "unit": "%", "decimals": "0", "min_value": "0",
        "max_value": "100", "target": "75", "target_dir": "ge", "choices": "", "required": "y", "active": "y"})
    assert r.status_code == 303
    with app.app_context():
        ten = _field(_item("clerk_return_rate"), "10K回厂率")
        ten_id = ten.id
    admin_client.post_form(f"/checklists/fields/{ten_id}/edit", {
        "label": "10K回厂率", "kind": "number", "unit": "%", "decimals": "1", "target_dir": "ge", "choices": ""})
    with app.app_context():
        assert not db.session.get(ChecklistField, ten_id).active
        old = db.session.scalar(select(ChecklistValue).filter_by(field_id=five_id))
        assert (old.label, old.decimals, old.target, F.display(old), F.flag(old)) == \
            ("5K回厂率", 1, 85.0, "80.0%", "低于目标 85.0%")
    page = client.get(f"/checklists/items/{item_id}/results?month={key[:7]}").get_data(as_text=True)
    assert "首保回厂率" in page and "80.0%" in page and "录入时：5K回厂率" in page
    assert "10K回厂率（%）（已停用）" in page and "90.0%" in page
    # The retired field is no longer asked for; the renamed one is.
    board = client.get(f"/checklists/?date={key}&show=all").get_data(as_text=True)
    assert f'name="f{ten_id}"' not in board


def test_admin_field_form_refuses_bad_definitions(app, admin_client):
    with app.app_context():
        item_id = _item("clerk_mail_forms").id
    url = f"/checklists/items/{item_id}/fields"
    base = {"label": "件数", "kind": "number", "unit": "件", "decimals": "0", "target_dir": "ge", "choices": ""}
    for extra, message in [({"min_value": "10", "max_value": "5"}, "最大值不能小于最小值"),
                           ({"decimals": "7"}, "小数位数应在0到4之间"),
                           ({"kind": "choice", "choices": "甲"}, "至少需要两个选项"),
                           ({"kind": "text", "target": "3"}, "只有“数值”和“计数”字段可以设置范围和目标"),
                           ({"label": ""}, "请填写字段名称"),
                           ({"min_value": "10", "target": "0", "target_dir": "le"}, "目标值应在最小值与最大值之间"),
                           ({"max_value": "100", "target": "120"}, "目标值应在最小值与最大值之间")]:
        r = admin_client.post_form(url, {**base, **extra})
        assert r.status_code == 422 and message in r.get_data(as_text=True)
    with app.app_context():
        assert not db.session.get(ChecklistItem, item_id).fields
    assert admin_client.post_form(url, {**base, "required": "y", "active": "y"}).status_code == 303
    with app.app_context():
        assert [(f.label, f.required) for f in db.session.get(ChecklistItem, item_id).fields] == [("件数", True)]


def test_only_admin_edits_fields(app, client, clerk_people):
    with app.app_context():
        item_id = _item("clerk_mail_forms").id
    client.login("mgr")
    assert client.get(f"/checklists/items/{item_id}/fields").status_code == 403
    assert client.post_form(f"/checklists/items/{item_id}/fields", {"label": "x", "kind": "count"}).status_code == 403


# --- results: chart data, grid, CSV, PDF ------------------------------------------------

def _record(app, values: dict[str, list], user: str = "mgr", item_key: str = "clerk_return_rate"):
    """Tick item `item_key` for each day (ISO date → its figures) through the rules."""
    from app.auth.models import User
    from app.checklists.ticks import tick

    with app.app_context():
        i = _item(item_key)
        u = db.session.scalar(select(User).filter_by(username=user))
        for day, figures in values.items():
            entries = [F.Entry(f, number=n) for f, n in zip([f for f in i.fields if f.kind in F.NUMERIC], figures)]
            tick(i, day, u, "", F.Submission(entries))
        db.session.commit()


_PHOTOS: list[bytes] = []


def photos_for(n: int) -> list[bytes]:
    while len(_PHOTOS) < min(n, 3):
        _PHOTOS.append(phone_photo(len(_PHOTOS)))
    return [_PHOTOS[k % 3] for k in range(n)]


def test_chart_and_month_figures(app, clerk_people, freeze):
    freeze(datetime(2026, 11, 28, 20, 0))
    days = {date(2026, 11, d).isoformat(): [r, 90.0] for d, r in ((3, 80.0), (4, 90.0), (5, 86.0))}
    days[date(2026, 10, 30).isoformat()] = [70.0, 90.0]
    with app.app_context():
        i = _item("clerk_return_rate")
        i.created_at = datetime(2026, 9, 1)
        db.session.commit()
    _record(app, days)
    with app.app_context():
        i = _item("clerk_return_rate")
        rep = results.report(i, 2026, 11, span=3)
        five = _field(i, "5K回厂率")
        s = rep["stats"][five.id]
        assert (s.n, s.total, s.low, s.high, s.flagged) == (3, 256.0, 80.0, 90.0, 1)
        assert round(s.mean, 2) == 85.33
        chart = rep["charts"][five.id]
        assert chart.kind == "line" and [p[3] for p in chart.points] == ["70.0", "80.0", "90.0", "86.0"]
        assert [p[4] for p in chart.points] == [True, True, False, False]  # 70 and 80 below 85
        assert chart.target_y is not None and min(y for _, y, *_ in chart.points) < chart.target_y
        assert [t for _, t in chart.x_labels] == ["9月", "10月", "11月"]
    # Counts per day, week and month.
    pts = [(date(2026, 11, 2), 3), (date(2026, 11, 3), 4), (date(2026, 11, 10), 5), (date(2026, 12, 1), 1)]
    assert [(label, t) for _, label, t in results.count_totals(pts, "week")] == [("11/2周", 7), ("11/9周", 5),
                                                                                ("11/30周", 1)]
    assert [(label, t) for _, label, t in results.count_totals(pts, "month")] == [("11月", 12), ("12月", 1)]
    assert len(results.count_totals(pts, "day")) == 4


def test_grid_csv_and_pdf_show_the_figures(app, client, clerk_people, freeze):
    freeze(datetime(2026, 11, 28, 20, 0))
    with app.app_context():
        i = _item("clerk_return_rate")
        i.created_at = datetime(2026, 10, 1)
        position_id, item_id = i.position_id, i.id
        db.session.commit()
    _record(app, {"2026-11-03": [80.0, 91.5], "2026-11-04": [88.0, 92.0]})
    client.login("mgr")
    grid = client.get(f"/checklists/positions/{position_id}?month=2026-11").get_data(as_text=True)
    assert ">80.0<" in grid and ">88.0<" in grid and "flagged" in grid
    r = client.get(f"/checklists/positions/{position_id}/month.csv?month=2026-11")
    assert r.status_code == 200 and r.data.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(r.get_data(as_text=True).lstrip("\ufeff"))))
    header = rows[0]
    assert "5K/10K客户回厂率数据统计·5K回厂率（%）" in header
    col = header.index("5K/10K客户回厂率数据统计·5K回厂率（%）")
    assert header[:5] == ["项目", "人员", "周期", "截止", "状态"]
    by_day = {row[3][:10]: row for row in rows[1:] if row[0] == "5K/10K客户回厂率数据统计"}
    assert by_day["2026-11-03"][col] == "80.0" and by_day["2026-11-04"][col] == "88.0"
    assert by_day["2026-11-05"][col] == "" and by_day["2026-11-05"][4] == "未完成"
    assert len(by_day) == 30  # one row per occurrence
    pdf = client.get(f"/checklists/positions/{position_id}/month.pdf?month=2026-11").data
    text = pdftotext(pdf)
    assert "80.0" in text and "88.0" in text and "偏离目标" in text
    assert_cjk_fonts_embedded(pdf)
    results_page = client.get(f"/checklists/items/{item_id}/results?month=2026-11").get_data(as_text=True)
    assert "本月统计" in results_page and "84.0" in results_page  # the average of 80 and 88
    assert "<polyline" in results_page


def test_the_pdf_appends_photos_and_minutes_within_5_mb(app, client, make_user, freeze):
    """A month with 30 phone photos of 工位5S and the 夕会 minutes: both in the appendix,
    the file at most 5 MB."""
    freeze(datetime(2026, 11, 30, 20, 0))
    make_user("wm", position="workshop_manager")
    make_user("wc", position="workshop_clerk", employee_no="E-wc")
    with app.app_context():
        i = _item("wclerk_chaoyue")
        i.created_at = datetime(2026, 10, 1)
        photo = _new_field(i, label="现场照片", kind="photo")
        meeting = _item("wclerk_evening_meeting")
        meeting.created_at = datetime(2026, 10, 1)
        db.session.commit()
        position_id = i.position_id
    from app.auth.models import User
    from app.checklists.ticks import tick
    from app.uploads import open_image

    with app.app_context():
        i, meeting = _item("wclerk_chaoyue"), _item("wclerk_evening_meeting")
        photo = _field(i, "现场照片")
        u = db.session.scalar(select(User).filter_by(username="wm"))
        # three 12-MP phone photos, decoded once; each tick stores its own renditions
        decoded = [open_image(p) for p in photos_for(3)]
        for day in range(1, 31):
            key = date(2026, 11, day).isoformat()
            entries = [F.Entry(_field(i, "工单数"), number=20 + day), F.Entry(_field(i, "差异数"), number=float(day % 4 == 0))]
            entries.append(F.Entry(photo, image=decoded[(day - 1) % 3], filename=f"{day}.jpg"))
            tick(i, key, u, "", F.Submission(entries))
            if day in (3, 17):
                tick(meeting, key, u, "", F.Submission([F.Entry(meeting.fields[0], text=f"第{day}日夕会：返修两台，明日跟进",
                                                                attendees="张伟、刘洋")]))
        db.session.commit()
    client.login("wm")
    pdf = client.get(f"/checklists/positions/{position_id}/month.pdf?month=2026-11").data
    assert len(pdf) <= 5 * 1024 * 1024, len(pdf)
    assert pdfimages_count(pdf) == 30
    text = pdftotext(pdf)
    assert "照片（30 张）" in text and "11月1日" in text and "现场照片" in text
    assert "会议纪要" in text and "第17日夕会：返修两台" in text and "张伟、刘洋" in text
    grid = client.get(f"/checklists/positions/{position_id}?month=2026-11").get_data(as_text=True)
    assert "<sup>照</sup>" in grid and "<sup>纪</sup>" in grid


def test_photos_and_files_are_served_only_to_those_who_see_the_position(app, client, clerk_people, freeze):
    freeze(day_after_tomorrow(10))
    key = day_after_tomorrow(10).date().isoformat()[:7]
    with app.app_context():
        i = _item("clerk_mail_forms")
        photo = _new_field(i, label="照片", kind="photo")
        doc = _new_field(i, label="清单", kind="file")
        db.session.commit()
        item_id, pid, did = i.id, photo.id, doc.id
    client.login("mgr")
    r = client.post_form(f"/checklists/items/{item_id}/{key}/tick",
                         {f"f{pid}": [(io.BytesIO(jpeg()), "现场.jpg")], f"f{did}": [(io.BytesIO(PDF_BYTES), "邮寄清单.pdf")]},
                         content_type="multipart/form-data")
    assert r.status_code == 303
    assert len(uploaded(app)) == 4  # three renditions and the file
    with app.app_context():
        p = db.session.scalar(select(ChecklistValue).filter_by(kind="photo"))
        d = db.session.scalar(select(ChecklistValue).filter_by(kind="file"))
        pid_, did_ = p.id, d.id
    r = client.get(f"/checklists/values/{pid_}/thumb")
    assert r.status_code == 200 and r.mimetype == "image/jpeg"
    r = client.get(f"/checklists/values/{did_}/file")
    assert r.status_code == 200 and r.data == PDF_BYTES and "attachment" in r.headers["Content-Disposition"]
    other = Client(app.test_client())
    other.login("cs2")
    assert other.get(f"/checklists/values/{pid_}/thumb").status_code == 404
    assert other.get(f"/checklists/values/{did_}/file").status_code == 404


def test_the_results_page_follows_a_tick(app, client, clerk_people, freeze):
    """A figure ticked after a first view shows on the next."""
    freeze(day_after_tomorrow(10))
    key = day_after_tomorrow(10).date().isoformat()
    item_id, form = _rate_form(app, five="77.5", ten="90")
    client.login("mgr")
    url = f"/checklists/items/{item_id}/results?month={key[:7]}"
    before = client.get(url).get_data(as_text=True)
    assert "77.5%" not in before and "77.5%" not in client.get(url).get_data(as_text=True)
    assert client.post_form(f"/checklists/items/{item_id}/{key}/tick", form).status_code == 303
    assert "77.5%" in client.get(url).get_data(as_text=True)

"""Inspections (检查整改): the score computed directly, templates and their versions, doing
an inspection through the pages (answers saved one by one, photos, the refused submit),
corrective actions through their states, permissions from the org chart, reports."""
import io
import os
import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app import clock
from app.audit.models import AuditEntry
from app.extensions import db
from app.inspections import actions, inspecting, scoring
from app.inspections import templates as tpl
from app.inspections.errors import Refused
from app.inspections.models import (ActionEvent, CorrectiveAction, Inspection, InspectionAnswer, InspectionPhoto,
                                    InspectionTemplate)
from app.notices.models import Notice
from tests import imagegen
from tests.pdftools import assert_cjk_fonts_embedded, pdfimages_count, pdftotext

CONTENT = {"sections": [
    {"title": "甲", "items": [
        {"key": "a", "question": "地面", "type": "pass_fail", "weight": 2, "na": True},
        {"key": "b", "question": "工具", "type": "score", "min": 1, "max": 5, "pass_min": 3, "weight": 1, "na": True}]},
    {"title": "乙", "items": [
        {"key": "c", "question": "登记", "type": "yes_no", "good": "yes", "weight": 1, "na": True},
        {"key": "d", "question": "温度", "type": "number", "target": 26, "target_dir": "le", "unit": "℃",
         "weight": 3, "na": True}]}]}


# --- the score, called directly ------------------------------------------------------------

def test_score_weighs_items_and_leaves_not_applicable_out():
    s = scoring.score(CONTENT, {"a": "pass", "b": "2", "c": "na", "d": "27.5"}, 80)
    # 甲: a 2/2, b (2-1)/(5-1)=0.25 of 1 → 2.25/3 = 75%; 乙: c left out, d misses ≤26 → 0/3
    assert [x.percent for x in s.sections] == [75.0, 0.0]
    assert s.percent == round(2.25 / 6 * 100, 1) and s.passed is False
    assert [i["key"] for i in s.failed] == ["b", "d"]
    all_na = scoring.score(CONTENT, {"a": "na", "b": "na", "c": "na", "d": "na"}, 80)
    assert all_na.percent is None and all_na.sections[0].percent is None


def test_score_full_marks_pass_and_unanswered_items_are_listed():
    s = scoring.score(CONTENT, {"a": "pass", "b": "5", "c": "yes"}, 80)
    assert s.percent == 100.0 and s.passed is True and [i["key"] for i in s.unanswered] == ["d"]


@pytest.mark.parametrize("key,raw,message", [
    ("b", "6", "1 到 5 之间"), ("b", "x", "1 到 5 之间"), ("a", "maybe", "合格、不合格"), ("d", "abc", "请填写数字"),
    ("c", "ok", "是或否")])
def test_an_answer_out_of_range_is_refused_with_the_item_named(key, raw, message):
    item = next(i for s in CONTENT["sections"] for i in s["items"] if i["key"] == key)
    with pytest.raises(Refused) as exc:
        scoring.parse_value(item, raw)
    assert message in str(exc.value) and item["question"] in str(exc.value)


def test_a_reading_beyond_what_is_possible_is_refused_not_scored():
    """A shipped number item may say what a reading can be at all (室内温度 -10 to 50 ℃): -50
    or 999 is a typo, refused with the item named, not scored as meeting ≤ 26 ℃."""
    shipped = tpl.content_of({"sections": [{"title": "前台", "items": [
        {"key": "t", "question": "室内温度（℃）", "type": "number", "target": 26, "target_dir": "le", "unit": "℃",
         "low": -10, "high": 50}]}]})
    item = shipped["sections"][0]["items"][0]
    for raw in ("-50", "999"):
        with pytest.raises(Refused) as exc:
            scoring.parse_value(item, raw)
        assert str(exc.value) == f"「室内温度（℃）」应在 -10 到 50 之间（填写了 {raw}），请核对。"
    assert scoring.parse_value(item, "24.5") == "24.5"
    # the shipped 5S template's room temperature and percentages say so
    raw = {i["key"]: i for t in tpl.shipped()["templates"] for s in t["sections"] for i in s["items"]}
    assert (raw["f7"]["low"], raw["f7"]["high"]) == (-10, 50) and (raw["w11"]["low"], raw["w11"]["high"]) == (0, 100)


# --- fixtures ------------------------------------------------------------------------------

@pytest.fixture
def people(app, make_user):
    """A workshop manager (inspects the workshop), a technician (works there), a service
    advisor (front desk), the shipped templates loaded."""
    make_user("wm", position="workshop_manager")
    make_user("tech", position="technician", employee_no="T-1")
    make_user("sa", position="service_advisor")
    with app.app_context():
        tpl.load_shipped()
        db.session.commit()
    return app


def _template_id(app, key="workshop_5s") -> int:
    with app.app_context():
        return db.session.scalar(select(InspectionTemplate.id).filter_by(key=key))


def _start(client, app, area="workshop", key="workshop_5s") -> int:
    r = client.post_form("/inspections/start", {"template": _template_id(app, key), "area": area})
    assert r.status_code == 303, r.get_data(as_text=True)[:500]
    return int(r.headers["Location"].rstrip("/").split("/")[-1])


def _items(app, insp_id) -> list[dict]:
    with app.app_context():
        return db.session.get(Inspection, insp_id).version.items()


def _answer_all_pass(client, app, insp_id, but=()):
    for item in _items(app, insp_id):
        if item["key"] in but:
            continue
        value = {"pass_fail": "pass", "yes_no": item.get("good", "yes"), "score": str(item.get("max", 5)),
                 "number": str(item.get("target", 0))}[item["type"]]
        assert client.post_form(f"/inspections/{insp_id}/items/{item['key']}", {"value": value}).status_code == 303


def _submitted_with_fail(client, app, key="w2") -> int:
    """A workshop inspection with w2 (通道, photo required) failed, photographed, submitted."""
    insp = _start(client, app)
    _answer_all_pass(client, app, insp, but=(key,))
    client.post_form(f"/inspections/{insp}/items/{key}", {"value": "fail", "note": "通道堆放轮胎"})
    r = client.post_form(f"/inspections/{insp}/items/{key}/photos",
                         {"photo": (io.BytesIO(imagegen.exif_rotated_with_gps()), "p.jpg")},
                         content_type="multipart/form-data")
    assert r.status_code == 303
    assert client.post_form(f"/inspections/{insp}/submit").status_code == 303
    return insp


# --- templates and versions ----------------------------------------------------------------

def test_the_shipped_templates_load_once_as_examples(app, runner):
    """`flask init` (every install and upgrade) loads them through the part's seed step;
    loading again adds nothing, an edited or retired one stays as it is."""
    with app.app_context():
        loaded = {t.key for t in db.session.scalars(select(InspectionTemplate))}
        assert loaded == {"workshop_5s", "front_5s", "brand_audit"} and tpl.load_shipped() == []
    assert runner.invoke(args=["init"]).exit_code == 0
    with app.app_context():
        assert db.session.scalar(select(func.count(InspectionTemplate.id))) == 3
        audit = db.session.scalar(select(InspectionTemplate).filter_by(key="brand_audit"))
        assert audit.example and audit.current.number == 1
        assert any("签到表" in i["question"] and i["records"] for i in audit.current.items())


def test_editing_a_template_makes_a_version_and_an_inspection_keeps_its_own(people, client):
    app = people
    client.login("wm")
    insp = _start(client, app)
    with app.app_context():
        t = db.session.scalar(select(InspectionTemplate).filter_by(key="workshop_5s"))
        items = {i["key"]: {**i, "question": i["question"] + "（新）" if i["key"] == "w1" else i["question"]}
                 for i in t.current.items()}
        v2 = tpl.new_version(t, {"name": t.name, "pass_mark": 90, "items": items}, None)
        db.session.commit()
        assert v2.number == 2 and v2.item("w1")["question"].endswith("（新）")
        old = db.session.get(Inspection, insp).version
        assert old.number == 1 and not old.item("w1")["question"].endswith("（新）")
        with pytest.raises(Refused, match="没有改动"):
            tpl.new_version(t, {"name": t.name, "pass_mark": 90, "items": items}, None)
        with pytest.raises(Refused, match="权重"):
            tpl.new_version(t, {"name": t.name, "pass_mark": 90, "items": {"w1": {"question": "x", "weight": 0}}}, None)
    page = client.get(f"/inspections/{insp}").get_data(as_text=True)
    assert "第 1 版" in page and "（新）" not in page


def test_the_template_pages_load_edit_and_retire(app, admin_client):
    page = admin_client.get("/inspections/templates").get_data(as_text=True)
    assert "尚未启用的检查计划" in page and "车间5S检查" in page  # the templates came with `flask init`
    assert admin_client.post_form("/inspections/templates/load").status_code == 303
    assert "尚未启用的检查计划" not in admin_client.get("/inspections/templates").get_data(as_text=True)
    tid = _template_id(app, "front_5s")
    r = admin_client.post_form(f"/inspections/templates/{tid}", {"name": "前台5S检查（本店）", "pass_mark": "88",
                                                                  "question-f1": "接待台面整洁", "weight-f1": "3",
                                                                  "photo-f1": "1", "note": "按本店标准"})
    assert r.status_code == 303
    bad = admin_client.post_form(f"/inspections/templates/{tid}", {"name": "前台", "pass_mark": "150"})
    assert bad.status_code == 422 and "合格线应为 0 到 100" in bad.get_data(as_text=True)
    with app.app_context():
        t = db.session.get(InspectionTemplate, tid)
        assert t.name == "前台5S检查（本店）" and t.current.number == 2 and t.current.pass_mark == 88
        assert t.current.item("f1")["weight"] == 3 and t.current.item("f1")["question"] == "接待台面整洁"
    assert admin_client.post_form(f"/inspections/templates/{tid}/active", {"active": "0"}).status_code == 303
    with app.app_context():
        assert db.session.get(InspectionTemplate, tid).active is False


def test_adding_and_removing_template_items_is_checked_before_anything_is_written(people):
    app = people
    with app.app_context():
        t = db.session.scalar(select(InspectionTemplate).filter_by(key="workshop_5s"))
        # the last item cannot go: retire the template instead
        with pytest.raises(Refused, match="至少要保留一个"):
            tpl.new_version(t, {"name": t.name, "pass_mark": 85, "remove": {i["key"] for i in t.current.items()}}, None)
        with pytest.raises(Refused) as exc:
            tpl.new_version(t, {"name": t.name, "pass_mark": 85, "add": {"question": " ", "weight": 1, "section": 0}},
                            None)
        assert exc.value.field == "new_question" and "请填写新增项目的问题" in str(exc.value)
        with pytest.raises(Refused, match="目标值"):
            tpl.new_version(t, {"name": t.name, "pass_mark": 85,
                                "add": {"question": "x", "type": "number", "weight": 1, "section": 0}}, None)
        with pytest.raises(Refused, match="分组"):
            tpl.new_version(t, {"name": t.name, "pass_mark": 85,
                                "add": {"question": "x", "type": "pass_fail", "weight": 1, "section": 99}}, None)
        with pytest.raises(Refused, match="权重"):
            tpl.new_version(t, {"name": t.name, "pass_mark": 85,
                                "add": {"question": "x", "type": "pass_fail", "weight": 11, "section": 0}}, None)
        db.session.rollback()
        assert db.session.get(InspectionTemplate, t.id).current.number == 1
        # a removed key is never given to a new item (answers and actions are stored by key)
        v2 = tpl.new_version(t, {"name": t.name, "pass_mark": 85, "remove": {"w11"}}, None)
        v3 = tpl.new_version(t, {"name": t.name, "pass_mark": 85,
                                 "add": {"question": "新项目", "type": "score", "weight": 1, "section": 0}}, None)
        new = v3.content["sections"][0]["items"][-1]
        assert v2.item("w11") is None and new["question"] == "新项目"
        assert new["key"] not in {i["key"] for i in t.versions[0].items()}
        assert (new["min"], new["max"], new["pass_min"]) == (1, 5, 3)


@pytest.fixture
def admin_people(people, make_user):
    make_user("boss", admin=True)
    return people


def _assign_w2_to_tech(app, inspection_id: int) -> None:
    """wm gives the technician a corrective action (整改) for item w2 of the inspection."""
    from app.auth.models import User

    with app.app_context():
        wm = db.session.scalar(select(User).filter_by(username="wm"))
        tech = db.session.scalar(select(User).filter_by(username="tech"))
        actions.assign(db.session.get(Inspection, inspection_id), "w2", tech.employee_id,
                       clock.local_now().date() + timedelta(days=3), "清理通道", wm)
        db.session.commit()


def test_the_template_editor_adds_and_removes_items(admin_people, client):
    app = admin_people
    client.login("wm")
    old = _submitted_with_fail(client, app, key="w2")
    _assign_w2_to_tech(app, old)
    client.logout()
    client.login("boss")
    tid = _template_id(app)
    page = client.get(f"/inspections/templates/{tid}").get_data(as_text=True)
    assert 'name="remove-w2"' in page and 'name="new_question"' in page
    # a bad new item: the message, nothing written
    r = client.post_form(f"/inspections/templates/{tid}", {"name": "车间5S检查", "pass_mark": "85",
                                                          "new_question": "x" * 301, "new_type": "pass_fail",
                                                          "new_weight": "1", "new_section_index": "1"})
    assert r.status_code == 422 and "新增项目的问题不能超过 300 个字" in r.get_data(as_text=True)
    r = client.post_form(f"/inspections/templates/{tid}", {"name": "车间5S检查", "pass_mark": "85", "remove-w2": "1",
                                                          "remove-w1": "1", "remove-w3": "1"})  # 整理 empties
    assert r.status_code == 303
    r = client.post_form(f"/inspections/templates/{tid}", {
        "name": "车间5S检查", "pass_mark": "85", "new_question": "洗车区排水沟无堵塞", "new_type": "pass_fail",
        "new_weight": "2", "new_photo": "1", "new_section_index": "2", "note": "增加洗车区"})
    assert r.status_code == 303
    r = client.post_form(f"/inspections/templates/{tid}", {
        "name": "车间5S检查", "pass_mark": "85", "new_question": "空压机储气罐压力", "new_type": "number",
        "new_weight": "1", "new_target": "0.8", "new_target_dir": "le", "new_unit": "MPa",
        "new_section_title": "设备安全", "new_section_index": "1"})
    assert r.status_code == 303
    with app.app_context():
        t = db.session.get(InspectionTemplate, tid)
        v = t.current
        keys = [i["key"] for i in v.items()]
        assert v.number == 4 and not {"w1", "w2", "w3"} & set(keys)
        assert [s["title"] for s in v.content["sections"]][0] == "整顿（Seiton）"  # the emptied section is gone
        sections = {sec["title"]: [i["question"] for i in sec["items"]] for sec in v.content["sections"]}
        assert sections["清扫（Seiso）"][-1] == "洗车区排水沟无堵塞" and sections["设备安全"] == ["空压机储气罐压力"]
        added = next(i for i in v.items() if i["question"] == "洗车区排水沟无堵塞")
        gauge = next(i for i in v.items() if i["question"] == "空压机储气罐压力")
        assert added["photo_on_fail"] and added["weight"] == 2 and added["type"] == "pass_fail"
        assert (gauge["type"], gauge["target"], gauge["target_dir"], gauge["unit"]) == ("number", 0.8, "le", "MPa")
        assert added["key"] not in {"w1", "w2", "w3"} and added["key"] != gauge["key"]
        summaries = [e.summary for e in db.session.scalars(select(AuditEntry).filter_by(
            action="inspection_template_version").order_by(AuditEntry.id))]
        assert summaries[-3].endswith("移除 3 项") and summaries[-2].endswith("新增 1 项")
    # the past inspection: w2 still there with its answer, photo and action, on the page and in print
    client.logout()
    client.login("wm")
    page = client.get(f"/inspections/{old}").get_data(as_text=True)
    assert "通道、安全出口畅通无阻挡" in page and "通道堆放轮胎" in page and "/inspections/photos/" in page
    assert "清理通道" in page
    text = pdftotext(client.get(f"/inspections/{old}/report.pdf").data)
    assert "通道、安全出口畅通无阻挡" in text and "通道堆放轮胎" in text and "洗车区排水沟无堵塞" not in text
    # a new inspection has the new list
    new = _start(client, app)
    page = client.get(f"/inspections/{new}").get_data(as_text=True)
    assert "洗车区排水沟无堵塞" in page and "空压机储气罐压力" in page and "通道、安全出口畅通无阻挡" not in page
    with app.app_context():
        assert db.session.get(Inspection, old).version.number == 1


# --- doing an inspection -----------------------------------------------------------------

def test_an_inspection_done_through_the_pages(people, client):
    app = people
    client.login("wm")
    insp = _start(client, app)
    assert "车间5S检查" in client.get(f"/inspections/{insp}").get_data(as_text=True)
    # HTMX: one tap answers, the item's card comes back with the running score
    r = client.post_form(f"/inspections/{insp}/items/w1", {"value": "pass"}, headers={"HX-Request": "true"})
    assert r.status_code == 200 and 'id="item-w1"' in r.get_data(as_text=True) and "insp-score" in r.get_data(as_text=True)
    # a bad score beside the item, nothing changed
    r = client.post_form(f"/inspections/{insp}/items/w4", {"value": "9"}, headers={"HX-Request": "true"})
    assert r.status_code == 422 and "1 到 5 之间" in r.get_data(as_text=True)
    # without JavaScript: the page again, 422, the message beside the item
    r = client.post_form(f"/inspections/{insp}/items/w4", {"value": "0"})
    assert r.status_code == 422 and "1 到 5 之间" in r.get_data(as_text=True) and 'id="item-w4"' in r.get_data(as_text=True)
    _answer_all_pass(client, app, insp, but=("w1", "w2", "w3"))
    client.post_form(f"/inspections/{insp}/items/w2", {"value": "fail"})
    client.post_form(f"/inspections/{insp}/items/w3", {"value": "fail"})
    # submit refused: w2 needs a photo, w3 a photo and a note; the answers stay
    r = client.post_form(f"/inspections/{insp}/submit")
    text = r.get_data(as_text=True)
    assert r.status_code == 422
    assert "通道、安全出口畅通无阻挡」不合格，须拍照" in text and "废油、废液、废滤芯按危废分类存放」不合格，须填写备注说明" in text
    with app.app_context():
        assert db.session.get(Inspection, insp).state == "draft"
        assert db.session.scalar(select(func.count(InspectionAnswer.id)).filter_by(inspection_id=insp)) == 11
    for key in ("w2", "w3"):
        r = client.post_form(f"/inspections/{insp}/items/{key}/photos",
                             {"photo": (io.BytesIO(imagegen.exif_rotated_with_gps()), "p.jpg")},
                             content_type="multipart/form-data", headers={"HX-Request": "true"})
        assert r.status_code == 200 and "/inspections/photos/" in r.get_data(as_text=True)
    client.post_form(f"/inspections/{insp}/items/w3", {"note": "废机油桶未盖盖"})
    r = client.post_form(f"/inspections/{insp}/submit", follow_redirects=True)
    assert "检查已提交" in r.get_data(as_text=True) and "发现的问题与整改" in r.get_data(as_text=True)
    with app.app_context():
        i = db.session.get(Inspection, insp)
        assert i.state == "submitted" and i.submitted_at is not None and i.passed is False
        # weights: w2 and w3 (3 each) failed of 20 possible
        assert i.score == round(14 / 20 * 100, 1)
        photo = db.session.scalar(select(InspectionPhoto).filter_by(inspection_id=insp))
        assert [e.action for e in db.session.scalars(select(AuditEntry).filter_by(object_type="inspection",
                                                                                  object_id=str(insp)))][-1] \
            == "inspection_submit"
    # the photo: upright (600×800 shown), its GPS gone, served to those who may see it
    img = client.get(f"/inspections/photos/{photo.id}/full")
    from PIL import Image

    pic = Image.open(io.BytesIO(img.data))
    assert img.status_code == 200 and pic.size == (600, 800) and not pic.getexif().get(0x8825)
    # edited after submit: refused, nothing changed
    r = client.post_form(f"/inspections/{insp}/items/w1", {"value": "fail"})
    assert r.status_code == 409 and "已提交" in r.get_data(as_text=True)
    # reopened by its inspector with a reason
    assert client.post_form(f"/inspections/{insp}/reopen", {"reason": ""}).status_code == 422
    assert client.post_form(f"/inspections/{insp}/reopen", {"reason": "w1 记错"}).status_code == 303
    with app.app_context():
        assert db.session.get(Inspection, insp).state == "draft"


def _score_box(html: str) -> str:
    start = html.index('id="insp-score"')
    return html[start:html.index("</div>", start)]


def test_a_partly_answered_draft_shows_a_provisional_score_not_a_pass(people, client):
    """With 1 of 11 items answered (合格) the score box says how many are answered and that the
    100 分 is provisional, over the answered items only, with no 合格 colour; the box HTMX
    swaps in after each answer says the same; once all are answered it is the score."""
    app = people
    client.login("wm")
    insp = _start(client, app)
    r = client.post_form(f"/inspections/{insp}/items/w1", {"value": "pass"}, headers={"HX-Request": "true"})
    for box in (_score_box(r.get_data(as_text=True)), _score_box(client.get(f"/inspections/{insp}").get_data(as_text=True))):
        assert "已答 1/11 项" in box and "暂计" in box and "仅按已答项" in box and "全部作答后才评定是否合格" in box
        assert "100.0" in box and 'class="big pass"' not in box
    _answer_all_pass(client, app, insp)
    r = client.post_form(f"/inspections/{insp}/items/w1", {"value": "pass"}, headers={"HX-Request": "true"})
    box = _score_box(r.get_data(as_text=True))
    assert 'class="big pass">100.0</span> 分' in box and "已答 11/11 项" in box and "暂计" not in box


def test_the_score_knows_how_many_items_are_answered():
    content = {"sections": [{"title": "A", "items": [
        {"key": "a", "type": "pass_fail", "weight": 1, "question": "a"},
        {"key": "b", "type": "pass_fail", "weight": 1, "question": "b"}]}]}
    s = scoring.score(content, {"a": "pass"}, 85)
    assert (s.answered, s.total, s.complete) == (1, 2, False)
    s = scoring.score(content, {"a": "pass", "b": "na"}, 85)
    assert (s.answered, s.total, s.complete, s.passed) == (2, 2, True, True)


def _count(app, model=Inspection) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count(model.id)))


def test_starting_an_area_again_opens_ones_own_draft(people, client, make_user):
    """开始 for an area where the user has a draft he has not submitted opens that draft,
    and says so, instead of a second draft beside it; the list offers 继续 on it. Another
    inspector has his own; a submitted or a reopened inspection is not a draft to resume."""
    app = people
    client.login("wm")
    first = _start(client, app)
    client.post_form(f"/inspections/{first}/items/w1", {"value": "pass"})
    r = client.post_form("/inspections/start", {"template": _template_id(app), "area": "workshop"})
    assert r.status_code == 303 and r.headers["Location"].endswith(f"/inspections/{first}")
    page = client.get(r.headers["Location"]).get_data(as_text=True)
    assert "已打开您未提交的草稿" in page and "已答 1/11 项" in page
    assert _count(app) == 1
    listing = client.get("/inspections/").get_data(as_text=True)
    resume = re.search(r'<a class="button il-resume" href="([^"]+)"[^>]*>继续</a>', listing)
    assert resume and resume.group(1) == f"/inspections/{first}"
    # another area: a draft of its own
    tools = _start(client, app, area="workshop_tools")
    assert tools != first and _start(client, app, area="workshop_tools") == tools
    # another inspector of the same area: his own draft, and no 继续 on wm's
    make_user("wm2", position="workshop_manager")
    other = type(client)(app.test_client())
    other.login("wm2")
    theirs = _start(other, app)
    assert theirs not in (first, tools) and _start(other, app) == theirs
    assert f'il-resume" href="/inspections/{first}"' not in other.get("/inspections/").get_data(as_text=True)
    assert _count(app) == 3
    # submitted: the next 开始 is a new inspection; reopened for a correction, it stays
    # a past inspection and 开始 does not open it
    _answer_all_pass(client, app, first)
    assert client.post_form(f"/inspections/{first}/submit").status_code == 303
    second = _start(client, app)
    assert second != first
    assert "已打开您未提交的草稿" not in client.get(f"/inspections/{second}").get_data(as_text=True)
    _answer_all_pass(client, app, second)
    assert client.post_form(f"/inspections/{second}/submit").status_code == 303
    assert client.post_form(f"/inspections/{first}/reopen", {"reason": "w1 记错"}).status_code == 303
    third = _start(client, app)
    assert third not in (first, second) and _start(client, app) == third
    with app.app_context():
        assert db.session.get(Inspection, third).answers == [] and db.session.get(Inspection, first).state == "draft"


def test_a_draft_is_deleted_by_its_inspector_with_its_answers_and_photos(people, client, make_user):
    from app.parts import referenced_uploads

    app = people
    client.login("wm")
    insp = _start(client, app)
    client.post_form(f"/inspections/{insp}/items/w2", {"value": "fail", "note": "通道堆放轮胎"})
    photo = _photo(client, insp)
    with app.app_context():
        key = db.session.get(InspectionPhoto, photo).key
    stored = os.path.join(app.config["UPLOAD_FOLDER"], inspecting.SUB)
    assert any(name.startswith(key) for name in os.listdir(stored))
    page = client.get(f"/inspections/{insp}").get_data(as_text=True)
    form = re.search(r'<form method="post" action="/inspections/%d/delete"[^>]*data-confirm="([^"]+)"' % insp, page)
    assert form and "1 项答案和 1 张照片" in form.group(1) and "删除草稿" in page
    # not a GET, not without the CSRF token, not by someone else (the technician may not
    # see it; the other workshop manager sees it but it is not his)
    assert client.get(f"/inspections/{insp}/delete").status_code == 405
    assert client.post(f"/inspections/{insp}/delete").status_code == 400
    make_user("wm2", position="workshop_manager")
    other = type(client)(app.test_client())
    other.login("wm2")
    assert "删除草稿" not in other.get(f"/inspections/{insp}").get_data(as_text=True)
    assert other.post_form(f"/inspections/{insp}/delete").status_code == 403
    other.logout()
    other.login("tech")
    assert other.post_form(f"/inspections/{insp}/delete").status_code == 403
    assert _count(app) == 1 and _count(app, InspectionAnswer) == 1 and _count(app, InspectionPhoto) == 1
    # its inspector: gone with its answers and photo files; the log keeps what it held
    r = client.post_form(f"/inspections/{insp}/delete", follow_redirects=True)
    assert r.status_code == 200 and "草稿已删除" in r.get_data(as_text=True)
    assert f"/inspections/{insp}\"" not in r.get_data(as_text=True)
    assert client.get(f"/inspections/{insp}").status_code == 404
    assert client.get(f"/inspections/photos/{photo}/thumb").status_code == 404
    assert _count(app) == 0 and _count(app, InspectionAnswer) == 0 and _count(app, InspectionPhoto) == 0
    assert not any(name.startswith(key) for name in os.listdir(stored))
    with app.app_context():
        assert key not in referenced_uploads().get(inspecting.SUB, set())
        entry = db.session.scalar(select(AuditEntry).filter_by(action="inspection_delete"))
        assert entry.object_id == str(insp) and entry.user.username == "wm" and "删除草稿" in entry.summary
        assert entry.before["answers"]["w2"] == {"value": "fail", "note": "通道堆放轮胎"}
        assert entry.before["photos"] == [{"item": "w2", "file": key}]
    assert client.post_form(f"/inspections/{insp}/delete").status_code == 404
    # admin may delete another's draft; a new draft never takes the number the log names
    other = _start(client, app)
    assert other > insp
    make_user("boss", admin=True)
    admin = type(client)(app.test_client())
    admin.login("boss")
    assert admin.post_form(f"/inspections/{other}/delete").status_code == 303 and _count(app) == 0


def test_a_submitted_or_reopened_inspection_is_not_deleted_as_a_draft(people, client):
    app = people
    client.login("wm")
    insp = _submitted_with_fail(client, app)
    assert "删除草稿" not in client.get(f"/inspections/{insp}").get_data(as_text=True)
    r = client.post_form(f"/inspections/{insp}/delete")
    assert r.status_code == 409 and "已提交的检查不能删除" in r.get_data(as_text=True)
    # reopened for a correction: a draft again, but a past inspection, kept
    assert client.post_form(f"/inspections/{insp}/reopen", {"reason": "补充备注"}).status_code == 303
    assert "删除草稿" not in client.get(f"/inspections/{insp}").get_data(as_text=True)
    r = client.post_form(f"/inspections/{insp}/delete")
    assert r.status_code == 409 and "曾经提交过" in r.get_data(as_text=True)
    with app.app_context():
        i = db.session.get(Inspection, insp)
        assert i is not None and i.state == "draft" and len(i.answers) == 11 and len(i.photos) == 1
        with pytest.raises(Refused, match="曾经提交过"):
            inspecting.delete_draft(i, i.inspector)
        assert not db.session.scalar(select(AuditEntry.id).filter_by(action="inspection_delete"))


def test_a_photo_that_is_not_an_image_is_refused_beside_the_item(people, client):
    client.login("wm")
    insp = _start(client, people)
    r = client.post_form(f"/inspections/{insp}/items/w2/photos", {"photo": (io.BytesIO(b"%PDF-1.4 x"), "a.jpg")},
                         content_type="multipart/form-data", headers={"HX-Request": "true"})
    assert r.status_code == 422 and "不是图片" in r.get_data(as_text=True)
    with people.app_context():
        assert db.session.scalar(select(func.count(InspectionPhoto.id))) == 0


def _photo(client, insp, key="w2", htmx=False) -> int:
    r = client.post_form(f"/inspections/{insp}/items/{key}/photos", {"photo": (io.BytesIO(imagegen.jpeg()), "p.jpg")},
                         content_type="multipart/form-data", headers={"HX-Request": "true"} if htmx else {})
    assert r.status_code in (200, 303)
    return max(int(x) for x in re.findall(r"/inspections/photos/(\d+)/thumb", client.get(f"/inspections/{insp}")
                                          .get_data(as_text=True)))


def test_a_draft_photo_is_deleted_by_its_inspector_and_a_submitted_one_stays(people, client, make_user):
    app = people
    client.login("wm")
    insp = _start(client, app)
    keep, wrong = _photo(client, insp), _photo(client, insp)
    with app.app_context():
        key = db.session.get(InspectionPhoto, wrong).key
    stored = os.path.join(app.config["UPLOAD_FOLDER"], inspecting.SUB)
    assert any(name.startswith(key) for name in os.listdir(stored))
    page = client.get(f"/inspections/{insp}").get_data(as_text=True)
    assert f"/inspections/{insp}/photos/{wrong}/delete" in page
    # someone else may not (the technician sees the area; the other manager is not its inspector)
    make_user("wm2", position="workshop_manager")
    other = type(client)(app.test_client())
    other.login("wm2")
    assert other.post_form(f"/inspections/{insp}/photos/{wrong}/delete").status_code == 403
    # HTMX: the item's card comes back without the photo; the files are gone, the log says who
    r = client.post_form(f"/inspections/{insp}/photos/{wrong}/delete", headers={"HX-Request": "true"})
    html = r.get_data(as_text=True)
    assert r.status_code == 200 and 'id="item-w2"' in html
    assert f"/photos/{wrong}/" not in html and f"/photos/{keep}/" in html
    assert not any(name.startswith(key) for name in os.listdir(stored))
    assert client.get(f"/inspections/photos/{wrong}/thumb").status_code == 404
    with app.app_context():
        entry = db.session.scalar(select(AuditEntry).filter_by(action="inspection_photo_delete"))
        assert entry.object_id == str(insp) and "通道" in entry.summary and entry.before["photo"] == wrong
    # the same again, or a photo of another inspection: 404
    assert client.post_form(f"/inspections/{insp}/photos/{wrong}/delete").status_code == 404
    assert client.post_form(f"/inspections/{insp + 1}/photos/{keep}/delete").status_code == 404
    # submitted: refused, the photo stays
    _answer_all_pass(client, app, insp, but=("w2",))
    client.post_form(f"/inspections/{insp}/items/w2", {"value": "fail"})
    assert client.post_form(f"/inspections/{insp}/submit").status_code == 303
    r = client.post_form(f"/inspections/{insp}/photos/{keep}/delete")
    assert r.status_code == 409 and "已提交" in r.get_data(as_text=True)
    assert f"/photos/{keep}/delete" not in client.get(f"/inspections/{insp}").get_data(as_text=True)
    # reopened, but the photo is the evidence of an assigned action: refused
    _assign_w2_to_tech(app, insp)
    assert client.post_form(f"/inspections/{insp}/reopen", {"reason": "补充"}).status_code == 303
    r = client.post_form(f"/inspections/{insp}/photos/{keep}/delete")
    assert r.status_code == 409 and "整改依据" in r.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(InspectionPhoto, keep) is not None


def test_the_list_filters_by_area_and_result_and_pages_by_twenty(people, client):
    app = people
    client.login("wm")
    failed = _submitted_with_fail(client, app, key="w3")  # weight 3 of 20: 85, passes
    with app.app_context():
        assert db.session.get(Inspection, failed).passed is True
    tools = _start(client, app, area="workshop_tools")
    listing = client.get("/inspections/").get_data(as_text=True)
    assert listing.count('class="nowrap il-date"') == 2 and "共 2 次" in listing
    only_tools = client.get("/inspections/?area=workshop_tools").get_data(as_text=True)
    assert only_tools.count('class="nowrap il-date"') == 1 and f"/inspections/{tools}\"" in only_tools
    assert "符合条件的 1 次" in only_tools and 'value="workshop_tools" selected' in only_tools
    drafts = client.get("/inspections/?result=draft").get_data(as_text=True)
    assert drafts.count('class="nowrap il-date"') == 1 and f"/inspections/{tools}\"" in drafts
    assert "没有符合条件的检查记录" in client.get("/inspections/?result=fail").get_data(as_text=True)
    passed = client.get("/inspections/?result=pass").get_data(as_text=True)
    assert passed.count('class="nowrap il-date"') == 1 and f"/inspections/{failed}\"" in passed
    # an unknown filter value is no filter
    assert client.get("/inspections/?area=moon&result=x").get_data(as_text=True).count('class="nowrap il-date"') == 2
    with app.app_context():
        from app.auth.models import User

        wm = db.session.scalar(select(User).filter_by(username="wm"))
        template = db.session.scalar(select(InspectionTemplate).filter_by(key="workshop_5s"))
        for _ in range(21):
            inspecting.start(template, tpl.area("workshop"), wm)
        db.session.commit()
    first = client.get("/inspections/").get_data(as_text=True)
    assert first.count('class="nowrap il-date"') == 20 and "共 23 次" in first and "下一页" in first
    assert client.get("/inspections/?page=2").get_data(as_text=True).count('class="nowrap il-date"') == 3


# --- permissions ---------------------------------------------------------------------------

def test_who_may_inspect_and_see_an_area(people, client):
    from app.auth.models import User
    from app.permissions import may_inspect_area, may_view_area_inspections

    with people.app_context():
        users = {u.username: u for u in db.session.scalars(select(User))}
        workshop, front = tpl.area("workshop"), tpl.area("front_desk")
        assert may_inspect_area(users["wm"], workshop) and not may_inspect_area(users["wm"], front)
        assert not may_inspect_area(users["tech"], workshop) and may_view_area_inspections(users["tech"], workshop)
        assert not may_view_area_inspections(users["sa"], workshop) and may_view_area_inspections(users["sa"], front)
    client.login("wm")
    insp = _submitted_with_fail(client, people)
    client.logout()
    client.login("tech")  # works in the workshop: reads, cannot start
    assert client.get(f"/inspections/{insp}").status_code == 200
    assert client.post_form("/inspections/start", {"template": _template_id(people), "area": "workshop"}).status_code == 403
    client.logout()
    client.login("sa")  # the front desk: not the workshop's inspections
    assert client.get(f"/inspections/{insp}").status_code == 403
    assert client.get(f"/inspections/{insp}/report.pdf").status_code == 403


# --- corrective actions --------------------------------------------------------------------

def _employee_id(app, no="T-1") -> int:
    from app.staff.models import Employee

    with app.app_context():
        return db.session.scalar(select(Employee.id).filter_by(employee_no=no))


def test_an_action_from_assignment_to_verification(people, client):
    app = people
    client.login("wm")
    insp = _submitted_with_fail(client, app)
    tech = _employee_id(app)
    with app.app_context():
        today = clock.local_now().date()
    url = f"/inspections/{insp}/items/w2/action"
    # without assignee, with a past date: refused beside the field, nothing written
    r = client.post_form(url, {"f-w2-assignee": "0", "f-w2-due_on": (today + timedelta(days=2)).isoformat(),
                               "f-w2-what": "清理通道"})
    assert r.status_code == 422 and "请选择整改责任人" in r.get_data(as_text=True)
    r = client.post_form(url, {"f-w2-assignee": tech, "f-w2-due_on": (today - timedelta(days=1)).isoformat(),
                               "f-w2-what": "清理通道"})
    assert r.status_code == 422 and "整改期限不能早于今天" in r.get_data(as_text=True)
    # not a finding
    assert client.post_form(f"/inspections/{insp}/items/w1/action", {"f-w1-assignee": tech,
                            "f-w1-due_on": today.isoformat(), "f-w1-what": "x"}).status_code == 404
    r = client.post_form(url, {"f-w2-assignee": tech, "f-w2-due_on": (today + timedelta(days=2)).isoformat(),
                               "f-w2-what": "清理通道，轮胎放回轮胎架"})
    assert r.status_code == 303
    with app.app_context():
        action = db.session.scalar(select(CorrectiveAction))
        aid = action.id
        assert action.state == "open" and action.finding == "通道、安全出口畅通无阻挡"
        assert db.session.scalar(select(Notice.text).where(Notice.key == f"insp-action:{aid}")).startswith("您有一项整改")
    # a second action for the same finding while one is live: refused
    assert client.post_form(url, {"f-w2-assignee": tech, "f-w2-due_on": today.isoformat(),
                                  "f-w2-what": "再来"}).status_code == 409
    client.logout()
    client.login("tech")
    assert "清理通道" in client.get(f"/inspections/actions/{aid}").get_data(as_text=True)
    r = client.post_form(f"/inspections/actions/{aid}/done", {"note": "已清理"}, content_type="multipart/form-data")
    assert r.status_code == 422 and "请上传整改后的照片" in r.get_data(as_text=True)
    r = client.post_form(f"/inspections/actions/{aid}/done", {"note": "已清理",
                         "photo": (io.BytesIO(imagegen.jpeg()), "after.jpg")}, content_type="multipart/form-data")
    assert r.status_code == 303
    # the assignee cannot verify his own work
    assert client.post_form(f"/inspections/actions/{aid}/close", {}).status_code == 403
    client.logout()
    client.login("wm")
    assert client.post_form(f"/inspections/actions/{aid}/reopen", {"reason": "轮胎架未贴标识"}).status_code == 303
    with app.app_context():
        assert db.session.get(CorrectiveAction, aid).state == "open"
    client.logout()
    client.login("tech")
    client.post_form(f"/inspections/actions/{aid}/done", {"note": "已贴标识",
                     "photo": (io.BytesIO(imagegen.jpeg()), "after2.jpg")}, content_type="multipart/form-data")
    client.logout()
    client.login("wm")
    with app.app_context():  # unread: the assignment and the first 退回 answered, the second 请验证 not yet
        unread = {n.key.split(":")[0] for n in db.session.scalars(select(Notice).where(Notice.read_at.is_(None)))}
        assert unread == {"insp-action-done"}
    assert client.post_form(f"/inspections/actions/{aid}/close", {"note": "复查合格"}).status_code == 303
    with app.app_context():
        a = db.session.get(CorrectiveAction, aid)
        assert a.state == "closed" and a.closed_at is not None and len(a.after_photos) == 2
        # closed: nobody's bell still asks to do or verify it
        assert db.session.scalar(select(func.count(Notice.id)).where(Notice.read_at.is_(None))) == 0
        assert db.session.scalar(select(func.count(Notice.id))) == 4  # assigned, done, reopened, done
        assert [e.kind for e in db.session.scalars(select(ActionEvent).filter_by(action_id=aid).order_by(ActionEvent.id))] \
            == ["assign", "done", "reopen", "done", "close"]
    # closed: cannot be cancelled
    assert client.post_form(f"/inspections/actions/{aid}/cancel", {"reason": "x"}).status_code == 409
    pdf = client.get(f"/inspections/{insp}/report.pdf")
    text = pdftotext(pdf.data)
    assert pdf.status_code == 200 and "已关闭" in text and "清理通道" in text


def test_a_cancelled_action_keeps_its_reason_and_a_new_one_may_follow(people, client):
    app = people
    client.login("wm")
    insp = _submitted_with_fail(client, app)
    tech = _employee_id(app)
    with app.app_context():
        today = clock.local_now().date()
        i = db.session.get(Inspection, insp)
        from app.auth.models import User

        wm = db.session.scalar(select(User).filter_by(username="wm"))
        a = actions.assign(i, "w2", tech, today, "清理", wm)
        db.session.commit()
        aid = a.id
    r = client.post_form(f"/inspections/actions/{aid}/cancel", {"reason": ""})
    assert r.status_code == 422
    cancel = r.get_data(as_text=True).split("<details open><summary>取消整改</summary>", 1)[1].split("</details>", 1)[0]
    assert "has-error" in cancel and 'role="alert"' in cancel  # beside its field, the section open
    assert client.post_form(f"/inspections/actions/{aid}/cancel", {"reason": "已由物业统一处理"}).status_code == 303
    with app.app_context():
        a = db.session.get(CorrectiveAction, aid)
        assert a.state == "cancelled" and a.reason == "已由物业统一处理"
        wm = db.session.scalar(select(User).filter_by(username="wm"))
        actions.assign(db.session.get(Inspection, insp), "w2", tech, today, "重新安排", wm)


def test_overdue_actions_are_noticed_once_per_due_date(people, client):
    app = people
    client.login("wm")
    insp = _submitted_with_fail(client, app)
    tech = _employee_id(app)
    with app.app_context():
        from app.auth.models import User

        wm = db.session.scalar(select(User).filter_by(username="wm"))
        day = clock.local_now().date() - timedelta(days=10)
        a = actions.assign(db.session.get(Inspection, insp), "w2", tech, day, "清理", wm, today=day)
        db.session.commit()
        now = clock.local_now()
        assert actions.overdue_notices(now) == 2  # the assignee and the one who assigned it
        assert actions.overdue_notices(now) == 0
        a.due_on = day + timedelta(days=1)  # a new due date: noticed again
        db.session.commit()
        assert actions.overdue_notices(now) == 2
        db.session.commit()
    page = client.get("/inspections/actions?show=overdue").get_data(as_text=True)
    assert "清理" in page and "逾期" in page


def test_the_workspace_blocks_show_the_assignee_his_action_and_the_inspector_what_to_verify(people, client):
    from app.auth.models import User
    from app.inspections import desk
    from app.parts import Desk

    app = people
    client.login("wm")
    insp = _submitted_with_fail(client, app)
    with app.app_context():
        users = {u.username: u for u in db.session.scalars(select(User))}
        today = clock.local_now().date()
        a = actions.assign(db.session.get(Inspection, insp), "w2", users["tech"].employee_id, today, "清理", users["wm"])
        with app.test_request_context():
            tech_desk = Desk(users["tech"], users["tech"].employee, users["tech"].position, clock.local_now())
            wm_desk = Desk(users["wm"], users["wm"].employee, users["wm"].position, clock.local_now())
            assert [r.id for r in desk.my_actions(tech_desk).rows] == [a.id]
            assert desk.to_verify(wm_desk) is None
            actions.record_done(a, "好了", type("U", (), {"read": lambda self: imagegen.jpeg()})(), users["tech"], [])
            assert [r.id for r in desk.to_verify(wm_desk).rows] == [a.id] and desk.my_actions(tech_desk) is None
            assert desk.to_verify(tech_desk) is None  # never his own
        db.session.rollback()


def test_the_manager_and_the_supervisors_see_the_overdue_actions_of_their_areas(people, client, make_user):
    """逾期未完成的整改 in 待我处理: the department manager sees every area's, the workshop
    manager his workshop's, a colleague who supervises nobody none; the assignee has his own
    in 我的整改. A few lines and the number of all, linked to the overdue list."""
    from app.auth.models import User

    app = people
    make_user("boss", position="after_sales_manager")
    client.login("wm")
    insp = _submitted_with_fail(client, app)
    tech = _employee_id(app)
    with app.app_context():
        wm = db.session.scalar(select(User).filter_by(username="wm"))
        today = clock.local_now().date()
        # one open action per finding is the rule; for a list this long, rows as they would be
        for n in range(11):
            due = today - timedelta(days=20 - n) if n < 10 else today + timedelta(days=2)
            db.session.add(CorrectiveAction(inspection_id=insp, item_key="w2", finding=f"通道堆放{n}", what="清理",
                                            assignee_id=tech, due_on=due, created_by_id=wm.id))
        db.session.commit()
    for who in ("boss", "wm"):
        client.logout()
        client.login(who)
        page = client.get("/").get_data(as_text=True)
        assert "逾期未完成的整改" in page, who
        assert "全部 10 项逾期整改" in page and "/inspections/actions?show=overdue" in page
        assert page.count("逾期 20 天") == 1 and "逾期 12 天" not in page  # the earliest first, eight shown
    for who in ("sa", "tech"):
        client.logout()
        client.login(who)
        assert "逾期未完成的整改" not in client.get("/").get_data(as_text=True), who


# --- reports -------------------------------------------------------------------------------

def test_the_inspection_report_pdf(people, client):
    client.login("wm")
    insp = _submitted_with_fail(client, people)
    r = client.get(f"/inspections/{insp}/report.pdf")
    assert r.status_code == 200 and r.mimetype == "application/pdf"
    text = pdftotext(r.data)
    for expected in ("车间5S检查 检查报告", "车间维修区", "第 1 版", "wm", "整理（Seiri）", "通道、安全出口畅通无阻挡",
                     "不合格", "通道堆放轮胎", "尚未下达整改", "检查人：", "区域负责人："):
        assert expected in text, expected
    assert_cjk_fonts_embedded(r.data)
    assert pdfimages_count(r.data) == 1
    assert len(r.data) < 1_500_000


def test_the_open_actions_as_pdf_and_xlsx(people, client):
    from openpyxl import load_workbook

    app = people
    client.login("wm")
    insp = _submitted_with_fail(client, app)
    tech = _employee_id(app)
    with app.app_context():
        from app.auth.models import User

        wm = db.session.scalar(select(User).filter_by(username="wm"))
        day = clock.local_now().date() - timedelta(days=3)
        actions.assign(db.session.get(Inspection, insp), "w2", tech, day, "清理通道", wm, today=day)
        db.session.commit()
    pdf = client.get("/inspections/actions.pdf")
    text = "".join(pdftotext(pdf.data).split())
    assert "整改清单" in text and "清理通道" in text and "逾期3天" in text
    assert_cjk_fonts_embedded(pdf.data)
    x = client.get("/inspections/actions.xlsx")
    ws = load_workbook(io.BytesIO(x.data)).active
    rows = list(ws.values)
    assert rows[0][:3] == ("区域", "问题", "整改要求") and rows[1][2] == "清理通道" and rows[1][6] == 3
    assert isinstance(rows[1][4], __import__("datetime").datetime)


def test_the_actions_pdf_columns_hold_their_words(people, client):
    """序号, the area, a name, a date and 逾期 N 天 each come out whole (the header had
    wrapped as 序/号 and the area as 车间维修/区); an area breaks only after its "/"."""
    from app.auth.models import User

    app = people
    client.login("wm")
    shop = _submitted_with_fail(client, app)
    tools = _start(client, app, area="workshop_tools")
    _answer_all_pass(client, app, tools, but=("w5",))
    client.post_form(f"/inspections/{tools}/items/w5", {"value": "fail"})
    assert client.post_form(f"/inspections/{tools}/submit").status_code == 303
    tech = _employee_id(app)
    with app.app_context():
        wm = db.session.scalar(select(User).filter_by(username="wm"))
        day = clock.local_now().date() - timedelta(days=12)
        actions.assign(db.session.get(Inspection, shop), "w2", tech, day, "清理通道，轮胎放回轮胎架并贴标识", wm, today=day)
        actions.assign(db.session.get(Inspection, tools), "w5", tech, day + timedelta(days=20), "补贴操作规程", wm, today=day)
        db.session.commit()
        due = f"{day:%Y-%m-%d}"
    pdf = client.get("/inspections/actions.pdf")
    lines = pdftotext(pdf.data).splitlines()
    words = {w for line in lines for w in line.split()}  # what a line of a cell holds
    for whole in ("序号", "区域", "责任人", "车间维修区", "车间工具室/", "tech", due):
        assert whole in words, whole
    assert "设备区" in words  # the second line of 车间工具室/设备区, nothing else broken off
    assert "逾期 12 天" in lines


def test_the_trend_of_an_area_over_months(people, client):
    app = people
    client.login("wm")
    first = _submitted_with_fail(client, app)
    second = _start(client, app)
    _answer_all_pass(client, app, second)
    client.post_form(f"/inspections/{second}/submit")
    with app.app_context():
        a = db.session.get(Inspection, first)
        a.submitted_at = a.submitted_at - timedelta(days=40)
        db.session.commit()
    page = client.get("/inspections/trend?area=workshop").get_data(as_text=True)
    assert "<svg" in page and "<polyline" in page and "100.0" in page and "85.0" in page
    assert client.get("/inspections/trend?area=nowhere").status_code == 404


def test_the_trend_axis_has_round_ticks_up_to_100_from_below_the_lowest_score():
    """Read without squinting on a phone: five or so round steps, not a label every 10
    from 0, and the axis reaches below the lowest month."""
    from datetime import date

    from app.inspections import reports

    months = reports._months(date(2026, 12, 7))

    def ticks(*scores):
        series = reports.Series("车间5S检查", 85, {months[i]: (v, 1) for i, v in enumerate(scores)})
        return [str(g["value"]) for g in reports.trend_chart({"months": months, "series": [series]})["grid"]]

    assert ticks(82.4, 68.4, 90) == ["50", "60", "70", "80", "90", "100"]
    assert ticks(33, 90) == ["20", "40", "60", "80", "100"]
    assert ticks(5.5) == ["0", "20", "40", "60", "80", "100"]


def test_the_demo_data(app):
    from app.demo import seed_staff
    from app.inspections import demo

    with app.app_context():
        seed_staff()
        lines = demo.seed(True)
        db.session.commit()
        assert lines and "13 次车间5S检查" in lines[0]
        scores = list(db.session.scalars(select(Inspection.score).where(Inspection.area_key == "workshop",
                                                                        Inspection.state == "submitted")))
        assert len(scores) == 13 and len(set(scores)) > 3
        states = {s for s in db.session.scalars(select(CorrectiveAction.state))}
        assert {"open", "done", "closed"} <= states
        today = clock.local_now().date()
        assert any(a.overdue(today) for a in db.session.scalars(select(CorrectiveAction)))
        assert db.session.scalar(select(func.count(InspectionPhoto.id)).where(InspectionPhoto.action_id.is_not(None)))
        assert demo.seed(True) == []


def test_the_demo_actions_histories_are_dated_as_their_stories(app):
    """Each demo action is assigned after its inspection and, where done or closed, done
    and verified in order before its due date, in the past: not at the moment of seeding
    (action #8 of the 11-25 inspection, due 11-28, had shown 下达整改 and 整改完成 on the
    day of seeding, yet 待验证). Its audit records, after photo and notices say the same."""
    from app.demo import seed_staff
    from app.inspections import demo
    from app.notices.models import Notice

    with app.app_context():
        seed_staff()
        demo.seed(True)
        db.session.commit()
        seeded = clock.to_utc(clock.local_now()) - timedelta(hours=1)
        rows = list(db.session.scalars(select(CorrectiveAction).order_by(CorrectiveAction.id)))
        assert {"done", "closed"} <= {a.state for a in rows}
        notices = 0
        for a in rows:
            events = {e.kind: e.at for e in a.events}
            assert [e.kind for e in a.events] == {"open": ["assign"], "done": ["assign", "done"],
                                                  "closed": ["assign", "done", "close"]}[a.state], a.id
            times = [e.at for e in a.events]
            assert times == sorted(times) and times[-1] < seeded, (a.id, times)
            assert a.inspection.submitted_at < events["assign"] == a.created_at, a.id
            for step in ("done", "close"):
                if step in events:
                    assert clock.to_local(events[step]).date() <= a.due_on, (a.id, step)
            if a.state == "closed":
                assert a.closed_at == events["close"]
            if a.state in ("done", "closed"):
                assert [p.at for p in a.after_photos] == [events["done"]]
            audit = {e.action.rsplit("_", 1)[1]: e.at for e in db.session.scalars(
                select(AuditEntry).filter_by(object_type="inspection_action", object_id=str(a.id)))}
            assert audit == events, a.id
            sent = {n.key.split(":")[0]: n.created_at for n in db.session.scalars(select(Notice).where(
                (Notice.key == f"insp-action:{a.id}") | Notice.key.startswith(f"insp-action-done:{a.id}:")))}
            assert sent.get("insp-action", events["assign"]) == events["assign"], a.id
            assert sent.get("insp-action-done", events.get("done")) == events.get("done"), a.id
            notices += len(sent)
        assert notices >= len(rows) // 2


def test_the_action_and_inspection_permissions_decide_from_people_and_the_org_chart(people, client):
    """Called directly: who edits a draft, who reopens, who updates and who verifies an action."""
    from app import permissions as p
    from app.auth.models import User

    app = people
    client.login("wm")
    done = _submitted_with_fail(client, app)
    draft = _start(client, app)  # after the submit: a new draft (开始 again would open his own)
    tech = _employee_id(app)
    with app.app_context():
        users = {u.username: u for u in db.session.scalars(select(User))}
        d, s = db.session.get(Inspection, draft), db.session.get(Inspection, done)
        workshop = tpl.area("workshop")
        with app.test_request_context():
            assert [n for n in ("wm", "tech", "sa") if p.may_edit_inspection(users[n], d)] == ["wm"]
            assert not p.may_edit_inspection(users["wm"], s) and p.may_reopen_inspection(users["wm"], s)
            # a draft is its inspector's (and the area's inspectors'); a submitted one the area's too
            assert [n for n in ("wm", "tech", "sa") if p.may_view_inspection(users[n], d, workshop)] == ["wm"]
            assert [n for n in ("wm", "tech", "sa") if p.may_view_inspection(users[n], s, workshop)] == ["wm", "tech"]
            a = actions.assign(s, "w2", tech, clock.local_now().date(), "清理", users["wm"])
            assert [n for n in ("wm", "tech", "sa") if p.may_update_action(users[n], a)] == ["tech"]
            assert [n for n in ("wm", "tech", "sa") if p.may_verify_action(users[n], a, workshop)] == ["wm"]
            assert [n for n in ("wm", "tech", "sa") if p.may_view_action(users[n], a, workshop)] == ["wm", "tech"]
        db.session.rollback()
    client.logout()
    client.login("tech")
    assert client.get(f"/inspections/{draft}").status_code == 403
    assert client.post_form(f"/inspections/{draft}/items/w1", {"value": "pass"}).status_code == 403


def test_an_unknown_item_is_404_and_someone_elses_draft_is_not_his_to_fill(people, client, make_user):
    app = people
    make_user("mgr", position="after_sales_manager")
    client.login("wm")
    insp = _start(client, app)
    assert client.post_form(f"/inspections/{insp}/items/nope", {"value": "pass"}).status_code == 404
    client.logout()
    client.login("mgr")  # supervises the workshop too: sees the draft, cannot answer in it
    assert client.get(f"/inspections/{insp}").status_code == 200
    assert client.post_form(f"/inspections/{insp}/items/w1", {"value": "pass"}).status_code == 403
    assert client.post_form(f"/inspections/{insp}/submit").status_code == 403


def test_a_scheduled_inspection_is_a_checklist_item_its_submit_ticks(people, client):
    from app.checklists.models import ChecklistItem, ChecklistMark
    from app.checklists.schedule import period_of
    from app.inspections import schedules

    app = people
    with app.app_context():
        assert schedules.load() == 2 and schedules.load() == 0
        item = db.session.scalar(select(ChecklistItem).filter_by(seed_key="insp_workshop_5s"))
        assert item.title == "车间5S检查（车间维修区）" and item.kind == "weekly" and item.position.seed_key == "workshop_manager"
        item.created_at -= timedelta(days=30)  # installed a month ago: this week's occurrence exists
        db.session.commit()
        item_id, week = item.id, period_of("weekly", clock.local_now().date()).key
    client.login("wm")
    assert "车间5S检查（车间维修区）" in client.get("/").get_data(as_text=True)  # 本岗位点检, this week
    insp = _start(client, app)
    _answer_all_pass(client, app, insp)
    assert client.post_form(f"/inspections/{insp}/submit").status_code == 303
    with app.app_context():
        mark = db.session.scalar(select(ChecklistMark).filter_by(item_id=item_id, period_key=week))
        assert mark is not None and mark.done and f"检查记录 #{insp}" in mark.note and "100.0" in mark.note
    with app.app_context():  # one tick, the inspection's
        assert db.session.scalar(select(func.count(ChecklistMark.id)).filter_by(item_id=item_id)) == 1


def test_the_uploads_check_keeps_the_inspection_photos(app):
    """The nightly orphan check asks each part for its files: an inspection photo a row
    refers to stays, a stray file in the folder goes."""
    import os
    import time

    from app.jobs.tasks import uploads_check
    from app.parts import referenced_uploads

    with app.app_context():
        folder = os.path.join(app.config["UPLOAD_FOLDER"], "inspections")
        os.makedirs(folder, exist_ok=True)
        stray = os.path.join(folder, "0123456789abcdef0123456789abcdef-full.jpg")
        with open(stray, "wb") as f:
            f.write(b"x")
        old = time.time() - 7200
        os.utime(stray, (old, old))
        assert "inspections" in referenced_uploads()
        assert uploads_check(remove=True) == ["inspections/0123456789abcdef0123456789abcdef-full.jpg"]
        assert not os.path.exists(stray)


def test_a_second_inspector_of_the_same_area_is_told_of_the_first_ones_draft(people, client, make_user):
    """王经理 starts 车间5S检查 of 车间维修区 while 张伟's draft of it is open: a new draft
    (his own), with a notice naming 张伟's; a third start by 张伟 resumes his own quietly."""
    app = people
    client.login("wm")
    first = _start(client, app)
    make_user("wm2", position="workshop_manager")
    other = type(client)(app.test_client())
    other.login("wm2")
    r = other.post_form("/inspections/start", {"template": _template_id(app), "area": "workshop"},
                        follow_redirects=True)
    html = r.get_data(as_text=True)
    assert r.status_code == 200 and "注意：wm（" in html and "尚未提交。如为同一次检查，请与其确认" in html
    with app.app_context():
        assert _count(app) == 2
    r = client.post_form("/inspections/start", {"template": _template_id(app), "area": "workshop"},
                         follow_redirects=True)
    assert f"/inspections/{first}" in r.request.path and "注意：" not in r.get_data(as_text=True)


def test_whoever_marks_an_assignee_as_left_is_told_his_open_actions(people, client):
    """离职 (parts.employee_left): the 整改 he still had to do are counted and named."""
    from app.auth.models import User
    from app.parts import employee_left

    app = people
    client.login("wm")
    insp = _submitted_with_fail(client, app, key="w2")
    _assign_w2_to_tech(app, insp)
    with app.test_request_context():
        tech = db.session.scalar(select(User).filter_by(username="tech")).employee
        lines = [line for line in employee_left(tech, None) if "整改" in line]
        assert len(lines) == 1 and "还有 1 项整改未完成（通道" in lines[0] and "改派给他人" in lines[0]
        wm = db.session.scalar(select(User).filter_by(username="wm")).employee
        assert not [line for line in employee_left(wm, None) if "整改" in line]
        db.session.rollback()


def test_an_action_still_to_do_is_given_to_someone_else_with_a_reason(people, client, make_user):
    """改派 (the holder left, or is the wrong person): by the area's inspector, with a reason;
    the new holder is told and sees it as his, the old one's notice no longer waits, the
    record and the audit log say who to whom and why; not by the technician, nor to the
    holder himself."""
    from app.auth.models import User
    from app.notices.models import Notice

    app = people
    make_user("tech2", position="technician", employee_no="T-2")
    client.login("wm")
    insp = _submitted_with_fail(client, app)
    _assign_w2_to_tech(app, insp)
    with app.app_context():
        aid = db.session.scalar(select(CorrectiveAction.id))
        tech2 = db.session.scalar(select(User).filter_by(username="tech2"))
        tech2_emp, tech2_id = tech2.employee_id, tech2.id
        old_id = db.session.scalar(select(User.id).filter_by(username="tech"))
    url = f"/inspections/actions/{aid}/reassign"
    r = client.post_form(url, {"ra-assignee": tech2_emp, "ra-reason": ""})
    assert r.status_code == 422 and "请填写原因" in r.get_data(as_text=True)
    r = client.post_form(url, {"ra-assignee": "0", "ra-reason": ""})  # both said at once
    assert "请填写原因" in r.get_data(as_text=True) and "请选择新的整改责任人" in r.get_data(as_text=True)
    other = type(client)(app.test_client())
    other.login("tech")
    assert other.post_form(url, {"ra-assignee": tech2_emp, "ra-reason": "换人"}).status_code == 403
    r = client.post_form(url, {"ra-assignee": tech2_emp, "ra-reason": "何师傅调岗"}, follow_redirects=True)
    assert r.status_code == 200 and "整改已改派给 tech2" in r.get_data(as_text=True)
    with app.app_context():
        a = db.session.get(CorrectiveAction, aid)
        assert a.assignee_id == tech2_emp and a.state == "open"
        assert db.session.scalar(select(Notice).filter_by(user_id=tech2_id)).text.startswith("您有一项整改（改派）")
        assert db.session.scalar(select(Notice.read_at).filter_by(user_id=old_id, key=f"insp-action:{aid}"))
        entry = db.session.scalar(select(AuditEntry).filter_by(action="inspection_action_reassign"))
        assert entry.before == {"assignee": "tech"} and entry.after["reason"] == "何师傅调岗"
    assert "改派" in client.get(f"/inspections/actions/{aid}").get_data(as_text=True)
    r = client.post_form(url, {"ra-assignee": tech2_emp, "ra-reason": "再来"})
    assert r.status_code == 422 and "已是该整改的责任人" in r.get_data(as_text=True)

import re

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.handbook.models import Duty, GlossaryTerm, PositionRevision, ReadConfirmation
from app.handbook.revisions import current_revision, duties_of, wording_only
from app.handbook.search import like_pattern, search
from app.org.models import Position
from tests.conftest import Client


def pid(app, key):
    with app.app_context():
        return db.session.scalar(select(Position.id).filter_by(seed_key=key))


def revision_count(app, position_id):
    with app.app_context():
        return db.session.scalar(select(func.count(PositionRevision.id)).filter_by(position_id=position_id))


def edit_payload(app, position_id, **override):
    """The edit form as the browser would post it for the current state."""
    with app.app_context():
        p = db.session.get(Position, position_id)
        data = {
            "title": p.title, "department": p.department,
            "superior_ids": [x.id for x in p.superiors], "subordinate_ids": [x.id for x in p.subordinates],
            "base_revision": str(current_revision(p).number if current_revision(p) else 0), "note": "",
        }
        rows = []
        for d in duties_of(p):
            rows.append((d.id, d.text, False))
            rows += [(c.id, c.text, True) for c in d.items]
    rows = override.pop("rows", rows)
    for i, (duty_id, text, sub) in enumerate(rows):
        data[f"duties-{i}-id"] = "" if duty_id is None else str(duty_id)
        data[f"duties-{i}-text"] = text
        data[f"duties-{i}-order"] = str((i + 1) * 10)
        if sub:
            data[f"duties-{i}-sub"] = "y"
    for key, value in override.items():
        data[key] = value
    return data, rows


# --- reading -------------------------------------------------------------------------

def test_home_shows_chart_and_counts(app, client, make_user):
    make_user("tech", position="technician")
    client.login("tech")
    html = client.get("/handbook/").get_data(as_text=True)
    assert "<svg" in html and 'class="org-node external"' in html and "org-edge" in html
    assert "售后经理" in html and "总经理" in html


def test_position_page_numbered_duties_links_terms(app, client, make_user):
    make_user("tech", position="technician")
    client.login("tech")
    html = client.get(f"/handbook/positions/{pid(app, 'workshop_clerk')}").get_data(as_text=True)
    assert "负责工单的收集、统计、整理和存档:" in html
    assert '<ol class="items">' in html and "(5)</span>" in html
    # glossary terms marked with their explanation (hover: title, tap: focusable tooltip)
    assert re.search(r'<dfn class="term" tabindex="0" title="SMB看板：[^"]+"', html)
    assert 'href="/handbook/positions/%d"' % pid(app, "workshop_manager") in html  # superior as link
    assert "第 1 版" in html and "打印 / PDF" in html


def test_terms_inside_text_are_escaped(app):
    from app.handbook.glossary import mark_terms

    with app.test_request_context():
        out = str(mark_terms("<b>KPI</b> & 夕会"))
    assert "&lt;b&gt;" in out and "&amp;" in out and out.count("<dfn") == 2


# --- search --------------------------------------------------------------------------

def test_search_chinese_substrings(app):
    with app.app_context():
        hits = search("夕会")
        kinds = {h.kind for h in hits}
        assert {"duty", "term"} <= kinds
        duty_hit = next(h for h in hits if h.kind == "duty" and h.title == "车间文员")
        assert duty_hit.number == "1(4)"
        assert any(h.kind == "position" for h in search("内勤"))
        assert search("不存在的词语") == []
        assert search("   ") == []


def test_search_special_characters_are_literal(app):
    with app.app_context():
        assert like_pattern("50%_\\") == "%50\\%\\_\\\\%"
        assert search("%") != [] and all("%" in h.text or "%" in h.title for h in search("%"))
        assert search("_") == []
        assert search("<script>") == []
        assert len(search("98%")) == 1


def test_search_page_and_fragment(client, make_user):
    make_user("tech", position="technician")
    client.login("tech")
    full = client.get("/handbook/search?q=预约").get_data(as_text=True)
    assert "<html" in full and "<mark>预约</mark>" in full
    frag = client.get("/handbook/search?q=<b>x", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "<html" not in frag and "没有找到与“&lt;b&gt;x”相关" in frag


# --- confirmations -------------------------------------------------------------------

def test_confirm_once_per_revision_and_again_after_duties_change(app, client, make_user):
    make_user("li", position="after_sales_clerk")
    admin = Client(app.test_client())
    make_user("boss", admin=True)
    admin.login("boss")
    client.login("li")
    position_id = pid(app, "after_sales_clerk")
    page = client.get(f"/handbook/positions/{position_id}").get_data(as_text=True)
    assert "我已阅读并理解" in page
    assert "您尚未确认阅读本岗位职责" in client.get("/handbook/").get_data(as_text=True)
    # never confirmed: the workspace asks him to read them, not about a 新版本
    home = client.get("/").get_data(as_text=True)
    assert "请阅读并确认您的岗位职责" in home and "有新版本" not in home
    r = client.post_form(f"/handbook/positions/{position_id}/confirm", {"revision": "1"})
    assert r.status_code == 303
    client.post_form(f"/handbook/positions/{position_id}/confirm", {"revision": "1"})  # double tap
    with app.app_context():
        assert db.session.scalar(select(func.count(ReadConfirmation.id))) == 1
        c = db.session.scalar(select(ReadConfirmation))
        assert c.revision.number == 1 and c.user.username == "li" and c.confirmed_at
    assert "您已于" in client.get(f"/handbook/positions/{position_id}").get_data(as_text=True)
    assert "尚未确认阅读" not in client.get("/handbook/").get_data(as_text=True)

    # a rename only: no need to read again (the page, and the reminder of the handbook's index)
    data, _ = edit_payload(app, position_id, title="售后内勤（文员）")
    assert admin.post_form(f"/handbook/positions/{position_id}/edit", data).status_code == 303
    assert "我已阅读并理解" not in client.get(f"/handbook/positions/{position_id}").get_data(as_text=True)
    assert "尚未确认阅读" not in client.get("/handbook/").get_data(as_text=True)

    # a change of duties: asked again
    data, rows = edit_payload(app, position_id)
    rows[0] = (rows[0][0], rows[0][1] + "（每月核对一次）", False)
    data, _ = edit_payload(app, position_id, rows=rows)
    assert admin.post_form(f"/handbook/positions/{position_id}/edit", data).status_code == 303
    page = client.get(f"/handbook/positions/{position_id}").get_data(as_text=True)
    assert "我已阅读并理解" in page and "第 3 版" in page
    assert "您的岗位职责有新版本尚未确认阅读" in client.get("/handbook/").get_data(as_text=True)
    home = client.get("/").get_data(as_text=True)
    assert "您的岗位职责有新版本" in home and "请阅读并确认您的岗位职责" not in home
    # confirming an outdated revision is refused with a message, nothing recorded
    r = client.post_form(f"/handbook/positions/{position_id}/confirm", {"revision": "2"}, follow_redirects=True)
    assert "岗位职责已更新" in r.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count(ReadConfirmation.id))) == 1
    client.post_form(f"/handbook/positions/{position_id}/confirm", {"revision": "3"})
    with app.app_context():
        assert db.session.scalar(select(func.count(ReadConfirmation.id))) == 2
    assert "尚未确认阅读" not in client.get("/handbook/").get_data(as_text=True)


def test_a_wording_only_revision_asks_nobody_who_confirmed_to_confirm_again(app, client, make_user):
    """仅文字修改 (a punctuation fix): a new revision in the history, marked 文字修改, and
    whoever confirmed the previous one stays confirmed, without a notice; someone who never
    confirmed is still asked; a later change of the duties asks everyone again."""
    from app.notices.models import Notice

    make_user("li", position="after_sales_clerk")
    make_user("new", position="after_sales_clerk")
    make_user("boss", admin=True)
    admin = Client(app.test_client())
    admin.login("boss")
    client.login("li")
    position_id = pid(app, "after_sales_clerk")
    assert client.post_form(f"/handbook/positions/{position_id}/confirm", {"revision": "1"}).status_code == 303

    data, rows = edit_payload(app, position_id)
    rows[0] = (rows[0][0], rows[0][1].replace(",", "，") + "。", False)
    data, _ = edit_payload(app, position_id, rows=rows, note="标点", wording_only="y")
    assert "仅文字修改" in admin.get(f"/handbook/positions/{position_id}/edit").get_data(as_text=True)
    assert admin.post_form(f"/handbook/positions/{position_id}/edit", data).status_code == 303
    page = client.get(f"/handbook/positions/{position_id}").get_data(as_text=True)
    assert "我已阅读并理解" not in page and "您已于" in page
    assert "尚未确认阅读" not in client.get("/handbook/").get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count(Notice.id)).where(Notice.kind == "revision")) == 0
        revision = current_revision(db.session.get(Position, position_id))
        assert revision.number == 2 and wording_only(revision)
    history = admin.get(f"/handbook/positions/{position_id}/revisions").get_data(as_text=True)
    assert "文字修改" in history
    log = admin.get("/admin/audit/?action=position_revision").get_data(as_text=True)
    assert "文字修改，已确认的员工无需重新确认" in log
    # the new holder never confirmed: still asked
    new = Client(app.test_client())
    new.login("new")
    assert "我已阅读并理解" in new.get(f"/handbook/positions/{position_id}").get_data(as_text=True)

    # a change of the duties themselves: asked again
    data, rows = edit_payload(app, position_id)
    rows[0] = (rows[0][0], rows[0][1] + "（每月核对一次）", False)
    data, _ = edit_payload(app, position_id, rows=rows)
    assert admin.post_form(f"/handbook/positions/{position_id}/edit", data).status_code == 303
    assert "我已阅读并理解" in client.get(f"/handbook/positions/{position_id}").get_data(as_text=True)
    with app.app_context():
        assert not wording_only(current_revision(db.session.get(Position, position_id)))
        assert db.session.scalar(select(func.count(Notice.id)).where(Notice.kind == "revision")) == 2  # li, new


def test_only_holders_confirm(app, client, make_user):
    make_user("tech", position="technician")
    client.login("tech")
    r = client.post_form(f"/handbook/positions/{pid(app, 'after_sales_clerk')}/confirm", {"revision": "1"})
    assert r.status_code == 403


def test_no_confirmation_asked_for_a_position_without_duties(app, client, make_user):
    make_user("tech", position="technician")  # the document gives 技师 no duties
    client.login("tech")
    html = client.get(f"/handbook/positions/{pid(app, 'technician')}").get_data(as_text=True)
    assert "原文档未包含此岗位的职责描述" in html and "我已阅读并理解" not in html
    r = client.post_form(f"/handbook/positions/{pid(app, 'technician')}/confirm", {"revision": "1"},
                         follow_redirects=True)
    assert "此岗位尚无职责描述，无需确认阅读" in r.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count(ReadConfirmation.id))) == 0
    # the handbook's index does not tell him he has confirmed what was never written
    index = client.get("/handbook/").get_data(as_text=True)
    assert "本岗位的职责尚未发布，暂无需确认阅读" in index and "您已确认阅读" not in index
    # his supervisor's list of who has not confirmed names the position as having none
    make_user("boss", position="workshop_manager")
    client.logout()
    client.login("boss")
    page = client.get("/handbook/unconfirmed").get_data(as_text=True)
    assert "尚未发布职责、无需确认的岗位" in page and ">技师</a>" in page


def test_confirmation_list_for_supervisor_and_pdf(app, client, make_user):
    make_user("li", position="after_sales_clerk")
    make_user("wang", position="after_sales_clerk", employee_no="E-wang")
    Client_li = Client(app.test_client())
    Client_li.login("li")
    position_id = pid(app, "after_sales_clerk")
    Client_li.post_form(f"/handbook/positions/{position_id}/confirm", {"revision": "1"})
    make_user("mgr", position="after_sales_manager")
    client.login("mgr")
    html = client.get(f"/handbook/positions/{position_id}/confirmations").get_data(as_text=True)
    assert "已确认 <strong>1</strong> 人，未确认 <strong>1</strong> 人" in html
    r = client.get(f"/handbook/positions/{position_id}/confirmations?format=pdf")
    assert r.mimetype == "application/pdf"
    from tests.pdftools import pdftotext

    text = pdftotext(r.data)
    assert "岗位职责阅读确认表" in text and "li" in text and "wang" in text and "未确认" in text


def test_confirmation_list_refused_to_peers(app, client, make_user):
    make_user("tech", position="technician")
    client.login("tech")
    assert client.get(f"/handbook/positions/{pid(app, 'after_sales_clerk')}/confirmations").status_code == 403


# --- editing and revisions ------------------------------------------------------------

def test_edit_add_remove_reorder_sub_items_and_diff(app, admin_client):
    position_id = pid(app, "after_sales_manager")
    data, rows = edit_payload(app, position_id)
    new_rows = [rows[1], rows[0]]                       # reorder
    new_rows.append((None, "主持每周质量例会", False))      # add
    new_rows.append((None, "检查返修车辆", True))           # add a sub-item
    new_rows += rows[2:6]                                 # drop duty 7 (and keep 3-6)
    data, _ = edit_payload(app, position_id, rows=new_rows, note="调整顺序")
    data[f"duties-{len(new_rows)}-id"] = str(rows[6][0])  # duty 7 posted with remove ticked
    data[f"duties-{len(new_rows)}-text"] = rows[6][1]
    data[f"duties-{len(new_rows)}-remove"] = "y"
    r = admin_client.post_form(f"/handbook/positions/{position_id}/edit", data)
    assert r.status_code == 303
    with app.app_context():
        p = db.session.get(Position, position_id)
        duties = duties_of(p)
        assert [d.text for d in duties][:3] == [rows[1][1], rows[0][1], "主持每周质量例会"]
        assert [c.text for c in duties[2].items] == ["检查返修车辆"]
        assert len(duties) == 7
        removed = db.session.get(Duty, rows[6][0])
        assert removed.active is False  # kept for links and history
        rev = current_revision(p)
        assert rev.number == 2 and rev.author_name == "boss" and rev.note == "调整顺序"
    old = admin_client.get(f"/handbook/positions/{position_id}/revisions/1").get_data(as_text=True)
    assert rows[6][1] in old and "这是历史版本" in old
    d = admin_client.get(f"/handbook/positions/{position_id}/diff?a=1&b=2").get_data(as_text=True)
    assert "<ins>主持每周质量例会</ins>" in d and "<ins>检查返修车辆</ins>" in d
    assert f"<del>{rows[6][1]}</del>" in d
    # moved duties show as moved lines, not as every later duty rewritten
    assert d.count('diff-row change') == 0
    log = admin_client.get("/admin/audit/?action=position_revision").get_data(as_text=True)
    assert "修订岗位职责" in log and f'/handbook/positions/{position_id}/diff?a=1&amp;b=2">与上一版比较' in log
    assert "新增：" in log and "主持每周质量例会" in log  # what came, not the whole text twice


def test_unchanged_save_makes_no_revision(app, admin_client):
    position_id = pid(app, "workshop_clerk")
    data, _ = edit_payload(app, position_id)
    r = admin_client.post_form(f"/handbook/positions/{position_id}/edit", data, follow_redirects=True)
    assert "没有修改" in r.get_data(as_text=True)
    assert revision_count(app, position_id) == 1


def test_second_admin_gets_conflict_nothing_overwritten(app, make_user):
    make_user("a1", admin=True)
    make_user("a2", admin=True)
    c1, c2 = Client(app.test_client()), Client(app.test_client())
    c1.login("a1")
    c2.login("a2")
    position_id = pid(app, "after_sales_clerk")
    data1, _ = edit_payload(app, position_id, title="内勤一")
    data2, _ = edit_payload(app, position_id, title="内勤二")  # both opened revision 1
    assert c1.post_form(f"/handbook/positions/{position_id}/edit", data1).status_code == 303
    r = c2.post_form(f"/handbook/positions/{position_id}/edit", data2)
    html = r.get_data(as_text=True)
    assert r.status_code == 409
    assert "保存冲突" in html and f"/handbook/positions/{position_id}/revisions/2" in html
    assert 'value="内勤二"' in html  # the second admin's input is kept on the page
    with app.app_context():
        assert db.session.get(Position, position_id).title == "内勤一"
    assert revision_count(app, position_id) == 2


@pytest.mark.parametrize("case,override,message", [
    ("empty title", {"title": "  "}, "岗位名称不能为空"),
    ("duplicate title", {"title": "技师"}, "岗位名称不能重复"),
])
def test_refused_edits_change_nothing(app, admin_client, case, override, message):
    position_id = pid(app, "after_sales_clerk")
    data, _ = edit_payload(app, position_id, **override)
    r = admin_client.post_form(f"/handbook/positions/{position_id}/edit", data)
    assert r.status_code == 422 and message in r.get_data(as_text=True)
    assert revision_count(app, position_id) == 1


def test_empty_duty_refused(app, admin_client):
    position_id = pid(app, "after_sales_clerk")
    data, rows = edit_payload(app, position_id)
    rows[2] = (rows[2][0], "   ", False)
    data, _ = edit_payload(app, position_id, rows=rows)
    r = admin_client.post_form(f"/handbook/positions/{position_id}/edit", data)
    assert r.status_code == 422 and "第 3 行职责内容为空" in r.get_data(as_text=True)
    assert revision_count(app, position_id) == 1
    with app.app_context():
        assert db.session.get(Duty, rows[2][0]).text.startswith("负责管理厂家信息系统人员")


def test_cycle_in_editor_refused(app, admin_client):
    position_id = pid(app, "after_sales_manager")
    data, _ = edit_payload(app, position_id, superior_ids=[pid(app, "technician")])
    r = admin_client.post_form(f"/handbook/positions/{position_id}/edit", data)
    assert r.status_code == 422 and "循环汇报关系" in r.get_data(as_text=True)
    with app.app_context():
        assert {p.title for p in db.session.get(Position, position_id).superiors} == {"总经理", "董事长"}


def test_editor_add_row_fragment(app, admin_client):
    r = admin_client.get(f"/handbook/positions/{pid(app, 'technician')}/edit/row?index=7",
                         headers={"HX-Request": "true"})
    assert 'name="duties-7-text"' in r.get_data(as_text=True) and "<html" not in r.get_data(as_text=True)


# --- glossary ------------------------------------------------------------------------

def test_admin_edits_glossary(app, admin_client):
    r = admin_client.post_form("/handbook/glossary/new", {"term": "返修率", "aliases": "返工率，返修", "explanation": "维修后因同一问题再次进厂的比例。", "active": "y"})
    assert r.status_code == 303
    with app.app_context():
        t = db.session.scalar(select(GlossaryTerm).filter_by(term="返修率"))
        assert t.aliases == "返工率|返修"
    dup = admin_client.post_form("/handbook/glossary/new", {"term": "夕会", "explanation": "x", "active": "y"})
    assert dup.status_code == 422 and "已存在" in dup.get_data(as_text=True)
    empty = admin_client.post_form("/handbook/glossary/new", {"term": "新词", "explanation": ""})
    assert empty.status_code == 422 and "请填写解释" in empty.get_data(as_text=True)
    assert "返修率" in admin_client.get("/handbook/glossary").get_data(as_text=True)


def test_diff_marks_characters_in_a_changed_duty():
    from app.handbook.revisions import diff

    base = {"title": "售后内勤", "department": "d", "superiors": [], "subordinates": []}
    old = dict(base, duties=[{"text": "每月25日前邮寄交车检查表", "items": []}])
    new = dict(base, title="售后内勤主管", duties=[{"text": "每月20日前邮寄交车检查表", "items": []}])
    lines = {l.kind: l for l in diff(old, new) if l.kind != "same"}
    assert set(lines) == {"change"}
    changed = [l for l in diff(old, new) if l.kind == "change"]
    assert str(changed[0].old) == "售后内勤" and str(changed[0].new) == "售后内勤<ins>主管</ins>"
    assert "<del>5</del>" in str(changed[1].old) and "<ins>0</ins>" in str(changed[1].new)


def test_who_has_not_confirmed_across_supervised_positions(app, client, make_user):
    make_user("mgr", position="after_sales_manager")      # supervises the whole department
    make_user("li", position="after_sales_clerk")
    make_user("wc", position="workshop_clerk")
    make_user("tech", position="technician")              # 技师: no duties, asks no confirmation
    client.login("mgr")
    html = client.get("/handbook/unconfirmed").get_data(as_text=True)
    assert "售后内勤" in html and ">li<" in html and ">wc<" in html and ">tech<" not in html
    assert "第 1 版 · 1 人未确认" in html  # each position's current revision and how many
    li = Client(app.test_client())
    li.login("li")
    li.post_form(f"/handbook/positions/{pid(app, 'after_sales_clerk')}/confirm", {"revision": "1"})
    html = client.get("/handbook/unconfirmed").get_data(as_text=True)
    assert ">li<" not in html and ">wc<" in html
    assert li.get("/handbook/unconfirmed").status_code == 403  # supervises nobody


def test_reporting_lines_in_the_documents_order(app, client, make_user):
    make_user("tech", position="technician")
    client.login("tech")
    html = client.get(f"/handbook/positions/{pid(app, 'after_sales_manager')}").get_data(as_text=True)
    facts = html.split('class="facts"')[1].split("</dl>")[0]
    assert facts.index("总经理") < facts.index("董事长")  # 直属上级:总经理、董事长


def test_what_the_app_inferred_or_mended_is_marked(app, client, make_user):
    from tests.pdftools import pdftotext

    make_user("tech", position="technician")
    client.login("tech")
    html = client.get(f"/handbook/positions/{pid(app, 'after_sales_clerk')}").get_data(as_text=True)
    assert "原文档未写此岗位名称" in html and "推断</" not in html         # inferred title, no jargon badge
    assert html.count("※ 标出系统整理过的地方") == 1                     # what the mark means, once
    assert "扫描错误校正：KPl → KPI" in html                              # a fixed scan error
    wc = client.get(f"/handbook/positions/{pid(app, 'workshop_clerk')}").get_data(as_text=True)
    assert "原文档未写明此汇报关系" in wc                                  # an inferred line
    assert "TAeT → TACT" in wc and "文本跨页" in wc
    text = pdftotext(client.get(f"/handbook/positions/{pid(app, 'after_sales_clerk')}/print.pdf").data)
    assert "系统说明，非原文档内容" in text and "KPl → KPI" in text.replace("\n", "")


def test_overlong_department_and_duty_refused_nothing_saved(app, admin_client):
    """所属部门 of 4,000 characters took 13.7 s to print: every text field is bounded by its
    column (and a duty by a printed page), with a Chinese message and nothing changed."""
    position_id = pid(app, "after_sales_clerk")
    before = revision_count(app, position_id)
    for override, message in (({"department": "部" * 4000}, "所属部门最多60字"),
                               ({"title": "岗" * 61}, "岗位名称最多60字")):
        data, _ = edit_payload(app, position_id, **override)
        r = admin_client.post_form(f"/handbook/positions/{position_id}/edit", data)
        assert r.status_code == 422 and message in r.get_data(as_text=True)
    data, rows = edit_payload(app, position_id)
    data["duties-0-text"] = "职" * 1001
    r = admin_client.post_form(f"/handbook/positions/{position_id}/edit", data)
    assert r.status_code == 422 and "最多1000字" in r.get_data(as_text=True)
    assert revision_count(app, position_id) == before
    with app.app_context():
        assert db.session.get(Position, position_id).department == "售后服务部"


def test_revision_diff_shows_the_changes_with_unchanged_lines_folded(app, admin_client):
    """Found on a phone: the diff repeated "第 1 版（…）：" on every row and showed every
    unchanged row, 2,600 px for 2 changes."""
    position_id = pid(app, "after_sales_manager")
    data, rows = edit_payload(app, position_id)
    rows = list(rows)
    rows[2] = (rows[2][0], rows[2][1] + "，每周复核一次", rows[2][2])
    data, _ = edit_payload(app, position_id, rows=rows)
    assert admin_client.post_form(f"/handbook/positions/{position_id}/edit", data).status_code in (302, 303)
    d = admin_client.get(f"/handbook/positions/{position_id}/diff?a=1&b=2").get_data(as_text=True)
    assert "<ins>，每周复核一次</ins>" in d and d.count("diff-row change") == 1
    assert "1 处改动" in d and f"{len(rows) - 1} 条未改动" in d
    assert d.count('<details class="diff-same">') == 2      # before and after the change, folded
    assert d.count("（" + "2026") <= 2                       # the versions' dates said once, not per row

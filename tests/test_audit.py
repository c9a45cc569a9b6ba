from sqlalchemy import select

from app.audit.models import AuditEntry
from app.extensions import db


def test_audit_browser_filters(app, admin_client):
    admin_client.post_form("/org/positions", {"title": "钣金技师", "department": "售后服务部"})
    html = admin_client.get("/admin/audit/?action=position_create").get_data(as_text=True)
    assert "钣金技师" in html and "新增岗位" in html
    html = admin_client.get("/admin/audit/?action=login").get_data(as_text=True)
    assert "钣金技师" not in html and "boss" in html
    html = admin_client.get("/admin/audit/?actor=nobody").get_data(as_text=True)
    assert "没有符合条件的记录" in html


def test_the_actor_filter_finds_a_person_by_name_or_username(app, admin_client, make_user):
    """The log records usernames (chenxy); an admin looks for 陈晓燕."""
    make_user("chenxy", position="workshop_clerk")
    with app.app_context():
        from app.staff.models import Employee

        db.session.scalar(select(Employee).filter_by(name="chenxy")).name = "陈晓燕"
        db.session.add(AuditEntry(action="position_create", object_type="position", actor="chenxy", summary="陈晓燕的操作"))
        db.session.add(AuditEntry(action="position_create", object_type="position", actor="boss", summary="管理员的操作"))
        db.session.commit()
    for who in ("陈晓燕", "晓燕", "chenxy"):
        html = admin_client.get(f"/admin/audit/?actor={who}").get_data(as_text=True)
        assert "陈晓燕的操作" in html and "管理员的操作" not in html, who
    assert "没有符合条件的记录" in admin_client.get("/admin/audit/?actor=%25").get_data(as_text=True)


def test_audit_records_who_when_before_after(app, admin_client):
    admin_client.post_form("/org/positions", {"title": "钣金技师", "department": "售后服务部"})
    with app.app_context():
        e = db.session.scalar(select(AuditEntry).filter_by(action="position_create"))
        assert e.actor == "boss" and e.user_id is not None and e.at is not None
        assert e.after["title"] == "钣金技师" and e.ip == "127.0.0.1"


def test_audit_date_filter_uses_local_days(app, admin_client):
    html = admin_client.get("/admin/audit/?start=2000-01-01&end=2000-01-02").get_data(as_text=True)
    assert "没有符合条件的记录" in html
    html = admin_client.get("/admin/audit/?start=bad-date").get_data(as_text=True)
    assert "boss" in html


def test_the_log_shows_changes_in_chinese_field_by_field(app, admin_client):
    """An item's edit reads 最低库存 / 启用 / 类型 in words, not raw JSON with English keys."""
    from app.audit.changes import change_rows

    rows = change_rows({"min_stock": 5, "active": True, "kind": "photo", "target_dir": "ge", "working_days": "01234"},
                       {"min_stock": 8, "active": False, "kind": "number", "target_dir": "le", "working_days": "0123456"})
    assert rows == [("最低库存", "5", "8"), ("启用", "是", "否"), ("类型", "照片", "数值"),
                    ("目标方向", "不低于目标（≥）", "不高于目标（≤）"),
                    ("工作日", "周一、周二、周三、周四、周五", "周一、周二、周三、周四、周五、周六、周日")]
    from sqlalchemy import select

    from app.supplies.models import SupplyCategory
    with app.app_context():
        cat = db.session.scalar(select(SupplyCategory.id).order_by(SupplyCategory.id))
    form = {"name": "防割手套", "spec": "", "category_id": cat, "unit": "副", "decimals": "0", "min_stock": "10",
            "size_kind": "", "active": "y"}
    admin_client.post_form("/supplies/items/new", form)
    page = admin_client.get("/admin/audit/?action=supply_item_create").get_data(as_text=True)
    assert "<th scope=\"row\">最低库存</th>" in page and "<th scope=\"row\">启用</th><td></td><td>是</td>" in page
    assert '"min_stock"' not in page and "size_kind" not in page


def test_equipment_and_inspection_records_read_in_chinese_words():
    """A loan's, a fault's, a count's and a template's fields are named in Chinese, not as
    the keys they are recorded under (borrower, due_on, pass_mark …)."""
    from app.audit.changes import change_rows

    rows = change_rows({"borrower": "马超", "quantity": 4, "due_on": "2026-12-04"},
                       {"condition": "缺件", "missing": 1, "returned_on": "2026-12-07", "expected": 3, "pass_mark": 80})
    assert [r[0] for r in rows] == ["借用人", "数量", "预计归还", "归还状况", "缺失", "归还日期", "应有", "合格线"]


def test_a_revision_of_duties_shows_what_went_and_what_came_not_both_texts_whole():
    """One comma changed in a position's eight duties: the record's row names that duty as
    it was and as it is, not sixteen duties joined together; short lists stay whole."""
    from app.audit.changes import change_rows

    before = [f"{n}. 职责{n}" for n in range(1, 9)]
    after = before[:3] + ["4. 职责4，并上报"] + before[4:]
    assert change_rows({"lines": before}, {"lines": after}) == [("明细", "删去：4. 职责4", "新增：4. 职责4，并上报")]
    assert change_rows({"lines": before}, {"lines": before[::-1]})[0][1:] == ("", "（仅调整顺序）")
    assert change_rows({"attendees": ["甲", "乙"]}, {"attendees": ["甲", "丙"]})[0] == ("人员", "甲、乙", "甲、丙")

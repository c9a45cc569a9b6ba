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

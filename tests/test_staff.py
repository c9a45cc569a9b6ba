import io

from sqlalchemy import func, select

from app.audit.models import AuditEntry
from app.extensions import db
from app.staff.importer import decode, parse
from app.staff.models import Employee

GOOD_AND_BAD = (
    "姓名,工号,岗位,电话,入职日期,在职\n"
    "张三,T101,技师,13900000001,2024-03-01,在职\n"
    "李四,T102,车间文员,13900000002,2023/7/15,\n"
    ",T103,技师,,,\n"                      # no name
    "王五,T101,技师,,,\n"                   # duplicate number in file
    "赵六,T104,喷漆工,,,\n"                 # unknown position
    "钱七,T105,技师,abc,2024-13-01,在职\n"  # bad phone and date
    "孙八,T106,,,2022年5月3日,离职\n"
)


def count(app):
    with app.app_context():
        return db.session.scalar(select(func.count(Employee.id)))


def test_parse_reports_each_bad_row(app):
    with app.app_context():
        rows = parse(GOOD_AND_BAD)
    errors = {r.line: r.errors for r in rows}
    assert errors[2] == [] and errors[3] == [] and errors[8] == []
    assert errors[4] == ["姓名为空"]
    assert errors[5] == ["工号与第 2 行重复"]
    assert errors[6] == ["岗位“喷漆工”不存在"]
    assert "电话格式不正确" in errors[7] and any("入职日期格式不正确" in e for e in errors[7])


def test_decode_utf8_bom_and_gbk():
    text = "姓名,工号\n张三,T1\n"
    assert decode(("\ufeff" + text).encode("utf-8")) == text
    assert decode(text.encode("gbk")) == text


def test_import_preview_then_confirm_gbk(app, admin_client):
    before = count(app)
    upload = {"file": (io.BytesIO(GOOD_AND_BAD.encode("gbk")), "员工.csv")}
    r = admin_client.post_form("/staff/import", upload, content_type="multipart/form-data")
    html = r.get_data(as_text=True)
    assert r.status_code == 200
    assert "3</strong> 行可导入" in html and "4</strong> 行有误" in html
    assert "岗位“喷漆工”不存在" in html and "工号与第 2 行重复" in html
    assert count(app) == before  # nothing imported by the preview
    payload = html.split('<textarea name="payload" hidden>')[1].split("</textarea>")[0]
    import html as htmllib

    r = admin_client.post_form("/staff/import/confirm", {"payload": htmllib.unescape(payload)})
    assert r.status_code == 303
    assert count(app) == before + 3
    with app.app_context():
        sun = db.session.scalar(select(Employee).filter_by(employee_no="T106"))
        assert sun.active is False and str(sun.hire_date) == "2022-05-03" and sun.position is None
        li = db.session.scalar(select(Employee).filter_by(employee_no="T102"))
        assert li.position.title == "车间文员"
        assert db.session.scalar(select(func.count(AuditEntry.id)).filter_by(action="employee_import")) == 3


def test_import_updates_existing_by_employee_number(app, admin_client):
    admin_client.post_form("/staff/import/confirm", {"payload": "姓名,工号,电话\n张三,T101,13900000001\n"})
    admin_client.post_form("/staff/import/confirm", {"payload": "姓名,工号,电话\n张三,T101,13900000009\n"})
    with app.app_context():
        rows = db.session.scalars(select(Employee).filter_by(employee_no="T101")).all()
        assert len(rows) == 1 and rows[0].phone == "13900000009"


def test_import_refuses_broken_csv_and_formula_names(app, admin_client):
    """A lone CR inside a field, a field over the csv module's limit, a name Excel would
    run as a formula: a Chinese message, 4xx, nobody imported."""
    before = count(app)
    for raw in ('姓名,工号\n"张\r三",T1\r\n'.encode(), ("姓名,工号\n" + "张" * 140_000 + ",T1\n").encode(),
                '姓名,工号\n"a\rb'.encode()):
        r = admin_client.post_form("/staff/import", {"file": (io.BytesIO(raw), "x.csv")},
                                   content_type="multipart/form-data")
        assert r.status_code in (200, 422), r.status_code
        text = r.get_data(as_text=True)
        assert "无法读取此 CSV 文件" in text or "行有误" in text or "姓名过长" in text
    r = admin_client.post_form("/staff/import/confirm",
                               {"payload": '姓名,工号\n=HYPERLINK("http://x"),T9\n@SUM(1),T10\n'})
    assert count(app) == before


def test_import_refuses_unusable_file(app, admin_client):
    upload = {"file": (io.BytesIO("名字\n张三\n".encode()), "x.csv")}
    r = admin_client.post_form("/staff/import", upload, content_type="multipart/form-data")
    assert r.status_code == 422 and "缺少必填列：工号" in r.get_data(as_text=True)
    upload = {"file": (io.BytesIO(b"\xff\xfe\x00\x00garbage\x81"), "x.csv")}
    r = admin_client.post_form("/staff/import", upload, content_type="multipart/form-data")
    assert r.status_code == 422


def test_create_edit_employee_and_duplicate_number(app, admin_client):
    r = admin_client.post_form("/staff/new", {"name": "周八", "employee_no": "T200", "position_id": "0", "phone": "", "active": "y"})
    assert r.status_code == 303
    r = admin_client.post_form("/staff/new", {"name": "吴九", "employee_no": "T200", "position_id": "0", "active": "y"})
    assert r.status_code == 422 and "已被 周八 使用" in r.get_data(as_text=True)
    with app.app_context():
        emp = db.session.scalar(select(Employee).filter_by(employee_no="T200"))
    r = admin_client.post_form(f"/staff/{emp.id}/edit", {"name": "周八", "employee_no": "T200", "position_id": "0", "phone": "0571-8888888"})
    assert r.status_code == 303
    with app.app_context():
        emp = db.session.get(Employee, emp.id)
        assert emp.phone == "0571-8888888" and emp.active is False  # unchecked box = left
        entry = db.session.scalar(select(AuditEntry).filter_by(action="employee_update"))
        assert entry.before == {"phone": None, "employed": True}
        assert entry.after == {"phone": "0571-8888888", "employed": False}
    assert "在职" in admin_client.get("/admin/audit/").get_data(as_text=True)  # not an account's 启用


def test_an_employee_who_leaves_loses_his_account_and_its_logins(app, admin_client, make_user):
    """离职 on the directory's form: his account is deactivated in the same save (audited),
    his open logins end, he cannot log in again, and the admin is told so."""
    from app.auth.models import User
    from tests.conftest import Client

    make_user("zhaomin", position="technician")
    he = Client(app.test_client())
    he.login("zhaomin")
    assert he.get("/").status_code == 200
    with app.app_context():
        emp = db.session.scalar(select(User).filter_by(username="zhaomin")).employee
        form = {"name": emp.name, "employee_no": emp.employee_no, "position_id": str(emp.position_id)}
    r = admin_client.post_form(f"/staff/{emp.id}/edit", form, follow_redirects=True)  # 在职 unticked
    assert r.status_code == 200 and "已停用 " in r.get_data(as_text=True) and "的账号 zhaomin" in r.get_data(as_text=True)
    assert "仍借用" not in r.get_data(as_text=True)  # he holds no tool
    with app.app_context():
        user = db.session.scalar(select(User).filter_by(username="zhaomin"))
        assert user.active is False
        entry = db.session.scalar(select(AuditEntry).filter_by(action="user_update", object_id=str(user.id)))
        assert "离职，账号停用" in entry.summary and entry.after == {"active": False}
    assert he.get("/", follow_redirects=False).status_code in (302, 303)  # his open login ended
    r = he.login("zhaomin")  # with his right password
    assert r.status_code == 401 and "用户名或密码不正确" in r.get_data(as_text=True)


def test_staff_search_filters(admin_client):
    admin_client.post_form("/staff/import/confirm", {"payload": "姓名,工号,岗位\n张三,T101,技师\n李四,T102,车间文员\n"})
    html = admin_client.get("/staff/?q=张").get_data(as_text=True)
    assert "张三" in html and "李四" not in html

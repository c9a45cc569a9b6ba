"""What a plain employee sees of his colleagues, and links nobody may follow: found trying
the demo as each user (a technician saw coworkers' exam results, phone numbers and login
names; the coverage tabs answered him 403; the new hire never saw his onboarding plan)."""
import re

import pytest
from sqlalchemy import select

from app.extensions import db
from app.staff.models import Employee
from app.trainings.models import Attendee, Training
from tests.pdftools import pdftotext
from tests.test_workspace import home


@pytest.fixture
def app(demo_app):
    return demo_app


def _colleague_with_a_score(app):
    """(employee id, training id, score) of a technician other than 何师傅 who was assessed."""
    with app.app_context():
        hesf = db.session.scalar(select(Employee).filter_by(employee_no="S012"))
        a = db.session.scalar(select(Attendee).join(Employee, Employee.id == Attendee.employee_id)
                              .where(Attendee.score != "", Attendee.employee_id != hesf.id,
                                     Employee.position_id == hesf.position_id))
        if a is None:  # give one
            t = db.session.scalar(select(Training).order_by(Training.id))
            other = db.session.scalar(select(Employee).filter_by(employee_no="S013"))
            a = Attendee(training_id=t.id, employee_id=other.id, name=other.name, position_title="技师",
                         status="signed", score="不合格", passed=False, feedback="制动部分需重修")
            db.session.add(a)
        else:
            a.score, a.passed, a.feedback = "不合格", False, "制动部分需重修"
        t = db.session.get(Training, a.training_id)
        if not any(x.employee_id == hesf.id for x in t.attendees):
            db.session.add(Attendee(training_id=t.id, employee_id=hesf.id, name=hesf.name, position_title="技师",
                                    status="signed"))
        db.session.commit()
        return a.employee_id, a.training_id


def test_a_technician_sees_no_coworker_results_phone_or_login(app, client):
    colleague, training = _colleague_with_a_score(app)
    home(client, "hesf")
    page = client.get(f"/staff/{colleague}").get_data(as_text=True)
    assert "考核" not in page and "不合格" not in page and "138000000" not in page
    assert "培训记录" not in page and "系统账号" not in page and "技师" in page  # name and position stay
    directory = client.get("/staff/").get_data(as_text=True)
    assert "138000000" not in directory and "hesf" not in directory and "wangjg" not in directory
    assert "王建国" in directory
    assert "没有符合条件的员工" in client.get("/staff/?q=13800000013").get_data(as_text=True)  # no search by phone
    pdf = pdftotext(client.get(f"/trainings/{training}/record.pdf").data)
    assert "不合格" not in pdf and "制动部分需重修" not in pdf and "合格率" not in pdf


def test_the_person_his_supervisor_and_the_clerk_still_see_them(app, client):
    colleague, training = _colleague_with_a_score(app)
    with app.app_context():
        no = db.session.get(Employee, colleague).employee_no
    for username in ("zhangwei", "chenxy"):  # 车间主任 (supervises 技师), the training clerk
        home(client, username)
        page = client.get(f"/staff/{colleague}").get_data(as_text=True)
        assert "不合格" in page and "138000000" in page, username
        assert "制动部分需重修" in pdftotext(client.get(f"/trainings/{training}/record.pdf").data), username
    assert no


def test_no_tab_a_technician_cannot_open(app, client):
    home(client, "hesf")
    with app.app_context():
        me = db.session.scalar(select(Employee).filter_by(employee_no="S012")).id
    page = client.get(f"/coverage/employees/{me}").get_data(as_text=True)
    assert client.get("/coverage/").status_code == 403
    assert "覆盖矩阵" not in page and "到期提醒" not in page and "新员工入职" not in page


def test_the_new_hire_sees_his_onboarding_plan_on_his_workspace(app, client):
    page = home(client, "lintao")
    plan = page.split("我的入职计划", 1)[1].split("</section>", 1)[0]
    assert "阅读并确认《技师》岗位职责" in plan and "应于" in plan
    assert "入职计划详情" in plan
    # each step not yet done leads to where it is done, and each link opens for him
    links = re.findall(r'<a class="step-go" href="([^"]+)">([^<]+)</a>', plan)
    assert {label.rstrip(" ›") for _, label in links} >= {"去阅读", "查看培训安排", "我的劳保领用"}, links
    for url, _ in links:
        assert client.get(url.replace("&amp;", "&")).status_code == 200, url
    assert "我的入职计划" not in home(client, "hesf")  # twelve years in: no plan


def test_audit_dates_out_of_bounds_are_a_chinese_400(app, client, make_user):
    make_user("boss", admin=True)
    home(client, "boss")
    for q in ("end=9999-12-31", "start=0001-01-01", "start=2026-02-30"):
        r = client.get(f"/admin/audit/?{q}")
        assert r.status_code == 400 and "日期" in r.get_data(as_text=True), q


def test_confirming_the_duties_settles_their_notice_and_absences_are_not_attended(app, client):
    from app.auth.models import User
    from app.handbook.confirmations import confirm
    from app.handbook.revisions import current_revision
    from app.notices import rules as notices
    from app.notices.models import Notice

    home(client, "chenxy")
    with app.app_context():
        user = db.session.scalar(select(User).filter_by(username="chenxy"))
        revision = current_revision(user.position)
        notices.revision_published(user.position, revision)
        db.session.commit()
        key = f"revision:{user.position.id}:{revision.number}"
        assert db.session.scalar(select(Notice).filter_by(user_id=user.id, key=key)).read_at is None
        confirm(user, user.position, revision.number)
        db.session.commit()
        assert db.session.scalar(select(Notice).filter_by(user_id=user.id, key=key)).read_at is not None
        # 缺席 at a held session: not among the trainings attended
        me = user.employee
        t = db.session.scalar(select(Training).where(Training.status == "done").order_by(Training.held_on.desc()))
        t.topic = "缺席的那场培训"
        mine = db.session.scalar(select(Attendee).filter_by(training_id=t.id, employee_id=me.id))
        if mine is None:
            db.session.add(Attendee(training_id=t.id, employee_id=me.id, name=me.name, position_title="车间文员",
                                    status="absent"))
        else:
            mine.status = "absent"
        db.session.commit()
    page = client.get("/").get_data(as_text=True)
    assert "缺席的那场培训" not in page.split("我的培训", 1)[1].split("</section>", 1)[0]


def test_the_matrix_uses_four_digit_years_and_tells_only_who_can_act(app, client):
    page = home(client, "chenxy")  # the training clerk builds trainings from gaps
    matrix = client.get("/coverage/").get_data(as_text=True)
    assert "为所选建培训" in matrix and "勾选缺少" in matrix
    import re
    assert re.search(r"至20\d\d-\d\d-\d\d", matrix) and not re.search(r"至\d\d-\d\d-\d\d<", matrix)
    home(client, "wangjg")  # a manager sees the matrix, but builds no training
    matrix = client.get("/coverage/").get_data(as_text=True)
    assert "为所选建培训" not in matrix and "勾选缺少" not in matrix
    assert page


def test_the_workspace_links_to_every_employee_without_an_account(app, client, make_user):
    from app.auth.models import User

    with app.app_context():
        boss = User(username="boss3", is_admin=True)
        boss.set_password("test-password-1")
        db.session.add(boss)
        db.session.commit()
        total = db.session.scalar(select(db.func.count(Employee.id)).where(Employee.active.is_(True),
                                                                          ~Employee.account.has()))
    page = home(client, "boss3")
    if total > 5:
        assert f"全部 {total} 人" in page
    listed = client.get("/staff/?show=no_account").get_data(as_text=True)
    assert listed.count('href="/staff/') - listed.count('href="/staff/new') >= min(total, 50)

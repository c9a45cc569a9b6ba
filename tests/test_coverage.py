"""Training requirements, certificates, the coverage matrix and onboarding (coverage/rules.py)."""
import csv
import io
from datetime import date, datetime, time, timedelta

import pytest
from sqlalchemy import func, select

from app import clock
from app.audit.models import AuditEntry
from app.coverage import rules
from app.coverage.models import Certificate, OnboardingStep, Requirement
from app.extensions import db
from app.org.models import Position
from app.staff.models import Employee
from app.trainings.models import DONE, LEAVE, PLANNED, SIGNED, Attendee, Training, TrainingCategory
from tests.imagegen import jpeg
from tests.pdftools import assert_cjk_fonts_embedded, pdftotext

TODAY = date(2026, 11, 28)


@pytest.fixture
def fixed_today(monkeypatch):
    utc = datetime.combine(TODAY, time(2, 0))  # 10:00 in Shanghai
    monkeypatch.setattr(clock, "now_utc", lambda: utc)
    return TODAY


def _pos(key) -> Position:
    return db.session.scalar(select(Position).filter_by(seed_key=key))


def _cat(name) -> int:
    return db.session.scalar(select(TrainingCategory.id).filter_by(name=name))


def _emp(no, key="technician", hired=date(2020, 1, 1)) -> Employee:
    e = Employee(employee_no=no, name=f"员工{no}", position_id=_pos(key).id, hire_date=hired)
    db.session.add(e)
    db.session.flush()
    return e


def _session(on: date, category: str, attendees: list[tuple[Employee, str, bool | None]], topic="培训",
             status=DONE) -> Training:
    t = Training(topic=topic, category_id=_cat(category), held_on=on, start_time=time(9), end_time=time(11),
                 status=status, created_by_id=1)
    db.session.add(t)
    db.session.flush()
    for n, (e, st, passed) in enumerate(attendees):
        db.session.add(Attendee(training_id=t.id, employee_id=e.id, name=e.name, status=st, passed=passed, sort_order=n))
    db.session.flush()
    return t


def _req(name, key="technician", **kw) -> Requirement:
    r = Requirement(position_id=_pos(key).id, name=name, **kw)
    db.session.add(r)
    db.session.flush()
    return r


def test_only_signed_in_and_passed_attendees_of_held_sessions_fulfil(app, make_user):
    make_user("root", admin=True)
    with app.app_context():
        safety = _req("安全生产培训", category_id=_cat("安全/5S"), interval_months=12)
        a, b, c, d, e = (_emp(f"T{i}") for i in range(5))
        _session(date(2026, 3, 1), "安全/5S", [(a, SIGNED, None), (b, SIGNED, False), (c, LEAVE, None), (d, SIGNED, True)])
        _session(date(2026, 12, 20), "安全/5S", [(e, SIGNED, True)], status=PLANNED)   # not held yet
        _session(date(2026, 3, 2), "技术", [(e, SIGNED, True)])                        # another category
        ev = rules.evidence([x.id for x in (a, b, c, d, e)], [safety], TODAY)
        assert {k[0] for k in ev} == {a.id, d.id}
        assert ev[(a.id, safety.id)].on == date(2026, 3, 1) and "培训" in ev[(a.id, safety.id)].source


def test_repeat_interval_expiry_and_warning_window(app, make_user):
    make_user("root", admin=True)
    with app.app_context():
        yearly = _req("安全生产培训", category_id=_cat("安全/5S"), interval_months=12)
        once = _req("厂家技术认证", category_id=_cat("厂家培训"))
        a = _emp("T1")
        _session(date(2025, 12, 20), "安全/5S", [(a, SIGNED, True)])
        ev = rules.evidence([a.id], [yearly, once], TODAY)
        c = rules.cell(yearly, ev[(a.id, yearly.id)], TODAY, 60)
        assert (c.state, c.expires) == (rules.SOON, date(2026, 12, 20))
        assert rules.cell(yearly, ev[(a.id, yearly.id)], date(2026, 12, 21), 60).state == rules.EXPIRED
        assert rules.cell(yearly, ev[(a.id, yearly.id)], date(2026, 9, 1), 60).state == rules.DONE
        assert rules.cell(once, ev.get((a.id, once.id)), TODAY, 60).state == rules.MISSING
        _session(date(2024, 1, 5), "厂家培训", [(a, SIGNED, True)])
        ev = rules.evidence([a.id], [yearly, once], TODAY)
        assert rules.cell(once, ev[(a.id, once.id)], TODAY, 60).state == rules.DONE  # once: never expires
        assert rules.add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)


def test_a_named_course_is_found_as_written_wildcards_and_all(app, make_user):
    """A course is matched by its text: %, _ and / in it are no LIKE wildcards (the
    statement is prebuilt, the course a bind parameter escaped by hand), for employees
    given as a list or as the active ones of their positions (ActiveOf)."""
    make_user("root", admin=True)
    with app.app_context():
        odd = _req("叉车复训", course="100%_叉车/", interval_months=12)
        plain = _req("消防演练", course="消防")
        a, b = _emp("T1"), _emp("T2")
        _session(date(2026, 3, 1), "安全/5S", [(a, SIGNED, None)], topic="年度100%_叉车/复训")
        _session(date(2026, 4, 1), "安全/5S", [(b, SIGNED, None)], topic="年度100xx叉车/复训")  # only as wildcards
        _session(date(2026, 5, 1), "安全/5S", [(b, SIGNED, None)], topic="春季消防演练")
        for who in ([a.id, b.id], rules.ActiveOf([_pos("technician").id])):
            ev = rules.evidence(who, [odd, plain], TODAY)
            assert ev[(a.id, odd.id)].on == date(2026, 3, 1)
            assert (b.id, odd.id) not in ev and (a.id, plain.id) not in ev
            assert ev[(b.id, plain.id)].on == date(2026, 5, 1)


def test_certificates_fulfil_until_they_expire(app, make_user):
    make_user("root", admin=True)
    with app.app_context():
        lift = _req("举升机操作证", certificate=True)
        a, b, c = _emp("T1"), _emp("T2"), _emp("T3")
        for e, exp in ((a, TODAY + timedelta(days=20)), (b, TODAY - timedelta(days=1)), (c, TODAY + timedelta(days=400))):
            db.session.add(Certificate(employee_id=e.id, requirement_id=lift.id, name="举升机操作证",
                                       issued_on=exp - timedelta(days=730), expires_on=exp, created_by_id=1))
        # a session of any category never fulfils a certificate requirement
        _session(date(2026, 5, 1), "安全/5S", [(a, SIGNED, True)])
        db.session.flush()
        ev = rules.evidence([a.id, b.id, c.id], [lift], TODAY)
        states = [rules.cell(lift, ev.get((e.id, lift.id)), TODAY, 60).state for e in (a, b, c)]
        assert states == [rules.SOON, rules.EXPIRED, rules.DONE]
        assert "证书" in ev[(a.id, lift.id)].source


def test_matrix_states_percentages_and_not_applicable(app, make_user, fixed_today):
    make_user("root", admin=True)
    with app.app_context():
        safety = _req("安全生产培训", category_id=_cat("安全/5S"), interval_months=12)
        sa_req = _req("服务流程", key="service_advisor", category_id=_cat("服务流程"))
        t1, t2 = _emp("T1"), _emp("T2")
        _emp("S1", key="service_advisor")
        _session(date(2026, 6, 1), "安全/5S", [(t1, SIGNED, True)])
        _session(date(2025, 6, 1), "安全/5S", [(t2, SIGNED, True)])  # expired 2026-06-01
        m = rules.matrix()
        assert [r.name for r in m.columns] == ["服务流程", "安全生产培训"] or \
            [r.name for r in m.columns] == ["安全生产培训", "服务流程"]
        cells = {(row["employee"].employee_no, r.name): c.state
                 for g in m.groups for row in g["rows"] for r, c in zip(m.columns, row["cells"])}
        assert cells[("T1", "安全生产培训")] == rules.DONE and cells[("T2", "安全生产培训")] == rules.EXPIRED
        assert cells[("T1", "服务流程")] == rules.NA and cells[("S1", "服务流程")] == rules.MISSING
        assert m.column_pct[safety.id] == (1, 2) and m.column_pct[sa_req.id] == (0, 1)
        tech = next(g for g in m.groups if g["position"].seed_key == "technician")
        assert (tech["ok"], tech["applicable"]) == (1, 2)
        only = rules.matrix(position_id=_pos("service_advisor").id)
        assert [r.name for r in only.columns] == ["服务流程"] and only.employee_count == 1
        lists = rules.expiring()
        assert [x["employee"].employee_no for x in lists["expired"]] == ["T2"] and lists["soon"] == []


def test_matrix_pdf_and_csv(app, admin_client, fixed_today):
    with app.app_context():
        _req("安全生产培训", category_id=_cat("安全/5S"), interval_months=12)
        t1 = _emp("T1")
        _session(date(2026, 6, 1), "安全/5S", [(t1, SIGNED, True)])
        _emp("T2")
        db.session.commit()
    r = admin_client.get("/coverage/matrix.csv")
    rows = list(csv.reader(io.StringIO(r.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0][:3] == ["工号", "姓名", "岗位"] and "技师·安全生产培训" in rows[0]
    by_no = {row[0]: row for row in rows[1:]}
    col = rows[0].index("技师·安全生产培训")
    # status, completion and expiry each in a column of their own, ISO dates
    assert by_no["T1"][col:col + 3] == ["已完成", "2026-06-01", "2027-06-01"]
    assert by_no["T2"][col:col + 3] == ["缺", "", ""]
    with app.app_context():  # a new training written outside a request shows
        _session(date(2026, 7, 1), "安全/5S", [(db.session.scalar(select(Employee).filter_by(employee_no="T2")),
                                              SIGNED, True)])
        db.session.commit()
    again = admin_client.get("/coverage/matrix.csv").get_data(as_text=True)
    assert "已完成,2026-07-01,2027-07-01" in again
    pdf = admin_client.get("/coverage/matrix.pdf").data
    text = pdftotext(pdf)
    assert "培训覆盖矩阵" in text and "安全生产培训" in text and "员工T1" in text and "缺" in text
    assert_cjk_fonts_embedded(pdf)


def test_bad_requirements_and_certificates_are_refused(app, admin_client):
    with app.app_context():
        pid = _pos("technician").id
        emp_id = _emp("T1").id
        db.session.commit()
    url = f"/coverage/positions/{pid}"
    base = {"which": "requirement", "r-name": "安全生产培训", "r-category_id": str(0), "r-course": "",
            "r-certificate": "y"}
    assert admin_client.post_form(url, {**base, "r-interval_months": "0"}).status_code == 422
    assert "间隔应为1到600" in admin_client.post_form(url, {**base, "r-interval_months": "-3"}).get_data(as_text=True)
    assert admin_client.post_form(url, {**base, "r-certificate": ""}).status_code == 422  # neither category nor course
    assert admin_client.post_form(url, base).status_code == 303
    r = admin_client.post_form(url, base)
    assert r.status_code == 409
    with app.app_context():
        assert db.session.scalar(select(func.count(Requirement.id))) == 1
    curl = f"/coverage/employees/{emp_id}/certificates"
    cert = {"name": "电工证", "requirement_id": "0", "issued_on": "2026-05-01", "expires_on": "2026-04-01"}
    r = admin_client.post_form(curl, cert)
    assert r.status_code == 422 and "有效期不能早于发证日期" in r.get_data(as_text=True)
    r = admin_client.post_form(curl, {**cert, "expires_on": "2028-05-01", "scan": (io.BytesIO(b"MZ\x90\x00rubbish"), "证.exe")},
                               content_type="multipart/form-data")
    assert r.status_code == 422 and "图片" in r.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count(Certificate.id))) == 0
    r = admin_client.post_form(curl, {**cert, "expires_on": "2028-05-01", "scan": (io.BytesIO(jpeg()), "证.jpg")},
                               content_type="multipart/form-data")
    assert r.status_code == 303
    with app.app_context():
        c = db.session.scalar(select(Certificate))
        assert c.scan_kind == "image" and c.scan_key
        cid = c.id
    assert admin_client.get(f"/coverage/certificates/{cid}/scan").mimetype == "image/jpeg"


def test_hire_date_far_in_the_future_is_refused(app, admin_client):
    with app.app_context():
        pid = _pos("technician").id
        too_late = (clock.local_now().date() + timedelta(days=120)).isoformat()
    r = admin_client.post_form("/staff/new", {"employee_no": "N1", "name": "新人", "position_id": str(pid),
                                              "hire_date": too_late, "active": "y"})
    assert r.status_code == 422 and "入职日期不能晚于今天起90天" in r.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(Employee).filter_by(employee_no="N1")) is None


def test_onboarding_steps_are_derived(app, make_user, fixed_today):
    from app.auth.models import User
    from app.coverage.changes import mark_step, sign_off
    from app.handbook.models import ReadConfirmation
    from app.handbook.revisions import current_revision
    from app.supplies.ledger import issue, receive
    from app.supplies.models import Entitlement, SupplyCategory, SupplyItem

    boss = make_user("wm", position="workshop_manager")
    make_user("root", admin=True)
    with app.app_context():
        user = db.session.get(User, boss.id)
        tech = _pos("technician")
        _req("安全生产培训", category_id=_cat("安全/5S"), interval_months=12, due_days=30)
        _req("厂家技术认证", category_id=_cat("厂家培训"))  # not due after hire: not a step
        step = OnboardingStep(position_id=tech.id, title="师傅带教", due_days=30)
        db.session.add(step)
        gloves = SupplyItem(name="防滑手套", category_id=db.session.scalar(select(SupplyCategory.id)), unit="副")
        db.session.add(gloves)
        db.session.flush()
        db.session.add(Entitlement(position_id=tech.id, item_id=gloves.id, qty=1000, period="month"))
        new = _emp("N1", hired=TODAY - timedelta(days=21))
        assert rules.is_new_hire(new, TODAY) and new in rules.new_hires(TODAY)
        steps = rules.plan(new, TODAY)
        assert [s.kind for s in steps] == ["confirm", "requirement", "issue", "custom"]
        assert [s.state(TODAY) for s in steps] == ["overdue", "open", "overdue", "open"]
        assert steps[1].due_on == TODAY + timedelta(days=9)
        # The app tells: a signed-in session, the read confirmation, a slip.
        _session(TODAY - timedelta(days=5), "安全/5S", [(new, SIGNED, True)], topic="车间安全")
        rev = current_revision(tech)
        if rev is not None:
            db.session.add(ReadConfirmation(employee_id=new.id, user_id=user.id, revision_id=rev.id,
                                            confirmed_at=datetime.combine(TODAY - timedelta(days=19), time(1))))
        receive(gloves, 10000, user)
        issue(new, [(gloves, 1000)], user, issued_on=TODAY - timedelta(days=18))
        mark_step(new, step, user, "何师傅带教")
        db.session.flush()
        steps = rules.plan(new, TODAY)
        assert all(s.done_on for s in steps[1:]), [(s.title, s.done_on) for s in steps]
        assert "车间安全" in steps[1].evidence and steps[2].evidence.startswith("领用单 ")
        assert (rev is None) or steps[0].done_on == TODAY - timedelta(days=19)
        with pytest.raises(Exception):
            sign_off(new, user, "")  # a note is required
        if rev is None:  # a position without duties: its confirmation stays open, to be acknowledged
            with pytest.raises(Exception, match="阅读并确认"):
                sign_off(new, user, "可以独立上岗")
        ob = sign_off(new, user, "可以独立上岗", acknowledged=rev is None)
        assert ob.sign_off_open == (None if rev is not None else ["阅读并确认《技师》岗位职责（已逾期）"])
        db.session.commit()


def test_a_reversed_issue_is_not_the_new_hires_first_issue(app, make_user, fixed_today):
    """An issue slip line cancelled by a reversal (issued by mistake, to the wrong person)
    does not tick 首次领取 off; the next real issue does, with its own slip."""
    from app.auth.models import User
    from app.supplies.ledger import issue, receive, reverse
    from app.supplies.models import ISSUE, Entitlement, StockEntry, SupplyCategory, SupplyItem

    boss = make_user("wm", position="workshop_manager")
    with app.app_context():
        user = db.session.get(User, boss.id)
        tech = _pos("technician")
        gloves = SupplyItem(name="防滑手套", category_id=db.session.scalar(select(SupplyCategory.id)), unit="副")
        db.session.add(gloves)
        db.session.flush()
        db.session.add(Entitlement(position_id=tech.id, item_id=gloves.id, qty=1000, period="month"))
        new = _emp("N1", hired=TODAY - timedelta(days=21))
        receive(gloves, 10000, user)
        wrong = issue(new, [(gloves, 1000)], user, issued_on=TODAY - timedelta(days=18))
        reverse(db.session.scalar(select(StockEntry).filter_by(slip_id=wrong.id, kind=ISSUE)), user, "发错人")
        db.session.flush()
        step = next(s for s in rules.plan(new, TODAY) if s.kind == "issue")
        assert step.done_on is None and step.state(TODAY) == "overdue"
        right = issue(new, [(gloves, 1000)], user, issued_on=TODAY - timedelta(days=2))
        db.session.flush()
        step = next(s for s in rules.plan(new, TODAY) if s.kind == "issue")
        assert step.done_on == TODAY - timedelta(days=2) and step.evidence == f"领用单 {right.number}"


def test_onboarding_pdf_and_signoff_permissions(app, client, make_user, fixed_today):
    make_user("wm", position="workshop_manager")
    make_user("cs", position="customer_service")
    make_user("root", admin=True)
    with app.app_context():
        tech = _pos("technician")
        db.session.add(OnboardingStep(position_id=tech.id, title="安全告知", due_days=3))
        new = _emp("N1", hired=TODAY - timedelta(days=21))
        new.name = "林涛"
        db.session.commit()
        emp_id = new.id
    client.login("cs")
    assert client.post_form(f"/coverage/employees/{emp_id}/onboarding/signoff", {"note": "好"}).status_code == 403
    client.logout()
    client.login("wm")
    assert client.post_form(f"/coverage/employees/{emp_id}/onboarding/signoff", {"note": ""}).status_code == 422
    page = client.get(f"/coverage/employees/{emp_id}").get_data(as_text=True)
    assert "入职计划" in page and "安全告知" in page and "已逾期" in page
    pdf = client.get(f"/coverage/employees/{emp_id}/onboarding.pdf").data
    text = pdftotext(pdf)
    assert "新员工入职培训记录" in text and "林涛" in text and "安全告知" in text
    assert "员工签字" in text and "带教师傅签字" in text and "主管签字" in text
    assert_cjk_fonts_embedded(pdf)
    # 安全告知 was due 3 days after hire (18 days ago): marked done today, it says how late
    with app.app_context():
        step_id = db.session.scalar(select(OnboardingStep.id).filter_by(title="安全告知"))
    assert "晚 18 天" not in page
    assert client.post_form(f"/coverage/employees/{emp_id}/onboarding/steps/{step_id}", {"note": ""}).status_code == 303
    assert "晚 18 天" in client.get(f"/coverage/employees/{emp_id}").get_data(as_text=True)
    assert "（晚 18 天）" in pdftotext(client.get(f"/coverage/employees/{emp_id}/onboarding.pdf").data)
    assert client.post_form(f"/coverage/employees/{emp_id}/onboarding/signoff",
                            {"note": "同意上岗", "unfinished_ok": "1"}).status_code == 303
    assert "已上岗确认" in client.get(f"/coverage/employees/{emp_id}").get_data(as_text=True)
    assert client.post_form(f"/coverage/employees/{emp_id}/onboarding/signoff",
                            {"note": "再次", "unfinished_ok": "1"}).status_code == 409


def test_signoff_with_unfinished_steps_asks_first_and_can_be_withdrawn(app, client, make_user, fixed_today):
    """上岗确认 while steps are open: refused with the list until 我已知悉 is ticked; then the
    sign-off, its audit record and the print-out name them. 撤销上岗确认 (with a reason, by
    whoever may sign off) opens the plan again."""
    make_user("wm", position="workshop_manager")
    make_user("cs", position="customer_service")
    with app.app_context():
        tech = _pos("technician")
        _req("安全生产培训", category_id=_cat("安全/5S"), due_days=7)
        db.session.add(OnboardingStep(position_id=tech.id, title="安全告知", due_days=3))
        db.session.add(OnboardingStep(position_id=tech.id, title="师傅带教", due_days=60))
        new = _emp("N1", hired=TODAY - timedelta(days=21))
        new.name = "林涛"
        db.session.commit()
        emp_id = new.id
    url = f"/coverage/employees/{emp_id}/onboarding/signoff"

    def signed():
        with app.app_context():
            ob = rules.onboarding_for(db.session.get(Employee, emp_id))
            return ob is not None and ob.signed_off_at is not None

    def audits(action):
        with app.app_context():
            return list(db.session.scalars(select(AuditEntry).filter_by(action=action)))

    client.login("wm")
    r = client.post_form(url, {"note": "同意上岗"})
    page = r.get_data(as_text=True)
    assert r.status_code == 422 and "入职步骤未完成" in page
    assert "安全生产培训（已逾期）" in page and "安全告知（已逾期）" in page and "师傅带教（待完成）" in page
    assert "我已知悉以上未完成项，仍确认上岗" in page and 'value="同意上岗"' in page  # the note typed is kept
    assert not signed() and not audits("onboarding_signoff")
    # ticked without a note: the note is still required
    r = client.post_form(url, {"note": "", "unfinished_ok": "1"})
    assert r.status_code == 422 and "上岗确认请填写意见" in r.get_data(as_text=True) and not signed()

    assert client.post_form(url, {"note": "同意上岗，培训尽快补上", "unfinished_ok": "1"}).status_code == 303
    assert signed()
    (entry,) = audits("onboarding_signoff")
    assert "4 项入职步骤未完成" in entry.summary  # the duties to read and confirm too
    assert entry.after["unfinished"][1:] == ["安全生产培训（已逾期）", "安全告知（已逾期）", "师傅带教（待完成）"]
    page = client.get(f"/coverage/employees/{emp_id}").get_data(as_text=True)
    assert "上岗确认时未完成：" in page and "安全生产培训（已逾期）、安全告知（已逾期）" in page and "撤销上岗确认" in page
    text = "".join(pdftotext(client.get(f"/coverage/employees/{emp_id}/onboarding.pdf").data).split())
    assert "上岗确认时未完成：" in text and "安全生产培训（已逾期）、安全告知（已逾期）、师傅带教（待完成）" in text

    # 撤销: not for a colleague; a reason is required; then the plan is open again
    client.logout()
    client.login("cs")
    assert client.post_form(url + "/withdraw", {"reason": "误点"}).status_code == 403
    client.logout()
    client.login("wm")
    r = client.post_form(url + "/withdraw", {"reason": " "})
    assert r.status_code == 422 and "撤销上岗确认请填写原因" in r.get_data(as_text=True) and signed()
    assert client.post_form(url + "/withdraw", {"reason": "培训未完成，先不上岗"}).status_code == 303
    assert not signed()
    (entry,) = audits("onboarding_signoff_withdraw")
    assert "培训未完成，先不上岗" in entry.summary and entry.before["note"] == "同意上岗，培训尽快补上"
    assert "安全生产培训（已逾期）" in entry.before["unfinished"]
    assert "进行中" in client.get("/coverage/onboarding").get_data(as_text=True)
    page = client.get(f"/coverage/employees/{emp_id}").get_data(as_text=True)
    assert "已上岗确认" not in page and "上岗意见" in page and "记录完成" in page
    assert "上岗确认：" not in pdftotext(client.get(f"/coverage/employees/{emp_id}/onboarding.pdf").data)
    assert client.post_form(url + "/withdraw", {"reason": "再撤"}).status_code == 409


def test_gap_to_session(app, make_user, client, fixed_today):
    make_user("clerk", position="workshop_clerk", can_record_trainings=True)
    with app.app_context():
        r = _req("厂家技术认证", category_id=_cat("厂家培训"))
        a, b = _emp("T1"), _emp("T2")
        sa = _emp("S1", key="service_advisor")
        db.session.commit()
        rid, ids, sa_id = r.id, [a.id, b.id], sa.id
    client.login("clerk")
    assert client.post_form("/coverage/gap", {"requirement": rid, f"employee-{rid}": [*ids, sa_id]}).status_code == 422
    r = client.post_form("/coverage/gap", {"requirement": rid, f"employee-{rid}": ids})
    assert r.status_code == 303 and "/trainings/" in r.headers["Location"]
    with app.app_context():
        t = db.session.scalar(select(Training).order_by(Training.id.desc()))
        assert t.status == PLANNED and t.topic == "厂家技术认证"
        assert sorted(x.employee_id for x in t.attendees) == sorted(ids)
        from app.coverage.models import TrainingFulfils

        assert db.session.get(TrainingFulfils, (t.id, rid)) is not None
        # The employee page lists the upcoming session for the missing requirement.
    page = client.get(f"/coverage/employees/{ids[0]}").get_data(as_text=True)
    assert "厂家技术认证" in page and "缺" in page and t.held_on.isoformat() in page


def test_expiring_certificates_are_noticed_once(app, make_user, fixed_today):
    from app.notices.models import Notice
    from app.notices.rules import send_due

    holder = make_user("hes", position="technician", employee_no="T9")
    make_user("clerk", position="workshop_clerk", can_record_trainings=True)
    with app.app_context():
        lift = _req("举升机操作证", certificate=True)
        emp = db.session.scalar(select(Employee).filter_by(employee_no="T9"))
        db.session.add(Certificate(employee_id=emp.id, requirement_id=lift.id, name="举升机操作证",
                                   issued_on=TODAY - timedelta(days=700), expires_on=TODAY + timedelta(days=20),
                                   created_by_id=holder.id))
        db.session.commit()
        from app.auth.models import User

        clerks = db.session.scalar(select(func.count(User.id)).where(User.can_record_trainings.is_(True)))
        assert clerks >= 2  # the clerk made here and the first admin
        assert send_due()["coverage"] == 1 + clerks  # the holder and every training clerk
        assert send_due()["coverage"] == 0
        texts = db.session.scalars(select(Notice.text).filter_by(kind="coverage")).all()
        assert texts and all("「举升机操作证」即将到期（有效期至 2026-12-18）" in t for t in texts)


def test_matrix_pdf_repeats_the_header_on_every_page(app, admin_client, fixed_today):
    from tests.pdftools import pages_text

    with app.app_context():
        _req("安全生产培训", category_id=_cat("安全/5S"), interval_months=12)
        _req("举升机操作证", certificate=True)
        for n in range(70):
            _emp(f"T{n:03d}")
        db.session.commit()
    pages = pages_text(admin_client.get("/coverage/matrix.pdf").data)
    assert len(pages) >= 2
    assert all("安全生产培训" in p and "举升机操作证" in p for p in pages)
    assert "员工T069" in pages[-1]


def test_the_matrix_pdf_follows_a_certificate(app, admin_client, fixed_today):
    """A certificate recorded after a first print counts in the next one."""
    with app.app_context():
        lift = _req("举升机操作证", certificate=True)
        lift_id, emp_id = lift.id, _emp("T1").id
        db.session.commit()
    first = pdftotext(admin_client.get("/coverage/matrix.pdf").data)
    assert "全部达标 0 人 · 各项完成 0%（0/1 项）" in first
    r = admin_client.post_form(f"/coverage/employees/{emp_id}/certificates", {
        "name": "举升机操作证", "requirement_id": str(lift_id), "issued_on": "2026-05-01", "expires_on": "2028-05-01"})
    assert r.status_code == 303
    assert "全部达标 1 人 · 各项完成 100%（1/1 项）" in pdftotext(admin_client.get("/coverage/matrix.pdf").data)


def test_a_positions_heading_counts_the_people_who_meet_everything_apart_from_the_share_of_cells(
        app, admin_client, fixed_today):
    """技师 · 4 人 · 达标 33% read as a share of the four people, which it was not (4 of 12
    cells; none of the four met every requirement). The heading says both: how many people
    meet all of the position's requirements, and the share of requirements met."""
    with app.app_context():
        lift = _req("举升机操作证", certificate=True)
        _req("安全生产培训", category_id=_cat("安全/5S"), interval_months=12)
        a, b = _emp("T1"), _emp("T2")
        lift_id, a_id = lift.id, a.id
        db.session.commit()
    assert admin_client.post_form(f"/coverage/employees/{a_id}/certificates", {
        "name": "举升机操作证", "requirement_id": str(lift_id), "issued_on": "2026-05-01",
        "expires_on": "2028-05-01"}).status_code == 303
    page = admin_client.get("/coverage/").get_data(as_text=True)
    assert "2 人 · 全部达标 0 人 · 各项完成 25%（1/4 项）" in page


def test_a_retired_onboarding_step_leaves_new_plans_but_not_a_done_record(app, admin_client, make_user, fixed_today):
    from app.auth.models import User
    from app.coverage.changes import Refused, mark_step

    with app.app_context():
        tech = _pos("technician")
        briefing = OnboardingStep(position_id=tech.id, title="安全告知", due_days=3)
        mentoring = OnboardingStep(position_id=tech.id, title="师傅带教", due_days=30)
        db.session.add_all([briefing, mentoring])
        done_by, other = _emp("N1", hired=TODAY - timedelta(days=10)), _emp("N2", hired=TODAY - timedelta(days=2))
        mark_step(done_by, briefing, db.session.scalar(select(User).filter_by(username="boss")), "已告知")
        db.session.commit()
        ids = (tech.id, briefing.id, mentoring.id, done_by.id, other.id)
    tech_id, briefing_id, mentoring_id, done_id, other_id = ids
    r = admin_client.post_form(f"/coverage/onboarding-steps/{briefing_id}/active", {"active": "0"},
                               follow_redirects=True)
    page = r.get_data(as_text=True)
    assert r.status_code == 200 and "入职步骤「安全告知」已停用。" in page and "恢复" in page
    with app.app_context():
        titles = lambda emp_id: [s.title for s in rules.plan(db.session.get(Employee, emp_id), TODAY)]  # noqa: E731
        assert "安全告知" not in titles(other_id) and "师傅带教" in titles(other_id)
        assert "安全告知" in titles(done_id)  # what was done stays on the record
        entry = db.session.scalar(select(AuditEntry).filter_by(action="onboarding_step_update"))
        assert entry is not None and "停用" in entry.summary
    # Marking a retired step: refused, nothing recorded.
    r = admin_client.post_form(f"/coverage/employees/{other_id}/onboarding/steps/{briefing_id}", {"note": "x"})
    assert r.status_code == 409
    with app.app_context():
        with pytest.raises(Refused):
            mark_step(db.session.get(Employee, other_id), db.session.get(OnboardingStep, briefing_id),
                      db.session.scalar(select(User).filter_by(username="boss")), "")
    admin_client.post_form(f"/coverage/onboarding-steps/{briefing_id}/active", {"active": "1"})
    with app.app_context():
        assert "安全告知" in [s.title for s in rules.plan(db.session.get(Employee, other_id), TODAY)]


def test_lapsed_certificates_reach_the_holder_and_his_supervisor_on_their_workspaces(app, make_user, fixed_today):
    """马超's 举升机操作证 lapsed last week, 何师傅's lapses within the warning window,
    林涛 has none: each technician's 我的工作台 says his own (missing, expired, soon) and
    nobody else's; the workshop director, who supervises them and records no trainings,
    sees his team's in 培训与证书到期; the bodyshop's are not his."""
    from tests.conftest import Client

    for name, no in (("mach", "T1"), ("hesf", "T2"), ("lint", "T3")):
        make_user(name, position="technician", employee_no=no)
    make_user("zw", position="workshop_manager")
    with app.app_context():
        lift = _req("举升机操作证", certificate=True)
        staff = {e.employee_no: e for e in db.session.scalars(select(Employee))}
        for no, expires in (("T1", TODAY - timedelta(days=7)), ("T2", TODAY + timedelta(days=30))):
            db.session.add(Certificate(employee_id=staff[no].id, requirement_id=lift.id, name="举升机操作证",
                                       issued_on=date(2023, 1, 1), expires_on=expires, created_by_id=1))
        db.session.commit()

    def home(name):
        c = Client(app.test_client())
        c.login(name)
        return c.get("/").get_data(as_text=True)

    def card(html, title):
        return html.split(title, 1)[1].split("</section>", 1)[0] if title in html else ""

    mine = {n: card(home(n), "我的证书与培训到期") for n in ("mach", "hesf", "lint")}
    assert "举升机操作证" in mine["mach"] and "已过期 2026-11-21" in mine["mach"]
    assert "即将到期 2026-12-28" in mine["hesf"] and "已过期" not in mine["hesf"]
    assert "尚未登记证书" in mine["lint"]
    director = home("zw")
    team = card(director, "培训与证书到期")
    assert "mach" in team and "hesf" in team and "已过期 2026-11-21" in team
    assert "我的证书与培训到期" not in director  # his own position requires nothing here

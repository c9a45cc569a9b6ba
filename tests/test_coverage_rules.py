"""The coverage rules moved out of coverage/routes.py (issue 27), called without HTTP: who
may be put on a gap's session, the mentor of an onboarding plan, the new hires' progress,
the positions the matrix offers."""
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from app.audit.models import AuditEntry
from app.coverage import rules
from app.coverage.changes import Refused, gap_attendees, start_onboarding
from app.coverage.models import Onboarding, OnboardingStep
from app.extensions import db
from app.trainings.models import SIGNED
from tests.test_coverage import TODAY, _cat, _emp, _pos, _req, _session, fixed_today  # noqa: F401  (fixed_today: a fixture)


def test_a_gaps_attendees_are_active_employees_of_the_requirements_position(app):
    with app.app_context():
        req = _req("安全生产培训")
        a, b = _emp("T1"), _emp("T2")
        left = _emp("T3")
        left.active = False
        elsewhere = _emp("C1", key="customer_service")
        assert gap_attendees(req, [a.id, b.id]) == [a, b]
        for ids in ([a.id, left.id], [a.id, elsewhere.id], [a.id, 999_999]):
            with pytest.raises(Refused, match="所选员工不属于该要求的岗位，或已离职") as refused:
                gap_attendees(req, ids)
            assert refused.value.status == 422
        assert gap_attendees(req, []) == []  # none picked: gap_training says so


def test_an_onboarding_plan_needs_a_mentor_who_exists(app):
    with app.app_context():
        new, mentor = _emp("N1"), _emp("M1")
        with pytest.raises(Refused, match="带教师傅不存在"):
            start_onboarding(new, 999_999)
        assert db.session.scalar(select(func.count(Onboarding.id))) == 0
        assert db.session.scalar(select(func.count(AuditEntry.id)).filter_by(action="onboarding_update")) == 0
        assert start_onboarding(new, mentor.id).mentor_id == mentor.id
        assert start_onboarding(new, None).mentor_id is None  # the same plan, its mentor taken off
        assert db.session.scalar(select(func.count(Onboarding.id))) == 1
        assert rules.mentor_choices(new) == [mentor]


def test_new_hires_progress_and_the_matrix_positions(app, fixed_today):  # noqa: F811
    with app.app_context():
        tech = _pos("technician")
        db.session.add(OnboardingStep(position_id=tech.id, title="师傅带教", due_days=30))
        db.session.add(OnboardingStep(position_id=tech.id, title="安全告知", due_days=3))
        _req("安全生产培训", due_days=60).active = False  # retired: no step, no column
        db.session.flush()
        new = _emp("N1", hired=TODAY - timedelta(days=10))
        _emp("O1")  # hired years ago: no longer new
        progress = rules.onboarding_progress(TODAY)
        assert [p["employee"] for p in progress] == [new]
        steps = rules.plan(new, TODAY)
        assert progress[0]["total"] == len(steps) and progress[0]["done"] == 0
        assert progress[0]["overdue"] == sum(s.state(TODAY) == "overdue" for s in steps) >= 1  # 安全告知, 3 days
        assert rules.positions_with_requirements() == []
        _req("厂家技术认证")
        assert rules.positions_with_requirements() == [tech]
        reqs, setup_steps = rules.position_setup(tech)
        assert [r.name for r in reqs] == ["安全生产培训", "厂家技术认证"]  # retired ones too
        assert [s.title for s in setup_steps] == ["师傅带教", "安全告知"]


def test_the_matrix_finds_each_employees_latest_session_however_old(app, fixed_today):  # noqa: F811
    """A session years ago still counts (and expires), a later one wins over an older one,
    a failed or missed one never counts."""
    with app.app_context():
        safety = _req("安全生产培训", category_id=_cat("安全/5S"), interval_months=12)
        tech = _req("技术培训", category_id=_cat("技术"))
        old, recent, both, never = _emp("T1"), _emp("T2"), _emp("T3"), _emp("T4")
        long_ago = TODAY - timedelta(days=700)
        _session(long_ago, "安全/5S", [(old, SIGNED, True), (both, SIGNED, True), (never, SIGNED, False)])
        _session(long_ago - timedelta(days=30), "技术", [(old, SIGNED, True), (never, "absent", None)])
        _session(TODAY - timedelta(days=20), "安全/5S", [(recent, SIGNED, True), (both, SIGNED, True)])
        _session(TODAY - timedelta(days=10), "技术", [(both, SIGNED, True)])
        m = rules.matrix(today=TODAY)
        cells = {(row["employee"].employee_no, r.id): c for g in m.groups for row in g["rows"]
                 for r, c in zip(m.columns, row["cells"])}
        assert cells[("T1", safety.id)].state == rules.EXPIRED and cells[("T1", safety.id)].evidence.on == long_ago
        assert cells[("T1", tech.id)].state == rules.DONE
        assert cells[("T1", tech.id)].evidence.on == long_ago - timedelta(days=30)
        assert cells[("T2", safety.id)].state == rules.DONE and cells[("T2", tech.id)].state == rules.MISSING
        assert cells[("T3", safety.id)].evidence.on == TODAY - timedelta(days=20)
        assert cells[("T3", tech.id)].evidence.on == TODAY - timedelta(days=10)
        assert cells[("T4", safety.id)].state == cells[("T4", tech.id)].state == rules.MISSING
        expired = rules.expiring(TODAY, 60)["expired"]
        assert [(x["employee"].employee_no, x["cell"].expires) for x in expired] == [
            ("T1", rules.add_months(long_ago, 12))]


def test_the_last_fulfilment_that_expires_by_a_date():
    """expiring() skips what was fulfilled after last_fulfilment_expiring(): exactly the
    fulfilments whose expiry falls after the date, month ends included."""
    start = date(2025, 1, 1)
    for until in (start + timedelta(days=n) for n in range(0, 800, 3)):
        for months in (1, 6, 12, 13, 24):
            last = rules.last_fulfilment_expiring(months, until)
            assert rules.add_months(last, months) <= until < rules.add_months(last + timedelta(days=1), months)


def test_what_expires_names_the_session_that_fulfilled_it(app, fixed_today):  # noqa: F811
    """The 到期提醒 list names the latest session of the requirement's category (of two
    that day, the later recorded), the workspace's short list only its date."""
    with app.app_context():
        safety = _req("安全生产培训", category_id=_cat("安全/5S"), interval_months=12)
        t1 = _emp("T1")
        on = TODAY - timedelta(days=370)  # expired a few days ago
        _session(on - timedelta(days=90), "安全/5S", [(t1, SIGNED, True)], topic="更早的培训")
        _session(on, "安全/5S", [(t1, SIGNED, True)], topic="上午场")
        latest = _session(on, "安全/5S", [(t1, SIGNED, True)], topic="下午场")
        _session(on + timedelta(days=5), "安全/5S", [(t1, "absent", None)], topic="缺席的培训")
        (x,) = rules.expiring(TODAY, 60)["expired"]
        assert x["requirement"].id == safety.id and x["cell"].evidence.on == on
        assert x["cell"].evidence.source == "培训「下午场」" and x["cell"].evidence.training_id == latest.id
        (short,) = rules.expiring(TODAY, 60, detail=False)["expired"]
        assert short["cell"].evidence.source == "培训" and short["cell"].expires == x["cell"].expires


def test_an_onboarding_plan_keeps_its_mentor_after_he_left_but_takes_no_new_one_who_left(app):
    """The mentor picker offers the other active employees and the plan's own mentor after
    he left (saving the form again keeps him); a mentor who left, or the new hire himself,
    is refused for a plan that does not have him."""
    with app.app_context():
        new, mentor, gone = _emp("N1"), _emp("M1"), _emp("M2")
        gone.active = False
        for wrong in (gone.id, new.id):
            with pytest.raises(Refused, match="带教师傅不存在或已离职") as refused:
                start_onboarding(new, wrong)
            assert refused.value.status == 422
        assert db.session.scalar(select(func.count(Onboarding.id))) == 0
        start_onboarding(new, mentor.id)
        assert [r.id for r in rules.mentor_rows(new, mentor.id)] == [mentor.id]
        mentor.active = False
        assert [r.id for r in rules.mentor_rows(new)] == []
        assert [r.id for r in rules.mentor_rows(new, mentor.id)] == [mentor.id]
        assert start_onboarding(new, mentor.id).mentor_id == mentor.id  # saved again: kept

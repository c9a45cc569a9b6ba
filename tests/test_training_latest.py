"""Each employee's latest held session per training category (training_latest) is kept by
database triggers, so the coverage matrix and the trainings expiring follow every change of
an attendance or a session: in the app, by SQL typed by hand, and by several writers at
once (PostgreSQL: row locks; SQLite: one writer)."""
from datetime import date, timedelta

from sqlalchemy import func, select, text

from app.coverage import rules
from app.extensions import db
from app.trainings.models import DONE, SIGNED, Attendee, Training, TrainingLatest
from tests.conftest import race
from tests.test_coverage import TODAY, _cat, _emp, _req, _session, fixed_today  # noqa: F401  (fixed_today: a fixture)


def truth() -> dict:
    """What training_latest must hold: the GROUP BY over every attendance."""
    return dict(((e, c), d) for e, c, d in db.session.execute(
        select(Attendee.employee_id, Training.category_id, func.max(Training.held_on))
        .join(Training, Training.id == Attendee.training_id)
        .where(Attendee.employee_id.is_not(None), Attendee.status == SIGNED, Attendee.passed.is_not(False),
               Training.status == DONE)
        .group_by(Attendee.employee_id, Training.category_id)))


def kept() -> dict:
    return {(r.employee_id, r.category_id): r.held_on for r in db.session.scalars(select(TrainingLatest))}


def sql(statement: str, **params) -> None:
    db.session.execute(text(statement), params)
    db.session.commit()
    db.session.expire_all()


def safety_cell(employee_no: str, requirement_id: int):
    m = rules.matrix(today=TODAY)
    return next(c for g in m.groups for row in g["rows"] if row["employee"].employee_no == employee_no
                for r, c in zip(m.columns, row["cells"]) if r.id == requirement_id)


def test_changes_made_by_sql_by_hand_show_in_the_next_matrix(app, fixed_today):  # noqa: F811
    with app.app_context():
        safety = _req("安全生产培训", category_id=_cat("安全/5S"), interval_months=12)
        t1, t2 = _emp("T1"), _emp("T2")
        early, late = TODAY - timedelta(days=400), TODAY - timedelta(days=30)
        first = _session(early, "安全/5S", [(t1, SIGNED, True), (t2, SIGNED, None)])
        second = _session(late, "安全/5S", [(t1, SIGNED, True)])
        db.session.commit()
        assert kept() == truth() and kept()[(t1.id, _cat("安全/5S"))] == late
        assert safety_cell("T1", safety.id).evidence.on == late

        # the later session's result corrected to a fail: the earlier one counts again (expired)
        sql("UPDATE training_attendee SET passed = false WHERE training_id = :t", t=second.id)
        assert kept() == truth() and safety_cell("T1", safety.id).state == rules.EXPIRED
        sql("UPDATE training_attendee SET passed = NULL WHERE training_id = :t", t=second.id)
        assert safety_cell("T1", safety.id).evidence.on == late

        # a session moved to another day, to another category, back to planned
        sql("UPDATE training SET held_on = :d WHERE id = :t", d=late - timedelta(days=10), t=second.id)
        assert kept() == truth() and safety_cell("T1", safety.id).evidence.on == late - timedelta(days=10)
        sql("UPDATE training SET category_id = :c WHERE id = :t", c=_cat("技术"), t=second.id)
        assert kept() == truth() and safety_cell("T1", safety.id).evidence.on == early
        sql("UPDATE training SET category_id = :c, status = 'planned' WHERE id = :t", c=_cat("安全/5S"), t=second.id)
        assert kept() == truth() and safety_cell("T1", safety.id).evidence.on == early
        sql("UPDATE training SET status = 'done' WHERE id = :t", t=second.id)
        assert kept() == truth() and safety_cell("T1", safety.id).evidence.on == late - timedelta(days=10)

        # an attendance moved to someone else, inserted, deleted; a whole session deleted
        sql("UPDATE training_attendee SET employee_id = :e WHERE training_id = :t", e=t2.id, t=second.id)
        assert kept() == truth() and safety_cell("T1", safety.id).evidence.on == early
        assert safety_cell("T2", safety.id).evidence.on == late - timedelta(days=10)
        sql("INSERT INTO training_attendee (training_id, employee_id, name, position_title, status, score, "
            "feedback, sort_order) VALUES (:t, :e, 'x', '', 'signed', '', '', 9)", t=second.id, e=t1.id)
        assert kept() == truth() and safety_cell("T1", safety.id).evidence.on == late - timedelta(days=10)
        sql("DELETE FROM training_attendee WHERE training_id = :t", t=second.id)
        sql("DELETE FROM training WHERE id = :t", t=second.id)
        assert kept() == truth()
        assert safety_cell("T1", safety.id).evidence.on == safety_cell("T2", safety.id).evidence.on == early
        sql("DELETE FROM training_attendee WHERE training_id = :t", t=first.id)
        assert kept() == truth() == {}
        assert safety_cell("T1", safety.id).state == rules.MISSING


def test_a_session_recorded_as_held_after_the_day_asked_about_does_not_count(app, fixed_today):  # noqa: F811
    """The matrix of a day counts the sessions up to that day: a held session dated later
    (a typing error, or the matrix of an earlier day) gives way to the latest one before."""
    with app.app_context():
        safety = _req("安全生产培训", category_id=_cat("安全/5S"), interval_months=12)
        t1 = _emp("T1")
        _session(TODAY - timedelta(days=500), "安全/5S", [(t1, SIGNED, True)])
        _session(TODAY + timedelta(days=3), "安全/5S", [(t1, SIGNED, True)])
        db.session.commit()
        assert kept()[(t1.id, _cat("安全/5S"))] == TODAY + timedelta(days=3)
        cell = safety_cell("T1", safety.id)
        assert cell.state == rules.EXPIRED and cell.evidence.on == TODAY - timedelta(days=500)
        (x,) = rules.expiring(TODAY, 60, detail=False)["expired"]
        assert x["cell"].evidence.on == TODAY - timedelta(days=500)


def test_writers_at_once_on_one_employees_category_leave_the_right_date(app):
    """Eight sessions of one category, one employee: each round, one writer takes back his
    sign-in to the latest session while others sign him in to earlier ones, each in its own
    transaction at the same moment. On PostgreSQL they really overlap: the recomputing
    writer locks the pair's row, and a sign-in waiting on it keeps the later date."""
    with app.app_context():
        t1 = _emp("T1")
        days = [date(2026, 1, 1) + timedelta(days=10 * n) for n in range(8)]
        sessions = [_session(d, "安全/5S", [(t1, "pending", None)]).id for d in days]
        attendance = {t: db.session.scalar(select(Attendee.id).filter_by(training_id=t)) for t in sessions}
        sql("UPDATE training_attendee SET status = 'signed' WHERE id = :a", a=attendance[sessions[-1]])
        category, employee_id = _cat("安全/5S"), t1.id

    def set_status(session_id: int, status: str):
        def go():
            with app.app_context():
                db.session.execute(text("UPDATE training_attendee SET status = :s WHERE id = :a"),
                                   {"s": status, "a": attendance[session_id]})
                db.session.commit()
                db.session.remove()
        return go

    signed = {sessions[-1]}
    for latest in reversed(range(1, 8)):  # the latest signed one taken back, earlier ones signed
        earlier = [sessions[latest - 1], sessions[max(latest - 3, 0)]]
        race([set_status(sessions[latest], "absent")] + [set_status(s, "signed") for s in earlier])
        signed = (signed - {sessions[latest]}) | set(earlier)
        with app.app_context():
            assert kept() == truth()
            assert kept()[(employee_id, category)] == max(days[sessions.index(s)] for s in signed)

"""The trainings' and the staff directory's writes moved out of their routes (issue 27),
called without HTTP: a session saved (and its attendees told when it moves), a file's
caption, an employee saved."""
from datetime import date, time
from types import SimpleNamespace

import pytest
from sqlalchemy import func, select

from app.audit.models import AuditEntry
from app.extensions import db
from app.notices.models import Notice
from app.org.models import Position
from app.staff.models import Employee
from app.trainings.models import PLANNED, Training, TrainingCategory, TrainingFile


def _form(**values):
    """What a checked form hands over: each field with its .data."""
    return SimpleNamespace(**{k: SimpleNamespace(data=v) for k, v in values.items()})


def _audits(action):
    return db.session.scalar(select(func.count(AuditEntry.id)).filter_by(action=action))


def _session_form(**changes):
    values = dict(topic=" 举升机安全操作 ", category_id=db.session.scalar(select(TrainingCategory.id)),
                  held_on=date(2026, 12, 10), start_time=time(14), end_time=time(16), place=" 车间 ",
                  trainer_employee_id=0, trainer_name=" 外部讲师 ", organiser="内勤", content=None, outcome="",
                  status=PLANNED)
    return _form(**{**values, **changes})


def test_a_session_is_saved_audited_and_its_move_told_to_the_attendees(app, make_user):
    from app.auth.models import User
    from app.trainings.records import add_employees, save_training

    clerk = make_user("clerk", position="after_sales_clerk", can_record_trainings=True)
    make_user("tech", position="technician", employee_no="T1")
    with app.test_request_context():
        user = db.session.get(User, clerk.id)
        t = save_training(None, _session_form(), user)
        assert (t.topic, t.place, t.trainer_name, t.content, t.created_by_id) == ("举升机安全操作", "车间", "外部讲师", "",
                                                                                  user.id)
        assert _audits("training_create") == 1
        add_employees(t, [db.session.scalar(select(Employee).filter_by(employee_no="T1"))])
        save_training(t, _session_form(outcome="好"), user)  # nothing moved: nobody told
        changed = select(Notice).where(Notice.key.like("training-change:%"))
        assert db.session.scalars(changed).all() == [] and _audits("training_update") == 1
        save_training(t, _session_form(place="会议室", start_time=time(15)), user)
        notice = db.session.scalars(changed).one()
        assert notice.text == "培训「举升机安全操作」的开始时间、地点有变更，请留意。"
        assert notice.user_id == db.session.scalar(select(User.id).filter_by(username="tech"))
        trainer = db.session.scalar(select(Employee).filter_by(employee_no="T1"))
        save_training(t, _session_form(trainer_employee_id=trainer.id), user)
        assert t.trainer_employee_id == trainer.id and t.trainer_name == ""  # one trainer, not two


def test_a_caption_too_long_is_refused_not_cut(app, make_user):
    from app.trainings.records import TrainingError, set_caption

    make_user("clerk", position="after_sales_clerk", can_record_trainings=True)
    with app.test_request_context():
        t = Training(topic="5S", category_id=db.session.scalar(select(TrainingCategory.id)), held_on=date(2026, 1, 5),
                     start_time=time(9), end_time=time(10), created_by_id=1)
        db.session.add(t)
        db.session.flush()
        f = TrainingFile(training_id=t.id, kind="photo", key="k1", display_name="现场.jpg", uploaded_by_id=1)
        db.session.add(f)
        db.session.flush()
        with pytest.raises(TrainingError, match="说明最多 120 字（现为 121 字）"):
            set_caption(f, "字" * 121)
        assert not f.caption and _audits("training_file_caption") == 0
        set_caption(f, " 班前会 ", 3)
        assert (f.caption, f.sort_order) == ("班前会", 3) and _audits("training_file_caption") == 1


def test_an_employee_is_saved_trimmed_with_sizes_in_one_spelling(app):
    from app.staff.employees import save_employee

    with app.test_request_context():
        tech = db.session.scalar(select(Position).filter_by(seed_key="technician"))
        values = dict(name=" 张三 ", employee_no=" T9 ", position_id=tech.id, phone="  ", hire_date=date(2024, 3, 1),
                      clothing_size="xl", shoe_size="42", active=True)
        e, _ = save_employee(None, _form(**values))
        assert (e.name, e.employee_no, e.position, e.phone) == ("张三", "T9", tech, None)
        assert e.clothing_size == "XL" and _audits("employee_create") == 1
        save_employee(e, _form(**{**values, "position_id": 0, "phone": "138 0000 0000"}))
        assert e.position is None and e.phone == "138 0000 0000" and _audits("employee_update") == 1


def test_the_forms_show_a_stored_session_and_employee(app):
    from app.staff.forms import EmployeeForm
    from app.trainings.forms import TrainingForm

    with app.test_request_context():
        form = TrainingForm()
        form.fill_new(date(2026, 12, 1), "李静")
        assert (form.held_on.data, form.organiser.data) == (date(2026, 12, 1), "李静")
        form.fill_from(SimpleNamespace(trainer_employee_id=None))
        assert form.trainer_employee_id.data == 0  # 外部讲师
        form.fill_from(SimpleNamespace(trainer_employee_id=7))
        assert form.trainer_employee_id.data == 7
        form = EmployeeForm()
        form.fill_from(SimpleNamespace(position_id=None))
        assert form.position_id.data == 0

"""Demo data of the trainings part (`flask --app wsgi seed-demo`, app.demo.seed_demo)."""

from sqlalchemy import select

from app import clock
from app.auth.models import User
from app.demo import demo_photo
from app.extensions import db
from app.org.models import Position
from app.printing import html_to_pdf
from app.staff.models import Employee
from app.trainings import records
from app.trainings.models import ABSENT, DONE, LEAVE, SIGNED, Training, TrainingCategory


DEMO_TRAININGS = [
    # (days ago, topic, category, trainer seed key or outside name, start, end, place)
    (40, "新款车型保养项目技术培训", "技术", "technical_supervisor", "14:00", "16:30", "车间培训室"),
    (25, "服务接待流程与预约话术", "服务流程", "front_desk_supervisor", "09:00", "10:30", "前台会议室"),
    (12, "车间安全与5S现场管理", "安全/5S", "厂家讲师 周工", "16:00", "17:00", "车间"),
]


def seed_trainings() -> list[str]:
    """Past trainings with attendees in every sign-in state, photos, a scan and a material."""
    import io
    from datetime import datetime, time, timedelta

    from werkzeug.datastructures import FileStorage

    if db.session.scalar(select(Training.id).limit(1)):
        return []
    clerk = db.session.scalar(select(User).filter_by(username="chenxy"))
    if clerk is None:
        return []
    cats = {c.name: c for c in db.session.scalars(select(TrainingCategory))}
    positions = {p.seed_key: p for p in db.session.scalars(select(Position)) if p.seed_key}
    today = clock.local_now().date()
    n_photos = 0
    for n, (ago, topic, cat, trainer, start, end, place) in enumerate(DEMO_TRAININGS):
        trainer_emp = positions[trainer].active_employees[0] if trainer in positions else None
        t = Training(topic=topic, category_id=cats[cat].id, held_on=today - timedelta(days=ago),
                     start_time=time.fromisoformat(start), end_time=time.fromisoformat(end), place=place,
                     trainer_employee_id=trainer_emp.id if trainer_emp else None,
                     trainer_name="" if trainer_emp else trainer, organiser=clerk.name, status=DONE,
                     content=f"{topic}：讲解要点、现场演示与答疑。", outcome="参训人员掌握了主要内容，考核基本合格。",
                     created_by_id=clerk.id)
        db.session.add(t)
        db.session.flush()
        staff = positions["technician"].active_employees + positions["workshop_clerk"].active_employees \
            if n != 1 else positions["service_advisor"].active_employees + positions["front_desk_supervisor"].active_employees
        records.add_employees(t, [e for e in staff if trainer_emp is None or e.id != trainer_emp.id])  # not the trainer
        records.add_outside(t, "钱师傅", "合作钣喷厂")
        states = [SIGNED, SIGNED, LEAVE, ABSENT, SIGNED, SIGNED]
        for i, a in enumerate(t.attendees):
            records.set_status(a, states[i % len(states)])
            if a.signed_at:  # signed on the day, a few minutes before the start
                a.signed_at = clock.to_utc(datetime.combine(t.held_on, t.start_time) - timedelta(minutes=5 + i))
            if a.status == SIGNED:
                records.set_assessment(a, ["92", "合格", "55", "78"][i % 4], "讲解清楚" if i % 2 == 0 else "")
        photos = [FileStorage(io.BytesIO(demo_photo(n * 10 + k)), filename=f"IMG_{2026}{n}{k:02d}.jpg") for k in range(3)]
        records.upload(t, photos, "photo", clerk)
        n_photos += 3
        for k, f in enumerate(t.live_files("photo")):
            f.caption = ["讲师讲解", "现场演示", "学员实操"][k % 3]
        if n == 0:
            scan = FileStorage(io.BytesIO(demo_photo(99, (1240, 1754))), filename="签到表扫描.jpg")
            records.upload(t, [scan], "signin", clerk)
            pdf = html_to_pdf(f"<html><body><h1>{topic}</h1><p>培训讲义（演示）</p></body></html>")
            records.upload(t, [FileStorage(io.BytesIO(pdf), filename="培训讲义.pdf")], "material", clerk)
    # one planned session ahead, for the workshop and the front desk: each is told (notices)
    planned = Training(topic="冬季空调与暖风系统检修", category_id=cats["技术"].id, held_on=today + timedelta(days=7),
                       start_time=time(14), end_time=time(16), place="车间培训室", trainer_name="厂家讲师",
                       organiser=clerk.name, created_by_id=clerk.id)
    db.session.add(planned)
    db.session.flush()
    invited = db.session.scalars(select(Employee).join(Position).where(
        Employee.active.is_(True), Position.seed_key.in_(("workshop_manager", "workshop_clerk", "technical_supervisor",
                                                          "dispatcher", "technician", "service_advisor",
                                                          "front_desk_supervisor"))).order_by(Employee.employee_no)).all()
    records.add_employees(planned, invited)
    return [f"培训：{len(DEMO_TRAININGS)} 场已完成（{n_photos} 张照片、签到表扫描件、资料）和 1 场计划中。"]


def demo(fresh: bool) -> list[str]:
    """`fresh`: the demo staff was created by this run."""
    return seed_trainings()

from sqlalchemy import func, select

from app.auth.models import User
from app.extensions import db
from app.org.models import Position, ReportingLine
from app.staff.models import Employee


def test_init_is_idempotent_and_keeps_edits(app, runner):
    with app.app_context():
        manager = db.session.scalar(select(Position).filter_by(seed_key="after_sales_manager"))
        manager.title = "售后服务总监"
        line = db.session.scalar(select(ReportingLine).filter_by(subordinate_id=manager.id))
        db.session.delete(line)
        db.session.commit()
        counts = (db.session.scalar(select(func.count(Position.id))),
                  db.session.scalar(select(func.count(ReportingLine.id))))
    result = runner.invoke(args=["init"])
    assert result.exit_code == 0, result.output
    assert "已创建首个管理员" not in result.output  # the template already has one
    with app.app_context():
        assert db.session.scalar(select(Position.title).filter_by(seed_key="after_sales_manager")) == "售后服务总监"
        assert (db.session.scalar(select(func.count(Position.id))),
                db.session.scalar(select(func.count(ReportingLine.id)))) == counts


def test_init_creates_first_admin_once(app, runner):
    with app.app_context():
        for u in db.session.scalars(select(User)):
            db.session.delete(u)
        db.session.commit()
    result = runner.invoke(args=["init"])
    assert "已创建首个管理员账号" in result.output
    password = result.output.split("密码:")[1].split()[0]
    with app.app_context():
        admin = db.session.scalar(select(User).filter_by(is_admin=True))
        assert admin.username == "admin" and admin.check_password(password)
    again = runner.invoke(args=["init"])
    assert "已创建首个管理员账号" not in again.output


def test_users_create_from_stdin(app, runner):
    result = runner.invoke(args=["users", "create", "zhang", "--admin"], input="a-long-password-1\n")
    assert result.exit_code == 0, result.output
    with app.app_context():
        user = db.session.scalar(select(User).filter_by(username="zhang"))
        assert user.is_admin and user.check_password("a-long-password-1")
    dup = runner.invoke(args=["users", "create", "zhang"], input="a-long-password-1\n")
    assert dup.exit_code != 0 and "已存在" in dup.output
    short = runner.invoke(args=["users", "create", "wang"], input="short\n")
    assert short.exit_code != 0


def test_seed_demo_adds_staff_idempotently(app, runner):
    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        n = db.session.scalar(select(func.count(Employee.id)))
        assert n >= 15
        positions_with_staff = {e.position.seed_key for e in db.session.scalars(select(Employee)) if e.position}
        in_dept = {p.seed_key for p in db.session.scalars(select(Position).filter_by(is_external=False))}
        assert in_dept <= positions_with_staff
    runner.invoke(args=["seed-demo"])
    with app.app_context():
        assert db.session.scalar(select(func.count(Employee.id))) == n

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


def test_seed_demo_adds_staff_idempotently(demo_app):
    """seed-demo on a fresh install: conftest.demo_template runs the command once per
    session (and errors every test of the demo unless it exits 0); this is a copy of its
    result, and the command run again on it."""
    app, runner = demo_app, demo_app.test_cli_runner()
    with app.app_context():
        n = db.session.scalar(select(func.count(Employee.id)))
        assert n >= 15
        positions_with_staff = {e.position.seed_key for e in db.session.scalars(select(Employee)) if e.position}
        in_dept = {p.seed_key for p in db.session.scalars(select(Position).filter_by(is_external=False))}
        assert in_dept <= positions_with_staff
    runner.invoke(args=["seed-demo"])
    with app.app_context():
        assert db.session.scalar(select(func.count(Employee.id))) == n


def test_first_admin_and_demo_accounts_must_set_their_own_password(app, runner, client):
    from app.demo import DEMO_PASSWORD

    with app.app_context():
        for u in db.session.scalars(select(User)):
            db.session.delete(u)
        db.session.commit()
    password = runner.invoke(args=["init"]).output.split("密码:")[1].split()[0]
    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    with app.app_context():
        assert db.session.scalar(select(User).filter_by(username="admin")).must_change_password
        assert all(u.must_change_password for u in db.session.scalars(select(User)))
        for u in db.session.scalars(select(User)):
            u.set_password(DEMO_PASSWORD if u.username != "admin" else password)  # cheap hash for the test
        db.session.commit()
    r = client.post_form("/auth/login", {"username": "admin", "password": password}, follow_redirects=True)
    assert "请设置您自己的密码" in r.get_data(as_text=True) and "管理员已为您重置密码" not in r.get_data(as_text=True)
    # … and on every request until it is done, not only right after logging in
    for url in ("/checklists/", "/supplies/", "/handbook/"):
        r = client.get(url)
        assert r.status_code == 302 and r.headers["Location"].endswith("/auth/password"), url
    r = client.get("/supplies/", headers={"HX-Request": "true"})
    assert r.status_code == 204 and r.headers["HX-Redirect"] == "/auth/password"
    r = client.post_form("/auth/password", {"current": password, "new": "a-new-long-pass-9", "confirm": "a-new-long-pass-9"})
    assert r.status_code == 303
    assert client.get("/checklists/").status_code == 200


def test_seed_demo_refuses_a_database_with_real_people(app, runner):
    with app.app_context():
        db.session.add(Employee(employee_no="R001", name="真实员工"))
        db.session.commit()
    refused = runner.invoke(args=["seed-demo"])
    assert refused.exit_code == 1 and "真实员工" in refused.output and "--force" in refused.output
    with app.app_context():
        assert db.session.scalar(select(func.count(Employee.id))) == 1
    forced = runner.invoke(args=["seed-demo", "--force"])
    assert forced.exit_code == 0
    with app.app_context():
        assert db.session.scalar(select(func.count(Employee.id))) > 1


def test_seed_demo_run_again_confirms_no_newer_revision(demo_app):
    """A second seed-demo, on a copy of the first one's result (conftest.demo_template)."""
    from app.handbook.models import ReadConfirmation

    app, runner = demo_app, demo_app.test_cli_runner()
    with app.app_context():
        before = db.session.scalar(select(func.count(ReadConfirmation.id)))
        # a newer revision of every position, made after the demo ran
        from app.handbook.revisions import add_revision

        for p in db.session.scalars(select(Position)):
            add_revision(p, author=None, note="后来的修订")
        db.session.commit()
    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    with app.app_context():
        assert db.session.scalar(select(func.count(ReadConfirmation.id))) == before


def test_uploads_check_lists_and_removes_files_no_record_refers_to(app, runner):
    """A crash between writing an upload and its commit leaves files without a row: the
    check lists those older than an hour, --remove deletes them, and never a file a row
    (a deleted one too: admin may restore it) or an upload still in progress refers to."""
    import os
    import time

    from app.extensions import db
    from app.trainings.models import PHOTO, Training, TrainingCategory, TrainingFile
    from sqlalchemy import select

    folder = os.path.join(app.config["UPLOAD_FOLDER"], "trainings")
    os.makedirs(folder, exist_ok=True)
    hour_ago = time.time() - 2 * 3600
    for name in ("kept-full.jpg", "kept-thumb.jpg", "lost-full.jpg", "lost2.bin", "fresh-full.jpg"):
        path = os.path.join(folder, name)
        with open(path, "wb") as fh:
            fh.write(b"x")
        if not name.startswith("fresh"):
            os.utime(path, (hour_ago, hour_ago))
    with app.app_context():
        from datetime import date, time as t

        from app.auth.models import User

        cat = db.session.scalar(select(TrainingCategory).order_by(TrainingCategory.id))
        admin = db.session.scalar(select(User).order_by(User.id))
        training = Training(topic="x", category_id=cat.id, held_on=date(2026, 11, 2), start_time=t(9), end_time=t(10),
                            place="", trainer_name="", organiser="", created_by_id=admin.id)
        db.session.add(training)
        db.session.flush()
        db.session.add(TrainingFile(training_id=training.id, kind=PHOTO, key="kept", display_name="a.jpg",
                                    mime="image/jpeg", size=1, uploaded_by_id=admin.id))
        db.session.commit()
    out = runner.invoke(args=["uploads", "check"]).output
    assert "trainings/lost-full.jpg" in out and "trainings/lost2.bin" in out and "发现 2 个" in out
    assert "kept" not in out and "fresh" not in out
    out = runner.invoke(args=["uploads", "check", "--remove"]).output
    assert "已删除 2 个" in out
    assert sorted(os.listdir(folder)) == ["fresh-full.jpg", "kept-full.jpg", "kept-thumb.jpg"]

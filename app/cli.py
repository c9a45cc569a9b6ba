"""Command-line interface: init, users create, seed-demo."""
import secrets
import string
import sys

import click
from flask.cli import AppGroup
from sqlalchemy import select

from app.audit.log import record
from app.auth.forms import MIN_PASSWORD
from app.auth.models import User
from app.auth.throttle import prune
from app.checklists.notices import send_reminders
from app.demo import DemoRefused, seed_demo
from app.extensions import db
from app.jobs import worker
from app.jobs.schedule import run_due
from app.jobs.tasks import uploads_check as check
from app.notices.outbox import drain
from app.notices.rules import send_due_job
from app.parts import seed_steps
from app.seed import load_seed


def generate_password(length: int = 14) -> str:
    alphabet = string.ascii_letters + string.digits
    while True:
        pw = "".join(secrets.choice(alphabet) for _ in range(length))
        if any(c.isdigit() for c in pw) and any(c.isalpha() for c in pw):
            return pw


def ensure_first_admin() -> tuple[str, str] | None:
    """Create account 'admin' with a random password if there is no admin yet."""
    if db.session.scalar(select(User).filter_by(is_admin=True)):
        return None
    username = "admin"
    if db.session.scalar(select(User).filter_by(username=username)):
        username = "admin" + secrets.token_hex(2)
    password = generate_password()
    user = User(username=username, display_name="系统管理员", is_admin=True,
                can_record_trainings=True, can_issue_supplies=True, must_change_password=True)
    user.set_password(password)
    db.session.add(user)
    db.session.flush()
    record("user_create", "user", user.id, summary=f"初始管理员 {username}", after=user.snapshot())
    return username, password


def run_init(migrate_db: bool = True) -> tuple[str, str] | None:
    """Migrate, load the seed, create the first admin. Idempotent."""
    from flask_migrate import upgrade

    if migrate_db:
        upgrade()
    load_seed()
    for _, step in seed_steps():  # each part's shipped data (inspection templates …)
        step()
    credentials = ensure_first_admin()
    db.session.commit()
    return credentials


def register(app) -> None:
    @app.cli.command("init")
    def init_command():
        """Apply migrations, load the handbook seed, create the first admin if none."""
        credentials = run_init()
        click.echo("数据库已就绪，岗位手册已载入。")
        if credentials:
            username, password = credentials
            click.echo("=" * 60)
            click.echo("已创建首个管理员账号（密码只显示这一次，请登录后立即修改）：")
            click.echo(f"  用户名: {username}")
            click.echo(f"  密码:   {password}")
            click.echo("=" * 60)

    users = AppGroup("users", help="Manage login accounts.")
    app.cli.add_command(users)

    @users.command("create")
    @click.argument("name")
    @click.option("--admin", is_flag=True, help="Grant the admin flag.")
    @click.option("--password", "password_opt", hidden=True, default=None)
    def create_user(name, admin, password_opt):
        """Create account NAME; the password comes from a prompt or stdin."""
        if db.session.scalar(select(User).filter_by(username=name)):
            raise click.ClickException(f"用户名 {name} 已存在。")
        if password_opt is not None:
            password = password_opt
        elif sys.stdin.isatty():
            password = click.prompt("密码", hide_input=True, confirmation_prompt=True)
        else:
            password = sys.stdin.readline().rstrip("\n")
        if len(password) < MIN_PASSWORD:
            raise click.ClickException(f"密码至少 {MIN_PASSWORD} 位。")
        user = User(username=name, is_admin=admin)
        user.set_password(password)
        db.session.add(user)
        db.session.flush()
        record("user_create", "user", user.id, summary=name, after=user.snapshot())
        db.session.commit()
        click.echo(f"已创建账号 {name}{'（管理员）' if admin else ''}。")

    @app.cli.command("seed-demo")
    @click.option("--force", is_flag=True, help="also into a database that holds real people or accounts")
    def seed_demo_command(force):
        """Add demo employees, accounts and records for trying the app."""
        try:
            report = seed_demo(force=force)
        except DemoRefused as exc:
            click.echo(str(exc), err=True)
            sys.exit(1)
        db.session.commit()
        for line in report:
            click.echo(line)

    notices_group = AppGroup("notices", help="站内通知.")
    app.cli.add_command(notices_group)

    @notices_group.command("remind")
    def remind_command():
        """Reminders before the due time: an occurrence still open within
        CHECKLIST_REMIND_MINUTES (default 60) of its due time tells whoever must do it,
        once. Run it every 5 minutes (the scheduler does); repeatable."""
        made = send_reminders()
        db.session.commit()
        click.echo(f"新提醒 {made} 条。")

    @notices_group.command("send-due")
    def send_due_command():
        """Notices of the day: overdue checklist items (to their supervisors), entitlements
        due (to the employee), required trainings and certificates expiring or expired (to
        the employee and the training clerks). The worker runs it every hour; running it
        twice creates nothing twice."""
        line = send_due_job()
        db.session.commit()
        click.echo(line)

    @notices_group.command("push")
    def push_command():
        """Send the group robot pushes waiting now (the worker does this all the time)."""
        from flask import current_app

        drain(current_app._get_current_object(), timeout=600)
        click.echo("待推送的消息已处理。")

    @app.cli.command("worker")
    @click.option("--once", is_flag=True, help="run the jobs due and send what waits, then exit (for cron)")
    @click.option("--no-jobs", is_flag=True, help="only send the pushes (another worker runs the jobs)")
    def worker_command(once, no_jobs):
        """The background worker: sends the group robot pushes and runs the periodic jobs
        (send-due hourly; housekeeping, the orphan check and the backup nightly). Run one
        beside the web server (scripts/run.sh does); several at once are safe."""
        from flask import current_app

        application = current_app._get_current_object()
        if once:
            for name, status in ({} if no_jobs else run_due()).items():
                click.echo(f"{name}: {status}")
            db.session.remove()
            drain(application, timeout=600)
            return
        worker.main(application, schedule=not no_jobs)

    uploads_group = AppGroup("uploads", help="Stored files.")
    app.cli.add_command(uploads_group)

    @uploads_group.command("check")
    @click.option("--remove", is_flag=True, help="delete the files listed")
    @click.option("--minutes", default=60, show_default=True, help="only files older than this")
    def uploads_check(remove, minutes):
        """List (and with --remove delete) stored files no record refers to."""
        found = check(remove, minutes)
        for path in found:
            click.echo(path)
        click.echo(f"{'已删除' if remove else '发现'} {len(found)} 个没有记录的文件。")

    @app.cli.command("prune-logins")
    @click.option("--days", default=30, show_default=True)
    def prune_logins(days):
        """Delete login attempts older than DAYS."""
        removed = prune(days)
        db.session.commit()
        click.echo(f"已清理 {removed} 条登录记录。")


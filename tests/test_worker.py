"""The worker: the robots' outbox (rows written with the notice, claimed once however many
workers run, robots independent, retried, given up visibly, taken again when a worker died)
and the scheduler (each job once per slot, however many workers look)."""
import os
import signal
import subprocess
import sys
import threading
import time
from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select

from app.database import utcnow
from app.extensions import db
from app.notices.models import JobRun, WebhookDelivery, WebhookTarget
from app.notices.outbox import claim, drain, finish
from tests.test_checklists import freeze  # noqa: F401  (fixture)
from tests.test_webhook import robots  # noqa: F401  (fixture)

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


@pytest.fixture
def push_config(app):
    # The fake robots listen on plain HTTP on loopback: allowed by the two settings a robot
    # gateway in the LAN would need.
    app.config.update(WEBHOOK_BACKOFF=0.05, WEBHOOK_TIMEOUT=1.0, WEBHOOK_RETRIES=1, WEBHOOK_ALLOW_HTTP=True,
                      WEBHOOK_ALLOWED_HOSTS="127.0.0.1", WORKER_POLL=0.05)
    return app


def add_robot(app, url, position_id=None) -> int:
    with app.app_context():
        target = WebhookTarget(url=url, position_id=position_id)
        db.session.add(target)
        db.session.commit()
        return target.id


def push(app, texts, commit=True):
    """Notices with a push for each text, in one transaction; committed or rolled back."""
    from app.auth.models import User
    from app.notices.rules import notify

    with app.app_context():
        admin = db.session.scalar(select(User).where(User.is_admin.is_(True)))
        for text in texts:
            notify([admin], f"test:{text}", "requisition", text, "/", push=text)
        db.session.commit() if commit else db.session.rollback()


def rows(app):
    with app.app_context():
        return [(d.text, d.status, d.attempts, d.error) for d in
                db.session.scalars(select(WebhookDelivery).order_by(WebhookDelivery.id))]


def wait_for(predicate, timeout=20.0):
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError("not reached")
        time.sleep(0.05)


def test_pushes_are_rows_of_the_notices_transaction(push_config, robots):  # noqa: F811
    app = push_config
    robot = robots()
    add_robot(app, robot.url)
    push(app, ["甲"], commit=False)
    assert rows(app) == []  # rolled back with the notice: nothing to send
    push(app, ["乙"])
    assert rows(app) == [("乙", "pending", 0, "")]  # written by the request, sent by nobody yet
    assert robot.received == []
    drain(app)
    assert rows(app) == [("乙", "sent", 1, "")]
    assert [r["text"]["content"] for r in robot.received] == ["乙"]


def test_a_robot_for_one_position_gets_only_its_events(push_config, robots):  # noqa: F811
    from app.auth.models import User
    from app.notices.rules import notify
    from app.org.models import Position

    app = push_config
    everything, mine, other = robots(), robots(), robots()
    with app.app_context():
        p1, p2 = db.session.scalars(select(Position.id).order_by(Position.id).limit(2)).all()
    add_robot(app, everything.url)
    add_robot(app, mine.url, p1)
    add_robot(app, other.url, p2)
    with app.app_context():
        admin = db.session.scalar(select(User).where(User.is_admin.is_(True)))
        notify([admin], "test:p1", "revision", "第一岗位", "/", push="第一岗位", position_id=p1)
        db.session.commit()
    drain(app)
    assert len(everything.received) == 1 and len(mine.received) == 1 and other.received == []


def test_robots_are_sent_independently(push_config, robots):  # noqa: F811
    """A robot that does not answer holds its own try only: the next robot's push is sent
    while the first one's is still being tried."""
    from app.jobs.worker import run

    app = push_config
    app.config.update(WEBHOOK_TIMEOUT=30.0, WEBHOOK_RETRIES=0)
    release = threading.Event()

    def held(h):
        release.wait(30)  # no answer until the test has seen the other robot served
        h.send_response(200)
        h.send_header("Content-Length", "2")
        h.end_headers()
        h.wfile.write(b"{}")

    slow, fast = robots(answer=held), robots()
    slow_id = add_robot(app, slow.url)  # first: claimed and started first
    fast_id = add_robot(app, fast.url)
    push(app, ["通知"])

    def status(target_id):
        with app.app_context():
            return db.session.scalar(select(WebhookDelivery.status).filter_by(target_id=target_id))

    stop = threading.Event()
    worker = threading.Thread(target=run, args=(app, stop), kwargs={"schedule": False})
    worker.start()
    try:
        wait_for(lambda: status(fast_id) == "sent")
        assert slow.received and status(slow_id) == "sending"  # still in its try
    finally:
        release.set()
        stop.set()
        worker.join()
    assert status(slow_id) == "sent"  # the stop let the try under way finish


def test_gives_up_after_its_tries_and_admin_sees_the_reason(push_config, robots, admin_client):  # noqa: F811
    app = push_config
    robot = robots(script=[500, 500, 500])
    add_robot(app, robot.url)
    push(app, ["总是失败"])
    drain(app)
    assert rows(app) == [("总是失败", "failed", 2, "返回异常状态 5xx")]
    assert len(robot.received) == 2  # WEBHOOK_RETRIES=1: two tries, then no more
    page = admin_client.get("/notices/webhooks").get_data(as_text=True)
    assert "尝试 2 次：返回异常状态 5xx" in page and "总是失败" in page


def test_two_workers_send_each_push_once(push_config, robots):  # noqa: F811
    app = push_config
    # Claims, not timeouts, are under test: on a loaded machine a robot answering after the
    # 1 s of push_config makes a retry that the robot receives twice (at least once, by design).
    app.config.update(WEBHOOK_TIMEOUT=10.0)
    robot = robots()
    add_robot(app, robot.url)
    texts = [f"消息{i}" for i in range(24)]
    push(app, texts)
    workers = [threading.Thread(target=drain, args=(app,), kwargs={"threads": 3}) for _ in range(2)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    received = sorted(r["text"]["content"] for r in robot.received)
    assert received == sorted(texts)  # each once: none twice, none lost
    assert {(status, attempts) for _t, status, attempts, _e in rows(app)} == {("sent", 1)}


def test_a_claim_whose_worker_died_is_taken_again_after_its_lease(push_config, robots):  # noqa: F811
    app = push_config
    app.config.update(WEBHOOK_TIMEOUT=1.0, WORKER_LEASE_MARGIN=2)
    add_robot(app, robots().url)
    push(app, ["丢了的"])
    with app.app_context():
        [(row_id, dead_token, _url, _text)] = claim(4)  # a worker claims it, then dies
        assert claim(4) == []  # its lease holds: nobody else sends it meanwhile
        later = utcnow() + timedelta(seconds=4)
        [(again_id, token, _url, _text)] = claim(4, now=later)
        assert again_id == row_id and token != dead_token
        assert finish(row_id, dead_token, "") == ""  # the dead claim records nothing
        assert finish(row_id, token, "") == "sent"
    assert rows(app) == [("丢了的", "sent", 2, "")]


def _worker_env(app, **extra) -> dict:
    env = {**os.environ, "INSTANCE_PATH": app.instance_path, "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
           "UPLOAD_FOLDER": app.config["UPLOAD_FOLDER"], "SECRET_KEY": "test-secret", "WEBHOOK_ALLOW_HTTP": "1",
           "WEBHOOK_ALLOWED_HOSTS": "127.0.0.1", "WORKER_POLL": "0.1", "SCHEDULER_POLL": "3600", "BACKUP_DIR": "",
           "WEBHOOK_RETRIES": "3", "WEBHOOK_BACKOFF": "0.1"}
    env.update({k: str(v) for k, v in extra.items()})
    return env


def _start_worker(env):
    return subprocess.Popen([sys.executable, "-m", "flask", "--app", "wsgi", "worker", "--no-jobs"], cwd=ROOT, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def test_kill_9_of_the_worker_during_a_push(app, robots):  # noqa: F811
    """The worker process is killed (SIGKILL) while its try hangs on the network (the robot
    has not taken the message). The row stays claimed; a new worker takes it once the lease
    ran out, and the robot gets the message once."""
    entered, release = threading.Event(), threading.Event()
    state = {"first": True}

    def answer(h):
        if state["first"]:  # the network eats the first try: held, never taken, then dropped
            state["first"] = False
            robot.received.pop()
            entered.set()
            release.wait(30)
            h.close_connection = True
            return
        payload = b'{"errcode": 0}'
        h.send_response(200)
        h.send_header("Content-Length", str(len(payload)))
        h.end_headers()
        h.wfile.write(payload)

    robot = robots(answer=answer)
    add_robot(app, robot.url)
    push(app, ["杀不掉的消息"])
    env = _worker_env(app, WEBHOOK_TIMEOUT=3, WORKER_LEASE_MARGIN=1)
    first = _start_worker(env)
    try:
        assert entered.wait(30), first.stderr.read1().decode() if first.poll() is not None else "no try"
        os.kill(first.pid, signal.SIGKILL)
        first.wait()
    finally:
        release.set()
    assert [(s, a) for _t, s, a, _e in rows(app)] == [("sending", 1)]  # claimed by the dead worker
    second = _start_worker(env)
    try:
        wait_for(lambda: rows(app)[0][1] == "sent", timeout=30)
    finally:
        second.send_signal(signal.SIGTERM)
        assert second.wait(timeout=30) == 0  # a stop signal ends the worker cleanly
    assert [r["text"]["content"] for r in robot.received] == ["杀不掉的消息"]
    assert rows(app) == [("杀不掉的消息", "sent", 2, "")]


# --- the scheduler ------------------------------------------------------------------------

def test_each_job_runs_once_per_slot(app):
    from app.jobs.schedule import Job, run_due

    calls = []
    jobs = [Job("every-5-min", timedelta(minutes=5), lambda: calls.append("5") or "ok"),
            Job("nightly", timedelta(days=1), lambda: calls.append("n"), timedelta(hours=2, minutes=30))]
    with app.app_context():
        assert run_due(datetime(2026, 12, 1, 10, 2), jobs) == {"every-5-min": "done", "nightly": "done"}
        assert run_due(datetime(2026, 12, 1, 10, 4, 59), jobs) == {}  # the same slots: nothing again
        assert run_due(datetime(2026, 12, 1, 10, 5), jobs) == {"every-5-min": "done"}
        assert run_due(datetime(2026, 12, 2, 2, 29), jobs) == {"every-5-min": "done"}  # before 02:30
        assert run_due(datetime(2026, 12, 2, 2, 31), jobs) == {"every-5-min": "done", "nightly": "done"}
        slots = [(r.job, r.slot, r.status, r.result) for r in db.session.scalars(select(JobRun).order_by(JobRun.id))]
    assert calls == ["5", "n", "5", "5", "5", "n"]
    # slots are kept in UTC (Asia/Shanghai is UTC+8): 10:00 local is 02:00 UTC
    assert slots[0] == ("every-5-min", datetime(2026, 12, 1, 2, 0), "done", "ok")
    assert slots[1][:2] == ("nightly", datetime(2026, 11, 30, 18, 30))


def test_two_workers_never_run_a_job_twice_for_one_slot(app):
    from app.jobs.schedule import Job, run_due

    calls, gate = [], threading.Barrier(4)
    jobs = [Job("once", timedelta(hours=1), lambda: calls.append(1) or time.sleep(0.2))]
    now = datetime(2026, 12, 1, 10, 0)

    def worker():
        gate.wait()
        with app.app_context():
            run_due(now, jobs)
            db.session.remove()

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert calls == [1]
    with app.app_context():
        assert db.session.scalar(select(func.count(JobRun.id))) == 1


def test_a_failing_job_is_recorded_and_the_others_still_run(app):
    from app.jobs.schedule import Job, run_due

    def broken():
        db.session.add(WebhookTarget(url="https://half-written.example/"))
        db.session.flush()
        raise RuntimeError("boom")

    jobs = [Job("broken", timedelta(hours=1), broken), Job("fine", timedelta(hours=1), lambda: "ok")]
    with app.app_context():
        assert run_due(datetime(2026, 12, 1, 10, 0), jobs) == {"broken": "failed", "fine": "done"}
        assert db.session.scalar(select(WebhookTarget.id)) is None  # what it wrote is rolled back
        assert db.session.scalar(select(JobRun.result).filter_by(job="broken")) == "RuntimeError"


def test_the_shipped_schedule(app):
    """send-due hourly, checklist reminders every 5 minutes; housekeeping, the orphan check
    and the backup every night."""
    from app.jobs.schedule import run_due
    from app.parts import jobs

    with app.app_context():
        shipped = jobs()
    assert {(j.name, j.period) for j in shipped} >= {
        ("notices-send-due", timedelta(hours=1)), ("checklist-reminders", timedelta(minutes=5)),
        ("housekeeping", timedelta(days=1)),
        ("uploads-check", timedelta(days=1)), ("backup", timedelta(days=1))}
    app.config["BACKUP_DIR"] = ""
    with app.app_context():
        assert set(run_due().values()) == {"done"}
        results = dict(db.session.execute(select(JobRun.job, JobRun.result)).all())
    assert "逾期点检" in results["notices-send-due"] and "跳过" in results["backup"]
    assert results["checklist-reminders"].startswith("点检提醒")


def test_failures_are_listed_by_when_they_failed_not_by_id(app, admin_client):
    """A row's id says when the event happened; the worker gives rows up in any order (a
    retried row fails last). The newest failure comes first, and what waits is counted."""
    with app.app_context():
        target = WebhookTarget(url="https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=x")
        db.session.add(target)
        db.session.flush()
        now = utcnow()
        db.session.add_all([
            WebhookDelivery(target_id=target.id, text="先发生后失败", status="failed", attempts=4, error="超时",
                            created_at=now - timedelta(minutes=30), finished_at=now),
            WebhookDelivery(target_id=target.id, text="后发生先失败", status="failed", attempts=1, error="连接失败",
                            created_at=now - timedelta(minutes=20), finished_at=now - timedelta(minutes=19)),
            WebhookDelivery(target_id=target.id, text="等待中", status="pending", attempts=0, error="",
                            next_try_at=now)])
        db.session.commit()
    page = admin_client.get("/notices/webhooks").get_data(as_text=True)
    assert page.index("先发生后失败") < page.index("后发生先失败")
    assert "待发送 1 条" in page


def test_worker_once_from_cron_runs_each_slot_once(app, runner, robots, push_config, freeze):  # noqa: F811
    """`flask worker --once` (for a machine without a lasting process): the jobs due and
    the pushes waiting, then exit; a second call in the same slot runs nothing again."""
    freeze(datetime(2026, 12, 1, 10, 30))
    robot = robots()
    add_robot(app, robot.url)
    push(app, ["定时发送"])
    app.config["BACKUP_DIR"] = ""
    first = runner.invoke(args=["worker", "--once"])
    assert first.exit_code == 0 and "notices-send-due: done" in first.output and "backup: done" in first.output
    texts = [r["text"]["content"] for r in robot.received]
    assert texts.count("定时发送") == 1 and any(t.startswith("【点检逾期】") for t in texts)  # send-due's too
    second = runner.invoke(args=["worker", "--once"])
    assert second.exit_code == 0 and second.output == ""
    assert len(robot.received) == len(texts)


def test_a_stopped_robot_gets_nothing_more(push_config, robots, admin_client):  # noqa: F811
    app = push_config
    robot = robots()
    target_id = add_robot(app, robot.url)
    push(app, ["停用前的事件"])
    r = admin_client.post_form(f"/notices/webhooks/{target_id}/remove")
    assert r.status_code == 303
    drain(app)
    assert robot.received == []
    assert rows(app) == [("停用前的事件", "failed", 0, "机器人已停用")]

"""The worker process: `flask --app wsgi worker` (scripts/run.sh starts it beside gunicorn;
deploy/intranet-worker.service under systemd).

Two loops in one process, until SIGTERM or SIGINT:
- the outbox loop claims due robot pushes (app/notices/outbox.py) as threads free up and
  sends each in a pool of WORKER_THREADS threads (a slow robot holds one thread for at
  most WEBHOOK_TIMEOUT seconds, never the others); it looks again every WORKER_POLL seconds;
- the scheduler thread runs the periodic jobs (app/jobs/schedule.py) every SCHEDULER_POLL
  seconds, each once per slot however many workers run.

Several worker processes (one per server) may run at once: claims and job slots are
decided in the database. On a stop, claimed pushes finish their try (bounded by the
deadline) before the process exits; a worker killed outright leaves its claimed rows to be
claimed again when their lease runs out.
"""
import logging
import threading

import signal
from concurrent.futures import ThreadPoolExecutor

from app.extensions import db
from app.jobs.schedule import run_due
from app.notices.outbox import claim, send_one


def _scheduler(app, stop: threading.Event) -> None:
    while not stop.is_set():
        try:
            with app.app_context():
                try:
                    ran = run_due()
                    for name, status in ran.items():
                        app.logger.info("job %s: %s", name, status)
                finally:
                    db.session.remove()
        except Exception:  # noqa: BLE001 - the database away for a moment: look again later
            app.logger.exception("scheduler")
        stop.wait(float(app.config["SCHEDULER_POLL"]))


def run(app, stop: threading.Event | None = None, *, schedule: bool = True) -> None:
    stop = stop or threading.Event()
    size = max(1, int(app.config["WORKER_THREADS"]))
    poll = float(app.config["WORKER_POLL"])
    scheduler = None
    if schedule:
        scheduler = threading.Thread(target=_scheduler, args=(app, stop), name="scheduler", daemon=True)
        scheduler.start()
    inflight: set = set()
    failures = 0
    with ThreadPoolExecutor(max_workers=size, thread_name_prefix="push") as pool:
        while not stop.is_set():
            inflight = {f for f in inflight if not f.done()}
            claimed, wait = [], poll
            if len(inflight) < size:
                try:
                    with app.app_context():
                        try:
                            claimed = claim(size - len(inflight))
                        finally:
                            db.session.remove()
                    failures = 0
                except Exception:  # noqa: BLE001 - the database away for a moment: look again, less often
                    failures += 1
                    if failures in (1, 10) or failures % 100 == 0:
                        app.logger.exception("claiming pushes (failure %d in a row)", failures)
                    wait = min(poll * 2 ** min(failures, 5), 30.0)
            for c in claimed:
                inflight.add(pool.submit(send_one, app, *c))
            stop.wait(0.05 if claimed else wait)
    if scheduler is not None:
        scheduler.join(timeout=5)


def main(app, schedule: bool = True) -> None:
    stop = threading.Event()

    def on_signal(signum, frame):
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    app.logger.setLevel(logging.INFO)  # each job's outcome, beside gunicorn's log
    app.logger.info("worker started (%s push threads%s)", app.config["WORKER_THREADS"],
                    ", periodic jobs" if schedule else ", no periodic jobs")
    run(app, stop, schedule=schedule)

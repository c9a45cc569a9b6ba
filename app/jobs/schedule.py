"""The periodic jobs, and how each runs once per slot of its period.

Each part lists its jobs in its Part (app.parts): Job(name, period, function[, offset]), as
the checklist reminders do (every 5 minutes). The function runs in an app context, only flushes, returns a short line (or None), and is
committed by the scheduler; an exception rolls it back and marks the run failed.

A period's slots are aligned to local midnight plus `offset` (daily at 02:30 is
`timedelta(days=1)` with offset `timedelta(hours=2, minutes=30)`; every 5 minutes is
aligned to :00, :05, …). When the worker looks (every SCHEDULER_POLL seconds), a job
whose current slot has no JobRun row gets one, inserted and committed BEFORE the job
runs; the unique (job, slot) key makes a second worker process (or server) skip it. A
worker that was down runs the current slot once when it starts (not every slot it missed);
a worker that dies during a job leaves its slot taken: the next slot runs it again, and
every job here is safe to repeat.
"""
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app import clock
from app.database import utcnow
from app.extensions import db
from app.parts import Job, jobs as registered_jobs  # noqa: F401  (Job: the parts' jobs)
from app.notices.models import JobRun


NIGHT = timedelta(hours=2, minutes=30)


def run_due(now_local: datetime | None = None, jobs: list[Job] | None = None) -> dict[str, str]:
    """Runs every job whose current slot nobody has taken yet; {name: status} of those
    this call ran ("done" or "failed")."""
    now_local = now_local or clock.local_now()
    ran = {}
    for job in registered_jobs() if jobs is None else jobs:
        slot = clock.to_utc(job.slot(now_local))
        if db.session.scalar(select(JobRun.id).where(JobRun.job == job.name, JobRun.slot == slot)) is not None:
            db.session.rollback()
            continue
        run = JobRun(job=job.name, slot=slot, started_at=utcnow(), status="running", result="")
        db.session.add(run)
        try:
            db.session.commit()  # the slot is ours before the work starts
        except IntegrityError:
            db.session.rollback()  # another worker took it
            continue
        run_id = run.id
        try:
            result = job.run()
            db.session.commit()
            status, text = "done", "" if result is None else str(result)
        except Exception as exc:  # noqa: BLE001 - one failing job never stops the others
            db.session.rollback()
            current_app.logger.exception("job %s failed", job.name)
            status, text = "failed", type(exc).__name__
        run = db.session.get(JobRun, run_id)
        run.status, run.result, run.finished_at = status, text[:300], utcnow()
        db.session.commit()
        ran[job.name] = status
    return ran

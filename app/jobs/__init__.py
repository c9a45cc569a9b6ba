"""Background work outside the requests: the worker process (`flask --app wsgi worker`,
worker.py) sends the robots' outbox (app/notices/outbox.py) and runs the periodic jobs
the parts register (schedule.py), each once per slot of its period. This part's own jobs
keep the installation: housekeeping, the uploads check and the nightly backup."""
from datetime import timedelta

from flask import Flask

from app.jobs import tasks
from app.jobs.schedule import NIGHT
from app.parts import Job, Part, add


def register(app: Flask) -> None:
    add(app, Part("jobs", jobs=(
        Job("housekeeping", timedelta(days=1), tasks.housekeeping, NIGHT),
        Job("uploads-check", timedelta(days=1), tasks.remove_orphan_uploads, NIGHT),
        Job("backup", timedelta(days=1), tasks.backup, NIGHT),
    )))

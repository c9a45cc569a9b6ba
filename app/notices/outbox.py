"""The robots' outbox: WebhookDelivery rows sent by the worker, each once.

A request only writes rows (webhook.queue, in its own transaction). The worker
(app/jobs/worker.py) then, in a loop:

1. claims due rows — pending ones whose `next_try_at` has come, and "sending" ones whose
   lease ran out (their worker died mid-try) — marking them sending, leased for
   WEBHOOK_TIMEOUT + WORKER_LEASE_MARGIN seconds, under a claim token, and commits. Two workers
   never claim one row: on PostgreSQL the candidates are locked with FOR UPDATE SKIP
   LOCKED (a second worker skips them instead of waiting); on SQLite the claim is one
   UPDATE … WHERE status = 'pending' per row, run under the database's write lock, and a
   row another worker changed first matches nothing.
2. sends each claimed row in its own thread (robots independent of each other; at most
   WORKER_THREADS at once), one try within a total deadline (webhook._post);
3. records the outcome, only while its claim still holds (same token): sent; or pending
   again after a backoff (WEBHOOK_BACKOFF doubling); or failed after WEBHOOK_RETRIES + 1
   tries, with a short reason listed on /notices/webhooks.

Delivery is at least once: a worker killed after the robot received the text but before
the outcome was committed leaves a claimed row, sent again once its lease runs out (the
robots' APIs take no idempotency key). A row is never sent by two workers at once.
"""
import uuid
from datetime import timedelta

from concurrent.futures import ThreadPoolExecutor
from flask import current_app
from sqlalchemy import and_, or_, select, update

from app.database import utcnow
from app.extensions import db
from app.notices.models import WebhookDelivery, WebhookTarget
from app.notices.webhook import WebhookError, _post


def _due(now):
    return or_(and_(WebhookDelivery.status == "pending", WebhookDelivery.next_try_at <= now),
               and_(WebhookDelivery.status == "sending", WebhookDelivery.lease_until < now))


def claim(limit: int, now=None) -> list[tuple[int, str, str, str]]:
    """Claims up to `limit` due rows for this worker and commits the claim; returns
    [(delivery id, claim token, robot url, text)]."""
    if limit <= 0:
        return []
    now = now or utcnow()
    cfg = current_app.config
    lease = now + timedelta(seconds=float(cfg["WEBHOOK_TIMEOUT"]) + float(cfg["WORKER_LEASE_MARGIN"]))
    token = uuid.uuid4().hex
    # a robot admin has stopped gets nothing more: what still waited for it ends, listed
    db.session.execute(update(WebhookDelivery).where(
        WebhookDelivery.status == "pending",
        WebhookDelivery.target_id.in_(select(WebhookTarget.id).where(WebhookTarget.active.is_(False))))
        .values(status="failed", error="机器人已停用", finished_at=now).execution_options(synchronize_session=False))
    candidates = (select(WebhookDelivery.id).where(_due(now))
                  .order_by(WebhookDelivery.next_try_at, WebhookDelivery.id).limit(limit))
    if db.session.get_bind().dialect.name == "postgresql":
        ids = list(db.session.scalars(candidates.with_for_update(skip_locked=True)))
        if ids:
            db.session.execute(update(WebhookDelivery).where(WebhookDelivery.id.in_(ids)).values(
                status="sending", lease_until=lease, claimed_by=token, attempts=WebhookDelivery.attempts + 1))
    else:
        # SQLite: the worker's transactions begin IMMEDIATE (app/database.py), so the
        # candidates read and the claims below happen under one write lock; the WHERE
        # repeats the due condition, so a row another worker claimed first matches nothing.
        ids = []
        for row_id in db.session.scalars(candidates).all():
            won = db.session.execute(update(WebhookDelivery).where(WebhookDelivery.id == row_id, _due(now)).values(
                status="sending", lease_until=lease, claimed_by=token, attempts=WebhookDelivery.attempts + 1))
            if won.rowcount == 1:
                ids.append(row_id)
    rows = db.session.execute(select(WebhookDelivery.id, WebhookTarget.url, WebhookDelivery.text)
                              .join(WebhookTarget, WebhookTarget.id == WebhookDelivery.target_id)
                              .where(WebhookDelivery.id.in_(ids), WebhookDelivery.claimed_by == token)).all() if ids else []
    db.session.commit()
    return [(row_id, token, url, text) for row_id, url, text in rows]


def finish(row_id: int, token: str, error: str) -> str:
    """Records one try's outcome if the claim still holds; returns the new status ("" when
    the claim was lost)."""
    cfg = current_app.config
    row = db.session.get(WebhookDelivery, row_id)
    if row is None or row.claimed_by != token or row.status != "sending":
        db.session.rollback()
        return ""
    now = utcnow()
    values = {"lease_until": None, "error": error[:200]}
    if not error:
        values.update(status="sent", finished_at=now)
    elif row.attempts < int(cfg["WEBHOOK_RETRIES"]) + 1:
        wait = float(cfg["WEBHOOK_BACKOFF"]) * 2 ** (row.attempts - 1)
        values.update(status="pending", next_try_at=now + timedelta(seconds=wait))
    else:
        values.update(status="failed", finished_at=now)
    done = db.session.execute(update(WebhookDelivery).where(
        WebhookDelivery.id == row_id, WebhookDelivery.claimed_by == token,
        WebhookDelivery.status == "sending").values(**values))
    db.session.commit()
    return values["status"] if done.rowcount == 1 else ""


def send_one(app, row_id: int, token: str, url: str, text: str) -> str:
    """One try of one claimed row, in its own app context (a worker thread)."""
    with app.app_context():
        try:
            _post(url, text, float(app.config["WEBHOOK_TIMEOUT"]))
            error = ""
        except WebhookError as exc:
            error = str(exc) or "连接失败"
        except Exception:  # noqa: BLE001 - a robot never stops the worker
            app.logger.exception("webhook delivery %s", row_id)
            error = "连接失败"
        try:
            status = finish(row_id, token, error)
            if status == "failed":
                app.logger.warning("robot push %s given up: %s", row_id, error)
            return status
        finally:
            db.session.remove()


def pending_count() -> int:
    from sqlalchemy import func

    return db.session.scalar(select(func.count(WebhookDelivery.id)).where(
        WebhookDelivery.status.in_(("pending", "sending")))) or 0


def drain(app, timeout: float = 30.0, threads: int = 4) -> None:
    """Sends until no row is pending or being sent (waiting out backoffs): for the tests
    and `flask notices push`. The worker process does the same, for ever."""
    import time

    deadline = time.monotonic() + timeout
    with ThreadPoolExecutor(max_workers=threads) as pool:
        while time.monotonic() < deadline:
            with app.app_context():
                claimed = claim(threads)
                left = pending_count()
                db.session.remove()
            if claimed:
                list(pool.map(lambda c: send_one(app, *c), claimed))
            elif not left:
                return
            else:
                time.sleep(0.02)

"""Optional push of the notices' events to 企业微信 / 钉钉 group robots.

Off until admin adds a robot's webhook URL (for the department, or for one position's
group). An event noticed inside a transaction is queued on the session; only when that
transaction commits is it sent — in a background thread, with retries and backoff, so a
slow or failing robot never delays or fails the user's request. Each push ends as a
WebhookDelivery row: sent, or failed with the reason (listed for admin).
"""
import json
import threading
import time
import urllib.error
import urllib.request
from urllib.parse import urlsplit

from flask import current_app, has_request_context, request
from sqlalchemy import event, select

from app.extensions import db
from app.notices.models import WebhookDelivery, WebhookTarget

QUEUE, TARGETS = "webhook_queue", "webhook_targets"  # keys in session.info
_threads: list[threading.Thread] = []


class WebhookError(ValueError):
    pass


def check_url(url: str) -> str:
    url = (url or "").strip()
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc or len(url) > 500:
        raise WebhookError("机器人地址应以 http:// 或 https:// 开头，如企业微信群机器人的 Webhook 地址。")
    return url


def queue(text: str, link: str, position_id: int | None) -> None:
    """Remember an event for the robots; sent after the commit (dropped on a rollback)."""
    info = db.session.info
    if TARGETS not in info:
        info[TARGETS] = _targets()  # read inside the transaction, once
    if not info[TARGETS]:
        return  # no robot configured: nothing to send
    base = current_app.config.get("PUBLIC_URL") or (request.url_root if has_request_context() else "")
    content = text + (f"\n{base.rstrip('/')}{link}" if base and link else "")
    info.setdefault(QUEUE, []).append((content, position_id))


def _targets() -> list[tuple[int, str, int | None]]:
    rows = db.session.execute(select(WebhookTarget.id, WebhookTarget.url, WebhookTarget.position_id)
                              .where(WebhookTarget.active.is_(True))).all()
    return [tuple(r) for r in rows]


def dispatch(session) -> None:
    """After a commit: hand the queued events and their robots to a sender thread."""
    pending, targets = session.info.pop(QUEUE, None), session.info.pop(TARGETS, None)
    if not pending or not targets:
        return
    jobs = [(tid, url, content) for content, position_id in pending
            for tid, url, target_position in targets if target_position is None or target_position == position_id]
    if not jobs:
        return
    thread = threading.Thread(target=_send_all, args=(current_app._get_current_object(), jobs), daemon=True)
    _threads.append(thread)
    thread.start()


def _post(url: str, content: str, timeout: float) -> None:
    body = json.dumps({"msgtype": "text", "text": {"content": content}}, ensure_ascii=False).encode()
    req = urllib.request.Request(url, data=body, headers={"Content-Type": "application/json; charset=utf-8"})
    with urllib.request.urlopen(req, timeout=timeout) as response:  # nosec B310 (http(s) checked)
        answer = response.read(4096)
    try:
        code = json.loads(answer or b"{}").get("errcode", 0)
    except (ValueError, AttributeError):
        code = 0
    if code:
        raise WebhookError(f"机器人返回错误码 {code}")


def _send_all(app, jobs) -> None:
    cfg = app.config
    tries, timeout, backoff = int(cfg["WEBHOOK_RETRIES"]) + 1, float(cfg["WEBHOOK_TIMEOUT"]), float(cfg["WEBHOOK_BACKOFF"])
    for target_id, url, content in jobs:
        error, attempts = "", 0
        for attempt in range(tries):
            attempts = attempt + 1
            try:
                _post(url, content, timeout)
                error = ""
                break
            except (OSError, urllib.error.URLError, WebhookError, ValueError) as exc:
                error = (str(getattr(exc, "reason", "") or exc) or type(exc).__name__)[:200]
                if attempt + 1 < tries:
                    time.sleep(backoff * 2 ** attempt)
        with app.app_context():
            db.session.add(WebhookDelivery(target_id=target_id, text=content[:500], status="failed" if error else "sent",
                                           attempts=attempts, error=error))
            db.session.commit()
            db.session.remove()


def wait_idle(timeout: float = 30) -> None:
    """For tests and the CLI: wait until the sender threads have finished."""
    deadline = time.monotonic() + timeout
    while _threads:
        thread = _threads.pop()
        thread.join(max(0.0, deadline - time.monotonic()))


def _after_commit(session) -> None:
    if QUEUE in session.info or TARGETS in session.info:
        dispatch(session)


def _after_soft_rollback(session, previous_transaction) -> None:
    if previous_transaction.parent is None:  # the outer transaction only, not a savepoint
        session.info.pop(QUEUE, None)
        session.info.pop(TARGETS, None)


def install(app) -> None:
    """Hooks every session: send after a commit, forget on a rollback. Once per process,
    however many apps are created (the tests create one per test)."""
    from sqlalchemy.orm import Session

    if not event.contains(Session, "after_commit", _after_commit):
        event.listen(Session, "after_commit", _after_commit)
        event.listen(Session, "after_soft_rollback", _after_soft_rollback)

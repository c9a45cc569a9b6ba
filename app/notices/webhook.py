"""Optional push of the notices' events to 企业微信 / 钉钉 group robots.

Off until admin adds a robot's webhook URL (for the department, or for one position's
group). An event noticed inside a transaction adds one WebhookDelivery row per robot to
that transaction (an outbox): it commits with the notice or not at all. The worker process
(`flask --app wsgi worker`, app/notices/outbox.py) sends the rows afterwards, each try
within a total deadline, robots independently, with retries and backoff, so a slow or
failing robot never delays or fails the user's request, and nothing is lost on a restart.
"""
import json
import threading
import time
from urllib.parse import urlsplit

import http.client
import ipaddress
import socket
from flask import current_app, has_request_context, request
from sqlalchemy import event, select

from app.database import utcnow
from app.extensions import db
from app.notices.models import WebhookDelivery, WebhookTarget

TARGETS = "webhook_targets"  # key in session.info: the active robots, read once per transaction


class WebhookError(ValueError):
    pass


# --- where a robot may be: https on a public address (SSRF) ---------------------------------
# A robot's address is admin's input, and the app posts to it from inside the network: an
# address inside (loopback, the LAN, the cloud's metadata service, a redirect there) would
# let anyone with admin rights probe or drive internal services. So: https only (http by
# WEBHOOK_ALLOW_HTTP), no user or password in the URL, every address the host resolves to
# public (hosts listed in WEBHOOK_ALLOWED_HOSTS excepted), checked when the robot is added
# and again before every send, the connection made to the address that was checked (no
# second lookup: DNS rebinding), no redirect followed, and only a short class of failure
# kept (超时, 连接失败, 返回错误码 N from the robot API's own errcode).

def _allowed_hosts() -> set[str]:
    raw = str(current_app.config.get("WEBHOOK_ALLOWED_HOSTS") or "")
    return {h.strip().lower().strip("[]") for h in raw.replace(",", " ").split() if h.strip()}


def _public(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if ip.version == 6 and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not (ip.is_multicast or ip.is_reserved or ip.is_loopback or ip.is_link_local
                                 or ip.is_private or ip.is_unspecified)


def resolve(url: str) -> tuple[str, str, int, list[str]]:
    """(scheme, host, port, addresses) of an allowed robot URL; WebhookError otherwise."""
    parts = urlsplit(url)
    allow_http = bool(current_app.config.get("WEBHOOK_ALLOW_HTTP"))
    if parts.scheme != "https" and not (allow_http and parts.scheme == "http"):
        raise WebhookError("机器人地址应以 https:// 开头，如企业微信群机器人的 Webhook 地址。")
    if parts.username is not None or parts.password is not None or "@" in parts.netloc:
        raise WebhookError("机器人地址中不能包含用户名或密码。")
    try:
        host, port = (parts.hostname or "").lower(), parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        raise WebhookError("机器人地址的端口无效。")
    if not host:
        raise WebhookError("机器人地址缺少主机名。")
    try:
        addresses = sorted({info[4][0] for info in socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)})
    except (OSError, UnicodeError):
        raise WebhookError("无法解析机器人地址的主机名。")
    if not addresses:
        raise WebhookError("无法解析机器人地址的主机名。")
    if host not in _allowed_hosts() and not all(_public(a) for a in addresses):
        raise WebhookError("机器人地址指向内部网络或本机，不允许使用。")
    return parts.scheme, host, port, addresses


def check_url(url: str) -> str:
    url = (url or "").strip()
    if not url or len(url) > 500 or any(c.isspace() for c in url):
        raise WebhookError("机器人地址应以 https:// 开头，如企业微信群机器人的 Webhook 地址。")
    resolve(url)
    return url


def queue(text: str, link: str, position_id: int | None) -> None:
    """An event for the robots: one outbox row per robot that wants it, added to the
    caller's transaction (committed with the notice, gone with a rollback), sent afterwards
    by the worker (app/notices/outbox.py)."""
    info = db.session.info
    if TARGETS not in info:
        info[TARGETS] = _targets()  # read inside the transaction, once
    targets = [(tid, url) for tid, url, target_position in info[TARGETS]
               if target_position is None or target_position == position_id]
    if not targets:
        return  # no robot configured for this event: nothing to send
    base = current_app.config.get("PUBLIC_URL") or (request.url_root if has_request_context() else "")
    content = text + (f"\n{base.rstrip('/')}{link}" if base and link else "")
    now = utcnow()
    db.session.add_all([WebhookDelivery(target_id=tid, text=content[:500], status="pending", attempts=0,
                                        error="", next_try_at=now, created_at=now) for tid, _url in targets])


def _targets() -> list[tuple[int, str, int | None]]:
    rows = db.session.execute(select(WebhookTarget.id, WebhookTarget.url, WebhookTarget.position_id)
                              .where(WebhookTarget.active.is_(True))).all()
    return [tuple(r) for r in rows]


class _PinnedHTTP(http.client.HTTPConnection):
    """A connection to the address that was checked, with the host's name in the Host
    header: no second DNS lookup between check and connect. `raw_sock` stays reachable
    for the deadline after the response has taken `sock` over."""

    def __init__(self, host, address, port, timeout):
        super().__init__(host, port, timeout=timeout)
        self._address = address

    def _open(self):
        self.raw_sock = socket.create_connection((self._address, self.port), self.timeout)
        return self.raw_sock

    def connect(self):
        self.sock = self._open()


class _PinnedHTTPS(_PinnedHTTP, http.client.HTTPSConnection):
    """The same over TLS, the certificate checked against the host's name (SNI too)."""

    def connect(self):
        self.sock = self._context.wrap_socket(self._open(), server_hostname=self.host)


def _resolve_within(url: str, seconds: float) -> tuple[str, str, int, list[str]]:
    """resolve(), but a name server that does not answer counts against the try's deadline
    (getaddrinfo has no timeout of its own; the lookup thread is left to end by itself)."""
    app, box = current_app._get_current_object(), {}

    def look_up():
        with app.app_context():
            try:
                box["found"] = resolve(url)
            except WebhookError as exc:
                box["error"] = exc

    thread = threading.Thread(target=look_up, daemon=True)
    thread.start()
    thread.join(seconds)
    if thread.is_alive():
        raise WebhookError("超时")
    if "error" in box:
        raise box["error"]
    return box["found"]


def _post(url: str, content: str, timeout: float) -> None:
    """One try, within `timeout` seconds in all — name lookup, connection, sending and the
    answer (not per read: a robot trickling a byte at a time is cut off too). Raises
    WebhookError with a short reason."""
    deadline = time.monotonic() + timeout
    # again at send time: the name may point elsewhere now
    scheme, host, port, addresses = _resolve_within(url, timeout)
    timeout = deadline - time.monotonic()
    if timeout <= 0:
        raise WebhookError("超时")
    parts = urlsplit(url)
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    body = json.dumps({"msgtype": "text", "text": {"content": content}}, ensure_ascii=False).encode()
    conn = (_PinnedHTTPS if scheme == "https" else _PinnedHTTP)(host, addresses[0], port, timeout)
    expired = threading.Event()

    def cut():
        expired.set()
        sock = getattr(conn, "raw_sock", None)  # conn.sock is None once the response took it over
        if sock is not None:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    timer = threading.Timer(timeout, cut)
    timer.daemon = True
    timer.start()
    try:
        conn.request("POST", path, body=body, headers={"Content-Type": "application/json; charset=utf-8"})
        response = conn.getresponse()
        status, answer = response.status, response.read(4096)
    except (OSError, http.client.HTTPException) as exc:
        if expired.is_set() or isinstance(exc, TimeoutError):
            raise WebhookError("超时")
        raise WebhookError("连接失败")
    finally:
        timer.cancel()
        conn.close()
    if expired.is_set():
        raise WebhookError("超时")
    if not 200 <= status < 300:  # a redirect is not followed: it counts as a failure
        raise WebhookError(f"返回异常状态 {status // 100}xx")
    try:
        code = json.loads(answer or b"{}").get("errcode", 0)
    except (ValueError, AttributeError):
        code = 0
    if code:
        raise WebhookError(f"返回错误码 {int(code) if str(code).lstrip('-').isdigit() else '（无效）'}")


def _forget_targets(session, *args) -> None:
    session.info.pop(TARGETS, None)


def install(app) -> None:
    """The robots read once per transaction are forgotten when it ends (a robot added
    meanwhile counts from the next one). Once per process, however many apps are created
    (the tests create one per test)."""
    from sqlalchemy.orm import Session

    if not event.contains(Session, "after_commit", _forget_targets):
        event.listen(Session, "after_commit", _forget_targets)
        event.listen(Session, "after_rollback", _forget_targets)

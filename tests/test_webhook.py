"""Group robot pushes (企业微信 / 钉钉), against a local HTTP server started by the test:
written as outbox rows with the notice, sent by the worker (here `outbox.drain`, the
worker's loop run until nothing waits), retried after a 500, a timeout recorded as a
failure; the user's request never waits for the robot and never fails because of it."""
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from sqlalchemy import select

from app.extensions import db
from app.notices.models import WebhookDelivery, WebhookTarget
from app.notices import webhook
from app.notices.outbox import drain
from app.notices.webhook import WebhookError, check_url
from tests.test_supplies import store  # noqa: F401  (fixture)


class QuietServer(ThreadingHTTPServer):
    """Joins its handler threads on close and prints nothing when the app gave up on a
    hanging answer: a traceback printed from a background thread while the next test
    builds its app can trip CPython 3.11.7's AST recursion-depth check (gh-106905)."""

    daemon_threads = False
    block_on_close = True

    def handle_error(self, request, client_address):
        pass


class Robot:
    """A fake robot: answers with the scripted statuses in turn (then 200), or hangs."""

    def __init__(self, script=(), hang=0.0, answer=None):
        """`answer(handler)`, when given, writes the whole answer (a redirect, a trickle)."""
        self.script, self.hang, self.received = list(script), hang, []
        robot = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                robot.received.append(json.loads(body))
                if answer is not None:
                    return answer(self)
                if robot.hang:
                    time.sleep(robot.hang)
                status = robot.script.pop(0) if robot.script else 200
                payload = json.dumps({"errcode": 0 if status == 200 else 500}).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *args):
                pass

        self.server = QuietServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_port}/cgi-bin/webhook/send?key=test"

    def close(self):
        self.server.shutdown()
        self.server.server_close()  # waits for the handlers still sleeping on a hang


@pytest.fixture
def robots():
    """Makes fake robots; each is closed (its handler threads joined) after the test,
    whether it passed or not."""
    made = []

    def make(**kwargs):
        made.append(Robot(**kwargs))
        return made[-1]

    yield make
    for robot in made:
        robot.close()


@pytest.fixture
def requester(app, client, store, make_user):  # noqa: F811
    make_user("wm", position="workshop_manager")
    # The fake robots listen on plain HTTP on loopback: allowed here by the two settings a
    # robot gateway in the LAN would need (by default both are refused, see the SSRF tests).
    app.config.update(WEBHOOK_BACKOFF=0.05, WEBHOOK_TIMEOUT=0.5, WEBHOOK_RETRIES=2, PUBLIC_URL="https://intranet.example.lan",
                      WEBHOOK_ALLOW_HTTP=True, WEBHOOK_ALLOWED_HOSTS="127.0.0.1")
    client.login("t1")
    return client


def add_robot(app, url):
    with app.app_context():
        db.session.add(WebhookTarget(url=url))
        db.session.commit()


def ask(client, store):  # noqa: F811
    r = client.post_form("/supplies/requisitions/new", {"item_id": [store["手套"]], "qty": ["1"], "reason": "手套破了"})
    assert r.status_code == 303


def deliveries(app):
    drain(app)
    with app.app_context():
        return [(d.status, d.attempts, d.error) for d in db.session.scalars(select(WebhookDelivery).order_by(WebhookDelivery.id))]


def test_sent_after_commit_with_a_link(app, requester, store, robots):  # noqa: F811
    robot = robots()
    add_robot(app, robot.url)
    ask(requester, store)
    assert deliveries(app) == [("sent", 1, "")]
    content = robot.received[0]["text"]["content"]
    assert robot.received[0]["msgtype"] == "text"
    assert "【物资申领待审批】t1（技师）提交了物资申领" in content and "https://intranet.example.lan/supplies/requisitions/" in content


def test_a_500_is_retried(app, requester, store, robots):  # noqa: F811
    robot = robots(script=[500])
    add_robot(app, robot.url)
    ask(requester, store)
    assert deliveries(app) == [("sent", 2, "")]
    assert len(robot.received) == 2


def test_a_hanging_robot_never_holds_the_request(app, requester, store, robots):  # noqa: F811
    robot = robots(hang=2.0)
    add_robot(app, robot.url)
    ask(requester, store)
    # answered before anything was sent: the push waits in the outbox for the worker (a
    # bound on the request's time failed a loaded CI run at 1.17 s, holding nothing)
    with app.app_context():
        waiting = [(d.status, d.attempts) for d in db.session.scalars(select(WebhookDelivery))]
    assert waiting == [("pending", 0)] and robot.received == []
    status, attempts, error = deliveries(app)[0]
    assert status == "failed" and attempts == 3 and error == "超时"


def test_admin_sees_failed_pushes(app, admin_client):
    with app.app_context():
        target = WebhookTarget(url="https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=x")
        db.session.add(target)
        db.session.flush()
        db.session.add(WebhookDelivery(target_id=target.id, text="【点检逾期】…", status="failed", attempts=4,
                                       error="timed out"))
        db.session.commit()
    page = admin_client.get("/notices/webhooks").get_data(as_text=True)
    assert "尝试 4 次：timed out" in page


def test_no_robot_no_push_and_bad_urls_refused(app, admin_client, public_dns):
    r = admin_client.post_form("/notices/webhooks", {"url": "ftp://robot.example/x"})
    assert r.status_code == 422 and "https://" in r.get_data(as_text=True)
    r = admin_client.post_form("/notices/webhooks", {"url": "javascript:alert(1)"})
    assert r.status_code == 422
    with app.app_context():
        assert db.session.scalar(select(WebhookTarget.id)) is None
    r = admin_client.post_form("/notices/webhooks", {"url": "https://oapi.dingtalk.com/robot/send?access_token=x"})
    assert r.status_code == 303
    page = admin_client.get("/notices/webhooks").get_data(as_text=True)
    assert "全部门" in page and "没有失败的推送" in page


@pytest.fixture
def public_dns(monkeypatch):
    """Names resolve without the network: robot.example and the robot APIs to a public
    address, `inside.example` to loopback; numbers as the resolver reads them."""
    real = webhook.socket.getaddrinfo
    names = {"inside.example": "127.0.0.1"}

    def fake(host, port, *args, **kwargs):
        if host in names:
            return [(2, 1, 6, "", (names[host], port))]
        if host.endswith((".example", ".qq.com", ".dingtalk.com")):
            return [(2, 1, 6, "", ("93.184.216.34", port))]
        return real(host, port, *args, **kwargs)  # numeric hosts and localhost: no network needed

    monkeypatch.setattr(webhook.socket, "getaddrinfo", fake)
    return names


@pytest.mark.parametrize("url", [
    "http://169.254.169.254/latest/meta-data/", "https://169.254.169.254/latest/meta-data/",
    "https://[::1]:8443/x", "https://0x7f000001:8443/x", "https://localhost:8000/admin/accounts/",
    "https://127.0.0.1/x", "https://10.0.0.5/x", "https://192.168.1.10/x", "https://172.16.0.1/x",
    "https://[::ffff:127.0.0.1]/x", "https://[fe80::1]/x", "https://224.0.0.1/x", "https://0.0.0.0/x",
    "https://inside.example/cgi-bin/webhook/send", "https://admin:secret@qyapi.weixin.qq.com/cgi-bin/webhook/send",
    "http://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=x", "https://qyapi.weixin.qq.com:99999/x",
])
def test_robots_cannot_be_pointed_inside(app, public_dns, url):
    with app.test_request_context():
        with pytest.raises(WebhookError):
            check_url(url)


def test_a_public_robot_and_an_allowed_gateway_pass(app, public_dns):
    with app.test_request_context():
        assert check_url("https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=x")
        app.config["WEBHOOK_ALLOWED_HOSTS"] = "inside.example"
        assert check_url("https://inside.example/cgi-bin/webhook/send")


def test_a_name_that_turns_inside_after_it_was_added_is_refused_at_send_time(app, requester, store, robots,
                                                                              public_dns):  # noqa: F811
    """DNS rebinding: the name passed when the robot was added, then points at a robot on
    loopback. The send checks again and connects only to the address it checked."""
    app.config["WEBHOOK_ALLOWED_HOSTS"] = ""
    robot = robots()
    public_dns["rebind.example"] = "93.184.216.34"
    with app.test_request_context():
        check_url(f"http://rebind.example:{robot.server.server_port}/x")
    add_robot(app, f"http://rebind.example:{robot.server.server_port}/x")
    public_dns["rebind.example"] = "127.0.0.1"
    ask(requester, store)
    status, attempts, error = deliveries(app)[0]
    assert status == "failed" and "内部网络" in error and robot.received == []


def test_a_redirect_is_not_followed_and_failures_say_little(app, requester, store, robots):  # noqa: F811
    inside = robots()
    target = f"http://127.0.0.1:{inside.server.server_port}/admin/"

    def redirect(h):
        h.send_response(302)
        h.send_header("Location", target)
        h.send_header("Content-Length", "0")
        h.end_headers()

    add_robot(app, robots(answer=redirect).url)  # the robots fixture closes it
    ask(requester, store)
    status, attempts, error = deliveries(app)[0]
    assert status == "failed" and error == "返回异常状态 3xx" and inside.received == []
    assert target not in error and "127.0.0.1" not in error


def test_a_trickling_robot_is_cut_off_at_the_deadline(app, requester, store, robots):  # noqa: F811
    """WEBHOOK_TIMEOUT is the whole try, not one read: a byte every 0.3 s is not an answer.
    Each byte comes well within the 0.5 s timeout, and the whole answer (a 200) would have
    arrived after 12 s: only a deadline over the whole try makes this delivery 超时."""

    def trickle(h):
        h.send_response(200)
        h.send_header("Content-Length", "40")
        h.end_headers()
        for _ in range(40):
            try:
                h.wfile.write(b" ")
                h.wfile.flush()
            except OSError:
                return
            time.sleep(0.3)

    app.config.update(WEBHOOK_RETRIES=0)
    add_robot(app, robots(answer=trickle).url)
    ask(requester, store)
    assert deliveries(app) == [("failed", 1, "超时")]


def test_a_name_server_that_does_not_answer_counts_against_the_deadline(app, requester, store, robots,
                                                                        public_dns, monkeypatch):  # noqa: F811
    """The whole try has one deadline, the name lookup included (getaddrinfo has none)."""
    import threading as _threading

    robot = robots()
    release = _threading.Event()
    public_dns["slow-dns.example"] = "127.0.0.1"
    app.config.update(WEBHOOK_RETRIES=0, WEBHOOK_ALLOWED_HOSTS="127.0.0.1 slow-dns.example")
    add_robot(app, f"http://slow-dns.example:{robot.server.server_port}/x")
    fake = webhook.socket.getaddrinfo

    def hanging(host, *args, **kwargs):
        if host == "slow-dns.example" and not _threading.current_thread().name.startswith("MainThread"):
            release.wait(30)
        return fake(host, *args, **kwargs)

    monkeypatch.setattr(webhook.socket, "getaddrinfo", hanging)
    try:
        ask(requester, store)
        assert deliveries(app) == [("failed", 1, "超时")] and robot.received == []
    finally:
        release.set()

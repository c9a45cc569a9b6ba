"""Group robot pushes (企业微信 / 钉钉), against a local HTTP server started by the test:
sent after the commit, retried after a 500, a timeout recorded as a failure; the user's
request never waits for the robot and never fails because of it."""
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from sqlalchemy import select

from app.extensions import db
from app.notices.models import WebhookDelivery, WebhookTarget
from app.notices.webhook import wait_idle
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

    def __init__(self, script=(), hang=0.0):
        self.script, self.hang, self.received = list(script), hang, []
        robot = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                robot.received.append(json.loads(body))
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
    wait_idle()
    for robot in made:
        robot.close()


@pytest.fixture
def requester(app, client, store, make_user):  # noqa: F811
    make_user("wm", position="workshop_manager")
    app.config.update(WEBHOOK_BACKOFF=0.05, WEBHOOK_TIMEOUT=0.5, WEBHOOK_RETRIES=2, PUBLIC_URL="https://intranet.example.lan")
    client.login("t1")
    return client


def add_robot(app, url):
    with app.app_context():
        db.session.add(WebhookTarget(url=url))
        db.session.commit()


def ask(client, store):  # noqa: F811
    start = time.monotonic()
    r = client.post_form("/supplies/requisitions/new", {"item_id": [store["手套"]], "qty": ["1"], "reason": "手套破了"})
    assert r.status_code == 303
    return time.monotonic() - start


def deliveries(app):
    wait_idle()
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
    took = ask(requester, store)
    assert took < 1.0  # answered while the robot still hangs
    status, attempts, error = deliveries(app)[0]
    assert status == "failed" and attempts == 3 and "timed out" in error


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


def test_no_robot_no_push_and_bad_urls_refused(app, admin_client):
    r = admin_client.post_form("/notices/webhooks", {"url": "ftp://robot.example/x"})
    assert r.status_code == 422 and "http:// 或 https://" in r.get_data(as_text=True)
    r = admin_client.post_form("/notices/webhooks", {"url": "javascript:alert(1)"})
    assert r.status_code == 422
    with app.app_context():
        assert db.session.scalar(select(WebhookTarget.id)) is None
    r = admin_client.post_form("/notices/webhooks", {"url": "https://oapi.dingtalk.com/robot/send?access_token=x"})
    assert r.status_code == 303
    page = admin_client.get("/notices/webhooks").get_data(as_text=True)
    assert "全部门" in page and "没有失败的推送" in page

"""The README's nginx site (deploy/nginx-intranet.conf), run by Debian's nginx with a
self-signed certificate in front of gunicorn started as scripts/run.sh would: a login over
HTTPS gets Secure cookies, the throttling sees the client's own address (and not one the
client claims in X-Forwarded-For), and a 50 MB upload passes the proxy."""
import http.client
import os
import re
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import time
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

import pytest
from sqlalchemy import create_engine, text

from tests.conftest import ON_POSTGRES

ROOT = Path(__file__).resolve().parent.parent
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
PASSWORD = "proxy-password-1"
CLIENT_ADDRESS = "127.0.0.3"  # the test's own source address, as a colleague's PC would have

pytestmark = pytest.mark.skipif(ON_POSTGRES, reason="the proxy does not depend on the database; run once")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(port: int, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise AssertionError(f"nothing listens on {port}")


@pytest.fixture
def proxied(tmp_path, template_db):
    if not os.path.exists(NGINX):
        pytest.fail("nginx is not installed; run scripts/test.sh, which installs it")
    # the app's data: a copy of the fresh install, an admin and a training to upload to
    instance = tmp_path / "instance"
    instance.mkdir()
    shutil.copy(template_db, instance / "app.db")
    env = {**os.environ, "INSTANCE_PATH": str(instance), "DATABASE_URL": f"sqlite:///{instance}/app.db",
           "SECRET_KEY": "proxy-test-secret", "TRUSTED_PROXIES": "1", "HTMX_SOURCE": "local",
           "MAX_UPLOAD_MB": "100", "MAX_FILE_MB": "60"}
    setup = f"""
from app import create_app
from app.extensions import db
from app.auth.models import User
from app.trainings.models import Training, TrainingCategory
from datetime import date, time
app = create_app({{"PASSWORD_HASH_METHOD": "scrypt:1024:8:1"}})
with app.app_context():
    u = User(username="proxyadmin", is_admin=True); u.set_password("{PASSWORD}"); db.session.add(u)
    db.session.flush()
    category = db.session.scalar(db.select(TrainingCategory.id))
    db.session.add(Training(topic="代理上传测试", category_id=category, held_on=date(2026, 11, 20),
                            start_time=time(9), end_time=time(10), status="done", created_by_id=u.id))
    db.session.commit()
"""
    subprocess.run([sys.executable, "-c", setup], cwd=ROOT, env=env, check=True)
    app_port, https_port = free_port(), free_port()
    gunicorn = subprocess.Popen(
        [str(ROOT / ".venv" / "bin" / "gunicorn"), "--bind", f"127.0.0.1:{app_port}", "--workers", "1",
         "--threads", "4", "--timeout", "120", "wsgi:app"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    # a self-signed certificate
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj",
                    "/CN=localhost", "-keyout", str(tmp_path / "key.pem"), "-out", str(tmp_path / "cert.pem")],
                   check=True, capture_output=True)
    # the README's site, with this machine's paths and ports
    site = (ROOT / "deploy" / "nginx-intranet.conf").read_text(encoding="utf-8")
    site = site.replace("listen 80;", f"listen 127.0.0.1:{free_port()};")
    site = site.replace("listen 443 ssl http2;", f"listen 127.0.0.1:{https_port} ssl http2;")
    site = site.replace("/etc/ssl/certs/intranet.crt", str(tmp_path / "cert.pem"))
    site = site.replace("/etc/ssl/private/intranet.key", str(tmp_path / "key.pem"))
    site = site.replace("/srv/intranet/static/", str(ROOT / "static") + "/")
    site = site.replace("http://127.0.0.1:8000", f"http://127.0.0.1:{app_port}")
    assert "client_max_body_size 100m;" in site and str(app_port) in site
    (tmp_path / "site.conf").write_text(site, encoding="utf-8")
    (tmp_path / "nginx.conf").write_text(f"""
worker_processes 1;
pid {tmp_path}/nginx.pid;
error_log {tmp_path}/error.log;
events {{ worker_connections 64; }}
http {{
    access_log off;
    client_body_temp_path {tmp_path}/body;
    proxy_temp_path {tmp_path}/proxy;
    fastcgi_temp_path {tmp_path}/fastcgi;
    uwsgi_temp_path {tmp_path}/uwsgi;
    scgi_temp_path {tmp_path}/scgi;
    include /etc/nginx/mime.types;
    include {tmp_path}/site.conf;
}}
""", encoding="utf-8")
    user = ["-g", "daemon off; user root;"] if os.geteuid() == 0 else ["-g", "daemon off;"]
    nginx = subprocess.Popen([NGINX, "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf"), *user],
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        wait_for(app_port)
        wait_for(https_port)
        yield https_port, instance / "app.db"
    finally:
        nginx.send_signal(signal.SIGQUIT)
        gunicorn.terminate()
        nginx.wait(10)
        gunicorn.wait(10)


class Browser:
    """Just enough of a browser over HTTPS: cookies, the CSRF token, a source address."""

    def __init__(self, port: int):
        self.port, self.cookies = port, {}
        self.ctx = ssl.create_default_context()
        self.ctx.check_hostname, self.ctx.verify_mode = False, ssl.CERT_NONE

    def request(self, method, path, body=b"", headers=None):
        conn = http.client.HTTPSConnection("127.0.0.1", self.port, context=self.ctx, timeout=120,
                                           source_address=(CLIENT_ADDRESS, 0))
        origin = f"localhost:{self.port}"
        h = {"Host": origin, "Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items()),
             "Referer": f"https://{origin}/auth/login", **(headers or {})}
        conn.request(method, path, body=body, headers=h)
        r = conn.getresponse()
        data = r.read()
        set_cookies = r.headers.get_all("Set-Cookie") or []
        for raw in set_cookies:
            c = SimpleCookie()
            c.load(raw)
            for k, morsel in c.items():
                self.cookies[k] = morsel.value
        conn.close()
        return r.status, r.headers, set_cookies, data.decode("utf-8", "replace")

    def csrf(self, path="/auth/login"):
        _, _, _, html = self.request("GET", path)
        m = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"|"X-CSRFToken": "([^"]+)"', html)
        return m.group(1) or m.group(2)


def test_the_readme_nginx_site_in_front_of_gunicorn(proxied):
    port, database = proxied
    b = Browser(port)
    # a failed login claiming another address: throttling records the real one
    form = {"username": "proxyadmin", "password": "wrong-password-1", "csrf_token": b.csrf()}
    status, _, _, _ = b.request("POST", "/auth/login", urlencode(form).encode(),
                                {"Content-Type": "application/x-www-form-urlencoded", "X-Forwarded-For": "6.6.6.6"})
    assert status == 401
    engine = create_engine(f"sqlite:///{database}")
    with engine.connect() as conn:
        seen = conn.execute(text("SELECT ip FROM login_attempt ORDER BY id DESC LIMIT 1")).scalar()
    assert seen == CLIENT_ADDRESS
    # the login over HTTPS: every cookie Secure, HSTS, the CSP
    form = {"username": "proxyadmin", "password": PASSWORD, "remember": "y", "csrf_token": b.csrf()}
    status, headers, cookies, _ = b.request("POST", "/auth/login", urlencode(form).encode(),
                                            {"Content-Type": "application/x-www-form-urlencoded"})
    assert status == 302 and headers["Location"] == "/"
    assert {c.split("=")[0] for c in cookies} >= {"session", "remember_token"}
    assert all("; Secure" in c for c in cookies), cookies
    status, headers, _, html = b.request("GET", "/")
    assert status == 200 and "Strict-Transport-Security" in headers and "script-src 'self'" in headers["Content-Security-Policy"]
    # static files come from nginx
    status, headers, _, _ = b.request("GET", "/static/css/app.css")
    assert status == 200 and "max-age=604800" in headers.get("Cache-Control", "")
    # with the app's security headers, though the app never sees the request
    assert headers.get("X-Content-Type-Options") == "nosniff" and "Strict-Transport-Security" in headers
    assert "default-src 'none'" in headers.get("Content-Security-Policy", "")
    status, headers, _, _ = b.request("GET", "/static/favicon.svg")
    assert status == 200 and "default-src 'none'" in headers.get("Content-Security-Policy", "")
    # a 50 MB material passes the proxy and is stored
    with engine.connect() as conn:
        training = conn.execute(text("SELECT id FROM training")).scalar()
    token = b.csrf(f"/trainings/{training}")
    boundary = "----intranet-upload"
    payload = b"%PDF-1.4\n" + b"0" * (50 * 1024 * 1024) + b"\n%%EOF\n"
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"csrf_token\"\r\n\r\n{token}\r\n"
            f"--{boundary}\r\nContent-Disposition: form-data; name=\"kind\"\r\n\r\nmaterial\r\n"
            f"--{boundary}\r\nContent-Disposition: form-data; name=\"files\"; filename=\"big.pdf\"\r\n"
            f"Content-Type: application/pdf\r\n\r\n").encode() + payload + f"\r\n--{boundary}--\r\n".encode()
    status, _, _, html = b.request("POST", f"/trainings/{training}/files", body,
                                   {"Content-Type": f"multipart/form-data; boundary={boundary}", "HX-Request": "true"})
    assert status == 200 and "已上传" in html, html[:500]
    with engine.connect() as conn:
        size = conn.execute(text("SELECT size FROM training_file WHERE display_name = 'big.pdf'")).scalar()
    assert size == len(payload)
    engine.dispose()

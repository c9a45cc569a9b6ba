"""Page benchmark: every main page as requests/s and p50, as a ratio to a bare Flask+Jinja
page served by the same gunicorn settings in the same run, on the demo data and on the
three-year dataset; then the PDFs' and CSV exports' first and repeated times.

    bash scripts/install-system-packages.sh --bench     # wrk (the load generator), PostgreSQL
    .venv/bin/python bench/pages.py [--seconds 2] [--rounds 3] [--only board,grid] [--rebuild]
    DATABASE_URL=postgresql+psycopg://…/db .venv/bin/python bench/pages.py --datasets scale

Load generator: wrk (Debian's package), 2 threads and 8 connections, against gunicorn with
WEB_WORKERS × WEB_THREADS (4 × 2) on 127.0.0.1, as scripts/run.sh serves the app. Each page is
measured --rounds times for --seconds, each time right after the bare page, and the
medians are reported: this machine's speed drifts by a factor of two within minutes, so
a ratio must compare figures taken seconds apart. The PDF cache is emptied before the
exports, so "first" is a real first print. Datasets are built by
bench/scale.py's build() into /tmp/intranet-bench/{demo,scale} (or $BENCH_DIR/…) when missing
(or with --rebuild). With DATABASE_URL set, the chosen datasets are built in that PostgreSQL
database instead (one at a time: it is rebuilt per dataset). Run by hand, never in CI.
"""
import argparse
import http.cookiejar
import os
import re
import shutil
import signal
import statistics
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, ROOT)
sys.path.insert(0, HERE)

from scale import BENCH_ADMIN, BENCH_PASSWORD, build  # noqa: E402

BASE = os.environ.get("BENCH_DIR", "/tmp/intranet-bench")  # another folder for a second checkout
VENV_BIN = os.path.join(ROOT, ".venv", "bin")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# As scripts/run.sh serves the app, and from the same variables.
GUNICORN_WORKERS, GUNICORN_THREADS = os.environ.get("WEB_WORKERS", "4"), os.environ.get("WEB_THREADS", "2")


def start_gunicorn(module: str, env: dict, cwd: str) -> tuple[subprocess.Popen, str]:
    port = free_port()
    proc = subprocess.Popen(
        [os.path.join(VENV_BIN, "gunicorn"), "--bind", f"127.0.0.1:{port}",
         "--workers", GUNICORN_WORKERS, "--threads", GUNICORN_THREADS,
         "--timeout", "120", "--log-level", "warning", module],
        cwd=cwd, env={**os.environ, **env}, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    for _ in range(200):
        try:
            urllib.request.urlopen(base + ("/auth/login" if module == "wsgi:app" else "/"), timeout=2)
            return proc, base
        except Exception:
            time.sleep(0.1)
    stop(proc)
    raise SystemExit(f"gunicorn {module} did not start")


def stop(proc: subprocess.Popen) -> None:
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=20)
    except Exception:
        pass


# One browser: the login's session is bound to its address and user agent (Flask-Login's
# session protection), so every request of the benchmark sends the same.
USER_AGENT = "Mozilla/5.0 (bench/pages.py)"


def login(base: str) -> str:
    """Log in as the bench admin; returns the Cookie header value."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    opener.addheaders = [("User-Agent", USER_AGENT)]
    html = opener.open(base + "/auth/login").read().decode()
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)
    data = urllib.parse.urlencode({"csrf_token": token, "username": BENCH_ADMIN, "password": BENCH_PASSWORD}).encode()
    opener.open(base + "/auth/login", data)
    check = opener.open(base + "/").geturl()
    if "/auth/login" in check:
        raise SystemExit("login failed")
    # The cookie as a browser holds it after its first page (login starts a new session;
    # the first page adds the form token's secret), not as the login's redirect left it.
    return "; ".join(f"{c.name}={c.value}" for c in jar)


def wrk(url: str, cookie: str | None, seconds: int) -> tuple[float, float, int]:
    """(requests/s, p50 in ms, non-2xx count)."""
    cmd = ["wrk", "-t2", "-c8", f"-d{seconds}s", "--latency", "--timeout", "10s"]
    if cookie:
        cmd += ["-H", f"Cookie: {cookie}", "-H", f"User-Agent: {USER_AGENT}"]
    out = subprocess.run(cmd + [url], capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    m = re.search(r"50%\s+([\d.]+)(us|ms|s)\b", out)
    p50 = float(m.group(1)) * {"us": 0.001, "ms": 1, "s": 1000}[m.group(2)] if m else float("nan")
    bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    return rps, p50, int(bad.group(1)) if bad else 0


def fetch(base: str, path: str, cookie: str) -> tuple[int, float, int]:
    req = urllib.request.Request(base + path, headers={"Cookie": cookie, "User-Agent": USER_AGENT})
    start = time.perf_counter()
    try:
        with urllib.request.urlopen(req, timeout=120) as resp:
            body = resp.read()
            status = resp.status
    except urllib.error.HTTPError as exc:
        body, status = b"", exc.code
    return status, (time.perf_counter() - start) * 1000, len(body)


def targets(instance: str, url: str) -> tuple[list, list]:
    """(pages, exports) with the busiest object of each kind in this dataset."""
    os.environ["INSTANCE_PATH"] = instance
    from app import create_app
    from app.extensions import db
    from pagelist import exports, main_pages

    app = create_app({"SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        found = main_pages(), exports()
        db.session.remove()
        db.engine.dispose()
    return found


def run_dataset(name: str, instance: str, url: str, seconds: int, only: set[str] | None, results: dict,
                rounds: int = 3) -> None:
    """Both servers stay up; one is loaded at a time (see the module doc)."""
    pages, exports = targets(instance, url)
    env = {"INSTANCE_PATH": instance, "DATABASE_URL": url}
    bare, bare_base = start_gunicorn("bare_app:app", {}, HERE)
    proc, base = start_gunicorn("wsgi:app", env, ROOT)
    try:
        cookie = login(base)
        print(f"\n[{name}]")
        print(f"  {'page':<14}{'req/s':>8}{'p50 ms':>9}{'bare req/s':>12}{'ratio':>8}")
        for key, path in pages:
            if only and key not in only:
                continue
            status, _, _ = fetch(base, path, cookie)
            if status != 200:
                print(f"  {key:<14} HTTP {status} for {path}")
                continue
            # Alternate bare page and page `rounds` times; medians of each.
            runs = [(wrk(bare_base + "/", None, seconds)[0], wrk(base + path, cookie, seconds))
                    for _ in range(rounds)]
            base_rps = statistics.median(r[0] for r in runs)
            rps = statistics.median(r[1][0] for r in runs)
            p50 = statistics.median(r[1][1] for r in runs)
            bad = sum(r[1][2] for r in runs)
            ratio = rps / base_rps
            results.setdefault(key, {})[name] = (ratio, p50, rps)
            print(f"  {key:<14}{rps:8.0f}{p50:9.1f}{base_rps:12.0f}{ratio:8.2f}" + (f"  ({bad} non-2xx)" if bad else ""))
        if not only:
            shutil.rmtree(os.path.join(instance, "cache"), ignore_errors=True)  # a true first print
            print(f"  {'export':<22}{'first ms':>10}{'repeat ms':>11}{'KiB':>8}")
            for key, path in exports:
                status, first, size = fetch(base, path, cookie)
                _, again, _ = fetch(base, path, cookie)
                print(f"  {key:<22}{first:10.0f}{again:11.0f}{size / 1024:8.0f}" + ("" if status == 200 else f"  HTTP {status}"))
    finally:
        stop(proc)
        stop(bare)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=3, help="bare/page alternations per page (medians)")
    parser.add_argument("--only", default="", help="comma-separated page keys")
    parser.add_argument("--datasets", default="demo,scale")
    parser.add_argument("--rebuild", action="store_true")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("wrk is missing: bash scripts/install-system-packages.sh --bench")
    only = set(filter(None, args.only.split(","))) or None
    pg = os.environ.get("DATABASE_URL", "")
    print(f"load generator: wrk 2 threads, 8 connections, {args.seconds} s per page; "
          f"gunicorn {GUNICORN_WORKERS} workers x {GUNICORN_THREADS} threads; database: {'PostgreSQL' if pg else 'SQLite'}")
    results: dict = {}
    for name in args.datasets.split(","):
        instance = os.path.join(BASE, name + ("-pg" if pg else ""))
        url = pg or f"sqlite:///{instance}/app.db"
        if pg or args.rebuild or not os.path.exists(os.path.join(instance, "app.db")):
            print(f"building {name} …")
            build(instance, pg or None, 1.0, 2026, demo_only=(name == "demo"), log=lambda *a: None)
        run_dataset(name, instance, url, args.seconds, only, results, args.rounds)
    names = args.datasets.split(",")
    print("\nsummary (ratio to the bare page; p50 in ms)")
    print(f"  {'page':<14}" + "".join(f"{n + ' ratio':>13}{n + ' p50':>11}" for n in names))
    for key, per in results.items():
        cells = "".join(f"{per[n][0]:13.2f}{per[n][1]:11.1f}" if n in per else f"{'-':>13}{'-':>11}" for n in names)
        print(f"  {key:<14}{cells}")


if __name__ == "__main__":
    main()

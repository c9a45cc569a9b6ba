"""Every page kind a role can reach, found by following the links of the pages themselves
(from the workspace), rendered in-process on the three-year dataset: the pages
bench/render.py's fixed lists leave out (a technician's own month, an employee's page,
the onboarding plan, …). One URL per endpoint, the first linked; the median CPU time of
--renders renders (3) after --warm (1) warm-ups, and their median wall time (on
PostgreSQL with the database server's share: the statements' round trips), slowest first.
Every role's pages are found and warmed before any is timed, and the heap is then frozen
as a serving process freezes it after its first requests (app/warm.py): a worker's steady
state, without the collector walking the start-up's compiled statements and templates.
On PostgreSQL, --warm 6 gives the steady state of a serving connection: psycopg prepares
a statement at its fifth execution, and from then on the server neither parses nor (once
it settles on a generic plan) plans it again; --warm 1 gives the first views.

    .venv/bin/python bench/crawl.py [--roles 技师,主管,文员,经理,管理员] [--over 0] [--warm 1] [--renders 3]
    DATABASE_URL=postgresql+psycopg://…/intranet_bench .venv/bin/python bench/crawl.py

The people are bench/peak.py's (made on the dataset if missing). Exports, print-outs,
files and log-out are not followed. Run by hand, never in CI.
"""
import argparse
import os
import re
import statistics
import sys
import time
from collections import deque
from urllib.parse import urlsplit

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
sys.path.insert(0, HERE)

from pages import BASE  # noqa: E402
from peak import PASSWORD, prepare  # noqa: E402
from scale import build  # noqa: E402

NOT_FOLLOWED = re.compile(r"(logout|/export|\.pdf|\.csv|\.xlsx|/print|/download|/files/|/photos/|/static/|/uploads/"
                          r"|/qr|label)")
LINK = re.compile(r'href="(/[^"#]*)"')


def pages(app, username: str, limit: int = 400):
    """(test client, endpoint, URL) of each page kind the user reaches by links, one URL per
    endpoint, the first linked (the client logged in as the user)."""
    adapter = app.url_map.bind("localhost")
    client = app.test_client()
    client.environ_base["HTTP_USER_AGENT"] = "bench/crawl.py"
    r = client.post("/auth/login", data={"username": username, "password": PASSWORD})
    assert r.status_code in (302, 303), (username, r.status_code)
    seen, queue, n = set(), deque(["/"]), 0
    while queue and n < limit:
        url = queue.popleft()
        try:
            endpoint, _ = adapter.match(urlsplit(url).path, method="GET")
        except Exception:  # not a page of the app (a redirect target, a 405 …)
            continue
        if endpoint in seen:
            continue
        seen.add(endpoint)
        r = client.get(url)
        if r.status_code != 200 or not r.content_type.startswith("text/html"):
            continue
        n += 1
        yield client, endpoint, url, r
        queue.extend(href.replace("&amp;", "&") for href in LINK.findall(r.get_data(as_text=True))
                     if not NOT_FOLLOWED.search(href))


def crawl(app, roles: dict[str, str], limit: int = 400, warm: int = 1,
          renders: int = 3) -> dict[str, list[tuple[float, float, int, str, str]]]:
    """Per role, (CPU ms, wall ms, KiB, endpoint, URL) of each page kind its user (`roles`:
    role -> username) reaches by links. Every page of every role is found and warmed first;
    then the process moves what is alive into the permanent generation, as a serving process
    does after its first requests (app/warm.py: REFREEZE_AFTER), and the pages are timed:
    the steady state of a worker, not its first minutes."""
    import gc

    found = {}
    for role, username in roles.items():
        found[role] = []
        for client, endpoint, url, r in pages(app, username, limit):
            for _ in range(warm - 1):  # pages() rendered it once
                client.get(url)
            found[role].append((client, endpoint, url, len(r.data) // 1024))
    gc.collect()
    gc.freeze()
    out = {}
    for role, kinds in found.items():
        timed = []
        for client, endpoint, url, kib in kinds:
            times, walls = [], []
            for _ in range(renders):
                started, wall = time.process_time(), time.perf_counter()
                client.get(url)
                times.append((time.process_time() - started) * 1000)
                walls.append((time.perf_counter() - wall) * 1000)
            timed.append((statistics.median(times), statistics.median(walls), kib, endpoint, url))
        out[role] = sorted(timed, reverse=True)
    return out


def role_app():
    """The app on the three-year dataset (DATABASE_URL, or SQLite built if missing), made
    ready as wsgi.py makes it, and the first of bench/peak.py's people of each role."""
    pg = os.environ.get("DATABASE_URL", "")
    instance = os.path.join(BASE, "scale" + ("-pg" if pg else ""))
    url = pg or f"sqlite:///{instance}/app.db"
    if not pg and not os.path.exists(os.path.join(instance, "app.db")):
        build(instance, None, 1.0, 2026, log=lambda *a: None)
    spec = prepare(instance, url)
    from app import create_app
    from app.warm import prepare as prepare_serving

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "WTF_CSRF_ENABLED": False})
    prepare_serving(app)  # as wsgi.py does for gunicorn
    first = {}
    for p in spec["people"]:
        first.setdefault(p["role"], p["name"])
    return app, first


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--roles", default="技师,主管,文员,经理,管理员")
    parser.add_argument("--over", type=float, default=0, help="list only pages slower than this (ms)")
    parser.add_argument("--warm", type=int, default=1, help="renders of each page before the timed ones")
    parser.add_argument("--renders", type=int, default=3, help="timed renders of each page (their median)")
    args = parser.parse_args()
    app, first = role_app()
    roles = {role: first[role] for role in args.roles.split(",")}
    for role, timed in crawl(app, roles, warm=args.warm, renders=args.renders).items():
        print(f"\n{role} ({first[role]}): CPU ms, wall ms (with the database's share, on PostgreSQL), KiB, "
              "endpoint, URL")
        for ms, wall, kib, endpoint, page in timed:
            if max(ms, wall) >= args.over:
                print(f"  {ms:7.1f} {wall:7.1f} {kib:5d}  {endpoint:36s} {page}")


if __name__ == "__main__":
    main()

"""Where the morning peak's CPU goes: bench/peak.py's people and scripts (the same
accounts, pools and writes), replayed one request at a time in-process through Flask's
test client, with the CPU time (and wall time) of each request per kind, and each kind's
share of the whole. Beside it the bare 50-row page (bench/bare_app.py), measured the same
way, so the last line is the ratio peak.py's server CPU column gives, without gunicorn,
sockets or a second process on the machine.

    .venv/bin/python bench/mixcpu.py [--requests 3000] [--rebuild]
    DATABASE_URL=postgresql+psycopg://…/intranet_bench .venv/bin/python bench/mixcpu.py

On PostgreSQL the CPU column is the app's only; the wall column adds the database's share.
Run by hand, never in CI.
"""
import argparse
import os
import queue
import random
import statistics
import sys
import time
import urllib.parse
from collections import defaultdict

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
sys.path.insert(0, HERE)

from pages import BASE  # noqa: E402
from peak import Person, one, prepare  # noqa: E402
from scale import build  # noqa: E402


class LocalPerson(Person):
    """A Person whose requests go to the app in this process (no socket, no server)."""

    client = None  # set per person: a test client that keeps no cookies of its own

    def request(self, method: str, path: str, body=None, htmx: bool = False):
        headers = {"User-Agent": "bench/mixcpu.py",
                   "Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        data = None
        if body is not None:
            data = urllib.parse.urlencode(body, doseq=True)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        if htmx:
            headers.update({"HX-Request": "true", "HX-Current-URL": "http://localhost/checklists/",
                            "X-CSRFToken": self.token})
        resp = self.client.open(path, method=method, data=data, headers=headers)
        for value in resp.headers.getlist("Set-Cookie"):
            key, _, rest = value.partition("=")
            self.cookies[key] = rest.split(";", 1)[0]
        return resp.status_code, resp.get_data(), resp.headers.get("Location") or ""


class Timed:
    """peak.Tally's interface (add), timing each request's CPU and wall per kind."""

    def __init__(self):
        self.cpu: dict[str, list[float]] = defaultdict(list)
        self.wall: dict[str, list[float]] = defaultdict(list)
        self.bad: list[str] = []
        self._t = (0.0, 0.0)

    def start(self):
        self._t = (time.process_time(), time.perf_counter())

    def add(self, kind: str, ms: float, status: int, path: str, write) -> None:
        c0, w0 = self._t
        self.cpu[kind].append((time.process_time() - c0) * 1000)
        self.wall[kind].append((time.perf_counter() - w0) * 1000)
        if not 200 <= status < 400:
            self.bad.append(f"{status} {path}")


def bare_cpu(n: int = 300) -> float:
    """CPU ms of the bare page in-process (median of n after a warm-up)."""
    from bare_app import app as bare

    client, times = bare.test_client(), []
    for i in range(n + 20):
        t = time.process_time()
        assert client.get("/").status_code == 200
        if i >= 20:
            times.append((time.process_time() - t) * 1000)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=3000)
    parser.add_argument("--rebuild", action="store_true")
    args = parser.parse_args()
    pg = os.environ.get("DATABASE_URL", "")
    instance = os.path.join(BASE, "scale" + ("-pg" if pg else ""))
    url = pg or f"sqlite:///{instance}/app.db"
    if pg or args.rebuild or not os.path.exists(os.path.join(instance, "app.db")):
        print("building scale …", flush=True)
        build(instance, pg or None, 1.0, 2026, demo_only=False, log=lambda *a: None)
    spec = prepare(instance, url)
    os.environ.update({"INSTANCE_PATH": instance, "DATABASE_URL": url})
    from app import create_app
    from app.warm import prepare as warm

    app = create_app({"SQLALCHEMY_DATABASE_URI": url})
    warm(app)  # as wsgi.py: templates compiled, the start-up heap frozen
    people = []
    for p in spec["people"]:
        person = LocalPerson(p, spec["targets"], "http://localhost")
        person.client = app.test_client(use_cookies=False)
        person.login()
        people.append(person)
    confirmations: queue.Queue = queue.Queue()
    rng, timed = random.Random(2), Timed()

    def run(n: int, tally) -> None:
        for _ in range(n):
            person = rng.choice(people)
            if tally is not None:
                tally.start()
            one(person, confirmations, tally)

    run(300, None)  # warm: templates compiled, statements cached
    run(args.requests, timed)
    bare = bare_cpu()
    total_cpu = sum(sum(v) for v in timed.cpu.values())
    n = sum(len(v) for v in timed.cpu.values())
    print(f"{n} requests of the peak's mix, in-process, {'PostgreSQL' if pg else 'SQLite'}; answers outside "
          f"2xx/3xx: {len(timed.bad)}")
    print(f"  {'kind':20s} {'n':>5s} {'CPU p50':>8s} {'mean':>6s} {'wall p50':>8s} {'share':>6s}")
    for kind in sorted(timed.cpu, key=lambda k: -sum(timed.cpu[k])):
        cpu, wall = timed.cpu[kind], timed.wall[kind]
        print(f"  {kind:20s} {len(cpu):5d} {statistics.median(cpu):8.2f} {statistics.mean(cpu):6.2f} "
              f"{statistics.median(wall):8.2f} {sum(cpu) / total_cpu:6.1%}")
    mean = total_cpu / n
    print(f"  mean CPU per request {mean:.2f} ms; bare page {bare:.2f} ms → ratio {bare / mean:.3f}")


if __name__ == "__main__":
    main()

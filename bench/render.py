"""Every page rendered in-process (Flask's test client, no HTTP server), as each role, on
the three-year dataset: the uncached cost of each page. Nothing is kept between requests,
so each timing is a full render from the database.

    .venv/bin/python bench/render.py [--datasets scale] [--repeat 7]
    DATABASE_URL=postgresql+psycopg://…/intranet_bench .venv/bin/python bench/render.py

The people are bench/peak.py's (made on the dataset if missing); for each role the pages of
its day, and for the admin every page of bench/pagelist.py. Medians of --repeat renders
after one warm-up render: wall time, this process's CPU time (less disturbed by other work
on a shared machine; on PostgreSQL it leaves out the server's share) and the number of SQL
statements. Run by hand, never in CI.
"""
import argparse
import os
import statistics
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, ROOT)
sys.path.insert(0, HERE)

from pages import BASE  # noqa: E402
from peak import PASSWORD, Person, prepare  # noqa: E402
from scale import build  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--datasets", default="scale")
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    pg = os.environ.get("DATABASE_URL", "")
    for name in args.datasets.split(","):
        instance = os.path.join(BASE, name + ("-pg" if pg else ""))
        url = pg or f"sqlite:///{instance}/app.db"
        if not pg and not os.path.exists(os.path.join(instance, "app.db")):
            build(instance, None, 1.0, 2026, demo_only=(name == "demo"), log=lambda *a: None)
        spec = prepare(instance, url)
        from app import create_app
        from app.warm import prepare as prepare_serving
        from app.extensions import db
        from pagelist import main_pages

        from sqlalchemy import event

        app = create_app({"SQLALCHEMY_DATABASE_URI": url, "WTF_CSRF_ENABLED": False})
        prepare_serving(app)  # as wsgi.py does for gunicorn: templates compiled, start-up heap frozen
        with app.app_context():
            admin_pages = main_pages()
            statements = [0]
            event.listen(db.engine, "before_cursor_execute", lambda *a: statements.__setitem__(0, statements[0] + 1))
        print(f"\n[{name}] {'PostgreSQL' if pg else 'SQLite'}: median of {args.repeat} in-process renders "
              f"(wall ms, CPU ms of this process, SQL statements)")
        seen_roles: set = set()
        worst = (0.0, "")
        for p in spec["people"]:
            if p["role"] in seen_roles:
                continue
            seen_roles.add(p["role"])
            person = Person(p, spec["targets"], "")
            pages = [(kind, path) for kind, method, path in person.script() if method == "GET"]
            if p["role"] == "管理员":
                pages += admin_pages
            client = app.test_client()
            client.environ_base["HTTP_USER_AGENT"] = "bench/render.py"
            r = client.post("/auth/login", data={"username": p["name"], "password": PASSWORD})
            assert r.status_code in (302, 303), (p["name"], r.status_code)
            print(f"  {p['role']} ({p['name']})")
            for kind, path in dict.fromkeys(pages):
                client.get(path)
                times, cpu = [], []
                for _ in range(args.repeat):
                    statements[0] = 0
                    started, started_cpu = time.perf_counter(), time.process_time()
                    r = client.get(path)
                    times.append((time.perf_counter() - started) * 1000)
                    cpu.append((time.process_time() - started_cpu) * 1000)
                ms = statistics.median(times)
                worst = max(worst, (ms, f"{p['role']} {kind} {path}"))
                print(f"    {kind:<14}{ms:7.1f}{statistics.median(cpu):7.1f}{statements[0]:5d}   "
                      f"{r.status_code} {len(r.data) // 1024:>4} KiB  {path}")
        print(f"  slowest: {worst[1]} {worst[0]:.1f} ms")
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


if __name__ == "__main__":
    main()

"""Builds the three-year dataset: a separate instance grown from the demo data.

    .venv/bin/python bench/scale.py [--instance DIR] [--factor 1.0] [--seed 2026]
    DATABASE_URL=postgresql+psycopg://… .venv/bin/python bench/scale.py   # an empty PostgreSQL database

Steps: migrations, the shipped handbook and the first admin (as `flask init`), the demo
data (as `flask seed-demo`), then bench/scaledata.grow(). The instance's admin account is
`bench-admin` with the password printed at the end. Reproducible (fixed seed). Run by hand.
"""
import argparse
import os
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, ".."))

DEFAULT_INSTANCE = os.path.join(os.environ.get("BENCH_DIR", "/tmp/intranet-bench"), "scale")
BENCH_ADMIN, BENCH_PASSWORD = "bench-admin", "bench-password-2026"


def build(instance: str, database_url: str | None, factor: float, seed: int, demo_only: bool = False,
          log=print) -> dict:
    """Create (or rebuild) an instance with the demo data, grown unless demo_only."""
    os.makedirs(instance, exist_ok=True)
    os.environ["INSTANCE_PATH"] = instance
    url = database_url or f"sqlite:///{instance}/app.db"
    if url.startswith("sqlite:///") and os.path.exists(url[len("sqlite:///"):]):
        for suffix in ("", "-wal", "-shm"):
            path = url[len("sqlite:///"):] + suffix
            if os.path.exists(path):
                os.remove(path)
    from app import create_app
    from app.auth.models import User
    from app.cli import run_init
    from app.demo import seed_demo
    from app.extensions import db

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "UPLOAD_FOLDER": os.path.join(instance, "uploads")})
    counts = {}
    with app.app_context():
        if not url.startswith("sqlite"):
            from sqlalchemy import text

            with db.engine.begin() as conn:  # start from an empty schema
                conn.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        started = time.perf_counter()
        run_init()
        seed_demo()
        admin = User(username=BENCH_ADMIN, display_name="基准测试管理员", is_admin=True,
                     can_record_trainings=True, can_issue_supplies=True)
        admin.set_password(BENCH_PASSWORD)
        db.session.add(admin)
        db.session.commit()
        if not demo_only:
            sys.path.insert(0, HERE)
            import scaledata

            counts = scaledata.grow(factor=factor, seed=seed, log=log)
            db.session.commit()
        if url.startswith("sqlite"):
            with db.engine.connect() as conn:
                conn.exec_driver_sql("ANALYZE")
        else:
            from sqlalchemy import text

            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.execute(text("VACUUM ANALYZE"))
        log(f"  built in {time.perf_counter() - started:.0f} s")
        db.session.remove()
        db.engine.dispose()
    return counts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--instance", default=DEFAULT_INSTANCE)
    parser.add_argument("--factor", type=float, default=1.0)
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()
    sys.path.insert(0, HERE)
    print(f"building the three-year dataset in {args.instance} "
          f"({os.environ.get('DATABASE_URL', 'SQLite')}) …")
    build(args.instance, os.environ.get("DATABASE_URL"), args.factor, args.seed)
    print(f"done. log in as {BENCH_ADMIN} / {BENCH_PASSWORD}")


if __name__ == "__main__":
    main()

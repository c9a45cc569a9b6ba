"""Benchmark: the whole-handbook PDF against WeasyPrint's own layout of the same HTML.

    .venv/bin/python bench/handbook_pdf.py [--runs 5]

Builds a fresh database (migrations + shipped handbook + demo data) in a temporary
instance folder, then times, in the same run:
  baseline  WeasyPrint laying out the already rendered handbook HTML (HTML(...).render())
  write     WeasyPrint laying out and writing the PDF of the same HTML (write_pdf)
  full      the app's whole pipeline with the PDF cache off: queries, Jinja, layout, writing
  cached    the same print again with the cache on (content unchanged)
and reports medians and the ratios to the baseline and to `write` (the goal: full / write
≤ 1.20, cached under 50 ms). Run by hand; no test asserts on time.
"""
import argparse
import os
import statistics
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))


def median_time(fn, runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()

    instance = tempfile.mkdtemp(prefix="bench-")
    os.environ["INSTANCE_PATH"] = instance
    from weasyprint import HTML

    from app import create_app
    from app.cli import run_init
    from app.demo import seed_demo
    from app.extensions import db
    from app.handbook.routes import handbook_context
    from app.printing import BASE_URL, fetcher, render_html, render_pdf

    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{instance}/app.db",
                      "PASSWORD_HASH_METHOD": "scrypt:1024:8:1"})
    with app.app_context():
        run_init()
        seed_demo()
        db.session.commit()
    with app.test_request_context():
        html = render_html("print/handbook.html", **handbook_context())
        pdf = render_pdf("print/handbook.html", **handbook_context())  # warm-up (fonts, caches)
        baseline = median_time(lambda: HTML(string=html, base_url=BASE_URL, url_fetcher=fetcher()).render(), args.runs)
        write_only = median_time(lambda: HTML(string=html, base_url=BASE_URL, url_fetcher=fetcher()).write_pdf(), args.runs)
        app.config["PDF_CACHE_MB"] = 0
        full = median_time(lambda: render_pdf("print/handbook.html", **handbook_context()), args.runs)
        app.config["PDF_CACHE_MB"] = 200
        render_pdf("print/handbook.html", **handbook_context())  # fills the cache
        cached = median_time(lambda: render_pdf("print/handbook.html", **handbook_context()), args.runs)
    print(f"whole-handbook PDF: {len(pdf) / 1024:.0f} KiB, {args.runs} runs each (median)")
    print(f"  baseline  WeasyPrint layout of the same HTML : {baseline * 1000:8.1f} ms  (1.00)")
    print(f"  WeasyPrint layout + PDF writing              : {write_only * 1000:8.1f} ms  ({write_only / baseline:.2f})")
    print(f"  app pipeline (queries+Jinja+layout+PDF)      : {full * 1000:8.1f} ms  ({full / baseline:.2f}; "
          f"{full / write_only:.2f} of layout + writing)")
    print(f"  repeated print, from the cache               : {cached * 1000:8.1f} ms  ({cached / baseline:.3f})")


if __name__ == "__main__":
    main()

"""The main pages and exports, as each part registers them (app.parts: Part.bench_pages and
bench_exports), with the busiest object of each kind found in the dataset itself. Used by
bench/pages.py, bench/plans.py, bench/render.py, bench/maxlen_pdfs.py and
tests/test_page_queries.py. Call inside an application context."""
from app.parts import bench_exports as exports, bench_pages as main_pages  # noqa: F401

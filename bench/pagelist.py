"""The main pages and exports, as each part registers them (app.parts: Part.bench_pages and
bench_exports), with the busiest object of each kind found in the dataset itself. Used by
bench/pages.py, bench/plans.py, bench/render.py, bench/maxlen_pdfs.py and
tests/test_page_queries.py. Call inside an application context."""
from app.parts import bench_exports, bench_pages


def targets() -> dict:
    """Kept for the callers' shape: each part finds its own busiest objects."""
    return {}


def main_pages(t: dict | None = None) -> list[tuple[str, str]]:
    return bench_pages()


def exports(t: dict | None = None) -> list[tuple[str, str]]:
    return bench_exports()

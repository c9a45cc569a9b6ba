"""The one print pipeline: Jinja template -> HTML -> WeasyPrint -> PDF bytes.

Every PDF of the app goes through render_pdf(). Templates live in templates/print/ and
extend print/base.html (A4, company header, page x of y, the CJK font named on `html`
so the @page margin boxes use it too). The URL fetcher serves only the app's own static
files and uploads from disk, and data: URLs; it refuses everything else, so a print-out
never reaches the network.
"""
import hashlib
import mimetypes
import os
import tempfile
from functools import lru_cache
from pathlib import Path
from urllib.parse import unquote, urlsplit

from flask import current_app, make_response, render_template
from markupsafe import Markup
from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

from app import clock
from app.responses import content_disposition

BASE_URL = "http://print.invalid/"


class AppFileFetcher(URLFetcher):
    """Serves /static/… and /uploads/… from disk; refuses every other URL."""

    def __init__(self, static_folder: str, upload_folder: str, script_root: str = ""):
        super().__init__(allowed_protocols={"http", "data"})
        self.roots = {
            f"{script_root}/static/": os.path.realpath(static_folder),
            f"{script_root}/uploads/": os.path.realpath(upload_folder),
        }

    def fetch(self, url, headers=None):
        if url.startswith("data:"):
            return super().fetch(url, headers)
        parts = urlsplit(url)
        if f"{parts.scheme}://{parts.netloc}/" == BASE_URL:
            path = unquote(parts.path)
            for prefix, root in self.roots.items():
                if path.startswith(prefix):
                    full = os.path.realpath(os.path.join(root, path[len(prefix):]))
                    if full.startswith(root + os.sep) and os.path.isfile(full):
                        with open(full, "rb") as fh:
                            body = fh.read()
                        mime = mimetypes.guess_type(full)[0] or "application/octet-stream"
                        return URLFetcherResponse(url, body, {"Content-Type": mime})
        raise ValueError(f"refused to fetch {url}")


def css_string(value) -> str:
    """Text made safe for a CSS string literal inside a <style> block."""
    text = value.unescape() if isinstance(value, Markup) else str(value)
    out = []
    for ch in text:
        if ch in '\\"<>&\'' or ord(ch) < 32:
            out.append(f"\\{ord(ch):x} ")
        else:
            out.append(ch)
    return "".join(out)


def fetcher() -> AppFileFetcher:
    app = current_app
    return AppFileFetcher(app.static_folder, app.config["UPLOAD_FOLDER"])


def print_context() -> dict:
    # The app's local clock, as the print-outs' file names read it (one date on both).
    return {"printed_at": clock.local_now(), "company_name": current_app.config["COMPANY_NAME"]}


def render_html(template: str, **context) -> str:
    return render_template(template, **print_context(), **context)


def html_to_pdf(html: str) -> bytes:
    """A tagged PDF (structure for screen readers and reflow: headings, tables, lists,
    alt texts); its title, author and creation date come from print/base.html's <title>
    and <meta name="author"/"dcterms.created">."""
    return HTML(string=html, base_url=BASE_URL, url_fetcher=fetcher()).write_pdf(pdf_tags=True)


@lru_cache(maxsize=4)
def _asset_version(static_folder: str) -> str:
    """What a PDF depends on besides its HTML: WeasyPrint's version and the static files a
    print template may link (CSS, images). Uploads need no entry: their names are generated
    per upload and their content never changes."""
    import weasyprint

    digest = hashlib.sha256(weasyprint.__version__.encode())
    for path in sorted(Path(static_folder).rglob("*")):
        if path.is_file() and path.suffix in {".css", ".png", ".jpg", ".svg", ".ttf", ".otf", ".woff", ".woff2"}:
            digest.update(str(path.relative_to(static_folder)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def _cache_dir() -> Path | None:
    if current_app.config.get("PDF_CACHE_MB", 0) <= 0:
        return None
    path = Path(current_app.config.get("PDF_CACHE_DIR") or os.path.join(current_app.instance_path, "cache", "pdf"))
    path.mkdir(parents=True, exist_ok=True)
    return path


def _prune(folder: Path, limit_bytes: int) -> None:
    """Keep the cache under its size: least recently used files go first."""
    files = []
    for entry in os.scandir(folder):
        if entry.name.endswith(".pdf"):
            st = entry.stat()
            files.append((st.st_mtime, st.st_size, entry.path))
    total = sum(size for _, size, _ in files)
    for _, size, path in sorted(files):
        if total <= limit_bytes:
            break
        try:
            os.remove(path)
            total -= size
        except FileNotFoundError:
            pass


def _read(path: Path) -> bytes | None:
    try:
        data = path.read_bytes()
        os.utime(path)  # recently used
        return data
    except FileNotFoundError:
        return None


def _write(folder: Path, path: Path, data: bytes) -> None:
    """Atomically (safe with several workers), then within PDF_CACHE_MB."""
    fd, tmp = tempfile.mkstemp(dir=folder, suffix=".tmp")
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
    os.replace(tmp, path)
    _prune(folder, current_app.config["PDF_CACHE_MB"] * 1024 * 1024)


def pdf_for_html(html: str) -> bytes:
    """The PDF of this HTML, from the cache when the same content was printed before.

    The key is a hash of the rendered HTML itself (which holds every revision, tick, ledger
    row and label the PDF shows, and the print template's markup) and of the static assets,
    so any change of content or template gives a new PDF and nothing can be served stale.
    Files live in instance/cache/pdf, written atomically (safe with several workers),
    bounded by PDF_CACHE_MB, least recently used dropped first."""
    return _pdf_file(html)[0]


def _pdf_file(html: str) -> tuple[bytes, Path | None]:
    """(the PDF, its file in the cache or None without a cache)."""
    folder = _cache_dir()
    if folder is None:
        return html_to_pdf(html), None
    key = hashlib.sha256((_asset_version(current_app.static_folder) + "\0" + html).encode()).hexdigest()
    path = folder / f"{key}.pdf"
    data = _read(path)
    if data is None:
        data = html_to_pdf(html)
        _write(folder, path, data)
    return data, path


def render_pdf(template: str, **context) -> bytes:
    """Render a print template to PDF bytes (cached by content, see pdf_for_html)."""
    return pdf_for_html(render_html(template, **context))


def pdf_response(data: bytes, filename: str, inline: bool = True):
    """A PDF response; the Chinese file name is sent per RFC 5987 with an ASCII fallback."""
    response = make_response(data)
    response.headers["Content-Type"] = "application/pdf"
    response.headers["Content-Disposition"] = content_disposition(filename, attachment=not inline)
    response.headers["Cache-Control"] = "private, no-store"
    return response

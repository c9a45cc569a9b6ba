"""The one print pipeline: Jinja template -> HTML -> WeasyPrint -> PDF bytes.

Every PDF of the app goes through render_pdf(). Templates live in templates/print/ and
extend print/base.html (A4, company header, page x of y, the CJK font named on `html`
so the @page margin boxes use it too). The URL fetcher serves only the app's own static
files and uploads from disk, and data: URLs; it refuses everything else, so a print-out
never reaches the network.
"""
import mimetypes
import os
from datetime import datetime
from urllib.parse import unquote, urlsplit
from zoneinfo import ZoneInfo

from flask import current_app, make_response, render_template
from markupsafe import Markup
from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

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
    tz = ZoneInfo(current_app.config["TIMEZONE"])
    return {"printed_at": datetime.now(tz), "company_name": current_app.config["COMPANY_NAME"]}


def render_html(template: str, **context) -> str:
    return render_template(template, **print_context(), **context)


def html_to_pdf(html: str) -> bytes:
    return HTML(string=html, base_url=BASE_URL, url_fetcher=fetcher()).write_pdf()


def render_pdf(template: str, **context) -> bytes:
    """Render a print template to PDF bytes."""
    return html_to_pdf(render_html(template, **context))


def pdf_response(data: bytes, filename: str, inline: bool = True):
    from app.web import content_disposition

    """A PDF response; the Chinese file name is sent per RFC 5987 with an ASCII fallback."""
    response = make_response(data)
    response.headers["Content-Type"] = "application/pdf"
    response.headers["Content-Disposition"] = content_disposition(filename, attachment=not inline)
    response.headers["Cache-Control"] = "private, no-store"
    return response

"""CSV files for Excel: UTF-8 with a BOM (Chinese Windows opens it right) and cells that
Excel cannot take for a formula (OWASP "CSV injection")."""
import csv
import io
import re

from flask import make_response

from app.responses import content_disposition

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
NUMBER = re.compile(r"-?\d+(\.\d+)?")


def safe_cell(value) -> str:
    """The value as text; one that starts like a formula gets a leading apostrophe, which
    Excel shows as text. A plain number ("-2", "3.5") is left alone: it is no formula."""
    text = "" if value is None else str(value)
    return "'" + text if looks_like_formula(text) else text


def looks_like_formula(text: str) -> bool:
    return (text or "").startswith(FORMULA_START) and not NUMBER.fullmatch(text)


def csv_response(header: list[str], rows, filename: str):
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    for row in rows:
        writer.writerow([safe_cell(v) for v in row])
    response = make_response("\ufeff" + out.getvalue())
    response.headers["Content-Type"] = "text/csv; charset=utf-8"
    response.headers["Content-Disposition"] = content_disposition(filename)
    return response

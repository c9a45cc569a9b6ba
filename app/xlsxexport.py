"""Exports as tables: one typed table, sent as CSV (app/csvexport.py) or as an Excel file.

A route builds a `Table` whose cells keep their types (int, Decimal, float, date,
datetime, str, None) and answers `table_response(table, "csv" | "xlsx", stem)`. The .xlsx
has numbers as numbers (shown with the decimals they were given), dates as dates, a
frozen header row, column widths from the content and a Chinese sheet name; text that
starts like a formula ("=…") is stored as text, so Excel never runs it. The CSV shows the
same cells as text (ISO dates, "2026-12-07 08:30" times), formula-like text defused as
before."""
import io
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from flask import abort, make_response, request
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from app.csvexport import csv_response
from app.responses import content_disposition

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SHEET_NAME_BAD = re.compile(r"[\[\]:*?/\\]")
MAX_WIDTH = 50  # characters; longer text wraps in Excel's cell, the column stays readable


@dataclass
class Table:
    sheet: str                         # the sheet's name (Chinese; cut to Excel's 31 characters)
    header: list[str]
    rows: list[list] = field(default_factory=list)


def cell_text(value) -> str:
    """A typed cell as CSV text."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return format(value, "f")
    return str(value)


def _width(value) -> int:
    """Display width in Excel's character units: a CJK character is about two."""
    text = cell_text(value)
    longest = max((sum(2 if ord(ch) > 0x2E7F else 1 for ch in line) for line in text.split("\n")), default=0)
    return longest


def _number_format(value) -> str | None:
    if isinstance(value, datetime):
        return "yyyy-mm-dd hh:mm"
    if isinstance(value, date):
        return "yyyy-mm-dd"
    if isinstance(value, Decimal):
        exponent = value.as_tuple().exponent
        decimals = -exponent if isinstance(exponent, int) and exponent < 0 else 0
        return "0." + "0" * decimals if decimals else "0"
    return None


def sheet_name(name: str) -> str:
    return SHEET_NAME_BAD.sub("_", name).strip("'")[:31] or "Sheet1"


def xlsx_bytes(table: Table) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = sheet_name(table.sheet)
    widths = [_width(h) for h in table.header]
    ws.append(table.header)
    for c in ws[1]:
        c.font = Font(bold=True)
        c.alignment = Alignment(vertical="top", wrap_text=True)
    for r, row in enumerate(table.rows, start=2):
        for col, value in enumerate(row, start=1):
            if isinstance(value, datetime) and value.tzinfo is not None:
                value = value.replace(tzinfo=None)
            cell = ws.cell(row=r, column=col, value=value)
            if isinstance(value, str):
                cell.data_type = "s"  # "=…" stays text: openpyxl would store it as a formula
                if "\n" in value:
                    cell.alignment = Alignment(wrap_text=True, vertical="top")
            fmt = _number_format(value)
            if fmt:
                cell.number_format = fmt
            if col <= len(widths):
                widths[col - 1] = max(widths[col - 1], _width(value))
            else:
                widths.append(_width(value))
    for col, w in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(col)].width = min(max(w, 4) + 2, MAX_WIDTH)
    ws.freeze_panes = "A2"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def xlsx_response(table: Table, filename: str):
    response = make_response(xlsx_bytes(table))
    response.headers["Content-Type"] = XLSX_MIME
    response.headers["Content-Disposition"] = content_disposition(filename)
    return response


def table_response(table: Table, fmt: str, stem: str):
    """The table as `stem`.csv or `stem`.xlsx."""
    if fmt == "xlsx":
        return xlsx_response(table, f"{stem}.xlsx")
    if fmt == "csv":
        return csv_response(table.header, ([cell_text(v) for v in row] for row in table.rows), f"{stem}.csv")
    abort(404)


def requested_format() -> str:
    """"csv" or "xlsx", from the requested path's suffix (one view serves both rules)."""
    return "xlsx" if request.path.endswith(".xlsx") else "csv"

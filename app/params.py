"""The one place where dates, months, years, pages and ids taken from a URL or a form are
parsed and bounded. A value outside its bounds is a 400 with a Chinese message, never a
500 from deep inside a query or a date computation.
"""
from datetime import date

from flask import current_app, request
from werkzeug.routing import IntegerConverter

from app import clock
from app.extensions import db

MIN_YEAR, MAX_YEAR = 2000, 2100
MAX_PAGE = 100_000
MAX_ID = 2**31 - 1  # fits INTEGER on PostgreSQL and SQLite alike


class BadParam(ValueError):
    pass


class IdConverter(IntegerConverter):
    """`<int:…>` in every route: a positive id that fits the database's INTEGER. A longer
    number matches no route (404) instead of overflowing inside the query (500)."""

    def __init__(self, map, *args, **kwargs):
        kwargs.setdefault("max", MAX_ID)
        super().__init__(map, *args, **kwargs)


def _fail(message: str):
    from werkzeug.exceptions import BadRequest

    raise BadRequest(description=message)


def parse_date(text: str | None) -> date | None:
    """A date YYYY-MM-DD within MIN_YEAR..MAX_YEAR, or None for an empty value."""
    text = (text or "").strip()
    if not text:
        return None
    try:
        value = date.fromisoformat(text)
    except ValueError:
        raise BadParam("日期格式应为 年-月-日，例如 2026-11-28。")
    if not MIN_YEAR <= value.year <= MAX_YEAR:
        raise BadParam(f"日期应在 {MIN_YEAR} 年至 {MAX_YEAR} 年之间。")
    return value


class DateInBounds:
    """WTForms validator: a form's date lies within MIN_YEAR..MAX_YEAR (a training dated
    0001-01-01 was once saved and could then not be edited)."""

    def __init__(self, min_year: int = MIN_YEAR, max_year: int = MAX_YEAR):
        self.min_year, self.max_year = min_year, max_year

    def __call__(self, form, field):
        from wtforms.validators import ValidationError

        if field.data is not None and not self.min_year <= field.data.year <= self.max_year:
            raise ValidationError(f"日期应在 {self.min_year} 年至 {self.max_year} 年之间。")


def _check_year(year: int) -> int:
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise BadParam(f"年份应在 {MIN_YEAR} 至 {MAX_YEAR} 之间。")
    return year


def parse_month(text: str | None) -> tuple[int, int] | None:
    """(year, month) from YYYY-MM within bounds, or None for an empty value."""
    text = (text or "").strip()
    if not text:
        return None
    y, sep, m = text.partition("-")
    if not (sep and y.isascii() and m.isascii() and y.isdigit() and m.isdigit() and len(y) == 4 and len(m) <= 2):
        raise BadParam("月份格式应为 年-月，例如 2026-11。")
    if not 1 <= int(m) <= 12:
        raise BadParam("月份应在 1 至 12 之间。")
    return _check_year(int(y)), int(m)


def parse_year(text: str | None) -> int | None:
    text = (text or "").strip()
    if not text:
        return None
    if not (text.isascii() and text.isdigit() and len(text) == 4):
        raise BadParam("年份应为四位数字。")
    return _check_year(int(text))


def bounded_int(text: str) -> int:
    """For `request.args.get(name, type=bounded_int)`: an integer that fits the database's
    INTEGER (|n| ≤ MAX_ID); anything else raises ValueError, so Werkzeug returns the
    default instead of a number that would overflow in a query."""
    text = text.strip()
    if not (text.lstrip("-").isascii() and text.lstrip("-").isdigit()) or len(text) > 11 or abs(int(text)) > MAX_ID:
        raise ValueError(text)
    return int(text)


def to_id(text: str | None) -> int | None:
    """A positive id from a form's hidden or select field, or None (never an overflow)."""
    try:
        value = bounded_int(text or "")
    except ValueError:
        return None
    return value if value > 0 else None


def parse_id(text: str | None) -> int | None:
    """A positive database id, or None for an empty value."""
    text = (text or "").strip()
    if not text:
        return None
    if not (text.isascii() and text.isdigit()) or len(text) > 10 or not 0 < int(text) <= MAX_ID:
        raise BadParam("编号无效。")
    return int(text)


def _arg(name: str, parser, default):
    try:
        value = parser(request.args.get(name))
    except BadParam as exc:
        _fail(str(exc))
    return default if value is None else value


def date_arg(name: str = "date", default: date | None = None) -> date:
    return _arg(name, parse_date, default if default is not None else clock.local_now().date())


def optional_date_arg(name: str) -> date | None:
    """An optional date filter (e.g. ?start=2026-11-01); a malformed or out-of-bounds one
    is a 400 with the reason."""
    return _arg(name, parse_date, None)


def month_arg(name: str = "month") -> tuple[int, int]:
    now = clock.local_now()
    return _arg(name, parse_month, (now.year, now.month))


def year_arg(name: str = "year") -> int:
    return _arg(name, parse_year, clock.local_now().year)


def optional_year_arg(name: str = "year") -> int | None:
    return _arg(name, parse_year, None)


def id_arg(name: str) -> int | None:
    """An optional id filter (e.g. ?position=3); a malformed one is a 400."""
    return _arg(name, parse_id, None)


def page_arg(name: str = "page") -> int:
    """The page number, 1..MAX_PAGE; anything else is page 1 (a link typed by hand)."""
    text = (request.args.get(name) or "").strip()
    if text.isascii() and text.isdigit() and len(text) <= 6:
        return min(max(int(text), 1), MAX_PAGE)
    return 1


def per_page() -> int:
    return current_app.config["PER_PAGE"]


class SlicePage:
    """A page of an append-only list without its total: one row more than the page is
    read to know whether an older page exists, so no COUNT walks years of rows. Has the
    attributes of Flask-SQLAlchemy's Pagination the pager macro uses (pages/total None)."""

    pages = total = None

    def __init__(self, stmt, page: int, size: int):
        rows = list(db.session.scalars(stmt.limit(size + 1).offset((page - 1) * size)).unique())
        self.page, self.per_page = page, size
        self.items = rows[:size]
        self.has_prev, self.has_next = page > 1, len(rows) > size
        self.prev_num, self.next_num = page - 1, page + 1


def paginate(stmt, size: int | None = None, count: bool = True):
    """A page of `stmt`, the page number read through page_arg (bounded), PER_PAGE rows
    unless `size` says otherwise. With count=False (long append-only lists: the audit log,
    a ledger) the page carries no total and costs no COUNT."""
    size = size or per_page()
    if not count:
        return SlicePage(stmt, page_arg(), size)
    return db.paginate(stmt, page=page_arg(), per_page=size, max_per_page=size, error_out=False)

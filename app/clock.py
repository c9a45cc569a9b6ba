"""The time: stored as naive UTC, reasoned about in the configured local time zone."""
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from flask import current_app

from app.database import utcnow


def tz() -> ZoneInfo:
    return ZoneInfo(current_app.config["TIMEZONE"])


def to_local(utc_naive: datetime, zone: ZoneInfo | None = None) -> datetime:
    """Naive UTC -> naive local time (`zone`: tz(), when a loop over many has it at hand)."""
    return utc_naive.replace(tzinfo=timezone.utc).astimezone(zone or tz()).replace(tzinfo=None)


def to_utc(local_naive: datetime) -> datetime:
    return local_naive.replace(tzinfo=tz()).astimezone(timezone.utc).replace(tzinfo=None)


def now_utc() -> datetime:
    return utcnow()


def local_now() -> datetime:
    return to_local(now_utc())


def local_day_range(start: date, end: date) -> tuple[datetime, datetime]:
    """Local days start..end (inclusive) as a half-open naive-UTC range [lo, hi)."""
    return (to_utc(datetime.combine(start, time.min)),
            to_utc(datetime.combine(end + timedelta(days=1), time.min)))


def month_days(year: int, month: int) -> tuple[date, date]:
    """(first, last) day of a month."""
    first = date(year, month, 1)
    following = date(year + 1, 1, 1) if month == 12 else date(year, month + 1, 1)
    return first, following - timedelta(days=1)


def workday_end() -> time:
    hh, mm = current_app.config["WORKDAY_END"].split(":")
    return time(int(hh), int(mm))


def minute(dt: datetime) -> datetime:
    """dt to the minute: what "past due" is judged against (a due time is to the minute)."""
    return dt.replace(second=0, microsecond=0)

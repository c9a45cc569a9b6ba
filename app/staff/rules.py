"""The staff directory's rules on an employee's data, shared by the form and the CSV import."""
from datetime import date, timedelta

from app import clock

HIRE_AHEAD_DAYS = 90  # a hire may be entered up to this many days before he starts


def hire_date_ok(hire: date | None) -> bool:
    return hire is None or hire <= clock.local_now().date() + timedelta(days=HIRE_AHEAD_DAYS)

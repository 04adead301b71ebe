"""Statutory clocks: the subject access deadline (§1.6, §8.7).

ICO guidance on the time limit for a subject access request: count from the
day the request is received to the corresponding calendar date of the next
month (received 3 September, due 3 October); when the next month is shorter,
its last day (received 31 January, due 28 or 29 February). An extension adds
up to two more months, counted the same way from the day of receipt. While the
scheme waits for the requester to clarify, the clock stops: the days paused
are added. A deadline falling on a weekend or a bank holiday moves to the next
working day.

Bank holidays are those of the scheme's part of the UK (``RECORDS_BANK_HOLIDAYS``:
England and Wales by default; Scotland and Northern Ireland have their own),
from the ``holidays`` package.
"""

from __future__ import annotations

import calendar
import datetime
import functools

import holidays
from django.conf import settings


def add_months(day: datetime.date, months: int) -> datetime.date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return datetime.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


@functools.cache
def _bank_holidays(division: str, year: int) -> frozenset[datetime.date]:
    return frozenset(holidays.country_holidays("GB", subdiv=division, years=year))


def is_working_day(day: datetime.date, *, division: str | None = None) -> bool:
    division = division or settings.RECORDS_BANK_HOLIDAYS
    return day.weekday() < 5 and day not in _bank_holidays(division, day.year)


def next_working_day(day: datetime.date, *, division: str | None = None) -> datetime.date:
    """The day itself if it is a working day, else the first working day after it."""
    while not is_working_day(day, division=division):
        day += datetime.timedelta(days=1)
    return day


def sar_due_date(
    *, received_on: datetime.date, extension_months: int = 0, paused_days: int = 0, division: str | None = None
) -> datetime.date:
    if not 0 <= extension_months <= 2:
        raise ValueError("A subject access request may be extended by at most two months.")
    due = add_months(received_on, 1 + extension_months) + datetime.timedelta(days=paused_days)
    return next_working_day(due, division=division)

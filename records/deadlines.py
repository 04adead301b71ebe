"""Statutory clocks: the subject access deadline (§1.6, §8.7).

One calendar month from the day the request is received, to the corresponding
date of the next month; when that month is shorter, its last day (ICO guidance:
received 31 January, due 28 or 29 February). An extension adds up to two more
months, counted the same way from the day of receipt. While the scheme waits for
the requester to clarify, the clock stops: the days paused are added. A deadline
falling on a Saturday or Sunday moves to the Monday (bank holidays are not
modelled; staff should treat the day before a bank holiday as the deadline).
"""

from __future__ import annotations

import calendar
import datetime


def add_months(day: datetime.date, months: int) -> datetime.date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return datetime.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def sar_due_date(*, received_on: datetime.date, extension_months: int = 0, paused_days: int = 0) -> datetime.date:
    if not 0 <= extension_months <= 2:
        raise ValueError("A subject access request may be extended by at most two months.")
    due = add_months(received_on, 1 + extension_months) + datetime.timedelta(days=paused_days)
    while due.weekday() >= 5:
        due += datetime.timedelta(days=1)
    return due

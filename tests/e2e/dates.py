"""Typing a date as a person does in the GOV.UK date input: Day, Month and Year boxes in a
fieldset whose legend is the question (homestart.dates)."""

from __future__ import annotations

import datetime

DATE_PARTS = ("Day", "Month", "Year")


def date_group(page, legend: str):
    return page.get_by_role("group", name=legend, exact=False)


def fill_date(page, legend: str, day: datetime.date) -> None:
    group = date_group(page, legend)
    for part, value in zip(DATE_PARTS, (day.day, day.month, day.year), strict=True):
        group.get_by_label(part, exact=True).fill(str(value))


def copy_date(page, source: str, target: str) -> None:
    """Type into ``target`` the date ``source`` holds."""
    for part in DATE_PARTS:
        value = date_group(page, source).get_by_label(part, exact=True).input_value()
        date_group(page, target).get_by_label(part, exact=True).fill(value)

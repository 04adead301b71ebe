"""Retention periods per kind of record (§8.8).

Defaults follow common UK practice for small charities and are meant to be set
to the scheme's own Record Keeping and Retention Policy: a ``RetentionRule``
row (editable in the admin by a manager) overrides a default, and the
``RECORDS_RETENTION_YEARS`` setting may override them for a whole installation.

================  ==========================================  =============
Kind              Counted from                                Default years
================  ==========================================  =============
family            the date the family file was closed         6
safeguarding      closure of a family file that holds          25
                  safeguarding records
volunteer         the date the volunteer left                 6
personnel         the date the member of staff left           6
access log        the end of the month of the events          7
                  (access_log/partitions.py; one month is
                  dropped whole)
================  ==========================================  =============
"""

from __future__ import annotations

import datetime

from django.apps import apps
from django.conf import settings
from django.db.models import Exists, OuterRef, Q

from records.deadlines import add_months
from records.models import RecordKind, RetentionRule

DEFAULT_YEARS: dict[str, int] = {
    RecordKind.FAMILY: 6,
    RecordKind.SAFEGUARDING: 25,
    RecordKind.VOLUNTEER: 6,
    RecordKind.PERSONNEL: 6,
    # Who opened which file is kept a year longer than the files it is about are kept after
    # closure, so that a question about an opening can be answered while the file could
    # still be in dispute; set a RetentionRule for the scheme's own policy.
    RecordKind.ACCESS_LOG: 7,
}


def retention_years(record_kind: str) -> int:
    rule = RetentionRule.objects.filter(record_kind=record_kind).values_list("years", flat=True).first()
    if rule is not None:
        return rule
    return getattr(settings, "RECORDS_RETENTION_YEARS", {}).get(record_kind, DEFAULT_YEARS[record_kind])


def destroy_after(record_kind: str, start: datetime.date) -> datetime.date:
    return add_months(start, 12 * retention_years(record_kind))


def _safeguarding_models() -> list:
    models = []
    for model in apps.get_app_config("safeguarding").get_models():
        field_names = {f.name for f in model._meta.get_fields()}
        if "family" in field_names and not model.__name__.startswith("Historical"):
            models.append(model)
    return models


def safeguarding_records_exist():
    """A database condition, for a family queryset: the family holds safeguarding records.
    Annotate with it (``has_safeguarding``) so that a list costs one query, not one per family."""
    condition = Q()
    for model in _safeguarding_models():
        condition |= Exists(model._default_manager.filter(family=OuterRef("pk")))
    return condition


def family_has_safeguarding_records(family) -> bool:
    """True when any model of the safeguarding app holds a row about this family."""
    annotated = getattr(family, "has_safeguarding", None)
    if annotated is not None:
        return annotated
    return any(model._default_manager.filter(family=family).exists() for model in _safeguarding_models())

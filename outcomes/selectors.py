"""Reads of a family's outcomes that depend on who asks (§8.5)."""

from __future__ import annotations

from dataclasses import dataclass

from access_log.gate import FileAccess

from .models import Assessment


@dataclass(frozen=True)
class VolunteerOutcomes:
    """All a volunteer sees of the family's outcomes (§8.5): what it chose to work on and
    where it was signposted, from its latest scoring. Not the scores, not its own words,
    not who recorded them."""

    assessed_on: object
    needs_by_area: list[tuple[str, list[str]]]
    services: list[str]


def journey(*, family) -> list[Assessment]:
    """Every scoring of the family, oldest first, in one query. Each is handed the family the gate
    opened, whose key is loaded: reading the family's own words looks nothing up again."""
    rows = list(Assessment.objects.filter(family=family).select_related("recorded_by"))
    for row in rows:
        row.family = family
    return rows


def volunteer_outcomes(*, access: FileAccess) -> VolunteerOutcomes | None:
    """The volunteer's projection of the latest scoring (§8.5), or None before the first."""
    last = Assessment.objects.filter(family=access.target).order_by("-assessed_on", "-recorded_at").first()
    if last is None:
        return None
    last.family = access.target
    return VolunteerOutcomes(
        assessed_on=last.assessed_on, needs_by_area=last.needs_by_area, services=last.service_labels
    )

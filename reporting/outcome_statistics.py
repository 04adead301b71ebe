"""Anonymised outcome figures for trustees and funders (§3.2, §8.9): how families' own scores
changed between the start and the end of support, in Home-Start's four headline areas.

Counted in the database from the plain scores and codes (outcomes/models.py): no family's
file is decrypted, the family's own words are never read, and the number of queries does
not grow with the number of families. Every count goes through the same small-number and
secondary suppression as the other statistics (reporting/suppression.py); a share or an
average is shown only where the counts it rests on are.

The period is a financial year (April to March), the period of a funder's agreement. Years
do not overlap, so no two views can be subtracted to reveal a hidden count.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db.models import Aggregate, Count, F, OuterRef, Q, Subquery, Sum
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from families.models import Family
from homestart.models import Scheme
from outcomes.models import Area, Assessment, Occasion, Service

from .statistics import Table
from .suppression import SECONDARY_LABEL, THRESHOLD, suppress

CHANGES = [gettext_lazy("Improved"), gettext_lazy("No change"), gettext_lazy("Worse")]


def year_start(day: datetime.date) -> datetime.date:
    """The first day of the financial year (1 April) that ``day`` falls in."""
    return datetime.date(day.year if day.month >= 4 else day.year - 1, 4, 1)


def years(*, today: datetime.date, count: int = 3) -> list[datetime.date]:
    """The current financial year and the ones before it, newest first."""
    first = year_start(today)
    return [first.replace(year=first.year - i) for i in range(count)]


def year_label(start: datetime.date) -> str:
    return _("April %(start)s to March %(end)s") % {"start": start.year, "end": start.year + 1}


@dataclass
class AreaSummary:
    area: str
    share_improving: str
    average_change: str


@dataclass
class OutcomeStatistics:
    scheme: Scheme
    year: datetime.date
    tables: list[Table] = field(default_factory=list)
    summary: list[AreaSummary] = field(default_factory=list)

    @property
    def label(self) -> str:
        return year_label(self.year)

    def table(self, key: str) -> Table:
        return next(t for t in self.tables if t.key == key)


def outcome_statistics(*, scheme: Scheme, year: datetime.date) -> OutcomeStatistics:
    """The figures for one scheme and one financial year, starting on ``year`` (1 April)."""
    end = year.replace(year=year.year + 1)
    stats = OutcomeStatistics(scheme=scheme, year=year)
    in_year = Q(assessed_on__gte=year, assessed_on__lt=end)
    scored = Assessment.objects.filter(family__scheme=scheme).filter(in_year)
    started = scored.filter(occasion=Occasion.START).aggregate(n=Count("family", distinct=True))["n"]

    # A family's journey: its last end-of-support scores in the year, and the start of that
    # support (the latest start on or before that end: a reopened file started again).
    # Families with both are compared; one query.
    last_end = (
        Assessment.objects.filter(family=OuterRef("pk"), occasion=Occasion.END)
        .filter(in_year)
        .order_by("-assessed_on", "-recorded_at")
    )
    first_start = Assessment.objects.filter(
        family=OuterRef("pk"), occasion=Occasion.START, assessed_on__lte=OuterRef("ended_on")
    ).order_by("-assessed_on", "-recorded_at")
    annotations: dict[str, Subquery] = {}
    for area in Area:
        annotations[f"s_{area.value}"] = Subquery(first_start.values(area.value)[:1])
        annotations[f"e_{area.value}"] = Subquery(last_end.values(area.value)[:1])
    journeys = (
        Family.objects.filter(scheme=scheme)
        .annotate(ended_on=Subquery(last_end.values("assessed_on")[:1]))
        .annotate(**annotations)
        .filter(**{f"s_{Area.PARENTING.value}__isnull": False, f"e_{Area.PARENTING.value}__isnull": False})
    )
    counts: dict[str, Aggregate] = {"n": Count("pk")}
    for area in Area:
        s, e = F(f"s_{area.value}"), F(f"e_{area.value}")
        counts[f"up_{area.value}"] = Count("pk", filter=Q(**{f"e_{area.value}__gt": s}))
        counts[f"same_{area.value}"] = Count("pk", filter=Q(**{f"e_{area.value}": s}))
        counts[f"down_{area.value}"] = Count("pk", filter=Q(**{f"e_{area.value}__lt": s}))
        counts[f"sum_{area.value}"] = Sum(e - s)
    totals = journeys.aggregate(**counts)
    with_both = totals["n"]

    stats.tables.append(
        Table(
            key="outcome_families",
            title=_("Families who scored themselves"),
            row_header=_("Families"),
            row_labels=[_("Scored at the start of support"), _("Scored at the start and at the end of support")],
            col_labels=[_("Families")],
            result=suppress([[started], [with_both]], row_totals=False, col_totals=False),
            note=_(
                "Start of support: families whose first scores fall in the year. Start and end: families whose "
                "end-of-support scores fall in the year, compared with their scores at the start."
            ),
        )
    )
    body = [[totals[f"{k}_{area.value}"] for k in ("up", "same", "down")] for area in Area]
    change = Table(
        key="outcome_change",
        title=_("Change between the start and the end of support"),
        row_header=_("Area"),
        row_labels=[str(area.label) for area in Area],
        col_labels=[str(change) for change in CHANGES],
        result=suppress(body, row_totals=True, col_totals=False),
        note=_(
            "Each family scores itself from 0 (not coping at all) to 5 (coping very well). The total is the "
            "families with start and end scores, the same in every area."
        ),
    )
    stats.tables.append(change)

    for area, cells in zip(Area, change.result.rows, strict=True):
        improved, total = cells[0], cells[-1]
        shown = not total.hidden and total.value >= THRESHOLD
        share = (
            f"{round(100 * improved.value / total.value)}%" if shown and not improved.hidden else str(SECONDARY_LABEL)
        )
        average = f"{totals[f'sum_{area.value}'] / total.value:+.1f}" if shown else str(SECONDARY_LABEL)
        stats.summary.append(AreaSummary(area=str(area.label), share_improving=share, average_change=average))

    signposted = scored.aggregate(
        **{s.value: Count("family", distinct=True, filter=Q(signposting__contains=f",{s.value},")) for s in Service}
    )
    stats.tables.append(
        Table(
            key="outcome_signposting",
            title=_("Families signposted to other services"),
            row_header=_("Service"),
            row_labels=[str(s.label) for s in Service],
            col_labels=[_("Families")],
            result=suppress([[signposted[s.value]] for s in Service], row_totals=False, col_totals=False),
            note=_("A family signposted to several services is counted under each, so there is no total."),
        )
    )
    return stats

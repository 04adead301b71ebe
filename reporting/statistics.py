"""Anonymised figures for trustees and funders (§3.2, §8.9).

Every figure is a count computed in the database from columns that identify
nobody (dates, statuses, referral sources, visit kinds, the postcode district):
no family's file is decrypted, and the number of queries does not grow with the
number of families. Every table then goes through small-number suppression.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db.models import Case, Count, IntegerField, OuterRef, Q, Subquery, Value, When
from django.db.models.functions import Coalesce, TruncMonth
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from families.models import Family, Member, Referral, Visit, VolunteerAssignment
from homestart.models import Scheme

from .suppression import Cell, SuppressedTable, suppress, suppress_by_period


class Period:
    MONTH = "month"
    QUARTER = "quarter"
    CHOICES = {MONTH: gettext_lazy("Month"), QUARTER: gettext_lazy("Quarter")}


# Both views cover the same window, the current quarter and the four before it (13 to 15
# months), so that the quarterly figures are sums of the monthly ones and the two views
# can be suppressed together: no quarter minus its shown months reveals a hidden month.
QUARTERS = 5


def _period_start(day: datetime.date, period: str) -> datetime.date:
    if period == Period.QUARTER:
        return day.replace(day=1, month=(day.month - 1) // 3 * 3 + 1)
    return day.replace(day=1)


def _add_months(day: datetime.date, months: int) -> datetime.date:
    index = day.year * 12 + day.month - 1 + months
    return datetime.date(index // 12, index % 12 + 1, 1)


def periods(*, today: datetime.date, period: str) -> list[datetime.date]:
    """The start of each period in the window, oldest first, ending with the current one."""
    first = _add_months(_period_start(today, Period.QUARTER), -3 * (QUARTERS - 1))
    if period == Period.QUARTER:
        return [_add_months(first, 3 * i) for i in range(QUARTERS)]
    months = (today.year - first.year) * 12 + today.month - first.month + 1
    return [_add_months(first, i) for i in range(months)]


def period_label(start: datetime.date, period: str) -> str:
    if period == Period.QUARTER:
        return f"{start.year} Q{(start.month - 1) // 3 + 1}"
    return date_format(start, "M Y")


@dataclass
class Table:
    """A suppressed table with its labels, ready for a page or a CSV file."""

    key: str
    title: str
    row_header: str
    row_labels: list[str]
    col_labels: list[str]
    result: SuppressedTable
    note: str = ""
    total_label: str = ""

    @property
    def rows(self) -> list[tuple[str, list[Cell]]]:
        labels = list(self.row_labels) + ([self.total_label or _("Total")] if self.result.col_totals else [])
        return list(zip(labels, self.result.rows, strict=True))

    @property
    def headers(self) -> list[str]:
        return list(self.col_labels) + ([_("Total")] if self.result.row_totals else [])


@dataclass
class Statistics:
    scheme: Scheme
    period: str
    starts: list[datetime.date]
    tables: list[Table] = field(default_factory=list)

    def table(self, key: str) -> Table:
        return next(t for t in self.tables if t.key == key)


def _counts_by(queryset, labels: dict[str, str]) -> list[list[int]]:
    counts = dict(queryset)
    return [[counts.get(value, 0)] for value in labels]


def scheme_statistics(*, scheme: Scheme, period: str, today: datetime.date) -> Statistics:
    starts = periods(today=today, period=period)
    first = starts[0]
    step = 3 if period == Period.QUARTER else 1
    end = _add_months(today.replace(day=1), 1)  # exclusive: the same window for both views
    in_window = Q(referred_on__gte=first, referred_on__lt=end)
    labels = [period_label(s, period) for s in starts]
    stats = Statistics(scheme=scheme, period=period, starts=starts)

    referrals = Referral.objects.filter(family__scheme=scheme).filter(in_window)
    # Counted by month, and suppressed together with the quarterly subtotals and the total.
    months = periods(today=today, period=Period.MONTH)
    quarters = periods(today=today, period=Period.QUARTER)

    def by_month(rows) -> list[int]:
        counts = {(p.date() if isinstance(p, datetime.datetime) else p): n for p, n in rows}
        return [counts.get(m, 0) for m in months]

    referred = by_month(
        referrals.annotate(p=TruncMonth("referred_on"))
        .values("p")
        .annotate(n=Count("family", distinct=True))
        .values_list("p", "n")
    )
    closed = by_month(
        Family.objects.filter(scheme=scheme, closed_on__gte=first, closed_on__lt=end)
        .annotate(p=TruncMonth("closed_on"))
        .values("p")
        .annotate(n=Count("id"))
        .values_list("p", "n")
    )
    groups = [[i for i, m in enumerate(months) if q <= m < _add_months(q, 3)] for q in quarters]
    month_cells, quarter_cells, total_cells = suppress_by_period(
        [list(pair) for pair in zip(referred, closed, strict=True)], groups
    )
    shown = quarter_cells if period == Period.QUARTER else month_cells
    stats.tables.append(
        Table(
            key="referred_closed",
            title=_("Families referred and closed"),
            row_header=_("Period"),
            row_labels=labels,
            col_labels=[_("Referred"), _("Closed")],
            result=SuppressedTable(rows=[*shown, total_cells], row_totals=False, col_totals=True),
            note=_(
                "A family is counted in the month of its referral; figures by month and by quarter cover the same "
                "months and add up to the same totals."
            ),
        )
    )

    # Supported: a family with a volunteer assigned at any time in the period. One
    # query; a family is counted once per period, so these counts are not added up.
    assignments = (
        VolunteerAssignment.objects.filter(family__scheme=scheme, starts_on__lt=end)
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=first))
        .values_list("family_id", "starts_on", "ends_on", "ended_at")
    )
    supported_sets: list[set] = [set() for _ in starts]
    for family_id, starts_on, ends_on, ended_at in assignments:
        last_day = min(d for d in (ends_on, ended_at and ended_at.date(), end) if d is not None)
        for i, s in enumerate(starts):
            if starts_on < _add_months(s, step) and last_day >= s:
                supported_sets[i].add(family_id)
    stats.tables.append(
        Table(
            key="supported",
            title=_("Families supported by a volunteer"),
            row_header=_("Period"),
            row_labels=labels,
            col_labels=[_("Supported")],
            result=suppress([[len(s)] for s in supported_sets], row_totals=False, col_totals=False),
            note=_("A family supported in several periods is counted in each, so there is no total."),
        )
    )

    sources = {value: str(label) for value, label in Referral.Source.choices}
    stats.tables.append(
        Table(
            key="source",
            title=_("Referrals by source"),
            row_header=_("Referred by"),
            row_labels=list(sources.values()),
            col_labels=[_("Referrals")],
            result=suppress(
                _counts_by(referrals.values("source").annotate(n=Count("id")).values_list("source", "n"), sources),
                row_totals=False,
            ),
        )
    )

    kinds = {value: str(label) for value, label in Visit.Kind.choices}
    visits = Visit.objects.filter(family__scheme=scheme, visited_on__gte=first, visited_on__lt=end)
    stats.tables.append(
        Table(
            key="support",
            title=_("Type of support: visits made"),
            row_header=_("Kind of visit"),
            row_labels=list(kinds.values()),
            col_labels=[_("Visits")],
            result=suppress(
                _counts_by(visits.values("kind").annotate(n=Count("id")).values_list("kind", "n"), kinds),
                row_totals=False,
            ),
        )
    )

    referred_families = Family.objects.filter(scheme=scheme).filter(id__in=referrals.values("family_id"))
    areas = dict(referred_families.values("area").annotate(n=Count("id")).order_by("area").values_list("area", "n"))
    area_names = sorted(a for a in areas if a)
    if "" in areas or not area_names:
        area_names.append("")
    stats.tables.append(
        Table(
            key="area",
            title=_("Families referred by area (postcode district)"),
            row_header=_("Area"),
            row_labels=[a or _("Not recorded") for a in area_names],
            col_labels=[_("Families")],
            result=suppress([[areas.get(a, 0)] for a in area_names], row_totals=False),
        )
    )

    children = Coalesce(
        Subquery(
            Member.objects.filter(family=OuterRef("pk"), kind=Member.Kind.CHILD)
            .order_by()
            .values("family")
            .annotate(c=Count("id"))
            .values("c")
        ),
        0,
    )
    band = Case(
        When(children__lte=1, then=Value(0)),
        When(children__lte=4, then=Value(1)),
        default=Value(2),
        output_field=IntegerField(),
    )
    bands = dict(
        referred_families.annotate(children=children)
        .annotate(band=band)
        .values("band")
        .annotate(n=Count("id"))
        .values_list("band", "n")
    )
    stats.tables.append(
        Table(
            key="children",
            title=_("Families referred by number of children"),
            row_header=_("Children in the family"),
            row_labels=[_("0 to 1"), _("2 to 4"), _("5 or more")],
            col_labels=[_("Families")],
            result=suppress([[bands.get(i, 0)] for i in range(3)], row_totals=False),
        )
    )
    return stats

"""Anonymised statistics for trustees and funders (§3.2, §8.9)."""

from __future__ import annotations

import csv
import datetime
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from families import services as family_services
from families.models import Family, Member, Referral, Visit
from reporting.models import ReportEvent
from reporting.statistics import Period, periods, scheme_statistics
from tests.conftest import CARER_LAST, CHILD_FIRST, POSTCODE
from tests.factories import dbs_checked, make_family

pytestmark = pytest.mark.policy("3.2", "8.9")

STATISTICS = reverse("reporting:statistics")
CSV = reverse("reporting:statistics_csv")


def referred(scheme, coordinator, count, *, days_ago=10, **overrides):
    today = timezone.localdate()
    return [
        make_family(scheme, coordinator, referred_on=today - datetime.timedelta(days=days_ago), **overrides)
        for _ in range(count)
    ]


def cells(table):
    return [[str(c) for c in row] for _, row in table.rows]


def test_family_area_is_the_postcode_district_set_when_the_postcode_is_written(family, coordinator):
    assert family.area == "CH41"
    family_services.family_update_contact(family=family, actor=coordinator, address="", postcode="L1 8JQ", phone="")
    assert Family.objects.get(pk=family.pk).area == "L1"
    assert Family.area_of("not a postcode") == ""


def test_both_views_cover_the_same_window_of_five_quarters_to_this_month():
    starts = periods(today=datetime.date(2026, 11, 25), period=Period.MONTH)
    assert starts[0] == datetime.date(2025, 10, 1) and starts[-1] == datetime.date(2026, 11, 1) and len(starts) == 14
    quarters = periods(today=datetime.date(2026, 11, 25), period=Period.QUARTER)
    assert quarters == [datetime.date(y, m, 1) for y, m in [(2025, 10), (2026, 1), (2026, 4), (2026, 7), (2026, 10)]]


def test_no_quarter_minus_its_shown_months_reveals_a_hidden_month(wirral, coordinator):
    today = timezone.localdate()
    this_month = today.replace(day=1)
    # Two referrals this month (hidden), nine earlier in the quarter or the month before.
    referred(wirral, coordinator, 2, days_ago=(today - this_month).days)
    earlier = (today - (this_month - datetime.timedelta(days=1))).days
    referred(wirral, coordinator, 9, days_ago=earlier)
    by_month = scheme_statistics(scheme=wirral, period=Period.MONTH, today=today).table("referred_closed")
    by_quarter = scheme_statistics(scheme=wirral, period=Period.QUARTER, today=today).table("referred_closed")
    month_cells = [row[0] for _, row in by_month.rows]
    quarter_cells = [row[0] for _, row in by_quarter.rows]
    assert str(month_cells[-2]) == "fewer than 5"  # this month, before the total row
    assert month_cells[-1].value == quarter_cells[-1].value == 11  # the same total in both views
    # The quarter holding this month, with its months: none or at least two entries are hidden.
    months = periods(today=today, period=Period.MONTH)
    quarter_start = periods(today=today, period=Period.QUARTER)[-1]
    in_quarter = [cell for m, cell in zip(months, month_cells, strict=False) if m >= quarter_start]
    assert sum(cell.hidden for cell in [*in_quarter, quarter_cells[-2]]) >= 2


def test_counts_by_source_area_children_and_visit_kind_with_small_numbers_suppressed(wirral, coordinator):
    referred(wirral, coordinator, 6, postcode="CH41 1AA")
    referred(wirral, coordinator, 2, postcode="CH43 2BB", source=Referral.Source.SELF)
    big = referred(wirral, coordinator, 1, postcode="CH41 1AA")[0]
    for n in range(3):
        family_services.member_add(family=big, actor=coordinator, kind=Member.Kind.CHILD, first_name=f"Kid{n}")
    stats = scheme_statistics(scheme=wirral, period=Period.MONTH, today=timezone.localdate())

    area = stats.table("area")
    assert [label for label, _ in area.rows] == ["CH41", "CH43", "Total"]
    # CH43 has 2 families: fewer than 5; the total would give it away, so CH41 is hidden too.
    assert cells(area) == [["hidden"], ["fewer than 5"], ["9"]]

    source = stats.table("source")
    assert dict((label, row[0].value) for label, row in source.rows)["Health visitor"] == 7
    assert str(dict(source.rows)["Self-referral"][0]) == "fewer than 5"
    assert str(dict(source.rows)["Health visitor"][0]) == "hidden"

    children = stats.table("children")
    assert [row[0].value for _, row in children.rows] == [8, 1, 0, 9]
    assert cells(children) == [["hidden"], ["fewer than 5"], ["0"], ["9"]]


def test_trend_counts_referred_and_closed_by_month(wirral, coordinator):
    today = timezone.localdate()
    families = referred(wirral, coordinator, 5, days_ago=0)
    for family in families:
        family_services.family_close(family=family, actor=coordinator, closed_on=today, reason="completed")
    stats = scheme_statistics(scheme=wirral, period=Period.MONTH, today=today)
    trend = stats.table("referred_closed")
    assert cells(trend)[-2] == ["5", "5"]  # this month
    assert cells(trend)[-1] == ["5", "5"]  # the total


def test_supported_counts_families_with_a_volunteer_in_the_period(wirral, coordinator, volunteer):
    today = timezone.localdate()
    dbs_checked(wirral, volunteer, coordinator)
    for family in referred(wirral, coordinator, 6):
        family_services.volunteer_assign(family=family, actor=coordinator, volunteer=volunteer, starts_on=today)
    stats = scheme_statistics(scheme=wirral, period=Period.MONTH, today=today)
    assert [row[0].value for _, row in stats.table("supported").rows][-1] == 6


def test_visit_kinds_are_counted(family, wirral):
    stats = scheme_statistics(scheme=wirral, period=Period.QUARTER, today=timezone.localdate())
    support = dict(stats.table("support").rows)
    assert support[Visit.Kind.INITIAL.label][0].value == 1
    assert str(support[Visit.Kind.INITIAL.label][0]) == "fewer than 5"


@pytest.mark.parametrize("who", ["trustee", "spotcheck", "manager", "coordinator"])
def test_trustees_and_staff_see_the_statistics(request, client_for, family, who):
    response = client_for(request.getfixturevalue(who)).get(STATISTICS, {"period": "quarter"})
    assert response.status_code == 200
    assert b"<svg" in response.content and b'role="img"' in response.content


@pytest.mark.parametrize("who", ["volunteer", "safeguarding_lead", "reviewer", "auditor", "admin_user", "outsider"])
def test_others_cannot_see_the_statistics(request, client_for, family, who):
    client = client_for(request.getfixturevalue(who))
    assert client.get(STATISTICS).status_code == 404
    assert client.get(CSV).status_code == 404


@pytest.mark.policy("9.2")
def test_another_schemes_coordinator_sees_only_their_own_schemes_figures(client_for, sef_coordinator, family):
    response = client_for(sef_coordinator).get(STATISTICS, {"scheme": "WIR"})
    assert response.status_code == 200
    assert response.context["scheme"].code == "SEF"
    assert "Initial visit" in response.content.decode()
    assert str(dict(response.context["stats"].table("support").rows)["Initial visit"][0]) == "0"


def test_the_statistics_page_never_shows_a_reference_name_or_postcode_and_links_to_no_family(
    client_for, trustee, family
):
    html = client_for(trustee).get(STATISTICS).content.decode()
    for secret in (family.reference, CARER_LAST, CHILD_FIRST, POSTCODE, "/families/"):
        assert secret not in html


def test_the_csv_export_holds_the_same_suppressed_tables_and_is_recorded(client_for, trustee, family, wirral):
    response = client_for(trustee).get(CSV, {"period": "quarter"})
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == ["table", "row", "column", "value"]
    assert ["Type of support: visits made", "Initial visit", "Visits", "fewer than 5"] in rows
    assert not any(family.reference in value or POSTCODE in value for row in rows for value in row)
    event = ReportEvent.objects.get(kind=ReportEvent.Kind.STATISTICS_EXPORT)
    assert event.user == trustee and event.scheme == wirral


def test_wrong_method_is_refused(client_for, trustee):
    assert client_for(trustee).post(STATISTICS).status_code == 405


def test_statistics_page_queries_do_not_grow_with_families(client_for, trustee, wirral, coordinator, volunteer):
    def count() -> int:
        client = client_for(trustee)
        client.get(STATISTICS)
        with CaptureQueriesContext(connection) as captured:
            assert client.get(STATISTICS).status_code == 200
        return len(captured)

    dbs_checked(wirral, volunteer, coordinator)

    def add(n):
        for family in referred(wirral, coordinator, n):
            family_services.volunteer_assign(
                family=family, actor=coordinator, volunteer=volunteer, starts_on=timezone.localdate()
            )
            family_services.member_add(family=family, actor=coordinator, kind=Member.Kind.CHILD, first_name="K")

    add(10)
    ten = count()
    add(90)
    assert count() == ten


def test_the_chart_marks_small_and_secondary_hidden_counts_without_drawing_them():
    from reporting.charts import bar_chart
    from reporting.suppression import Cell

    chart = bar_chart(labels=["a", "b", "c"], cells=[Cell(3, True, True), Cell(10, True, False), Cell(7)])
    assert [bar.value for bar in chart["bars"]] == ["<5", "hidden", "7"]
    assert [bar.height for bar in chart["bars"]][:2] == [0, 0]
    assert [bar.description for bar in chart["bars"]] == ["fewer than 5", "hidden", "7"]

"""Outcome figures for trustees and funders (§3.2, §8.9): families with start and end scores,
the share improving and the average change in each area, signposting by service, with the same
small-number and secondary suppression as the other statistics, on the page, its chart and CSV."""

from __future__ import annotations

import csv
import datetime
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from outcomes.models import Occasion, Service
from reporting.models import ReportEvent
from reporting.outcome_statistics import outcome_statistics, year_start, years
from reporting.suppression import is_safe
from tests.conftest import CARER_LAST, POSTCODE
from tests.factories import make_family
from tests.outcomes.helpers import score

pytestmark = pytest.mark.policy("3.2", "8.9")

PAGE = reverse("reporting:outcome_statistics")
CSV = reverse("reporting:outcome_statistics_csv")
WORDS = "Xylophrane said the money worries eased"


def journeys(scheme, coordinator, changes, *, services=()):
    """One family per entry: parenting start 2, end 2 + change; the other areas up by one."""
    today = timezone.localdate()
    families = []
    for change in changes:
        family = make_family(scheme, coordinator)
        score(family, coordinator, on=today - datetime.timedelta(days=1), own_words=WORDS)
        score(
            family,
            coordinator,
            Occasion.END,
            on=today,
            scores=(2 + change, 3, 3, 3),
            needs=(),
            signposting=list(services),
        )
        families.append(family)
    return families


def cells(table):
    return {label: [str(c) for c in row] for label, row in table.rows}


def test_the_financial_year_runs_april_to_march():
    assert year_start(datetime.date(2027, 3, 31)) == datetime.date(2026, 4, 1)
    assert year_start(datetime.date(2027, 4, 1)) == datetime.date(2027, 4, 1)
    assert years(today=datetime.date(2026, 12, 5))[:2] == [datetime.date(2026, 4, 1), datetime.date(2025, 4, 1)]


def test_change_share_improving_and_average_change_per_area(wirral, coordinator):
    journeys(wirral, coordinator, [1, 1, 2, 1, 3, 1])  # six families, all improved in parenting
    stats = outcome_statistics(scheme=wirral, year=year_start(timezone.localdate()))
    assert cells(stats.table("outcome_families"))["Scored at the start and at the end of support"] == ["6"]
    change = cells(stats.table("outcome_change"))
    assert change["Parenting skills"] == ["6", "0", "0", "6"]
    assert change["Family management"] == ["6", "0", "0", "6"]
    summary = {row.area: row for row in stats.summary}
    assert summary["Parenting skills"].share_improving == "100%"
    assert summary["Parenting skills"].average_change == "+1.5"
    assert summary["Parental well-being"].average_change == "+1.0"
    assert is_safe(stats.table("outcome_change").result)


def test_a_small_count_is_hidden_and_a_second_cell_too_so_the_total_cannot_reveal_it(wirral, coordinator):
    # Six families: five improved in parenting, one the same (fewer than 5): with the total
    # shown, "improved" alone would give "no change" away, so it is hidden as well.
    journeys(wirral, coordinator, [1, 1, 1, 1, 1, 0])
    stats = outcome_statistics(scheme=wirral, year=year_start(timezone.localdate()))
    assert cells(stats.table("outcome_change"))["Parenting skills"] == ["hidden", "fewer than 5", "0", "6"]
    assert is_safe(stats.table("outcome_change").result)
    summary = {row.area: row for row in stats.summary}
    assert summary["Parenting skills"].share_improving == "hidden"
    assert summary["Children's well-being"].share_improving == "100%"


def test_fewer_than_five_families_hide_every_figure_about_them(wirral, coordinator):
    journeys(wirral, coordinator, [1, 1, 0], services=[Service.FOOD])
    stats = outcome_statistics(scheme=wirral, year=year_start(timezone.localdate()))
    assert cells(stats.table("outcome_families")) == {
        "Scored at the start of support": ["fewer than 5"],
        "Scored at the start and at the end of support": ["fewer than 5"],
    }
    assert cells(stats.table("outcome_change"))["Parenting skills"][-1] == "fewer than 5"
    assert all(row.share_improving == row.average_change == "hidden" for row in stats.summary)
    assert cells(stats.table("outcome_signposting"))["Food bank or baby bank"] == ["fewer than 5"]
    assert cells(stats.table("outcome_signposting"))["Housing support"] == ["0"]


def test_scores_of_another_year_or_scheme_are_not_counted(wirral, sefton, coordinator, sef_coordinator):
    journeys(wirral, coordinator, [1] * 5)
    journeys(sefton, sef_coordinator, [1] * 5)
    last_year = year_start(timezone.localdate()).replace(year=year_start(timezone.localdate()).year - 1)
    stats = outcome_statistics(scheme=wirral, year=last_year)
    assert cells(stats.table("outcome_families"))["Scored at the start and at the end of support"] == ["0"]
    this_year = outcome_statistics(scheme=wirral, year=year_start(timezone.localdate()))
    assert cells(this_year.table("outcome_families"))["Scored at the start and at the end of support"] == ["5"]


@pytest.mark.parametrize("who", ["trustee", "spotcheck", "coordinator", "manager"])
def test_trustees_and_staff_see_the_tables_and_the_chart(request, client_for, wirral, coordinator, who):
    journeys(wirral, coordinator, [1] * 5)
    response = client_for(request.getfixturevalue(who)).get(PAGE)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="chart-improved"' in html and 'role="img"' in html and 'id="table-outcome_change"' in html
    assert "Share improving" in html


@pytest.mark.parametrize("who", ["volunteer", "safeguarding_lead", "reviewer", "auditor", "admin_user", "outsider"])
def test_others_cannot_see_the_outcome_figures(request, client_for, family, who):
    client = client_for(request.getfixturevalue(who))
    assert client.get(PAGE).status_code == 404
    assert client.get(CSV).status_code == 404


def test_the_page_names_no_family_and_never_their_own_words(client_for, trustee, wirral, coordinator):
    families = journeys(wirral, coordinator, [1] * 5)
    html = client_for(trustee).get(PAGE).content.decode()
    for secret in (families[0].reference, CARER_LAST, POSTCODE, WORDS, "/families/"):
        assert secret not in html


def test_the_csv_holds_the_same_suppressed_figures_and_is_recorded(client_for, trustee, wirral, coordinator):
    journeys(wirral, coordinator, [1, 1, 1, 1, 1, 0], services=[Service.FOOD])
    response = client_for(trustee).get(CSV)
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == ["table", "row", "column", "value"]
    change = "Change between the start and the end of support"
    assert [change, "Parenting skills", "Improved", "hidden"] in rows
    assert [change, "Parenting skills", "No change", "fewer than 5"] in rows
    assert [change, "Parenting skills", "Total", "6"] in rows
    assert ["Families signposted to other services", "Food bank or baby bank", "Families", "6"] in rows
    assert ["Share improving and average change", "Parenting skills", "Share improving", "hidden"] in rows
    assert ["Share improving and average change", "Children's well-being", "Average change", "+1.0"] in rows
    assert not any(WORDS in value or CARER_LAST in value for row in rows for value in row)
    event = ReportEvent.objects.get(kind=ReportEvent.Kind.STATISTICS_EXPORT)
    assert event.user == trustee and event.scheme == wirral and event.detail.startswith("outcomes=")


def test_the_outcome_page_queries_do_not_grow_with_families(client_for, trustee, wirral, coordinator):
    def count() -> int:
        client = client_for(trustee)
        client.get(PAGE)
        with CaptureQueriesContext(connection) as captured:
            assert client.get(PAGE).status_code == 200
        return len(captured)

    journeys(wirral, coordinator, [1] * 3)
    few = count()
    journeys(wirral, coordinator, [1, 0, -1] * 4)
    assert count() == few
    # The session, the user, their second factors, the policy, the roles, the schemes, and the
    # figures: families who started, the journeys compared, signposting.
    assert few == 9


def test_wrong_method_is_refused(client_for, trustee):
    assert client_for(trustee).post(PAGE).status_code == 405


def test_a_family_supported_again_is_compared_with_the_start_of_its_latest_support(wirral, coordinator):
    today = timezone.localdate()
    first = year_start(today) - datetime.timedelta(days=400)
    for _ in range(5):
        family = make_family(wirral, coordinator)
        score(family, coordinator, on=first, scores=(5, 5, 5, 5))
        score(family, coordinator, Occasion.END, on=first, scores=(5, 5, 5, 5), needs=())
        # Support started again: scored low at its new start, and a little better at the end.
        score(family, coordinator, on=today - datetime.timedelta(days=1), scores=(1, 1, 1, 1))
        score(family, coordinator, Occasion.END, on=today, scores=(2, 2, 2, 2), needs=())
    stats = outcome_statistics(scheme=wirral, year=year_start(today))
    assert cells(stats.table("outcome_change"))["Parenting skills"] == ["5", "0", "0", "5"]

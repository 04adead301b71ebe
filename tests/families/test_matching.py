"""Matching a volunteer to a family (issue 15.4): suggestions ranked by area, language, free times
and caseload, the reason in words; only volunteers with a current DBS check are suggested or
assigned (the scheme's safer-recruitment rule: the Confidentiality Policy has no clause on it)."""

from __future__ import annotations

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from families import matching, services
from families.models import VolunteerAssignment
from homestart.rules import Role
from records.models import VolunteerFile
from tests.conftest import _member
from tests.factories import dbs_checked, make_family
from tests.helpers import field_error

TODAY = timezone.localdate


def volunteer(wirral, coordinator, username: str, first: str, *, dbs_days_ago: int = 100, **fields):
    person = _member(wirral, Role.VOLUNTEER, username, first_name=first, last_name="Quillfeather")
    if dbs_days_ago is not None:
        fields["dbs_checked_on"] = TODAY() - datetime.timedelta(days=dbs_days_ago)
    dbs_checked(wirral, person, coordinator, **fields)
    return person


@pytest.fixture
def cast(wirral, coordinator):
    """Four volunteers of Wirral: who reaches CH41 (the family's district), who speaks Polish,
    who is free on Tuesday mornings, and one whose DBS check has lapsed."""
    return {
        "near": volunteer(wirral, coordinator, "near", "Nia", areas="CH41, CH42", languages="English"),
        "polish": volunteer(
            wirral,
            coordinator,
            "polish",
            "Pola",
            areas="ch41",
            languages="English, Polish",
            availability="tue_morning,thu_morning",
        ),
        "far": volunteer(wirral, coordinator, "far", "Fen", areas="CH60", languages="Polish"),
        "lapsed": volunteer(wirral, coordinator, "lapsed", "Lars", dbs_days_ago=3 * 365 + 10, areas="CH41"),
        "no_file": _member(wirral, Role.VOLUNTEER, "nofile", first_name="Noor", last_name="Quillfeather"),
    }


def assign_url(family, **query) -> str:
    url = reverse("families:assignment_new", kwargs={"reference": family.reference})
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


@pytest.mark.policy("8.3")
def test_suggestions_are_ranked_by_area_language_times_and_caseload_with_the_reason_in_words(
    family, coordinator, cast, wirral
):
    # "near" already supports another family: the same area and language, but a heavier caseload.
    other = make_family(wirral, coordinator)
    services.volunteer_assign(family=other, actor=coordinator, volunteer=cast["near"], starts_on=TODAY())
    found = matching.suggestions(
        family=family,
        volunteers=[cast[name] for name in ("far", "near", "polish", "lapsed", "no_file")],
        language="polish",
        times=["tue_morning", "sat_morning"],
        on=TODAY(),
    )
    assert [s.volunteer for s in found] == [cast["polish"], cast["near"], cast["far"]]
    assert found[0].why == "reaches CH41, speaks Polish, free Tuesday morning, no families now"
    assert found[1].why == "reaches CH41, 1 family now"
    assert found[2].why == "speaks Polish, no families now"


def test_without_a_language_or_times_the_lighter_caseload_comes_first(family, coordinator, cast, wirral):
    services.volunteer_assign(
        family=make_family(wirral, coordinator), actor=coordinator, volunteer=cast["near"], starts_on=TODAY()
    )
    found = matching.suggestions(family=family, volunteers=[cast["near"], cast["polish"]], on=TODAY())
    assert [s.volunteer for s in found] == [cast["polish"], cast["near"]]


def test_the_assign_page_suggests_matches_and_a_suggestion_preselects_the_volunteer(
    family, coordinator, cast, client_for
):
    client = client_for(coordinator)
    page = client.get(assign_url(family, language="Polish", times="tue_morning")).content.decode()
    suggested = page.split('id="suggested"')[1].split("<h2")[0]
    assert suggested.index("Pola Quillfeather") < suggested.index("Nia Quillfeather") < suggested.index("Fen")
    assert "Reaches CH41, speaks Polish, free Tuesday morning, no families now" in suggested
    # Lapsed DBS and no file: not suggested; still in the drop-down, by full name.
    assert "Lars" not in suggested and "Noor" not in suggested
    assert "Lars Quillfeather" in page and ">lapsed<" not in page
    chosen = client.get(assign_url(family, volunteer=cast["polish"].pk)).content.decode()
    assert re.search(rf'<option value="{cast["polish"].pk}" selected>', chosen)


@pytest.mark.policy("8.3")
@pytest.mark.parametrize("who", ["lapsed", "no_file"])
def test_a_volunteer_without_a_current_dbs_check_cannot_be_assigned(family, coordinator, cast, client_for, who):
    response = client_for(coordinator).post(
        assign_url(family), {"volunteer": cast[who].pk, "starts_on": TODAY().isoformat()}
    )
    assert response.status_code == 200
    assert "safer-recruitment rule" in field_error(response.content.decode(), "id_volunteer")
    assert not VolunteerAssignment.objects.filter(family=family).exists()
    with pytest.raises(services.NoCurrentDbsCheck):
        services.volunteer_assign(family=family, actor=coordinator, volunteer=cast[who], starts_on=TODAY())


def test_a_volunteer_who_has_left_or_whose_file_is_renewed_is_judged_on_the_file_now(family, coordinator, cast):
    file = VolunteerFile.objects.get(person=cast["lapsed"])
    assert not matching.volunteer_may_be_assigned(scheme=family.scheme, volunteer=cast["lapsed"], on=TODAY())
    VolunteerFile.objects.filter(pk=file.pk).update(dbs_renewal_due=TODAY() + datetime.timedelta(days=10))
    assert matching.volunteer_may_be_assigned(scheme=family.scheme, volunteer=cast["lapsed"], on=TODAY())
    VolunteerFile.objects.filter(pk=file.pk).update(left_on=TODAY())
    assert not matching.volunteer_may_be_assigned(scheme=family.scheme, volunteer=cast["lapsed"], on=TODAY())


def test_assigning_a_suggested_volunteer_twice_sent_assigns_once(family, coordinator, cast, client_for):
    client = client_for(coordinator)
    page = client.get(assign_url(family)).content.decode()
    token = re.search(r'name="form_once" value="([^"]+)"', page).group(1)
    data = {"volunteer": cast["polish"].pk, "starts_on": TODAY().isoformat(), "form_once": token}
    assert client.post(assign_url(family), data).status_code == 302
    assert client.post(assign_url(family), data).status_code == 302
    assert VolunteerAssignment.objects.filter(family=family).count() == 1
    # Already supporting this family: no longer suggested for it.
    again = client.get(assign_url(family)).content.decode().split('id="suggested"')[1].split("<h2")[0]
    assert "Pola" not in again


def test_a_language_too_long_is_refused_next_to_its_field_and_nothing_is_ranked_on_it(
    family, coordinator, cast, client_for
):
    page = client_for(coordinator).get(assign_url(family, language="x" * 61)).content.decode()
    assert "at most 60 characters" in field_error(page, "id_language")


@pytest.mark.parametrize("who", ["volunteer", "trustee", "sef_coordinator"])
def test_nobody_but_the_schemes_staff_sees_the_suggestions(family, cast, client_for, who, request):
    user = request.getfixturevalue(who)
    assert client_for(user).get(assign_url(family)).status_code in (403, 404)

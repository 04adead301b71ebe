"""Recording the family's own scores (Home-Start's outcome measure) and seeing its journey:
who records what, what the volunteer sees of it (§8.5), bad input, a form sent twice, and the
closed file that takes only its final scores (§8.8)."""

from __future__ import annotations

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from access_log.models import AccessEvent
from families import services as family_services
from families.models import ClosureReason
from homestart.rules import Action, Outcome, Section
from outcomes.models import Assessment, Occasion
from tests.helpers import field_error, raw_value

pytestmark = pytest.mark.policy("8.5")

OWN_WORDS = "Quillonby feels less alone since the volunteer came"
OTHER_SERVICE = "Zephyrwick toddler swim"


def url(name, family, occasion=""):
    address = reverse(f"outcomes:{name}", kwargs={"reference": family.reference})
    return f"{address}?occasion={occasion}" if occasion else address


def scores_form(occasion=Occasion.START, **overrides):
    data = {
        "occasion": occasion,
        "assessed_on": timezone.localdate().isoformat(),
        "parenting": "2",
        "parent_wellbeing": "1",
        "children_wellbeing": "3",
        "family_management": "2",
        "needs": ["isolation", "money"],
        "signposting": ["food", "other"],
        "signposting_other": OTHER_SERVICE,
        "own_words": OWN_WORDS,
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def record(client, family, **overrides):
    return client.post(url("assessment_new", family), scores_form(**overrides))


def test_the_coordinator_records_start_scores_and_the_file_shows_the_journey(assigned_family, coordinator, client_for):
    client = client_for(coordinator)
    response = record(client, assigned_family)
    assert response.status_code == 302 and response["Location"] == url("family", assigned_family)
    (assessment,) = Assessment.objects.filter(family=assigned_family)
    assert (assessment.occasion, assessment.parenting, assessment.parent_wellbeing) == (Occasion.START, 2, 1)
    assert assessment.need_codes == ["isolation", "money"]
    assert assessment.recorded_by == coordinator
    # The family's own words and the other service are sealed with the family's key (§8.2).
    assert OWN_WORDS.encode() not in raw_value(Assessment, "own_words", assessment.pk)
    assert OTHER_SERVICE.encode() not in raw_value(Assessment, "signposting_other", assessment.pk)
    # Recorded through the gate, as a change to the outcomes section.
    assert AccessEvent.objects.filter(
        file_id=assigned_family.pk, section=Section.OUTCOMES, action=Action.CHANGE, outcome=Outcome.ALLOWED
    ).exists()
    file_page = client.get(reverse("families:detail", kwargs={"reference": assigned_family.reference})).content.decode()
    assert 'id="chart-journey"' in file_page and 'id="table-journey"' in file_page
    assert "Start of support, " in file_page
    outcomes_page = client.get(url("family", assigned_family)).content.decode()
    assert OWN_WORDS in outcomes_page and OTHER_SERVICE in outcomes_page
    assert "Feeling less isolated" in outcomes_page and coordinator.display_name in outcomes_page


def test_the_volunteer_records_a_review_and_sees_only_the_needs_chosen(
    assigned_family, coordinator, volunteer, client_for
):
    assert record(client_for(coordinator), assigned_family).status_code == 302
    client = client_for(volunteer)
    form = client.get(url("assessment_new", assigned_family)).content.decode()
    # A volunteer records reviews; the start is recorded and the end is the coordinator's.
    assert 'value="review"' in form and 'value="start"' not in form and 'value="end"' not in form
    response = record(client, assigned_family, occasion=Occasion.REVIEW, parenting="4", own_words="Private words")
    assert response.status_code == 302
    assert Assessment.objects.filter(family=assigned_family, occasion=Occasion.REVIEW, recorded_by=volunteer).exists()
    page = client.get(url("family", assigned_family)).content.decode()
    assert "Feeling less isolated" in page and "Managing money" in page and "Food bank or baby bank" in page
    # Not the family's own words, not the other service's name, not the scores or the chart (§8.5).
    for hidden in (OWN_WORDS, "Private words", OTHER_SERVICE, "chart-journey", "table-journey"):
        assert hidden not in page
    file_page = client.get(reverse("families:detail", kwargs={"reference": assigned_family.reference})).content.decode()
    assert "chart-journey" not in file_page and OWN_WORDS not in file_page


def test_the_volunteer_may_not_record_the_end_of_support(assigned_family, coordinator, volunteer, client_for):
    record(client_for(coordinator), assigned_family)
    html = record(client_for(volunteer), assigned_family, occasion=Occasion.END).content.decode()
    # The only occasion open to them is sent as a hidden answer (GOV.UK: one option is no question),
    # so the refusal is the form's own message at the top.
    assert "Select a valid choice" in html
    assert not Assessment.objects.filter(occasion=Occasion.END).exists()


@pytest.mark.parametrize("who", ["other_volunteer", "safeguarding_lead", "trustee", "sef_coordinator"])
def test_others_neither_see_nor_record_the_scores(assigned_family, coordinator, who, request, client_for):
    record(client_for(coordinator), assigned_family)
    client = client_for(request.getfixturevalue(who))
    assert client.get(url("family", assigned_family)).status_code == 404
    assert record(client, assigned_family, occasion=Occasion.REVIEW).status_code == 404
    assert Assessment.objects.count() == 1


# --- bad input --------------------------------------------------------------


@pytest.mark.parametrize(
    "overrides, field, message",
    [
        ({"parenting": "6"}, "id_parenting", "Select a valid choice"),
        ({"family_management": None}, "id_family_management", "Choose a score from 0 to 5 for family management."),
        ({"needs": []}, "id_needs", "Choose at least one need the family wants help with."),
        ({"needs": ["flying"]}, "id_needs", "Select a valid choice"),
        ({"signposting_other": ""}, "id_signposting_other", "Name the other service."),
        ({"assessed_on": "2999-01-01"}, "id_assessed_on", "today or in the past"),
        ({"assessed_on": "31/02/2024"}, "id_assessed_on", "is not a real date"),
        ({"occasion": "review"}, "id_occasion", "Select a valid choice"),
    ],
)
def test_bad_input_is_shown_next_to_the_field_and_nothing_is_saved(
    assigned_family, coordinator, client_for, overrides, field, message
):
    response = record(client_for(coordinator), assigned_family, **overrides)
    assert response.status_code == 200
    html = response.content.decode()
    if field == "id_occasion":  # one occasion open: a hidden answer, refused at the top of the form
        assert message in html
    else:
        assert message in field_error(html, field)
    assert not Assessment.objects.exists()


def test_a_form_sent_twice_records_the_scores_once(assigned_family, coordinator, client_for):
    client = client_for(coordinator)
    html = client.get(url("assessment_new", assigned_family)).content.decode()
    token = re.search(r'name="form_once" value="([^"]+)"', html).group(1)
    first = client.post(url("assessment_new", assigned_family), {**scores_form(), "form_once": token})
    again = client.post(url("assessment_new", assigned_family), {**scores_form(), "form_once": token})
    assert first.status_code == again.status_code == 302
    assert Assessment.objects.count() == 1


def test_a_second_start_is_refused_until_support_ends(assigned_family, coordinator, client_for):
    client = client_for(coordinator)
    record(client, assigned_family)
    html = record(client, assigned_family).content.decode()
    assert "Select a valid choice" in field_error(html, "id_occasion")
    assert Assessment.objects.count() == 1


# --- closing support: the final scores ---------------------------------------


@pytest.mark.policy("8.8")
def test_after_closing_the_coordinator_records_the_final_scores_once(assigned_family, coordinator, client_for):
    client = client_for(coordinator)
    record(client, assigned_family)
    family_services.family_close(
        family=assigned_family,
        actor=coordinator,
        closed_on=timezone.localdate(),
        reason=ClosureReason.COMPLETED,
    )
    file_page = client.get(reverse("families:detail", kwargs={"reference": assigned_family.reference})).content.decode()
    assert "Record final scores" in file_page
    form = client.get(url("assessment_new", assigned_family)).content.decode()
    assert 'value="end"' in form and 'value="review"' not in form
    assert record(client, assigned_family, occasion=Occasion.END, parenting="4", needs=[]).status_code == 302
    assert Assessment.objects.filter(occasion=Occasion.END).count() == 1
    # Then the closed file is read-only again (§8.8).
    response = client.get(url("assessment_new", assigned_family))
    assert response.status_code == 302
    assert record(client, assigned_family, occasion=Occasion.END).status_code == 302
    assert Assessment.objects.filter(occasion=Occasion.END).count() == 1


def test_assessments_are_append_only(assigned_family, coordinator, client_for):
    from homestart.append_only import AppendOnlyError

    record(client_for(coordinator), assigned_family)
    assessment = Assessment.objects.get()
    assessment.parenting = 5
    with pytest.raises(AppendOnlyError):
        assessment.save()
    with pytest.raises(AppendOnlyError):
        assessment.delete()


def test_a_review_dated_before_the_last_scores_is_refused(assigned_family, coordinator, client_for):
    client = client_for(coordinator)
    record(client, assigned_family)
    earlier = (timezone.localdate() - datetime.timedelta(days=3)).isoformat()
    html = record(client, assigned_family, occasion=Occasion.REVIEW, assessed_on=earlier).content.decode()
    assert "on or after the last scores" in field_error(html, "id_assessed_on")


def test_the_journey_costs_the_family_file_one_query_whatever_the_number_of_scorings(
    assigned_family, coordinator, client_for
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for(coordinator)
    detail = reverse("families:detail", kwargs={"reference": assigned_family.reference})
    outcomes_page = url("family", assigned_family)

    def counts() -> tuple[int, int]:
        client.get(detail)
        with CaptureQueriesContext(connection) as on_file:
            assert client.get(detail).status_code == 200
        with CaptureQueriesContext(connection) as on_page:
            assert client.get(outcomes_page).status_code == 200
        return len(on_file), len(on_page)

    record(client, assigned_family)
    one = counts()
    for _ in range(4):
        record(client, assigned_family, occasion=Occasion.REVIEW)
    assert counts() == one
    # The family file: its budget (tests/families/test_query_counts.py). The outcomes page: the session,
    # the user, their second factors, the policy, the roles, the file, its permission, the event, the scorings.
    from tests.families.test_query_counts import PAGE_BUDGETS

    assert one == (PAGE_BUDGETS["family file"], 9)


@pytest.mark.policy("1.6", "8.7")
def test_a_family_members_subject_access_copy_holds_the_familys_scores(assigned_family, wirral, manager, coordinator):
    from families.models import Member
    from records.models import SubjectAccessRequest
    from records.subject_access import services as sar_services
    from records.subject_access.assemble import sar_assemble

    record(client_for_user(coordinator), assigned_family)
    sar = sar_services.sar_register(
        scheme=wirral,
        actor=manager,
        subject_kind=SubjectAccessRequest.SubjectKind.FAMILY_MEMBER,
        requester_name="Rosalind Quenby",
        received_on=timezone.localdate(),
        family=assigned_family,
        member=assigned_family.members.filter(kind=Member.Kind.ADULT).first(),
    )
    sections = {s.title: s.items for s in sar_assemble(sar=sar, actor=manager).sections}
    items = {item.label: item for item in sections["The family's own scores (outcomes)"]}
    start = next(item for label, item in items.items() if label.startswith("Start of support on"))
    assert "Parenting skills: 2 out of 5" in start.value
    assert items["Needs chosen"].value == "Feeling less isolated, Managing money"
    # The family's words may be about others in it: reviewed before release (§1.6).
    assert items["In the family's own words"].value == OWN_WORDS and items["In the family's own words"].third_party


def client_for_user(user):
    from django.test import Client

    client = Client()
    client.force_login(user)
    return client

"""History pages: who changed what, when, in words, through the same decision as the record's page
(§8.2, §8.3, §8.5, §8.8), and every model keeps history or is append-only."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from access_log import gate
from access_log.models import AccessEvent
from consent import services as consent_services
from families import services as family_services
from families.models import Member
from homestart.history import Source, history_entries
from homestart.models import Membership
from homestart.rules import FileKind, Outcome, Role
from homestart.services import access_request_approve, membership_end, membership_request
from records.breaches import services as breach_services
from records.people import services as people_services
from reporting import services as reporting_services
from safeguarding import services as safeguarding_services
from safeguarding.models import Concern
from tests import sharing_fixtures
from tests.helpers import main_content
from tests.sharing_fixtures import OBSERVED

# The consent and safeguarding suites' fixtures, used here too.
carer, give_consent, open_as = sharing_fixtures.carer, sharing_fixtures.give_consent, sharing_fixtures.open_as

TODAY = timezone.localdate


def _name(user, first, last):
    user.first_name, user.last_name = first, last
    user.save(update_fields=["first_name", "last_name"])
    return user


@pytest.fixture
def named(coordinator, manager, safeguarding_lead, volunteer):
    _name(coordinator, "Carol", "Coordinator")
    _name(manager, "Mandy", "Manager")
    _name(safeguarding_lead, "Sam", "Safeguarding")
    _name(volunteer, "Vera", "Volunteer")


def page(client, name, **kwargs):
    response = client.get(reverse(name, kwargs=kwargs))
    return response.status_code, main_content(response.content.decode())


# --- the mechanism -------------------------------------------------------------------------------


@pytest.mark.policy("8.2")
def test_a_change_is_told_in_words_by_name_with_values_the_viewer_may_see(family, coordinator, named):
    adult = family.members.get(kind=Member.Kind.ADULT)
    family_services.member_update(member=adult, actor=coordinator, first_name="Philippa", kind=Member.Kind.CHILD)
    source = Source(Member.history.filter(id=adult.pk), "Family member", key=("family", family), exclude={"family"})
    newest = history_entries(source)[0]
    assert (newest.who, newest.action) == ("Carol Coordinator (coordinator)", "Changed")
    changes = {c.field: (c.before, c.after) for c in newest.changes}
    assert "First name" in changes, repr(changes)
    assert changes["First name"][1] == "Philippa"
    # A choice is told by its label, never the stored code.
    assert changes["Kind"] == ("Parent or carer", "Child")
    assert history_entries(source)[-1].action == "Created"


@pytest.mark.policy("8.2", "8.5")
def test_a_value_the_viewer_may_not_see_is_only_said_to_have_changed(family, coordinator, named):
    adult = family.members.get(kind=Member.Kind.ADULT)
    family_services.member_update(member=adult, actor=coordinator, first_name="Philippa")
    source = Source(
        Member.history.filter(id=adult.pk),
        "Family member",
        key=("family", family),
        visible={"kind"},
        exclude={"family"},
    )
    (change,) = history_entries(source)[0].changes
    assert (change.field, change.shown, change.before, change.after) == ("First name", False, "", "")


# --- the pages -----------------------------------------------------------------------------------


@pytest.mark.policy("1.2", "8.3")
def test_consent_history_shows_the_withdrawal_in_words_to_staff_only(
    client_for, assigned_family, coordinator, give_consent, open_as, named, safeguarding_lead, volunteer, trustee
):
    consent = give_consent(assigned_family)
    consent_services.consent_withdraw(
        access=open_as(coordinator, assigned_family, "consent", change=True),
        consent=consent,
        withdrawn_on=TODAY(),
        actor=coordinator,
        notes="Mother asked us to stop",
    )
    status, html = page(client_for(coordinator), "consent:history", reference=assigned_family.reference)
    assert status == 200
    assert "Carol Coordinator" in html and "coordinator<" not in html
    assert "Consent to share with the referrer" in html
    assert "Date withdrawn: was not recorded, now" in html
    assert "Mother asked us to stop" in html
    assert "withdrawn_" not in html and "recipient_kind" not in html
    for outsider in (safeguarding_lead, volunteer, trustee):
        assert client_for(outsider).get(reverse("consent:history", args=[assigned_family.reference])).status_code in (
            403,
            404,
        )
    overview = client_for(coordinator).get(reverse("consent:overview", args=[assigned_family.reference]))
    assert reverse("consent:history", args=[assigned_family.reference]) in overview.content.decode()


@pytest.mark.policy("8.3")
def test_opening_a_history_page_is_recorded_by_the_gate(client_for, family, coordinator):
    before = AccessEvent.objects.count()
    assert client_for(coordinator).get(reverse("consent:history", args=[family.reference])).status_code == 200
    (event,) = AccessEvent.objects.all()[: AccessEvent.objects.count() - before]
    assert (event.user, event.file_reference, event.outcome) == (coordinator, family.reference, Outcome.ALLOWED)


@pytest.mark.policy("2.1", "8.5")
def test_a_volunteer_sees_the_history_of_their_concern_but_not_what_was_done(
    client_for, assigned_family, coordinator, safeguarding_lead, volunteer, open_as, named
):
    concern = safeguarding_services.concern_raise(
        access=open_as(volunteer, assigned_family, "safeguarding", change=True),
        category=Concern.Category.NEGLECT,
        observed=OBSERVED,
        observed_on=TODAY(),
        actor=volunteer,
    )
    lead = open_as(safeguarding_lead, assigned_family, "safeguarding", change=True)
    safeguarding_services.concern_action_add(
        access=lead, concern=concern, action="Phoned the health visitor", taken_on=TODAY(), actor=safeguarding_lead
    )
    safeguarding_services.concern_refer(
        access=lead, concern=concern, referred_on=TODAY(), actor=safeguarding_lead, la_reference="LA-77"
    )
    kwargs = {"reference": assigned_family.reference, "concern_id": concern.pk}
    status, html = page(client_for(safeguarding_lead), "safeguarding:concern_history", **kwargs)
    assert status == 200
    assert "Referred to the local authority" in html, html
    assert "LA-77" in html and "Phoned the health visitor" in html
    assert "Sam Safeguarding" in html and "referred<" not in html
    status, html = page(client_for(volunteer), "safeguarding:concern_history", **kwargs)
    assert status == 200
    assert "Vera Volunteer" in html
    for hidden in (
        "LA-77",
        "Phoned the health visitor",
        "Referred to the local authority",
        "Sam Safeguarding",
        "Status",
    ):
        assert hidden not in html


@pytest.mark.policy("2.1", "8.5")
def test_another_volunteer_gets_404_for_a_concern_history(
    client_for, assigned_family, volunteer, other_volunteer, open_as
):
    concern = safeguarding_services.concern_raise(
        access=open_as(volunteer, assigned_family, "safeguarding", change=True),
        category=Concern.Category.NEGLECT,
        observed=OBSERVED,
        observed_on=TODAY(),
        actor=volunteer,
    )
    url = reverse("safeguarding:concern_history", args=[assigned_family.reference, concern.pk])
    assert client_for(other_volunteer).get(url).status_code == 404


@pytest.mark.policy("8.3", "8.4")
def test_volunteer_and_personnel_file_history_pages(
    client_for, volunteer_file, personnel_file, coordinator, manager, named, trustee
):
    access = gate.open_file(
        user=coordinator, kind=FileKind.VOLUNTEER, reference=volunteer_file.reference, for_change=True
    )
    people_services.person_file_update(access=access, actor=coordinator, training="Safeguarding refresher")
    status, html = page(client_for(coordinator), "records:volunteer_file_history", reference=volunteer_file.reference)
    assert status == 200
    assert "Training completed: was Preparation course, 2024, now Safeguarding refresher" in html
    assert "Carol Coordinator" in html
    status, html = page(client_for(manager), "records:personnel_file_history", reference=personnel_file.reference)
    assert status == 200 and "Mandy Manager" in html
    # §8.4: a coordinator who is not the line manager, and a trustee not designated, get 404.
    assert (
        client_for(coordinator)
        .get(reverse("records:personnel_file_history", args=[personnel_file.reference]))
        .status_code
        == 404
    )
    assert (
        client_for(trustee).get(reverse("records:volunteer_file_history", args=[volunteer_file.reference])).status_code
        == 404
    )


@pytest.mark.policy("3.3", "7.5")
def test_case_study_history_is_for_staff_not_trustees(client_for, family, coordinator, manager, trustee, named):
    study = reporting_services.case_study_create(
        family=family,
        actor=coordinator,
        title="Growing in confidence",
        draft="A first text.",
        family_consented=True,
        consent_recorded_on=TODAY(),
    )
    reporting_services.case_study_update(
        study=study, actor=manager, title="Growing in confidence", draft="A better text."
    )
    status, html = page(client_for(coordinator), "reporting:case_study_history", study_id=study.pk)
    assert status == 200
    assert "Case study: was A first text., now A better text." in html and "Mandy Manager" in html
    assert client_for(trustee).get(reverse("reporting:case_study_history", args=[study.pk])).status_code == 404


@pytest.mark.policy("6.1")
def test_group_history_names_families_by_reference(client_for, family, coordinator, named, sef_coordinator):
    group = family_services.group_create(scheme=family.scheme, actor=coordinator, name="Stay and play")
    family_services.group_member_add(
        group=group,
        family=family,
        actor=coordinator,
        joined_on=TODAY(),
        confidentiality_explained=True,
        written_information_given=True,
    )
    status, html = page(client_for(coordinator), "families:group_history", group_id=group.pk)
    assert status == 200
    assert f"{family.reference} in the group" in html and "Carol Coordinator" in html
    assert client_for(sef_coordinator).get(reverse("families:group_history", args=[group.pk])).status_code == 404


@pytest.mark.policy("3.8", "8.4")
def test_membership_history_for_the_manager_and_trustees(
    client_for, wirral, manager, coordinator, trustee, volunteer, named
):
    # Asked by the manager, approved by a trustee (two people for every grant, §8.3).
    asked = membership_request(user=volunteer, scheme=wirral, role=Role.COORDINATOR, actor=manager)
    access_request_approve(access_request=asked, actor=trustee)
    membership = Membership.objects.current().get(user=volunteer, scheme=wirral, role=Role.COORDINATOR)
    membership_end(membership=membership, actor=manager)
    for reader in (manager, trustee):
        status, html = page(client_for(reader), "membership_history")
        assert status == 200
        assert "Vera Volunteer: Coordinator" in html and "Mandy Manager" in html
        assert "Ended at: was not recorded, now" in html
        assert "volunteer<" not in html
    for refused in (coordinator, volunteer):
        assert client_for(refused).get(reverse("membership_history")).status_code == 404
    assert Membership.objects.get(pk=membership.pk).ended_at is not None


@pytest.mark.policy("8.8")
def test_a_destroyed_family_history_answers_410_not_an_error(client_for, family, coordinator, give_consent):
    give_consent(family)
    family.data_key.destroy()
    for name in ("families:history", "consent:history"):
        response = client_for(coordinator).get(reverse(name, args=[family.reference]))
        assert response.status_code == 410, name
        assert "destroyed" in response.content.decode()


@pytest.mark.policy("8.3")
def test_history_page_query_count_does_not_grow(
    client_for, family, coordinator, give_consent, open_as, django_assert_max_num_queries
):
    for _ in range(6):
        consent = give_consent(family)
        consent_services.consent_withdraw(
            access=open_as(coordinator, family, "consent", change=True),
            consent=consent,
            withdrawn_on=TODAY(),
            actor=coordinator,
        )
    client = client_for(coordinator)
    url = reverse("consent:history", args=[family.reference])
    client.get(url)
    with django_assert_max_num_queries(20):
        assert client.get(url).status_code == 200


def test_history_dates_are_words(family):
    source = Source(Member.history.filter(family_id=family.pk), "Family member", key=("family", family))
    assert all(isinstance(e.when, datetime.datetime) for e in history_entries(source))


@pytest.mark.policy("3.9", "4.4")
def test_breach_history_tells_the_assessment_in_words(client_for, wirral, coordinator, manager, volunteer, named):
    breach = breach_services.breach_record(
        scheme=wirral,
        actor=coordinator,
        found_at=timezone.now(),
        found_by=coordinator,
        description="Email sent to the wrong address",
        data_affected="One address",
    )
    breach_services.breach_update(
        breach=breach,
        actor=manager,
        risk="risk",
        ico_decision="undecided",
        ico_decision_reason="",
        actions="Recalled the email",
        outcome="",
    )
    status, html = page(client_for(coordinator), "records:breach_history", breach_id=breach.pk)
    assert status == 200
    assert "A risk to people&#x27;s rights and freedoms" in html and "Mandy Manager" in html
    assert "Actions taken: was not recorded, now Recalled the email" in html
    assert client_for(volunteer).get(reverse("records:breach_history", args=[breach.pk])).status_code == 404

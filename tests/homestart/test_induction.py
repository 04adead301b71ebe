"""Inductions on the Confidentiality Policy: recorded by the person who gave them, for trustees,
staff and volunteers (§3.1, §4.1, §5.1), with the duty to keep confidentiality at all times
(§3.8, §4.3, §5.4) and, for volunteers, the peer-support guidance (§5.3); the register shows the
trustees who in the scheme is inducted and who is not (§3.8)."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from homestart import services
from homestart.models import Induction, PolicyVersion
from homestart.rules import Role
from tests.conftest import _member

GUIDANCE = "Do not share anything that could identify a family"


@pytest.fixture(autouse=True)
def names(manager, coordinator, volunteer):
    """People are shown by name: give the people of these tests theirs."""
    for user, first, last in [
        (manager, "Mary", "Manager"),
        (coordinator, "Carol", "Coordinator"),
        (volunteer, "Vera", "Volunteer"),
    ]:
        user.first_name, user.last_name = first, last
        user.save(update_fields=["first_name", "last_name"])


def form(person, inducted_as="volunteer", **extra):
    return {
        "scheme": "WIR",
        "person": person.pk,
        "inducted_as": inducted_as,
        "inducted_on": (timezone.localdate() - datetime.timedelta(days=2)).isoformat(),
        "policy_given": "on",
        "duty_explained": "on",
        "peer_support_explained": "on",
        **extra,
    }


def record(person, actor, scheme, inducted_as="volunteer", **extra):
    return services.induction_record(
        person=person,
        scheme=scheme,
        inducted_as=inducted_as,
        inducted_on=timezone.localdate(),
        policy_given=True,
        duty_explained=True,
        peer_support_explained=True,
        actor=actor,
        **extra,
    )


@pytest.mark.policy("5.1", "5.3", "5.4")
def test_a_coordinator_records_a_volunteers_induction_and_the_register_shows_it(client_for, coordinator, volunteer):
    client = client_for(coordinator)
    response = client.post(reverse("inductions"), form(volunteer))
    assert response.status_code == 302
    induction = Induction.objects.get(person=volunteer)
    assert induction.inducted_by == coordinator
    assert induction.policy_version == PolicyVersion.current()
    assert induction.peer_support_explained and induction.duty_explained and induction.policy_given
    page = client.get(response["Location"]).content.decode()
    assert f"by {coordinator.display_name}" in page
    assert "Induction recorded" in page


@pytest.mark.policy("3.8", "4.3")
def test_the_manager_records_the_induction_of_anyone_in_the_list_not_only_the_first(client_for, manager, coordinator):
    """The list of people is in name order; choosing someone after the first once answered 500."""
    later = _member(coordinator.memberships.get().scheme, Role.COORDINATOR, "zed", first_name="Zed", last_name="Zane")
    response = client_for(manager).post(reverse("inductions"), form(later, "staff"))
    assert response.status_code == 302
    assert Induction.objects.get(person=later).inducted_by == manager


@pytest.mark.policy("5.3")
def test_a_volunteers_induction_needs_the_peer_support_guidance(client_for, coordinator, volunteer):
    response = client_for(coordinator).post(reverse("inductions"), form(volunteer, peer_support_explained=""))
    assert response.status_code == 200
    assert "Confirm that you gave a volunteer the peer-support guidance." in response.content.decode()
    assert not Induction.objects.exists()


@pytest.mark.policy("3.8", "4.3", "5.4")
def test_every_induction_records_the_duty_to_keep_confidentiality_at_all_times(client_for, manager, coordinator):
    response = client_for(manager).post(reverse("inductions"), form(coordinator, "staff", duty_explained=""))
    assert "Confirm that you told them to keep confidentiality at all times." in response.content.decode()
    assert not Induction.objects.exists()


@pytest.mark.policy("5.3", "5.4")
def test_volunteers_see_the_peer_support_guidance_beside_their_families(client_for, volunteer):
    page = client_for(volunteer).get(reverse("families:my_families")).content.decode()
    assert "Meeting other volunteers for peer support" in page
    assert GUIDANCE in page


@pytest.mark.policy("3.1", "3.8")
def test_trustees_see_who_is_not_yet_inducted_and_who_inducted_the_others(
    client_for, wirral, manager, trustee, coordinator, volunteer
):
    record(coordinator, manager, wirral, "staff")
    page = client_for(trustee).get(reverse("inductions")).content.decode()
    assert "Not inducted" in page  # the volunteer, the trustee, the manager
    assert f"by {manager.display_name}" in page
    assert volunteer.display_name in page
    # A trustee may record another trustee's induction, nobody else's.
    assert 'value="trustee"' in page and 'value="volunteer"' not in page


@pytest.mark.policy("3.1", "4.1", "4.3")
def test_who_may_record_which_induction(wirral, manager, coordinator, trustee, volunteer, safeguarding_lead):
    assert services.induction_may_record(actor=manager, scheme=wirral) == ["trustee", "staff", "volunteer"]
    assert services.induction_may_record(actor=coordinator, scheme=wirral) == ["volunteer"]
    assert services.induction_may_record(actor=trustee, scheme=wirral) == ["trustee"]
    assert services.induction_may_record(actor=volunteer, scheme=wirral) == []
    with pytest.raises(PermissionDenied):
        record(safeguarding_lead, coordinator, wirral, "staff")
    with pytest.raises(ValidationError) as refused:
        record(manager, manager, wirral, "staff")
    assert "recorded by the person who gave it" in str(refused.value)
    with pytest.raises(ValidationError) as refused:
        record(volunteer, manager, wirral, "staff")
    assert "is not a member of staff of Home-Start Wirral" in str(refused.value)
    assert not Induction.objects.exists()


@pytest.mark.policy("3.8")
@pytest.mark.parametrize("who", ["volunteer", "safeguarding_lead", "reviewer", "auditor", "admin_user", "outsider"])
def test_others_neither_see_nor_record_inductions(request, client_for, who, volunteer):
    client = client_for(request.getfixturevalue(who))
    assert client.get(reverse("inductions")).status_code == 404
    assert client.get(reverse("induction_history")).status_code == 404
    assert client.post(reverse("inductions"), form(volunteer)).status_code == 404
    assert not Induction.objects.exists()


@pytest.mark.policy("3.8")
def test_another_schemes_coordinator_sees_only_their_own_scheme(client_for, sef_coordinator, volunteer):
    client = client_for(sef_coordinator)
    page = client.get(reverse("inductions") + "?scheme=WIR").content.decode()
    assert "Sefton" in page
    assert volunteer.display_name not in page
    response = client.post(reverse("inductions"), form(volunteer))
    assert response.status_code == 200 and not Induction.objects.exists()


@pytest.mark.policy("5.1")
def test_the_same_form_sent_twice_records_one_induction(client_for, coordinator, volunteer):
    client = client_for(coordinator)
    page = client.get(reverse("inductions")).content.decode()
    token = page.split('name="form_once" value="', 1)[1].split('"', 1)[0]
    for _ in range(2):
        assert client.post(reverse("inductions"), {**form(volunteer), "form_once": token}).status_code == 302
    assert Induction.objects.count() == 1


@pytest.mark.policy("3.8", "8.2")
def test_the_history_of_inductions_names_who_recorded_each(client_for, wirral, manager, coordinator, trustee):
    record(coordinator, manager, wirral, "staff")
    page = client_for(trustee).get(reverse("induction_history")).content.decode()
    assert f"Induction of {coordinator.display_name}" in page
    assert manager.display_name in page


@pytest.mark.policy("3.1", "4.1", "5.1")
def test_people_see_their_own_induction_on_their_account_page(client_for, wirral, coordinator, volunteer):
    record(volunteer, coordinator, wirral)
    page = client_for(volunteer).get(reverse("account")).content.decode()
    assert f"volunteer of Home-Start Wirral, by {coordinator.display_name}" in page


@pytest.mark.policy("4.1")
def test_the_induction_date_cannot_be_in_the_future(client_for, manager, coordinator):
    tomorrow = (timezone.localdate() + datetime.timedelta(days=1)).isoformat()
    response = client_for(manager).post(reverse("inductions"), form(coordinator, "staff", inducted_on=tomorrow))
    assert "must be today or in the past" in response.content.decode()
    assert not Induction.objects.exists()


@pytest.mark.policy("5.1", "5.3")
def test_the_induction_is_shown_on_the_volunteers_file(
    client_for, wirral, coordinator, manager, volunteer, volunteer_file
):
    url = reverse("records:volunteer_file", kwargs={"reference": volunteer_file.reference})
    assert "No induction is recorded in this scheme" in client_for(manager).get(url).content.decode()
    record(volunteer, coordinator, wirral)
    page = client_for(manager).get(url).content.decode()
    assert "as volunteer, by Carol Coordinator" in page and "with the peer-support guidance" in page


@pytest.mark.policy("3.1", "4.1", "5.1")
def test_the_database_refuses_an_induction_without_the_policy_or_by_oneself(wirral, manager, coordinator):
    base = {
        "scheme": wirral,
        "inducted_as": "staff",
        "inducted_on": timezone.localdate(),
        "policy_version": PolicyVersion.current(),
        "duty_explained": True,
    }
    for wrong in [
        {"person": coordinator, "inducted_by": manager, "policy_given": False},
        {"person": manager, "inducted_by": manager, "policy_given": True},
        {"person": coordinator, "inducted_by": manager, "policy_given": True, "inducted_as": "volunteer"},
    ]:
        with pytest.raises(IntegrityError), transaction.atomic():
            Induction.objects.create(**{**base, **wrong})

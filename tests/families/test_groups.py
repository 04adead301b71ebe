"""Groups: families join once confidentiality is explained and written information given;
each visitor too (§6.1)."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from access_log.models import AccessEvent
from families import services
from families.models import GroupMember, GroupSession
from tests.factories import make_family

pytestmark = pytest.mark.policy("6.1")


@pytest.fixture
def group(wirral, coordinator):
    return services.group_create(scheme=wirral, actor=coordinator, name="Tuesday stay and play")


def join(group, family, actor, **overrides):
    fields = {"joined_on": timezone.localdate(), "confidentiality_explained": True, "written_information_given": True}
    return services.group_member_add(group=group, family=family, actor=actor, **{**fields, **overrides})


def test_a_family_joins_only_once_confidentiality_is_explained_and_written_information_given(
    group, family, coordinator
):
    with pytest.raises(ValidationError) as error:
        join(group, family, coordinator, confidentiality_explained=False, written_information_given=False)
    assert set(error.value.message_dict) == {"confidentiality_explained", "written_information_given"}
    member = join(group, family, coordinator)
    assert member.confidentiality_explained and member.written_information_given
    assert member.history.count() == 1


def test_a_session_records_the_families_attending_and_each_visitor_told_about_confidentiality(
    group, family, coordinator, wirral
):
    join(group, family, coordinator)
    outsider_family = make_family(wirral, coordinator)
    with pytest.raises(ValidationError):
        services.group_session_record(
            group=group, actor=coordinator, held_on=timezone.localdate(), families=[outsider_family]
        )
    with pytest.raises(ValidationError):
        services.group_session_record(
            group=group,
            actor=coordinator,
            held_on=timezone.localdate(),
            families=[family],
            visitors=[
                {"description": "health visitor", "confidentiality_explained": True, "written_information_given": False}
            ],
        )
    session = services.group_session_record(
        group=group,
        actor=coordinator,
        held_on=timezone.localdate(),
        families=[family],
        visitors=[
            {"description": "health visitor", "confidentiality_explained": True, "written_information_given": True}
        ],
    )
    assert list(session.families.all()) == [family]
    assert session.visitors.get().description == "health visitor"


def test_only_scheme_staff_run_groups(wirral, trustee, volunteer, sef_coordinator, client_for, group):
    for person in (trustee, volunteer, sef_coordinator):
        with pytest.raises(services.gate.AccessRefused):
            services.group_create(scheme=wirral, actor=person, name="Another")
        client = client_for(person)
        assert client.get(reverse("families:group_detail", kwargs={"group_id": group.pk})).status_code == 404
    assert client_for(trustee).get(reverse("families:group_list")).status_code == 404


def test_adding_a_family_through_the_page_opens_its_file_through_the_gate(group, family, coordinator, client_for):
    client = client_for(coordinator)
    url = reverse("families:group_member_add", kwargs={"group_id": group.pk})
    refused = client.post(url, {"family": family.pk, "joined_on": timezone.localdate().isoformat()})
    assert refused.status_code == 200
    assert "Explain confidentiality" in refused.content.decode()
    assert not GroupMember.objects.exists()
    response = client.post(
        url,
        {
            "family": family.pk,
            "joined_on": timezone.localdate().isoformat(),
            "confidentiality_explained": "on",
            "written_information_given": "on",
        },
    )
    assert response.status_code == 302
    assert GroupMember.objects.filter(group=group, family=family).exists()
    assert AccessEvent.objects.filter(user=coordinator, section="groups", file_reference=family.reference).exists()
    page = client.get(reverse("families:group_detail", kwargs={"group_id": group.pk})).content.decode()
    assert family.reference in page


def test_recording_a_session_through_the_page(group, family, coordinator, client_for):
    join(group, family, coordinator)
    response = client_for(coordinator).post(
        reverse("families:group_session_new", kwargs={"group_id": group.pk}),
        {
            "held_on": timezone.localdate().isoformat(),
            "families": [family.pk],
            "visitor": "speech therapist",
            "visitor_confidentiality_explained": "on",
            "visitor_written_information_given": "on",
        },
    )
    assert response.status_code == 302
    assert GroupSession.objects.get().visitors.get().description == "speech therapist"


def test_group_pages_answer_for_staff(group, client_for, coordinator):
    client = client_for(coordinator)
    assert client.get(reverse("families:group_list")).status_code == 200
    assert client.post(reverse("families:group_list"), {"name": "Tuesday stay and play"}).status_code == 200
    assert client.get(reverse("families:group_session_new", kwargs={"group_id": group.pk})).status_code == 200

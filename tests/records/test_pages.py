"""The records pages: who may open each (200), who may not (404), wrong method (405),
and the two journeys — a subject access request and a two-person retention run."""

from __future__ import annotations

import datetime
import json

import pytest
from django.urls import reverse
from django.utils import timezone

from access_log.models import AccessEvent, FileKind
from families.models import Family
from homestart.crypto import KeyUnavailable
from records import services
from records.models import Destruction, Disclosure, SubjectAccessRequest
from tests.helpers import error_summary, main_content, version_in


@pytest.fixture
def sar(family, wirral, manager):
    return services.sar_register(
        scheme=wirral, actor=manager, subject_kind=SubjectAccessRequest.SubjectKind.FAMILY_MEMBER,
        requester_name="Rosalind Quenby", received_on=timezone.localdate(), family=family,
    )


@pytest.fixture
def breach(wirral, coordinator):
    return services.breach_record(scheme=wirral, actor=coordinator, found_at=timezone.now(), found_by=coordinator,
                                  description="Email sent to the wrong address", data_affected="One address")


# Actions answered only by POST (405 on GET, see test_action_urls_refuse_get; each
# is exercised with its roles in the journeys below and in test_retention.py).
RECORDS_POST_ONLY = {
    "sar_identity", "sar_clarification", "sar_extend", "retention_propose", "retention_hold",
    "retention_hold_release", "destruction_authorise", "destruction_carry_out",
}


@pytest.mark.policy("8.3", "8.4", "8.7", "8.8", "3.9")
def test_each_page_answers_its_roles_and_hides_from_the_rest(
    client_for, volunteer_file, personnel_file, sar, breach, coordinator, manager, volunteer, trustee, outsider,
    sef_coordinator,
):
    pages = {
        reverse("records:file_list"): {coordinator, manager, sef_coordinator},
        reverse("records:volunteer_file", args=[volunteer_file.reference]): {coordinator, manager},
        reverse("records:personnel_file", args=[personnel_file.reference]): {manager},
        reverse("records:volunteer_file_new"): {coordinator, manager, sef_coordinator},
        reverse("records:personnel_file_new"): {manager},
        reverse("records:volunteer_file_edit", args=[volunteer_file.reference]): {coordinator, manager},
        reverse("records:personnel_file_edit", args=[personnel_file.reference]): {manager},
        reverse("records:supervision"): {coordinator, manager, volunteer, sef_coordinator},
        reverse("records:sar_list"): {coordinator, manager, sef_coordinator},
        reverse("records:sar_new"): {coordinator, manager, sef_coordinator},
        reverse("records:sar_detail", args=[sar.pk]): {coordinator, manager},
        reverse("records:sar_document", args=[sar.pk]): {coordinator, manager},
        reverse("records:sar_json", args=[sar.pk]): {coordinator, manager},
        reverse("records:sar_release", args=[sar.pk]): {coordinator, manager},
        reverse("records:retention"): {manager, trustee},
        reverse("records:certificates"): {manager, trustee},
        reverse("records:breach_list"): {coordinator, manager, sef_coordinator},
        reverse("records:breach_new"): {coordinator, manager, sef_coordinator},
        reverse("records:breach_detail", args=[breach.pk]): {coordinator, manager},
    }
    everyone = {coordinator, manager, volunteer, trustee, outsider, sef_coordinator}
    clients = {user: client_for(user) for user in everyone}
    # Every records page is in this matrix, or is a POST-only action tested below.
    from django.urls import get_resolver

    (resolver,) = [p for p in get_resolver().url_patterns if getattr(p, "namespace", None) == "records"]
    names = {p.name for p in resolver.url_patterns}
    covered = {get_resolver().resolve(url).url_name for url in pages} | RECORDS_POST_ONLY
    assert names == covered, f"records URLs without a row: {sorted(names - covered)}"
    for url, allowed in pages.items():
        for user in everyone:
            status = clients[user].get(url).status_code
            assert status == (200 if user in allowed else 404), f"{user} on {url}: {status}"
    # Lists answer staff of other schemes, but show nothing of Wirral's (§9.2).
    other = main_content(clients[sef_coordinator].get(reverse("records:file_list")).content.decode())
    assert volunteer_file.reference not in other
    other = main_content(clients[sef_coordinator].get(reverse("records:sar_list")).content.decode())
    assert sar.reference not in other


@pytest.mark.policy("8.7", "8.8")
def test_action_urls_refuse_get(client_for, sar, manager):
    client = client_for(manager)
    for name in ("sar_identity", "sar_clarification", "sar_extend"):
        assert client.get(reverse(f"records:{name}", args=[sar.pk])).status_code == 405
    assert client.get(reverse("records:retention_propose")).status_code == 405


@pytest.mark.policy("8.4")
def test_reading_a_file_page_is_recorded_and_shows_no_family_details(client_for, volunteer_file, assignment,
                                                                     coordinator):
    html = main_content(client_for(coordinator).get(
        reverse("records:volunteer_file", args=[volunteer_file.reference])).content.decode())
    assert "Ottoline Pembury" in html and assignment.family.reference in html
    assert "Quenby" not in html  # §8.5: no family names in the volunteer file
    assert AccessEvent.objects.filter(file_kind=FileKind.VOLUNTEER, user=coordinator).exists()


@pytest.mark.policy("1.6", "8.7")
def test_subject_access_journey_from_registration_to_release(client_for, family, manager):
    client = client_for(manager)
    response = client.post(reverse("records:sar_new"), {"subject_kind": "family_member"})
    assert "Enter the family's reference." in error_summary(response.content.decode())
    response = client.post(reverse("records:sar_new"), {
        "subject_kind": "family_member", "family_reference": family.reference, "requester_name": "R Quenby",
        "received_on": timezone.localdate().isoformat(),
    })
    sar = SubjectAccessRequest.objects.get()
    assert response.status_code == 302
    assert client.post(reverse("records:sar_identity", args=[sar.pk]), {"evidence": ""}).status_code == 200
    client.post(reverse("records:sar_identity", args=[sar.pk]), {"evidence": "Passport"})
    client.post(reverse("records:sar_extend", args=[sar.pk]), {"months": "1", "reason": "Complex"})
    detail = client.get(reverse("records:sar_detail", args=[sar.pk])).content.decode()
    sar.refresh_from_db()
    assert sar.extension_months == 1 and sar.identity_checked_at is not None
    assert f"{sar.due_on:%-d %B %Y}" in detail
    document = client.get(reverse("records:sar_document", args=[sar.pk])).content.decode()
    assert "About other people: review" in document
    data = json.loads(client.get(reverse("records:sar_json", args=[sar.pk])).content)
    assert data["reference"] == sar.reference
    response = client.post(reverse("records:sar_release", args=[sar.pk]), {"recipient": "By hand"})
    assert "Confirm that the information about other people has been reviewed." in error_summary(
        response.content.decode())
    client.post(reverse("records:sar_release", args=[sar.pk]), {"recipient": "By hand", "reviewed": "on"})
    assert Disclosure.objects.get().file_reference == family.reference


@pytest.mark.policy("8.8")
def test_retention_journey_authorised_by_two_people(client_for, family, coordinator, manager, trustee):
    family.status, family.closed_on = Family.Status.CLOSED, datetime.date(2012, 6, 30)
    family.save(update_fields=["status", "closed_on"])
    as_manager, as_trustee = client_for(manager), client_for(trustee)
    assert family.reference in as_manager.get(reverse("records:retention")).content.decode()
    as_manager.post(reverse("records:retention_propose"), {"kind": "family", "file_id": str(family.pk)})
    destruction = Destruction.objects.get()
    as_manager.post(reverse("records:destruction_authorise", args=[destruction.pk]))
    as_manager.post(reverse("records:destruction_authorise", args=[destruction.pk]))  # refused: same person
    destruction.refresh_from_db()
    assert destruction.status == Destruction.Status.PROPOSED
    as_trustee.post(reverse("records:destruction_authorise", args=[destruction.pk]))
    assert as_trustee.post(reverse("records:destruction_carry_out", args=[destruction.pk])).status_code == 404
    as_manager.post(reverse("records:destruction_carry_out", args=[destruction.pk]))
    with pytest.raises(KeyUnavailable):
        Family.objects.get(pk=family.pk).address  # noqa: B018
    assert family.reference in as_trustee.get(reverse("records:certificates")).content.decode()


@pytest.mark.policy("3.9", "4.4")
def test_breach_is_recorded_and_the_manager_decides(client_for, coordinator, manager):
    response = client_for(coordinator).post(reverse("records:breach_new"), {
        "found_on": timezone.localdate().isoformat(), "found_time": "00:01",
        "description": "Visit notes left in a café", "data_affected": "One visit record",
    })
    assert response.status_code == 302
    url = response["Location"]
    page = client_for(coordinator).get(url).content.decode()
    assert "Report to the ICO by" in page and "Assess and decide" not in page
    assert client_for(coordinator).post(url, {"risk": "risk"}).status_code == 404
    response = client_for(manager).post(url, {
        "risk": "unlikely", "ico_decision": "not_reportable", "ico_decision_reason": "Recovered", "close": "on",
        "version": version_in(client_for(manager).get(url).content.decode()),
    })
    assert response.status_code == 302


@pytest.mark.policy("8.3", "9.1")
def test_reviewer_signs_the_record_of_access_of_a_sampled_volunteer_file_then_reads_it(
    client_for, volunteer_file, reviewer
):
    from access_log.models import RecordOfAccess, Review, SampledFile

    now = timezone.now()
    review = Review.objects.create(kind=Review.Kind.QUALITY_REVIEW, scheme=volunteer_file.scheme, reviewer=reviewer,
                                   opens_at=now, closes_at=now + datetime.timedelta(days=2), sample_size=1)
    SampledFile.objects.create(review=review, file_kind=FileKind.VOLUNTEER, file_id=volunteer_file.pk,
                               file_reference=volunteer_file.reference)
    client = client_for(reviewer)
    url = reverse("records:volunteer_file", args=[volunteer_file.reference])
    assert client.get(url).status_code == 302  # to the Record of Access first
    sign = reverse("access_log:sign", kwargs={"kind": "volunteer", "reference": volunteer_file.reference})
    response = client.post(sign, {"signed_name": "Rita Reviewer", "declared": "on"})
    assert response.status_code == 302 and response["Location"] == url
    assert RecordOfAccess.objects.filter(file_kind=FileKind.VOLUNTEER, user=reviewer).exists()
    assert "Ottoline Pembury" in client.get(url).content.decode()
    assert volunteer_file.reference in client.get(reverse("records:file_list")).content.decode()


@pytest.mark.policy("8.8")
def test_manager_places_and_releases_a_legal_hold_from_the_retention_page(client_for, family, manager, trustee):
    from records.models import LegalHold

    family.status, family.closed_on = Family.Status.CLOSED, datetime.date(2012, 6, 30)
    family.save(update_fields=["status", "closed_on"])
    data = {"kind": "family", "file_id": str(family.pk), "reason": "Insurance claim"}
    assert client_for(trustee).post(reverse("records:retention_hold"), data).status_code == 404
    client_for(manager).post(reverse("records:retention_hold"), {**data, "reason": ""})
    assert not LegalHold.objects.exists()
    client_for(manager).post(reverse("records:retention_hold"), data)
    hold = LegalHold.objects.get()
    assert "On legal hold" in client_for(manager).get(reverse("records:retention")).content.decode()
    assert client_for(trustee).post(reverse("records:retention_hold_release", args=[hold.pk])).status_code == 404
    client_for(manager).post(reverse("records:retention_hold_release", args=[hold.pk]))
    hold.refresh_from_db()
    assert hold.released_at is not None


@pytest.mark.policy("8.3", "8.4")
def test_staff_open_and_change_volunteer_files_and_line_managers_personnel_files(
    client_for, wirral, coordinator, manager, volunteer, trustee
):
    from records.models import PersonnelFile, VolunteerFile

    today = timezone.localdate().isoformat()
    response = client_for(coordinator).post(reverse("records:volunteer_file_new"), {
        "person": volunteer.pk, "full_name": "", "started_on": today,
    })
    assert "Enter full name." in error_summary(response.content.decode())
    response = client_for(coordinator).post(reverse("records:volunteer_file_new"), {
        "person": volunteer.pk, "full_name": "Vi Volunteer", "started_on": today, "training": "Course",
    })
    file = VolunteerFile.objects.get()
    assert response["Location"] == reverse("records:volunteer_file", args=[file.reference])
    edit = reverse("records:volunteer_file_edit", args=[file.reference])
    response = client_for(coordinator).post(edit, {"full_name": "Vi Volunteer", "started_on": today,
                                                   "left_on": "2000-01-01"})
    assert "The leaving date must be on or after the start date." in error_summary(response.content.decode())
    client_for(coordinator).post(edit, {"full_name": "Vi V", "started_on": today,
                                        "version": version_in(client_for(coordinator).get(edit).content.decode())})
    assert VolunteerFile.objects.get().full_name == "Vi V"
    assert client_for(trustee).get(edit).status_code == 404
    assert client_for(trustee).get(reverse("records:volunteer_file_new")).status_code == 404
    assert client_for(coordinator).get(reverse("records:personnel_file_new")).status_code == 404
    client_for(manager).post(reverse("records:personnel_file_new"), {
        "person": coordinator.pk, "full_name": "Co Ordinator", "started_on": today, "job_title": "Coordinator",
    })
    personnel = PersonnelFile.objects.get()
    assert personnel.person == coordinator
    assert client_for(coordinator).get(
        reverse("records:personnel_file_edit", args=[personnel.reference])).status_code == 404

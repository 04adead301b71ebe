"""Volunteer and personnel files are opened only through the gate, by the people
§8.3 and §8.4 name; everyone else gets 404 and the refusal is recorded."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from access_log import gate
from access_log.kinds import KINDS
from access_log.models import AccessEvent, RecordOfAccess, Review, SampledFile
from homestart.errors import NotAllowed
from homestart.rules import FileKind, Outcome, Role
from records.models import PersonnelFile, VolunteerFile
from records.people import services
from tests.factories import MembershipFactory, UserFactory


def _open(user, file, kind):
    return gate.open_file(user=user, kind=kind, reference=file.reference)


def _review(reviewer, file, kind, review_kind=Review.Kind.QUALITY_REVIEW):
    now = timezone.now()
    review = Review.objects.create(
        kind=review_kind,
        scheme=file.scheme,
        reviewer=reviewer,
        opens_at=now - datetime.timedelta(hours=1),
        closes_at=now + datetime.timedelta(days=3),
        sample_size=1,
    )
    SampledFile.objects.create(review=review, file_kind=kind, file_id=file.pk, file_reference=file.reference)
    return review


def _sign(user, file, kind, review):
    RecordOfAccess.objects.create(
        file_kind=kind,
        file_id=file.pk,
        file_reference=file.reference,
        scheme=file.scheme,
        user=user,
        signed_name="R",
        role=Role.REVIEWER,
        purpose=review.purpose,
        declaration=RecordOfAccess.DECLARATION,
        review=review,
    )


def test_volunteer_and_personnel_files_are_kinds_of_the_gate():
    assert set(KINDS) >= {FileKind.FAMILY, FileKind.VOLUNTEER, FileKind.PERSONNEL}


def test_references_are_pseudonymous_and_distinct_from_family_references(volunteer_file, personnel_file):
    assert volunteer_file.reference == "WIR-V-0001"
    assert personnel_file.reference == "WIR-P-0001"
    assert str(volunteer_file) == "WIR-V-0001"


@pytest.mark.policy("8.2")
def test_person_files_are_sealed_with_their_own_key(volunteer_file, personnel_file):
    from tests.helpers import raw_value

    assert volunteer_file.data_key_id != personnel_file.data_key_id
    assert b"Ottoline" not in raw_value(VolunteerFile, "full_name", volunteer_file.pk)
    assert VolunteerFile.objects.get(pk=volunteer_file.pk).full_name == "Ottoline Pembury"


@pytest.mark.policy("8.3")
def test_coordinator_and_manager_open_volunteer_files(volunteer_file, coordinator, manager):
    assert _open(coordinator, volunteer_file, FileKind.VOLUNTEER).full
    assert _open(manager, volunteer_file, FileKind.VOLUNTEER).may_change


@pytest.mark.policy("8.3", "8.7")
def test_volunteer_cannot_browse_even_their_own_file(volunteer_file, volunteer, other_volunteer):
    for user in (volunteer, other_volunteer):
        with pytest.raises(gate.FileHidden):
            _open(user, volunteer_file, FileKind.VOLUNTEER)
    assert AccessEvent.objects.filter(user=volunteer, outcome=Outcome.REFUSED).exists()


@pytest.mark.policy("8.3")
def test_trustee_auditor_outsider_and_other_scheme_cannot_open_volunteer_file(
    volunteer_file, trustee, spotcheck, auditor, outsider, sef_coordinator, reviewer, admin_user
):
    for user in (trustee, spotcheck, auditor, outsider, sef_coordinator, reviewer, admin_user):
        with pytest.raises(gate.FileHidden):
            _open(user, volunteer_file, FileKind.VOLUNTEER)


@pytest.mark.policy("8.3", "9.1")
def test_hsuk_reviewer_opens_sampled_volunteer_file_only_after_signing(volunteer_file, reviewer):
    review = _review(reviewer, volunteer_file, FileKind.VOLUNTEER)
    with pytest.raises(gate.SignatureRequired):
        _open(reviewer, volunteer_file, FileKind.VOLUNTEER)
    _sign(reviewer, volunteer_file, FileKind.VOLUNTEER, review)
    access = _open(reviewer, volunteer_file, FileKind.VOLUNTEER)
    assert access.full and not access.may_change


@pytest.mark.policy("8.3", "9.1")
def test_spot_check_trustee_opens_sampled_volunteer_file(volunteer_file, spotcheck):
    review = _review(spotcheck, volunteer_file, FileKind.VOLUNTEER, Review.Kind.SPOT_CHECK)
    _sign(spotcheck, volunteer_file, FileKind.VOLUNTEER, review)
    assert _open(spotcheck, volunteer_file, FileKind.VOLUNTEER).full


@pytest.mark.policy("8.5")
def test_volunteer_file_holds_no_family_fields(volunteer_file):
    names = {f.name for f in VolunteerFile._meta.get_fields()}
    assert not names & {"family", "families", "address_of_family", "visits"}


@pytest.mark.policy("8.4")
def test_line_manager_opens_and_changes_personnel_file(personnel_file, manager):
    access = _open(manager, personnel_file, FileKind.PERSONNEL)
    services.person_file_update(access=access, actor=manager, job_title="Senior coordinator")
    assert PersonnelFile.objects.get(pk=personnel_file.pk).job_title == "Senior coordinator"
    assert personnel_file.history.count() == 2


@pytest.mark.policy("8.4", "8.7")
def test_nobody_else_opens_a_personnel_file(
    personnel_file,
    coordinator,
    other_coordinator,
    volunteer,
    trustee,
    spotcheck,
    auditor,
    reviewer,
    outsider,
    sef_coordinator,
    admin_user,
):
    for user in (
        coordinator,
        other_coordinator,
        volunteer,
        trustee,
        spotcheck,
        auditor,
        reviewer,
        outsider,
        sef_coordinator,
        admin_user,
    ):
        with pytest.raises(gate.FileHidden):
            _open(user, personnel_file, FileKind.PERSONNEL)


@pytest.mark.policy("8.4")
def test_designated_trustee_reads_personnel_file_until_the_designation_ends(personnel_file, manager, trustee):
    designation = services.trustee_designate(
        personnel_file=personnel_file, trustee=trustee, reason="Grievance panel", actor=manager
    )
    access = _open(trustee, personnel_file, FileKind.PERSONNEL)
    assert access.full and not access.may_change
    services.trustee_designation_end(designation=designation, actor=manager)
    with pytest.raises(gate.FileHidden):
        _open(trustee, personnel_file, FileKind.PERSONNEL)


@pytest.mark.policy("8.4")
def test_only_line_manager_designates_a_trustee_and_only_a_trustee(
    personnel_file, coordinator, trustee, volunteer, manager
):
    with pytest.raises(NotAllowed):
        services.trustee_designate(personnel_file=personnel_file, trustee=trustee, reason="x", actor=coordinator)
    with pytest.raises(ValidationError):
        services.trustee_designate(personnel_file=personnel_file, trustee=volunteer, reason="x", actor=manager)


@pytest.mark.policy("8.4", "9.1")
def test_hsuk_reviewer_reads_personnel_file_in_review_with_record_of_access(personnel_file, reviewer, spotcheck):
    review = _review(reviewer, personnel_file, FileKind.PERSONNEL)
    with pytest.raises(gate.SignatureRequired):
        _open(reviewer, personnel_file, FileKind.PERSONNEL)
    _sign(reviewer, personnel_file, FileKind.PERSONNEL, review)
    assert _open(reviewer, personnel_file, FileKind.PERSONNEL).full
    # A spot check is for family and volunteer files; personnel files are not in it (§8.4).
    spot = _review(spotcheck, personnel_file, FileKind.PERSONNEL, Review.Kind.SPOT_CHECK)
    _sign(spotcheck, personnel_file, FileKind.PERSONNEL, spot)
    with pytest.raises(gate.FileHidden):
        _open(spotcheck, personnel_file, FileKind.PERSONNEL)


@pytest.mark.policy("8.3", "8.4")
def test_only_staff_open_volunteer_files_and_only_line_managers_personnel_files(
    wirral, volunteer, coordinator, manager, trustee
):
    with pytest.raises(NotAllowed):
        services.volunteer_file_create(
            scheme=wirral, person=volunteer, actor=trustee, full_name="X", started_on=timezone.localdate()
        )
    with pytest.raises(NotAllowed):
        services.personnel_file_create(
            scheme=wirral, person=coordinator, actor=coordinator, full_name="X", started_on=timezone.localdate()
        )


@pytest.mark.policy("8.3", "8.4")
def test_lists_show_only_files_the_user_may_open(volunteer_file, personnel_file, coordinator, manager, volunteer):
    vf, pf = KINDS[FileKind.VOLUNTEER], KINDS[FileKind.PERSONNEL]
    assert list(VolunteerFile.objects.filter(vf.visible_filter(coordinator))) == [volunteer_file]
    assert not VolunteerFile.objects.filter(vf.visible_filter(volunteer)).exists()
    assert list(PersonnelFile.objects.filter(pf.visible_filter(manager))) == [personnel_file]
    assert not PersonnelFile.objects.filter(pf.visible_filter(coordinator)).exists()


def test_file_reference_urls_accept_volunteer_and_personnel_references(volunteer_file, personnel_file):
    from django.urls import reverse

    for ref in ("WIR-V-0001", "WIR-P-0003", "WIR-0042"):
        assert ref in reverse("access_log:sign", kwargs={"kind": "volunteer", "reference": ref})


def test_new_member_of_staff_gets_no_access_by_default(wirral, volunteer_file):
    newcomer = UserFactory(username="newcomer")
    MembershipFactory(user=newcomer, scheme=wirral, role=Role.SAFEGUARDING_LEAD)
    with pytest.raises(gate.FileHidden):
        _open(newcomer, volunteer_file, FileKind.VOLUNTEER)


# --- §8.3, §10.1: external audit of volunteer files; never of personnel files ------------------


@pytest.mark.policy("8.3", "10.1")
def test_auditor_reads_a_volunteer_file_named_in_a_supervised_session_after_signing(
    volunteer_file, personnel_file, family, wirral, coordinator, auditor, client_for
):
    from django.core.exceptions import ValidationError
    from django.urls import reverse

    from access_log import services as access_services

    with pytest.raises(ValidationError) as refused:
        access_services.audit_session_open(
            coordinator=coordinator,
            auditor=auditor,
            scheme=wirral,
            signed_name="Carol Coordinator",
            references=[personnel_file.reference, volunteer_file.reference],
            declared=True,
        )
    assert "Personnel files are not opened in an external audit" in str(refused.value)
    response = client_for(coordinator).post(
        reverse("access_log:audit_session_new"),
        {
            "auditor": auditor.pk,
            "references": f"{family.reference}, {volunteer_file.reference.lower()}",
            "signed_name": "Carol Coordinator",
            "declared": "on",
        },
    )
    session = auditor.audit_sessions.get()
    assert response["Location"] == reverse("access_log:audit_session_detail", args=[session.pk])
    assert {(f.file_kind, f.file_reference) for f in session.files.all()} == {
        (FileKind.FAMILY, family.reference),
        (FileKind.VOLUNTEER, volunteer_file.reference),
    }
    vf = KINDS[FileKind.VOLUNTEER]
    with pytest.raises(gate.SignatureRequired):
        _open(auditor, volunteer_file, FileKind.VOLUNTEER)
    assert not VolunteerFile.objects.filter(vf.visible_filter(auditor)).exists()
    client = client_for(auditor)
    sign = reverse("access_log:sign", kwargs={"kind": "volunteer", "reference": volunteer_file.reference})
    client.post(sign, {"signed_name": "Audrey Auditor", "declared": "on"})
    record = RecordOfAccess.objects.get(user=auditor, file_kind=FileKind.VOLUNTEER)
    assert (record.audit_session, record.witnessed_by) == (session, coordinator)
    access = _open(auditor, volunteer_file, FileKind.VOLUNTEER)
    assert access.full and not access.may_change and access.role == Role.AUDITOR
    assert list(VolunteerFile.objects.filter(vf.visible_filter(auditor))) == [volunteer_file]
    page = client.get(reverse("records:volunteer_file", args=[volunteer_file.reference])).content.decode()
    assert "Ottoline Pembury" in page and "Back to the audit session" in page
    with pytest.raises(gate.FileHidden):
        _open(auditor, personnel_file, FileKind.PERSONNEL)
    access_services.audit_session_close(session=session, actor=coordinator)
    with pytest.raises(gate.FileHidden):
        _open(auditor, volunteer_file, FileKind.VOLUNTEER)


# --- who opened this file: the people responsible for it (§8.3, §8.4) ---------------------------


@pytest.mark.policy("8.3", "8.4", "9.1")
def test_who_opened_a_personnel_file_is_for_its_line_manager_only(
    personnel_file,
    volunteer_file,
    manager,
    coordinator,
    other_coordinator,
    trustee,
    reviewer,
    volunteer,
    wirral,
    client_for,
):
    from django.urls import reverse

    def log(file, kind):
        return reverse("access_log:file_log", kwargs={"kind": kind, "reference": file.reference})

    _open(manager, personnel_file, FileKind.PERSONNEL)
    response = client_for(manager).get(log(personnel_file, FileKind.PERSONNEL))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Who opened this file" in page and reverse("records:personnel_file", args=[personnel_file.reference]) in page
    # The line manager reaches it from the file.
    file_page = client_for(manager).get(reverse("records:personnel_file", args=[personnel_file.reference]))
    assert log(personnel_file, FileKind.PERSONNEL) in file_page.content.decode()

    # A designated trustee and a signed HSUK reviewer read the file, not its access log.
    services.trustee_designate(personnel_file=personnel_file, trustee=trustee, reason="Appeal", actor=manager)
    review = _review(reviewer, personnel_file, FileKind.PERSONNEL)
    _sign(reviewer, personnel_file, FileKind.PERSONNEL, review)
    for reader in (trustee, reviewer):
        assert client_for(reader).get(log(personnel_file, FileKind.PERSONNEL)).status_code == 403
        assert AccessEvent.objects.filter(user=reader, section="access_log", reason="section_not_for_role").exists()
        page = client_for(reader).get(reverse("records:personnel_file", args=[personnel_file.reference]))
        assert log(personnel_file, FileKind.PERSONNEL) not in page.content.decode()
    # The person themselves (they ask through a subject access request), other staff: no such file.
    for user in (coordinator, other_coordinator, volunteer):
        assert client_for(user).get(log(personnel_file, FileKind.PERSONNEL)).status_code == 404

    # A volunteer file's access log: the scheme's coordinators and manager, as for a family file.
    for user in (coordinator, manager):
        assert client_for(user).get(log(volunteer_file, FileKind.VOLUNTEER)).status_code == 200
    assert client_for(volunteer).get(log(volunteer_file, FileKind.VOLUNTEER)).status_code == 404
    review = _review(reviewer, volunteer_file, FileKind.VOLUNTEER)
    _sign(reviewer, volunteer_file, FileKind.VOLUNTEER, review)
    assert client_for(reviewer).get(log(volunteer_file, FileKind.VOLUNTEER)).status_code == 403

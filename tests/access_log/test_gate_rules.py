"""Each rule of the access gate, both sides: who may open a file, and who may not.

The gate (access_log/gate.py, access_log/kinds.py) decides at the moment of access;
these tests change the world (an assignment ends, a review window passes, a
membership ends, a new policy is published) and check the very next request.
"""

from __future__ import annotations

import datetime
import random

import pytest
from django.core.exceptions import ValidationError
from django.db import DatabaseError, connection, transaction
from django.template.defaultfilters import date as date_filter
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from access_log import gate
from access_log import services as access_services
from access_log.models import AccessEvent, AppendOnlyError, AuditSession, RecordOfAccess, Review
from families import services as family_services
from families.models import Family, Visit, VolunteerAssignment
from homestart import services as people_services
from homestart.models import Membership, PolicyVersion, User
from homestart.rules import Action, FileKind, Outcome, Purpose, Refusal, Role, Section
from tests.conftest import (
    ADDRESS,
    CARER_FIRST,
    CARER_LAST,
    CHILD_AGE,
    CHILD_FIRST,
    PHONE,
    POSTCODE,
    REASONS,
    REFERRER_NAME,
    REFERRER_ORG,
    VISIT_NOTES,
    _member,
)
from tests.factories import MembershipFactory, UserFactory, dbs_checked, make_family
from tests.helpers import field_error, main_content, raw_rows, table_cells

PERSONAL_VALUES = [CARER_FIRST, CARER_LAST, CHILD_FIRST, POSTCODE, PHONE, REASONS, REFERRER_NAME, VISIT_NOTES]


def detail(family: Family) -> str:
    return reverse("families:detail", kwargs={"reference": family.reference})


def contact(family: Family) -> str:
    return reverse("families:contact_edit", kwargs={"reference": family.reference})


def sign(family: Family) -> str:
    return reverse("access_log:sign", kwargs={"kind": FileKind.FAMILY, "reference": family.reference})


def file_log(family: Family) -> str:
    return reverse("access_log:file_log", kwargs={"kind": FileKind.FAMILY, "reference": family.reference})


def admin_change(family: Family) -> str:
    return reverse("admin:families_family_change", args=[family.pk])


def last_event(user: User) -> AccessEvent:
    return AccessEvent.objects.filter(user=user).order_by("-id").first()


def sign_via_page(client: Client, family: Family, name: str = "Sam Signer"):
    return client.post(sign(family), {"signed_name": name, "declared": "on"})


def draw(reviewer: User, scheme, size: int = 1, days: int = 14) -> Review:
    return access_services.review_draw_sample(
        reviewer=reviewer,
        scheme=scheme,
        sample_size=size,
        days=days,
        rng=random.Random(8),  # noqa: S311
    )


def move_window_to_the_past(review: Review) -> None:
    now = timezone.now()
    Review.objects.filter(pk=review.pk).update(
        opens_at=now - datetime.timedelta(days=15), closes_at=now - datetime.timedelta(minutes=1)
    )


# --- §8.3 staff of the scheme -------------------------------------------------------------


@pytest.mark.policy("8.3")
@pytest.mark.parametrize("who", ["coordinator", "manager"])
def test_scheme_staff_see_the_whole_file_and_change_it(who, request, family, client_for):
    user = request.getfixturevalue(who)
    client = client_for(user)
    page = main_content(client.get(detail(family)).content.decode())
    for value in (CARER_FIRST, CHILD_FIRST, PHONE, POSTCODE, REASONS, REFERRER_NAME, REFERRER_ORG, VISIT_NOTES):
        assert value in page
    from homestart.concurrency import row_version

    response = client.post(
        contact(family),
        {"address": ADDRESS, "postcode": POSTCODE, "phone": "07700 900999", "version": row_version(family)},
    )
    assert response.status_code == 302
    family.refresh_from_db()
    assert family.phone == "07700 900999"
    change = AccessEvent.objects.filter(user=user, action=Action.CHANGE, section=Section.CONTACT).get()
    assert (change.role, change.outcome) == (who, Outcome.ALLOWED)


@pytest.mark.policy("8.3")
def test_staff_of_another_scheme_and_safeguarding_lead_do_not_find_the_file(
    family, sef_coordinator, safeguarding_lead, client_for
):
    for user in (sef_coordinator, safeguarding_lead):
        assert client_for(user).get(detail(family)).status_code == 404
        # The safeguarding lead may open only the safeguarding section, not the file (§2.1).
        assert last_event(user).reason == (
            Refusal.NO_ACCESS_TO_FILE if user == sef_coordinator else Refusal.SECTION_NOT_READABLE
        )


# --- §8.5 volunteers ----------------------------------------------------------------------


@pytest.fixture
def volunteer_notes(assigned_family, volunteer, other_volunteer, coordinator):
    """A visit by the volunteer, and one by another volunteer once assigned too."""
    today = timezone.localdate()
    family_services.visit_record(
        family=assigned_family,
        actor=volunteer,
        kind=Visit.Kind.SUPPORT,
        visited_on=today,
        visited_by=volunteer,
        notes="Played with the twins; mum tired but cheerful",
    )
    dbs_checked(assigned_family.scheme, other_volunteer, coordinator)
    family_services.volunteer_assign(
        family=assigned_family, actor=coordinator, volunteer=other_volunteer, starts_on=today
    )
    family_services.visit_record(
        family=assigned_family,
        actor=other_volunteer,
        kind=Visit.Kind.SUPPORT,
        visited_on=today,
        visited_by=other_volunteer,
        notes="Helped with the shopping list",
    )
    return assigned_family


@pytest.mark.policy("8.5")
def test_volunteer_sees_only_the_minimal_view_with_their_own_notes(volunteer_notes, volunteer, client_for):
    page = main_content(client_for(volunteer).get(detail(volunteer_notes)).content.decode())
    # What they need to visit: children's first names and ages, address, phone, their own notes.
    assert f"{CHILD_FIRST}, {CHILD_AGE} years" in page
    assert "12 Argyle Street" in page and POSTCODE in page and PHONE in page
    assert "Played with the twins" in page
    # Not the referral, the referrer, or anyone else's notes.
    for hidden in (REASONS, REFERRER_NAME, REFERRER_ORG, VISIT_NOTES, "Helped with the shopping list"):
        assert hidden not in page
    event = last_event(volunteer)
    assert (event.role, event.outcome, event.section) == (Role.VOLUNTEER, Outcome.ALLOWED, Section.FILE)


@pytest.mark.policy("8.5")
def test_volunteer_records_their_own_support_visit(assigned_family, volunteer, client_for):
    url = reverse("families:visit_new", kwargs={"reference": assigned_family.reference})
    today = timezone.localdate()
    response = client_for(volunteer).post(
        url,
        {
            "kind": Visit.Kind.SUPPORT,
            "visited_on": today.isoformat(),
            "visited_by": volunteer.pk,
            "notes": "Went to the park",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    visit = Visit.objects.get(family=assigned_family, visited_by=volunteer)
    assert (visit.kind, visit.recorded_by, visit.notes) == (Visit.Kind.SUPPORT, volunteer, "Went to the park")
    assert AccessEvent.objects.filter(user=volunteer, action=Action.CHANGE, section=Section.VISITS).exists()


@pytest.mark.policy("8.5")
@pytest.mark.parametrize("field,value", [("visited_by", "coordinator"), ("kind", Visit.Kind.INITIAL)])
def test_volunteer_cannot_record_a_visit_for_someone_else_or_of_another_kind(
    field, value, assigned_family, volunteer, coordinator, client_for
):
    url = reverse("families:visit_new", kwargs={"reference": assigned_family.reference})
    today = timezone.localdate()
    data = {
        "kind": Visit.Kind.SUPPORT,
        "visited_on": today.isoformat(),
        "visited_by": volunteer.pk,
        "notes": "Should not be saved",
    }
    data[field] = coordinator.pk if value == "coordinator" else value
    before = Visit.objects.count()
    response = client_for(volunteer).post(url, data)
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert Visit.objects.count() == before


@pytest.mark.policy("8.5")
def test_ending_an_assignment_ends_access_at_once(assigned_family, assignment, volunteer, coordinator, client_for):
    client = client_for(volunteer)
    assert client.get(detail(assigned_family)).status_code == 200
    end = reverse(
        "families:assignment_end", kwargs={"reference": assigned_family.reference, "assignment_id": assignment.pk}
    )
    assert client_for(coordinator).post(end).status_code == 302
    assert client.get(detail(assigned_family)).status_code == 404
    assert last_event(volunteer).reason == Refusal.NO_ACCESS_TO_FILE
    assert assigned_family.reference not in client.get(reverse("families:my_families")).content.decode()


@pytest.mark.policy("8.5")
@pytest.mark.parametrize("field,days", [("ends_on", -1), ("starts_on", 1)])
def test_an_assignment_outside_its_dates_gives_no_access_without_any_job(
    field, days, assigned_family, assignment, volunteer, client_for
):
    client = client_for(volunteer)
    assert client.get(detail(assigned_family)).status_code == 200
    VolunteerAssignment.objects.filter(pk=assignment.pk).update(
        **{field: timezone.localdate() + datetime.timedelta(days=days)}
    )
    assert client.get(detail(assigned_family)).status_code == 404
    assert assigned_family.reference not in client.get(reverse("families:my_families")).content.decode()


# --- memberships and object permissions: both are required ------------------------------


@pytest.mark.policy("8.3")
def test_ending_a_coordinators_membership_ends_access_at_once(family, coordinator, wirral, client_for):
    client = client_for(coordinator)
    assert client.get(detail(family)).status_code == 200
    membership = Membership.objects.current().get(user=coordinator, scheme=wirral, role=Role.COORDINATOR)
    people_services.membership_end(membership=membership, actor=None)
    assert not coordinator.groups.filter(pk=wirral.staff_group_id).exists()
    assert client.get(detail(family)).status_code == 404


@pytest.mark.policy("8.3")
def test_staff_group_without_a_membership_gives_no_access(family, wirral, outsider, volunteer, client_for):
    """Someone put in the scheme's staff group by hand, not through the membership services."""
    for user in (outsider, volunteer):
        user.groups.add(wirral.staff_group)
        client = client_for(user)
        assert client.get(detail(family)).status_code == 404
        assert family.reference not in client.get(reverse("families:dashboard"), follow=True).content.decode()


@pytest.mark.policy("8.3")
def test_membership_without_the_object_permission_gives_no_access(family, coordinator, wirral, client_for):
    coordinator.groups.remove(wirral.staff_group)
    assert client_for(coordinator).get(detail(family)).status_code == 404


@pytest.mark.policy("8.3", "7.6")
def test_a_superuser_without_membership_gets_no_family_file(family, client_for):
    root = UserFactory(username="root", is_superuser=True, is_staff=True)
    client = client_for(root)
    assert client.get(detail(family)).status_code == 404
    assert client.get(reverse("admin:families_family_changelist")).status_code == 403
    assert client.get(admin_change(family)).status_code == 404
    assert client.get(file_log(family)).status_code == 404
    assert AccessEvent.objects.filter(user=root, outcome=Outcome.ALLOWED).count() == 0


# --- §3.2 trustees -------------------------------------------------------------------------


@pytest.mark.policy("3.2")
def test_a_trustee_never_sees_any_family_file(family, wirral, coordinator, trustee, client_for):
    second = make_family(wirral, coordinator)
    client = client_for(trustee)
    for f in (family, second):
        assert client.get(detail(f)).status_code == 404
    assert client.get(reverse("access_log:review_new")).status_code == 404
    with pytest.raises(ValidationError):
        draw(trustee, wirral)
    assert client.post(reverse("families:search"), {"q": family.reference}).context["results"] == []


# --- §9.1 the spot-check trustee ------------------------------------------------------------


@pytest.mark.policy("9.1")
def test_spot_check_trustee_draws_a_sample_only_in_their_own_scheme(
    wirral, sefton, family, spotcheck, sef_coordinator, client_for
):
    sefton_family = make_family(sefton, sef_coordinator)
    with pytest.raises(ValidationError):
        draw(spotcheck, sefton)
    client = client_for(spotcheck)
    response = client.post(reverse("access_log:review_new"), {"scheme": sefton.pk, "sample_size": 1, "days": 7})
    assert response.status_code == 200
    assert field_error(response.content.decode(), "id_scheme")
    assert not Review.objects.filter(reviewer=spotcheck).exists()
    response = client.post(reverse("access_log:review_new"), {"scheme": wirral.pk, "sample_size": 1, "days": 7})
    review = Review.objects.get(reviewer=spotcheck)
    assert response["Location"] == reverse("access_log:review_detail", kwargs={"review_id": review.pk})
    assert (review.kind, review.scheme, review.files.get().file_id) == (Review.Kind.SPOT_CHECK, wirral, family.pk)
    assert client.get(detail(sefton_family)).status_code == 404


@pytest.mark.policy("9.1")
def test_spot_check_trustee_signs_the_record_of_access_then_reads_the_file_read_only(
    family, wirral, spotcheck, client_for
):
    draw(spotcheck, wirral)
    client = client_for(spotcheck)
    response = client.get(detail(family))
    assert response.status_code == 302 and response["Location"] == sign(family)
    assert last_event(spotcheck).reason == Refusal.RECORD_OF_ACCESS_UNSIGNED
    page = client.get(sign(family)).content.decode()
    assert "Trustee responsible for spot checks" in page and str(Purpose.SPOT_CHECK.label) in page
    for value in PERSONAL_VALUES:
        assert value not in main_content(page)
    # Not signed without the declaration.
    response = client.post(sign(family), {"signed_name": "Sally Spotcheck"})
    assert response.status_code == 200 and not RecordOfAccess.objects.exists()
    assert client.get(detail(family)).status_code == 302
    # Signed: the file opens, read-only.
    assert sign_via_page(client, family, "Sally Spotcheck")["Location"] == detail(family)
    page = main_content(client.get(detail(family)).content.decode())
    assert REASONS in page and "You cannot change it" in page
    event = last_event(spotcheck)
    assert (event.outcome, event.role, event.purpose) == (Outcome.ALLOWED, Role.SPOT_CHECK_TRUSTEE, Purpose.SPOT_CHECK)
    assert client.get(contact(family)).status_code == 403
    assert last_event(spotcheck).reason == Refusal.READ_ONLY_ACCESS
    assert client.post(contact(family), {"address": "", "postcode": "", "phone": ""}).status_code == 403
    family.refresh_from_db()
    assert family.phone == PHONE


def _refusal_fields(event: AccessEvent) -> tuple:
    return (event.outcome, event.file_kind, event.file_reference, event.section, event.action, event.role, event.reason)


@pytest.mark.policy("9.1", "10.1")
@pytest.mark.parametrize(
    "who,role,reason",
    [
        # No open sample, review or audit session holds the file.
        ("reviewer", Role.REVIEWER, Refusal.NO_ACCESS_TO_FILE),
        ("spotcheck", Role.SPOT_CHECK_TRUSTEE, Refusal.NO_ACCESS_TO_FILE),
        ("auditor", Role.AUDITOR, Refusal.NO_ACCESS_TO_FILE),
        ("sef_coordinator", "", Refusal.NO_ACCESS_TO_FILE),
        ("outsider", "", Refusal.NO_ACCESS_TO_FILE),
        # The safeguarding section only: nothing for them to sign.
        ("safeguarding_lead", Role.SAFEGUARDING_LEAD, Refusal.SECTION_NOT_READABLE),
    ],
)
def test_sign_page_refused_without_a_sample_or_session_is_recorded(
    request, who, role, reason, assigned_family, client_for
):
    user = request.getfixturevalue(who)
    client = client_for(user)
    assert client.get(sign(assigned_family)).status_code == 404
    event = last_event(user)
    assert _refusal_fields(event) == (
        Outcome.REFUSED,
        FileKind.FAMILY,
        assigned_family.reference,
        "record_of_access",
        Action.VIEW,
        role,
        reason,
    )
    assert (event.file_id, event.scheme_id) == (assigned_family.pk, assigned_family.scheme_id)
    # A signature posted anyway: refused and recorded as an attempted change; nothing signed.
    assert sign_via_page(client, assigned_family).status_code == 404
    assert last_event(user).action == Action.CHANGE and last_event(user).reason == reason
    assert not RecordOfAccess.objects.exists()
    # Who, what and why only: no personal data in the event.
    for value in PERSONAL_VALUES:
        assert value not in str(raw_rows(AccessEvent))


@pytest.mark.policy("9.1")
def test_sign_page_for_a_file_that_does_not_exist_is_recorded(spotcheck, wirral, family, client_for):
    draw(spotcheck, wirral)
    response = client_for(spotcheck).get(
        reverse("access_log:sign", kwargs={"kind": FileKind.FAMILY, "reference": "WIR-9999"})
    )
    assert response.status_code == 404
    event = last_event(spotcheck)
    assert _refusal_fields(event) == (
        Outcome.REFUSED,
        FileKind.FAMILY,
        "WIR-9999",
        "record_of_access",
        Action.VIEW,
        "",
        Refusal.NO_SUCH_FILE,
    )
    assert (event.file_id, event.scheme_id) == (None, None)


@pytest.mark.policy("9.1", "10.1")
@pytest.mark.parametrize("who", ["coordinator", "manager", "volunteer"])
def test_sign_page_sends_those_who_may_open_the_file_straight_to_it(request, who, assigned_family, client_for):
    """Staff, and the family's own volunteer (to their minimal view): nothing to sign, no refusal."""
    user = request.getfixturevalue(who)
    response = client_for(user).get(sign(assigned_family))
    assert response.status_code == 302 and response["Location"] == detail(assigned_family)
    assert not AccessEvent.objects.filter(user=user, outcome=Outcome.REFUSED).exists()


@pytest.mark.policy("9.1")
def test_sign_page_in_a_sample_records_no_refusal(family, wirral, spotcheck, client_for):
    draw(spotcheck, wirral)
    assert client_for(spotcheck).get(sign(family)).status_code == 200
    assert not AccessEvent.objects.filter(user=spotcheck).exists()


@pytest.fixture
def signed_spotcheck(family, wirral, spotcheck):
    review = draw(spotcheck, wirral)
    access_services.record_of_access_sign(
        user=spotcheck,
        kind=FileKind.FAMILY,
        obj=family,
        reference=family.reference,
        scheme_id=wirral.pk,
        role=Role.SPOT_CHECK_TRUSTEE,
        signed_name="Sally Spotcheck",
        declared=True,
        review=review,
    )
    return review


@pytest.mark.policy("9.1")
def test_closing_the_review_ends_access_at_once(family, spotcheck, signed_spotcheck, client_for):
    client = client_for(spotcheck)
    assert client.get(detail(family)).status_code == 200
    close = reverse("access_log:review_close", kwargs={"review_id": signed_spotcheck.pk})
    assert client.post(close).status_code == 302
    assert client.get(detail(family)).status_code == 404
    assert client.get(sign(family)).status_code == 404


@pytest.mark.policy("9.1")
def test_a_review_window_that_has_passed_gives_no_access_without_any_job(
    family, spotcheck, signed_spotcheck, client_for
):
    client = client_for(spotcheck)
    assert client.get(detail(family)).status_code == 200
    move_window_to_the_past(signed_spotcheck)
    assert client.get(detail(family)).status_code == 404
    assert last_event(spotcheck).reason == Refusal.NO_ACCESS_TO_FILE


@pytest.mark.policy("9.1")
def test_a_review_window_not_yet_open_gives_no_access(family, spotcheck, signed_spotcheck, client_for):
    now = timezone.now()
    Review.objects.filter(pk=signed_spotcheck.pk).update(
        opens_at=now + datetime.timedelta(days=1), closes_at=now + datetime.timedelta(days=2)
    )
    assert client_for(spotcheck).get(detail(family)).status_code == 404


@pytest.mark.policy("9.1")
def test_files_outside_the_sample_are_not_found(family, wirral, coordinator, spotcheck, client_for):
    others = [make_family(wirral, coordinator) for _ in range(3)]
    review = draw(spotcheck, wirral, size=2)
    sampled = set(review.files.values_list("file_id", flat=True))
    client = client_for(spotcheck)
    for f in [family, *others]:
        if f.pk in sampled:
            assert client.get(detail(f)).status_code == 302
        else:
            assert client.get(detail(f)).status_code == 404
            assert client.get(sign(f)).status_code == 404
    assert len(sampled) == 2


# --- §8.3, §9.1 HSUK reviewers ----------------------------------------------------------------


@pytest.mark.policy("8.3", "9.1")
def test_hsuk_reviewer_reviews_any_scheme_after_signing(family, sefton, sef_coordinator, reviewer, client_for):
    sefton_family = make_family(sefton, sef_coordinator)
    client = client_for(reviewer)
    response = client.post(reverse("access_log:review_new"), {"scheme": sefton.pk, "sample_size": 1, "days": 7})
    assert response.status_code == 302
    review = Review.objects.get(reviewer=reviewer)
    assert (review.kind, review.scheme) == (Review.Kind.QUALITY_REVIEW, sefton)
    assert client.get(detail(sefton_family))["Location"] == sign(sefton_family)
    assert "HSUK reviewer" in client.get(sign(sefton_family)).content.decode()
    sign_via_page(client, sefton_family, "Rhiannon Reviewer")
    assert client.get(detail(sefton_family)).status_code == 200
    assert client.get(contact(sefton_family)).status_code == 403
    event = last_event(reviewer)
    assert (event.role, event.reason) == (Role.REVIEWER, Refusal.READ_ONLY_ACCESS)
    # Not in this review's sample: the Wirral file.
    assert client.get(detail(family)).status_code == 404


@pytest.mark.policy("8.3", "9.1")
def test_a_reviewer_without_a_review_or_after_it_closes_gets_nothing(family, wirral, reviewer, client_for):
    client = client_for(reviewer)
    assert client.get(detail(family)).status_code == 404
    review = draw(reviewer, wirral)
    assert client.get(detail(family)).status_code == 302
    access_services.review_close(review=review, actor=reviewer)
    assert client.get(detail(family)).status_code == 404


# --- the Record of Access on the file (§9.1) ----------------------------------------------------


@pytest.mark.policy("9.1")
def test_the_record_of_access_shows_every_signature_newest_first(
    family, wirral, spotcheck, reviewer, coordinator, client_for
):
    for user, role, name in [
        (spotcheck, Role.SPOT_CHECK_TRUSTEE, "Sally Spotcheck"),
        (reviewer, Role.REVIEWER, "Rhiannon Reviewer"),
    ]:
        review = draw(user, wirral)
        access_services.record_of_access_sign(
            user=user,
            kind=FileKind.FAMILY,
            obj=family,
            reference=family.reference,
            scheme_id=wirral.pk,
            role=role,
            signed_name=name,
            declared=True,
            review=review,
        )
    first, second = RecordOfAccess.objects.order_by("signed_at", "id")
    cells = table_cells(main_content(client_for(coordinator).get(detail(family)).content.decode()))
    rows = [cells[i : i + 4] for i in range(0, 8, 4)]
    expected = []
    for record in (second, first):
        expected.append(
            [
                date_filter(timezone.localtime(record.signed_at), "j M Y, H:i"),
                record.signed_name,
                Role(record.role).label,
                Purpose(record.purpose).label,
            ]
        )
    assert rows == expected
    assert rows[0][1] == "Rhiannon Reviewer"


@pytest.mark.policy("9.1")
def test_signatures_and_access_events_are_append_only(family, spotcheck, signed_spotcheck):
    record = RecordOfAccess.objects.get()
    event = AccessEvent.objects.first()
    for obj, model in ((record, RecordOfAccess), (event, AccessEvent)):
        with pytest.raises(AppendOnlyError):
            obj.save()
        with pytest.raises(AppendOnlyError):
            obj.delete()
        with pytest.raises(AppendOnlyError):
            model.objects.filter(pk=obj.pk).update(file_reference="WIR-9999")
        with pytest.raises(AppendOnlyError):
            model.objects.filter(pk=obj.pk).delete()
        assert model.objects.filter(pk=obj.pk, file_reference=family.reference).exists()


@pytest.mark.policy("9.1")
@pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigger exists on PostgreSQL only")
@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE access_log_accessevent SET reason = 'tampered'",
        "DELETE FROM access_log_accessevent",
        "UPDATE access_log_recordofaccess SET signed_name = 'tampered'",
        "DELETE FROM access_log_recordofaccess",
    ],
)
def test_the_database_refuses_raw_updates_and_deletes(
    database_owner, statement, signed_spotcheck, family, spotcheck, client_for
):
    # As the tables' owner, so that the trigger is what refuses: the application's role
    # is refused before it, by privilege (tests/homestart/test_database_roles.py).
    client_for(spotcheck).get(detail(family))
    assert AccessEvent.objects.exists() and RecordOfAccess.objects.exists()
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(statement)
    assert not AccessEvent.objects.filter(reason="tampered").exists()


# --- §10.1 external auditors ---------------------------------------------------------------------


def open_session_via_page(client: Client, auditor: User, references: str):
    return client.post(
        reverse("access_log:audit_session_new"),
        {
            "auditor": auditor.pk,
            "references": references,
            "signed_name": "Carol Coordinator",
            "declared": "on",
        },
    )


@pytest.mark.policy("10.1")
def test_auditor_reads_named_files_only_in_a_signed_supervised_session(
    family, wirral, coordinator, auditor, client_for
):
    other = make_family(wirral, coordinator)
    client = client_for(auditor)
    assert client.get(detail(family)).status_code == 404  # no session yet
    assert last_event(auditor).reason == Refusal.NO_ACCESS_TO_FILE
    response = open_session_via_page(client_for(coordinator), auditor, family.reference)
    session = AuditSession.objects.get()
    assert response["Location"] == reverse("access_log:audit_session_detail", kwargs={"session_id": session.pk})
    assert session.expires_at - session.opened_at == datetime.timedelta(hours=2)
    assert (session.opened_by, session.scheme) == (coordinator, wirral)
    # Unsigned: to the Record of Access first.
    assert client.get(detail(family))["Location"] == sign(family)
    assert "Carol Coordinator" in client.get(sign(family)).content.decode()
    sign_via_page(client, family, "Audrey Auditor")
    record = RecordOfAccess.objects.get(user=auditor)
    assert (record.purpose, record.witnessed_by, record.audit_session) == (Purpose.EXTERNAL_AUDIT, coordinator, session)
    assert REASONS in client.get(detail(family)).content.decode()
    event = last_event(auditor)
    assert (event.role, event.purpose, event.outcome) == (Role.AUDITOR, Purpose.EXTERNAL_AUDIT, Outcome.ALLOWED)
    assert client.get(contact(family)).status_code == 403
    # A file not named for the session.
    assert client.get(detail(other)).status_code == 404
    assert client.get(sign(other)).status_code == 404


@pytest.fixture
def signed_session(family, wirral, coordinator, auditor):
    session = access_services.audit_session_open(
        coordinator=coordinator,
        auditor=auditor,
        scheme=wirral,
        references=[family.reference],
        signed_name="Carol Coordinator",
        declared=True,
    )
    access_services.record_of_access_sign(
        user=auditor,
        kind=FileKind.FAMILY,
        obj=family,
        reference=family.reference,
        scheme_id=wirral.pk,
        role=Role.AUDITOR,
        signed_name="Audrey Auditor",
        declared=True,
        session=session,
    )
    return session


@pytest.mark.policy("10.1")
def test_closing_the_audit_session_ends_access_at_once(family, auditor, coordinator, signed_session, client_for):
    client = client_for(auditor)
    assert client.get(detail(family)).status_code == 200
    close = reverse("access_log:audit_session_close", kwargs={"session_id": signed_session.pk})
    assert client_for(coordinator).post(close).status_code == 302
    assert client.get(detail(family)).status_code == 404


@pytest.mark.policy("10.1")
def test_an_audit_session_ends_after_two_hours_without_any_job(family, auditor, signed_session, client_for):
    client = client_for(auditor)
    assert client.get(detail(family)).status_code == 200
    now = timezone.now()
    AuditSession.objects.filter(pk=signed_session.pk).update(
        opened_at=now - datetime.timedelta(hours=2, minutes=1), expires_at=now - datetime.timedelta(minutes=1)
    )
    assert client.get(detail(family)).status_code == 404


@pytest.mark.policy("10.1")
@pytest.mark.parametrize("who", ["volunteer", "safeguarding_lead", "trustee", "auditor", "sef_coordinator"])
def test_only_the_schemes_coordinators_open_audit_sessions(who, request, family, wirral, auditor, client_for):
    user = request.getfixturevalue(who)
    with pytest.raises(ValidationError):
        access_services.audit_session_open(
            coordinator=user,
            auditor=auditor,
            scheme=wirral,
            references=[family.reference],
            signed_name="Someone",
            declared=True,
        )
    client = client_for(user)
    if who == "sef_coordinator":
        # Sefton's coordinator reaches the form, but cannot choose Wirral's auditor.
        response = open_session_via_page(client, auditor, family.reference)
        assert response.status_code == 200
        assert field_error(response.content.decode(), "id_auditor")
    else:
        assert client.get(reverse("access_log:audit_session_new")).status_code == 404
        assert open_session_via_page(client, auditor, family.reference).status_code == 404
    assert not AuditSession.objects.exists()


@pytest.mark.policy("10.1")
def test_an_auditor_of_another_scheme_cannot_be_chosen(family, wirral, sefton, coordinator, client_for):
    sef_auditor = _member(sefton, Role.AUDITOR, "auditor_sef")
    with pytest.raises(ValidationError):
        access_services.audit_session_open(
            coordinator=coordinator,
            auditor=sef_auditor,
            scheme=wirral,
            references=[family.reference],
            signed_name="Carol Coordinator",
            declared=True,
        )
    response = open_session_via_page(client_for(coordinator), sef_auditor, family.reference)
    assert response.status_code == 200 and field_error(response.content.decode(), "id_auditor")
    assert not AuditSession.objects.exists()
    assert client_for(sef_auditor).get(detail(family)).status_code == 404


# --- §7.6 administrators ------------------------------------------------------------------------


@pytest.mark.policy("7.6")
def test_admin_changelist_shows_references_only(family, admin_user, client_for):
    client = client_for(admin_user)
    changelist = reverse("admin:families_family_changelist")
    # Not even the references before the undertaking is signed (§7.6).
    assert client.get(changelist)["Location"] == reverse("access_log:undertaking")
    assert not AccessEvent.objects.filter(user=admin_user).exists()
    access_services.undertaking_sign(user=admin_user, signed_name="Ada Admin", organisation="", declared=True)
    page = client.get(changelist).content.decode()
    assert family.reference in page
    for value in PERSONAL_VALUES + ["Argyle"]:
        assert value not in page
    listed = AccessEvent.objects.get(user=admin_user)
    assert (listed.file_id, listed.action, listed.purpose) == (family.pk, Action.LIST, Purpose.ADMINISTRATION)


@pytest.mark.policy("7.6")
def test_admin_signs_the_undertaking_then_reads_the_file_read_only_and_recorded(family, admin_user, client_for):
    client = client_for(admin_user)
    response = client.get(admin_change(family))
    assert response["Location"] == reverse("access_log:undertaking")
    refused = last_event(admin_user)
    assert (refused.reason, refused.role, refused.purpose) == (
        Refusal.UNDERTAKING_UNSIGNED,
        Role.ADMIN,
        Purpose.ADMINISTRATION,
    )
    # Not signed without the declaration.
    undertaking = reverse("access_log:undertaking")
    assert client.post(undertaking, {"signed_name": "Ada Admin", "organisation": "IT Ltd"}).status_code == 200
    assert not admin_user.undertakings.exists()
    assert client.post(undertaking, {"signed_name": "Ada Admin", "organisation": "IT Ltd", "declared": "on"})[
        "Location"
    ] == reverse("admin:index")
    page = client.get(admin_change(family)).content.decode()
    assert PHONE in page and POSTCODE in page  # decrypted, for the administration purpose
    event = last_event(admin_user)
    assert (event.outcome, event.role, event.purpose, event.section) == (
        Outcome.ALLOWED,
        Role.ADMIN,
        Purpose.ADMINISTRATION,
        Section.ADMIN,
    )
    # Read-only: no change is saved.
    response = client.post(admin_change(family), {"phone": "0000", "postcode": "X", "address": "Y"})
    assert response.status_code == 403
    family.refresh_from_db()
    assert family.phone == PHONE


@pytest.mark.policy("7.6")
def test_staff_flag_without_the_administrator_membership_gets_nothing(family, client_for):
    staff = UserFactory(username="itsupport", is_staff=True)
    client = client_for(staff)
    assert client.get(reverse("admin:families_family_changelist")).status_code == 403
    assert client.get(admin_change(family)).status_code == 404
    assert client.get(reverse("access_log:undertaking")).status_code == 404
    # And an administrator membership without the staff flag does not reach admin at all.
    no_flag = _member(None, Role.ADMIN, "admin_noflag")
    response = client_for(no_flag).get(admin_change(family))
    assert response.status_code == 302 and response["Location"].startswith(reverse("admin:login"))


# --- §3.1, §4.1, §5.1 acknowledging the policy --------------------------------------------------


@pytest.fixture
def new_starter(wirral, family):
    user = UserFactory(username="newstarter", inducted=False)
    MembershipFactory(user=user, scheme=wirral, role=Role.COORDINATOR)
    return user


@pytest.mark.policy("3.1", "4.1", "5.1")
def test_no_page_before_the_current_policy_is_acknowledged(new_starter, family, client_for):
    client = client_for(new_starter)
    pages = [
        reverse("families:dashboard"),
        detail(family),
        file_log(family),
        reverse("families:search"),
        reverse("families:my_families"),
        reverse("access_log:my_access"),
        reverse("access_log:audit_session_list"),
    ]
    for url in pages:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"] == f"{reverse('policy')}?next={url.replace('/', '%2F')}", url
    assert client.get(reverse("policy")).status_code == 200
    assert not AccessEvent.objects.filter(user=new_starter, outcome=Outcome.ALLOWED).exists()


@pytest.mark.policy("3.1", "4.1", "5.1")
def test_the_gate_itself_refuses_before_acknowledgement(new_starter, family):
    with pytest.raises(gate.AcknowledgementRequired):
        gate.open_family(user=new_starter, reference=family.reference)
    event = last_event(new_starter)
    assert (event.outcome, event.reason, event.file_reference) == (
        Outcome.REFUSED,
        Refusal.POLICY_NOT_ACKNOWLEDGED,
        family.reference,
    )


@pytest.mark.policy("3.1", "4.1", "5.1")
def test_acknowledging_returns_to_the_page_asked_for(new_starter, family, client_for):
    client = client_for(new_starter)
    response = client.post(reverse("policy"), {"acknowledge": "yes", "next": detail(family)})
    assert response["Location"] == detail(family)
    assert client.get(detail(family)).status_code == 200


@pytest.mark.policy("3.1", "4.1", "5.1")
@pytest.mark.parametrize("target", ["https://evil.example/steal", "//evil.example/", "http://testserver.evil/"])
def test_acknowledging_ignores_a_next_address_elsewhere(target, new_starter, client_for):
    client = client_for(new_starter)
    response = client.post(reverse("policy"), {"acknowledge": "yes", "next": target})
    assert response["Location"] == "/"


@pytest.mark.policy("3.1", "4.1", "5.1")
def test_acknowledging_needs_the_box_ticked(new_starter, family, client_for):
    client = client_for(new_starter)
    assert client.post(reverse("policy"), {"next": detail(family)}).status_code == 200
    assert client.get(detail(family)).status_code == 302


@pytest.mark.policy("3.1", "4.1", "5.1")
def test_publishing_a_new_policy_version_asks_everyone_again(
    family, coordinator, volunteer, assigned_family, client_for
):
    client = client_for(coordinator)
    assert client.get(detail(family)).status_code == 200
    new = PolicyVersion.objects.create(version="November 2026", summary="Updated retention periods.")
    for user in (coordinator, volunteer):
        response = client_for(user).get(detail(family))
        assert response.status_code == 302 and response["Location"].startswith(reverse("policy"))
    with pytest.raises(gate.AcknowledgementRequired):
        gate.open_family(user=coordinator, reference=family.reference)
    client.post(reverse("policy"), {"acknowledge": "yes", "next": detail(family)})
    assert new.acknowledgements.filter(user=coordinator).exists()
    assert client.get(detail(family)).status_code == 200
    assert client_for(volunteer).get(detail(family)).status_code == 302


# --- access logs: who opened this file, what have I opened (§9.1) --------------------------------


@pytest.mark.policy("9.1")
@pytest.mark.parametrize("who", ["coordinator", "manager"])
def test_who_opened_this_file_for_its_coordinator_and_manager(
    who, request, assigned_family, volunteer, outsider, client_for
):
    client_for(volunteer).get(detail(assigned_family))
    client_for(outsider).get(detail(assigned_family))
    user = request.getfixturevalue(who)
    response = client_for(user).get(file_log(assigned_family))
    assert response.status_code == 200
    visits = list(response.context["page"].object_list)
    assert {v.user for v in visits} >= {volunteer, outsider}
    page = main_content(response.content.decode())
    # People by name, the outsider's attempt as a refusal (tests/access_log/test_file_log.py: the words).
    assert volunteer.display_name in page and outsider.display_name in page and "Refused" in page
    for value in PERSONAL_VALUES:
        assert value not in page
    # The opening of the log itself is recorded too.
    assert last_event(user).section == Section.ACCESS_LOG


@pytest.mark.policy("9.1")
def test_who_opened_this_file_is_refused_to_everyone_else(
    assigned_family, volunteer, other_volunteer, trustee, safeguarding_lead, sef_coordinator, client_for
):
    assert client_for(volunteer).get(file_log(assigned_family)).status_code == 403
    assert last_event(volunteer).reason == Refusal.SECTION_NOT_FOR_ROLE
    for user in (other_volunteer, trustee, safeguarding_lead, sef_coordinator):
        assert client_for(user).get(file_log(assigned_family)).status_code == 404


@pytest.mark.policy("9.1")
def test_what_have_i_opened_shows_only_my_own_events(assigned_family, volunteer, coordinator, client_for):
    client_for(coordinator).get(detail(assigned_family))
    client_for(volunteer).get(detail(assigned_family))
    client_for(volunteer).get(contact(assigned_family))
    response = client_for(volunteer).get(reverse("access_log:my_access"))
    events = list(response.context["page"].object_list)
    assert [(e.section, e.outcome) for e in events] == [
        (Section.CONTACT, Outcome.REFUSED),
        (Section.FILE, Outcome.ALLOWED),
    ]
    assert all(e.user == volunteer for e in events)
    page = main_content(response.content.decode())
    assert assigned_family.reference in page
    for value in PERSONAL_VALUES:
        assert value not in page
    # In words, not the codes the database keeps.
    assert "Changed: contact details" in page and "Refused</strong> may see the file but not change it" in page
    assert "Supporting the family" in page and "Volunteer" in page and Refusal.READ_ONLY_ACCESS.value not in page


@pytest.mark.policy("9.1")
def test_access_events_hold_no_personal_values(
    assigned_family, volunteer, coordinator, spotcheck, signed_spotcheck, client_for
):
    for user in (coordinator, volunteer, spotcheck):
        client = client_for(user)
        client.get(detail(assigned_family))
        client.get(contact(assigned_family))
        client.get(reverse("families:dashboard"))
    rows = raw_rows(AccessEvent)
    assert len(rows) >= 6
    for row in rows:
        for value in PERSONAL_VALUES + [ADDRESS]:
            assert all(value not in str(cell) for cell in row)


@pytest.mark.policy("9.1", "10.1")
@pytest.mark.parametrize("who", ["spotcheck", "reviewer", "auditor"])
def test_search_finds_a_sampled_or_audited_file_only_after_signing(
    who, request, family, wirral, coordinator, client_for
):
    """Before the Record of Access is signed, a surname or postcode must not reveal which file it is."""
    user = request.getfixturevalue(who)
    if who == "auditor":
        occasion = {
            "session": access_services.audit_session_open(
                coordinator=coordinator,
                auditor=user,
                scheme=wirral,
                references=[family.reference],
                signed_name="Carol Coordinator",
                declared=True,
            )
        }
        role = Role.AUDITOR
    else:
        occasion = {"review": draw(user, wirral)}
        role = Role.REVIEWER if who == "reviewer" else Role.SPOT_CHECK_TRUSTEE
    client = client_for(user)
    search = reverse("families:search")
    for term in (CARER_LAST, POSTCODE, family.reference):
        assert client.post(search, {"q": term}).context["results"] == [], term
    access_services.record_of_access_sign(
        user=user,
        kind=FileKind.FAMILY,
        obj=family,
        reference=family.reference,
        scheme_id=wirral.pk,
        role=role,
        signed_name="Signed Name",
        declared=True,
        **occasion,
    )
    for term in (CARER_LAST, POSTCODE, family.reference):
        assert client.post(search, {"q": term}).context["results"] == [family], term


@pytest.mark.policy("9.1")
def test_a_section_outside_the_rules_fails_loudly_and_is_not_recorded(assigned_family, coordinator):
    """A typo in a section name fails at once instead of writing an event nobody finds."""
    before = AccessEvent.objects.count()
    with pytest.raises(ValueError):
        gate.open_family(user=coordinator, reference=assigned_family.reference, section="contacts")
    assert AccessEvent.objects.count() == before

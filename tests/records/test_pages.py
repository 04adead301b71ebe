"""The records pages: who may open each (200), who may not (404), wrong method (405),
and the two journeys — a subject access request and a two-person retention run."""

from __future__ import annotations

import datetime
import json

import pytest
from django.urls import reverse
from django.utils import timezone

from access_log.models import AccessEvent
from families.models import Family
from homestart.crypto import KeyUnavailable
from homestart.rules import Action, FileKind, Refusal, Section
from records.breaches import services as breach_services
from records.models import Destruction, Disclosure, SubjectAccessRequest
from records.subject_access import services as sar_services
from tests.conftest import CARER_FIRST, CARER_LAST, CHILD_FIRST
from tests.helpers import error_summary, main_content, version_in
from tests.matrix import ROLES, client_as, people, row, run, url_for


@pytest.fixture
def sar(family, wirral, manager):
    return sar_services.sar_register(
        scheme=wirral,
        actor=manager,
        subject_kind=SubjectAccessRequest.SubjectKind.FAMILY_MEMBER,
        requester_name="Rosalind Quenby",
        received_on=timezone.localdate(),
        family=family,
        member=family.members.get(kind="adult"),
    )


@pytest.fixture
def breach(wirral, coordinator):
    return breach_services.breach_record(
        scheme=wirral,
        actor=coordinator,
        found_at=timezone.now(),
        found_by=coordinator,
        description="Email sent to the wrong address",
        data_affected="One address",
    )


# --- every records URL × every role (the cast of tests/access_log/test_url_role_matrix.py) -------


@pytest.fixture
def records_world(retention_world):
    """The shared world of tests/matrix.py, with the closed families the retention actions need:
    the volunteer's and the coordinator's files are in every reader's sample or session (signed, or not)."""
    world = retention_world
    kw = world["kwargs"]
    volunteer_file, personnel_file, due = world["volunteer_file"], world["personnel_file"], world["due"]
    vref, pref = volunteer_file.reference, personnel_file.reference
    of_volunteer_file, of_personnel_file = {**kw, "reference": vref}, {**kw, "reference": pref}

    def page(name, data=None, file=None, kwargs=kw):
        return url_for(name if ":" in name else f"records:{name}", kwargs), data, file

    # name -> (URL, POST data or None for GET, the file the page opens through the gate, if any)
    urls = {
        "file_list": page("file_list"),
        "volunteer_file": page("volunteer_file", file=volunteer_file, kwargs=of_volunteer_file),
        "personnel_file": page("personnel_file", file=personnel_file, kwargs=of_personnel_file),
        "volunteer_file_new": page("volunteer_file_new"),
        "personnel_file_new": page("personnel_file_new"),
        "volunteer_file_edit": page("volunteer_file_edit", file=volunteer_file, kwargs=of_volunteer_file),
        "volunteer_training_new": page("volunteer_training_new", file=volunteer_file, kwargs=of_volunteer_file),
        "personnel_file_edit": page("personnel_file_edit", file=personnel_file, kwargs=of_personnel_file),
        "volunteer_file_history": page("volunteer_file_history", file=volunteer_file, kwargs=of_volunteer_file),
        "personnel_file_history": page("personnel_file_history", file=personnel_file, kwargs=of_personnel_file),
        "supervision": page("supervision"),
        "sar_list": page("sar_list"),
        "sar_new": page("sar_new"),
        "sar_detail": page("sar_detail"),
        "sar_history": page("sar_history"),
        "sar_identity": page("sar_identity", {"evidence": "Passport"}),
        "sar_clarification": page("sar_clarification", {}),
        "sar_extend": page("sar_extend", {"months": "1", "reason": "Complex"}),
        "sar_document": page("sar_document"),
        "sar_json": page("sar_json"),
        "sar_release": page("sar_release"),
        "retention": page("retention"),
        "retention_propose": page("retention_propose", {"kind": FileKind.FAMILY, "file_id": str(due.pk)}),
        "retention_hold": page(
            "retention_hold", {"kind": FileKind.FAMILY, "file_id": str(due.pk), "reason": "A claim"}
        ),
        "retention_hold_release": page("retention_hold_release", {}),
        "destruction_authorise": page("destruction_authorise", {}),
        "destruction_carry_out": page("destruction_carry_out", {}),
        "certificates": page("certificates"),
        "breach_list": page("breach_list"),
        "breach_new": page("breach_new"),
        "breach_detail": page("breach_detail"),
        "breach_history": page("breach_history"),
        # Who opened this file (access_log:file_log) for the two records kinds (§8.3, §8.4).
        "file_log volunteer": page(
            "access_log:file_log", file=volunteer_file, kwargs={**of_volunteer_file, "kind": FileKind.VOLUNTEER}
        ),
        "file_log personnel": page(
            "access_log:file_log", file=personnel_file, kwargs={**of_personnel_file, "kind": FileKind.PERSONNEL}
        ),
    }
    targets = {
        "->login": reverse("login"),
        "->sign_volunteer": url_for("access_log:sign", {"kind": FileKind.VOLUNTEER, "reference": vref}),
        "->sign_personnel": url_for("access_log:sign", {"kind": FileKind.PERSONNEL, "reference": pref}),
        "->sar_detail": url_for("records:sar_detail", kw),
        "->retention": reverse("records:retention"),
        "->certificates": reverse("records:certificates"),
    }
    return {"people": world["people"], "urls": urls, "targets": targets}


def _answer(response, targets) -> str:
    if response.status_code == 302:
        location = response["Location"]
        for code, target in targets.items():
            if location == target or location.startswith(target + "?"):
                return code
        return "->" + location
    return str(response.status_code)


def _row(default: str = "404", **codes: str) -> dict[str, str]:
    return row(default, anonymous="->login", **codes)


STAFF = {"coordinator": "200", "manager": "200"}
# Staff of any scheme reach the scheme-wide pages; Sefton's coordinator sees nothing of Wirral's there.
ALL_STAFF = {**STAFF, "sef_coordinator": "200"}
# Trustees (the spot-check trustee is a trustee too) authorise destruction with the manager (§8.8).
TRUSTEES = {"manager": "200", "trustee": "200", "spotcheck": "200", "spotcheck_unsigned": "200"}
# Readers of the volunteer file: the spot-check trustee and the HSUK reviewer in a review, the
# auditor in a supervised session (§8.3, §9.1, §10.1); the unsigned are sent to sign first.
VOLUNTEER_READERS_SIGN = {
    "spotcheck_unsigned": "->sign_volunteer",
    "reviewer_unsigned": "->sign_volunteer",
    "auditor_unsigned": "->sign_volunteer",
}
VOLUNTEER_READERS = {"spotcheck": "200", "reviewer": "200", "auditor": "200", **VOLUNTEER_READERS_SIGN}
VOLUNTEER_READERS_403 = {"spotcheck": "403", "reviewer": "403", "auditor": "403", **VOLUNTEER_READERS_SIGN}

# Every records URL (and who opened a volunteer or personnel file) × every role of
# tests/access_log/test_url_role_matrix.py. POST-only actions are posted, in a savepoint
# rolled back after each request.
RECORDS_EXPECTED: dict[str, dict[str, str]] = {
    "file_list": _row(**ALL_STAFF, spotcheck="200", reviewer="200", auditor="200"),
    # §8.3: the volunteer does not browse their own file (they ask, §8.7).
    "volunteer_file": _row(**STAFF, **VOLUNTEER_READERS),
    # §8.4: the line manager (here the manager), and an HSUK reviewer in a signed review.
    "personnel_file": _row(manager="200", reviewer="200", reviewer_unsigned="->sign_personnel"),
    "volunteer_file_new": _row(**ALL_STAFF),
    "personnel_file_new": _row(manager="200"),
    "volunteer_file_edit": _row(**STAFF, **VOLUNTEER_READERS_403),
    # Training is recorded by whoever may change the volunteer file (issue 15.4).
    "volunteer_training_new": _row(**STAFF, **VOLUNTEER_READERS_403),
    "personnel_file_edit": _row(manager="200", reviewer="403", reviewer_unsigned="->sign_personnel"),
    # A file's history: whoever may open the file, through the same gate (§8.3, §8.4).
    "volunteer_file_history": _row(**STAFF, **VOLUNTEER_READERS),
    "personnel_file_history": _row(manager="200", reviewer="200", reviewer_unsigned="->sign_personnel"),
    # §4.2, §5.2: staff supervise; volunteers see their own supervision.
    "supervision": _row(**ALL_STAFF, volunteer="200", other_volunteer="200"),
    # §1.6, §8.7: the scheme's manager and coordinators handle subject access requests.
    "sar_list": _row(**ALL_STAFF),
    "sar_new": _row(**ALL_STAFF),
    "sar_detail": _row(**STAFF),
    "sar_history": _row(**STAFF),
    "sar_identity": _row(coordinator="->sar_detail", manager="->sar_detail"),
    "sar_clarification": _row(coordinator="->sar_detail", manager="->sar_detail"),
    "sar_extend": _row(coordinator="->sar_detail", manager="->sar_detail"),
    "sar_document": _row(**STAFF),
    "sar_json": _row(**STAFF),
    "sar_release": _row(**STAFF),
    # §8.8: the manager and trustees see what is due and authorise; only the manager holds and destroys.
    "retention": _row(**TRUSTEES),
    "retention_propose": _row(**dict.fromkeys(TRUSTEES, "->retention")),
    "retention_hold": _row(manager="->retention"),
    "retention_hold_release": _row(manager="->retention"),
    "destruction_authorise": _row(**dict.fromkeys(TRUSTEES, "->retention")),
    # Not yet authorised by two people: refused, back to the retention page.
    "destruction_carry_out": _row(manager="->retention"),
    "certificates": _row(**TRUSTEES),
    # §3.9, §4.4, §5.5: staff and the safeguarding lead record breaches.
    "breach_list": _row(**ALL_STAFF, safeguarding_lead="200"),
    "breach_new": _row(**ALL_STAFF, safeguarding_lead="200"),
    "breach_detail": _row(**STAFF, safeguarding_lead="200"),
    "breach_history": _row(**STAFF, safeguarding_lead="200"),
    # Who opened this file: the people responsible for it; readers may not (403).
    "file_log volunteer": _row(**STAFF, **VOLUNTEER_READERS_403),
    "file_log personnel": _row(manager="200", reviewer="403", reviewer_unsigned="->sign_personnel"),
}

# The outcome and reason recorded by the gate for each answer on a page that opens a file.
EVENT_FOR = {
    "200": ("allowed", ""),
    "404": ("refused", Refusal.NO_ACCESS_TO_FILE),
    "->sign_volunteer": ("refused", Refusal.RECORD_OF_ACCESS_UNSIGNED),
    "->sign_personnel": ("refused", Refusal.RECORD_OF_ACCESS_UNSIGNED),
}


def test_every_records_url_has_a_row():
    from django.urls import get_resolver

    (resolver,) = [p for p in get_resolver().url_patterns if getattr(p, "namespace", None) == "records"]
    names = {p.name for p in resolver.url_patterns}
    rows = {name for name in RECORDS_EXPECTED if " " not in name}
    assert names == rows, f"records URLs without a row: {sorted(names - rows)}; stale rows: {sorted(rows - names)}"


@pytest.mark.policy("3.9", "4.2", "5.2", "8.3", "8.4", "8.7", "8.8", "9.1", "10.1")
@pytest.mark.parametrize("name", sorted(RECORDS_EXPECTED))
def test_each_records_url_answers_every_role_as_the_policy_says(name, records_world):
    url, data, file = records_world["urls"][name]
    failures = []
    for role, user in people(records_world, ROLES):
        expected = RECORDS_EXPECTED[name][role]
        response, events = run(client_as(user), "get" if data is None else "post", url, data)
        events = [e for e in events if file is not None and e.file_id == file.pk]
        got = _answer(response, records_world["targets"])
        if got != expected:
            failures.append(f"{role}: expected {expected}, got {got}")
            continue
        # A page that opens a file through the gate records one event for it, allowed or refused.
        if file is not None and user is not None:
            outcome = [(e.outcome, e.reason) for e in events]
            if expected in EVENT_FOR:
                want = [EVENT_FOR[expected]]
            else:  # 403: the gate refused this section or this change to the role
                want = [
                    (
                        "refused",
                        Refusal.SECTION_NOT_FOR_ROLE if name.startswith("file_log") else Refusal.READ_ONLY_ACCESS,
                    )
                ]
            if outcome != want:
                failures.append(f"{role}: events {outcome}, expected {want}")
    assert not failures, f"{name} ({url}):\n  " + "\n  ".join(failures)


@pytest.mark.policy("8.3", "8.7", "9.2")
def test_scheme_wide_lists_show_another_scheme_nothing_of_ours(client_for, volunteer_file, sar, sef_coordinator):
    client = client_for(sef_coordinator)
    assert volunteer_file.reference not in main_content(client.get(reverse("records:file_list")).content.decode())
    assert sar.reference not in main_content(client.get(reverse("records:sar_list")).content.decode())


@pytest.mark.policy("8.7", "8.8")
def test_action_urls_refuse_get(client_for, sar, manager):
    client = client_for(manager)
    for name in ("sar_identity", "sar_clarification", "sar_extend"):
        assert client.get(reverse(f"records:{name}", args=[sar.pk])).status_code == 405
    assert client.get(reverse("records:retention_propose")).status_code == 405


@pytest.mark.policy("8.4")
def test_reading_a_file_page_is_recorded_and_shows_no_family_details(
    client_for, volunteer_file, assignment, coordinator
):
    html = main_content(
        client_for(coordinator).get(reverse("records:volunteer_file", args=[volunteer_file.reference])).content.decode()
    )
    assert "Ottoline Pembury" in html and assignment.family.reference in html
    assert "Quenby" not in html  # §8.5: no family names in the volunteer file
    assert AccessEvent.objects.filter(file_kind=FileKind.VOLUNTEER, user=coordinator).exists()


@pytest.mark.policy("1.6", "8.7")
def test_subject_access_journey_from_registration_to_release(client_for, family, manager):
    client = client_for(manager)
    response = client.post(reverse("records:sar_new"), {"subject_kind": "family_member"})
    assert "Enter the family's reference." in error_summary(response.content.decode())
    details = {
        "subject_kind": "family_member",
        "family_reference": family.reference,
        "requester_name": "R Quenby",
        "received_on": timezone.localdate().isoformat(),
    }
    # Once the family is known, the page asks which of its members the request is about.
    response = client.post(reverse("records:sar_new"), details)
    html = response.content.decode()
    assert "Choose who in the family the request is about." in error_summary(html)
    assert f"{CARER_FIRST} {CARER_LAST} (parent or carer)" in html and f"{CHILD_FIRST} {CARER_LAST} (child)" in html
    assert not SubjectAccessRequest.objects.exists()
    carer = family.members.get(kind="adult")
    response = client.post(reverse("records:sar_new"), {**details, "member": carer.pk})
    sar = SubjectAccessRequest.objects.get()
    assert sar.member == carer
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
        response.content.decode()
    )
    client.post(reverse("records:sar_release", args=[sar.pk]), {"recipient": "By hand", "reviewed": "on"})
    assert Disclosure.objects.get().file_reference == family.reference


@pytest.mark.policy("8.8")
def test_retention_journey_authorised_by_two_people(client_for, family, coordinator, manager, trustee):
    family.status, family.closed_on = Family.Status.CLOSED, datetime.date(2012, 6, 30)
    family.save(update_fields=["status", "closed_on"])
    as_manager, as_trustee = client_for(manager), client_for(trustee)
    assert family.reference in as_manager.get(reverse("records:retention")).content.decode()
    as_manager.post(reverse("records:retention_propose"), {"kind": FileKind.FAMILY, "file_id": str(family.pk)})
    destruction = Destruction.objects.get()
    as_manager.post(reverse("records:destruction_authorise", args=[destruction.pk]))
    as_manager.post(reverse("records:destruction_authorise", args=[destruction.pk]))  # refused: same person
    destruction.refresh_from_db()
    assert destruction.status == Destruction.Status.PROPOSED
    too_soon = as_manager.post(reverse("records:destruction_carry_out", args=[destruction.pk]))
    assert too_soon["Location"] == reverse("records:retention")  # back where the request waits, not certificates
    assert Family.objects.get(pk=family.pk).address  # nothing destroyed
    as_trustee.post(reverse("records:destruction_authorise", args=[destruction.pk]))
    assert as_trustee.post(reverse("records:destruction_carry_out", args=[destruction.pk])).status_code == 404
    carried_out = as_manager.post(reverse("records:destruction_carry_out", args=[destruction.pk]))
    with pytest.raises(KeyUnavailable):
        Family.objects.get(pk=family.pk).address  # noqa: B018
    # The destruction is in the file's access log, written by the gate with the request it belongs to.
    event = AccessEvent.objects.get(file_id=family.pk, section=Section.DESTRUCTION)
    assert (event.user, event.action, event.request_id) == (manager, Action.CHANGE, carried_out["X-Request-ID"])
    assert family.reference in as_trustee.get(reverse("records:certificates")).content.decode()


@pytest.mark.policy("3.9", "4.4")
def test_breach_is_recorded_and_the_manager_decides(client_for, coordinator, manager):
    response = client_for(coordinator).post(
        reverse("records:breach_new"),
        {
            "found_on": timezone.localdate().isoformat(),
            "found_time": "00:01",
            "description": "Visit notes left in a café",
            "data_affected": "One visit record",
        },
    )
    assert response.status_code == 302
    url = response["Location"]
    page = client_for(coordinator).get(url).content.decode()
    assert "Report to the ICO by" in page and "Assess and decide" not in page
    assert client_for(coordinator).post(url, {"risk": "risk"}).status_code == 404
    response = client_for(manager).post(
        url,
        {
            "risk": "unlikely",
            "ico_decision": "not_reportable",
            "ico_decision_reason": "Recovered",
            "close": "on",
            "version": version_in(client_for(manager).get(url).content.decode()),
        },
    )
    assert response.status_code == 302


@pytest.mark.policy("8.3", "9.1")
def test_reviewer_signs_the_record_of_access_of_a_sampled_volunteer_file_then_reads_it(
    client_for, volunteer_file, reviewer
):
    from access_log.models import RecordOfAccess, Review, SampledFile

    now = timezone.now()
    review = Review.objects.create(
        kind=Review.Kind.QUALITY_REVIEW,
        scheme=volunteer_file.scheme,
        reviewer=reviewer,
        opens_at=now,
        closes_at=now + datetime.timedelta(days=2),
        sample_size=1,
    )
    SampledFile.objects.create(
        review=review, file_kind=FileKind.VOLUNTEER, file_id=volunteer_file.pk, file_reference=volunteer_file.reference
    )
    client = client_for(reviewer)
    url = reverse("records:volunteer_file", args=[volunteer_file.reference])
    assert client.get(url).status_code == 302  # to the Record of Access first
    sign = reverse("access_log:sign", kwargs={"kind": FileKind.VOLUNTEER, "reference": volunteer_file.reference})
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
    data = {"kind": FileKind.FAMILY, "file_id": str(family.pk), "reason": "Insurance claim"}
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
    response = client_for(coordinator).post(
        reverse("records:volunteer_file_new"),
        {
            "person": volunteer.pk,
            "full_name": "",
            "started_on": today,
        },
    )
    assert "Enter the full name" in error_summary(response.content.decode())
    response = client_for(coordinator).post(
        reverse("records:volunteer_file_new"),
        {
            "person": volunteer.pk,
            "full_name": "Vi Volunteer",
            "started_on": today,
            "training": "Course",
        },
    )
    file = VolunteerFile.objects.get()
    assert response["Location"] == reverse("records:volunteer_file", args=[file.reference])
    edit = reverse("records:volunteer_file_edit", args=[file.reference])
    response = client_for(coordinator).post(
        edit, {"full_name": "Vi Volunteer", "started_on": today, "left_on": "2000-01-01"}
    )
    assert "The leaving date must be on or after the start date." in error_summary(response.content.decode())
    client_for(coordinator).post(
        edit,
        {
            "full_name": "Vi V",
            "started_on": today,
            "version": version_in(client_for(coordinator).get(edit).content.decode()),
        },
    )
    assert VolunteerFile.objects.get().full_name == "Vi V"
    assert client_for(trustee).get(edit).status_code == 404
    assert client_for(trustee).get(reverse("records:volunteer_file_new")).status_code == 404
    assert client_for(coordinator).get(reverse("records:personnel_file_new")).status_code == 404
    client_for(manager).post(
        reverse("records:personnel_file_new"),
        {
            "person": coordinator.pk,
            "full_name": "Co Ordinator",
            "started_on": today,
            "job_title": "Coordinator",
        },
    )
    personnel = PersonnelFile.objects.get()
    assert personnel.person == coordinator
    assert (
        client_for(coordinator).get(reverse("records:personnel_file_edit", args=[personnel.reference])).status_code
        == 404
    )
    page = client_for(manager).get(reverse("records:personnel_file", args=[personnel.reference])).content.decode()
    assert "You are reading this file as line manager for" in page and "line_manager" not in page
    page = client_for(coordinator).get(reverse("records:volunteer_file", args=[file.reference])).content.decode()
    assert "You are reading this file as coordinator for" in page


@pytest.mark.policy("3.9")
def test_a_breach_found_in_the_future_is_explained_next_to_the_date_and_not_recorded(client_for, coordinator):
    from records.models import Breach

    tomorrow = timezone.localdate() + datetime.timedelta(days=2)
    response = client_for(coordinator).post(
        reverse("records:breach_new"),
        {
            "found_on": tomorrow.isoformat(),
            "found_time": "09:00",
            "description": "Visit notes left in a café",
            "data_affected": "One visit record",
        },
    )
    assert response.status_code == 200
    assert "When it was found cannot be in the future." in error_summary(response.content.decode())
    assert not Breach.objects.exists()

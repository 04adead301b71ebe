"""Subject access requests (§1.6, §8.7): the due date, identity check, assembling
everything held, third-party review, and release recorded as a disclosure."""

from __future__ import annotations

import datetime
import json

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from access_log import gate
from access_log.models import AccessEvent
from families.models import Member
from homestart.errors import NotAllowed
from homestart.rules import FileKind
from records.deadlines import sar_due_date
from records.models import Disclosure, SubjectAccessRequest
from records.people import services as people_services
from records.subject_access import services as sar_services
from records.subject_access.assemble import sar_assemble
from tests.conftest import CARER_FIRST, CHILD_FIRST, REFERRER_NAME, VISIT_NOTES

D = datetime.date


@pytest.mark.policy("1.6", "8.7")
@pytest.mark.parametrize(
    ("received", "extension", "paused", "due"),
    [
        (D(2025, 9, 3), 0, 0, D(2025, 10, 3)),  # received 3 September, due 3 October
        (D(2025, 1, 31), 0, 0, D(2025, 2, 28)),  # no 31 February: last day of the month (a Friday)
        (D(2024, 1, 31), 0, 0, D(2024, 2, 29)),  # leap year
        (D(2025, 3, 31), 0, 0, D(2025, 4, 30)),
        (D(2025, 12, 15), 0, 0, D(2026, 1, 15)),  # across the year end
        (D(2025, 5, 4), 0, 0, D(2025, 6, 4)),
        (D(2025, 9, 4), 0, 0, D(2025, 10, 6)),  # 4 October 2025 is a Saturday: the Monday
        (D(2025, 10, 31), 2, 0, D(2026, 1, 31) + datetime.timedelta(days=2)),  # Saturday 31 Jan -> Monday
        (D(2025, 1, 31), 2, 0, D(2025, 4, 30)),
        (D(2025, 9, 3), 0, 10, D(2025, 10, 13)),  # the clock stopped for ten days
    ],
)
def test_due_date_is_one_calendar_month_extended_and_paused(received, extension, paused, due):
    assert sar_due_date(received_on=received, extension_months=extension, paused_days=paused) == due
    assert due.weekday() < 5


@pytest.mark.policy("1.6", "8.7")
@pytest.mark.parametrize(
    ("received", "due"),
    [
        (D(2026, 3, 3), D(2026, 4, 7)),  # 3 April 2026 is Good Friday, then a weekend and Easter Monday
        (D(2025, 4, 25), D(2025, 5, 27)),  # Sunday 25 May, then the Spring bank holiday
        (D(2026, 11, 28), D(2026, 12, 29)),  # Monday 28 December 2026: Boxing Day (substitute day)
        (D(2025, 7, 25), D(2025, 8, 26)),  # the Late Summer bank holiday, Monday 25 August 2025
    ],
)
def test_a_deadline_on_a_bank_holiday_moves_to_the_next_working_day(received, due):
    assert sar_due_date(received_on=received) == due


@pytest.mark.policy("8.7")
def test_bank_holidays_follow_the_schemes_part_of_the_uk(settings):
    # 2 January is a bank holiday in Scotland, not in England and Wales.
    received = D(2025, 12, 2)
    assert sar_due_date(received_on=received) == D(2026, 1, 2)
    assert sar_due_date(received_on=received, division="SCT") == D(2026, 1, 5)
    settings.RECORDS_BANK_HOLIDAYS = "SCT"
    assert sar_due_date(received_on=received) == D(2026, 1, 5)
    # 12 July (the Battle of the Boyne) is a bank holiday in Northern Ireland only.
    assert sar_due_date(received_on=D(2027, 6, 12), division="NIR") == D(2027, 7, 13)
    assert sar_due_date(received_on=D(2027, 6, 12), division="ENG") == D(2027, 7, 12)


@pytest.mark.policy("8.7")
def test_extension_is_at_most_two_months_and_needs_a_reason(family, wirral, manager):
    sar = _family_sar(wirral, manager, family, received_on=D(2025, 1, 31))
    with pytest.raises(ValidationError):
        sar_services.sar_extend(sar=sar, actor=manager, months=1, reason=" ")
    sar_services.sar_extend(sar=sar, actor=manager, months=2, reason="Complex: many records")
    assert sar.due_on == D(2025, 4, 30)
    with pytest.raises(ValidationError):
        sar_services.sar_extend(sar=sar, actor=manager, months=1, reason="More")


@pytest.mark.policy("8.7")
def test_clock_stops_while_waiting_for_clarification(family, wirral, manager):
    sar = _family_sar(wirral, manager, family, received_on=D(2025, 9, 3))
    sar_services.sar_request_clarification(sar=sar, actor=manager, on=D(2025, 9, 5))
    assert sar.status == SubjectAccessRequest.Status.AWAITING_CLARIFICATION
    sar_services.sar_clarification_received(sar=sar, actor=manager, on=D(2025, 9, 12))
    assert sar.paused_days == 7
    assert sar.due_on == D(2025, 10, 10)


def _family_sar(scheme, actor, family, received_on=None):
    carer = family.members.get(kind=Member.Kind.ADULT)
    return sar_services.sar_register(
        scheme=scheme,
        actor=actor,
        subject_kind=SubjectAccessRequest.SubjectKind.FAMILY_MEMBER,
        requester_name="Rosalind Quenby",
        received_on=received_on or timezone.localdate(),
        family=family,
        member=carer,
        request_details="Everything you hold about me",
    )


@pytest.mark.policy("8.7")
def test_only_manager_and_coordinators_register_requests(
    family, wirral, volunteer, trustee, sef_coordinator, coordinator
):
    for user in (volunteer, trustee, sef_coordinator):
        with pytest.raises(NotAllowed):
            _family_sar(wirral, user, family)
    assert _family_sar(wirral, coordinator, family).reference == "WIR-SAR-0001"


@pytest.mark.policy("1.6", "8.7")
def test_family_member_gets_their_file_history_and_access_log_with_third_parties_marked(family, wirral, manager):
    sar = _family_sar(wirral, manager, family)
    package = sar_assemble(sar=sar, actor=manager)
    data = json.loads(package.to_json())
    items = [item for section in data["sections"] for item in section["items"]]
    values = {item["value"]: item["third_party"] for item in items}
    assert values[f"{CARER_FIRST} Quenby"] is False
    assert values[f"{CHILD_FIRST} Quenby"] is True  # another person: reviewed before release
    assert values[REFERRER_NAME] is True
    assert values[VISIT_NOTES] is True
    titles = [s["title"] for s in data["sections"]]
    assert "Changes to the file (history)" in titles
    assert "Who has opened the file (access log)" in titles
    # Assembling is itself an opening of the file, through the gate.
    assert AccessEvent.objects.filter(file_id=family.pk, section="subject_access", user=manager).exists()


@pytest.mark.policy("8.7")
def test_assembling_goes_through_the_gate(family, wirral, manager, sef_coordinator, sefton):
    sar = _family_sar(wirral, manager, family)
    with pytest.raises(gate.FileHidden):
        sar_assemble(sar=sar, actor=sef_coordinator)


@pytest.mark.policy("8.7", "8.3")
def test_volunteer_gets_their_file_and_supervision_notes(volunteer_file, wirral, coordinator, volunteer):
    people_services.supervision_record(
        scheme=wirral,
        supervisee=volunteer,
        actor=coordinator,
        held_on=timezone.localdate(),
        notes="Discussed WIR-0001 boundaries",
    )
    sar = sar_services.sar_register(
        scheme=wirral,
        actor=coordinator,
        subject_kind=SubjectAccessRequest.SubjectKind.VOLUNTEER,
        requester_name="Ottoline Pembury",
        received_on=timezone.localdate(),
        subject_user=volunteer,
    )
    data = json.loads(sar_assemble(sar=sar, actor=coordinator).to_json())
    flat = {i["value"]: i["third_party"] for s in data["sections"] for i in s["items"]}
    assert flat["Ottoline Pembury"] is False
    assert flat["Discussed WIR-0001 boundaries"] is True
    assert any(s["title"] == "Supervision notes" for s in data["sections"])


@pytest.mark.policy("8.7")
def test_release_needs_identity_check_and_third_party_review_and_is_recorded_as_a_disclosure(family, wirral, manager):
    sar = _family_sar(wirral, manager, family)
    with pytest.raises(ValidationError):
        sar_services.sar_release(sar=sar, actor=manager, recipient="The requester", contents="Family file")
    sar_services.sar_record_identity_check(sar=sar, actor=manager, evidence="Passport seen in person")
    with pytest.raises(ValidationError):
        sar_services.sar_release(sar=sar, actor=manager, recipient="The requester", contents="Family file")
    sar_services.sar_third_party_reviewed(sar=sar, actor=manager)
    disclosure = sar_services.sar_release(
        sar=sar, actor=manager, recipient="The requester, by hand", contents="Family file, history, access log"
    )
    assert disclosure.file_reference == family.reference and disclosure.file_kind == FileKind.FAMILY
    assert Disclosure.objects.count() == 1
    assert SubjectAccessRequest.objects.get(pk=sar.pk).status == SubjectAccessRequest.Status.RELEASED
    with pytest.raises(ValidationError):
        sar_services.sar_record_identity_check(sar=sar, actor=manager, evidence="again")


@pytest.mark.policy("8.7")
def test_a_family_members_request_names_the_one_member_it_is_about(family, wirral, manager, coordinator):
    from tests.factories import make_family

    other_family = make_family(wirral, coordinator, last_name="Elsewhere")
    stranger = other_family.members.first()
    for member, field in ((None, "member"), (stranger, "member")):
        with pytest.raises(ValidationError) as refused:
            sar_services.sar_register(
                scheme=wirral,
                actor=manager,
                subject_kind=SubjectAccessRequest.SubjectKind.FAMILY_MEMBER,
                requester_name="R",
                received_on=timezone.localdate(),
                family=family,
                member=member,
            )
        assert field in refused.value.message_dict
    assert not SubjectAccessRequest.objects.exists()


@pytest.mark.policy("1.6", "8.7")
def test_a_childs_request_gives_the_childs_details_and_marks_everyone_elses(family, wirral, manager, coordinator):
    from consent import services as consent_services
    from consent.models import Consent, RecipientKind, Scope

    carer = family.members.get(kind=Member.Kind.ADULT)
    child = family.members.get(kind=Member.Kind.CHILD)
    access = gate.open_family(user=coordinator, reference=family.reference, section="consent", for_change=True)
    consent_services.consent_record(
        access=access,
        given_by=carer,
        scope=Scope.GENERAL,
        recipient_kind=RecipientKind.REFERRER,
        method=Consent.Method.WRITTEN,
        given_on=timezone.localdate(),
        review_on=timezone.localdate() + datetime.timedelta(days=365),
        actor=coordinator,
    )
    sar = sar_services.sar_register(
        scheme=wirral,
        actor=manager,
        subject_kind=SubjectAccessRequest.SubjectKind.FAMILY_MEMBER,
        requester_name="Rosalind Quenby, for her son",
        received_on=timezone.localdate(),
        family=family,
        member=child,
    )
    package = sar_assemble(sar=sar, actor=manager)
    assert package.subject == f"{CHILD_FIRST} Quenby"
    sections = {s.title: s.items for s in package.sections}
    about = {item.label: (item.value, item.third_party) for item in sections["About you"]}
    assert about["Name"] == (f"{CHILD_FIRST} Quenby", False)
    assert about["In the family as"] == ("Child", False)
    others = sections["Other people in the family"]
    assert [(i.value, i.third_party) for i in others if i.label.startswith("Parent or carer")] == [
        (f"{CARER_FIRST} Quenby", True)
    ]
    assert all(item.third_party for item in others)
    consents = sections["Confidentiality statements and consents"]
    assert [(i.label.split(" on ")[0], i.third_party) for i in consents] == [("Consent given by another person", True)]
    history = [(i.label, i.third_party) for i in sections["Changes to the file (history)"]]
    assert ("Your details created", False) in history
    assert ("Another person's details created", True) in history
    # The carer's own request shows the consent as theirs.
    mine = sar_services.sar_register(
        scheme=wirral,
        actor=manager,
        subject_kind=SubjectAccessRequest.SubjectKind.FAMILY_MEMBER,
        requester_name="Rosalind Quenby",
        received_on=timezone.localdate(),
        family=family,
        member=carer,
    )
    consents = {s.title: s.items for s in sar_assemble(sar=mine, actor=manager).sections}[
        "Confidentiality statements and consents"
    ]
    assert [(i.label.split(" on ")[0], i.third_party) for i in consents] == [("Consent given by you", False)]

"""The daily reminders (``send_reminders``) and the landing page's "Due for you": what is due is
reminded, what is not is not; to the roles that act on it in its scheme and nobody else; once; and
with references and links only, never a family's name, address or notes (§8.6)."""

from __future__ import annotations

import datetime
from io import StringIO

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from access_log import approvals, gate
from access_log.models import ApprovalKind
from consent import services as consent_services
from consent.models import Consent, RecipientKind, Scope
from families.models import Member
from homestart import services as people_services
from homestart.models import Membership
from homestart.rules import FileKind, Role, Section
from records.breaches import services as breach_services
from records.models import Breach, SubjectAccessRequest, VolunteerFile
from records.subject_access import services as sar_services
from reminders.models import ReminderSent
from reminders.selectors import due_for
from safeguarding.models import Concern
from tests.conftest import (
    ADDRESS,
    CARER_FIRST,
    CARER_LAST,
    CHILD_FIRST,
    PHONE,
    POSTCODE,
    REASONS,
    REFERRER_NAME,
    VISIT_NOTES,
    _member,
)

TODAY = timezone.localdate
# What a family told the scheme: none of it may be in a reminder, its subject or its body.
FAMILY_DATA = [CARER_FIRST, CARER_LAST, CHILD_FIRST, POSTCODE, PHONE, REASONS, REFERRER_NAME, VISIT_NOTES]
FAMILY_DATA += [line for line in ADDRESS.splitlines()]
CONSENT_RECIPIENT = "Zephyrine Outreach Collective"
REQUESTER = "Araminta Lowestoft-Quayle"


def run(on: datetime.date | None = None, *, dry_run: bool = False) -> str:
    out = StringIO()
    args = ["--date", on.isoformat()] if on else []
    call_command("send_reminders", *args, *(["--dry-run"] if dry_run else []), stdout=out)
    return out.getvalue()


def sent_to(user) -> list:
    return [message for message in mail.outbox if user.email in message.to]


def consent_due(family, coordinator, *, review_on: datetime.date):
    carer = family.members.get(kind=Member.Kind.ADULT)
    access = gate.open_family(user=coordinator, reference=family.reference, section=Section.CONSENT, for_change=True)
    return consent_services.consent_record(
        access=access,
        given_by=carer,
        scope=Scope.GENERAL,
        recipient_kind=RecipientKind.AGENCY,
        recipient_name=CONSENT_RECIPIENT,
        method=Consent.Method.WRITTEN,
        given_on=TODAY() - datetime.timedelta(days=200),
        review_on=review_on,
        actor=coordinator,
    )


def sar(wirral, manager, family) -> SubjectAccessRequest:
    return sar_services.sar_register(
        scheme=wirral,
        actor=manager,
        subject_kind=SubjectAccessRequest.SubjectKind.FAMILY_MEMBER,
        family=family,
        member=family.members.get(kind=Member.Kind.ADULT),
        requester_name=REQUESTER,
        received_on=TODAY() - datetime.timedelta(days=3),
        request_details="Everything you hold about my son and me",
    )


@pytest.fixture
def people(manager, coordinator, safeguarding_lead, volunteer, trustee, sef_coordinator):
    """Everyone in both schemes, with a second Wirral coordinator whose membership has ended."""
    former = _member(coordinator.memberships.get().scheme, Role.COORDINATOR, "former")
    people_services.membership_end(membership=Membership.objects.get(user=former), actor=manager)
    return {
        "manager": manager,
        "coordinator": coordinator,
        "safeguarding_lead": safeguarding_lead,
        "volunteer": volunteer,
        "trustee": trustee,
        "sef_coordinator": sef_coordinator,
        "former": former,
    }


def receivers(people) -> set[str]:
    return {name for name, user in people.items() if sent_to(user)}


@pytest.mark.policy("1.2", "8.6")
def test_a_consent_due_for_review_reminds_the_schemes_coordinators_and_manager(family, people):
    consent_due(family, people["coordinator"], review_on=TODAY())
    out = run()
    assert receivers(people) == {"manager", "coordinator"}
    (message,) = sent_to(people["coordinator"])
    assert family.reference in message.body and "consent is due for review" in message.body
    assert reverse("consent:overview", kwargs={"reference": family.reference}) in message.body
    assert family.reference in out


@pytest.mark.policy("1.2")
def test_a_consent_not_yet_due_for_review_is_not_reminded(family, people):
    consent_due(family, people["coordinator"], review_on=TODAY() + datetime.timedelta(days=1))
    run()
    assert mail.outbox == []
    # It is reminded on the day it falls due.
    run(TODAY() + datetime.timedelta(days=1))
    assert receivers(people) == {"manager", "coordinator"}


@pytest.mark.policy("1.6", "8.7")
def test_a_subject_access_deadline_is_reminded_seven_days_before_two_days_before_and_overdue(family, people):
    request = sar(family.scheme, people["manager"], family)
    due_on = request.due_on

    def reminded_on(day: datetime.date) -> list[str]:
        mail.outbox.clear()
        run(day)
        return [m.body for m in sent_to(people["coordinator"])]

    assert reminded_on(due_on - datetime.timedelta(days=8)) == []
    (first,) = reminded_on(due_on - datetime.timedelta(days=7))
    assert request.reference in first and "is due by" in first
    assert reminded_on(due_on - datetime.timedelta(days=6)) == []  # the same stage: sent once
    assert len(reminded_on(due_on - datetime.timedelta(days=2))) == 1
    assert reminded_on(due_on) == []
    (overdue,) = reminded_on(due_on + datetime.timedelta(days=1))
    assert "was due on" in overdue
    assert receivers(people) == {"manager", "coordinator"}
    assert REQUESTER not in overdue


@pytest.mark.policy("1.6")
def test_a_released_subject_access_request_is_not_reminded(family, people):
    request = sar(family.scheme, people["manager"], family)
    SubjectAccessRequest.objects.filter(pk=request.pk).update(status=SubjectAccessRequest.Status.RELEASED)
    run(request.due_on + datetime.timedelta(days=1))
    assert mail.outbox == []


def breach(wirral, manager, *, hours_ago: int) -> Breach:
    return breach_services.breach_record(
        scheme=wirral,
        actor=manager,
        found_at=timezone.now() - datetime.timedelta(hours=hours_ago),
        found_by=manager,
        description=f"A letter about {CARER_LAST} went to the wrong address",
        data_affected="A visit summary",
    )


@pytest.mark.policy("3.9", "4.4", "5.5")
def test_the_breach_clock_is_reminded_while_it_runs_and_once_it_has_run_out(wirral, people):
    found = breach(wirral, people["manager"], hours_ago=2)
    run()
    assert receivers(people) == {"manager", "coordinator", "safeguarding_lead"}
    body = sent_to(people["manager"])[0].body
    assert found.reference in body and "decide whether to report" in body and CARER_LAST not in body
    mail.outbox.clear()
    run(TODAY() + datetime.timedelta(days=4))
    assert "ran out" in sent_to(people["manager"])[0].body


@pytest.mark.policy("3.9")
def test_a_breach_decided_not_reportable_is_not_reminded(wirral, people):
    found = breach(wirral, people["manager"], hours_ago=2)
    breach_services.breach_update(
        breach=found,
        actor=people["manager"],
        ico_decision=Breach.IcoDecision.NOT_REPORTABLE,
        ico_decision_reason="Recovered unread within the hour",
    )
    run(TODAY() + datetime.timedelta(days=4))
    assert mail.outbox == []


@pytest.mark.policy("8.8")
def test_a_file_past_its_retention_period_reminds_the_manager_to_propose_destruction(volunteer_file, people):
    VolunteerFile.objects.filter(pk=volunteer_file.pk).update(left_on=TODAY() - datetime.timedelta(days=365 * 10))
    run()
    assert receivers(people) == {"manager"}
    assert volunteer_file.reference in sent_to(people["manager"])[0].body


@pytest.mark.policy("8.8")
def test_a_proposed_destruction_asks_two_different_people_to_authorise_it_without_naming_the_file(
    volunteer_file, people, spotcheck
):
    from records.retention import services as retention_services

    VolunteerFile.objects.filter(pk=volunteer_file.pk).update(left_on=TODAY() - datetime.timedelta(days=365 * 10))
    volunteer_file.refresh_from_db()
    destruction = retention_services.destruction_propose(
        kind=FileKind.VOLUNTEER, obj=volunteer_file, actor=people["manager"]
    )
    run()
    assert receivers(people) == {"manager", "trustee"} and sent_to(spotcheck)
    # Trustees see file references only on the retention pages (§3.2, §8.8).
    assert volunteer_file.reference not in sent_to(people["trustee"])[0].body
    assert "waiting for authorisation" in sent_to(people["trustee"])[0].body
    mail.outbox.clear()
    retention_services.destruction_authorise(destruction=destruction, actor=people["trustee"])
    run()
    # The second authorisation is asked of everyone else who may give it, not of the first.
    assert receivers(people) == {"manager"} and sent_to(spotcheck)


@pytest.mark.policy("8.8")
def test_a_file_within_its_retention_period_is_not_reminded(volunteer_file, people):
    VolunteerFile.objects.filter(pk=volunteer_file.pk).update(left_on=TODAY() - datetime.timedelta(days=30))
    run()
    assert mail.outbox == []


@pytest.mark.policy("2.1", "3.3")
def test_an_approval_waiting_reminds_the_manager_not_whoever_asked(family, people):
    coordinator = people["coordinator"]
    access = gate.open_family(
        user=coordinator, reference=family.reference, section=Section.CASE_STUDIES, for_change=True
    )
    approvals.approval_request(access=access, kind=ApprovalKind.CASE_STUDY, asking={}, actor=coordinator)
    run()
    assert receivers(people) == {"manager"}
    assert family.reference in sent_to(people["manager"])[0].body


@pytest.mark.policy("8.3")
def test_an_access_request_reminds_the_schemes_approvers_not_the_requester(wirral, outsider, people):
    people_services.membership_request(
        user=outsider, scheme=wirral, role=Role.VOLUNTEER, actor=people["manager"], reason="New volunteer"
    )
    run()
    # The manager asked: a trustee decides (§8.3).
    assert receivers(people) == {"trustee"}
    assert not sent_to(outsider)


@pytest.mark.policy("8.3")
def test_nothing_is_sent_to_an_ended_membership_an_inactive_account_or_a_person_without_an_address(family, people):
    manager, coordinator = people["manager"], people["coordinator"]
    consent_due(family, coordinator, review_on=TODAY())
    people_services.membership_end(membership=Membership.objects.get(user=coordinator), actor=manager)
    manager.email = ""
    manager.save(update_fields=["email"])
    assert "0 reminder(s) to 0 person(s)" in run()
    assert mail.outbox == [] and not ReminderSent.objects.exists()


@pytest.mark.policy("8.6")
def test_each_reminder_is_sent_once_and_a_dry_run_sends_and_records_nothing(family, wirral, people):
    consent_due(family, people["coordinator"], review_on=TODAY())
    breach(wirral, people["manager"], hours_ago=1)
    listed = run(dry_run=True)
    assert "Would send to" in listed and family.reference in listed
    assert mail.outbox == [] and not ReminderSent.objects.exists()
    run()
    first = len(mail.outbox)
    assert first == 3  # one e-mail each: manager, coordinator, safeguarding lead
    assert len(sent_to(people["manager"])[0].body.split("\n- ")) == 3  # two items in one e-mail
    run()
    run(TODAY() + datetime.timedelta(days=1))  # the next day, nothing has changed stage
    assert len(mail.outbox) == first
    assert "0 reminder(s)" in run(dry_run=True)


@pytest.mark.policy("8.6")
def test_no_reminder_carries_a_familys_name_address_or_notes(family, wirral, volunteer_file, people, outsider):
    consent_due(family, people["coordinator"], review_on=TODAY())
    sar(wirral, people["manager"], family)
    breach(wirral, people["manager"], hours_ago=80)
    access = gate.open_family(
        user=people["coordinator"], reference=family.reference, section=Section.CASE_STUDIES, for_change=True
    )
    approvals.approval_request(
        access=access, kind=ApprovalKind.CASE_STUDY, asking={"about": CARER_LAST}, actor=people["coordinator"]
    )
    people_services.membership_request(user=outsider, scheme=wirral, role=Role.VOLUNTEER, actor=people["manager"])
    out = run(TODAY() + datetime.timedelta(days=40))
    assert len(mail.outbox) >= 3
    for text in [out, *(f"{m.subject}\n{m.body}" for m in mail.outbox)]:
        for value in [*FAMILY_DATA, CONSENT_RECIPIENT, REQUESTER]:
            assert value not in text


def test_a_date_that_is_not_a_date_is_refused():
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("send_reminders", "--date", "5/12/2026", stdout=StringIO())


@pytest.mark.policy("1.2", "8.6")
def test_the_landing_page_shows_the_same_items_due_for_you(family, wirral, people, client_for):
    consent_due(family, people["coordinator"], review_on=TODAY())
    breach(wirral, people["manager"], hours_ago=1)
    page = client_for(people["coordinator"]).get(reverse("families:dashboard")).content.decode()
    assert "Due for you" in page
    assert reverse("consent:overview", kwargs={"reference": family.reference}) in page
    run()
    # The page lists what the e-mail listed, for the same person.
    body = sent_to(people["coordinator"])[0].body
    for item in due_for(user=people["coordinator"]):
        assert item.text in body and item.text in page
    # Someone whose role acts on none of it sees no list.
    lead_page = client_for(people["safeguarding_lead"]).get(reverse("families:dashboard")).content.decode()
    assert "Due for you" in lead_page and family.reference not in lead_page.split("Due for you")[1][:600]
    other = client_for(people["sef_coordinator"]).get(reverse("families:dashboard")).content.decode()
    assert "Due for you" not in other


@pytest.mark.policy("8.6")
def test_due_for_you_takes_the_same_number_of_queries_whatever_is_due(family, wirral, people, coordinator):
    from tests.factories import make_family

    consent_due(family, coordinator, review_on=TODAY())
    with CaptureQueriesContext(connection) as one:
        assert len(due_for(user=coordinator)) == 1
    for _ in range(3):
        consent_due(make_family(wirral, coordinator), coordinator, review_on=TODAY())
        breach(wirral, people["manager"], hours_ago=1)
    with CaptureQueriesContext(connection) as many:
        assert len(due_for(user=coordinator)) == 7
    assert len(many) == len(one)


OBSERVED_TEXT = "Bruise on the left forearm of the younger twin, explained as a fall at nursery"


@pytest.mark.policy("2.1", "8.6")
def test_a_new_concern_reaches_the_schemes_safeguarding_lead_when_it_is_saved(
    assigned_family, volunteer, safeguarding_lead, manager, coordinator, sefton, django_capture_on_commit_callbacks
):
    from safeguarding import services as safeguarding_services

    other_lead = _member(sefton, Role.SAFEGUARDING_LEAD, "sefton_lead")
    former_lead = _member(assigned_family.scheme, Role.SAFEGUARDING_LEAD, "former_lead")
    people_services.membership_end(membership=Membership.objects.get(user=former_lead), actor=manager)
    access = gate.open_family(
        user=volunteer, reference=assigned_family.reference, section=Section.SAFEGUARDING, for_change=True
    )
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        concern = safeguarding_services.concern_raise(
            access=access,
            category=Concern.Category.PHYSICAL,
            observed=OBSERVED_TEXT,
            observed_on=TODAY(),
            actor=volunteer,
        )
        assert mail.outbox == []  # not before the concern is saved for good
    assert len(callbacks) == 1
    (message,) = mail.outbox
    assert message.to == [safeguarding_lead.email]
    assert assigned_family.reference in message.subject and assigned_family.reference in message.body
    path = reverse("safeguarding:concern", kwargs={"reference": assigned_family.reference, "concern_id": concern.pk})
    assert path in message.body
    text = f"{message.subject}\n{message.body}"
    for value in [*FAMILY_DATA, OBSERVED_TEXT, "Physical", "physical", volunteer.email]:
        assert value not in text
    assert not {other_lead.email, former_lead.email, manager.email, coordinator.email} & set(message.to)


@pytest.mark.policy("2.1")
def test_a_concern_not_saved_tells_nobody(
    assigned_family, volunteer, safeguarding_lead, django_capture_on_commit_callbacks
):
    from django.core.exceptions import ValidationError

    from safeguarding import services as safeguarding_services

    access = gate.open_family(
        user=volunteer, reference=assigned_family.reference, section=Section.SAFEGUARDING, for_change=True
    )
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(ValidationError):
        safeguarding_services.concern_raise(
            access=access, category=Concern.Category.PHYSICAL, observed="  ", observed_on=TODAY(), actor=volunteer
        )
    assert mail.outbox == []


@pytest.mark.policy("8.8")
def test_the_managers_due_for_you_takes_the_same_number_of_queries_whatever_is_due(wirral, people, volunteer_file):
    from records.people import services as records_services

    manager = people["manager"]
    long_ago = TODAY() - datetime.timedelta(days=365 * 10)
    VolunteerFile.objects.filter(pk=volunteer_file.pk).update(left_on=long_ago)
    with CaptureQueriesContext(connection) as one:
        assert len(due_for(user=manager)) == 1
    for n in range(3):
        person = _member(wirral, Role.VOLUNTEER, f"leaver{n}")
        leaver = records_services.volunteer_file_create(
            scheme=wirral, person=person, actor=manager, full_name=f"Leaver {n}", started_on=long_ago
        )
        VolunteerFile.objects.filter(pk=leaver.pk).update(left_on=long_ago)
        breach(wirral, manager, hours_ago=1)
    with CaptureQueriesContext(connection) as many:
        assert len(due_for(user=manager)) == 7
    assert len(many) == len(one)

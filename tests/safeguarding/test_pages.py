"""Safeguarding and consent pages: who may open them, what they show, and bad input (§1, §2, §7, §10)."""

from __future__ import annotations

import datetime

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from consent.models import ConfidentialityStatement, Consent, Disclosure
from homestart.concurrency import row_version
from safeguarding.models import Concern, ExternalRequest, TrusteeNotice
from tests.sharing_fixtures import OBSERVED, SUMMARY

TODAY = timezone.localdate


def url(name: str, family, **kw) -> str:
    return reverse(name, kwargs={"reference": family.reference, **kw})


@pytest.mark.policy("1.1")
def test_coordinator_records_the_confidentiality_statement(family, coordinator, client_for, carer):
    client = client_for(coordinator)
    assert client.get(url("consent:statement_new", family)).status_code == 200
    response = client.post(
        url("consent:statement_new", family),
        {
            "given_to": carer.pk,
            "given_on": TODAY().isoformat(),
            "verbally": "on",
            "in_writing": "on",
        },
    )
    assert response.status_code == 302
    statement = ConfidentialityStatement.objects.get(family=family)
    assert statement.given_by == coordinator and statement.policy_version.version
    page = client.get(url("consent:overview", family)).content.decode()
    assert "Verbally and in writing" in page


@pytest.mark.policy("1.1")
def test_statement_needs_both_verbal_and_written(family, coordinator, client_for, carer):
    response = client_for(coordinator).post(
        url("consent:statement_new", family),
        {
            "given_to": carer.pk,
            "given_on": TODAY().isoformat(),
            "verbally": "on",
        },
    )
    assert response.status_code == 200 and "in writing as well" in response.content.decode()
    assert not ConfidentialityStatement.objects.exists()


@pytest.mark.policy("1.1")
def test_information_sheet_is_printable_and_has_no_personal_data(family, coordinator, client_for):
    page = client_for(coordinator).get(url("consent:information_sheet", family)).content.decode()
    assert "right to ask to see your record" in page and "Quenby" not in page


@pytest.mark.policy("1.2")
def test_consent_form_rejects_bad_input_and_saves_nothing(family, coordinator, client_for, carer):
    response = client_for(coordinator).post(
        url("consent:consent_new", family),
        {
            "given_by": carer.pk,
            "scope": "general",
            "recipient_kind": "agency",
            "recipient_name": "",
            "method": "written",
            "given_on": TODAY().isoformat(),
            "review_on": (TODAY() - datetime.timedelta(days=1)).isoformat(),
        },
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "Name the agency or scheme" in page and "review date must be on or after" in page
    assert not Consent.objects.exists()


@pytest.mark.policy("1.2", "7.3")
def test_coordinator_records_consent_and_sends_general_update(family, coordinator, client_for, carer):
    client = client_for(coordinator)
    client.post(
        url("consent:consent_new", family),
        {
            "given_by": carer.pk,
            "scope": "general",
            "recipient_kind": "referrer",
            "method": "written",
            "given_on": TODAY().isoformat(),
            "review_on": (TODAY() + datetime.timedelta(days=365)).isoformat(),
        },
    )
    assert Consent.objects.filter(family=family).count() == 1
    response = client.post(
        url("consent:communication_new", family),
        {
            "recipient_kind": "referrer",
            "scope": "general",
            "summary": SUMMARY,
            "shared_on": TODAY().isoformat(),
            "family_told": "told",
            "family_told_on": TODAY().isoformat(),
        },
    )
    assert response.status_code == 302
    disclosure = Disclosure.objects.get(family=family)
    assert disclosure.basis == "consent" and disclosure.channel == "referrer_update"
    assert "Janet Crosby" in disclosure.recipient_name


@pytest.mark.policy("7.3")
def test_general_update_without_consent_is_refused_with_the_reason(family, coordinator, client_for):
    response = client_for(coordinator).post(
        url("consent:communication_new", family),
        {
            "recipient_kind": "referrer",
            "scope": "general",
            "summary": SUMMARY,
            "shared_on": TODAY().isoformat(),
            "family_told": "told",
            "family_told_on": TODAY().isoformat(),
        },
    )
    assert response.status_code == 200 and "not given general consent" in response.content.decode()
    assert not Disclosure.objects.exists()


@pytest.mark.policy("7.2")
@pytest.mark.parametrize("who", ["manager", "safeguarding_lead", "trustee"])
def test_only_the_coordinator_records_communication_with_the_referrer(request, who, family, client_for):
    response = client_for(request.getfixturevalue(who)).get(url("consent:communication_new", family))
    assert response.status_code in (403, 404)


@pytest.mark.policy("8.3")
@pytest.mark.parametrize("who", ["safeguarding_lead", "trustee", "sef_coordinator", "outsider"])
def test_consent_pages_are_for_staff_only(request, who, family, client_for):
    client = client_for(request.getfixturevalue(who))
    for name in ("consent:overview", "consent:consent_new", "consent:statement_new", "consent:information_sheet"):
        assert client.get(url(name, family)).status_code == 404, name


@pytest.mark.policy("8.5")
def test_assigned_volunteer_cannot_open_consent_pages(assigned_family, volunteer, client_for):
    assert client_for(volunteer).get(url("consent:overview", assigned_family)).status_code == 403


@pytest.mark.policy("2.1", "8.3")
def test_safeguarding_lead_records_concern_and_disclosure_without_consent(
    family, safeguarding_lead, manager, client_for
):
    client = client_for(safeguarding_lead)
    assert client.get(url("safeguarding:family", family)).status_code == 200
    response = client.post(
        url("safeguarding:concern_new", family),
        {
            "about": "all",
            "category": "neglect",
            "observed": OBSERVED,
            "observed_on": TODAY().isoformat(),
        },
    )
    assert response.status_code == 302
    response = client.post(
        url("consent:disclosure_new", family),
        {
            "recipient_kind": "childrens_services",
            "recipient_name": "Wirral children's services",
            "basis": "safeguarding",
            "summary": SUMMARY,
            "shared_on": TODAY().isoformat(),
            "justification": "Child at risk of neglect",
            "family_told": "not_told",
            "not_told_reason": "Telling the mother now would put the child at greater risk",
        },
    )
    assert response.status_code == 302, response.content.decode()
    # Without consent it waits for a second person: nothing is shared yet (§2.1, §7.4).
    assert not Disclosure.objects.exists()
    assert "awaiting approval" in client.get(url("consent:disclosures", family)).content.decode()
    from access_log.models import Approval

    approval = Approval.objects.get(family=family)
    response = client_for(manager).post(
        reverse("access_log:approval", kwargs={"approval_id": approval.pk}), {"decision": "approve"}
    )
    assert response.status_code == 302
    disclosure = Disclosure.objects.get(family=family)
    assert disclosure.basis == "safeguarding" and disclosure.approved_by == manager
    assert disclosure.concern == Concern.objects.get(family=family)
    page = client.get(url("consent:disclosures", family)).content.decode()
    assert "greater risk" in page and f"Approved by {manager.get_full_name()}" in page


@pytest.mark.policy("1.5", "2.2")
def test_disclosure_needs_family_told_or_the_reason(family, safeguarding_lead, client_for, open_as):
    from safeguarding import services

    services.concern_raise(
        access=open_as(safeguarding_lead, family, "safeguarding", change=True),
        category="neglect",
        observed=OBSERVED,
        observed_on=TODAY(),
        actor=safeguarding_lead,
    )
    response = client_for(safeguarding_lead).post(
        url("consent:disclosure_new", family),
        {
            "recipient_kind": "childrens_services",
            "recipient_name": "Wirral children's services",
            "basis": "safeguarding",
            "summary": SUMMARY,
            "shared_on": TODAY().isoformat(),
            "justification": "Child at risk",
            "family_told": "not_told",
            "not_told_reason": "",
        },
    )
    assert response.status_code == 200 and "Record why the family was not told" in response.content.decode()
    assert not Disclosure.objects.exists()


@pytest.mark.policy("2.1")
def test_disclosure_to_childrens_services_without_a_concern_is_refused(family, safeguarding_lead, client_for):
    response = client_for(safeguarding_lead).post(
        url("consent:disclosure_new", family),
        {
            "recipient_kind": "childrens_services",
            "recipient_name": "Wirral children's services",
            "basis": "safeguarding",
            "summary": SUMMARY,
            "shared_on": TODAY().isoformat(),
            "justification": "Worried",
            "family_told": "told",
            "family_told_on": TODAY().isoformat(),
        },
    )
    assert response.status_code == 200 and "Record the safeguarding concern first" in response.content.decode()
    assert not Disclosure.objects.exists()


@pytest.mark.policy("2.1")
@pytest.mark.parametrize("who", ["coordinator", "trustee"])
def test_only_the_lead_or_manager_records_a_disclosure_page(request, who, family, client_for):
    assert client_for(request.getfixturevalue(who)).get(url("consent:disclosure_new", family)).status_code in (403, 404)


@pytest.mark.policy("2.1", "8.5")
def test_volunteer_raises_a_concern_and_sees_only_their_own(
    assigned_family, volunteer, coordinator, client_for, open_as
):
    from safeguarding import services

    theirs = services.concern_raise(
        access=open_as(coordinator, assigned_family, "safeguarding", change=True),
        category="neglect",
        observed="Staff observation",
        observed_on=TODAY(),
        actor=coordinator,
    )
    client = client_for(volunteer)
    response = client.post(
        url("safeguarding:concern_new", assigned_family),
        {
            "about": "all",
            "category": "cse",
            "observed": OBSERVED,
            "observed_on": TODAY().isoformat(),
        },
    )
    assert response.status_code == 302
    mine = Concern.objects.get(raised_by=volunteer)
    services.concern_action_add(
        access=open_as(coordinator, assigned_family, "safeguarding", change=True),
        concern=mine,
        action="Spoke to children's services duty team",
        taken_on=TODAY(),
        actor=coordinator,
    )
    page = client.get(url("safeguarding:family", assigned_family)).content.decode()
    assert "Child sexual exploitation" in page and "Concerns you raised" in page
    assert client.get(url("safeguarding:concern", assigned_family, concern_id=theirs.pk)).status_code == 404
    detail = client.get(url("safeguarding:concern", assigned_family, concern_id=mine.pk)).content.decode()
    assert OBSERVED in detail and "duty team" not in detail
    assert client.get(url("safeguarding:action_new", assigned_family, concern_id=mine.pk)).status_code == 403
    assert client.get(url("safeguarding:request_new", assigned_family)).status_code == 403


@pytest.mark.policy("2.1", "8.5")
def test_unassigned_volunteer_cannot_raise_a_concern(family, other_volunteer, client_for):
    assert client_for(other_volunteer).get(url("safeguarding:concern_new", family)).status_code == 404


@pytest.mark.policy("2.3")
def test_concern_form_offers_child_sexual_exploitation_and_rejects_empty_input(family, coordinator, client_for):
    client = client_for(coordinator)
    assert "Child sexual exploitation" in client.get(url("safeguarding:concern_new", family)).content.decode()
    response = client.post(
        url("safeguarding:concern_new", family), {"category": "cse", "observed": "", "observed_on": "2024-02-31"}
    )
    page = response.content.decode()
    assert response.status_code == 200 and "as a real date" in page
    assert not Concern.objects.exists()


@pytest.mark.policy("10.3")
def test_police_request_reaches_the_trustees(
    family, coordinator, trustee, client_for, spotcheck, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(coordinator).post(
            url("safeguarding:request_new", family),
            {
                "kind": "police",
                "received_on": TODAY().isoformat(),
                "requester": "DC Smith, Merseyside Police",
                "details": "Address history of the mother",
            },
        )
    assert response.status_code == 302
    assert TrusteeNotice.objects.count() == 1
    assert len(mail.outbox) == 1 and set(mail.outbox[0].to) == {trustee.email, spotcheck.email}
    assert "Police request" in mail.outbox[0].subject
    assert family.reference not in mail.outbox[0].body and "Smith" not in mail.outbox[0].body
    page = client_for(trustee).get(reverse("safeguarding:trustee_notices")).content.decode()
    assert "Police request" in page and family.reference not in page and "Smith" not in page


@pytest.mark.policy("10.3")
@pytest.mark.parametrize("who", ["coordinator", "volunteer", "safeguarding_lead"])
def test_only_trustees_see_the_notices(request, who, client_for):
    assert client_for(request.getfixturevalue(who)).get(reverse("safeguarding:trustee_notices")).status_code == 403


@pytest.mark.policy("10.3")
def test_police_request_refused_then_nothing_passed(family, safeguarding_lead, manager, client_for, open_as):
    from safeguarding import services
    from tests.approval_helpers import decide

    logged = services.request_log(
        access=open_as(safeguarding_lead, family, "safeguarding", change=True),
        kind="police",
        received_on=TODAY(),
        requester="DC Smith",
        details="Anything",
        actor=safeguarding_lead,
    )
    client = client_for(safeguarding_lead)
    response = client.post(
        url("safeguarding:request_disclose", family, request_id=logged.pk),
        {
            "summary": SUMMARY,
            "shared_on": TODAY().isoformat(),
            "decision_reason": "They asked",
            "family_told": "told",
            "family_told_on": TODAY().isoformat(),
            "version": row_version(logged),
        },
    )
    assert response.status_code == 200 and "(§10.3)" in response.content.decode()
    assert not Disclosure.objects.exists()
    logged.refresh_from_db()
    assert logged.decision == ExternalRequest.Decision.PENDING
    response = client.post(
        url("safeguarding:request_refuse", family, request_id=logged.pk),
        {"decision_reason": "No exception applies and there is no court order", "version": row_version(logged)},
    )
    assert response.status_code == 302
    logged.refresh_from_db()
    assert logged.decision == ExternalRequest.Decision.PENDING  # until the manager approves (§10.3)
    from access_log.models import Approval

    decide(Approval.objects.get(subject_id=logged.pk), manager)
    logged.refresh_from_db()
    assert logged.decision == ExternalRequest.Decision.REFUSED and logged.decided_by == safeguarding_lead
    assert not Disclosure.objects.exists()


@pytest.mark.policy("10.2")
def test_court_evidence_after_the_order_is_recorded(family, manager, safeguarding_lead, client_for, open_as):
    from safeguarding import services
    from tests.approval_helpers import decide

    logged = services.request_log(
        access=open_as(manager, family, "safeguarding", change=True),
        kind="court",
        received_on=TODAY(),
        requester="Chester County Court",
        details="Visit records",
        actor=manager,
    )
    client = client_for(manager)
    post = {
        "summary": SUMMARY,
        "shared_on": TODAY().isoformat(),
        "decision_reason": "Ordered by the court",
        "family_told": "told",
        "family_told_on": TODAY().isoformat(),
        "version": row_version(logged),
    }
    response = client.post(url("safeguarding:request_disclose", family, request_id=logged.pk), post)
    assert response.status_code == 200 and "subpoena" in response.content.decode()
    client.post(
        url("safeguarding:request_order", family, request_id=logged.pk),
        {"order_reference": "CO/2026/118", "order_made_on": TODAY().isoformat(), "version": row_version(logged)},
    )
    # The lead decides to pass the evidence on; the manager, another person, approves (§10.2, §10.3).
    response = client_for(safeguarding_lead).post(
        url("safeguarding:request_disclose", family, request_id=logged.pk), {**post, "version": row_version(logged)}
    )
    assert response.status_code == 302
    from access_log.models import Approval

    assert not Disclosure.objects.exists()
    decide(Approval.objects.get(subject_id=logged.pk), manager)
    logged.refresh_from_db()
    assert logged.decision == "disclosed" and logged.basis == "court_order"
    assert Disclosure.objects.get(family=family).request == logged


@pytest.mark.policy("10.3")
@pytest.mark.parametrize("who", ["coordinator"])
def test_coordinator_logs_but_does_not_decide_requests(request, who, family, client_for, open_as):
    from safeguarding import services

    user = request.getfixturevalue(who)
    logged = services.request_log(
        access=open_as(user, family, "safeguarding", change=True),
        kind="police",
        received_on=TODAY(),
        requester="DC Smith",
        details="Anything",
        actor=user,
    )
    assert client_for(user).get(url("safeguarding:request_refuse", family, request_id=logged.pk)).status_code == 403


@pytest.mark.policy("2.1")
def test_safeguarding_overview_lists_concerns_by_reference(
    family, safeguarding_lead, client_for, open_as, django_assert_max_num_queries
):
    from safeguarding import services

    for _ in range(3):
        services.concern_raise(
            access=open_as(safeguarding_lead, family, "safeguarding", change=True),
            category="neglect",
            observed=OBSERVED,
            observed_on=TODAY(),
            actor=safeguarding_lead,
        )
    client = client_for(safeguarding_lead)
    client.get(reverse("safeguarding:overview"))
    # Fixed per-page cost (session, user, two-factor device, memberships, policy) plus the list.
    with django_assert_max_num_queries(14):
        page = client.get(reverse("safeguarding:overview")).content.decode()
    assert page.count(family.reference) >= 3 and OBSERVED not in page


@pytest.mark.policy("1.2")
def test_consents_due_for_review_listed_for_the_coordinator(
    family, coordinator, client_for, give_consent, django_assert_max_num_queries
):
    due = give_consent(family, given_on=TODAY() - datetime.timedelta(days=400))
    Consent.objects.filter(pk=due.pk).update(review_on=TODAY() - datetime.timedelta(days=1))
    give_consent(family)  # not yet due
    client = client_for(coordinator)
    client.get(reverse("consent:reviews_due"))
    # Fixed per-page cost (session, user, two-factor device, memberships, policy) plus the list.
    with django_assert_max_num_queries(14):
        page = client.get(reverse("consent:reviews_due")).content.decode()
    assert page.count(f">{family.reference}<") == 1


@pytest.mark.policy("1.2")
def test_withdrawal_page_stops_sharing_at_once(family, coordinator, client_for, give_consent):
    from consent.models import RecipientKind, Scope
    from consent.sharing import Recipient, may_share

    consent = give_consent(family)
    client = client_for(coordinator)
    withdraw = url("consent:withdraw", family, consent_id=consent.pk)
    assert "given" in client.get(withdraw).content.decode()
    bad = client.post(withdraw, {"withdrawn_on": (TODAY() + datetime.timedelta(days=2)).isoformat()})
    assert bad.status_code == 200 and "today or in the past" in bad.content.decode()
    assert (
        client.post(withdraw, {"withdrawn_on": TODAY().isoformat(), "version": row_version(consent)}).status_code == 302
    )
    assert not may_share(family=family, scope=Scope.GENERAL, recipient=Recipient(RecipientKind.REFERRER)).allowed
    assert client.get(withdraw).status_code == 404  # already withdrawn
    assert "Withdrawn" in client.get(url("consent:overview", family)).content.decode()

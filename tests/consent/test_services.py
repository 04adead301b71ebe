"""Services for statements, consents and the register: who may write, what is stored, what is refused.

Personal text is ciphertext at rest under the family's key and every model keeps history with the actor.
"""

from __future__ import annotations

import datetime

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from access_log import gate
from access_log.models import AccessEvent
from consent import services
from consent.models import ConfidentialityStatement, Consent, Disclosure, RecipientKind, Scope
from consent.services import SharingRefused
from consent.sharing import Recipient
from homestart.rules import Action
from safeguarding import services as sg_services
from safeguarding.models import Concern, ExternalRequest
from tests.helpers import raw_value
from tests.sharing_fixtures import OBSERVED, SUMMARY

TODAY = timezone.localdate


def told():
    return {"family_told": Disclosure.FamilyTold.TOLD, "family_told_on": TODAY()}


@pytest.mark.policy("8.2", "1.2")
def test_consent_and_disclosure_text_is_ciphertext_at_rest_with_history(family, coordinator, give_consent, open_as):
    consent = give_consent(family, recipient_kind=RecipientKind.AGENCY, recipient_name="Oakfield Family Hub")
    assert b"Oakfield" not in raw_value(Consent, "recipient_name", consent.pk)
    disclosure = services.communication_send(
        access=open_as(coordinator, family, "consent", change=True),
        recipient=Recipient(RecipientKind.AGENCY, "Oakfield Family Hub"),
        scope=Scope.GENERAL,
        summary=SUMMARY,
        shared_on=TODAY(),
        actor=coordinator,
        **told(),
    )
    assert SUMMARY.encode() not in raw_value(Disclosure, "summary", disclosure.pk)
    assert disclosure.history.get().history_user == coordinator
    assert consent.history.get().recipient_name == "Oakfield Family Hub"
    event = AccessEvent.objects.filter(action=Action.CHANGE, section="consent").latest("at")
    assert event.user == coordinator and event.file_reference == family.reference


@pytest.mark.policy("8.2", "2.1")
def test_concern_text_is_ciphertext_at_rest(family, safeguarding_lead, open_as):
    concern = sg_services.concern_raise(
        access=open_as(safeguarding_lead, family, "safeguarding", change=True),
        category="neglect",
        observed=OBSERVED,
        observed_on=TODAY(),
        actor=safeguarding_lead,
    )
    assert b"left alone" not in raw_value(Concern, "observed", concern.pk)
    assert concern.history.get().history_user == safeguarding_lead


@pytest.mark.policy("1.2")
def test_withdrawal_is_recorded_once_with_who_and_when(family, coordinator, give_consent, open_as):
    consent = give_consent(family)
    access = open_as(coordinator, family, "consent", change=True)
    services.consent_withdraw(
        access=access, consent=consent, withdrawn_on=TODAY(), actor=coordinator, notes="Mum phoned"
    )
    consent.refresh_from_db()
    assert consent.withdrawn and consent.withdrawn_recorded_by == coordinator and consent.withdrawn_on == TODAY()
    with pytest.raises(Exception, match="already been withdrawn"):
        services.consent_withdraw(access=access, consent=consent, withdrawn_on=TODAY(), actor=coordinator)


@pytest.mark.policy("1.2")
def test_consent_of_another_family_cannot_be_withdrawn_through_this_one(
    family, coordinator, give_consent, open_as, wirral, client_for
):
    from tests.factories import make_family

    other = make_family(wirral, coordinator)
    consent = give_consent(family)
    with pytest.raises(gate.FileHidden):
        services.consent_withdraw(
            access=open_as(coordinator, other, "consent", change=True),
            consent=consent,
            withdrawn_on=TODAY(),
            actor=coordinator,
        )
    url = reverse("consent:withdraw", kwargs={"reference": other.reference, "consent_id": consent.pk})
    assert client_for(coordinator).get(url).status_code == 404


@pytest.mark.policy("1.2")
def test_consent_is_given_by_a_parent_or_carer_of_this_family(family, coordinator, open_as):
    child = family.members.get(kind="child")
    with pytest.raises(Exception, match="parent or carer"):
        services.consent_record(
            access=open_as(coordinator, family, "consent", change=True),
            given_by=child,
            scope=Scope.GENERAL,
            recipient_kind=RecipientKind.REFERRER,
            method="written",
            given_on=TODAY(),
            review_on=TODAY(),
            actor=coordinator,
        )
    assert not Consent.objects.exists()


@pytest.mark.policy("7.4")
def test_sharing_without_consent_waits_for_the_lead_or_manager_to_approve(family, coordinator, manager, open_as):
    from access_log.models import Approval
    from tests.approval_helpers import decide

    sg_services.concern_raise(
        access=open_as(coordinator, family, "safeguarding", change=True),
        category="neglect",
        observed=OBSERVED,
        observed_on=TODAY(),
        actor=coordinator,
    )
    access = open_as(coordinator, family, "consent", change=True)
    kwargs = {
        "access": access,
        "recipient": Recipient(RecipientKind.REFERRER, "Janet Crosby"),
        "scope": Scope.SPECIFIC,
        "summary": SUMMARY,
        "shared_on": TODAY(),
        "actor": coordinator,
        "justification": "Child at risk",
        **told(),
    }
    with pytest.raises(Exception, match="Justify"):
        services.communication_send(**{**kwargs, "justification": " "})
    waiting = services.communication_send(**kwargs)
    assert isinstance(waiting, Approval) and not Disclosure.objects.exists()
    decide(waiting, manager)
    disclosure = Disclosure.objects.get()
    assert disclosure.basis == "safeguarding" and disclosure.approved_by == manager
    assert disclosure.approval == waiting


@pytest.mark.policy("7.2")
def test_manager_does_not_record_referrer_communication(family, manager, give_consent, open_as):
    give_consent(family)
    with pytest.raises(gate.AccessRefused):
        services.communication_send(
            access=open_as(manager, family, "consent", change=True),
            recipient=Recipient(RecipientKind.REFERRER, "x"),
            scope=Scope.GENERAL,
            summary=SUMMARY,
            shared_on=TODAY(),
            actor=manager,
            **told(),
        )


@pytest.mark.policy("1.5", "2.2")
def test_database_refuses_a_disclosure_without_told_or_not_told(family, coordinator, give_consent):
    consent = give_consent(family)
    with pytest.raises(IntegrityError), transaction.atomic():
        Disclosure.objects.create(
            family=family,
            channel="referrer_update",
            scope="general",
            recipient_kind="referrer",
            recipient_name="x",
            summary="x",
            shared_on=TODAY(),
            basis="consent",
            consent=consent,
            family_told="told",
            family_told_on=None,
            recorded_by=coordinator,
        )


@pytest.mark.policy("2.1")
def test_database_refuses_an_unapproved_exception(family, coordinator):
    with pytest.raises(IntegrityError), transaction.atomic():
        Disclosure.objects.create(
            family=family,
            channel="police",
            scope="specific",
            recipient_kind="police",
            recipient_name="x",
            summary="x",
            shared_on=TODAY(),
            basis="terrorism",
            family_told="not_told",
            not_told_reason="risk",
            recorded_by=coordinator,
        )


@pytest.mark.policy("10.2")
def test_database_refuses_court_evidence_without_an_order(family, coordinator):
    with pytest.raises(IntegrityError), transaction.atomic():
        ExternalRequest.objects.create(
            family=family,
            kind="court",
            received_on=TODAY(),
            requester="Court",
            details="x",
            logged_by=coordinator,
            decision="disclosed",
            basis="safeguarding",
            decided_at=timezone.now(),
        )


@pytest.mark.policy("1.1")
def test_statement_needs_both_and_a_current_policy(family, coordinator, carer, open_as):
    access = open_as(coordinator, family, "consent", change=True)
    with pytest.raises(Exception, match="both verbally and in writing"):
        services.statement_record(
            access=access, given_to=carer, given_on=TODAY(), verbally=True, in_writing=False, actor=coordinator
        )
    with pytest.raises(Exception, match="future"):
        services.statement_record(
            access=access,
            given_to=carer,
            given_on=TODAY() + datetime.timedelta(days=1),
            verbally=True,
            in_writing=True,
            actor=coordinator,
        )
    assert not ConfidentialityStatement.objects.exists()


@pytest.mark.policy("2.1")
def test_disclosure_expecting_consent_is_refused_when_only_a_concern_applies(family, safeguarding_lead, open_as):
    sg_services.concern_raise(
        access=open_as(safeguarding_lead, family, "safeguarding", change=True),
        category="neglect",
        observed=OBSERVED,
        observed_on=TODAY(),
        actor=safeguarding_lead,
    )
    with pytest.raises(SharingRefused, match="not consented"):
        services.disclosure_record(
            access=open_as(safeguarding_lead, family, "safeguarding", change=True),
            channel="agency",
            scope=Scope.SPECIFIC,
            recipient=Recipient(RecipientKind.CHILDRENS_SERVICES, "CS"),
            summary=SUMMARY,
            shared_on=TODAY(),
            actor=safeguarding_lead,
            expect_basis="consent",
            **told(),
        )


@pytest.mark.policy("8.3")
@pytest.mark.parametrize("name", ["consent:overview", "consent:disclosures", "safeguarding:family"])
def test_wrong_method_is_refused(name, family, coordinator, client_for):
    url = reverse(name, kwargs={"reference": family.reference})
    assert client_for(coordinator).delete(url).status_code == 405

"""``may_share``: the one answer to "may this be shared?" (preamble, §1.2–§1.4, §2.1, §7.3, §7.4, §9.2, §9.3, §10.2,
§10.3)."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from consent import services
from consent.models import LegalBasis, RecipientKind, Scope
from consent.sharing import Recipient, may_share
from safeguarding import services as sg_services
from safeguarding.models import Concern, ExternalRequest
from tests.sharing_fixtures import OBSERVED

REFERRER = Recipient(RecipientKind.REFERRER, "Janet Crosby")
POLICE = Recipient(RecipientKind.POLICE, "DC Smith, Merseyside Police")
CHILDRENS = Recipient(RecipientKind.CHILDRENS_SERVICES, "Wirral children's services")


@pytest.fixture
def concern(family, open_as, coordinator) -> Concern:
    return sg_services.concern_raise(
        access=open_as(coordinator, family, "safeguarding", change=True),
        category=Concern.Category.NEGLECT,
        observed=OBSERVED,
        observed_on=timezone.localdate(),
        actor=coordinator,
    )


@pytest.mark.policy("1.2", "7.3")
def test_general_update_to_referrer_needs_general_consent(family, give_consent):
    refused = may_share(family=family, scope=Scope.GENERAL, recipient=REFERRER)
    assert not refused.allowed and "general consent" in refused.reason
    consent = give_consent(family)
    allowed = may_share(family=family, scope=Scope.GENERAL, recipient=REFERRER)
    assert allowed.allowed and allowed.basis == LegalBasis.CONSENT and allowed.consent == consent


@pytest.mark.policy("1.2", "7.3")
def test_consent_to_the_referrer_does_not_cover_an_agency(family, give_consent):
    give_consent(family)
    agency = Recipient(RecipientKind.AGENCY, "Wirral Children's Centre")
    assert not may_share(family=family, scope=Scope.GENERAL, recipient=agency).allowed


@pytest.mark.policy("1.2")
def test_agency_consent_is_for_the_named_agency_only(family, give_consent):
    give_consent(family, recipient_kind=RecipientKind.AGENCY, recipient_name="Wirral Children's Centre")
    named = Recipient(RecipientKind.AGENCY, "  wirral children's centre ")
    other = Recipient(RecipientKind.AGENCY, "Birkenhead Food Bank")
    assert may_share(family=family, scope=Scope.GENERAL, recipient=named).allowed
    assert not may_share(family=family, scope=Scope.GENERAL, recipient=other).allowed


@pytest.mark.policy("1.2")
def test_withdrawal_stops_sharing_at_once(family, give_consent, open_as, coordinator):
    consent = give_consent(family)
    before = timezone.now()
    services.consent_withdraw(
        access=open_as(coordinator, family, "consent", change=True),
        consent=consent,
        withdrawn_on=timezone.localdate(),
        actor=coordinator,
    )
    assert not may_share(family=family, scope=Scope.GENERAL, recipient=REFERRER).allowed
    # ... but it did stand until the moment it was withdrawn.
    assert may_share(family=family, scope=Scope.GENERAL, recipient=REFERRER, at=before).allowed


@pytest.mark.policy("1.2")
def test_consent_does_not_count_before_it_was_given(family, give_consent):
    give_consent(family, given_on=timezone.localdate())
    yesterday = timezone.now() - datetime.timedelta(days=1)
    assert not may_share(family=family, scope=Scope.GENERAL, recipient=REFERRER, at=yesterday).allowed


@pytest.mark.policy("7.4")
def test_specific_information_needs_specific_consent(family, give_consent):
    give_consent(family)  # general only
    refused = may_share(family=family, scope=Scope.SPECIFIC, recipient=REFERRER)
    assert not refused.allowed and "specific consent" in refused.reason
    give_consent(family, scope=Scope.SPECIFIC)
    assert may_share(family=family, scope=Scope.SPECIFIC, recipient=REFERRER).basis == LegalBasis.CONSENT


@pytest.mark.policy("7.4", "2.1")
def test_specific_information_without_consent_when_a_concern_is_recorded(family, concern):
    decision = may_share(family=family, scope=Scope.SPECIFIC, recipient=REFERRER)
    assert decision.allowed and decision.basis == LegalBasis.SAFEGUARDING and decision.concern == concern
    assert decision.needs_approval


@pytest.mark.policy("7.3")
def test_a_concern_does_not_make_routine_general_updates_possible(family, concern):
    assert not may_share(family=family, scope=Scope.GENERAL, recipient=REFERRER).allowed


@pytest.mark.policy("2.1")
def test_a_closed_concern_no_longer_allows_sharing_without_consent(family, concern, open_as, safeguarding_lead):
    sg_services.concern_close(
        access=open_as(safeguarding_lead, family, "safeguarding", change=True),
        concern=concern,
        actor=safeguarding_lead,
    )
    assert not may_share(family=family, scope=Scope.SPECIFIC, recipient=CHILDRENS).allowed


@pytest.mark.policy("2.1")
def test_childrens_services_need_a_recorded_concern(family):
    decision = may_share(family=family, scope=Scope.SPECIFIC, recipient=CHILDRENS)
    assert not decision.allowed and "concern" in decision.reason


@pytest.mark.policy("1.4")
def test_multi_agency_information_needs_multi_agency_consent(family, give_consent):
    agency = Recipient(RecipientKind.AGENCY, "Team Around the Family")
    give_consent(family, scope=Scope.SPECIFIC, recipient_kind=RecipientKind.AGENCY, recipient_name=agency.name)
    assert not may_share(family=family, scope=Scope.MULTI_AGENCY, recipient=agency).allowed
    give_consent(family, scope=Scope.MULTI_AGENCY, recipient_kind=RecipientKind.AGENCY, recipient_name=agency.name)
    assert may_share(family=family, scope=Scope.MULTI_AGENCY, recipient=agency).allowed


@pytest.mark.policy("1.3")
def test_self_referral_consent_informs_the_health_visitor(family, give_consent):
    hv = Recipient(RecipientKind.HEALTH_VISITOR, "Health visitor")
    assert not may_share(family=family, scope=Scope.SELF_REFERRAL, recipient=hv).allowed
    give_consent(family, scope=Scope.SELF_REFERRAL, recipient_kind=RecipientKind.HEALTH_VISITOR)
    assert may_share(family=family, scope=Scope.SELF_REFERRAL, recipient=hv).allowed
    assert may_share(family=family, scope=Scope.GENERAL, recipient=hv).allowed
    assert not may_share(family=family, scope=Scope.SPECIFIC, recipient=hv).allowed


@pytest.mark.policy("10.3")
def test_police_get_nothing_without_an_exception_or_order(family, give_consent):
    give_consent(family, scope=Scope.SPECIFIC)  # consent to the referrer is not consent to the police
    decision = may_share(family=family, scope=Scope.SPECIFIC, recipient=POLICE)
    assert not decision.allowed and "(§10.3)" in decision.reason


@pytest.mark.policy("10.3")
@pytest.mark.parametrize("basis", [LegalBasis.DISCLOSABLE_OFFENCE, LegalBasis.TERRORISM])
def test_police_may_receive_information_for_a_disclosable_offence_or_terrorism(family, basis):
    decision = may_share(family=family, scope=Scope.SPECIFIC, recipient=POLICE, exception=basis)
    assert decision.allowed and decision.basis == basis and decision.needs_approval


@pytest.mark.policy("10.3", "2.1")
def test_police_may_receive_information_on_a_recorded_concern(family, concern):
    assert may_share(family=family, scope=Scope.SPECIFIC, recipient=POLICE).basis == LegalBasis.SAFEGUARDING


def _request(family, open_as, user, kind, order=""):
    return sg_services.request_log(
        access=open_as(user, family, "safeguarding", change=True),
        kind=kind,
        received_on=timezone.localdate(),
        requester="Chester County Court",
        details="Records of support",
        actor=user,
        order_reference=order,
    )


@pytest.mark.policy("10.2")
def test_court_evidence_only_against_a_recorded_order(family, open_as, safeguarding_lead, concern):
    court = Recipient(RecipientKind.COURT, "Chester County Court")
    no_order = _request(family, open_as, safeguarding_lead, ExternalRequest.Kind.COURT)
    decision = may_share(family=family, scope=Scope.SPECIFIC, recipient=court, request=no_order)
    assert not decision.allowed and "subpoena" in decision.reason  # not even on a recorded concern
    with_order = _request(family, open_as, safeguarding_lead, ExternalRequest.Kind.COURT, order="CO/2026/118")
    decision = may_share(family=family, scope=Scope.SPECIFIC, recipient=court, request=with_order)
    assert decision.allowed and decision.basis == LegalBasis.COURT_ORDER and decision.request == with_order


@pytest.mark.policy("10.2")
def test_an_order_for_another_family_does_not_count(family, open_as, safeguarding_lead, wirral, coordinator):
    from tests.factories import make_family

    other = make_family(wirral, coordinator)
    order = _request(other, open_as, safeguarding_lead, ExternalRequest.Kind.COURT, order="CO/1")
    court = Recipient(RecipientKind.COURT, "Court")
    assert not may_share(family=family, scope=Scope.SPECIFIC, recipient=court, request=order).allowed


@pytest.mark.policy("9.2")
def test_transfer_with_consent_to_the_named_scheme(family, give_consent):
    sefton = Recipient(RecipientKind.NEW_SCHEME, "Home-Start Sefton")
    assert not may_share(family=family, scope=Scope.TRANSFER, recipient=sefton).allowed
    give_consent(family, recipient_kind=RecipientKind.NEW_SCHEME, recipient_name="Home-Start Sefton")
    assert may_share(family=family, scope=Scope.TRANSFER, recipient=sefton).basis == LegalBasis.CONSENT


@pytest.mark.policy("9.3")
def test_transfer_without_consent_where_there_have_been_concerns(family, concern, open_as, safeguarding_lead):
    sg_services.concern_close(
        access=open_as(safeguarding_lead, family, "safeguarding", change=True),
        concern=concern,
        actor=safeguarding_lead,
    )
    sefton = Recipient(RecipientKind.NEW_SCHEME, "Home-Start Sefton")
    decision = may_share(family=family, scope=Scope.TRANSFER, recipient=sefton)
    assert decision.allowed and decision.basis == LegalBasis.SAFEGUARDING


@pytest.mark.policy("9.2")
def test_a_named_recipient_must_be_named(family):
    decision = may_share(family=family, scope=Scope.TRANSFER, recipient=Recipient(RecipientKind.NEW_SCHEME, " "))
    assert not decision.allowed and "Name" in decision.reason

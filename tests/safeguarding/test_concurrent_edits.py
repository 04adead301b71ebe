"""Two people acting on the same consent, safeguarding concern or police and court request:
the second is told, nothing of theirs is saved and the first stands (§8.2; OWASP ASVS 2.3.4)."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from consent.models import Consent
from consent.sharing import Recipient, may_share
from homestart.concurrency import row_version
from safeguarding import services
from safeguarding.models import Concern, ExternalRequest
from tests.helpers import banner, conflict_at_top, version_in
from tests.sharing_fixtures import OBSERVED

pytestmark = pytest.mark.policy("8.2")
TODAY = timezone.localdate


def url(name: str, family, **kwargs) -> str:
    return reverse(name, kwargs={"reference": family.reference, **kwargs})


@pytest.fixture
def concern(family, coordinator, open_as) -> Concern:
    return services.concern_raise(
        access=open_as(coordinator, family, "safeguarding", change=True),
        category="neglect",
        observed=OBSERVED,
        observed_on=TODAY(),
        actor=coordinator,
    )


@pytest.mark.policy("1.2")
def test_second_person_recording_a_withdrawal_is_told_and_the_first_stands(
    family, coordinator, manager, client_for, give_consent
):
    consent = give_consent(family)
    page = url("consent:withdraw", family, consent_id=consent.pk)
    first, second = client_for(coordinator), client_for(manager)
    v1, v2 = version_in(first.get(page).content.decode()), version_in(second.get(page).content.decode())
    yesterday = TODAY() - datetime.timedelta(days=1)

    assert (
        first.post(
            page, {"withdrawn_on": yesterday.isoformat(), "notes": "Told at the visit", "version": v1}
        ).status_code
        == 302
    )
    clash = second.post(page, {"withdrawn_on": TODAY().isoformat(), "notes": "By phone", "version": v2})

    html = clash.content.decode()
    assert clash.status_code == 200 and conflict_at_top(html)
    assert "Told at the visit" in html and "Withdrawn on" in html, "the page shows the withdrawal already recorded"
    consent = Consent.objects.get(pk=consent.pk)
    assert (consent.withdrawn_on, consent.withdrawal_notes, consent.withdrawn_recorded_by) == (
        yesterday,
        "Told at the visit",
        coordinator,
    )
    assert [h.history_user for h in consent.history.order_by("history_id")][-1:] == [coordinator]
    assert consent.history.count() == 2
    assert not may_share(family=family, scope=consent.scope, recipient=Recipient(consent.recipient_kind)).allowed
    # Sent again from the version shown, it is refused for what it is: already withdrawn.
    again = second.post(page, {"withdrawn_on": TODAY().isoformat(), "version": version_in(html)})
    assert "already been withdrawn" in again.content.decode()


@pytest.mark.policy("2.1")
def test_second_person_recording_the_referral_is_told_and_the_first_stands(
    family, concern, coordinator, safeguarding_lead, client_for
):
    page = url("safeguarding:concern_refer", family, concern_id=concern.pk)
    first, second = client_for(safeguarding_lead), client_for(coordinator)
    v1, v2 = version_in(first.get(page).content.decode()), version_in(second.get(page).content.decode())

    assert (
        first.post(page, {"referred_on": TODAY().isoformat(), "la_reference": "LA-2026-001", "version": v1}).status_code
        == 302
    )
    clash = second.post(page, {"referred_on": TODAY().isoformat(), "la_reference": "LA-WRONG", "version": v2})

    html = clash.content.decode()
    assert clash.status_code == 200 and conflict_at_top(html) and 'value="LA-2026-001"' in html
    concern.refresh_from_db()
    assert (concern.status, concern.la_reference) == (Concern.Status.REFERRED, "LA-2026-001")
    assert [h.history_user for h in concern.history.order_by("history_id")] == [coordinator, safeguarding_lead]


@pytest.mark.policy("2.1")
def test_closing_a_concern_someone_changed_since_it_was_read_is_refused_with_a_message(
    family, concern, coordinator, safeguarding_lead, client_for
):
    lead = client_for(safeguarding_lead)
    page = url("safeguarding:concern", family, concern_id=concern.pk)
    read_version = version_in(lead.get(page).content.decode())
    refer = url("safeguarding:concern_refer", family, concern_id=concern.pk)
    coordinator_client = client_for(coordinator)
    coordinator_client.post(
        refer,
        {
            "referred_on": TODAY().isoformat(),
            "la_reference": "LA-7",
            "version": version_in(coordinator_client.get(refer).content.decode()),
        },
    )

    closed = lead.post(url("safeguarding:concern_close", family, concern_id=concern.pk), {"version": read_version})
    assert closed["Location"] == page
    assert "Someone else changed this concern after you opened it, so it was not closed" in banner(
        lead.get(page).content.decode()
    )
    concern.refresh_from_db()
    assert concern.status == Concern.Status.REFERRED and concern.closed_at is None
    # Having read it as it is now, the lead closes it.
    lead.post(url("safeguarding:concern_close", family, concern_id=concern.pk), {"version": row_version(concern)})
    concern.refresh_from_db()
    assert concern.status == Concern.Status.CLOSED


@pytest.mark.policy("10.2")
def test_second_person_recording_a_court_order_is_told_and_the_first_stands(
    family, manager, safeguarding_lead, client_for, open_as
):
    logged = services.request_log(
        access=open_as(manager, family, "safeguarding", change=True),
        kind="court",
        received_on=TODAY(),
        requester="Chester County Court",
        details="Visit records",
        actor=manager,
    )
    page = url("safeguarding:request_order", family, request_id=logged.pk)
    first, second = client_for(manager), client_for(safeguarding_lead)
    v1, v2 = version_in(first.get(page).content.decode()), version_in(second.get(page).content.decode())
    assert (
        first.post(
            page, {"order_reference": "CO/2026/118", "order_made_on": TODAY().isoformat(), "version": v1}
        ).status_code
        == 302
    )
    clash = second.post(page, {"order_reference": "CO/2026/999", "order_made_on": TODAY().isoformat(), "version": v2})
    assert conflict_at_top(clash.content.decode()) and 'value="CO/2026/118"' in clash.content.decode()
    logged.refresh_from_db()
    assert logged.order_reference == "CO/2026/118"
    assert logged.history.count() == 2


@pytest.mark.policy("10.3")
def test_two_decisions_on_one_police_request_cannot_both_be_recorded(
    family, manager, safeguarding_lead, client_for, open_as
):
    logged = services.request_log(
        access=open_as(manager, family, "safeguarding", change=True),
        kind="police",
        received_on=TODAY(),
        requester="DC Smith",
        details="Anything",
        actor=manager,
    )
    page = url("safeguarding:request_refuse", family, request_id=logged.pk)
    first, second = client_for(manager), client_for(safeguarding_lead)
    v1, v2 = version_in(first.get(page).content.decode()), version_in(second.get(page).content.decode())
    assert first.post(page, {"decision_reason": "No exception applies", "version": v1}).status_code == 302
    clash = second.post(page, {"decision_reason": "Another reason", "version": v2})
    assert "already waits for approval" in clash.content.decode()
    from access_log.models import Approval
    from homestart.rules import Role
    from tests.approval_helpers import decide
    from tests.conftest import _member

    # No concern is open: a manager, another than the one who asked, approves (access_log/approvals.py).
    decide(Approval.objects.get(subject_id=logged.pk), _member(logged.family.scheme, Role.MANAGER, "manager2"))
    logged.refresh_from_db()
    assert (logged.decision, logged.decision_reason, logged.decided_by) == (
        ExternalRequest.Decision.REFUSED,
        "No exception applies",
        manager,
    )

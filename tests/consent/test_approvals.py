"""Two people for every power over files: approvals that happen (access_log/approvals.py).

For each of the four kinds — a disclosure without consent (§2.1, §7.4), a transfer without
consent (§9.3), a decision on a police request (§10.3), the release of a case study (§3.3,
§7.5) — the person who asked cannot approve it, nor can someone without the approver's role,
nor another scheme's manager; nothing is shared, transferred, decided or released before a
second person approves it; the approval makes it happen and the register names the approver;
a refusal leaves nothing done. In a safeguarding emergency the lead or the manager acts alone
with a reason, and the other is told at once (e-mail and their page)."""

from __future__ import annotations

import pytest
from django.core import mail
from django.urls import reverse

from access_log import gate
from access_log.models import AccessEvent, AppendOnlyError, Approval, ApprovalDecision, ApprovalNotice
from consent import services as consent_services
from consent import transfers
from consent.models import Disclosure, RecipientKind, Scope, Transfer
from consent.sharing import Recipient
from families.models import Family
from homestart.rules import Role
from reporting import services as reporting_services
from reporting.models import CaseStudy
from safeguarding import services as sg_services
from safeguarding.models import ExternalRequest
from tests.conftest import CARER_LAST, _member
from tests.sharing_fixtures import OBSERVED, SUMMARY, TODAY

CLEAN = "A parent who felt alone now goes to a weekly group and says she has friends there."
KINDS = ["disclosure", "transfer", "police", "case_study"]


def _told():
    return {"family_told": "told", "family_told_on": TODAY()}


@pytest.fixture
def concern(family, coordinator, open_as):
    return sg_services.concern_raise(
        access=open_as(coordinator, family, "safeguarding", change=True),
        category="neglect",
        observed=OBSERVED,
        observed_on=TODAY(),
        actor=coordinator,
    )


@pytest.fixture
def other_manager(sefton):
    return _member(sefton, Role.MANAGER, "sefton_manager")


@pytest.fixture
def second_coordinator(wirral):
    """Wirral staff who holds no approver's role."""
    return _member(wirral, Role.COORDINATOR, "coordinator_two")


def _ask(kind, *, family, coordinator, safeguarding_lead, sefton, emergency_reason="", as_user=None):
    """Ask for one approval of ``kind``; returns (approval, who asked)."""
    if kind == "disclosure":
        user = as_user or safeguarding_lead
        access = gate.open_family(user=user, reference=family.reference, section="safeguarding", for_change=True)
        return consent_services.disclosure_record(
            access=access,
            channel=Disclosure.Channel.SAFEGUARDING,
            scope=Scope.SPECIFIC,
            recipient=Recipient(RecipientKind.CHILDRENS_SERVICES, "Wirral children's services"),
            summary=SUMMARY,
            shared_on=TODAY(),
            justification="Child left alone overnight",
            actor=user,
            emergency_reason=emergency_reason,
            **_told(),
        ), user
    if kind == "transfer":
        user = as_user or coordinator
        access = gate.open_family(user=user, reference=family.reference, section="consent", for_change=True)
        return transfers.transfer_to_scheme(
            access=access,
            to_scheme=sefton,
            sections=["members", "contact"],
            summary="Moving to Sefton",
            justification="Concerns about neglect",
            actor=user,
            emergency_reason=emergency_reason,
            **_told(),
        ), user
    if kind == "police":
        user = as_user or safeguarding_lead
        access = gate.open_family(user=user, reference=family.reference, section="safeguarding", for_change=True)
        logged = sg_services.request_log(
            access=access,
            kind="police",
            received_on=TODAY(),
            requester="DC Smith",
            details="Where the child lives",
            actor=user,
        )
        return sg_services.request_disclose(
            access=access,
            request=logged,
            summary=SUMMARY,
            shared_on=TODAY(),
            reason="The child's safety",
            actor=user,
            emergency_reason=emergency_reason,
            **_told(),
        ), user
    user = as_user or coordinator
    study = reporting_services.case_study_create(
        family=family,
        actor=coordinator,
        title="Finding friends",
        draft=CLEAN,
        family_consented=True,
        consent_recorded_on=TODAY(),
    )
    access = gate.open_family(user=user, reference=family.reference, section="case_studies", for_change=True)
    return reporting_services.case_study_release_request(study=study, access=access, actor=user), user


def _happened(kind, approval) -> bool:
    if kind == "disclosure":
        return Disclosure.objects.filter(approval=approval).exists()
    if kind == "transfer":
        return Family.objects.filter(scheme__code="SEF").exists() and Transfer.objects.exists()
    if kind == "police":
        return ExternalRequest.objects.get(pk=approval.subject_id).decision == ExternalRequest.Decision.DISCLOSED
    return CaseStudy.objects.get(pk=approval.subject_id).status == CaseStudy.Status.RELEASED


def _page(approval) -> str:
    return reverse("access_log:approval", kwargs={"approval_id": approval.pk})


@pytest.fixture
def asking(concern, family, coordinator, safeguarding_lead, sefton):
    def ask(kind, **kwargs):
        return _ask(
            kind, family=family, coordinator=coordinator, safeguarding_lead=safeguarding_lead, sefton=sefton, **kwargs
        )

    return ask


@pytest.mark.policy("2.1", "7.4", "9.3", "10.3", "3.3")
@pytest.mark.parametrize("kind", KINDS)
def test_nothing_happens_until_a_second_person_with_the_role_approves(
    kind, asking, manager, second_coordinator, other_manager, client_for, family, trustee
):
    approval, asker = asking(kind)
    assert isinstance(approval, Approval) and not _happened(kind, approval)
    # The person who asked, staff without the approver's role, another scheme's manager: refused.
    assert client_for(asker).post(_page(approval), {"decision": "approve"}).status_code == 403
    assert client_for(second_coordinator).post(_page(approval), {"decision": "approve"}).status_code == 403
    assert client_for(other_manager).post(_page(approval), {"decision": "approve"}).status_code == 404
    assert not _happened(kind, approval) and not ApprovalDecision.objects.exists()
    # Nothing shared before approval.
    if kind == "transfer":
        assert not Family.objects.filter(scheme__code="SEF").exists()
    if kind == "case_study":
        assert (
            client_for(trustee)
            .get(reverse("reporting:case_study_detail", kwargs={"study_id": approval.subject_id}))
            .status_code
            == 404
        )
    # The scheme manager approves: it happens now, in their name.
    assert client_for(manager).post(_page(approval), {"decision": "approve"}).status_code == 302
    assert _happened(kind, approval)
    decision = ApprovalDecision.objects.get(approval=approval)
    assert (decision.outcome, decision.decided_by) == (ApprovalDecision.Outcome.APPROVED, manager)
    assert AccessEvent.objects.filter(user=manager, file_reference=family.reference, action="change").exists()
    if kind == "case_study":
        study = CaseStudy.objects.get(pk=approval.subject_id)
        assert study.released_by == manager
        assert (
            CLEAN
            in client_for(trustee)
            .get(reverse("reporting:case_study_detail", kwargs={"study_id": study.pk}))
            .content.decode()
        )
    else:
        disclosure = Disclosure.objects.get(approval=approval)
        assert disclosure.approved_by == manager and disclosure.recorded_by == asker
        register = (
            client_for(asker if kind != "police" else manager)
            .get(reverse("consent:disclosures", kwargs={"reference": family.reference}))
            .content.decode()
        )
        assert f"Approved by {manager.get_full_name()}" in register
        assert f"asked by {asker.get_full_name()}" in register
    # Decided once: a second decision is refused, with a message.
    again = client_for(manager).post(_page(approval), {"decision": "refuse", "reason": "x"})
    assert again.status_code == 200 and "already been decided" in again.content.decode()
    assert ApprovalDecision.objects.get(approval=approval).outcome == ApprovalDecision.Outcome.APPROVED


@pytest.mark.policy("2.1", "9.3", "10.3")
@pytest.mark.parametrize("kind", ["disclosure", "transfer", "police"])
def test_the_safeguarding_lead_approves_what_rests_on_a_concern(kind, asking, manager, safeguarding_lead, client_for):
    asker = manager if kind != "transfer" else None
    approval, _ = asking(kind, as_user=asker)
    assert client_for(safeguarding_lead).post(_page(approval), {"decision": "approve"}).status_code == 302
    assert _happened(kind, approval)


@pytest.mark.policy("3.3")
def test_the_safeguarding_lead_never_approves_a_case_study(asking, safeguarding_lead, client_for):
    approval, _ = asking("case_study")
    assert client_for(safeguarding_lead).post(_page(approval), {"decision": "approve"}).status_code == 404
    assert not _happened("case_study", approval)


@pytest.mark.policy("2.1", "7.4", "9.3", "10.3", "3.3")
@pytest.mark.parametrize("kind", KINDS)
def test_a_refusal_needs_a_reason_and_leaves_nothing_done(kind, asking, manager, client_for, family):
    approval, asker = asking(kind)
    client = client_for(manager)
    response = client.post(_page(approval), {"decision": "refuse", "reason": ""})
    assert response.status_code == 200 and "Give the reason for refusing" in response.content.decode()
    assert not ApprovalDecision.objects.exists()
    assert client.post(_page(approval), {"decision": "refuse", "reason": "Not proportionate"}).status_code == 302
    assert not _happened(kind, approval) and not Disclosure.objects.exists()
    page = client_for(asker).get(_page(approval)).content.decode()
    assert f"refused by {manager.get_full_name()}" in page and "Not proportionate" in page
    if kind in ("disclosure", "transfer"):
        register = client_for(manager).get(reverse("consent:disclosures", kwargs={"reference": family.reference}))
        assert "refused by" in register.content.decode()


@pytest.mark.policy("9.3")
def test_an_export_package_exists_only_once_the_transfer_is_approved(
    concern, family, coordinator, manager, client_for, open_as
):
    approval, package = transfers.transfer_export(
        access=open_as(coordinator, family, "consent", change=True),
        to_scheme_name="Home-Start Far Away",
        passphrase="a long passphrase",
        sections=["members"],
        summary="Moving",
        justification="Concerns",
        actor=coordinator,
        **_told(),
    )
    assert isinstance(approval, Approval) and package is None and not Transfer.objects.exists()
    register = reverse("consent:disclosures", kwargs={"reference": family.reference})
    assert "Download the package" not in client_for(coordinator).get(register).content.decode()
    client_for(manager).post(_page(approval), {"decision": "approve"})
    transfer = Transfer.objects.get()
    url = reverse("consent:transfer_package", kwargs={"reference": family.reference, "transfer_id": transfer.pk})
    assert url in client_for(coordinator).get(register).content.decode()
    short = client_for(coordinator).post(url, {"passphrase": "short"})
    assert short.status_code == 200 and "at least 12" in short.content.decode()
    response = client_for(coordinator).post(url, {"passphrase": "a long passphrase"})
    assert response["Content-Type"] == "application/octet-stream"
    data = transfers.open_package(response.content, "a long passphrase")
    assert data["members"][0]["last_name"] == CARER_LAST and "contact" not in data


@pytest.mark.policy("2.1", "9.3", "10.3")
@pytest.mark.parametrize(
    "kind,who", [("disclosure", "safeguarding_lead"), ("transfer", "manager"), ("police", "safeguarding_lead")]
)
def test_in_an_emergency_one_person_acts_alone_and_the_other_is_told_at_once(
    request, kind, who, asking, manager, safeguarding_lead, client_for, family, django_capture_on_commit_callbacks
):
    actor = request.getfixturevalue(who)
    other = manager if actor == safeguarding_lead else safeguarding_lead
    with django_capture_on_commit_callbacks(execute=True):
        approval, _ = asking(kind, as_user=actor, emergency_reason="The child is in danger tonight")
    assert _happened(kind, approval)
    decision = approval.decision
    assert (decision.outcome, decision.decided_by) == (ApprovalDecision.Outcome.EMERGENCY, actor)
    assert list(ApprovalNotice.objects.values_list("user", flat=True)) == [other.pk]
    (sent,) = mail.outbox
    assert sent.to == [other.email] and "acted alone" in sent.subject and _page(approval) in sent.body
    assert "danger" not in sent.body  # the reason is read on the page, through the gate
    landing = client_for(other).get(reverse("families:dashboard")).content.decode()
    assert "acted alone" in landing and _page(approval) in landing
    disclosure = Disclosure.objects.get(approval=approval)
    register = client_for(other).get(reverse("consent:disclosures", kwargs={"reference": family.reference}))
    assert (
        f"Emergency — acted alone by {actor.get_full_name()}" in register.content.decode()
        and "in danger tonight" in register.content.decode()
    )
    assert disclosure.approved_by == actor


@pytest.mark.policy("2.1", "3.3")
def test_only_the_lead_or_manager_act_alone_and_only_in_safeguarding(asking, family, coordinator, manager):
    from django.core.exceptions import ValidationError

    from access_log import approvals
    from access_log.models import ApprovalKind

    with pytest.raises(ValidationError, match="act alone"):
        asking("transfer", emergency_reason="In a hurry")  # a coordinator asks
    # A case study's release rests on no concern: nobody acts alone on it.
    access = gate.open_family(user=manager, reference=family.reference, section="case_studies", for_change=True)
    with pytest.raises(ValidationError, match="act alone"):
        approvals.approval_request(
            access=access,
            kind=ApprovalKind.CASE_STUDY,
            asking={},
            actor=manager,
            emergency_reason="Trustees meet tonight",
        )
    assert not Approval.objects.exists() and not ApprovalDecision.objects.exists()


@pytest.mark.policy("2.1")
def test_approvers_see_what_waits_for_them_on_their_landing_page_and_the_list(
    asking, manager, safeguarding_lead, coordinator, client_for
):
    approval, _ = asking("transfer")
    for approver in (manager, safeguarding_lead):
        landing = client_for(approver).get(reverse("families:dashboard")).content.decode()
        assert "1 waiting for your approval" in landing and _page(approval) in landing
        listing = client_for(approver).get(reverse("access_log:approvals")).content.decode()
        assert _page(approval) in listing and coordinator.get_full_name() in listing
    mine = client_for(coordinator).get(reverse("access_log:approvals")).content.decode()
    assert "Nothing waits for your approval" in mine and "awaiting approval" in mine


@pytest.mark.policy("2.1")
def test_decisions_are_append_only(asking, manager, client_for):
    approval, _ = asking("disclosure")
    client_for(manager).post(_page(approval), {"decision": "refuse", "reason": "Wait for the visit"})
    decision = ApprovalDecision.objects.get()
    decision.outcome = ApprovalDecision.Outcome.APPROVED
    with pytest.raises(AppendOnlyError):
        decision.save()
    with pytest.raises(AppendOnlyError):
        decision.delete()
    with pytest.raises(AppendOnlyError):
        ApprovalDecision.objects.update(outcome="approved")
    with pytest.raises(AppendOnlyError):
        Approval.objects.all().delete()
    assert ApprovalDecision.objects.get().outcome == ApprovalDecision.Outcome.REFUSED


@pytest.mark.policy("7.4")
def test_a_consent_withdrawn_or_a_concern_closed_before_approval_stops_the_sharing(
    asking, concern, manager, safeguarding_lead, family, client_for, open_as
):
    approval, _ = asking("disclosure")
    sg_services.concern_close(
        access=open_as(manager, family, "safeguarding", change=True), concern=concern, actor=manager
    )
    response = client_for(manager).post(_page(approval), {"decision": "approve"})
    assert response.status_code == 200 and "concern" in response.content.decode()
    assert not Disclosure.objects.exists() and not ApprovalDecision.objects.exists()


@pytest.mark.policy("2.1")
@pytest.mark.skipif(
    __import__("django.db").db.connection.vendor != "postgresql", reason="the trigger exists on PostgreSQL only"
)
@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE access_log_approvaldecision SET outcome = 'approved'",
        "DELETE FROM access_log_approvaldecision",
        "UPDATE access_log_approval SET requested_role = 'manager'",
        "DELETE FROM access_log_approval",
    ],
)
def test_the_database_refuses_to_rewrite_a_decision(statement, asking, manager, client_for):
    from django.db import DatabaseError, connection, transaction

    approval, _ = asking("disclosure")
    client_for(manager).post(_page(approval), {"decision": "refuse", "reason": "Wait for the visit"})
    # As the application's role the missing privilege refuses first; as the owner, the trigger.
    with (
        pytest.raises(DatabaseError, match="append-only|permission denied"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(statement)
    assert ApprovalDecision.objects.get().outcome == ApprovalDecision.Outcome.REFUSED

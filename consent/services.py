"""Writes for consents, statements and the disclosure register.

Each write takes the ``FileAccess`` the gate granted and makes its change inside
``gate.changing``: the change and its access event commit together, and
nothing is written about a family without the gate's say-so. Every sharing goes
through ``sharing.may_share``; nothing here decides on its own whether
information may leave Home-Start.
"""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from access_log import approvals, gate
from access_log.gate import FileAccess
from access_log.models import Approval, ApprovalKind
from families.models import Member
from homestart.concurrency import check_version
from homestart.errors import AccessRefused, NotAllowed
from homestart.language import in_records
from homestart.models import PolicyVersion, User
from homestart.rules import Role, Section
from homestart.writes import save_tracked

from .models import ConfidentialityStatement, Consent, Disclosure, LegalBasis, RecipientKind, Scope, told_and_justified
from .sharing import Recipient, SharingDecision, may_share

if TYPE_CHECKING:
    from safeguarding.models import ExternalRequest
# Who records a disclosure on the register's own page (§2.1); who approves it: access_log.approvals.
APPROVERS = (Role.SAFEGUARDING_LEAD, Role.MANAGER)


class SharingRefused(NotAllowed):
    """``may_share`` said no: the reason is the message."""


def _require_role(access: FileAccess, roles: tuple[str, ...], message: str) -> None:
    if access.role not in roles:
        raise AccessRefused(message)


def _adult_of(access: FileAccess, member: Member) -> Member:
    if member.family_id != access.target.pk or member.kind != Member.Kind.ADULT:
        raise ValidationError({"given_by": _("Choose a parent or carer of this family.")})
    return member


@transaction.atomic
def statement_record(
    *,
    access: FileAccess,
    given_to: Member,
    given_on: datetime.date,
    verbally: bool,
    in_writing: bool,
    actor: User,
    notes: str = "",
) -> ConfidentialityStatement:
    """§1.1: the family was given Home-Start's position on confidentiality, verbally and in writing."""
    _require_role(access, (Role.COORDINATOR, Role.MANAGER), _("Only the scheme's staff record this (§1.1)."))
    if not (verbally and in_writing):
        raise ValidationError(_("The family is given the information both verbally and in writing (§1.1)."))
    version = PolicyVersion.current()
    if version is None:
        raise ValidationError(_("No Confidentiality Policy is published yet."))
    if given_on > timezone.localdate():
        raise ValidationError({"given_on": _("The date cannot be in the future.")})
    with gate.changing(access, section=Section.CONSENT) as family:
        statement = ConfidentialityStatement(
            family=family,
            given_to=_adult_of(access, given_to),
            given_on=given_on,
            given_by=actor,
            verbally=verbally,
            in_writing=in_writing,
            policy_version=version,
            notes=notes,
            recorded_by=actor,
        )
        save_tracked(statement, actor=actor)
    return statement


@transaction.atomic
def consent_record(
    *,
    access: FileAccess,
    given_by: Member,
    scope: str,
    recipient_kind: str,
    method: str,
    given_on: datetime.date,
    review_on: datetime.date,
    actor: User,
    recipient_name: str = "",
) -> Consent:
    """A consent given at the initial or a review visit (§1.2–§1.4)."""
    _require_role(access, (Role.COORDINATOR, Role.MANAGER), _("Only the scheme's staff record consents (§1.2)."))
    if given_on > timezone.localdate():
        raise ValidationError({"given_on": _("The date cannot be in the future.")})
    if review_on < given_on:
        raise ValidationError({"review_on": _("The review date must be on or after the date consent was given.")})
    if recipient_kind in (RecipientKind.POLICE, RecipientKind.COURT, RecipientKind.CHILDRENS_SERVICES):
        raise ValidationError(
            {
                "recipient_kind": _(
                    "Consent is recorded for the referrer, an agency, the health visitor or a new scheme."
                )
            }
        )
    with gate.changing(access, section=Section.CONSENT) as family:
        consent = Consent(
            family=family,
            given_by=_adult_of(access, given_by),
            scope=scope,
            recipient_kind=recipient_kind,
            recipient_name=recipient_name.strip(),
            method=method,
            given_on=given_on,
            review_on=review_on,
            recorded_by=actor,
        )
        save_tracked(consent, actor=actor)
    return consent


@transaction.atomic
def consent_withdraw(
    *,
    access: FileAccess,
    consent: Consent,
    withdrawn_on: datetime.date,
    actor: User,
    notes: str = "",
    expected_version: str | None = None,
) -> Consent:
    """The family withdrew consent: sharing under it stops at once (§1.2). ``expected_version``:
    the version the form was opened on; if someone else recorded a withdrawal meanwhile,
    ``EditConflict`` and theirs stands (``homestart.concurrency``)."""
    _require_role(access, (Role.COORDINATOR, Role.MANAGER), _("Only the scheme's staff record this (§1.2)."))
    if consent.family_id != access.target.pk:
        raise gate.FileHidden("No such consent.")
    check_version(consent, expected_version)
    if consent.withdrawn:
        raise ValidationError(_("This consent has already been withdrawn."))
    if withdrawn_on > timezone.localdate() or withdrawn_on < consent.given_on:
        raise ValidationError(
            {
                "withdrawn_on": _(
                    "Give the date the family withdrew consent: not in the future, and not before it was given."
                )
            }
        )
    with gate.changing(access, section=Section.CONSENT):
        consent.withdrawn_at = timezone.now()
        consent.withdrawn_on = withdrawn_on
        consent.withdrawn_recorded_by = actor
        consent.withdrawal_notes = notes
        save_tracked(
            consent,
            actor=actor,
            update_fields=["withdrawn_at", "withdrawn_on", "withdrawn_recorded_by", "withdrawal_notes"],
        )
    return consent


def sharing_check(
    *,
    access: FileAccess,
    scope: str,
    recipient: Recipient,
    summary: str,
    family_told: str,
    family_told_on: datetime.date | None = None,
    not_told_reason: str = "",
    justification: str = "",
    exception: str = "",
    request: ExternalRequest | None = None,
    expect_basis: str = "",
) -> SharingDecision:
    """Everything a sharing needs before it is recorded or asked for: what was shared, whether the
    family was told (§1.5, §2.2), ``may_share``'s answer (``SharingRefused`` when no), and a
    justification when there is no consent."""
    if not summary.strip():
        raise ValidationError({"summary": _("Summarise what was shared.")})
    told = {"family_told": family_told, "family_told_on": family_told_on, "not_told_reason": not_told_reason}
    if errors := told_and_justified(**told):
        raise NotAllowed(errors)
    decision: SharingDecision = may_share(
        family=access.target, scope=scope, recipient=recipient, exception=exception, request=request
    )
    if not decision.allowed:
        raise SharingRefused(decision.reason)
    if expect_basis == LegalBasis.CONSENT and decision.basis != LegalBasis.CONSENT:
        raise SharingRefused(_("The family has not consented to this (or has withdrawn consent)."))
    if expect_basis and decision.basis not in (expect_basis, LegalBasis.CONSENT):
        raise SharingRefused(
            _("That basis does not apply here: the information may go on this basis only: %(basis)s.")
            % {"basis": LegalBasis(decision.basis).label}
        )
    if errors := told_and_justified(**told, justification=justification, needs_justification=decision.needs_approval):
        raise NotAllowed(errors)
    return decision


def disclosure_write(
    *,
    access: FileAccess,
    decision: SharingDecision,
    channel: str,
    scope: str,
    recipient: Recipient,
    summary: str,
    shared_on: datetime.date,
    family_told: str,
    actor: User,
    family_told_on: datetime.date | None = None,
    not_told_reason: str = "",
    justification: str = "",
    section: str = Section.SAFEGUARDING,
    approval: Approval | None = None,
    corrects: Disclosure | None = None,
) -> Disclosure:
    """Write one entry of the register. Without consent only from an approval (its decision names
    who approved, or who acted alone in an emergency), never from a name the recorder chose."""
    approved_by = None
    if decision.needs_approval:
        outcome = approvals.decision_of(approval) if approval is not None else None
        if outcome is None or outcome.outcome == outcome.Outcome.REFUSED:
            raise AccessRefused(_("Sharing without the family's consent happens only once it is approved."))
        approved_by = outcome.decided_by
    with gate.changing(access, section=section) as family:
        disclosure = Disclosure(
            family=family,
            channel=channel,
            scope=scope,
            recipient_kind=recipient.kind,
            recipient_name=recipient.name or in_records(RecipientKind(recipient.kind).label),
            summary=summary,
            shared_on=shared_on,
            basis=decision.basis,
            consent=decision.consent,
            concern=decision.concern,
            request=decision.request,
            justification=justification,
            approved_by=approved_by,
            approval=approval,
            family_told=family_told,
            family_told_on=family_told_on if family_told == Disclosure.FamilyTold.TOLD else None,
            not_told_reason=not_told_reason if family_told == Disclosure.FamilyTold.NOT_TOLD else "",
            recorded_by=approval.requested_by if approval is not None else actor,
            corrects=corrects,
        )
        save_tracked(disclosure, actor=actor)
    return disclosure


@transaction.atomic
def disclosure_record(
    *,
    access: FileAccess,
    channel: str,
    scope: str,
    recipient: Recipient,
    summary: str,
    shared_on: datetime.date,
    family_told: str,
    actor: User,
    family_told_on: datetime.date | None = None,
    not_told_reason: str = "",
    justification: str = "",
    exception: str = "",
    request: ExternalRequest | None = None,
    section: str = Section.SAFEGUARDING,
    expect_basis: str = "",
    emergency_reason: str = "",
    corrects: Disclosure | None = None,
) -> Disclosure | Approval:
    """Record one sharing outside Home-Start, on the basis ``may_share`` gives.

    Refused (``SharingRefused``) when ``may_share`` says no. With the family's consent it is
    recorded at once. Without it (§2.1, §7.4) the recorder justifies it and it waits, as an
    ``Approval``, until the scheme's manager (or, resting on a concern, the safeguarding lead)
    approves it: another person than the recorder. Only then is it shared and in the register,
    dated the day of approval. In a safeguarding emergency the lead or the manager acts alone
    with ``emergency_reason``, and the other is told at once (``access_log.approvals``).
    The family was told (when), or the reason they were not is recorded (§1.5, §2.2).

    The register is append-only: to put a mistake right, record the sharing again as
    it happened, with ``corrects`` the entry it replaces; the earlier entry stays.
    """
    if corrects is not None and corrects.family_id != access.target.pk:
        raise gate.FileHidden("No such disclosure.")
    if shared_on > timezone.localdate():
        raise ValidationError({"shared_on": _("The date cannot be in the future.")})
    told = {"family_told": family_told, "family_told_on": family_told_on, "not_told_reason": not_told_reason}
    decision = sharing_check(
        access=access,
        scope=scope,
        recipient=recipient,
        summary=summary,
        justification=justification,
        exception=exception,
        request=request,
        expect_basis=expect_basis,
        **told,
    )
    if not decision.needs_approval:
        return disclosure_write(
            access=access,
            decision=decision,
            channel=channel,
            scope=scope,
            recipient=recipient,
            summary=summary,
            shared_on=shared_on,
            justification=justification,
            actor=actor,
            section=section,
            corrects=corrects,
            **told,
        )
    asking = {
        "channel": channel,
        "scope": scope,
        "recipient_kind": recipient.kind,
        "recipient_name": recipient.name,
        "summary": summary,
        "justification": justification,
        "exception": exception,
        "request_id": str(request.pk) if request else "",
        "basis": decision.basis,
        "section": section,
        "family_told": family_told,
        "family_told_on": family_told_on.isoformat() if family_told_on else "",
        "not_told_reason": not_told_reason,
        "corrects_id": str(corrects.pk) if corrects else "",
    }
    return approvals.approval_request(
        access=access,
        kind=ApprovalKind.DISCLOSURE,
        asking=asking,
        actor=actor,
        safeguarding=decision.basis == LegalBasis.SAFEGUARDING,
        emergency_reason=emergency_reason,
    )


def _told_from(asking: dict) -> dict:
    told_on = asking.get("family_told_on") or ""
    return {
        "family_told": asking["family_told"],
        "not_told_reason": asking.get("not_told_reason", ""),
        "family_told_on": datetime.date.fromisoformat(told_on) if told_on else None,
    }


def disclosure_carry_out(approval: Approval, asking: dict, access: FileAccess, actor: User, decision) -> Disclosure:
    """The approved disclosure happens: ``may_share`` is asked again now (a concern closed or a
    consent withdrawn since the request stops it), and the register records it, today."""
    # circle: consent ↔ safeguarding (a decision on a police or court request is a disclosure under
    # these rules, and safeguarding sits above consent); the request it answers is looked up here.
    from safeguarding.models import ExternalRequest

    request = ExternalRequest.objects.filter(pk=asking["request_id"]).first() if asking.get("request_id") else None
    recipient = Recipient(asking["recipient_kind"], asking["recipient_name"])
    sharing = sharing_check(
        access=access,
        scope=asking["scope"],
        recipient=recipient,
        summary=asking["summary"],
        justification=asking["justification"],
        exception=asking.get("exception", ""),
        request=request,
        **_told_from(asking),
    )
    return disclosure_write(
        access=access,
        decision=sharing,
        channel=asking["channel"],
        scope=asking["scope"],
        recipient=recipient,
        summary=asking["summary"],
        shared_on=timezone.localdate(),
        justification=asking["justification"],
        actor=actor,
        section=approvals.HANDLERS[approval.kind].section,
        approval=approval,
        **_told_from(asking),
        corrects=Disclosure.objects.filter(pk=asking["corrects_id"], family=access.target).first()
        if asking.get("corrects_id")
        else None,
    )


def describe_sharing(approval: Approval, asking: dict) -> list[tuple[str, str]]:
    """What a disclosure waiting for approval would share, for the approval page."""
    rows = [
        (_("Recipient"), asking.get("recipient_name") or RecipientKind(asking["recipient_kind"]).label),
        (_("What would be shared"), asking.get("summary", "")),
    ]
    if asking.get("basis"):
        rows.append((_("Legal basis"), legal_basis_label(asking["basis"])))
    rows.append((_("Justification"), asking.get("justification", "")))
    if asking.get("family_told") == Disclosure.FamilyTold.TOLD:
        told_on = datetime.date.fromisoformat(asking["family_told_on"]) if asking.get("family_told_on") else None
        rows.append(
            (_("Family told"), _("Yes, on %(date)s") % {"date": date_format(told_on, "j F Y")} if told_on else _("Yes"))
        )
    elif asking.get("family_told"):
        rows.append((_("Family told"), _("No: %(reason)s") % {"reason": asking.get("not_told_reason", "")}))
    return rows


def referrer_of(family: Any) -> Recipient:
    referral = family.referrals.order_by("-referred_on").first()
    if referral is None:
        return Recipient(RecipientKind.REFERRER)
    name = ", ".join(p for p in (referral.referrer_name, referral.referrer_organisation) if p)
    return Recipient(RecipientKind.REFERRER, name or referral.get_source_display())


@transaction.atomic
def communication_send(
    *,
    access: FileAccess,
    recipient: Recipient,
    scope: str,
    summary: str,
    shared_on: datetime.date,
    family_told: str,
    actor: User,
    family_told_on: datetime.date | None = None,
    not_told_reason: str = "",
    justification: str = "",
) -> Disclosure | Approval:
    """Communication with the referrer or an agency: the coordinator's responsibility (§7.2–§7.4).
    Without consent it waits for approval (``disclosure_record``)."""
    _require_role(access, (Role.COORDINATOR,), _("Communication with the referrer is the coordinator's (§7.2)."))
    if recipient.kind not in (RecipientKind.REFERRER, RecipientKind.AGENCY, RecipientKind.HEALTH_VISITOR):
        raise ValidationError({"recipient_kind": _("Choose the referrer, the health visitor or an agency.")})
    if scope not in (Scope.GENERAL, Scope.SPECIFIC, Scope.SELF_REFERRAL, Scope.MULTI_AGENCY):
        raise ValidationError({"scope": _("Choose what kind of information this is.")})
    channel = (
        Disclosure.Channel.REFERRER_UPDATE if recipient.kind == RecipientKind.REFERRER else (Disclosure.Channel.AGENCY)
    )
    return disclosure_record(
        access=access,
        channel=channel,
        scope=scope,
        recipient=recipient,
        summary=summary,
        shared_on=shared_on,
        family_told=family_told,
        family_told_on=family_told_on,
        not_told_reason=not_told_reason,
        justification=justification,
        actor=actor,
        section=Section.CONSENT,
    )


def legal_basis_label(basis: str) -> str:
    return str(LegalBasis(basis).label) if basis in LegalBasis.values else basis

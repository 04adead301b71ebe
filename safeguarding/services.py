"""Writes for safeguarding concerns and police and court requests (§2, §10.2, §10.3).

Each write takes the ``FileAccess`` the gate granted for the "safeguarding"
section and changes the file inside ``gate.changing``.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from access_log import approvals, gate
from access_log.gate import FileAccess
from access_log.kinds import SCHEME_STAFF_ROLES
from access_log.models import Approval, ApprovalKind
from consent.models import LegalBasis, RecipientKind, Scope
from consent.services import describe_sharing, disclosure_carry_out, sharing_check
from consent.sharing import Recipient
from families.models import Member
from homestart.concurrency import check_version
from homestart.errors import AccessRefused
from homestart.language import ENGLISH, supported
from homestart.models import Membership, User
from homestart.rules import Role, Section
from homestart.writes import save_tracked

from .models import Concern, ConcernAction, ExternalRequest, TrusteeNotice
from .selectors import has_open_concern

# Who follows a concern up, and decides police and court requests.
LEADS = (Role.SAFEGUARDING_LEAD, Role.MANAGER)
# Who records actions on a concern and logs requests (the volunteer only raises concerns).
HANDLERS = (Role.SAFEGUARDING_LEAD, *SCHEME_STAFF_ROLES)


def _require(access: FileAccess, roles: tuple[str, ...], message: str) -> None:
    if access.role not in roles:
        raise AccessRefused(message)


def _own(access: FileAccess, obj: Any) -> None:
    if obj.family_id != access.target.pk:
        raise gate.FileHidden("Not found.")


def _not_future(day: datetime.date, field: str) -> None:
    if day > timezone.localdate():
        raise ValidationError({field: _("The date cannot be in the future.")})


@transaction.atomic
def concern_raise(
    *,
    access: FileAccess,
    category: str,
    observed: str,
    observed_on: datetime.date,
    actor: User,
    observed_at: datetime.time | None = None,
    about_child: Member | None = None,
) -> Concern:
    """Anyone supporting the family raises a concern: staff, the safeguarding lead, the family's volunteer (§2.1).

    ``about_child``: the child it is about, one of this family's children; None for all the children."""
    _require(access, (*HANDLERS, Role.VOLUNTEER), _("You may not raise a concern on this file."))
    _not_future(observed_on, "observed_on")
    if not observed.strip():
        raise ValidationError({"observed": _("Describe what was seen or said.")})
    if about_child is not None and (about_child.family_id != access.target.pk or about_child.kind != Member.Kind.CHILD):
        raise ValidationError({"about_child": _("Select one of this family's children, or all the children.")})
    with gate.changing(access, section=Section.SAFEGUARDING) as family:
        concern = Concern(
            family=family,
            category=category,
            observed=observed,
            observed_on=observed_on,
            observed_at=observed_at,
            about_child=about_child,
            raised_by=actor,
        )
        save_tracked(concern, actor=actor)
    _tell_the_leads(concern=concern, reference=family.reference, scheme_id=family.scheme_id, actor=actor)
    return concern


def _tell_the_leads(*, concern: Concern, reference: str, scheme_id: int, actor: User) -> None:
    """The scheme's safeguarding lead(s) hear of a new concern when it is saved, not the next day
    (§2.1): one e-mail once the concern commits, with the family's reference and a link only —
    nothing of what was seen or said, its category or the family (§8.6)."""
    leads = Membership.objects.current().filter(scheme_id=scheme_id, role=Role.SAFEGUARDING_LEAD).holders()
    by_language = _by_language(leads.exclude(pk=actor.pk).exclude(email=""))
    if not by_language:
        return
    path = reverse("safeguarding:concern", kwargs={"reference": reference, "concern_id": concern.pk})
    for language, recipients in by_language.items():
        with translation.override(language):
            body = _(
                "A new safeguarding concern was raised on family file %(reference)s.\n\n"
                "Open it (sign in first): %(link)s\n\n"
                "This e-mail names the file by its reference only.\n"
            ) % {"reference": reference, "link": f"{settings.SITE_URL}{path}"}
            subject = _("New safeguarding concern: %(reference)s") % {"reference": reference}
        _send_on_commit(subject, body, recipients)


def _by_language(people: Iterable[User], *, unique: bool = True) -> dict[str, list[str]]:
    """The e-mail addresses of ``people`` by the language each reads (issue 17.8): the one they
    chose, else English. Each language's e-mail is written in it."""
    by_language: dict[str, list[str]] = {}
    for person in people:
        if person.email:
            by_language.setdefault(supported(person.language) or ENGLISH, []).append(person.email)
    if unique:
        by_language = {language: sorted(set(emails)) for language, emails in by_language.items()}
    return dict(sorted(by_language.items()))


def _send_on_commit(subject: str, body: str, recipients: list[str]) -> None:
    transaction.on_commit(lambda: send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, recipients))


@transaction.atomic
def concern_action_add(
    *, access: FileAccess, concern: Concern, action: str, taken_on: datetime.date, actor: User
) -> ConcernAction:
    _require(access, HANDLERS, _("Only the safeguarding lead and the scheme's staff act on concerns."))
    _own(access, concern)
    _not_future(taken_on, "taken_on")
    if not action.strip():
        raise ValidationError({"action": _("Say what was done.")})
    with gate.changing(access, section=Section.SAFEGUARDING) as family:
        row = ConcernAction(family=family, concern=concern, action=action, taken_on=taken_on, taken_by=actor)
        save_tracked(row, actor=actor)
    return row


@transaction.atomic
def concern_refer(
    *,
    access: FileAccess,
    concern: Concern,
    referred_on: datetime.date,
    actor: User,
    la_reference: str = "",
    expected_version: str | None = None,
) -> Concern:
    """The concern was referred to the local authority (§2.1). ``expected_version``: the
    version the form was opened on (``homestart.concurrency``)."""
    _require(access, HANDLERS, _("Only the safeguarding lead and the scheme's staff refer concerns."))
    _own(access, concern)
    check_version(concern, expected_version)
    _not_future(referred_on, "referred_on")
    if concern.status == Concern.Status.CLOSED:
        raise ValidationError(_("This concern is closed."))
    with gate.changing(access, section=Section.SAFEGUARDING):
        concern.status, concern.referred_on, concern.la_reference = Concern.Status.REFERRED, referred_on, la_reference
        save_tracked(concern, actor=actor, update_fields=["status", "referred_on", "la_reference"])
    return concern


@transaction.atomic
def concern_close(*, access: FileAccess, concern: Concern, actor: User, expected_version: str | None = None) -> Concern:
    _require(access, LEADS, _("Only the safeguarding lead or the manager closes a concern."))
    _own(access, concern)
    check_version(concern, expected_version)
    if concern.status == Concern.Status.CLOSED:
        raise ValidationError(_("This concern is already closed."))
    with gate.changing(access, section=Section.SAFEGUARDING):
        concern.status, concern.closed_at = Concern.Status.CLOSED, timezone.now()
        save_tracked(concern, actor=actor, update_fields=["status", "closed_at"])
    return concern


def _trustees(scheme_id: int) -> list[User]:
    return list(Membership.objects.current().filter(scheme_id=scheme_id, role=Role.TRUSTEE).holders())


@transaction.atomic
def request_log(
    *,
    access: FileAccess,
    kind: str,
    received_on: datetime.date,
    requester: str,
    details: str,
    actor: User,
    order_reference: str = "",
    order_made_on: datetime.date | None = None,
) -> ExternalRequest:
    """Log a police request (§10.3) or a request for court evidence (§10.2); the trustees are told.

    The trustees get a notice in the app and an email, neither with personal
    data: what kind of request, when, and that it is logged (§10.3, §3.2).
    """
    _require(access, HANDLERS, _("Only the safeguarding lead and the scheme's staff log police and court requests."))
    _not_future(received_on, "received_on")
    with gate.changing(access, section=Section.SAFEGUARDING) as family:
        request = ExternalRequest(
            family=family,
            kind=kind,
            received_on=received_on,
            requester=requester,
            details=details,
            order_reference=order_reference.strip(),
            order_made_on=order_made_on,
            has_order=bool(order_reference.strip()),
            logged_by=actor,
        )
        save_tracked(request, actor=actor)
        trustees = _trustees(family.scheme_id)
        notice = TrusteeNotice(
            scheme_id=family.scheme_id,
            request=request,
            kind=kind,
            received_on=received_on,
            emailed_to=sum(1 for t in trustees if t.email),
        )
        save_tracked(notice, actor=actor)
        scheme_name = family.scheme.name
    for language, recipients in _by_language(trustees, unique=False).items():
        with translation.override(language):
            label = str(ExternalRequest.Kind(kind).label)
            body = _(
                "%(scheme)s received a request on %(date)s: %(kind)s.\n\n"
                "It is logged on the family's file. Home-Start guidance is followed, and nothing is passed on "
                "unless an exception in the Confidentiality Policy applies or a court order is recorded.\n\n"
                "See the notices for trustees: %(link)s\n"
            ) % {
                "scheme": scheme_name,
                "date": date_format(received_on, "d F Y"),
                "kind": label,
                "link": reverse("safeguarding:trustee_notices"),
            }
        _send_on_commit(f"{scheme_name}: {label}", body, recipients)
    return request


@transaction.atomic
def request_record_order(
    *,
    access: FileAccess,
    request: ExternalRequest,
    order_reference: str,
    order_made_on: datetime.date,
    actor: User,
    expected_version: str | None = None,
) -> ExternalRequest:
    """A subpoena or court order arrived for a logged request (§10.2, §10.3)."""
    _require(access, LEADS, _("Only the safeguarding lead or the manager records a court order."))
    _own(access, request)
    check_version(request, expected_version)
    _not_future(order_made_on, "order_made_on")
    if not order_reference.strip():
        raise ValidationError({"order_reference": _("Give the reference of the subpoena or court order.")})
    with gate.changing(access, section=Section.SAFEGUARDING):
        request.order_reference, request.order_made_on, request.has_order = order_reference.strip(), order_made_on, True
        save_tracked(request, actor=actor, update_fields=["order_reference", "order_made_on", "has_order"])
    return request


def _propose(
    *,
    access: FileAccess,
    request: ExternalRequest,
    asking: dict,
    actor: User,
    safeguarding: bool,
    emergency_reason: str,
    expected_version: str | None,
) -> Approval:
    """§10.3: a decision on a police or court request is made by two people: it waits for the
    manager (or, for a family with an open concern, the safeguarding lead) to approve it."""
    _require(access, LEADS, _("Only the safeguarding lead or the manager decides police and court requests."))
    _own(access, request)
    check_version(request, expected_version)
    if request.decision != ExternalRequest.Decision.PENDING:
        raise ValidationError(_("This request has already been decided."))
    if approvals.pending_for(kind=ApprovalKind.EXTERNAL_REQUEST, subject_id=request.pk) is not None:
        raise ValidationError(_("A decision on this request already waits for approval."))
    if not asking["reason"].strip():
        raise ValidationError({"decision_reason": _("Give the reasons for the decision.")})
    return approvals.approval_request(
        access=access,
        kind=ApprovalKind.EXTERNAL_REQUEST,
        asking=asking,
        actor=actor,
        safeguarding=safeguarding,
        subject_id=request.pk,
        emergency_reason=emergency_reason,
    )


@transaction.atomic
def request_refuse(
    *,
    access: FileAccess,
    request: ExternalRequest,
    reason: str,
    actor: User,
    expected_version: str | None = None,
    emergency_reason: str = "",
) -> Approval:
    """Nothing is passed on (§10.3): proposed with its reason, decided when another person approves."""
    return _propose(
        access=access,
        request=request,
        asking={"decision": ExternalRequest.Decision.REFUSED, "reason": reason},
        actor=actor,
        safeguarding=has_open_concern(access.target),
        emergency_reason=emergency_reason,
        expected_version=expected_version,
    )


@transaction.atomic
def request_disclose(
    *,
    access: FileAccess,
    request: ExternalRequest,
    summary: str,
    shared_on: datetime.date,
    reason: str,
    family_told: str,
    actor: User,
    exception: str = "",
    family_told_on: datetime.date | None = None,
    not_told_reason: str = "",
    expected_version: str | None = None,
    emergency_reason: str = "",
) -> Approval:
    """Information is to be passed on: only on the basis ``may_share`` gives (checked now and again
    on approval), recorded as a disclosure when approved (§10.2, §10.3)."""
    _require(access, LEADS, _("Only the safeguarding lead or the manager decides police and court requests."))
    _own(access, request)
    _not_future(shared_on, "shared_on")
    if not reason.strip():
        raise ValidationError({"decision_reason": _("Give the reasons for the decision.")})
    police = request.kind == ExternalRequest.Kind.POLICE
    recipient = Recipient(RecipientKind.POLICE if police else RecipientKind.COURT, request.requester)
    decision = sharing_check(
        access=access,
        scope=Scope.SPECIFIC,
        recipient=recipient,
        summary=summary,
        family_told=family_told,
        family_told_on=family_told_on,
        not_told_reason=not_told_reason,
        justification=reason,
        exception=exception,
        request=request,
    )
    asking = {
        "decision": ExternalRequest.Decision.DISCLOSED,
        "reason": reason,
        "channel": "police" if police else "court",
        "scope": Scope.SPECIFIC,
        "recipient_kind": recipient.kind,
        "recipient_name": recipient.name,
        "summary": summary,
        "justification": reason,
        "exception": exception,
        "request_id": str(request.pk),
        "basis": decision.basis,
        "family_told": family_told,
        "family_told_on": family_told_on.isoformat() if family_told_on else "",
        "not_told_reason": not_told_reason,
    }
    return _propose(
        access=access,
        request=request,
        asking=asking,
        actor=actor,
        safeguarding=decision.basis == LegalBasis.SAFEGUARDING,
        emergency_reason=emergency_reason,
        expected_version=expected_version,
    )


def request_carry_out(approval: Approval, asking: dict, access: FileAccess, actor: User, decision) -> Any:
    """The approved decision is made: nothing passed on, or the disclosure recorded (§10.2, §10.3).
    The decision is the asker's, approved by the approver (shown from the approval)."""
    request = ExternalRequest.objects.select_for_update().select_related("family__data_key").get(pk=approval.subject_id)
    if request.decision != ExternalRequest.Decision.PENDING:
        raise ValidationError(_("This request has already been decided."))
    basis, disclosure = "", None
    if asking["decision"] == ExternalRequest.Decision.DISCLOSED:
        disclosure = disclosure_carry_out(approval, asking, access, actor, decision)
        basis = disclosure.basis
    with gate.changing(access, section=Section.SAFEGUARDING):
        request.decision, request.basis, request.decision_reason = asking["decision"], basis, asking["reason"]
        request.decided_by, request.decided_at = approval.requested_by, timezone.now()
        save_tracked(
            request, actor=actor, update_fields=["decision", "basis", "decision_reason", "decided_by", "decided_at"]
        )
    return disclosure or request


def describe_request_decision(approval: Approval, asking: dict) -> list[tuple[str, str]]:
    rows = [(_("Decision"), ExternalRequest.Decision(asking["decision"]).label), (_("Reasons"), asking["reason"])]
    if asking["decision"] == ExternalRequest.Decision.DISCLOSED:
        rows += [row for row in describe_sharing(approval, asking) if row[0] != _("Justification")]
    return rows

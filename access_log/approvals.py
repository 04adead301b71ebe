"""Two people for every power over files (DESIGN, "Two people for every power over files").

One person asks, another approves: a disclosure without consent (§2.1, §7.4), a transfer
without consent (§9.3), a decision on a police or court request (§10.2, §10.3), the release
of a case study (§3.3, §7.5). What is asked is kept in an ``Approval`` (sealed under the
family's key) and nothing happens until a second person approves it: the disclosure, the
transfer, the decision or the release is made by the approval itself (``carry_out``).

Who approves, decided here once for every kind:
- the scheme's manager, always;
- the scheme's safeguarding lead as well, where the request rests on a safeguarding concern
  (§2.1, §2.3, §7.4, §9.3: the Safeguarding policy is followed);
- never the person who asked, and never someone of another scheme.

An emergency in safeguarding must not wait: the safeguarding lead or the manager may act alone,
giving the reason; the other (the scheme's other leads and managers) is told at once, on their
page and by e-mail. Decisions are append-only: one per approval, never changed.

Each app registers, for its kinds, how the approval makes the thing happen (``register``).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext

from homestart.errors import AccessRefused
from homestart.models import Membership, User, has_role
from homestart.rules import Role

from . import gate
from .gate import FileAccess
from .models import Approval, ApprovalDecision, ApprovalKind, ApprovalNotice

# Who may act alone in a safeguarding emergency, and who is then told.
EMERGENCY_ROLES = (Role.SAFEGUARDING_LEAD, Role.MANAGER)


@dataclass(frozen=True)
class ApprovalHandler:
    """How an approval of one kind makes its thing happen, and how it is shown to the approver."""

    # The part of the family file the approval page opens (the approver reads what is asked there).
    section: str
    # (approval, what was asked, the approver's FileAccess, the approver, the decision) -> what happened.
    carry_out: Callable[..., Any]
    # What was asked, as (label, text) rows for the approval page.
    describe: Callable[[Approval, dict], list[tuple[str, str]]]


HANDLERS: dict[str, ApprovalHandler] = {}


def register(kind: ApprovalKind, handler: ApprovalHandler) -> None:
    HANDLERS[kind] = handler


def approver_roles(approval: Approval) -> tuple[str, ...]:
    """The manager approves every kind; the safeguarding lead too where it rests on a concern."""
    if approval.safeguarding:
        return (Role.MANAGER, Role.SAFEGUARDING_LEAD)
    return (Role.MANAGER,)


def approver_roles_label(approval: Approval) -> str:
    return gettext("the safeguarding lead or the manager") if approval.safeguarding else gettext("the scheme manager")


def asked(approval: Approval) -> dict:
    """What was asked (the sealed payload), as a dict."""
    return json.loads(approval.payload)


def decision_of(approval: Approval) -> ApprovalDecision | None:
    try:
        return approval.decision
    except ApprovalDecision.DoesNotExist:
        return None


def may_decide(approval: Approval, user: User) -> bool:
    """The user holds an approver role in the approval's scheme now, and did not ask for it."""
    if user.pk == approval.requested_by_id:
        return False
    return has_role(user, approver_roles(approval), scheme=approval.scheme_id)


def pending_for(*, kind: ApprovalKind, subject_id: Any) -> Approval | None:
    return Approval.objects.filter(kind=kind, subject_id=subject_id, decision__isnull=True).first()


@transaction.atomic
def approval_request(
    *,
    access: FileAccess,
    kind: ApprovalKind,
    asking: dict,
    actor: User,
    safeguarding: bool = False,
    subject_id: Any = None,
    emergency_reason: str = "",
) -> Approval:
    """Ask for an approval. With ``emergency_reason``, the safeguarding lead or the manager acts
    alone (safeguarding only): it happens now, and the others are told at once."""
    if subject_id is not None and pending_for(kind=kind, subject_id=subject_id) is not None:
        raise ValidationError(gettext("This already waits for approval."))
    emergency = bool(emergency_reason.strip())
    if emergency and not (safeguarding and access.role in EMERGENCY_ROLES):
        raise ValidationError(
            {
                "emergency_reason": gettext(
                    "Only the safeguarding lead or the manager may act alone, and "
                    "only in a safeguarding emergency. Leave this empty to ask for approval."
                )
            }
        )
    family = access.target
    with gate.changing(access, section=HANDLERS[kind].section):
        approval = Approval(
            kind=kind,
            scheme_id=family.scheme_id,
            family=family,
            subject_id=subject_id,
            safeguarding=safeguarding,
            payload=json.dumps(asking, default=str),
            requested_by=actor,
            requested_role=access.role,
        )
        approval.full_clean()
        approval.save()
    if emergency:
        decision = ApprovalDecision(
            approval=approval,
            outcome=ApprovalDecision.Outcome.EMERGENCY,
            decided_by=actor,
            decided_role=access.role,
            reason=emergency_reason.strip(),
        )
        decision.full_clean()
        decision.save()
        HANDLERS[kind].carry_out(approval, asked(approval), access, actor, decision)
        _tell_the_others(approval, actor)
    return approval


@transaction.atomic
def approval_decide(
    *, approval: Approval, access: FileAccess, approve: bool, actor: User, reason: str = ""
) -> ApprovalDecision:
    """A second person approves (it happens now) or refuses (nothing happens), with a reason for a refusal."""
    # One decision at a time: the family's row is locked, not the approval's. The approval is a
    # register (append-only), on which the application's database role may not take a row lock;
    # the decision's unique approval column makes a second decision fail in any case. (The family
    # model through the approval's own foreign key: families sits above the gate.)
    family_model: Any = Approval._meta.get_field("family").related_model
    family_model.objects.select_for_update().filter(pk=approval.family_id).values_list("pk").get()
    approval = Approval.objects.select_related("family__data_key").get(pk=approval.pk)
    if access.target.pk != approval.family_id:
        raise gate.FileHidden("No such approval.")
    if actor.pk == approval.requested_by_id:
        raise AccessRefused(gettext("You asked for this: another person approves it."))
    if not may_decide(approval, actor) or access.role not in approver_roles(approval):
        raise AccessRefused(
            gettext("This is approved by %(approvers)s of the scheme.") % {"approvers": approver_roles_label(approval)}
        )
    if ApprovalDecision.objects.filter(approval=approval).exists():
        raise ValidationError(gettext("This has already been decided."))
    if not approve and not reason.strip():
        raise ValidationError({"reason": gettext("Give the reason for refusing.")})
    decision = ApprovalDecision(
        approval=approval,
        outcome=ApprovalDecision.Outcome.APPROVED if approve else ApprovalDecision.Outcome.REFUSED,
        decided_by=actor,
        decided_role=access.role,
        reason=reason.strip(),
    )
    with gate.changing(access, section=HANDLERS[approval.kind].section):
        decision.full_clean()
        decision.save()
    if approve:
        HANDLERS[approval.kind].carry_out(approval, asked(approval), access, actor, decision)
    return decision


def _tell_the_others(approval: Approval, actor: User) -> None:
    """§2.1 emergency: the scheme's other safeguarding leads and managers are told at once."""
    others = list(
        Membership.objects.current()
        .filter(scheme_id=approval.scheme_id, role__in=EMERGENCY_ROLES)
        .holders()
        .exclude(pk=actor.pk)
    )
    for person in others:
        ApprovalNotice.objects.create(approval=approval, user=person, emailed=bool(person.email))
    recipients = [p.email for p in others if p.email]
    if not recipients:
        return
    # No personal data in the e-mail: the kind, the reference, who acted, and where to read the reason.
    subject = f"Emergency: {actor.display_name} acted alone"
    body = (
        f"{actor.display_name} acted alone in a safeguarding emergency: "
        f"{ApprovalKind(approval.kind).label}, family {approval.family.reference}.\n\n"
        f"Read the reason and what was done: {reverse('access_log:approval', kwargs={'approval_id': approval.pk})}\n"
    )
    transaction.on_commit(lambda: send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, recipients))

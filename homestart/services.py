"""Writes to schemes, memberships and policy acknowledgements.

Membership services keep the scheme's staff group — which holds the object
permissions on the scheme's family files — in step with who is a coordinator
or manager (§8.3). Nothing else adds people to that group.

Two people for every grant of access (§8.3, §7.6): a membership, a line manager
a reactivated account or a new e-mail address is only *asked for* (``membership_request``,
``line_manager_request``, ``reactivation_request``, ``email_change_request``) and takes effect when a second
person with authority approves it (``access_request_approve``). Ending a
membership, removing a line manager or deactivating an account is one step.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.contrib.auth.models import Group
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, models, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext, gettext_lazy

from homestart.rules import Role

from . import request_cache
from .errors import AccessRefused
from .models import (
    ACCESS_REQUEST_DAYS,
    INDUCTED_ROLES,
    INDUCTORS,
    NATIONAL_APPROVER_ROLES,
    NATIONAL_ROLES,
    SCHEME_APPROVER_ROLES,
    AccessDecision,
    AccessRequest,
    AccessRequestQuerySet,
    Induction,
    Membership,
    PolicyAcknowledgement,
    PolicyVersion,
    Scheme,
    User,
    has_role,
)
from .policy_text import INITIAL_POLICY_PUBLISHED, INITIAL_POLICY_SUMMARY, INITIAL_POLICY_VERSION
from .security import security_event
from .writes import save_tracked, validate

STAFF_ROLES = (Role.COORDINATOR, Role.MANAGER)


@transaction.atomic
def scheme_create(*, name: str, code: str, actor: User | None) -> Scheme:
    scheme = Scheme(name=name, code=code)
    save_tracked(scheme, actor=actor)
    return scheme_ensure_staff_group(scheme=scheme)


def scheme_ensure_staff_group(*, scheme: Scheme) -> Scheme:
    if scheme.staff_group_id is None:
        scheme.staff_group, _ = Group.objects.get_or_create(name=f"{scheme.code} family staff")
        scheme.save(update_fields=["staff_group"])
    return scheme


def _sync_staff_group(*, user: User, scheme: Scheme | None) -> None:
    if scheme is None:
        return
    scheme = scheme_ensure_staff_group(scheme=scheme)
    if has_role(user, STAFF_ROLES, scheme=scheme):
        user.groups.add(scheme.staff_group)
    else:
        user.groups.remove(scheme.staff_group)


class NotAnApprover(AccessRefused):
    """This person may not decide this request: it is theirs, it is for them, or they
    hold no authority over the scheme (or, for national roles, are no administrator)."""


def _membership_create(
    *,
    user: User,
    scheme: Scheme | None,
    role: str,
    actor: User | None,
    line_manager: User | None,
    grant: AccessRequest,
    at_setup: bool = False,
) -> Membership:
    if not at_setup and Membership.objects.not_ended().filter(user=user, scheme=scheme, role=role).exists():
        raise ValidationError({"role": gettext("This person already holds this role here.")})
    membership = Membership(user=user, scheme=scheme, role=role, line_manager=line_manager, grant=grant)
    save_tracked(membership, actor=actor, held=_every_field(Membership) if at_setup else ())
    _sync_staff_group(user=user, scheme=scheme)
    return membership


def _may_ask(*, actor: User, scheme_id: int | None) -> bool:
    """Administrators ask for any grant; a scheme's manager or trustees for their own scheme."""
    return has_role(actor, Role.ADMIN, scheme=None) or (
        scheme_id is not None and has_role(actor, SCHEME_APPROVER_ROLES, scheme=scheme_id)
    )


def _request(*, actor: User, reason: str = "", **fields) -> AccessRequest:
    if not _may_ask(actor=actor, scheme_id=fields.get("scheme").pk if fields.get("scheme") else None):
        raise NotAnApprover(gettext("You may not ask for access to this scheme's files."))
    now = timezone.now()
    access_request = AccessRequest(
        requested_by=actor,
        requested_at=now,
        expires_at=now + datetime.timedelta(days=ACCESS_REQUEST_DAYS),
        reason=reason.strip(),
        **fields,
    )
    access_request.full_clean()
    access_request.save()
    return access_request


def _pending(**fields) -> AccessRequestQuerySet:
    return AccessRequest.objects.pending().filter(**fields)


@transaction.atomic
def membership_request(
    *, user: User, scheme: Scheme | None, role: str, actor: User, line_manager: User | None = None, reason: str = ""
) -> AccessRequest:
    """Ask for ``user`` to hold ``role`` in ``scheme`` (None: nationally). Nothing changes until a
    second person approves (§8.3, §7.6); see ``access_request_approve``."""
    if (role in NATIONAL_ROLES) != (scheme is None):
        raise ValidationError(
            {
                "scheme": gettext("Choose a scheme for this role.")
                if scheme is None
                else gettext("This role is national: leave the scheme empty.")
            }
        )
    if Membership.objects.not_ended().filter(user=user, scheme=scheme, role=role).exists():
        raise ValidationError({"role": gettext("This person already holds this role here.")})
    if _pending(kind=AccessRequest.Kind.MEMBERSHIP, user=user, scheme=scheme, role=role).exists():
        raise ValidationError({"role": gettext("This has already been asked for and is waiting for approval.")})
    return _request(
        actor=actor,
        reason=reason,
        kind=AccessRequest.Kind.MEMBERSHIP,
        user=user,
        scheme=scheme,
        role=role,
        line_manager=line_manager,
    )


@transaction.atomic
def line_manager_request(
    *, membership: Membership, line_manager: User | None, actor: User, reason: str = ""
) -> AccessRequest | None:
    """A line manager reads their reports' personnel files (§8.4): naming one needs a second
    person's approval. Removing the line manager takes access away, so it is done at once (None)."""
    if membership.ended_at is not None:
        raise ValidationError(gettext("This membership has ended."))
    if line_manager is None:
        membership.line_manager = None
        save_tracked(membership, actor=actor, update_fields=["line_manager"])
        return None
    if line_manager == membership.user:
        raise ValidationError({"line_manager": gettext("Nobody is their own line manager.")})
    if _pending(kind=AccessRequest.Kind.LINE_MANAGER, for_membership=membership).exists():
        raise ValidationError(
            {"line_manager": gettext("A line manager has already been asked for and is waiting for approval.")}
        )
    return _request(
        actor=actor,
        reason=reason,
        kind=AccessRequest.Kind.LINE_MANAGER,
        user=line_manager,
        scheme=membership.scheme,
        for_membership=membership,
        line_manager=line_manager,
    )


@transaction.atomic
def reactivation_request(*, user: User, actor: User, reason: str = "") -> AccessRequest:
    """Signing in again brings back every role the person still holds: approved by the
    people who approve those roles — the scheme's manager or a trustee when all are in one
    scheme, otherwise another administrator."""
    if user.is_active:
        raise ValidationError({"is_active": gettext("This account is active already.")})
    if _pending(kind=AccessRequest.Kind.REACTIVATION, user=user).exists():
        raise ValidationError({"is_active": gettext("Reactivating this account is already waiting for approval.")})
    scheme = _approving_scheme(user)
    return _request(actor=actor, reason=reason, kind=AccessRequest.Kind.REACTIVATION, user=user, scheme=scheme)


def _approving_scheme(user: User) -> Scheme | None:
    """Whose people approve a change to this account: its scheme when all its roles are in one
    scheme (the manager or a trustee there), otherwise None (another administrator)."""
    schemes = set(Membership.objects.not_ended().filter(user=user).values_list("scheme_id", flat=True))
    return Scheme.objects.get(pk=schemes.pop()) if len(schemes) == 1 and None not in schemes else None


def email_change_needs_approval(*, user: User) -> bool:
    """A new e-mail address takes two people once the account is someone's (§8.3): set-password
    links go to it, so an administrator who could change it alone could take over the account
    and its roles. A new account that has never had a password, holds no role and waits for
    none may still be corrected at once."""
    if user.has_usable_password() or user.last_login is not None:
        return True
    if Membership.objects.not_ended().filter(user=user).exists():
        return True
    return _pending(user=user).exists()


@transaction.atomic
def email_change_request(*, user: User, email: str, actor: User, reason: str = "") -> AccessRequest:
    """Ask for ``user``'s e-mail address to become ``email``. Approved like a reactivation: by the
    scheme's manager or a trustee when all the person's roles are in one scheme, otherwise by
    another administrator; never by the person who asked, nor by the person themselves."""
    email = User.objects.normalize_email(email.strip())
    if not email:
        raise ValidationError({"email": gettext("Enter the new e-mail address.")})
    if email.lower() == (user.email or "").lower():
        raise ValidationError({"email": gettext("This is already their e-mail address.")})
    if _pending(kind=AccessRequest.Kind.EMAIL, user=user).exists():
        raise ValidationError(
            {"email": gettext("A new e-mail address for this person is already waiting for approval.")}
        )
    scheme = _approving_scheme(user)
    return _request(actor=actor, reason=reason, kind=AccessRequest.Kind.EMAIL, user=user, scheme=scheme, email=email)


def _email_changed_notice(*, user: User, old: str, new: str) -> None:
    """Both addresses are told, so a change the person did not expect is noticed."""
    send_mail(
        "Your e-mail address for the Home-Start records was changed",
        f"Hello {user.display_name},\n\n"
        f"The e-mail address for your Home-Start records account is now {new}. "
        "Two people, one asking and one approving, made the change.\n\n"
        "If you did not expect this, tell your scheme manager at once.",
        settings.DEFAULT_FROM_EMAIL,
        [address for address in (old, new) if address],
    )


def may_approve(*, access_request: AccessRequest, user: User) -> bool:
    """Nobody approves their own request or a grant to themselves; for a scheme, its manager
    or a trustee approves; for national roles (and grants across schemes), another administrator."""
    if not user.is_active or user.pk in (access_request.user_id, access_request.requested_by_id):
        return False
    if access_request.kind == AccessRequest.Kind.LINE_MANAGER and user.pk == access_request.for_membership.user_id:
        return False  # the person being line-managed does not choose their own line manager
    if access_request.scheme_id is None:
        return has_role(user, NATIONAL_APPROVER_ROLES, scheme=None)
    return has_role(user, SCHEME_APPROVER_ROLES, scheme=access_request.scheme_id)


ALREADY_DECIDED = gettext_lazy("This request has already been decided.")


def _decide(*, access_request: AccessRequest, actor: User) -> AccessRequest:
    access_request = AccessRequest.objects.get(pk=access_request.pk)
    if AccessDecision.objects.filter(request=access_request).exists():
        raise ValidationError(ALREADY_DECIDED)
    if access_request.expires_at <= timezone.now():
        raise ValidationError(gettext("This request has expired (after 7 days). Ask again if it is still needed."))
    if not may_approve(access_request=access_request, user=actor):
        raise NotAnApprover(gettext("You may not decide this request."))
    return access_request


def _record_decision(decision: AccessDecision) -> AccessDecision:
    """One decision per request: two people deciding at the same moment meet the unique
    request column, and the second is told it was decided (no row lock is needed, so the
    registers need no UPDATE privilege)."""
    decision.full_clean(validate_unique=False)
    try:
        with transaction.atomic():
            decision.save()
    except IntegrityError as error:
        raise ValidationError(ALREADY_DECIDED) from error
    return decision


@transaction.atomic
def access_request_approve(*, access_request: AccessRequest, actor: User) -> AccessDecision:
    """Approve, and the grant takes effect now, in the same transaction as the decision."""
    access_request = _decide(access_request=access_request, actor=actor)
    decision = _record_decision(
        AccessDecision(request=access_request, outcome=AccessDecision.Outcome.APPROVED, decided_by=actor)
    )
    _apply(access_request=access_request, actor=actor)
    return decision


@transaction.atomic
def access_request_refuse(*, access_request: AccessRequest, actor: User, reason: str) -> AccessDecision:
    access_request = _decide(access_request=access_request, actor=actor)
    if not reason.strip():
        raise ValidationError({"reason": gettext("Say why the request is refused.")})
    return _record_decision(
        AccessDecision(
            request=access_request, outcome=AccessDecision.Outcome.REFUSED, decided_by=actor, reason=reason.strip()
        )
    )


def _apply(*, access_request: AccessRequest, actor: User | None) -> None:
    kind = access_request.kind
    if kind == AccessRequest.Kind.MEMBERSHIP:
        _membership_create(
            user=access_request.user,
            scheme=access_request.scheme,
            role=access_request.role,
            actor=actor,
            line_manager=access_request.line_manager,
            grant=access_request,
        )
    elif kind == AccessRequest.Kind.LINE_MANAGER:
        membership = Membership.objects.select_for_update().get(pk=access_request.for_membership_id)
        if membership.ended_at is not None:
            raise ValidationError(gettext("This membership has ended since the request was made."))
        membership.line_manager = access_request.line_manager
        save_tracked(membership, actor=actor, update_fields=["line_manager"])
    elif kind == AccessRequest.Kind.EMAIL:
        user = User.objects.select_for_update().get(pk=access_request.user_id)
        old = user.email
        user.email = access_request.email
        save_tracked(user, actor=actor, update_fields=["email"])
        transaction.on_commit(lambda: _email_changed_notice(user=user, old=old, new=access_request.email))
    else:
        user = access_request.user
        user.is_active = True
        save_tracked(user, actor=actor, update_fields=["is_active"])


@transaction.atomic
def membership_grant_at_setup(
    *, user: User, scheme: Scheme | None, role: str, line_manager: User | None = None
) -> Membership:
    """A membership granted when the installation is set up (``seed_demo``, tests' named
    people): recorded as a request and an approval marked "granted at set-up", with nobody
    named as asking or approving. Never called from a page."""
    now = timezone.now()
    access_request = AccessRequest(
        kind=AccessRequest.Kind.MEMBERSHIP,
        user=user,
        scheme=scheme,
        role=role,
        line_manager=line_manager,
        requested_at=now,
        expires_at=now,
        at_setup=True,
        reason="Granted at set-up.",
    )
    # Every value here is set by the installation's own set-up, none typed by a person: the
    # uniqueness and check constraints are left to the database, which holds them all (an
    # IntegrityError, not a form's message, if set-up asks twice), instead of being probed
    # first. Set-up grants dozens of memberships (the demo, every test's named people).
    validate(access_request, held=_every_field(AccessRequest))
    access_request.save()
    decision = AccessDecision(
        request=access_request, outcome=AccessDecision.Outcome.APPROVED, decided_at=now, reason="Granted at set-up."
    )
    validate(decision, held=_every_field(AccessDecision))
    decision.save()
    return _membership_create(
        user=user, scheme=scheme, role=role, actor=None, line_manager=line_manager, grant=access_request, at_setup=True
    )


def _every_field(model: type[models.Model]) -> frozenset[str]:
    return frozenset(field.name for field in model._meta.concrete_fields)


@transaction.atomic
def membership_end(*, membership: Membership, actor: User | None) -> Membership:
    if membership.ended_at is not None:
        raise ValidationError(gettext("This membership has already ended."))
    membership.ended_at = timezone.now()
    save_tracked(membership, actor=actor, update_fields=["ended_at"])
    _sync_staff_group(user=membership.user, scheme=membership.scheme)
    return membership


def password_link_send(*, user: User, actor: User, request) -> None:
    """E-mail ``user`` a link to choose their own password (§8.2): nobody sets another
    person's password. The link works once (it is signed over the current password
    hash and last sign-in) and for ``PASSWORD_RESET_TIMEOUT`` seconds."""
    if not user.email:
        raise ValidationError(
            gettext("%(person)s has no e-mail address: add one first.") % {"person": user.display_name}
        )
    uidb64 = urlsafe_base64_encode(force_bytes(user.pk))
    path = reverse("password_set", kwargs={"uidb64": uidb64, "token": default_token_generator.make_token(user)})
    hours = settings.PASSWORD_RESET_TIMEOUT // 3600
    send_mail(
        "Choose your password for the Home-Start records",
        f"Hello {user.display_name},\n\n"
        f"Choose your password here. The link works once, for {hours} hours:\n\n"
        f"{request.build_absolute_uri(path)}\n\n"
        "If you did not expect this e-mail, tell your scheme manager.",
        settings.DEFAULT_FROM_EMAIL,
        [user.email],
    )
    security_event("password_link_sent", request=request, target_user=user.pk)


def policy_acknowledge(*, user: User, version: PolicyVersion) -> PolicyAcknowledgement:
    acknowledgement, _ = PolicyAcknowledgement.objects.get_or_create(user=user, version=version)
    request_cache.forget(("policy_acknowledged", user.pk))
    return acknowledgement


def policy_ensure_published() -> PolicyVersion:
    """The current policy version, publishing the initial one if none exists."""
    current = PolicyVersion.current()
    if current is None:
        current, _ = PolicyVersion.objects.get_or_create(
            version=INITIAL_POLICY_VERSION,
            defaults={"summary": INITIAL_POLICY_SUMMARY, "published_at": INITIAL_POLICY_PUBLISHED},
        )
    return current


# --- inductions on the policy (§3.1, §3.8, §4.1, §4.3, §5.1, §5.3, §5.4) -------------------------


def induction_may_record(*, actor: User, scheme: Scheme) -> list[str]:
    """What this person may record inductions as, in this scheme (none: they record none)."""
    roles = set(Membership.objects.current().filter(user=actor, scheme=scheme).values_list("role", flat=True))
    return [kind for kind, inductors in INDUCTORS.items() if roles & set(inductors)]


@transaction.atomic
def induction_record(
    *,
    person: User,
    scheme: Scheme,
    inducted_as: str,
    inducted_on: datetime.date,
    policy_given: bool,
    duty_explained: bool,
    peer_support_explained: bool = False,
    actor: User,
) -> Induction:
    """Record that ``actor`` inducted ``person`` on the current Confidentiality Policy."""
    if inducted_as not in induction_may_record(actor=actor, scheme=scheme):
        raise AccessRefused(gettext("You do not record inductions of this kind in this scheme."))
    label = str(Induction.As(inducted_as).label).lower()
    errors: dict[str, str] = {}
    if person == actor:
        errors["person"] = gettext("Your induction is recorded by the person who gave it, not by you.")
    elif (
        not Membership.objects.current()
        .filter(user=person, scheme=scheme, role__in=INDUCTED_ROLES[inducted_as])
        .exists()
    ):
        errors["person"] = gettext("%(person)s is not a %(kind)s of %(scheme)s now.") % {
            "person": person.display_name,
            "kind": label,
            "scheme": scheme.name,
        }
    if inducted_on > timezone.localdate():
        errors["inducted_on"] = gettext("The date of the induction must be today or in the past.")
    if not policy_given:
        errors["policy_given"] = gettext("Confirm that you gave them the Confidentiality Policy and procedure.")
    if not duty_explained:
        errors["duty_explained"] = gettext("Confirm that you told them to keep confidentiality at all times.")
    if inducted_as == Induction.As.VOLUNTEER and not peer_support_explained:
        errors["peer_support_explained"] = gettext("Confirm that you gave a volunteer the peer-support guidance.")
    version = PolicyVersion.current()
    if version is None:
        errors["__all__"] = gettext("No Confidentiality Policy is published yet.")
    if errors:
        raise ValidationError(errors)
    induction = Induction(
        person=person,
        scheme=scheme,
        inducted_as=inducted_as,
        inducted_on=inducted_on,
        inducted_by=actor,
        policy_version=version,
        policy_given=policy_given,
        duty_explained=duty_explained,
        peer_support_explained=peer_support_explained,
    )
    save_tracked(induction, actor=actor)
    return induction


@transaction.atomic
def language_choose(*, user: User, language: str) -> User:
    """The language the pages speak to ``user`` from now on (issue 17.8), kept with history:
    who chose it and when, like every other change to an account."""
    if user.language == language:
        return user
    user.language = language
    save_tracked(user, actor=user, update_fields=["language"], reason="Chose the language of the pages")
    return user

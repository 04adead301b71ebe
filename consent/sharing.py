"""The one answer to "may information of this scope about this family go to this recipient now?".

Every path that shares information outside Home-Start (referrer updates,
agency communication, safeguarding referrals, police and court requests,
transfers) asks ``may_share`` and records what it answers; nothing else decides.

The policy's rule (preamble): information is disclosed only with the parent's
expressed permission, except to protect the welfare of a child or vulnerable
adult, or in very rare cases of a suspected disclosable offence (drug
trafficking, drug money laundering) or terrorism. A court order also compels
disclosure (§10.2, §10.3).

Decisions made here:
- A consent counts from its date until it is withdrawn; withdrawal stops sharing
  at once (the moment it is recorded). A consent past its review date still
  stands but is listed for review.
- A general update (§1.2, §7.3) is covered by a general, specific or (for the
  health visitor or an agency of a self-referred family) self-referral consent;
  specific information (§7.4) only by a specific or multi-agency consent;
  multi-agency information (§1.4) only by a multi-agency consent.
- Consent to an agency or a new scheme is for the one named there (matched
  without regard to case or surrounding spaces).
- Without consent: a recorded open concern (§2.1, §7.4) allows sharing specific
  information with the referrer, an agency, the health visitor or children's
  services (never a routine general update, §7.3); a transfer to
  a new scheme is allowed where there are *or have been* concerns (§9.3). The
  police receive information only on a recorded concern, a disclosable offence or
  terrorism (with approval), or a recorded court order; a court only on a
  recorded subpoena or order (§10.2).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.utils import timezone
from django.utils.translation import gettext as _

from families.models import Family

from .models import Consent, LegalBasis, RecipientKind, Scope

if TYPE_CHECKING:
    from safeguarding.models import Concern, ExternalRequest

# Which consent scopes cover a requested scope.
COVERS: dict[str, tuple[str, ...]] = {
    Scope.GENERAL: (Scope.GENERAL, Scope.SPECIFIC, Scope.MULTI_AGENCY, Scope.SELF_REFERRAL),
    Scope.SELF_REFERRAL: (Scope.SELF_REFERRAL,),
    Scope.SPECIFIC: (Scope.SPECIFIC, Scope.MULTI_AGENCY),
    Scope.MULTI_AGENCY: (Scope.MULTI_AGENCY,),
    Scope.TRANSFER: tuple(Scope.values),
}
NAMED_RECIPIENTS = (RecipientKind.AGENCY, RecipientKind.NEW_SCHEME)
# Bases that need the approval of the safeguarding lead or the manager.
EXCEPTIONS = (LegalBasis.SAFEGUARDING, LegalBasis.DISCLOSABLE_OFFENCE, LegalBasis.TERRORISM, LegalBasis.COURT_ORDER)


@dataclass(frozen=True)
class Recipient:
    kind: str
    name: str = ""


@dataclass(frozen=True)
class SharingDecision:
    allowed: bool
    basis: str = ""
    reason: str = ""
    consent: Consent | None = None
    concern: Concern | None = None
    request: ExternalRequest | None = None

    @property
    def needs_approval(self) -> bool:
        return self.allowed and self.basis != LegalBasis.CONSENT

    def __bool__(self) -> bool:
        return self.allowed


def _same_name(a: str, b: str) -> bool:
    return " ".join(a.split()).casefold() == " ".join(b.split()).casefold()


def _consent_for(family: Family, scope: str, recipient: Recipient, at: datetime.datetime) -> Consent | None:
    covering = COVERS.get(scope, (scope,))
    candidates = (
        Consent.objects.in_force(at)
        .filter(family=family, recipient_kind=recipient.kind, scope__in=covering)
        .select_related("family__data_key")
    )
    for consent in candidates:
        if consent.scope == Scope.SELF_REFERRAL and recipient.kind not in (
            RecipientKind.HEALTH_VISITOR,
            RecipientKind.AGENCY,
        ):
            continue
        if recipient.kind in NAMED_RECIPIENTS and not _same_name(consent.recipient_name, recipient.name):
            continue
        return consent
    return None


def may_share(
    *,
    family: Family,
    scope: str,
    recipient: Recipient,
    at: datetime.datetime | None = None,
    exception: str = "",
    request: ExternalRequest | None = None,
) -> SharingDecision:
    """May information of ``scope`` about ``family`` go to ``recipient`` at ``at`` (now)?

    ``exception``: the basis the asker relies on when there is no consent
    (disclosable offence, terrorism or court order must be named; a recorded
    concern is found here). ``request``: the police or court request being
    answered, whose recorded order a court-order basis needs.
    """
    # circle: consent ↔ safeguarding (safeguarding decides police and court requests with this
    # function, so sits above consent); the answer rests on the family's recorded concerns (§2.1, §9.3).
    from safeguarding.models import Concern

    at = at or timezone.now()
    if recipient.kind in NAMED_RECIPIENTS and not recipient.name.strip():
        return SharingDecision(False, reason=_("Name the agency or scheme the information would go to."))

    if request is not None and request.family_id != family.pk:
        return SharingDecision(False, reason=_("That request is about another family."))

    if exception == LegalBasis.COURT_ORDER or recipient.kind == RecipientKind.COURT:
        if request is not None and request.has_order:
            return SharingDecision(True, LegalBasis.COURT_ORDER, request=request)
        return SharingDecision(
            False,
            reason=_(
                "Evidence goes to a court, or information under a court order, only against a recorded "
                "subpoena or court order (§10.2, §10.3)."
            ),
        )

    if recipient.kind not in (RecipientKind.POLICE, RecipientKind.CHILDRENS_SERVICES):
        consent = _consent_for(family, scope, recipient, at)
        if consent is not None:
            return SharingDecision(True, LegalBasis.CONSENT, consent=consent)

    concerns = Concern.objects.filter(family=family, raised_at__lte=at)
    if recipient.kind == RecipientKind.NEW_SCHEME:
        # §9.3: without consent, only where there are or have been safeguarding concerns.
        concern = concerns.order_by("-raised_at").first()
    else:
        concern = concerns.exclude(status=Concern.Status.CLOSED).order_by("-raised_at").first()

    if recipient.kind == RecipientKind.POLICE and exception in (LegalBasis.DISCLOSABLE_OFFENCE, LegalBasis.TERRORISM):
        return SharingDecision(True, exception, request=request)

    # §7.3: a general update to the referrer or an agency goes only under general consent.
    general_update = scope in (Scope.GENERAL, Scope.SELF_REFERRAL) and recipient.kind in (
        RecipientKind.REFERRER,
        RecipientKind.AGENCY,
        RecipientKind.HEALTH_VISITOR,
    )
    if concern is not None and not general_update:
        return SharingDecision(True, LegalBasis.SAFEGUARDING, concern=concern, request=request)

    if recipient.kind == RecipientKind.POLICE:
        return SharingDecision(
            False,
            reason=_(
                "Nothing is passed to the police unless an exception applies (a recorded safeguarding "
                "concern, a disclosable offence or terrorism) or a court order is recorded (§10.3)."
            ),
        )
    if recipient.kind == RecipientKind.CHILDRENS_SERVICES:
        return SharingDecision(
            False, reason=_("Record the safeguarding concern first: sharing without consent needs one (§2.1).")
        )
    if recipient.kind == RecipientKind.NEW_SCHEME:
        return SharingDecision(
            False,
            reason=_(
                "The family has not consented to this scheme receiving their information, and there are "
                "and have been no safeguarding concerns (§9.2, §9.3)."
            ),
        )
    if scope == Scope.GENERAL:
        reason = _(
            "The family has not given general consent to updates to this recipient, or has withdrawn it (§1.2, §7.3)."
        )
    else:
        reason = _(
            "The family has not given specific consent for this recipient, or has withdrawn it, and no concern "
            "for a child's welfare or safety is recorded (§1.4, §7.4)."
        )
    return SharingDecision(False, reason=reason)

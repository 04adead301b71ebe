"""Reads that depend on who asks. Family-file reads take the ``FileAccess`` the gate granted."""

from __future__ import annotations

from typing import cast

from django.db.models import Exists, OuterRef, QuerySet, Subquery
from django.utils.translation import gettext as _

from access_log import approvals
from access_log.gate import FileAccess
from access_log.kinds import KINDS
from access_log.models import Approval, ApprovalDecision, ApprovalKind
from families.models import Family, PlannedVisit
from homestart.history import Source
from homestart.models import User
from homestart.rules import FileKind

from .models import ConfidentialityStatement, Consent, Disclosure, Transfer


def consent_file(*, access: FileAccess) -> dict:
    """The consent section of a file: statements, consents and the communications, in a fixed number of queries."""
    family = access.target
    return {
        "statements": list(
            ConfidentialityStatement.objects.filter(family=family).select_related(
                "family__data_key", "given_to__family__data_key", "given_by", "policy_version"
            )
        ),
        "consents": list(
            Consent.objects.filter(family=family).select_related(
                "family__data_key", "given_by__family__data_key", "recorded_by", "withdrawn_recorded_by"
            )
        ),
    }


def disclosures_for(*, access: FileAccess) -> QuerySet[Disclosure]:
    """The family's disclosure register: staff and the safeguarding lead see all of it. An
    entry put right later stays, marked ``corrected``; the correction names it (``corrects``)."""
    return (
        Disclosure.objects.filter(family=access.target)
        .select_related(
            "family__data_key",
            "recorded_by",
            "approved_by",
            "consent",
            "corrects__family__data_key",
            "approval__decision__decided_by",
            "approval__requested_by",
        )
        .annotate(corrected=Exists(Disclosure.objects.filter(corrects=OuterRef("pk"))))
    )


def sharing_approvals_for(*, access: FileAccess) -> list[tuple[Approval, dict]]:
    """Sharings of this family that wait for approval or were refused (nothing was shared), with
    what was asked: approved ones are disclosures in the register."""
    waiting = (
        Approval.objects.filter(
            family=access.target,
            kind__in=(ApprovalKind.DISCLOSURE, ApprovalKind.TRANSFER, ApprovalKind.EXTERNAL_REQUEST),
        )
        .exclude(decision__outcome__in=(ApprovalDecision.Outcome.APPROVED, ApprovalDecision.Outcome.EMERGENCY))
        .select_related("family__data_key", "requested_by", "decision__decided_by")
    )
    found = []
    for approval in waiting:
        asking = approvals.asked(approval)
        if asking.get("recipient_kind"):  # a police decision to pass nothing on shares nothing
            found.append((approval, asking))
    return found


def exports_for(*, access: FileAccess) -> QuerySet[Transfer]:
    """Export transfers of this family that were consented to or approved: their packages may be downloaded."""
    return Transfer.objects.filter(family=access.target, destination=Transfer.Destination.EXPORT).select_related(
        "disclosure__family__data_key"
    )


def consents_due_for_review(*, user: User) -> QuerySet[Consent]:
    """Consents in force whose review date has come, in the families this user sees as staff (§1.2)."""
    staff_families = Family.objects.filter(KINDS[FileKind.FAMILY].staff_filter(user))
    # The review visit already planned, if any: where consent is sought again (§1.2).
    review_visits = (
        PlannedVisit.objects.planned()
        .filter(family=OuterRef("family"), kind=PlannedVisit.Kind.REVIEW)
        .order_by("planned_on", "planned_at")
    )
    due = (
        Consent.objects.due_for_review()
        .filter(Exists(staff_families.filter(pk=OuterRef("family"))))
        .annotate(review_visit_on=Subquery(review_visits.values("planned_on")[:1]))
        .select_related("family")
        .order_by("review_on", "family__reference")
    )
    return cast(QuerySet[Consent], due)


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


def consent_history(*, access: FileAccess) -> list[Source]:
    """Where the consent section's history comes from: confidentiality statements (§1.1) and
    consents, their reviews and withdrawals (§1.2–§1.4). Sealed with the family's key."""
    family = access.target
    key = ("family", family)
    return [
        Source(
            ConfidentialityStatement.history.filter(family_id=family.pk),
            _("Confidentiality statement"),
            key=key,
            exclude={"family", "created_at"},
        ),
        Source(
            Consent.history.filter(family_id=family.pk),
            lambda row: (
                _("Consent to share with %(recipient)s") % {"recipient": _lower_first(row.get_recipient_kind_display())}
            ),
            key=key,
            exclude={"family", "created_at"},
        ),
    ]


def disclosure_history(*, access: FileAccess) -> list[Source]:
    """Where the disclosure register's history comes from (§1.5, §2.2, §7.4)."""
    family = access.target
    return [
        Source(
            Disclosure.history.filter(family_id=family.pk),
            lambda row: (
                _("Disclosure to %(recipient)s") % {"recipient": _lower_first(row.get_recipient_kind_display())}
            ),
            # The consent relied on shows as the basis ("The family's consent"); its own name holds a code.
            key=("family", family),
            exclude={"family", "recorded_at", "consent"},
        ),
    ]

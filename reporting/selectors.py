"""Reads that depend on who asks."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from homestart.history import Source
from homestart.models import User, schemes_where
from homestart.rules import Role

from .models import BoardMeeting, CaseStudy, ConfidentialItem, SafeguardingConsultation

# Who reads the anonymised figures and released case studies (§3.2, §3.3).
FIGURES_ROLES = (Role.TRUSTEE, Role.SPOT_CHECK_TRUSTEE, Role.MANAGER, Role.COORDINATOR)
# Who writes case studies from a family's file and asks for their release (§7.5); the scheme
# manager approves a release (access_log.approvals), never the person who asked.
CASE_STUDY_WRITERS = (Role.COORDINATOR, Role.MANAGER)
# Board minutes are shared with the Board, scheme staff and, as requested, HSUK (§3.6).
MINUTES_READERS = (Role.TRUSTEE, Role.SPOT_CHECK_TRUSTEE, Role.MANAGER, Role.COORDINATOR, Role.SAFEGUARDING_LEAD)
MINUTES_WRITERS = (Role.MANAGER,)
# Those the safeguarding lead may consult (§3.5): trustees, and the Board's advisers,
# who are given a trustee's or reviewer's account.
CONSULTEE_ROLES = (Role.TRUSTEE, Role.SPOT_CHECK_TRUSTEE, Role.REVIEWER)


def released_case_studies(*, user: User) -> QuerySet[CaseStudy]:
    """Released (anonymous) case studies of the schemes whose figures the user reads."""
    return CaseStudy.objects.filter(
        status=CaseStudy.Status.RELEASED, scheme__in=schemes_where(user=user, roles=FIGURES_ROLES)
    ).order_by("-released_at")


def draft_case_studies(*, user: User) -> QuerySet[CaseStudy]:
    return CaseStudy.objects.filter(
        status=CaseStudy.Status.DRAFT, scheme__in=schemes_where(user=user, roles=CASE_STUDY_WRITERS)
    ).select_related("family")


def meetings_visible_to(*, user: User) -> QuerySet[BoardMeeting]:
    """Minutes of the user's Board, or shared with them; HSUK reviewers when shared with them (§3.6)."""
    if not user.is_authenticated or not user.is_active:
        return BoardMeeting.objects.none()
    return BoardMeeting.objects.filter(
        Q(scheme__in=schemes_where(user=user, roles=MINUTES_READERS)) | Q(shared_with=user)
    ).distinct()


def confidential_items_for(*, user: User, meeting: BoardMeeting) -> QuerySet[ConfidentialItem]:
    """Only the items whose circulation list names the user (§3.7)."""
    return meeting.confidential_items.filter(circulation=user).select_related("data_key")


def consultations_for(*, user: User) -> QuerySet[SafeguardingConsultation]:
    if not user.is_authenticated:
        return SafeguardingConsultation.objects.none()
    return SafeguardingConsultation.objects.filter(Q(shared_with=user) | Q(shared_by=user)).select_related(
        "data_key", "shared_with", "shared_by"
    )


def case_studies_written_in(*, user: User) -> QuerySet[CaseStudy]:
    """Drafts and released case studies of the schemes where the user writes them (staff)."""
    return CaseStudy.objects.filter(scheme__in=schemes_where(user=user, roles=CASE_STUDY_WRITERS)).select_related(
        "family"
    )


def case_study_history(*, study: CaseStudy) -> list[Source]:
    """Where a case study's history comes from: drafts (sealed with the family's key, as the
    draft may still identify the family), the release and who released it (§3.3, §7.5)."""
    return [
        Source(
            CaseStudy.history.filter(id=study.pk),
            _("Case study"),
            key=("family", study.family),
            exclude={"scheme", "family", "created_at"},
        ),
    ]

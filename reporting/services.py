"""Writes for reporting: case studies, board minutes, consultations, and the record of reads."""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from access_log import approvals, gate
from access_log.gate import FileAccess
from access_log.models import Approval, ApprovalKind
from families.models import Family
from homestart.concurrency import check_version, row_version
from homestart.errors import AccessRefused, NotAllowed
from homestart.models import DataKey, Scheme, User, has_role
from homestart.rules import Role, Section
from homestart.writes import save_tracked

from .identifiers import find_identifiers
from .models import BoardMeeting, CaseStudy, ConfidentialItem, ReportEvent, SafeguardingConsultation
from .selectors import CASE_STUDY_WRITERS, CONSULTEE_ROLES, MINUTES_WRITERS

# The part of the family file a case study is written from (§7.5).


class IdentifiersFound(NotAllowed):
    """The text still identifies a family or a person of the scheme (§3.3, §3.5)."""

    def __init__(self, found: list) -> None:
        kinds = sorted({f.kind for f in found})
        super().__init__(
            _(
                "The text still contains %(count)s identifier(s) (%(kinds)s). "
                "Remove or change each highlighted one before it can be released."
            )
            % {"count": len(found), "kinds": ", ".join(kinds)}
        )
        self.found = found


def report_event_record(*, user: User, scheme: Scheme, kind: str, object_id=None, detail: str = "") -> ReportEvent:
    return ReportEvent.objects.create(user=user, scheme=scheme, kind=kind, object_id=object_id, detail=detail[:200])


@transaction.atomic
def case_study_create(
    *,
    family: Family,
    actor: User,
    title: str,
    draft: str,
    family_consented: bool,
    consent_recorded_on: datetime.date,
) -> CaseStudy:
    """A draft written from the family's file (opened through the gate by the caller), with the
    family's consent to its use (§7.5). The draft is sealed with the family's key."""
    if family_consented is not True:
        raise ValidationError({"family_consented": _("A case study is written only with the family's consent (§7.5).")})
    study = CaseStudy(
        scheme=family.scheme,
        family=family,
        title=title,
        draft=draft,
        family_consented=True,
        consent_recorded_on=consent_recorded_on,
        written_by=actor,
    )
    save_tracked(study, actor=actor)
    return study


@transaction.atomic
def case_study_update(
    *, study: CaseStudy, actor: User, title: str, draft: str, expected_version: str | None = None
) -> CaseStudy:
    """Change the draft. ``expected_version``: the version the form was opened on
    (``homestart.concurrency``): someone else's save since then is not overwritten."""
    check_version(study, expected_version)
    if study.status != CaseStudy.Status.DRAFT:
        raise ValidationError(_("A released case study cannot be changed."))
    if release_waiting(study) is not None:
        raise ValidationError(_("The release of this draft waits for approval: it cannot be changed meanwhile."))
    study.title, study.draft = title, draft
    save_tracked(study, actor=actor, update_fields=["title", "draft"])
    return study


def release_waiting(study: CaseStudy) -> Approval | None:
    return approvals.pending_for(kind=ApprovalKind.CASE_STUDY, subject_id=study.pk)


@transaction.atomic
def case_study_release_request(
    *, study: CaseStudy, access: FileAccess, actor: User, expected_version: str | None = None
) -> Approval:
    """Ask for the release of a case study to trustees and funders (§3.3, §7.5): only once no
    identifier is left, and it happens only when the scheme manager, another person than the one
    who asks, approves it. ``expected_version``: the version of the text the asker read; the
    draft cannot change while it waits, and the approval releases exactly that text."""
    if not has_role(actor, CASE_STUDY_WRITERS, scheme=study.scheme):
        raise AccessRefused(_("Only the scheme's coordinators and managers ask for a case study's release."))
    check_version(study, expected_version)
    if study.status != CaseStudy.Status.DRAFT:
        raise ValidationError(_("This case study has already been released."))
    found = find_identifiers(f"{study.title}\n{study.draft}", scheme=study.scheme)
    if found:
        raise IdentifiersFound(found)
    return approvals.approval_request(
        access=access,
        kind=ApprovalKind.CASE_STUDY,
        asking={"version": row_version(study), "title": study.title},
        actor=actor,
        subject_id=study.pk,
    )


def case_study_release(approval: Approval, asking: dict, access: FileAccess, actor: User, decision) -> CaseStudy:
    """The approved release: the text the asker read, checked again for identifiers, released in the
    approver's name (``released_by``)."""
    study = CaseStudy.objects.select_for_update().select_related("family__data_key").get(pk=approval.subject_id)
    if study.status != CaseStudy.Status.DRAFT:
        raise ValidationError(_("This case study has already been released."))
    if row_version(study) != asking["version"]:
        raise ValidationError(_("The draft changed after the release was asked for: ask again."))
    found = find_identifiers(f"{study.title}\n{study.draft}", scheme=study.scheme)
    if found:
        raise IdentifiersFound(found)
    with gate.changing(access, section=Section.CASE_STUDIES):
        study.status = CaseStudy.Status.RELEASED
        study.released_text = study.draft
        study.released_by = actor
        study.released_at = timezone.now()
        save_tracked(study, actor=actor, update_fields=["status", "released_text", "released_by", "released_at"])
    return study


def describe_case_study(approval: Approval, asking: dict) -> list[tuple[str, str]]:
    study = CaseStudy.objects.select_related("family__data_key").get(pk=approval.subject_id)
    return [
        (_("Title"), study.title),
        (_("Text to release"), study.draft),
        (_("Released to"), _("Trustees and funders, as anonymous text (§3.3, §7.5)")),
    ]


@transaction.atomic
def meeting_record(
    *,
    scheme: Scheme,
    actor: User,
    held_on: datetime.date,
    minutes: str,
    shared_with: Iterable[User] = (),
) -> BoardMeeting:
    if not has_role(actor, MINUTES_WRITERS, scheme=scheme):
        raise AccessRefused(_("Only the scheme manager records Board minutes."))
    meeting = BoardMeeting(scheme=scheme, held_on=held_on, minutes=minutes, recorded_by=actor)
    save_tracked(meeting, actor=actor)
    meeting.shared_with.set(shared_with)
    return meeting


@transaction.atomic
def confidential_item_add(
    *,
    meeting: BoardMeeting,
    actor: User,
    subject: str,
    text: str,
    circulation: list[User],
) -> ConfidentialItem:
    """A confidential discussion minuted separately, for its circulation list only (§3.7)."""
    if not has_role(actor, MINUTES_WRITERS, scheme=meeting.scheme):
        raise AccessRefused(_("Only the scheme manager records Board minutes."))
    if not circulation:
        raise ValidationError({"circulation": _("Name at least one person who may read this confidential item.")})
    item = ConfidentialItem(meeting=meeting, data_key=DataKey.generate(), subject=subject, text=text, recorded_by=actor)
    save_tracked(item, actor=actor)
    item.circulation.set({*circulation, actor})
    return item


@transaction.atomic
def consultation_share(*, scheme: Scheme, actor: User, summary: str, shared_with: User) -> SafeguardingConsultation:
    """The safeguarding lead shares a de-identified summary (§3.5); refused while it identifies anyone."""
    if not has_role(actor, Role.SAFEGUARDING_LEAD, scheme=scheme):
        raise AccessRefused(_("Only the safeguarding lead consults on a concern (§3.5)."))
    # Trustees of the scheme, or a national reviewer acting as the Board's adviser.
    if not (
        has_role(shared_with, CONSULTEE_ROLES, scheme=scheme) or has_role(shared_with, CONSULTEE_ROLES, scheme=None)
    ):
        raise ValidationError({"shared_with": _("Choose a trustee or the Board's safeguarding adviser.")})
    found = find_identifiers(summary, scheme=scheme)
    if found:
        raise IdentifiersFound(found)
    consultation = SafeguardingConsultation(
        scheme=scheme, data_key=DataKey.generate(), summary=summary, shared_with=shared_with, shared_by=actor
    )
    save_tracked(consultation, actor=actor)
    return consultation

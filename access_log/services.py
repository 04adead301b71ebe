"""Writes for reviews, audit sessions, signatures and undertakings.

Each service grants or revokes the object permissions its occasion needs; the
gate still checks the occasion itself (window, session, signature) at the
moment of access, so nothing depends on a clean-up job running.
"""

from __future__ import annotations

import datetime
import secrets
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from homestart.errors import NotAllowed
from homestart.models import Scheme, User, has_role
from homestart.rules import FileKind, Purpose, Role
from homestart.writes import save_tracked

from .kinds import kind_spec
from .models import AuditSession, AuditSessionFile, ContractorUndertaking, RecordOfAccess, Review, SampledFile

MAX_SAMPLE = 50
MAX_REVIEW_DAYS = 90


def _review_kind_for(user: User, scheme: Scheme) -> str:
    if has_role(user, Role.REVIEWER, scheme=None):
        return Review.Kind.QUALITY_REVIEW
    if has_role(user, Role.SPOT_CHECK_TRUSTEE, scheme=scheme):
        return Review.Kind.SPOT_CHECK
    raise NotAllowed(
        {
            "scheme": gettext(
                "Only HSUK reviewers, and the scheme's trustee responsible for spot checks, draw samples (§9.1)."
            )
        }
    )


# The kinds of file each review samples (§9.1): a trustee's spot check, family and
# volunteer files (§8.3); an HSUK quality review, personnel files as well (§8.4).
SAMPLED_KINDS = {
    Review.Kind.SPOT_CHECK: (FileKind.FAMILY, FileKind.VOLUNTEER),
    Review.Kind.QUALITY_REVIEW: (FileKind.FAMILY, FileKind.VOLUNTEER, FileKind.PERSONNEL),
}


@transaction.atomic
def review_draw_sample(
    *,
    reviewer: User,
    scheme: Scheme,
    sample_size: int,
    days: int,
    volunteer_files: int = 0,
    personnel_files: int = 0,
    rng: secrets.SystemRandom | None = None,
) -> Review:
    """Draw a random sample of the scheme's files for a review window (§8.3, §8.4, §9.1):
    ``sample_size`` family files, ``volunteer_files`` volunteer files and, in an HSUK
    quality review, ``personnel_files`` personnel files.

    The reviewer cannot choose the files: the sample is drawn at random, once.
    """
    kind = _review_kind_for(reviewer, scheme)
    wanted = {FileKind.FAMILY: sample_size, FileKind.VOLUNTEER: volunteer_files, FileKind.PERSONNEL: personnel_files}
    fields = {
        FileKind.FAMILY: "sample_size",
        FileKind.VOLUNTEER: "volunteer_files",
        FileKind.PERSONNEL: "personnel_files",
    }
    for file_kind, count in wanted.items():
        if not 0 <= count <= MAX_SAMPLE:
            raise ValidationError({fields[file_kind]: gettext("Choose 0 to %(most)s files.") % {"most": MAX_SAMPLE}})
        if count and file_kind not in SAMPLED_KINDS[kind]:
            raise ValidationError(
                {fields[file_kind]: (gettext("Personnel files are sampled only in an HSUK quality review (§8.4)."))}
            )
    if not 1 <= sum(wanted.values()) <= MAX_SAMPLE:
        raise ValidationError(
            {"sample_size": gettext("Choose a sample of 1 to %(most)s files.") % {"most": MAX_SAMPLE}}
        )
    if not 1 <= days <= MAX_REVIEW_DAYS:
        raise ValidationError(
            {"days": gettext("A review window lasts 1 to %(most)s days.") % {"most": MAX_REVIEW_DAYS}}
        )
    if Review.objects.open_now().filter(reviewer=reviewer, scheme=scheme).exists():
        raise ValidationError({"scheme": gettext("You already have an open review of this scheme. Close it first.")})
    rng = rng or secrets.SystemRandom()
    chosen: list[tuple[str, Any, str]] = []
    for file_kind in SAMPLED_KINDS[kind]:
        if not wanted[file_kind]:
            continue
        population = list(kind_spec(file_kind).readable_files(scheme_id=scheme.pk, reader=reviewer))
        drawn = rng.sample(population, min(wanted[file_kind], len(population)))
        chosen += [(file_kind, pk, ref) for pk, ref in drawn]
    if not chosen:
        raise ValidationError({"scheme": gettext("This scheme has no files of the kinds asked for to sample.")})
    now = timezone.now()
    review = Review(
        kind=kind,
        scheme=scheme,
        reviewer=reviewer,
        opens_at=now,
        closes_at=now + datetime.timedelta(days=days),
        sample_size=len(chosen),
    )
    save_tracked(review, actor=reviewer)
    SampledFile.objects.bulk_create(
        SampledFile(review=review, file_kind=file_kind, file_id=pk, file_reference=ref) for file_kind, pk, ref in chosen
    )
    # Family files also carry an object permission for the review (families/kinds.py); the
    # other kinds are decided from the sample itself (records/people/kinds.py).
    for file_kind in SAMPLED_KINDS[kind]:
        ids = [pk for chosen_kind, pk, _ in chosen if chosen_kind == file_kind]
        kind_spec(file_kind).named_for(reader=reviewer, file_ids=ids, by=review)
    return review


@transaction.atomic
def review_close(*, review: Review, actor: User) -> Review:
    if review.closed_at is not None:
        raise ValidationError(gettext("This review is already closed."))
    review.closed_at = timezone.now()
    save_tracked(review, actor=actor, update_fields=["closed_at"])
    still_open = SampledFile.objects.filter(review__in=Review.objects.open_now().filter(reviewer=review.reviewer))
    for file_kind in SAMPLED_KINDS[review.kind]:
        open_ids = still_open.filter(file_kind=file_kind).values("file_id")
        ids = review.files.filter(file_kind=file_kind).exclude(file_id__in=open_ids).values_list("file_id", flat=True)
        kind_spec(file_kind).released_for(reader=review.reviewer, file_ids=ids, by=review)
    return review


@transaction.atomic
def record_of_access_sign(
    *,
    user: User,
    kind: str,
    obj: Any,
    reference: str,
    scheme_id: int,
    role: str,
    signed_name: str,
    declared: bool,
    review: Review | None = None,
    session: AuditSession | None = None,
) -> RecordOfAccess:
    """Sign and date the Record of Access on the file's inside front cover (§9.1, §10.1)."""
    if not declared:
        raise ValidationError({"declared": gettext("Confirm the declaration to sign the Record of Access.")})
    if not signed_name.strip():
        raise ValidationError({"signed_name": gettext("Enter your full name.")})
    purpose = review.purpose if review else Purpose.EXTERNAL_AUDIT
    record = RecordOfAccess(
        file_kind=kind,
        file_id=obj.pk,
        file_reference=reference,
        scheme_id=scheme_id,
        user=user,
        signed_name=signed_name.strip(),
        role=role,
        purpose=purpose,
        declaration=RecordOfAccess.DECLARATION,
        review=review,
        audit_session=session,
        witnessed_by=session.opened_by if session else None,
    )
    record.full_clean()
    record.save()
    return record


# What an external auditor may read in a supervised session: family and volunteer files
# (§8.3: "external reviewers for the purpose of ... external audit"; §10.1); never
# personnel files, which §8.4 keeps to the line manager, trustees and HSUK reviewers.
AUDITED_KINDS = (FileKind.FAMILY, FileKind.VOLUNTEER)


def _kind_of_reference(reference: str) -> str:
    if "-V-" in reference:
        return FileKind.VOLUNTEER
    if "-P-" in reference:
        return FileKind.PERSONNEL
    return FileKind.FAMILY


@transaction.atomic
def audit_session_open(
    *, coordinator: User, auditor: User, scheme: Scheme, references: list[str], signed_name: str, declared: bool
) -> AuditSession:
    """A coordinator opens a two-hour supervised session for named family and volunteer files (§8.3, §10.1)."""
    if not has_role(coordinator, (Role.COORDINATOR, Role.MANAGER), scheme=scheme):
        raise NotAllowed({"auditor": gettext("Only the scheme's coordinators open audit sessions (§10.1).")})
    if not has_role(auditor, Role.AUDITOR, scheme=scheme):
        raise ValidationError({"auditor": gettext("Choose an external auditor of this scheme.")})
    if not declared:
        raise ValidationError({"declared": gettext("Confirm that you will be present throughout the session.")})
    if not signed_name.strip():
        raise ValidationError({"signed_name": gettext("Enter your full name.")})
    by_kind: dict[str, list[str]] = {}
    for reference in references:
        by_kind.setdefault(_kind_of_reference(reference), []).append(reference)
    if FileKind.PERSONNEL in by_kind:
        raise ValidationError({"references": gettext("Personnel files are not opened in an external audit (§8.4).")})
    files = [
        (file_kind, pk, ref)
        for file_kind in AUDITED_KINDS
        for pk, ref in kind_spec(file_kind)
        .readable_files(scheme_id=scheme.pk, reader=auditor)
        .filter(reference__in=by_kind.get(file_kind, []))
    ]
    if not files:
        raise ValidationError({"references": gettext("Choose at least one family or volunteer file of this scheme.")})
    now = timezone.now()
    session = AuditSession(
        scheme=scheme,
        auditor=auditor,
        opened_by=coordinator,
        coordinator_signed_name=signed_name.strip(),
        opened_at=now,
        expires_at=now + AuditSession.DURATION,
    )
    save_tracked(session, actor=coordinator)
    AuditSessionFile.objects.bulk_create(
        AuditSessionFile(session=session, file_kind=file_kind, file_id=pk, file_reference=ref)
        for file_kind, pk, ref in files
    )
    # Family files also carry an object permission for the session (families/kinds.py);
    # volunteer files are decided from the session itself (records/people/kinds.py).
    for file_kind in AUDITED_KINDS:
        ids = [pk for named_kind, pk, _ in files if named_kind == file_kind]
        kind_spec(file_kind).named_for(reader=auditor, file_ids=ids, by=session)
    return session


@transaction.atomic
def audit_session_close(*, session: AuditSession, actor: User) -> AuditSession:
    if session.closed_at is not None:
        raise ValidationError(gettext("This session is already closed."))
    session.closed_at = timezone.now()
    session.closed_by = actor
    save_tracked(session, actor=actor, update_fields=["closed_at", "closed_by"])
    still_open = AuditSessionFile.objects.filter(
        session__in=AuditSession.objects.open_now().filter(auditor=session.auditor)
    )
    for file_kind in AUDITED_KINDS:
        open_ids = still_open.filter(file_kind=file_kind).values("file_id")
        ids = session.files.filter(file_kind=file_kind).exclude(file_id__in=open_ids).values_list("file_id", flat=True)
        kind_spec(file_kind).released_for(reader=session.auditor, file_ids=ids, by=session)
    return session


def undertaking_sign(*, user: User, signed_name: str, organisation: str, declared: bool) -> ContractorUndertaking:
    if not declared:
        raise ValidationError({"declared": gettext("Confirm the undertaking to sign it.")})
    if not signed_name.strip():
        raise ValidationError({"signed_name": gettext("Enter your full name.")})
    undertaking = ContractorUndertaking(
        user=user, signed_name=signed_name.strip(), organisation=organisation.strip(), text=ContractorUndertaking.TEXT
    )
    undertaking.full_clean()
    undertaking.save()
    return undertaking

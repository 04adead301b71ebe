"""Bringing a scheme's records in: each good row through the one family-creation service,
each in its own savepoint, so a bad row never half-enters (§7.1, §8.2, §8.6).

    report = families_import(scheme=scheme, actor=manager, table=table)

A row is matched, and so not added again, by its ``external_id`` within the scheme
(kept as a keyed hash, ``ImportedRecord``), or, without one, by the blind-indexed
surname and postcode of the carer and their date of birth (compared once decrypted,
for the few families sharing surname and postcode). ``dry_run`` reads and checks
everything, matches against the database, and writes nothing at all: no row, no key.
"""

from __future__ import annotations

import csv
import hashlib
import hmac
import io
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import DatabaseError, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _

from access_log.kinds import SCHEME_STAFF_ROLES
from families.models import Family, Member
from families.services import CreatedBy, family_create, staff_role
from homestart import keystore, request_cache
from homestart.crypto import blind_index, open_sealed, seal
from homestart.errors import AccessRefused
from homestart.models import DataKey, Membership, Scheme, User
from homestart.rules import Purpose, Role

from .columns import FAMILY_COLUMNS
from .models import ImportedRecord, ImportKind, PendingImport
from .parsing import FamilyRow, RowInvalid, parse_family
from .reading import SourceRow, Table, open_table

BATCH_SIZE = 200  # rows per transaction: each row its own savepoint inside it
PREVIEW_ROWS = 10


@dataclass
class RowError:
    line: int
    reason: str
    raw: list[str]


@dataclass
class ImportReport:
    dry_run: bool
    headings: list[str] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)
    rows_read: int = 0
    added: int = 0
    already_there: int = 0
    errors: list[RowError] = field(default_factory=list)
    preview: list[dict[str, Any]] = field(default_factory=list)
    references: list[str] = field(default_factory=list)  # of the families added (first 1,000)
    seconds: float = 0.0

    @property
    def refused(self) -> int:
        return len(self.errors)

    def summary(self) -> str:
        counts = {"read": self.rows_read, "added": self.added, "there": self.already_there, "refused": self.refused}
        if self.dry_run:
            return (
                _("%(read)s row(s) read: %(added)s would be added, %(there)s already there, %(refused)s refused.")
                % counts
            )
        return _("%(read)s row(s) read: %(added)s added, %(there)s already there, %(refused)s refused.") % counts

    def errors_csv(self) -> str:
        """The failing rows as they were, plus a ``reason`` column (and the line), to fix and import again."""
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow([*self.headings, "reason", "line"])
        for error in self.errors:
            writer.writerow(
                [
                    *error.raw[: len(self.headings)],
                    *[""] * (len(self.headings) - len(error.raw)),
                    error.reason,
                    error.line,
                ]
            )
        return out.getvalue()


def external_id_index(*, scheme: Scheme, kind: str, external_id: str) -> str:
    """A keyed hash of an id from the old system, per scheme and kind (never stored in plaintext)."""
    text = " ".join(external_id.split())
    if not text:
        return ""
    message = f"external_id\x00{kind}\x00{scheme.pk}\x00{text}".encode()
    return hmac.new(settings.BLIND_INDEX_KEY, message, hashlib.sha256).hexdigest()[:32]


def require_importer(*, actor: User, scheme: Scheme) -> str:
    """The role in which ``actor`` brings records into ``scheme``: a coordinator or the manager."""
    role = staff_role(actor=actor, scheme=scheme)
    if role is None:
        raise AccessRefused(_("Only the scheme's coordinators and manager bring records in (§7.2, §8.3)."))
    return role


def _same_family(*, scheme: Scheme, row: FamilyRow) -> Family | None:
    """A family of the scheme whose carer has this surname, postcode and date of birth."""
    surname = blind_index(row.carer["last_name"], domain="surname")
    postcode = blind_index(row.postcode, domain="postcode")
    carers = Member.objects.filter(family=OuterRef("pk"), kind=Member.Kind.ADULT, surname_index=surname)
    candidates = (
        Family.objects.with_keys().readable().filter(scheme=scheme, postcode_index=postcode).filter(Exists(carers))
    )
    born = row.carer["date_of_birth"]
    for family in candidates[:50]:
        for member in family.members.filter(kind=Member.Kind.ADULT, surname_index=surname):
            member.family = family  # the key is on the family already loaded
            if member.date_of_birth == born:
                return family
    return None


def _preview(row: FamilyRow, line: int) -> dict[str, Any]:
    carer = row.carer
    return {
        "line": line,
        "name": f"{carer['first_name']} {carer['last_name']}",
        "date_of_birth": carer["date_of_birth"],
        "address": row.address,
        "postcode": row.postcode,
        "phone": row.phone,
        "referred_on": row.referral["referred_on"],
        "source": row.referral["source"].label,
        "children": ", ".join(
            c["first_name"] + (f" ({c['date_of_birth']:%d/%m/%Y})" if c["date_of_birth"] else "") for c in row.children
        ),
    }


def _reason(error: Exception) -> str:
    if isinstance(error, ValidationError):
        if hasattr(error, "error_dict"):
            return "; ".join(f"{name}: {' '.join(msgs)}" for name, msgs in error.message_dict.items())
        return " ".join(error.messages)
    return _("the row could not be saved")


Progress = Callable[[int], None]


def families_import(
    *,
    scheme: Scheme,
    actor: User,
    table: Table,
    dry_run: bool = False,
    progress: Progress | None = None,
    batch_size: int = BATCH_SIZE,
) -> ImportReport:
    """Bring every good row of ``table`` into ``scheme`` as a family file; report the rest."""
    role = require_importer(actor=actor, scheme=scheme)
    started = time.monotonic()
    report = ImportReport(dry_run=dry_run, headings=table.raw_headings, ignored_columns=table.ignored)
    seen_ids: set[str] = set()
    seen_people: set[tuple[str, str, Any]] = set()
    rows = iter(table)
    while True:
        batch = [row for _, row in zip(range(batch_size), rows, strict=False)]
        if not batch:
            break
        if dry_run:
            _batch(scheme, actor, role, batch, report, seen_ids, seen_people, dry_run=True)
        else:
            # One transaction per batch, a savepoint per row; the batch's new keys are made
            # durable together before it commits, and their promotions after (keystore).
            with (
                request_cache.scope(),
                keystore.synced_together(),
                transaction.atomic(),
                keystore.synced_together(),
            ):
                _batch(scheme, actor, role, batch, report, seen_ids, seen_people, dry_run=False)
        if progress is not None:
            progress(report.rows_read)
    report.seconds = time.monotonic() - started
    return report


def _batch(
    scheme: Scheme,
    actor: User,
    role: str,
    batch: Iterable[SourceRow],
    report: ImportReport,
    seen_ids: set[str],
    seen_people: set[tuple[str, str, Any]],
    *,
    dry_run: bool,
) -> None:
    parsed: list[tuple[SourceRow, FamilyRow | RowInvalid, str]] = []
    for source in batch:
        try:
            row = parse_family(source.values)
        except RowInvalid as invalid:
            parsed.append((source, invalid, ""))
            continue
        parsed.append(
            (source, row, external_id_index(scheme=scheme, kind=ImportKind.FAMILIES, external_id=row.external_id))
        )
    # The batch's external ids already in the scheme, in one query rather than one a row;
    # a row added below joins them, so a repeat later in the same batch is matched too.
    known_ids = set(
        ImportedRecord.objects.filter(
            scheme=scheme, kind=ImportKind.FAMILIES, external_id_index__in=[key for _, _, key in parsed if key]
        ).values_list("external_id_index", flat=True)
    )
    for source, row, key in parsed:
        report.rows_read += 1
        if isinstance(row, RowInvalid):
            report.errors.append(RowError(source.line, "; ".join(row.reasons), source.raw))
            continue
        person = (
            blind_index(row.carer["last_name"], domain="surname"),
            blind_index(row.postcode, domain="postcode"),
            row.carer["date_of_birth"],
        )
        if key:
            known = key in seen_ids or key in known_ids
        else:
            known = person in seen_people or _same_family(scheme=scheme, row=row) is not None
        if known:
            report.already_there += 1
            continue
        if dry_run:
            _added(report, row, source, key, person, seen_ids, seen_people, reference="")
            continue
        try:
            with transaction.atomic():
                family = family_create(
                    scheme=scheme,
                    actor=actor,
                    role=role,
                    reason=CreatedBy.RECORDS_IMPORT,
                    address=row.address,
                    postcode=row.postcode,
                    phone=row.phone,
                    members=row.members,
                    referral=row.referral,
                    purpose=Purpose.IMPORT,
                )
                if key:
                    ImportedRecord.objects.create(
                        scheme=scheme, kind=ImportKind.FAMILIES, external_id_index=key, family=family, imported_by=actor
                    )
                    known_ids.add(key)
        except (ValidationError, DatabaseError) as error:
            report.errors.append(RowError(source.line, _reason(error), source.raw))
            continue
        _added(report, row, source, key, person, seen_ids, seen_people, reference=family.reference)


def _added(report, row, source, key, person, seen_ids, seen_people, *, reference: str) -> None:
    report.added += 1
    if not reference:
        # A dry run writes nothing, so it remembers what it would have added (a hash or two a
        # row) to match a row repeated later in the file; an import finds it in the database.
        if key:
            seen_ids.add(key)
        seen_people.add(person)
    if len(report.preview) < PREVIEW_ROWS:
        report.preview.append(_preview(row, source.line) | {"reference": reference})
    if reference and len(report.references) < 1000:
        report.references.append(reference)


def staff_schemes(*, user: User):
    """The schemes in which ``user`` may bring records in."""
    return Scheme.objects.filter(
        pk__in=Membership.objects.current().filter(user=user, role__in=SCHEME_STAFF_ROLES).values("scheme_id")
    )


# --- the upload page: a file waits, sealed, for the manager's confirmation --------------

PAGE_ROW_LIMIT = 3000  # more rows than this: the command (a page has a 30-second budget)


def scheme_managed_by(*, user: User, code: str = "") -> Scheme | None:
    """The scheme ``user`` manages (the one named by ``code`` if they manage several)."""
    schemes = Scheme.objects.filter(
        pk__in=Membership.objects.current().filter(user=user, role=Role.MANAGER).values("scheme_id")
    ).order_by("code")
    if code:
        schemes = schemes.filter(code=code)
    return schemes.first()


def _require_manager(*, actor: User, scheme: Scheme) -> None:
    if not Membership.objects.current().filter(user=actor, scheme=scheme, role=Role.MANAGER).exists():
        raise AccessRefused(_("Only the scheme manager brings records in from this page."))


def _open_pending(pending: PendingImport) -> Table:
    plain = open_sealed(pending.data_key.plaintext_key(), bytes(pending.sealed), aad=pending.aad())
    return open_table(io.BytesIO(plain), FAMILY_COLUMNS, name=f"upload.{pending.file_type}")


@transaction.atomic
def pending_import_stage(
    *, scheme: Scheme, actor: User, content: bytes, name: str
) -> tuple[PendingImport, ImportReport]:
    """Check an uploaded file (a dry run) and keep it, sealed under its own key, for the
    confirmation. Raises ``FileRefused`` for a file that cannot be read at all."""
    _require_manager(actor=actor, scheme=scheme)
    table = open_table(io.BytesIO(content), FAMILY_COLUMNS, name=name, max_rows=PAGE_ROW_LIMIT)
    report = families_import(scheme=scheme, actor=actor, table=table, dry_run=True)
    pending = PendingImport(scheme=scheme, uploaded_by=actor, file_type=table.file_type, data_key=DataKey.generate())
    pending.sealed = seal(pending.data_key.plaintext_key(), content, aad=pending.aad())
    pending.rows_read, pending.added, pending.already_there = report.rows_read, report.added, report.already_there
    pending.refused = report.refused
    pending._history_user = actor
    pending.full_clean()
    pending.save()
    return pending, report


def pending_import_preview(*, pending: PendingImport, actor: User) -> ImportReport:
    """What confirming would do now (checked again: the scheme may have changed meanwhile)."""
    return families_import(scheme=pending.scheme, actor=actor, table=_open_pending(pending), dry_run=True)


def _finish(pending: PendingImport, actor: User, status: str) -> None:
    pending.status, pending.finished_at = status, timezone.now()
    pending._history_user = actor
    pending.save(update_fields=["status", "finished_at", "rows_read", "added", "already_there", "refused"])
    pending.data_key.destroy()  # the uploaded file can no longer be read anywhere (§8.8)


def pending_import_confirm(*, pending: PendingImport, actor: User) -> ImportReport | None:
    """Import the waiting file once: a second confirmation finds it done and returns None."""
    with transaction.atomic():
        locked = PendingImport.objects.select_for_update().select_related("data_key", "scheme").get(pk=pending.pk)
        if locked.status != PendingImport.Status.WAITING:
            return None
        if locked.uploaded_by_id != actor.pk:
            raise AccessRefused(_("Only the person who uploaded the file confirms it."))
        _require_manager(actor=actor, scheme=locked.scheme)
        report = families_import(scheme=locked.scheme, actor=actor, table=_open_pending(locked))
        locked.rows_read, locked.added = report.rows_read, report.added
        locked.already_there, locked.refused = report.already_there, report.refused
        _finish(locked, actor, PendingImport.Status.IMPORTED)
    return report


@transaction.atomic
def pending_import_abandon(*, pending: PendingImport, actor: User) -> None:
    locked = PendingImport.objects.select_for_update().select_related("data_key").get(pk=pending.pk)
    if locked.status == PendingImport.Status.WAITING:
        _finish(locked, actor, PendingImport.Status.ABANDONED)

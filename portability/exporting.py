"""Taking a scheme's records out: one archive that opens without this product (§8.2, §8.7).

The archive is a ZIP file of CSV and JSON files, encrypted with age
(https://age-encryption.org, the ``pyrage`` binding): either to a passphrase the scheme
manager types (age's scrypt recipient) or to an age public key the scheme keeps. Nothing
of the secret is stored. Anyone with the passphrase or the identity opens it with the
standard ``age`` tool (``age -d -o records.zip FILE.zip.age``) and any unzip.

Inside::

    README.txt                      what is where, and how to import it again
    families.csv                    one row per family, in the import's own columns (docs/import.md)
    families.json                   everything readable of each family: all members, referrals, visits
    volunteers.csv                  one row per volunteer file, in import_volunteers' columns
    registers/disclosures.csv       the disclosure register (§1.5, §7.4)
    registers/consents.csv          consents given and withdrawn (§1.2-§1.4)
    registers/destructions.csv      destruction certificates (§8.8)
    registers/exports.csv           earlier exports of the scheme's records

Importing ``families.csv`` into another scheme (or installation) restores every family:
the family's reference here becomes its ``external_id`` there. A destroyed file is only a
tombstone (its key is gone, §8.8): it is listed in families.json as destroyed, and not
in families.csv. Each export is recorded as a disclosure (``SchemeExport``) and an access
event with the purpose "export" on every file it carried.
"""

from __future__ import annotations

import csv
import datetime
import hashlib
import io
import json
import zipfile
from typing import Any

import pyrage
from django.db import transaction
from django.utils import timezone

from access_log import gate
from consent.models import Consent, Disclosure
from families.models import Family, Member
from homestart.models import Scheme, User
from homestart.rules import Action, FileKind, Purpose, Role
from records.models import DestructionCertificate, VolunteerFile

from .columns import FAMILY_COLUMNS, VOLUNTEER_COLUMNS
from .importing import _require_manager
from .models import SchemeExport

README = """Records of {scheme} ({code}), exported on {when} by {who}.

Open it:   age -d -o records.zip {code}-records-YYYY-MM-DD.zip.age   (then unzip records.zip)
           (age: https://age-encryption.org; the passphrase, or the identity file with -i)

families.csv     one row per family in the columns of the family import (docs/import.md);
                 external_id is the family's reference here. To bring the families into
                 another scheme:  manage.py import_families families.csv --scheme CODE --as USER
families.json    each family in full: members, referrals, visits, status
volunteers.csv   one row per volunteer file, in the columns of import_volunteers
registers/       disclosures, consents, destruction certificates, earlier exports

Every file is UTF-8 with a byte-order mark, comma-separated (Excel opens it directly).
This archive holds personal data about children and families: keep it encrypted, and
delete the opened copy once it has served its purpose.
"""


def _date(value: datetime.date | None) -> str:
    return value.strftime("%d/%m/%Y") if value else ""


def _csv(rows: list[list[Any]]) -> bytes:
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows(rows)
    return out.getvalue().encode("utf-8-sig")


def _family_rows(families: list[Family]) -> tuple[list[list[Any]], list[dict[str, Any]]]:
    names = [c.name for c in FAMILY_COLUMNS]
    rows: list[list[Any]] = [[*names, "reference", "status", "closed_on"]]
    full: list[dict[str, Any]] = []
    for family in families:
        if family.destroyed:
            full.append({"reference": family.reference, "destroyed": True, "destroyed_at": str(family.destroyed_at)})
            continue
        members = list(family.members.all())
        for member in members:
            member.family = family
        adults = [m for m in members if m.kind == Member.Kind.ADULT]
        children = [m for m in members if m.kind == Member.Kind.CHILD]
        carer = adults[0] if adults else None
        referrals = list(family.referrals.all())
        for referral in referrals:
            referral.family = family
        first = min(referrals, key=lambda r: r.referred_on) if referrals else None
        values = {
            "external_id": family.reference,
            "carer_first_name": carer.first_name if carer else "",
            "carer_last_name": carer.last_name if carer else "",
            "carer_date_of_birth": _date(carer.date_of_birth) if carer else "",
            "address": family.address,
            "postcode": family.postcode,
            "phone": family.phone,
            # A file with no referral of its own came by transfer, from a referral the family
            # consented to at the scheme that sent it (§7.1, §9.2).
            "referral_date": _date(first.referred_on if first else family.created_at.date()),
            "referral_source": first.get_source_display() if first else "Other agency",
            "referrer_name": first.referrer_name if first else "",
            "reasons": first.reasons if first else "Came by transfer from another scheme.",
            "family_consented": "yes",
            "children": "; ".join(
                " ".join(p for p in (c.first_name, c.last_name, _date(c.date_of_birth)) if p) for c in children
            ),
        }
        rows.append([*(values[n] for n in names), family.reference, family.status, _date(family.closed_on)])
        full.append(
            {
                "reference": family.reference,
                "status": family.status,
                "created_at": family.created_at.isoformat(),
                "closed_on": family.closed_on.isoformat() if family.closed_on else None,
                "closure_reason": family.closure_reason,
                "closing_summary": family.closing_summary,
                "address": family.address,
                "postcode": family.postcode,
                "phone": family.phone,
                "members": [
                    {
                        "kind": m.kind,
                        "first_name": m.first_name,
                        "last_name": m.last_name,
                        "date_of_birth": m.date_of_birth.isoformat() if m.date_of_birth else None,
                        "relationship": m.relationship,
                    }
                    for m in members
                ],
                "referrals": [
                    {
                        "referred_on": r.referred_on.isoformat(),
                        "source": r.source,
                        "referrer_name": r.referrer_name,
                        "referrer_organisation": r.referrer_organisation,
                        "referrer_contact": r.referrer_contact,
                        "reasons": r.reasons,
                        "family_consented": r.family_consented,
                    }
                    for r in referrals
                ],
                "visits": [
                    {"visited_on": v.visited_on.isoformat(), "kind": v.kind, "notes": _open(v, family, "notes")}
                    for v in family.visits.all()
                ],
            }
        )
    return rows, full


def _open(row: Any, family: Family, field: str) -> Any:
    row.family = family
    return getattr(row, field)


def _volunteer_rows(files: list[VolunteerFile]) -> list[list[Any]]:
    rows: list[list[Any]] = [[c.name for c in VOLUNTEER_COLUMNS] + ["reference", "left_on"]]
    for file in files:
        if file.data_key.destroyed_at is not None:
            continue
        person = file.person
        rows.append(
            [
                file.reference,
                person.first_name or file.full_name.split(" ")[0],
                person.last_name or " ".join(file.full_name.split(" ")[1:]),
                person.email,
                file.phone,
                file.address,
                _date(file.started_on),
                _date(file.dbs_checked_on),
                file.training,
                file.reference,
                _date(file.left_on),
            ]
        )
    return rows


def _registers(scheme: Scheme, readable: dict[Any, Family]) -> dict[str, bytes]:
    disclosures = [
        [
            "family",
            "channel",
            "scope",
            "recipient",
            "recipient_name",
            "summary",
            "shared_on",
            "basis",
            "family_told",
            "family_told_on",
            "recorded_at",
        ]
    ]
    for d in Disclosure.objects.filter(family__scheme=scheme).order_by("recorded_at"):
        family = readable.get(d.family_id)
        if family is None:
            continue  # a destroyed file: its entries cannot be read (its certificate is listed)
        d.family = family
        disclosures.append(
            [
                family.reference,
                d.get_channel_display(),
                d.scope,
                d.get_recipient_kind_display(),
                d.recipient_name,
                d.summary,
                _date(d.shared_on),
                d.basis,
                d.get_family_told_display(),
                _date(d.family_told_on),
                d.recorded_at.isoformat(),
            ]
        )
    consents = [["family", "scope", "recipient", "recipient_name", "method", "given_on", "review_on", "withdrawn_on"]]
    for c in Consent.objects.filter(family__scheme=scheme).order_by("given_on"):
        family = readable.get(c.family_id)
        if family is None:
            continue
        c.family = family
        consents.append(
            [
                family.reference,
                c.scope,
                c.get_recipient_kind_display(),
                c.recipient_name,
                c.method,
                _date(c.given_on),
                _date(c.review_on),
                _date(c.withdrawn_on),
            ]
        )
    destructions = [["reference", "kind", "kinds_of_record", "retention_from", "due_on", "destroyed_at"]]
    for cert in DestructionCertificate.objects.filter(destruction__scheme=scheme).order_by("destroyed_at"):
        destructions.append(
            [
                cert.file_reference,
                cert.file_kind,
                cert.kinds_of_record,
                _date(cert.retention_from),
                _date(cert.due_on),
                cert.destroyed_at.isoformat(),
            ]
        )
    exports = [["exported_at", "exported_by", "recipient", "encryption", "contents", "sha256"]]
    for e in SchemeExport.objects.filter(scheme=scheme).select_related("exported_by").order_by("exported_at"):
        exports.append(
            [e.exported_at.isoformat(), e.exported_by.display_name, e.recipient, e.encryption, e.contents, e.sha256]
        )
    return {
        "registers/disclosures.csv": _csv(disclosures),
        "registers/consents.csv": _csv(consents),
        "registers/destructions.csv": _csv(destructions),
        "registers/exports.csv": _csv(exports),
    }


def encrypt(data: bytes, *, passphrase: str = "", recipient: str = "") -> bytes:
    if recipient:
        return pyrage.encrypt(data, [pyrage.x25519.Recipient.from_str(recipient)])
    return pyrage.passphrase.encrypt(data, passphrase)


@transaction.atomic
def scheme_export(*, scheme: Scheme, actor: User, passphrase: str = "", recipient: str = "") -> bytes:
    """The scheme's whole records as an age-encrypted ZIP; recorded as a disclosure and an
    access event ("export") on every file it carries. Only the scheme manager."""
    _require_manager(actor=actor, scheme=scheme)
    if not passphrase and not recipient:
        raise ValueError("An export is encrypted to a passphrase or an age public key.")
    families = list(Family.objects.with_keys().filter(scheme=scheme).order_by("number"))
    volunteers = list(
        VolunteerFile.objects.filter(scheme=scheme).select_related("data_key", "person").order_by("number")
    )
    family_rows, full = _family_rows(families)
    readable = {f.pk: f for f in families if not f.destroyed}
    now = timezone.now()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "README.txt",
            README.format(scheme=scheme.name, code=scheme.code, when=f"{now:%d/%m/%Y %H:%M}", who=actor.display_name),
        )
        archive.writestr("families.csv", _csv(family_rows))
        archive.writestr("families.json", json.dumps({"scheme": scheme.code, "families": full}, indent=1))
        archive.writestr("volunteers.csv", _csv(_volunteer_rows(volunteers)))
        for name, content in _registers(scheme, readable).items():
            archive.writestr(name, content)
    sealed = encrypt(buffer.getvalue(), passphrase=passphrase, recipient=recipient)
    gate.record_listing(
        user=actor,
        kind=FileKind.FAMILY,
        objs=list(readable.values()),
        roles={scheme.pk: Role.MANAGER},
        purpose=Purpose.EXPORT,
        action=Action.EXPORT,
    )
    gate.record_listing(
        user=actor,
        kind=FileKind.VOLUNTEER,
        objs=[v for v in volunteers if v.data_key.destroyed_at is None],
        roles={scheme.pk: Role.MANAGER},
        purpose=Purpose.EXPORT,
        action=Action.EXPORT,
    )
    SchemeExport.objects.create(
        scheme=scheme,
        exported_by=actor,
        exported_at=now,
        recipient=f"{actor.display_name}, scheme manager, for the scheme"[:200],
        encryption="age, to an X25519 public key" if recipient else "age, to a passphrase (scrypt)",
        contents=(
            f"{len(family_rows) - 1} family files, {len(volunteers)} volunteer files, "
            "disclosures, consents, destruction certificates, earlier exports"
        ),
        families=len(family_rows) - 1,
        volunteers=len(volunteers),
        sha256=hashlib.sha256(sealed).hexdigest(),
    )
    return sealed

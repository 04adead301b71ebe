"""Transfer of a family to another Home-Start scheme (§9.2, §9.3).

With the family's consent to the named scheme, or without it only where there
are or have been safeguarding concerns (``may_share`` decides), the coordinator
chooses which parts of the file are appropriate to share. Every transfer is a
disclosure in the register.

- Same installation: a new family file opens in the receiving scheme, holding
  only the chosen parts, linked to the old one by the ``Transfer`` row. The
  receiving scheme's coordinators and managers see it; nobody there sees the old file.
- Another installation: an export package, JSON sealed with AES-256-GCM under a
  key derived with scrypt from a passphrase the two coordinators agree out of
  band (by phone, never with the package). ``import_transfer`` opens it there.
"""

from __future__ import annotations

import base64
import datetime
import json
import os
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from access_log import approvals, gate
from access_log.gate import FileAccess
from access_log.kinds import SCHEME_STAFF_ROLES
from access_log.models import Approval, ApprovalKind
from families.models import Family
from families.services import CreatedBy, family_create, staff_role
from homestart.errors import AccessRefused, NotAllowed
from homestart.models import Scheme, User
from homestart.rules import Section
from homestart.writes import save_tracked

from .models import Disclosure, RecipientKind, Scope, Transfer
from .services import describe_sharing, disclosure_write, sharing_check
from .sharing import Recipient, SharingDecision

# The parts of a file a coordinator may choose to share.
SECTIONS = {
    Section.MEMBERS: gettext_lazy("Names, dates of birth and relationships of the family members"),
    Section.CONTACT: gettext_lazy("Address, postcode and phone number"),
    Section.REFERRAL: gettext_lazy("The original referral and its reasons"),
}
PACKAGE_FORMAT = "homestart-transfer/1"
MEMBER_FIELDS = ("kind", "first_name", "last_name", "relationship")
REFERRAL_FIELDS = ("source", "referrer_name", "referrer_organisation", "referrer_contact", "reasons")
MIN_PASSPHRASE = 12


class PackageError(NotAllowed):
    pass


def _check(access: FileAccess, sections: list[str]) -> None:
    if access.role not in SCHEME_STAFF_ROLES:
        raise AccessRefused(_("Only the scheme's coordinators and managers transfer a family (§9.2)."))
    unknown = set(sections) - set(SECTIONS)
    if unknown or not sections:
        raise ValidationError({"sections": _("Choose what is appropriate to share.")})


def _payload(family: Family, sections: list[str]) -> dict[str, Any]:
    data: dict[str, Any] = {"from_scheme": family.scheme.name, "from_reference": family.reference}
    # Not a section to choose: concerns always travel with the file (§9.3).
    # circle: consent ↔ safeguarding (safeguarding sits above consent, whose sharing rules it uses).
    from safeguarding.carry import concerns_to_carry

    if carried := concerns_to_carry(family=family):
        data["safeguarding"] = carried
    if Section.CONTACT in sections:
        data["contact"] = {"address": family.address, "postcode": family.postcode, "phone": family.phone}
    if Section.MEMBERS in sections:
        data["members"] = [
            {
                "kind": m.kind,
                "first_name": m.first_name,
                "last_name": m.last_name,
                "relationship": m.relationship,
                "date_of_birth": m.date_of_birth.isoformat() if m.date_of_birth else None,
            }
            for m in family.members.order_by("created_at")
        ]
    if Section.REFERRAL in sections:
        referral = family.referrals.order_by("-referred_on").first()
        if referral is not None:
            data["referral"] = {
                "source": referral.source,
                "referrer_name": referral.referrer_name,
                "referrer_organisation": referral.referrer_organisation,
                "referrer_contact": referral.referrer_contact,
                "referred_on": referral.referred_on.isoformat(),
                "reasons": referral.reasons,
            }
    return data


def _open_file(
    *, scheme: Scheme, data: dict[str, Any], actor: User, role: str, same_installation: bool = True
) -> Family:
    """A new family file in ``scheme`` from the shared parts, opened by the one family-creation
    service (reference, data key, area, history, access event); the concerns carried with it."""
    contact = data.get("contact") or {}
    origin = f"{data.get('from_scheme', 'another scheme')} ({data.get('from_reference', 'no reference')})"
    members = []
    for given in data.get("members", []):
        born = given.get("date_of_birth")
        members.append(
            {k: given.get(k, "") for k in MEMBER_FIELDS}
            | {"date_of_birth": datetime.date.fromisoformat(born) if born else None}
        )
    referral = None
    if data.get("referral"):
        # The original referral, which the family consented to (§7.1).
        given = data["referral"]
        referral = {
            "family_consented": True,
            "referred_on": datetime.date.fromisoformat(given["referred_on"]),
            **{k: given.get(k, "") for k in REFERRAL_FIELDS},
        }
    template = CreatedBy.TRANSFER if same_installation else CreatedBy.IMPORT
    family = family_create(
        scheme=scheme,
        actor=actor,
        role=role,
        reason=template.format(scheme=data.get("from_scheme", "another scheme")),
        address=contact.get("address", ""),
        postcode=contact.get("postcode", ""),
        phone=contact.get("phone", ""),
        members=members,
        referral=referral,
    )
    # Concerns go with the file, with or without the family's consent (§9.3).
    # circle: consent ↔ safeguarding (safeguarding sits above consent, whose sharing rules it uses).
    from safeguarding.carry import concerns_receive

    concerns_receive(
        family=family,
        concerns=data.get("safeguarding", []),
        origin=origin,
        actor=actor,
        same_installation=same_installation,
    )
    return family


def _told(family_told: str, family_told_on: datetime.date | None, not_told_reason: str) -> dict[str, Any]:
    return {"family_told": family_told, "family_told_on": family_told_on, "not_told_reason": not_told_reason}


def _sharing(access: FileAccess, scheme_name: str, summary: str, justification: str, told: dict) -> SharingDecision:
    return sharing_check(
        access=access,
        scope=Scope.TRANSFER,
        recipient=Recipient(RecipientKind.NEW_SCHEME, scheme_name),
        summary=summary,
        justification=justification,
        **told,
    )


def _disclose(
    access: FileAccess,
    decision: SharingDecision,
    scheme_name: str,
    summary: str,
    justification: str,
    told: dict,
    actor: User,
    section: str,
    approval: Approval | None,
) -> Disclosure:
    return disclosure_write(
        access=access,
        decision=decision,
        channel=Disclosure.Channel.TRANSFER,
        scope=Scope.TRANSFER,
        recipient=Recipient(RecipientKind.NEW_SCHEME, scheme_name),
        summary=summary,
        shared_on=timezone.localdate(),
        justification=justification,
        actor=actor,
        section=section,
        approval=approval,
        **told,
    )


def _record_same(
    *, access: FileAccess, disclosure: Disclosure, to_scheme: Scheme, sections: list[str], actor: User, section: str
) -> Transfer:
    family = access.target
    new_family = _open_file(scheme=to_scheme, data=_payload(family, sections), actor=actor, role=access.role)
    with gate.changing(access, section=section):
        transfer = Transfer(
            family=family,
            disclosure=disclosure,
            destination=Transfer.Destination.SAME_INSTALLATION,
            to_scheme=to_scheme,
            new_family=new_family,
            sections=sorted(sections),
            recorded_by=actor,
        )
        save_tracked(transfer, actor=actor)
    return transfer


def _record_export(
    *, access: FileAccess, disclosure: Disclosure, sections: list[str], actor: User, section: str
) -> Transfer:
    with gate.changing(access, section=section) as family:
        transfer = Transfer(
            family=family,
            disclosure=disclosure,
            destination=Transfer.Destination.EXPORT,
            sections=sorted(sections),
            recorded_by=actor,
        )
        save_tracked(transfer, actor=actor)
    return transfer


def _ask(
    *,
    access: FileAccess,
    destination: str,
    scheme_name: str,
    sections: list[str],
    summary: str,
    justification: str,
    told: dict,
    actor: User,
    emergency_reason: str,
    to_scheme: Scheme | None = None,
) -> Approval:
    """§9.3: without consent the transfer waits for the safeguarding lead's or the manager's approval."""
    asking = {
        "destination": destination,
        "to_scheme_id": to_scheme.pk if to_scheme else None,
        "to_scheme_name": scheme_name,
        "sections": sorted(sections),
        "summary": summary,
        "justification": justification,
        "basis": "safeguarding",
        "recipient_kind": RecipientKind.NEW_SCHEME,
        "recipient_name": scheme_name,
        "family_told": told["family_told"],
        "family_told_on": told["family_told_on"].isoformat() if told["family_told_on"] else "",
        "not_told_reason": told["not_told_reason"],
    }
    return approvals.approval_request(
        access=access,
        kind=ApprovalKind.TRANSFER,
        asking=asking,
        actor=actor,
        safeguarding=True,
        emergency_reason=emergency_reason,
    )


@transaction.atomic
def transfer_to_scheme(
    *,
    access: FileAccess,
    to_scheme: Scheme,
    sections: list[str],
    summary: str,
    family_told: str,
    actor: User,
    family_told_on: datetime.date | None = None,
    not_told_reason: str = "",
    justification: str = "",
    emergency_reason: str = "",
) -> Transfer | Approval:
    """Transfer to a scheme on this installation: a new, linked family file there (§9.2). Without
    the family's consent (§9.3) it waits, as an ``Approval``: the new file opens only on approval."""
    _check(access, sections)
    if to_scheme.pk == access.target.scheme_id:
        raise ValidationError({"to_scheme": _("Choose another scheme.")})
    told = _told(family_told, family_told_on, not_told_reason)
    decision = _sharing(access, to_scheme.name, summary, justification, told)
    if decision.needs_approval:
        return _ask(
            access=access,
            destination=Transfer.Destination.SAME_INSTALLATION,
            scheme_name=to_scheme.name,
            to_scheme=to_scheme,
            sections=sections,
            summary=summary,
            justification=justification,
            told=told,
            actor=actor,
            emergency_reason=emergency_reason,
        )
    disclosure = _disclose(access, decision, to_scheme.name, summary, justification, told, actor, Section.CONSENT, None)
    return _record_same(
        access=access,
        disclosure=disclosure,
        to_scheme=to_scheme,
        sections=sections,
        actor=actor,
        section=Section.CONSENT,
    )


def transfer_carry_out(approval: Approval, asking: dict, access: FileAccess, actor: User, decision) -> Transfer:
    """The approved transfer happens now: the new file opens (this installation) or the package
    may be downloaded (another). ``may_share`` is asked again."""
    told = _told(
        asking["family_told"],
        datetime.date.fromisoformat(asking["family_told_on"]) if asking.get("family_told_on") else None,
        asking.get("not_told_reason", ""),
    )
    section = approvals.HANDLERS[approval.kind].section
    name, summary, justification = asking["to_scheme_name"], asking["summary"], asking["justification"]
    sharing = _sharing(access, name, summary, justification, told)
    disclosure = _disclose(access, sharing, name, summary, justification, told, actor, section, approval)
    if asking["destination"] == Transfer.Destination.SAME_INSTALLATION:
        to_scheme = Scheme.objects.get(pk=asking["to_scheme_id"])
        return _record_same(
            access=access,
            disclosure=disclosure,
            to_scheme=to_scheme,
            sections=asking["sections"],
            actor=actor,
            section=section,
        )
    return _record_export(
        access=access, disclosure=disclosure, sections=asking["sections"], actor=actor, section=section
    )


def describe_transfer(approval: Approval, asking: dict) -> list[tuple[str, str]]:
    where = _("this system") if asking["destination"] == Transfer.Destination.SAME_INSTALLATION else _("another system")
    rows = [
        (_("Moving to"), f"{asking['to_scheme_name']} ({where})"),
        (_("Parts of the file to share"), "\n".join(str(SECTIONS.get(s, s)) for s in asking["sections"])),
    ]
    return rows + [row for row in describe_sharing(approval, asking) if row[0] != _("Recipient")]


def _key(passphrase: str, salt: bytes) -> bytes:
    return Scrypt(salt=salt, length=32, n=2**15, r=8, p=1).derive(passphrase.encode())


def seal_package(data: dict[str, Any], passphrase: str) -> bytes:
    salt, nonce = os.urandom(16), os.urandom(12)
    body = AESGCM(_key(passphrase, salt)).encrypt(nonce, json.dumps(data).encode(), PACKAGE_FORMAT.encode())
    envelope = {
        "format": PACKAGE_FORMAT,
        "kdf": "scrypt-n32768-r8-p1",
        "salt": base64.b64encode(salt).decode(),
        "nonce": base64.b64encode(nonce).decode(),
        "ciphertext": base64.b64encode(body).decode(),
    }
    return json.dumps(envelope).encode()


def open_package(package: bytes, passphrase: str) -> dict[str, Any]:
    try:
        envelope = json.loads(package)
        if envelope.get("format") != PACKAGE_FORMAT:
            raise PackageError(_("This is not a Home-Start transfer package."))
        salt, nonce, body = (base64.b64decode(envelope[k]) for k in ("salt", "nonce", "ciphertext"))
    except (ValueError, KeyError, TypeError, AttributeError) as error:
        raise PackageError(_("This is not a Home-Start transfer package.")) from error
    try:
        return json.loads(AESGCM(_key(passphrase, salt)).decrypt(nonce, body, PACKAGE_FORMAT.encode()))
    except InvalidTag:
        raise PackageError(_("The passphrase is wrong, or the package was changed.")) from None


@transaction.atomic
def transfer_export(
    *,
    access: FileAccess,
    to_scheme_name: str,
    passphrase: str,
    sections: list[str],
    summary: str,
    family_told: str,
    actor: User,
    family_told_on: datetime.date | None = None,
    not_told_reason: str = "",
    justification: str = "",
    emergency_reason: str = "",
) -> tuple[Transfer, bytes] | tuple[Approval, None]:
    """Transfer to a scheme on another installation: the sealed package, recorded as a disclosure.
    Without consent (§9.3) it waits for approval, and no package exists until then: once approved,
    the package is downloaded with ``transfer_package`` (the passphrase is never kept)."""
    _check(access, sections)
    if len(passphrase) < MIN_PASSPHRASE:
        raise ValidationError(
            {"passphrase": _("Use a passphrase of at least %(count)s characters.") % {"count": MIN_PASSPHRASE}}
        )
    told = _told(family_told, family_told_on, not_told_reason)
    decision = _sharing(access, to_scheme_name, summary, justification, told)
    if decision.needs_approval:
        approval = _ask(
            access=access,
            destination=Transfer.Destination.EXPORT,
            scheme_name=to_scheme_name.strip(),
            sections=sections,
            summary=summary,
            justification=justification,
            told=told,
            actor=actor,
            emergency_reason=emergency_reason,
        )
        return approval, None
    disclosure = _disclose(access, decision, to_scheme_name, summary, justification, told, actor, Section.CONSENT, None)
    transfer = _record_export(
        access=access, disclosure=disclosure, sections=sections, actor=actor, section=Section.CONSENT
    )
    return transfer, transfer_package(access=access, transfer=transfer, passphrase=passphrase)


def transfer_package(*, access: FileAccess, transfer: Transfer, passphrase: str) -> bytes:
    """The sealed package of a recorded (so consented or approved) export transfer."""
    if access.role not in SCHEME_STAFF_ROLES:
        raise AccessRefused(_("Only the scheme's coordinators and managers download a transfer package."))
    if transfer.family_id != access.target.pk or transfer.destination != Transfer.Destination.EXPORT:
        raise gate.FileHidden("No such transfer.")
    if len(passphrase) < MIN_PASSPHRASE:
        raise ValidationError(
            {"passphrase": _("Use a passphrase of at least %(count)s characters.") % {"count": MIN_PASSPHRASE}}
        )
    disclosure = transfer.disclosure
    data = _payload(access.target, list(transfer.sections)) | {
        "to_scheme": disclosure.recipient_name.strip(),
        "summary": disclosure.summary,
    }
    return seal_package(data, passphrase)


@transaction.atomic
def transfer_import(*, package: bytes, passphrase: str, scheme: Scheme, actor: User) -> Family:
    """Open a new family file from another installation's package (§9.2, §9.3)."""
    role = staff_role(actor=actor, scheme=scheme)
    if role is None:
        raise AccessRefused(_("Only the scheme's coordinators and managers import a transfer."))
    data = open_package(package, passphrase)
    data = {
        k: data[k]
        for k in ("contact", "members", "referral", "safeguarding", "from_scheme", "from_reference")
        if k in data
    }
    try:
        return _open_file(scheme=scheme, data=data, actor=actor, role=role, same_installation=False)
    except (TypeError, ValueError, KeyError, AttributeError) as error:
        raise PackageError(_("The package's contents are not a family file this system can open.")) from error

"""Destroy a family through the product's own process (§8.8), for tests of what remains."""

from __future__ import annotations

import datetime

from families import services as family_services
from families.models import ClosureReason, Family
from homestart.rules import FileKind
from records.models import DestructionCertificate
from records.retention import services as records_services


def destroy_family(family: Family, *, coordinator, manager, trustee) -> DestructionCertificate:
    """Closed long ago, proposed by the manager, authorised by the manager and a trustee,
    carried out: the family's data key is destroyed and a certificate issued."""
    if family.status != Family.Status.CLOSED:
        family_services.family_close(
            family=family,
            actor=coordinator,
            closed_on=datetime.date(1995, 6, 30),
            reason=ClosureReason.COMPLETED,
        )
    destruction = records_services.destruction_propose(kind=FileKind.FAMILY, obj=family, actor=manager)
    records_services.destruction_authorise(destruction=destruction, actor=manager)
    records_services.destruction_authorise(destruction=destruction, actor=trustee)
    certificate = records_services.destruction_carry_out(destruction=destruction, actor=manager)
    family.refresh_from_db(fields=["status", "closed_on"])  # the rest can no longer be read
    family.data_key.refresh_from_db()
    return certificate

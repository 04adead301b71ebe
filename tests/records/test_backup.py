"""Encrypted backups round-trip, and a family destroyed after a backup stays
unreadable when that backup is restored (§8.2, §8.8)."""

from __future__ import annotations

import datetime
import io
import stat

import pytest
from django.core.management import CommandError, call_command

from access_log.models import AccessEvent, FileKind
from families.models import Family, Member
from homestart.crypto import KeyUnavailable
from records import services
from records.backup import BackupError, unseal
from records.models import DestructionCertificate
from tests.conftest import CARER_FIRST, CARER_LAST, POSTCODE
from tests.factories import make_family


def _destroy(family, coordinator, manager, trustee):
    family.status, family.closed_on = Family.Status.CLOSED, datetime.date(2014, 1, 31)
    family._history_user = coordinator
    family.save(update_fields=["status", "closed_on"])
    destruction = services.destruction_propose(kind=FileKind.FAMILY, obj=family, actor=manager)
    services.destruction_authorise(destruction=destruction, actor=manager)
    services.destruction_authorise(destruction=destruction, actor=trustee)
    return services.destruction_carry_out(destruction=destruction, actor=manager)


@pytest.mark.policy("8.2")
def test_backup_is_encrypted_and_private(family, tmp_path):
    path = tmp_path / "b.hsbackup"
    call_command("backup", "--output", str(path), stdout=io.StringIO())
    blob = path.read_bytes()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    for needle in (CARER_FIRST, CARER_LAST, POSTCODE, family.reference):
        assert needle.encode() not in blob
    with pytest.raises(BackupError):
        unseal(blob, key=b"x" * 32)
    tampered = blob[:-1] + bytes([blob[-1] ^ 1])
    with pytest.raises(BackupError):
        unseal(tampered)
    with pytest.raises(CommandError):
        call_command("backup", "--output", str(path), stdout=io.StringIO())


@pytest.mark.policy("8.2")
def test_restore_round_trip_brings_back_exactly_what_was_backed_up(family, wirral, coordinator, tmp_path):
    path = tmp_path / "b.hsbackup"
    call_command("backup", "--output", str(path), stdout=io.StringIO())
    events = AccessEvent.objects.count()
    later = make_family(wirral, coordinator, last_name="Afterwards")
    with pytest.raises(CommandError):
        call_command("restore", str(path), stdout=io.StringIO())
    call_command("restore", str(path), "--yes", stdout=io.StringIO())
    assert not Family.objects.filter(pk=later.pk).exists()
    restored = Family.objects.get(pk=family.pk)
    assert restored.postcode == POSTCODE
    assert Member.objects.get(family=restored, kind=Member.Kind.ADULT).first_name == CARER_FIRST
    assert restored.history.count() == family.history.count()
    assert AccessEvent.objects.count() == events
    # New rows after a restore get fresh ids: sequences were reset.
    make_family(wirral, coordinator)


@pytest.mark.policy("8.8", "8.2")
def test_family_destroyed_after_the_backup_stays_unreadable_when_it_is_restored(
    family, wirral, coordinator, manager, trustee, tmp_path
):
    other = make_family(wirral, coordinator, last_name="Survivor")
    path = tmp_path / "before.hsbackup"
    call_command("backup", "--output", str(path), stdout=io.StringIO())
    certificate = _destroy(family, coordinator, manager, trustee)

    out = io.StringIO()
    call_command("restore", str(path), "--yes", stdout=out)
    assert "1 destroyed data key(s) kept destroyed" in out.getvalue()

    with pytest.raises(KeyUnavailable):
        Family.objects.get(pk=family.pk).address  # noqa: B018
    for row in Member.history.filter(family_id=family.pk):
        with pytest.raises(KeyUnavailable):
            row.first_name  # noqa: B018
    assert set(Member.objects.filter(family_id=family.pk).values_list("surname_index", flat=True)) == {""}
    assert DestructionCertificate.objects.filter(pk=certificate.pk).exists()
    assert Member.objects.get(family_id=other.pk).last_name == "Survivor"

"""The operator's copy of the key store: sealed, and never a way back for a destroyed file (§8.2, §8.8)."""

from __future__ import annotations

import io
import shutil
import stat

import pytest
from django.core.management import CommandError, call_command

from families.models import Family
from homestart import keystore
from homestart.crypto import KeyUnavailable
from records.backups.backup import unseal
from tests.factories import make_family
from tests.records.test_backup import _destroy


@pytest.fixture
def store(settings, tmp_path):
    settings.KEY_STORE_DIR = tmp_path / "keystore"
    return settings.KEY_STORE_DIR


def postcode(family: Family) -> str:
    return Family.objects.with_keys().get(pk=family.pk).postcode


@pytest.mark.policy("8.8", "8.2")
def test_a_copy_restores_a_lost_key_store_but_never_a_destroyed_key(
    store, family, wirral, coordinator, manager, trustee, tmp_path, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        survivor = make_family(wirral, coordinator, postcode="CH45 2SS")
    for key_id in (family.data_key_id, survivor.data_key_id):
        keystore.promote(key_id)
    before = tmp_path / "before.hskeys"
    call_command("keystore_export", "--output", str(before), stdout=io.StringIO())
    assert stat.S_IMODE(before.stat().st_mode) == 0o600
    wrapped = keystore.read(family.data_key_id)[1]
    assert wrapped not in before.read_bytes()
    with pytest.raises(CommandError, match="exists already"):
        call_command("keystore_export", "--output", str(before), stdout=io.StringIO())

    with django_capture_on_commit_callbacks(execute=True):
        _destroy(family, coordinator, manager, trustee)
    after = tmp_path / "after.hskeys"
    out = io.StringIO()
    call_command("keystore_export", "--output", str(after), stdout=out)
    assert "1 key(s), 1 tombstone(s)" in out.getvalue()

    # The key store is lost; the older copy (taken before the destruction) is put back.
    shutil.rmtree(store)
    out = io.StringIO()
    call_command("keystore_import", str(before), stdout=out)
    assert "Imported 1 key(s)" in out.getvalue() and "1 destroyed key(s) kept out" in out.getvalue()
    assert postcode(survivor) == "CH45 2SS"
    assert not keystore.exists(family.data_key_id)
    with pytest.raises(KeyUnavailable):
        postcode(family)

    # Importing again changes nothing; the newer copy brings the tombstone.
    out = io.StringIO()
    call_command("keystore_import", str(after), stdout=out)
    assert "Imported 0 key(s); 1 already in the key store" in out.getvalue()
    assert "1 new tombstone(s)" in out.getvalue()
    assert keystore.destroyed_at(family.data_key_id) is not None


@pytest.mark.policy("8.2")
def test_a_copy_opens_only_with_backup_key_and_whole(store, family, tmp_path):
    path = tmp_path / "copy.hskeys"
    call_command("keystore_export", "--output", str(path), stdout=io.StringIO())
    assert unseal(path.read_bytes())  # sealed like a backup, under BACKUP_KEY
    cut = tmp_path / "cut.hskeys"
    cut.write_bytes(path.read_bytes()[:-20])
    with pytest.raises(CommandError, match="cut short|incomplete|did not open"):
        call_command("keystore_import", str(cut), stdout=io.StringIO())
    backup = tmp_path / "db.hsbackup"
    call_command("backup", "--output", str(backup), stdout=io.StringIO())
    with pytest.raises(CommandError, match="not a copy of the key store"):
        call_command("keystore_import", str(backup), stdout=io.StringIO())

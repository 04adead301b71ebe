"""The key store: wrapped data keys in files outside the database, deleted for real (§8.2, §8.8).

Each test gets its own empty key store (``store``), so what it finds there is its own.
"""

from __future__ import annotations

import datetime
import io
import os
import shutil
import stat
import uuid

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.test import override_settings
from django.urls import reverse

from families.models import Family, Member
from homestart import crypto, keystore
from homestart.models import DataKey
from homestart.request_cache import RequestCacheMiddleware
from tests.factories import make_family


@pytest.fixture
def store(settings, tmp_path):
    settings.KEY_STORE_DIR = tmp_path / "keystore"
    return settings.KEY_STORE_DIR


def files_in(root) -> list[str]:
    return sorted(p.name for p in root.rglob("*") if p.is_file())


def fresh(family: Family) -> Family:
    return Family.objects.with_keys().get(pk=family.pk)


@pytest.fixture
def reads(monkeypatch):
    """Counts key-store file reads."""
    counter = {"n": 0}
    real = keystore.read

    def counting(key_id):
        counter["n"] += 1
        return real(key_id)

    monkeypatch.setattr(keystore, "read", counting)
    return counter


# --- writing ----------------------------------------------------------------------


@pytest.mark.policy("8.2")
def test_a_new_key_is_a_private_file_pending_until_its_transaction_commits(
    store, wirral, coordinator, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        family = make_family(wirral, coordinator, postcode="CH41 2AB")
    hexid = family.data_key_id.hex
    assert files_in(store) == [f"{hexid}.pending"]
    assert fresh(family).postcode == "CH41 2AB", "readable inside its own transaction"
    for callback in callbacks:
        callback()
    assert files_in(store) == [f"{hexid}.key"]
    path = store / hexid[:2] / f"{hexid}.key"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    master_key_id, wrapped = keystore.decode(path.read_bytes())
    assert master_key_id == "test1"
    plain = crypto.unwrap_key("test1", wrapped, aad=b"homestart.datakey|" + family.data_key_id.bytes)
    assert len(plain) == 32 and plain not in path.read_bytes()
    assert fresh(family).postcode == "CH41 2AB"


@pytest.mark.policy("8.2")
def test_a_write_that_fails_half_way_leaves_the_old_file_and_no_temporary_one(store, monkeypatch):
    key_id = uuid.uuid4()
    keystore.put(key_id, "test1", b"first wrapping", pending=False)

    def crash(*args):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", crash)
    with pytest.raises(OSError, match="disk full"):
        keystore.put(key_id, "test1", b"second wrapping", pending=False)
    assert keystore.read(key_id) == ("test1", b"first wrapping")
    assert files_in(store) == [f"{key_id.hex}.key"]


@pytest.mark.policy("8.2")
def test_the_database_holds_no_key_material(store, wirral, coordinator):
    make_family(wirral, coordinator)
    assert {f.name for f in DataKey._meta.concrete_fields} == {"id", "master_key_id", "created_at", "destroyed_at"}


# --- reading ------------------------------------------------------------------------


@pytest.mark.policy("8.2", "8.8")
def test_a_key_missing_from_the_store_raises_key_unavailable_never_ciphertext(store, wirral, coordinator):
    family = make_family(wirral, coordinator)
    for path in store.rglob("*.pending"):
        path.unlink()
    with pytest.raises(crypto.KeyUnavailable):
        _ = fresh(family).postcode
    with pytest.raises(crypto.KeyUnavailable):
        _ = Member.objects.select_related("family__data_key").get(family=family).first_name


@pytest.mark.policy("8.2")
def test_a_request_reads_each_key_file_once_and_a_list_reads_none(store, wirral, coordinator, client_for, reads):
    family = make_family(wirral, coordinator, postcode="CH41 3CD")
    for n in range(3):
        make_family(wirral, coordinator, last_name=f"Listed{n}")
    client = client_for(coordinator)

    reads["n"] = 0
    page = client.get(reverse("families:detail", args=[family.reference]))
    assert page.status_code == 200 and "CH41 3CD" in page.content.decode()
    assert reads["n"] == 1, "the family page opens its key with one file read"

    reads["n"] = 0
    listing = client.get(reverse("families:dashboard"))
    assert listing.status_code == 200 and "Listed2" in listing.content.decode()
    assert reads["n"] == 4, "the list with carers' names opens each family's key once"

    client.post(reverse("families:display_mode"), {"references_only": "1"})
    reads["n"] = 0
    listing = client.get(reverse("families:dashboard"))
    assert listing.status_code == 200 and family.reference in listing.content.decode()
    assert "Listed2" not in listing.content.decode()
    assert reads["n"] == 0, "listing references reads no key"

    # Outside a request nothing is cached: each new instance reads again.
    reads["n"] = 0
    for _ in range(2):
        _ = fresh(family).postcode
    assert reads["n"] == 2

    def view(request):
        from django.http import HttpResponse

        for _ in range(3):
            _ = Family.objects.with_keys().get(pk=family.pk).postcode
        return HttpResponse()

    reads["n"] = 0
    RequestCacheMiddleware(view)(None)
    assert reads["n"] == 1


# --- destroying -----------------------------------------------------------------------


@pytest.mark.policy("8.8")
def test_destroying_overwrites_and_unlinks_the_file_once_the_destruction_commits(
    store, wirral, coordinator, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        family = make_family(wirral, coordinator)
        survivor = make_family(wirral, coordinator, postcode="CH44 1ZZ")
    path = store / family.data_key_id.hex[:2] / f"{family.data_key_id.hex}.key"
    before = path.read_bytes()
    second_name = store / "still-pointing-at-the-same-inode"
    os.link(path, second_name)

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        fresh(family).data_key.destroy()
    assert path.exists(), "nothing is deleted before the destruction commits"
    with pytest.raises(crypto.KeyUnavailable):
        _ = fresh(family).postcode
    for callback in callbacks:
        callback()

    assert not path.exists()
    assert second_name.read_bytes() != before, "the file's contents were overwritten before the unlink"
    assert len(second_name.read_bytes()) == len(before)
    assert keystore.destroyed_at(family.data_key_id) == DataKey.objects.get(pk=family.data_key_id).destroyed_at
    assert fresh(survivor).postcode == "CH44 1ZZ"


@pytest.mark.policy("8.8")
def test_a_key_left_by_a_crash_between_commit_and_unlink_is_removed_by_the_next_retention_run(
    store, wirral, coordinator, manager, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        family = make_family(wirral, coordinator)
    with django_capture_on_commit_callbacks(execute=False):  # the process dies after the commit
        fresh(family).data_key.destroy()
    assert keystore.exists(family.data_key_id)

    out = io.StringIO()
    call_command("run_retention", "--as", manager.username, stdout=out)
    assert "removed 1 key file(s) of destroyed files" in out.getvalue()
    assert not keystore.exists(family.data_key_id)
    assert keystore.destroyed_at(family.data_key_id) is not None


@pytest.mark.policy("8.8")
def test_keystore_check_applies_tombstones_and_reports_live_keys_without_a_file(
    store, wirral, coordinator, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        family = make_family(wirral, coordinator)
        other = make_family(wirral, coordinator)
        with_key = make_family(wirral, coordinator)
    at = datetime.datetime(2026, 1, 5, 10, 0, tzinfo=datetime.UTC)
    keystore.shred(family.data_key_id, destroyed_at=at)  # e.g. a database restored with pg_restore

    out = io.StringIO()
    call_command("keystore_check", stdout=out)
    assert "marked 1 key(s) destroyed from tombstones" in out.getvalue()
    assert DataKey.objects.get(pk=family.data_key_id).destroyed_at == at
    assert "Every live data key is in the key store" in out.getvalue()

    for path in store.rglob(f"{other.data_key_id.hex}.*"):
        path.unlink()
    with pytest.raises(CommandError, match="1 live data key"):
        call_command("keystore_check", stdout=io.StringIO())
    assert DataKey.objects.get(pk=other.data_key_id).destroyed_at is None, "a missing file is never taken as destroyed"
    assert fresh(with_key).postcode


@pytest.mark.policy("8.2")
def test_orphans_of_rolled_back_transactions_are_removed_after_a_day_and_nothing_else(
    store, wirral, coordinator, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        committed = make_family(wirral, coordinator)
    with django_capture_on_commit_callbacks(execute=False):
        uncommitted = make_family(wirral, coordinator)  # row saved, promotion never ran
    with pytest.raises(RuntimeError), transaction.atomic():
        DataKey.generate()
        raise RuntimeError("the referral could not be saved")
    orphans = [p for p in store.rglob("*.pending") if uuid.UUID(hex=p.name.split(".")[0]) != uncommitted.data_key_id]
    assert len(orphans) == 1
    (orphan,) = orphans

    out = io.StringIO()
    call_command("keystore_check", "--remove-orphans", stdout=out)
    assert orphan.exists(), "a pending key younger than a day may belong to a transaction still running"
    assert "1 orphan(s) (pending keys with no row), 0 removed" in out.getvalue()
    assert "promoted 1 committed pending key(s)" in out.getvalue()

    two_days_ago = (datetime.datetime.now() - datetime.timedelta(days=2)).timestamp()
    os.utime(orphan, (two_days_ago, two_days_ago))
    out = io.StringIO()
    call_command("keystore_check", "--remove-orphans", stdout=out)
    assert "1 orphan(s) (pending keys with no row), 1 removed" in out.getvalue()
    assert not orphan.exists()
    assert fresh(committed).postcode and fresh(uncommitted).postcode
    assert {p.suffix for p in store.rglob("*") if p.is_file()} == {".key"}


# --- rotation and copies of the key store ------------------------------------------------


@pytest.mark.policy("8.8", "8.2")
def test_an_older_copy_of_the_key_store_is_unreadable_once_the_old_master_key_is_removed(
    store, wirral, coordinator, manager, tmp_path, django_capture_on_commit_callbacks
):
    old_key = crypto.master_key("test1")
    new_key = os.urandom(32)
    with django_capture_on_commit_callbacks(execute=True):
        destroyed = make_family(wirral, coordinator, postcode="CH41 9XX")
        survivor = make_family(wirral, coordinator, postcode="CH43 5YY")
    offsite = tmp_path / "offsite-copy"
    shutil.copytree(store, offsite)  # the operator's copy, taken before the destruction

    with django_capture_on_commit_callbacks(execute=True):
        fresh(destroyed).data_key.destroy()
    # The documented procedure: a new master key first, rotate, remove the old one.
    with override_settings(FIELD_ENCRYPTION_KEYS={"next": new_key, "test1": old_key}):
        call_command("rotate_keys", stdout=io.StringIO())
    assert keystore.read(survivor.data_key_id)[0] == "next"
    with override_settings(FIELD_ENCRYPTION_KEYS={"next": new_key}):
        assert fresh(survivor).postcode == "CH43 5YY"
        out = io.StringIO()
        call_command("keystore_check", stdout=out)
        assert "wrapped under 'next' (configured)" in out.getvalue()
        # The old copy holds the destroyed family's key, but under a key that no longer exists.
        with override_settings(KEY_STORE_DIR=offsite):
            DataKey.objects.filter(pk=destroyed.data_key_id).update(destroyed_at=None)  # even if the row lied
            for family in (destroyed, survivor):
                with pytest.raises(crypto.KeyUnavailable):
                    _ = fresh(family).postcode
    # Before the old key was removed, that copy would have opened it: the removal is what counts.
    with override_settings(KEY_STORE_DIR=offsite, FIELD_ENCRYPTION_KEYS={"test1": old_key}):
        assert fresh(destroyed).postcode == "CH41 9XX"


# --- the one-off move out of the database --------------------------------------------------


@pytest.mark.policy("8.2", "8.8")
def test_migration_moves_wrapped_keys_out_of_the_database_idempotently(database_owner, db, store):
    """Runs the migration's function on the table as it was (the old column put back for the
    test, inside the test's transaction), twice, and back."""
    from importlib import import_module
    from types import SimpleNamespace

    from django.db.migrations.loader import MigrationLoader

    migration = import_module("homestart.migrations.0006_datakey_keys_to_key_store")
    column_type = "bytea" if connection.vendor == "postgresql" else "BLOB"
    with connection.cursor() as cursor:
        cursor.execute(f"ALTER TABLE homestart_datakey ADD COLUMN wrapped {column_type} NULL")
    # The old migrations themselves, not the squashed one that replaces them on this database.
    loader = MigrationLoader(connection, replace_migrations=False)
    old_apps = loader.project_state(("homestart", "0006_datakey_keys_to_key_store")).apps
    OldKey = old_apps.get_model("homestart", "DataKey")  # noqa: N806
    assert "wrapped" in {f.name for f in OldKey._meta.fields}
    live_id, destroyed_id = uuid.uuid4(), uuid.uuid4()
    plain = crypto.new_data_key()
    master_key_id, wrapped = crypto.wrap_key(plain, aad=b"homestart.datakey|" + live_id.bytes)
    OldKey.objects.create(id=live_id, master_key_id=master_key_id, wrapped=wrapped)
    gone_at = datetime.datetime(2025, 6, 1, tzinfo=datetime.UTC)
    OldKey.objects.create(id=destroyed_id, master_key_id="test1", wrapped=None, destroyed_at=gone_at)
    editor = SimpleNamespace(connection=connection)

    migration.keys_to_key_store(old_apps, editor)
    assert keystore.read(live_id) == (master_key_id, wrapped)
    assert not keystore.exists(destroyed_id) and keystore.destroyed_at(destroyed_id) == gone_at
    assert not OldKey.objects.filter(wrapped__isnull=False).exists(), "the column is cleared"
    assert DataKey.objects.get(pk=live_id).plaintext_key() == plain
    assert DataKey.objects.get(pk=destroyed_id).destroyed_at == gone_at

    # Again (an interrupted run done over): nothing changes.
    snapshot = {p.name: p.read_bytes() for p in store.rglob("*") if p.is_file()}
    migration.keys_to_key_store(old_apps, editor)
    assert {p.name: p.read_bytes() for p in store.rglob("*") if p.is_file()} == snapshot
    assert not OldKey.objects.filter(wrapped__isnull=False).exists()

    # And back (migrating backwards): the live key returns to the column, the destroyed one does not.
    migration.keys_back_to_the_database(old_apps, editor)
    assert bytes(OldKey.objects.get(pk=live_id).wrapped) == wrapped
    assert OldKey.objects.get(pk=destroyed_id).wrapped is None

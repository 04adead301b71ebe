"""Encrypted backups round-trip, and a family destroyed after a backup stays
unreadable when that backup is restored (§8.2, §8.8)."""

from __future__ import annotations

import datetime
import io
import os
import stat

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.urls import reverse

from access_log.models import AccessEvent
from families.models import Family, Member
from homestart.crypto import KeyUnavailable
from homestart.rules import FileKind
from records.backups.backup import unseal
from records.backups.stream import FRAME_HEADER, MAGIC, PREFIX_BYTES, BackupError, open_stream, seal_stream
from records.models import DestructionCertificate
from records.retention import services
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


@pytest.mark.usefixtures("database_owner")  # restoring is the owner's work (docs/backups.md)
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


@pytest.mark.usefixtures("database_owner")  # restoring is the owner's work (docs/backups.md)
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


# --- the chunked stream: sealed and opened a chunk at a time ---------------------------

KEY = b"k" * 32


class RecordingFile(io.BytesIO):
    """A file that remembers how much had been written each time it was written to."""

    def __init__(self) -> None:
        super().__init__()
        self.writes: list[int] = []

    def write(self, data) -> int:
        written = super().write(data)
        self.writes.append(self.tell())
        return written


def _sealed(chunks, chunk_bytes=1024) -> bytes:
    handle = io.BytesIO()
    seal_stream(chunks, handle, key=KEY, chunk_bytes=chunk_bytes)
    return handle.getvalue()


def _opened(blob: bytes) -> bytes:
    return b"".join(open_stream(io.BytesIO(blob), key=KEY))


@pytest.mark.policy("8.2")
@pytest.mark.parametrize("size", [0, 1, 1023, 1024, 1025, 5000])
def test_stream_round_trips_whatever_its_length(size):
    data = os.urandom(size)
    assert _opened(_sealed([data[:7], data[7:]])) == data


@pytest.mark.policy("8.2")
def test_a_stream_cut_short_altered_reordered_or_extended_is_refused():
    blob = _sealed([os.urandom(6000)])  # five full frames and a final one
    header, frame = len(MAGIC) + PREFIX_BYTES, FRAME_HEADER.size + 1024 + 16
    frames = [blob[header + i * frame : header + (i + 1) * frame] for i in range(5)]
    final = blob[header + 5 * frame :]
    assert len(final) == FRAME_HEADER.size + 6000 - 5 * 1024 + 16
    start = blob[:header]
    refused = {
        "cut in the middle of a frame": blob[:-10],
        "final frame dropped": start + b"".join(frames),
        "cut at a frame boundary": start + b"".join(frames[:3]),
        "a frame dropped": start + b"".join(frames[:2] + frames[3:]) + final,
        "two frames swapped": start + frames[1] + frames[0] + b"".join(frames[2:]) + final,
        "a frame repeated": start + b"".join(frames) + frames[4] + final,
        "a byte flipped": blob[:100] + bytes([blob[100] ^ 1]) + blob[101:],
        # Marking a middle frame as the last one would truncate silently: its nonce differs.
        "a frame marked final": start + bytes([1]) + frames[0][1:],
        "data after the end": blob + b"\0",
        "another backup's frame": start
        + _sealed([os.urandom(6000)])[header : header + frame]
        + b"".join(frames[1:])
        + final,
    }
    for what, tampered in refused.items():
        with pytest.raises(BackupError):
            _opened(tampered)
            pytest.fail(f"{what}: opened")
    with pytest.raises(BackupError):
        b"".join(open_stream(io.BytesIO(blob), key=b"x" * 32))
    with pytest.raises(BackupError):
        _opened(b"not a backup at all")


@pytest.mark.policy("8.2")
def test_writer_seals_and_writes_each_chunk_as_it_comes_without_holding_the_backup():
    handle = RecordingFile()
    written_when_asked = []

    def chunks():
        for _ in range(64):
            written_when_asked.append(handle.tell())
            yield os.urandom(1024)

    frames = seal_stream(chunks(), handle, key=KEY, chunk_bytes=1024)
    assert frames == 64
    # By the time the 10th chunk is asked for, the 8th is already sealed on disk.
    frame = FRAME_HEADER.size + 1024 + 16
    header = len(MAGIC) + PREFIX_BYTES
    for n, position in enumerate(written_when_asked):
        assert position >= header + max(n - 1, 0) * frame
    assert len(handle.writes) == 1 + 64  # the header, then one write per frame

    # And the reader reads a frame at a time: the first chunk comes before the file is read.
    source = io.BytesIO(handle.getvalue())
    stream = open_stream(source, key=KEY)
    next(stream)
    assert source.tell() == header + frame


@pytest.mark.policy("8.2")
def test_sealing_and_opening_a_large_stream_uses_memory_for_a_chunk_not_the_whole(tmp_path):
    import tracemalloc

    total, piece = 48 * 1024 * 1024, 64 * 1024
    path = tmp_path / "large.hsbackup"
    block = os.urandom(piece)
    tracemalloc.start()
    try:
        with path.open("wb") as handle:
            seal_stream((block for _ in range(total // piece)), handle, key=KEY)
        _, written_peak = tracemalloc.get_traced_memory()
        tracemalloc.reset_peak()
        with path.open("rb") as handle:
            opened = sum(len(chunk) for chunk in open_stream(handle, key=KEY))
        _, read_peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert opened == total and path.stat().st_size > total
    assert written_peak < 2 * 1024 * 1024, written_peak
    assert read_peak < 2 * 1024 * 1024, read_peak


@pytest.mark.usefixtures("database_owner")  # restoring is the owner's work (docs/backups.md)
@pytest.mark.policy("8.2")
def test_a_backup_file_cut_short_is_refused_and_restores_nothing(family, tmp_path):
    path = tmp_path / "b.hsbackup"
    call_command("backup", "--output", str(path), stdout=io.StringIO())
    blob = path.read_bytes()
    cut = tmp_path / "cut.hsbackup"
    cut.write_bytes(blob[: len(blob) // 2])
    with pytest.raises(CommandError, match="cut short|incomplete"):
        call_command("restore", str(cut), "--yes", stdout=io.StringIO())
    assert Family.objects.get(pk=family.pk).postcode == POSTCODE  # the transaction rolled back
    payload = unseal(blob)
    assert payload["format"] == 2 and payload["end"]["rows"] == sum(len(t["rows"]) for t in payload["tables"].values())


@pytest.mark.usefixtures("database_owner")  # restoring is the owner's work (docs/backups.md)
@pytest.mark.policy("8.2")
def test_a_backup_in_the_first_format_still_restores(family, wirral, coordinator, tmp_path):
    import gzip
    import json

    from cryptography.hazmat.primitives.ciphers.aead import AESGCM
    from django.conf import settings

    payload = unseal(_backup_bytes(tmp_path))
    payload["format"] = 1
    nonce = os.urandom(12)
    plain = gzip.compress(json.dumps({k: payload[k] for k in ("format", "taken_at", "vendor", "tables")}).encode())
    legacy = tmp_path / "v1.hsbackup"
    legacy.write_bytes(b"HSBACKUP1" + nonce + AESGCM(settings.BACKUP_KEY).encrypt(nonce, plain, b"HSBACKUP1"))
    later = make_family(wirral, coordinator, last_name="Afterwards")
    call_command("restore", str(legacy), "--yes", stdout=io.StringIO())
    assert not Family.objects.filter(pk=later.pk).exists()
    assert Family.objects.get(pk=family.pk).postcode == POSTCODE


def _backup_bytes(tmp_path) -> bytes:
    path = tmp_path / "plain.hsbackup"
    call_command("backup", "--output", str(path), stdout=io.StringIO())
    return path.read_bytes()


# --- a backup holds no key: crypto-shredding reaches every earlier backup -----------------


def _b64(data: bytes) -> str:
    import base64

    return base64.b64encode(data).decode()


@pytest.mark.policy("8.8", "8.2")
@pytest.mark.usefixtures("database_owner")  # emptying and restoring is the owner's work (docs/backups.md)
def test_a_backup_from_before_a_destruction_restored_into_a_new_database_cannot_open_that_family(
    family, wirral, coordinator, manager, trustee, tmp_path, client_for, django_capture_on_commit_callbacks
):
    import json

    from homestart import keystore
    from homestart.models import DataKey

    survivor = make_family(wirral, coordinator, first_name="Wilhelmina", last_name="Survivor", postcode="CH43 7QP")
    path = tmp_path / "before.hsbackup"
    call_command("backup", "--output", str(path), stdout=io.StringIO())

    # The backup holds no key material: not the wrapped key, not the key itself.
    contents = json.dumps(unseal(path.read_bytes()))
    for key_id in (family.data_key_id, survivor.data_key_id):
        wrapped = keystore.read(key_id)[1]
        plain = DataKey.objects.get(pk=key_id).plaintext_key()
        for material in (wrapped, plain):
            assert _b64(material) not in contents and material.hex() not in contents
    assert family.data_key_id.hex in contents.replace("-", "")  # the row itself is there, with its id

    with django_capture_on_commit_callbacks(execute=True):
        _destroy(family, coordinator, manager, trustee)
    assert not keystore.exists(family.data_key_id)

    def restore_into_a_new_database() -> None:
        if connection.vendor == "postgresql":  # run the test transaction's deferred checks before emptying
            connection.cursor().execute("SET CONSTRAINTS ALL IMMEDIATE")
        call_command("flush", "--no-input", stdout=io.StringIO())  # a new, empty database
        assert not Family.objects.exists() and not DestructionCertificate.objects.exists()
        with django_capture_on_commit_callbacks(execute=True):
            call_command("restore", str(path), "--yes", stdout=io.StringIO())

    restore_into_a_new_database()
    restored = Family.objects.with_keys().get(pk=family.pk)
    assert not DestructionCertificate.objects.exists(), "the backup predates the destruction"
    # The key store's tombstone tells the restored database the key was destroyed (and when).
    assert DataKey.objects.get(pk=family.data_key_id).destroyed_at == keystore.destroyed_at(family.data_key_id)
    for read in (
        lambda: restored.postcode,
        *[(lambda m=m: m.first_name) for m in Member.objects.filter(family=restored).select_related("family")],
        *[(lambda h=h: h.first_name) for h in Member.history.filter(family_id=family.pk)],
    ):
        with pytest.raises(KeyUnavailable):
            read()
    assert set(Member.objects.filter(family_id=family.pk).values_list("surname_index", flat=True)) == {""}
    # Every other family in that backup reads in full.
    kept = Family.objects.with_keys().get(pk=survivor.pk)
    assert kept.postcode == "CH43 7QP"
    carer = Member.objects.get(family=kept)
    assert (carer.first_name, carer.last_name) == ("Wilhelmina", "Survivor")
    assert [h.first_name for h in Member.history.filter(family_id=survivor.pk)] == ["Wilhelmina"]
    # The survivor's page opens in full. (The destroyed family's pages show it destroyed from
    # ``DataKey.destroyed_at``, set above from the tombstone.)
    page = client_for(coordinator).get(reverse("families:detail", args=[survivor.reference]))
    assert page.status_code == 200 and "CH43 7QP" in page.content.decode()

    # Even with the tombstones lost too, the family stays unreadable: its key is simply not there.
    for tombstone in keystore.root().rglob(f"{family.data_key_id.hex}.destroyed"):
        tombstone.unlink()
    restore_into_a_new_database()
    assert DataKey.objects.get(pk=family.data_key_id).destroyed_at is None
    with pytest.raises(KeyUnavailable):
        Family.objects.with_keys().get(pk=family.pk).postcode  # noqa: B018
    assert Family.objects.with_keys().get(pk=survivor.pk).postcode == "CH43 7QP"


@pytest.mark.policy("8.8")
def test_the_application_role_cannot_restore_and_is_told_who_can(family, tmp_path):
    """Restoring empties every table: on PostgreSQL only the owner may; the application's role
    (as the suite runs with TEST_APP_ROLE) is refused before anything changes."""
    from django.db import connection

    from tests.conftest import TEST_APP_ROLE

    if connection.vendor != "postgresql" or not TEST_APP_ROLE:
        pytest.skip("PostgreSQL, connected as the application's role (TEST_APP_ROLE)")
    path = tmp_path / "backup.hsb"
    call_command("backup", "--output", str(path), stdout=io.StringIO())
    with pytest.raises(CommandError, match="only the database owner"):
        call_command("restore", str(path), "--yes", stdout=io.StringIO())
    assert Family.objects.filter(pk=family.pk).exists()

"""The key store: wrapped data keys kept outside the database, in files that really go (§8.2, §8.8).

A database cannot forget: an overwritten or deleted row stays in the table file
until VACUUM, in the write-ahead log, and in every backup. So no key material is
kept in the database at all. Each data key is one small file in ``KEY_STORE_DIR``,
holding the key wrapped (AES-256-GCM) under a master key, with associated data
naming the key's id, so a file copied under another key's name does not open::

    <KEY_STORE_DIR>/<first two hex digits of the id>/<id>.key        a committed key
    <KEY_STORE_DIR>/<first two hex digits of the id>/<id>.pending    written, its row not yet committed
    <KEY_STORE_DIR>/<first two hex digits of the id>/<id>.destroyed  a tombstone: no key, the date only

    file = MAGIC | length of the master key id (1 byte) | master key id | wrapped key

A new key is written as ``.pending`` before its row is saved, and renamed to
``.key`` once the transaction commits: a key whose transaction rolled back stays
``.pending`` with no row, and ``keystore_check --remove-orphans`` removes such
files after a day (a day: longer than any transaction, so a key being created is
never taken). Destroying a key writes its tombstone, overwrites the key file and
unlinks it, after the destroying transaction commits; the tombstone lets a
database restored from an older backup learn that the key was destroyed.

Every write is atomic (a temporary file, fsync, rename, fsync of the directory),
so several processes on one machine can share the directory without locks.
Several machines need it on shared storage (docs/backups.md).
"""

from __future__ import annotations

import contextlib
import datetime
import os
import uuid
from collections.abc import Iterator
from contextvars import ContextVar
from pathlib import Path

from django.conf import settings

from . import crypto

MAGIC = b"HSKEY1"
# Inside ``synced_together()``: writes skip their own fsyncs; the block syncs once at its end.
_together: ContextVar[bool] = ContextVar("keystore_synced_together", default=False)
KEY, PENDING, TOMBSTONE = ".key", ".pending", ".destroyed"
TEMP_PREFIX = ".tmp-"


def root() -> Path:
    return Path(settings.KEY_STORE_DIR)


def _as_uuid(key_id: uuid.UUID | str) -> uuid.UUID:
    return key_id if isinstance(key_id, uuid.UUID) else uuid.UUID(str(key_id))


def _path(key_id: uuid.UUID | str, suffix: str) -> Path:
    hexid = _as_uuid(key_id).hex
    return root() / hexid[:2] / f"{hexid}{suffix}"


@contextlib.contextmanager
def synced_together() -> Iterator[None]:
    """Many keys written, or promoted, then made durable at once: one ``sync()`` when the
    block ends instead of two or three fsyncs per key (an import of thousands of files).

    The block must end before what depends on the keys commits: nest it inside the
    transaction that creates them (the new keys are on disk before their rows commit) and,
    for the promotions that follow the commit, around it::

        with keystore.synced_together():          # promotions, synced after the commit
            with transaction.atomic():
                with keystore.synced_together():  # new keys, synced before the commit
                    ...
    """
    token = _together.set(True)
    try:
        yield
    finally:
        _together.reset(token)
        os.sync()


def _fsync_dir(directory: Path) -> None:
    if _together.get():
        return
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _write_atomically(path: Path, data: bytes, *, sync: bool = True) -> None:
    directory = path.parent
    if not directory.is_dir():
        directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    tmp = directory / f"{TEMP_PREFIX}{uuid.uuid4().hex}"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            if sync and not _together.get():
                os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    if sync:
        _fsync_dir(directory)


def encode(master_key_id: str, wrapped: bytes) -> bytes:
    key_id = master_key_id.encode("ascii")
    return MAGIC + bytes([len(key_id)]) + key_id + wrapped


def decode(blob: bytes) -> tuple[str, bytes]:
    if not blob.startswith(MAGIC) or len(blob) < len(MAGIC) + 2:
        raise crypto.DecryptionError("Not a key-store file this application wrote.")
    length = blob[len(MAGIC)]
    start = len(MAGIC) + 1
    return blob[start : start + length].decode("ascii"), blob[start + length :]


def put(key_id: uuid.UUID | str, master_key_id: str, wrapped: bytes, *, pending: bool, sync: bool = True) -> None:
    """Store a wrapped key (replacing any earlier wrapping of the same key)."""
    _write_atomically(_path(key_id, PENDING if pending else KEY), encode(master_key_id, wrapped), sync=sync)


def read(key_id: uuid.UUID | str) -> tuple[str, bytes]:
    """(master key id, wrapped key): one file read for a committed key. Raises
    ``KeyUnavailable`` when the store holds no key for this id (destroyed, or never here).

    The path is joined as a string, not with ``pathlib``: a family list opens 25 keys a
    page, and building 50 ``Path`` objects for it cost more than reading the files."""
    hexid = _as_uuid(key_id).hex
    base = os.path.join(settings.KEY_STORE_DIR, hexid[:2], hexid)
    for suffix in (KEY, PENDING):
        try:
            with open(base + suffix, "rb") as handle:
                return decode(handle.read())
        except FileNotFoundError:
            continue
    raise crypto.KeyUnavailable("This file's data key is not in the key store: it was destroyed (§8.8).")


def exists(key_id: uuid.UUID | str) -> bool:
    return _path(key_id, KEY).exists() or _path(key_id, PENDING).exists()


def promote(key_id: uuid.UUID | str) -> None:
    """The key's row is committed: ``.pending`` becomes ``.key``."""
    pending, final = _path(key_id, PENDING), _path(key_id, KEY)
    try:
        os.replace(pending, final)
    except FileNotFoundError:
        return
    _fsync_dir(final.parent)
    if _path(key_id, TOMBSTONE).exists():  # destroyed while this was being promoted
        _shred_files(key_id)


def _overwrite_and_unlink(path: Path) -> bool:
    try:
        fd = os.open(path, os.O_WRONLY)
    except FileNotFoundError:
        return False
    try:
        size = os.fstat(fd).st_size
        os.write(fd, os.urandom(size))
        os.fsync(fd)
    finally:
        os.close(fd)
    path.unlink(missing_ok=True)  # another process may have shredded it at the same moment
    _fsync_dir(path.parent)
    return True


def _shred_files(key_id: uuid.UUID | str) -> bool:
    removed = False
    for suffix in (KEY, PENDING):
        removed |= _overwrite_and_unlink(_path(key_id, suffix))
    return removed


def shred(key_id: uuid.UUID | str, *, destroyed_at: datetime.datetime) -> bool:
    """Destroy a key: tombstone first, then overwrite and unlink its file. Idempotent;
    True if a key file was removed. (Overwriting does not reach copies a journaling or
    flash file system keeps: docs/backups.md says what does.)"""
    tombstone = _path(key_id, TOMBSTONE)
    if not tombstone.exists():
        _write_atomically(tombstone, destroyed_at.isoformat().encode())
    return _shred_files(key_id)


def remove_orphan(key_id: uuid.UUID | str) -> bool:
    """Remove a pending key whose row never committed (no tombstone: nothing was destroyed)."""
    return _overwrite_and_unlink(_path(key_id, PENDING))


def destroyed_at(key_id: uuid.UUID | str) -> datetime.datetime | None:
    try:
        return datetime.datetime.fromisoformat(_path(key_id, TOMBSTONE).read_text())
    except FileNotFoundError:
        return None


def entries() -> Iterator[tuple[uuid.UUID | None, str, Path]]:
    """Every file in the store: (key id, suffix, path); key id None for a stray temporary file."""
    base = root()
    if not base.is_dir():
        return
    for shard in sorted(base.iterdir()):
        if not shard.is_dir():
            continue
        for path in sorted(shard.iterdir()):
            if path.name.startswith(TEMP_PREFIX):
                yield None, "", path
                continue
            stem, dot, suffix = path.name.partition(".")
            try:
                key_id = uuid.UUID(hex=stem)
            except ValueError:
                continue
            yield key_id, dot + suffix, path


def tombstones() -> dict[uuid.UUID, datetime.datetime]:
    found = {}
    for key_id, suffix, path in entries():
        if suffix == TOMBSTONE and key_id is not None:
            found[key_id] = datetime.datetime.fromisoformat(path.read_text())
    return found

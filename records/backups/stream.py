"""The sealed stream (docs/backups.md): a framed stream of AES-256-GCM chunks under
``BACKUP_KEY``, holding gzip-compressed JSON lines. Backups and key-store copies are
both written in it (§8.2)."""

from __future__ import annotations

import json
import os
import struct
import zlib
from collections.abc import Iterable, Iterator
from typing import Any, BinaryIO

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings

MAGIC = b"HSBACKUP2"
PREFIX_BYTES = 7
TAG_BYTES = 16
CHUNK_BYTES = 64 * 1024
MAX_CHUNK_BYTES = 1024 * 1024  # a frame claiming more is refused before anything is read
FRAME_HEADER = struct.Struct(">BI")  # final flag, ciphertext length
MAX_CHUNKS = 2**32


class BackupError(Exception):
    """The backup could not be opened: wrong key, tampered, cut short or not a backup."""


# --- sealing: a framed stream of AES-256-GCM chunks ------------------------------------


def _nonce(prefix: bytes, counter: int, final: bool) -> bytes:
    if counter >= MAX_CHUNKS:
        raise BackupError("Backup too large for one file.")
    return prefix + struct.pack(">IB", counter, 1 if final else 0)


class SealedWriter:
    """Seals bytes written to it into framed AES-256-GCM chunks on ``handle``, one
    chunk at a time: at most one chunk of plaintext is held in memory."""

    def __init__(self, handle: BinaryIO, *, key: bytes | None = None, chunk_bytes: int = CHUNK_BYTES) -> None:
        if not 1 <= chunk_bytes <= MAX_CHUNK_BYTES:
            raise ValueError(f"Chunks are 1 to {MAX_CHUNK_BYTES} bytes.")
        self._handle = handle
        self._aead = AESGCM(key or settings.BACKUP_KEY)
        self._prefix = os.urandom(PREFIX_BYTES)
        self._header = MAGIC + self._prefix
        self._chunk_bytes = chunk_bytes
        self._buffer = bytearray()
        self._counter = 0
        self._closed = False
        handle.write(self._header)

    def _frame(self, plain: bytes, *, final: bool) -> None:
        sealed = self._aead.encrypt(_nonce(self._prefix, self._counter, final), plain, self._header)
        self._handle.write(FRAME_HEADER.pack(1 if final else 0, len(sealed)) + sealed)
        self._counter += 1

    def write(self, data: bytes) -> None:
        if self._closed:
            raise ValueError("This backup is already finished.")
        self._buffer += data
        # Keep the last (possibly full) chunk back: the final frame must hold it.
        while len(self._buffer) > self._chunk_bytes:
            self._frame(bytes(self._buffer[: self._chunk_bytes]), final=False)
            del self._buffer[: self._chunk_bytes]

    def close(self) -> int:
        """Write the final frame; returns the number of frames written."""
        if not self._closed:
            self._frame(bytes(self._buffer), final=True)
            self._buffer.clear()
            self._closed = True
        return self._counter


def seal_stream(
    chunks: Iterable[bytes], handle: BinaryIO, *, key: bytes | None = None, chunk_bytes: int = CHUNK_BYTES
) -> int:
    """Seal an iterable of byte strings onto ``handle`` as they come; returns the frames written."""
    writer = SealedWriter(handle, key=key, chunk_bytes=chunk_bytes)
    for chunk in chunks:
        writer.write(chunk)
    return writer.close()


def _read_exactly(handle: BinaryIO, size: int) -> bytes:
    data = handle.read(size)
    if len(data) != size:
        raise BackupError("The backup is incomplete: the file was cut short.")
    return data


def open_stream(handle: BinaryIO, *, key: bytes | None = None) -> Iterator[bytes]:
    """Yield the plaintext chunks of a sealed stream, each authenticated before it is
    yielded. Raises ``BackupError`` on a wrong key, an altered, reordered or missing
    chunk, a file cut short, or anything after the final chunk."""
    aead = AESGCM(key or settings.BACKUP_KEY)
    magic = handle.read(len(MAGIC))
    if magic != MAGIC:
        raise BackupError("This is not a Home-Start backup file.")
    prefix = _read_exactly(handle, PREFIX_BYTES)
    header = MAGIC + prefix
    counter = 0
    while True:
        flag, length = FRAME_HEADER.unpack(_read_exactly(handle, FRAME_HEADER.size))
        if flag not in (0, 1) or not TAG_BYTES <= length <= MAX_CHUNK_BYTES + TAG_BYTES:
            raise BackupError("The backup did not open: the file was altered.")
        sealed = _read_exactly(handle, length)
        try:
            plain = aead.decrypt(_nonce(prefix, counter, flag == 1), sealed, header)
        except InvalidTag:
            raise BackupError("The backup did not open: wrong BACKUP_KEY, or the file was altered.") from None
        counter += 1
        yield plain
        if flag == 1:
            break
    if handle.read(1):
        raise BackupError("The backup did not open: there is data after its end.")


# --- the backup's contents: gzip-compressed JSON lines --------------------------------


# --- the contents: JSON lines, gzip-compressed -----------------------------------------


def _line(record: dict[str, Any]) -> bytes:
    return json.dumps(record, separators=(",", ":")).encode() + b"\n"


def _gzip(chunks: Iterable[bytes]) -> Iterator[bytes]:
    compressor = zlib.compressobj(wbits=31)  # gzip framing
    for chunk in chunks:
        if out := compressor.compress(chunk):
            yield out
    yield compressor.flush()


def _gunzip(chunks: Iterable[bytes]) -> Iterator[bytes]:
    decompressor = zlib.decompressobj(wbits=31)
    try:
        for chunk in chunks:
            if out := decompressor.decompress(chunk):
                yield out
        if tail := decompressor.flush():
            yield tail
    except zlib.error:
        raise BackupError("The backup's contents are damaged.") from None
    if not decompressor.eof:
        raise BackupError("The backup is incomplete.")


def _records(chunks: Iterable[bytes]) -> Iterator[dict[str, Any]]:
    pending = b""
    for chunk in chunks:
        pending += chunk
        *complete, pending = pending.split(b"\n")
        for line in complete:
            yield json.loads(line)
    if pending:
        raise BackupError("The backup is incomplete.")

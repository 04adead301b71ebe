"""Encryption at rest (§8.2) and the blind index for exact-match search.

Envelope encryption: every family (and later every volunteer or personnel
file) has its own random 256-bit data key. Personal fields are sealed with
AES-256-GCM under that data key, with associated data naming the model, field
and row, so a ciphertext copied into another row or field fails to open.
Data keys are wrapped (AES-256-GCM again) under a master key from the
environment and kept outside the database, in the key store
(``homestart/keystore.py``); several master keys may be configured so they can
be rotated. Destroying a data key (crypto-shredding, §8.8) deletes its file, and
so makes every copy of that file's ciphertext unreadable, including history
rows, the database's own files and log, and backups (docs/backups.md).

Nothing here ever returns ciphertext in place of a value: a wrong key, a
destroyed key or tampered data raises.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import unicodedata

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings

FORMAT_VERSION = b"\x01"
NONCE_BYTES = 12
KEY_BYTES = 32


class CryptoError(Exception):
    """Base class: the value could not be protected or recovered."""


class DecryptionError(CryptoError):
    """The ciphertext did not open: wrong key, tampered, or moved to another row or field."""


class KeyUnavailable(CryptoError):
    """The key needed is not configured, or has been destroyed (crypto-shredded)."""


def new_data_key() -> bytes:
    return AESGCM.generate_key(bit_length=256)


def seal(key: bytes, plaintext: bytes, *, aad: bytes) -> bytes:
    nonce = os.urandom(NONCE_BYTES)
    return FORMAT_VERSION + nonce + AESGCM(key).encrypt(nonce, plaintext, aad)


def open_sealed(key: bytes, token: bytes, *, aad: bytes) -> bytes:
    if len(token) < 1 + NONCE_BYTES + 16 or token[:1] != FORMAT_VERSION:
        raise DecryptionError("Not a ciphertext this application wrote.")
    nonce = token[1 : 1 + NONCE_BYTES]
    try:
        return AESGCM(key).decrypt(nonce, token[1 + NONCE_BYTES :], aad)
    except InvalidTag:
        raise DecryptionError(
            "Ciphertext did not authenticate: wrong key, tampered data, or a value moved from another row."
        ) from None


def newest_master_key_id() -> str:
    return next(iter(settings.FIELD_ENCRYPTION_KEYS))


def master_key(key_id: str) -> bytes:
    try:
        return settings.FIELD_ENCRYPTION_KEYS[key_id]
    except KeyError:
        raise KeyUnavailable(
            f"Master key {key_id!r} is not configured in FIELD_ENCRYPTION_KEYS; "
            "restore it (keys are removed only after `manage.py rotate_keys`)."
        ) from None


def wrap_key(data_key: bytes, *, aad: bytes) -> tuple[str, bytes]:
    key_id = newest_master_key_id()
    return key_id, seal(master_key(key_id), data_key, aad=aad)


def unwrap_key(key_id: str, wrapped: bytes, *, aad: bytes) -> bytes:
    return open_sealed(master_key(key_id), wrapped, aad=aad)


# --- blind index -----------------------------------------------------------


def normalise_surname(value: str) -> str:
    text = unicodedata.normalize("NFKC", value).casefold()
    return " ".join(text.replace("’", "'").split())


def normalise_postcode(value: str) -> str:
    return "".join(unicodedata.normalize("NFKC", value).upper().split())


NORMALISERS = {
    "surname": normalise_surname,
    "postcode": normalise_postcode,
}


def blind_index(value: str | None, *, domain: str) -> str:
    """Keyed HMAC-SHA256 of the normalised value, per domain; '' for an empty value.

    128 bits of the MAC are kept: enough to make collisions between real
    surnames or postcodes vanishingly rare, and no plaintext is stored.
    """
    if value is None:
        return ""
    normalised = NORMALISERS[domain](value)
    if not normalised:
        return ""
    mac = hmac.new(settings.BLIND_INDEX_KEY, f"{domain}\x00{normalised}".encode(), hashlib.sha256)
    return mac.hexdigest()[:32]

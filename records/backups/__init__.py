"""Encrypted backups and restores (§8.2), designed so that crypto-shredding holds (§8.8).

A backup is every application table's raw rows — personal fields stay the
ciphertext they are in the database; the data keys are not in the database at
all — as JSON lines, gzip-compressed and sealed under ``BACKUP_KEY``.
Opening one needs ``BACKUP_KEY``; reading anything personal in it also needs
the key store and the master keys, which are never in a backup.

Backups are streamed: rows are read from a database cursor a batch at a time,
compressed and sealed in chunks of ``CHUNK_BYTES``, and written as they come,
so neither the backup nor the restore ever holds the whole database in memory.
The file is a framed stream of AES-256-GCM chunks (the STREAM construction of
Hoang, Reyhanitabar, Rogaway and Vizár)::

    MAGIC | nonce prefix (7 random bytes) | frame | frame | ... | final frame
    frame = flag (1 byte: 0, or 1 for the final frame) | length (4 bytes) | ciphertext and tag

Each chunk's nonce is the file's random prefix, the chunk's number and the
final flag; the header is its associated data. So a chunk moved, repeated,
dropped, altered or taken from another backup fails to open; a file cut short
has no final frame and is refused, as is anything after the final frame.

A backup holds no key material: the data keys are in the key store
(homestart/keystore.py), outside the database. So a backup taken before a
family was destroyed, restored into any database, cannot open that family: its
key file is gone from the key store, while every other family's is there.

Restoring also keeps the record straight (docs/backups.md): before the restore,
the live destruction register (destructions, their certificates and every
destroyed data key) is read; after the backup's rows are written, that register
is written back over them and applied again, together with the key store's
tombstones — each destroyed key is marked destroyed in the restored rows and
the family's keyed hashes cleared. A family destroyed after the backup was
taken therefore shows as destroyed, even in a new, empty database.
"""

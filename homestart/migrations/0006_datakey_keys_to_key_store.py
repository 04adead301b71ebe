"""Move every wrapped data key out of the database into the key store (§8.2, §8.8).

The wrapped bytes are copied as they are (no master key is needed here) into
``KEY_STORE_DIR``, and the column is cleared; a destroyed key gets its tombstone.
Running it again changes nothing. The next migration drops the column. On
PostgreSQL the old values stay in the table files and the write-ahead log until
``VACUUM FULL`` and a WAL and backup rotation: docs/backups.md, "Moving an
existing installation".
"""

from django.db import migrations

from homestart import keystore


def keys_to_key_store(apps, schema_editor):
    DataKey = apps.get_model("homestart", "DataKey")  # noqa: N806
    rows = DataKey.objects.using(schema_editor.connection.alias)
    for key in rows.filter(wrapped__isnull=False, destroyed_at__isnull=True).iterator():
        keystore.put(key.pk, key.master_key_id, bytes(key.wrapped), pending=False)
    rows.filter(wrapped__isnull=False, destroyed_at__isnull=True).update(wrapped=None)
    for key in rows.filter(destroyed_at__isnull=False).iterator():
        keystore.shred(key.pk, destroyed_at=key.destroyed_at)
    rows.filter(destroyed_at__isnull=False).update(wrapped=None)


def keys_back_to_the_database(apps, schema_editor):
    DataKey = apps.get_model("homestart", "DataKey")  # noqa: N806
    rows = DataKey.objects.using(schema_editor.connection.alias)
    for key in rows.filter(wrapped__isnull=True, destroyed_at__isnull=True).iterator():
        master_key_id, wrapped = keystore.read(key.pk)
        rows.filter(pk=key.pk).update(master_key_id=master_key_id, wrapped=wrapped)


class Migration(migrations.Migration):
    dependencies = [("homestart", "0005_hash_existing_recovery_codes")]

    operations = [
        migrations.RemoveConstraint(model_name="datakey", name="datakey_wrapped_unless_destroyed"),
        migrations.RunPython(keys_to_key_store, keys_back_to_the_database, elidable=False),
    ]

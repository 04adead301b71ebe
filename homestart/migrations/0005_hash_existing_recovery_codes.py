"""Recovery codes used to be django-otp's StaticToken rows, stored as plaintext.
Each person's unused codes are moved into RecoveryCodeDevice as salted password
hashes (so they keep working), and the plaintext rows are deleted. The
otp_static app is no longer installed, so its tables are read with plain SQL
when they exist (a database created before this change); a new database has none."""

from django.contrib.auth.hashers import get_hasher, make_password
from django.db import migrations


def hash_static_tokens(apps, schema_editor):
    connection = schema_editor.connection
    tables = set(connection.introspection.table_names())
    if not {"otp_static_staticdevice", "otp_static_statictoken"} <= tables:
        return
    Device = apps.get_model("homestart", "RecoveryCodeDevice")
    Code = apps.get_model("homestart", "RecoveryCode")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT d.user_id, t.token FROM otp_static_statictoken t "
            "JOIN otp_static_staticdevice d ON d.id = t.device_id ORDER BY d.user_id"
        )
        rows = cursor.fetchall()
    by_user: dict[int, list[str]] = {}
    for user_id, token in rows:
        by_user.setdefault(user_id, []).append(token)
    for user_id, tokens in by_user.items():
        device, _ = Device.objects.get_or_create(user_id=user_id, defaults={"name": "Recovery codes"})
        salt = get_hasher().salt()
        Code.objects.bulk_create(Code(device=device, digest=make_password(t.strip().lower(), salt)) for t in tokens)
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM otp_static_statictoken")
        cursor.execute("DELETE FROM otp_static_staticdevice")


class Migration(migrations.Migration):
    dependencies = [("homestart", "0004_recovery_codes_hashed")]

    # Irreversible in substance: the plaintext codes are gone; going back leaves the
    # hashed codes in place, and django-otp's old table empty.
    operations = [migrations.RunPython(hash_static_tokens, migrations.RunPython.noop)]

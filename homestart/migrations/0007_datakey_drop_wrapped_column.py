"""The wrapped data keys now live in the key store (0006): drop the column."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("homestart", "0006_datakey_keys_to_key_store")]

    operations = [migrations.RemoveField(model_name="datakey", name="wrapped")]

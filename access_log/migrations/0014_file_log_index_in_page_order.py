"""Who opened this file (§9.1), at national scale: the index of a file's events ends with
``id DESC`` as the page's order does (``-at``, ``-id``), so that on PostgreSQL each month's
scan returns the file's events already in the page's order and the months merge in order
(an ordered Append) instead of being read whole and sorted. On PostgreSQL the index is
declared on the partitioned table and is built in every month; the old one goes first."""

from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("access_log", "0013_merge_20261205_0547"),
        ("homestart", "0013_person_language"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="accessevent",
            name="access_file_at",
        ),
        migrations.AddIndex(
            model_name="accessevent",
            index=models.Index(fields=["file_kind", "file_id", "-at", "-id"], name="access_file_at"),
        ),
    ]

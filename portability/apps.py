from django.apps import AppConfig


class PortabilityConfig(AppConfig):
    """A scheme's records in (from a spreadsheet, Charitylog, CiviCRM) and out (an encrypted
    archive that opens without this product). The top layer: it uses every app below it."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "portability"
    verbose_name = "Import and export"

from django.apps import AppConfig


class RemindersConfig(AppConfig):
    """What is due, for whom: the daily e-mail and the landing page's "Due for you".

    The top layer but the demo: it reads every other app and nothing imports it (the landing
    page loads its template tag)."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "reminders"
    verbose_name = "Reminders"

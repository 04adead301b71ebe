from django.apps import AppConfig


class HomeConfig(AppConfig):
    """The page each person lands on after signing in: a part for each role they hold.

    The top layer but the demo: it reads the apps below (what each role's work is) and
    nothing imports it."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "home"
    verbose_name = "Home"

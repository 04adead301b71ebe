from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The demo schemes, people and families (``manage.py seed_demo``): the top layer, the
    one app that may use every other (docs/architecture.md)."""

    name = "demo"
    verbose_name = "Demo data"

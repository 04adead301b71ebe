from django.apps import AppConfig


class FamiliesConfig(AppConfig):
    name = "families"
    verbose_name = "Families"

    def ready(self) -> None:
        # The family file becomes a file kind of the one gate (§8.3, §8.5).
        from .kinds import register

        register()

from django.apps import AppConfig


class RecordsConfig(AppConfig):
    name = "records"

    def ready(self) -> None:
        # Volunteer and personnel files become file kinds of the one gate (§8.3, §8.4).
        from .kinds import register

        register()

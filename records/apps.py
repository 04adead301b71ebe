from django.apps import AppConfig


class RecordsConfig(AppConfig):
    name = "records"

    def ready(self) -> None:
        # Volunteer and personnel files become file kinds of the one gate (§8.3, §8.4).
        from access_log import tombstones
        from families import matching
        from records.people.kinds import register
        from records.people.matching import profiles
        from records.retention.selectors import certificates_of

        register()
        # Where a destroyed file would have appeared, its certificate number is shown (§8.8).
        tombstones.register(certificates_of)
        # Assigning a volunteer reads the volunteer's side of a match from their file (issue 15.4).
        matching.register(profiles)

from django.apps import AppConfig


class SafeguardingConfig(AppConfig):
    name = "safeguarding"

    def ready(self) -> None:
        # The gate asks this app whether a family has an open concern (§2.1): the safeguarding
        # lead opens the identifying details of such a family for a referral, and of no other.
        from access_log.kinds import FamilyFiles

        from .selectors import has_open_concern

        FamilyFiles.has_open_concern = staticmethod(has_open_concern)

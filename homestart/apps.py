from django.apps import AppConfig


class HomestartConfig(AppConfig):
    name = "homestart"
    verbose_name = "People and schemes"

    def ready(self) -> None:
        from django.contrib.auth.models import update_last_login
        from django.contrib.auth.signals import user_logged_in

        from . import security  # noqa: F401  (connects the session clock to sign-in)

        # Signing in updates last_login; that is not a change to the person's record,
        # so it adds no history row (history records changes people make).
        user_logged_in.disconnect(update_last_login, dispatch_uid="update_last_login")
        user_logged_in.connect(_update_last_login, dispatch_uid="homestart_update_last_login")


def _update_last_login(sender, user, **kwargs) -> None:
    from django.utils import timezone

    user.last_login = timezone.now()
    user.skip_history_when_saving = True
    try:
        user.save(update_fields=["last_login"])
    finally:
        del user.skip_history_when_saving

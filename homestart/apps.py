from django.apps import AppConfig


class HomestartConfig(AppConfig):
    name = "homestart"
    verbose_name = "People and schemes"

    def ready(self) -> None:
        from axes.signals import user_locked_out
        from django.contrib.auth.models import update_last_login
        from django.contrib.auth.signals import user_logged_in
        from django.db.models.signals import post_delete
        from django_otp.plugins.otp_totp.models import TOTPDevice

        from . import security  # (connects the session clock to sign-in)

        # Security events (OWASP ASVS 16.3): lockouts, and an authenticator removed.
        user_locked_out.connect(security._log_lockout, dispatch_uid="homestart_log_lockout")
        post_delete.connect(_authenticator_removed, sender=TOTPDevice, dispatch_uid="homestart_authenticator_removed")

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


def _authenticator_removed(sender, instance, **kwargs) -> None:
    from .two_factor import remove_recovery_codes_with_the_last_authenticator

    remove_recovery_codes_with_the_last_authenticator(device=instance)

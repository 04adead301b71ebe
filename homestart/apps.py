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
        from simple_history.signals import pre_create_historical_record

        from . import security  # (connects the session clock to sign-in)
        from .language import drop_empty_fallbacks_as_built

        # Security events (OWASP ASVS 16.3): lockouts, and an authenticator removed.
        user_locked_out.connect(security._log_lockout, dispatch_uid="homestart_log_lockout")
        post_delete.connect(_authenticator_removed, sender=TOTPDevice, dispatch_uid="homestart_authenticator_removed")

        # A history row is sealed with the same data key as its record: hand it the
        # record's already-loaded related rows (the family, its key) instead of
        # reading them again for every change (two queries per tracked write).
        pre_create_historical_record.connect(_share_loaded_relations, dispatch_uid="homestart_history_relations")

        # Signing in updates last_login; that is not a change to the person's record,
        # so it adds no history row (history records changes people make).
        user_logged_in.disconnect(update_last_login, dispatch_uid="update_last_login")
        user_logged_in.connect(_update_last_login, dispatch_uid="homestart_update_last_login")

        # English look-ups skip the empty English catalogues Django chains behind each
        # language's messages (docs/performance.md, "The Welsh catalogue's cost").
        drop_empty_fallbacks_as_built()


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


def _share_loaded_relations(sender, instance, history_instance, **kwargs) -> None:
    cache = history_instance._state.fields_cache
    for name, value in instance._state.fields_cache.items():
        field = next((f for f in history_instance._meta.concrete_fields if f.name == name and f.is_relation), None)
        if field is not None and getattr(history_instance, field.attname) == getattr(value, "pk", None):
            cache[name] = value

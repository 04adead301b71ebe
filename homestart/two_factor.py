"""Two-factor sign-in with django-otp: an authenticator app (TOTP) and single-use
recovery codes (``models.RecoveryCodeDevice``: kept only as password hashes). Wrong
codes are throttled by django-otp (each failure doubles the wait before the next
attempt is considered). Every outcome is a security event (``security_event``)."""

from __future__ import annotations

import base64
import logging
import time
from base64 import b32encode
from os import urandom

from django.contrib.auth import authenticate
from django.contrib.auth.hashers import get_hasher, make_password
from django.db import transaction
from django.http import HttpRequest
from django_otp import devices_for_user, match_token
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp.util import random_hex

from .models import RecoveryCode, RecoveryCodeDevice, User
from .security import SESSION_REAUTH, security_event

RECOVERY_CODES = 10


SESSION_PENDING_KEY = "two_factor.pending_key"


def pending_device(*, request: HttpRequest) -> TOTPDevice:
    """The authenticator being set up, not yet saved: its key waits in the session, so
    that showing the QR code writes nothing (GET requests change nothing)."""
    key = request.session.get(SESSION_PENDING_KEY)
    if not key:
        key = random_hex(20)
        request.session[SESSION_PENDING_KEY] = key
    return TOTPDevice(user=request.user, name="Authenticator app", key=key, confirmed=False)


def secret_for_display(device: TOTPDevice) -> str:
    secret = base64.b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def new_recovery_code() -> str:
    """Eight base32 characters from the operating system's CSPRNG: 40 bits."""
    return b32encode(urandom(5)).decode().lower()


@transaction.atomic
def recovery_codes_issue(*, user: User) -> list[str]:
    """New recovery codes for ``user``, returned once to be shown once; any earlier
    codes stop working. Only salted hashes are stored."""
    device, _ = RecoveryCodeDevice.objects.select_for_update().get_or_create(
        user=user, defaults={"name": "Recovery codes"}
    )
    device.codes.all().delete()
    device.throttle_reset()
    codes = [new_recovery_code() for _ in range(RECOVERY_CODES)]
    salt = get_hasher().salt()  # one random salt per issue (about 131 bits)
    RecoveryCode.objects.bulk_create(RecoveryCode(device=device, digest=make_password(c, salt)) for c in codes)
    return codes


def recovery_codes_left(*, user: User) -> int | None:
    """How many unused recovery codes ``user`` has; None without any issued."""
    device = RecoveryCodeDevice.objects.filter(user=user).first()
    return None if device is None else device.codes.count()


def has_authenticator(user: User) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def _is_throttled(user: User) -> bool:
    return any(not device.verify_is_allowed()[0] for device in devices_for_user(user))


def _code_failed(request: HttpRequest, user: User, during: str) -> None:
    security_event(
        "second_factor_failed",
        request=request,
        user_id=user.pk,
        level=logging.WARNING,
        during=during,
        throttled=_is_throttled(user),
    )


def _code_passed(request: HttpRequest, device, during: str) -> None:
    if isinstance(device, RecoveryCodeDevice):
        security_event(
            "recovery_code_used",
            request=request,
            user_id=device.user_id,
            during=during,
            codes_left=device.codes.count(),
        )
    else:
        security_event("second_factor_passed", request=request, user_id=device.user_id, during=during)


@transaction.atomic
def confirm_device(*, request: HttpRequest, device: TOTPDevice, token: str) -> list[str] | None:
    """Confirm the app with a code it shows; returns new recovery codes, or None.

    The pending device is saved unconfirmed at the first attempt, so that wrong
    codes are throttled like at sign-in."""
    if device.pk is None:
        existing = TOTPDevice.objects.filter(user=device.user, confirmed=False, key=device.key).first()
        if existing is None:
            TOTPDevice.objects.filter(user=device.user, confirmed=False).delete()
            device.save()
        else:
            device = existing
    if not device.verify_token(token):
        _code_failed(request, device.user, "enrolment")
        return None
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    request.session.pop(SESSION_PENDING_KEY, None)
    codes = recovery_codes_issue(user=device.user)
    otp_login(request, device)
    request.session.cycle_key()  # a new session key once the second factor is proven
    request.session[SESSION_REAUTH] = time.time()
    security_event("two_factor_enrolled", request=request, user_id=device.user_id)
    security_event("recovery_codes_issued", request=request, user_id=device.user_id, during="enrolment")
    return codes


def verify(*, request: HttpRequest, token: str) -> bool:
    device = match_token(request.user, token)
    if device is None:
        _code_failed(request, request.user, "sign_in")
        return False
    otp_login(request, device)
    request.session.cycle_key()  # a new session key once the second factor is proven
    _code_passed(request, device, "sign_in")
    return True


def reauthenticate(*, request: HttpRequest, password: str, token: str = "") -> bool:
    user = authenticate(request, username=request.user.get_username(), password=password)
    if user is None or user.pk != request.user.pk:
        security_event("reauthentication_failed", request=request, level=logging.WARNING, reason="password")
        return False
    if TOTPDevice.objects.filter(user=user, confirmed=True).exists():
        device = match_token(user, token)
        if device is None:
            _code_failed(request, user, "reauthentication")
            security_event("reauthentication_failed", request=request, level=logging.WARNING, reason="code")
            return False
        _code_passed(request, device, "reauthentication")
    request.session.cycle_key()
    request.session[SESSION_REAUTH] = time.time()
    security_event("reauthenticated", request=request)
    return True


def remove_recovery_codes_with_the_last_authenticator(*, device: TOTPDevice) -> None:
    """An administrator removed a confirmed authenticator (the person lost their phone):
    with none left, the recovery codes go too, and the person enrols afresh (ASVS 6.4.4)."""
    if not device.confirmed:
        return
    if not TOTPDevice.objects.filter(user_id=device.user_id, confirmed=True).exists():
        RecoveryCodeDevice.objects.filter(user_id=device.user_id).delete()
    security_event("two_factor_removed", user_id=device.user_id, level=logging.WARNING)

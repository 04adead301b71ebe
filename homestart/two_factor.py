"""Two-factor sign-in with django-otp: an authenticator app (TOTP) and single-use
recovery codes. Wrong codes are throttled by django-otp (each failure doubles the
wait before the next attempt is considered)."""

from __future__ import annotations

import base64
import time

from django.contrib.auth import authenticate
from django.db import transaction
from django.http import HttpRequest
from django_otp import login as otp_login
from django_otp import match_token
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from .models import User
from .security import SESSION_REAUTH

RECOVERY_CODES = 10


def pending_device(*, user: User) -> TOTPDevice:
    """The unconfirmed authenticator being set up (one per person)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=False)
    return device


def secret_for_display(device: TOTPDevice) -> str:
    secret = base64.b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


@transaction.atomic
def confirm_device(*, request: HttpRequest, device: TOTPDevice, token: str) -> list[str] | None:
    """Confirm the app with a code it shows; returns new recovery codes, or None."""
    if not device.verify_token(token):
        return None
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    TOTPDevice.objects.filter(user=device.user, confirmed=False).delete()
    recovery, _ = StaticDevice.objects.get_or_create(user=device.user, name="Recovery codes")
    recovery.token_set.all().delete()
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create(StaticToken(device=recovery, token=c) for c in codes)
    otp_login(request, device)
    request.session[SESSION_REAUTH] = time.time()
    return codes


def verify(*, request: HttpRequest, token: str) -> bool:
    device = match_token(request.user, token)
    if device is None:
        return False
    otp_login(request, device)
    return True


def reauthenticate(*, request: HttpRequest, password: str, token: str = "") -> bool:
    user = authenticate(request, username=request.user.get_username(), password=password)
    if user is None or user.pk != request.user.pk:
        return False
    if TOTPDevice.objects.filter(user=user, confirmed=True).exists() and match_token(user, token) is None:
        return False
    request.session[SESSION_REAUTH] = time.time()
    return True

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
from django_otp.util import random_hex

from .security import SESSION_REAUTH

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
        return None
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    request.session.pop(SESSION_PENDING_KEY, None)
    recovery, _ = StaticDevice.objects.get_or_create(user=device.user, name="Recovery codes")
    recovery.token_set.all().delete()
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create(StaticToken(device=recovery, token=c) for c in codes)
    otp_login(request, device)
    request.session.cycle_key()  # a new session key once the second factor is proven
    request.session[SESSION_REAUTH] = time.time()
    return codes


def verify(*, request: HttpRequest, token: str) -> bool:
    device = match_token(request.user, token)
    if device is None:
        return False
    otp_login(request, device)
    request.session.cycle_key()  # a new session key once the second factor is proven
    return True


def reauthenticate(*, request: HttpRequest, password: str, token: str = "") -> bool:
    user = authenticate(request, username=request.user.get_username(), password=password)
    if user is None or user.pk != request.user.pk:
        return False
    if TOTPDevice.objects.filter(user=user, confirmed=True).exists() and match_token(user, token) is None:
        return False
    request.session.cycle_key()
    request.session[SESSION_REAUTH] = time.time()
    return True

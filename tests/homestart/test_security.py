"""Sign-in security (§8.2, OWASP ASVS 5.0 Level 2): two-factor sign-in, lockout,
session lifetimes, cookies, headers and re-authentication. docs/security.md maps
each requirement to these tests."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.test import Client, RequestFactory, override_settings
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from homestart import security
from homestart.models import RecoveryCodeDevice
from tests.factories import TEST_PASSWORD

pytestmark = pytest.mark.policy("8.2")

REPO = Path(__file__).resolve().parents[2]


def current_code(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):06d}"


def sign_in(user, address: str = "192.0.2.10", password: str = TEST_PASSWORD) -> Client:
    client = Client(REMOTE_ADDR=address)
    client.post(reverse("login"), {"username": user.username, "password": password})
    return client


def wait_out_throttling(user) -> None:
    """As if the wait imposed after a wrong code had passed."""
    from django.utils import timezone

    past = timezone.now() - timezone.timedelta(hours=1)
    TOTPDevice.objects.filter(user=user).update(throttling_failure_timestamp=past)
    RecoveryCodeDevice.objects.filter(user=user).update(throttling_failure_timestamp=past)


def enrol(client: Client, user) -> list[str]:
    """Set up two-factor sign-in; returns the recovery codes the page showed."""
    client.get(reverse("two_factor_setup"))
    device = TOTPDevice(key=client.session["two_factor.pending_key"])
    response = client.post(reverse("two_factor_setup"), {"token": current_code(device)})
    assert response.status_code == 200
    return response.context["codes"]


# --- two-factor sign-in --------------------------------------------------------


@override_settings(TWO_FACTOR_REQUIRED=True)
def test_two_factor_is_required_before_any_page_when_enforced(family, coordinator):
    client = sign_in(coordinator)
    for url in (reverse("families:dashboard"), reverse("families:detail", kwargs={"reference": family.reference})):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("two_factor_setup")), url


@override_settings(TWO_FACTOR_REQUIRED=False)
def test_two_factor_is_offered_not_forced_when_not_required(family, coordinator):
    client = sign_in(coordinator)
    page = client.get(reverse("families:dashboard"))
    assert page.status_code == 200
    assert "Set up two-factor sign-in" in page.content.decode()


@override_settings(TWO_FACTOR_REQUIRED=True)
def test_enrolment_shows_a_qr_code_and_gives_ten_single_use_recovery_codes(family, coordinator):
    client = sign_in(coordinator)
    setup = client.get(reverse("two_factor_setup")).content.decode()
    assert "<svg" in setup and "Key:" in setup
    assert not TOTPDevice.objects.exists(), "showing the QR code writes nothing"
    wrong = client.post(reverse("two_factor_setup"), {"token": "000000"})
    assert "That code is wrong" in wrong.content.decode()
    device = TOTPDevice.objects.get(user=coordinator, confirmed=False)
    wait_out_throttling(coordinator)
    response = client.post(reverse("two_factor_setup"), {"token": current_code(device)})
    codes, codes_page = response.context["codes"], response.content.decode()
    assert len(set(codes)) == 10 and all(code in codes_page for code in codes)
    assert RecoveryCodeDevice.objects.get(user=coordinator).codes.count() == 10
    assert client.get(reverse("families:dashboard")).status_code == 200, "signed in with the code just entered"


def test_an_enrolled_person_must_enter_a_code_at_every_sign_in(family, coordinator):
    codes = enrol(sign_in(coordinator), coordinator)
    client = sign_in(coordinator)
    response = client.get(reverse("families:dashboard"))
    assert response["Location"].startswith(reverse("two_factor_verify"))
    bad = client.post(reverse("two_factor_verify"), {"token": "123456", "next": "/"})
    assert "That code is wrong" in bad.content.decode()
    assert client.get(reverse("families:dashboard")).status_code == 302
    wait_out_throttling(coordinator)
    # A recovery code works once.
    assert client.post(reverse("two_factor_verify"), {"token": codes[0], "next": "/"})["Location"] == "/"
    assert client.get(reverse("families:dashboard")).status_code == 200
    again = sign_in(coordinator)
    wait_out_throttling(coordinator)
    assert "That code is wrong" in again.post(reverse("two_factor_verify"), {"token": codes[0]}).content.decode()


def test_wrong_codes_are_throttled(family, coordinator):
    enrol(sign_in(coordinator), coordinator)
    # Enrolment used this 30-second code; a code is never accepted twice, so start afresh.
    TOTPDevice.objects.filter(user=coordinator).update(last_t=-1)
    device = TOTPDevice.objects.get(user=coordinator, confirmed=True)
    client = sign_in(coordinator)
    client.post(reverse("two_factor_verify"), {"token": "000000"})
    device.refresh_from_db()
    assert device.throttling_failure_count == 1
    # Straight after a wrong code, even the right code is refused: guessing is slowed.
    response = client.post(reverse("two_factor_verify"), {"token": current_code(device), "next": "/"})
    assert response.status_code == 200 and "That code is wrong" in response.content.decode()
    wait_out_throttling(coordinator)
    response = client.post(reverse("two_factor_verify"), {"token": current_code(device), "next": "/"})
    assert response.status_code == 302 and response["Location"] == "/"


# --- lockout (django-axes) -------------------------------------------------------


def test_five_wrong_passwords_lock_that_username_from_that_address_only(coordinator, manager):
    for _ in range(5):
        sign_in(coordinator, password="not-the-password")
    locked = Client(REMOTE_ADDR="192.0.2.10").post(
        reverse("login"), {"username": coordinator.username, "password": TEST_PASSWORD}
    )
    assert locked.status_code == 429
    assert "Too many sign-in attempts" in locked.content.decode()
    # Someone else behind the same address signs in as usual...
    other = Client(REMOTE_ADDR="192.0.2.10").post(
        reverse("login"), {"username": manager.username, "password": TEST_PASSWORD}
    )
    assert other.status_code == 302
    # ...and so does the same person from another address.
    elsewhere = Client(REMOTE_ADDR="198.51.100.7").post(
        reverse("login"), {"username": coordinator.username, "password": TEST_PASSWORD}
    )
    assert elsewhere.status_code == 302


def test_four_wrong_passwords_then_the_right_one_signs_in(coordinator):
    for _ in range(4):
        sign_in(coordinator, password="not-the-password")
    response = Client(REMOTE_ADDR="192.0.2.10").post(
        reverse("login"), {"username": coordinator.username, "password": TEST_PASSWORD}
    )
    assert response.status_code == 302


@pytest.mark.parametrize(
    ("proxies", "forwarded", "expected"),
    [
        (0, "203.0.113.9", "10.0.0.1"),  # no proxy trusted: the header is ignored
        (1, "203.0.113.9", "203.0.113.9"),
        (1, "6.6.6.6, 203.0.113.9", "203.0.113.9"),  # a client cannot prepend its own address
        (2, "203.0.113.9, 10.0.0.2", "203.0.113.9"),
        (2, "10.0.0.2", "10.0.0.1"),  # fewer hops than proxies: distrust
        (1, "not-an-address", "10.0.0.1"),
    ],
)
def test_client_address_behind_a_configured_number_of_proxies(settings, proxies, forwarded, expected):
    settings.TRUSTED_PROXY_COUNT = proxies
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR=forwarded)
    assert security.client_ip(request) == expected


# --- sessions ------------------------------------------------------------------------


def test_sign_in_issues_a_new_session_key(coordinator):
    client = Client()
    client.get(reverse("login"))
    client.cookies["sessionid"] = "attacker-chosen"
    client.post(reverse("login"), {"username": coordinator.username, "password": TEST_PASSWORD})
    assert client.session.session_key != "attacker-chosen"


def _age_session(client: Client, *, started: float | None = None, last_seen: float | None = None) -> None:
    session = client.session
    if started is not None:
        session[security.SESSION_STARTED] = started
    if last_seen is not None:
        session[security.SESSION_LAST_SEEN] = last_seen
    session.save()


def test_thirty_minutes_without_activity_signs_out(family, coordinator):
    client = sign_in(coordinator)
    assert client.get(reverse("families:dashboard")).status_code == 200
    _age_session(client, last_seen=time.time() - 31 * 60)
    response = client.get(reverse("families:dashboard"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    assert client.get(reverse("families:dashboard"))["Location"].startswith(reverse("login"))


def test_activity_keeps_the_session_but_twelve_hours_after_sign_in_it_ends(family, coordinator):
    client = sign_in(coordinator)
    _age_session(client, last_seen=time.time() - 29 * 60)
    assert client.get(reverse("families:dashboard")).status_code == 200
    _age_session(client, started=time.time() - 12 * 3600 - 60)
    response = client.get(reverse("families:dashboard"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_disabling_a_person_ends_their_session(family, coordinator):
    client = sign_in(coordinator)
    coordinator.is_active = False
    coordinator.save()
    assert client.get(reverse("families:dashboard"))["Location"].startswith(reverse("login"))


def test_reauthentication_is_asked_for_after_five_minutes(coordinator):
    from django.http import HttpResponse

    @security.recent_authentication
    def export(request):
        return HttpResponse("exported")

    client = sign_in(coordinator)
    request = RequestFactory().get("/export/")
    request.session = client.session
    assert export(request).content == b"exported"
    request.session[security.SESSION_REAUTH] = time.time() - 6 * 60
    response = export(request)
    assert response.status_code == 302 and response["Location"].startswith(reverse("reauthenticate"))
    wrong = client.post(reverse("reauthenticate"), {"password": "nope", "next": "/"})
    assert "Your password or code is not right" in wrong.content.decode()
    right = client.post(reverse("reauthenticate"), {"password": TEST_PASSWORD, "next": "/families/"})
    assert right["Location"] == "/families/"


# --- headers ------------------------------------------------------------------------


def test_pages_carry_a_content_security_policy_that_forbids_framing(coordinator, client_for):
    response = client_for(coordinator).get(reverse("families:dashboard"))
    policy = response["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in policy
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy
    assert response["X-Frame-Options"] == "DENY"
    assert response["Cache-Control"].count("no-store") == 1


def _production_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "DJANGO_SETTINGS_MODULE", "DATABASE_URL"}}
    env.update(
        DJANGO_SETTINGS_MODULE="homestart.settings",
        SECRET_KEY="production-like-secret-key-" + "x" * 40,
        FIELD_ENCRYPTION_KEYS="k1:" + "A" * 43 + "=",
        BLIND_INDEX_KEY="B" * 43 + "=",
        ALLOWED_HOSTS="records.example.org",
    )
    return env


def test_production_settings_pass_djangos_deploy_check_with_no_warning():
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=REPO,
        env=_production_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_production_cookies_are_host_prefixed_secure_and_hsts_lasts_a_year():
    code = (
        "from django.conf import settings as s;"
        "print(s.SESSION_COOKIE_NAME, s.CSRF_COOKIE_NAME, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE,"
        " s.SESSION_COOKIE_HTTPONLY, s.SESSION_COOKIE_SAMESITE, s.SECURE_HSTS_SECONDS, s.TWO_FACTOR_REQUIRED)"
    )
    result = subprocess.run(
        [sys.executable, "-c", f"import django;django.setup();{code}"],
        cwd=REPO,
        env=_production_env(),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.stdout.split() == [
        "__Host-sessionid",
        "__Host-csrftoken",
        "True",
        "True",
        "True",
        "Lax",
        "31536000",
        "True",
    ], result.stderr


def test_the_second_factor_gives_a_new_session_key(family, coordinator):
    """ASVS 7.2.4: a key seen before the second factor is worth nothing after it."""
    client = sign_in(coordinator)
    enrol(client, coordinator)
    again = sign_in(coordinator)
    before = again.session.session_key
    TOTPDevice.objects.filter(user=coordinator).update(last_t=-1)  # the enrolment's code may be used again
    device = TOTPDevice.objects.get(user=coordinator)
    assert again.post(reverse("two_factor_verify"), {"token": current_code(device), "next": "/"}).status_code == 302
    assert again.session.session_key != before
    assert again.get(reverse("families:dashboard")).status_code == 200


def test_flash_messages_live_in_the_session_not_in_a_cookie_of_their_own(family, coordinator):
    """ASVS 3.3.1/3.3.3: no unprefixed `messages` cookie; every cookie is __Host- in production."""
    client = sign_in(coordinator)
    client.post(reverse("families:display_mode"), {"references_only": "1"})
    response = client.post(
        reverse("families:member_new", kwargs={"reference": family.reference}),
        {"kind": "child", "first_name": "Robin", "last_name": "", "relationship": ""},
    )
    assert response.status_code == 302
    assert "messages" not in response.cookies
    assert "Family member saved." in client.get(response["Location"]).content.decode()


@override_settings(TWO_FACTOR_REQUIRED=False)
@pytest.mark.parametrize(
    ("devices", "asked"),
    [
        ([], False),
        ([(TOTPDevice, False)], False),  # an authenticator being set up, never confirmed
        ([(TOTPDevice, True)], True),
        ([(RecoveryCodeDevice, True)], True),  # recovery codes alone are a second factor
        ([(TOTPDevice, False), (RecoveryCodeDevice, True)], True),
        ([(RecoveryCodeDevice, False), (TOTPDevice, True)], True),
    ],
)
def test_whoever_holds_any_confirmed_second_factor_is_asked_for_it_in_one_query(
    family, coordinator, manager, devices, asked, django_assert_max_num_queries
):
    from django_otp import user_has_device

    from homestart.request_cache import RequestCacheMiddleware

    TOTPDevice.objects.create(user=manager, name="someone else's", confirmed=True)
    for model, confirmed in devices:
        model.objects.create(user=coordinator, name="device", confirmed=confirmed)
    # The compiled query (homestart/fixed_query.py) answers as django-otp does.
    assert security._has_confirmed_device(coordinator) is asked is user_has_device(coordinator, confirmed=True)
    response = sign_in(coordinator).get(reverse("families:dashboard"))
    assert (response.status_code == 302 and response["Location"].startswith(reverse("two_factor_verify"))) is asked
    with django_assert_max_num_queries(1):
        RequestCacheMiddleware(lambda request: security.has_second_factor(coordinator))(RequestFactory().get("/"))

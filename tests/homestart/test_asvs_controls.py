"""Controls that were in place without a test of their own (docs/security.md, OWASP
ASVS 5.0 Level 2): each test here fails if the control is taken away (§8.2)."""

from __future__ import annotations

import logging
import subprocess
import sys

import pytest
from django.conf import settings
from django.test import Client, override_settings
from django.urls import reverse

from families.models import Member
from tests.factories import TEST_PASSWORD
from tests.homestart.test_security import REPO, _production_env, sign_in

pytestmark = pytest.mark.policy("8.2")


def test_a_post_without_the_csrf_token_is_refused_and_changes_nothing(family, coordinator):
    """3.5.1: a forged cross-site POST is refused."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(coordinator)
    url = reverse("families:member_new", kwargs={"reference": family.reference})
    before = Member.objects.count()
    response = client.post(url, {"kind": "child", "first_name": "Forged", "last_name": "", "relationship": ""})
    assert response.status_code == 403
    assert Member.objects.count() == before


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/", "https:evil.example"])
def test_sign_in_never_redirects_off_site(coordinator, target):
    """3.7.2: `next` leads only to this site."""
    response = Client().post(
        f"{reverse('login')}?next={target}", {"username": coordinator.username, "password": TEST_PASSWORD}
    )
    assert response.status_code == 302
    assert "evil.example" not in response["Location"]


def test_the_csp_forbids_plugins_and_base_tag_rewrites(family, coordinator):
    """3.4.3: `object-src 'none'` and `base-uri 'none'` on every page."""
    response = sign_in(coordinator).get(reverse("families:dashboard"))
    policy = response["Content-Security-Policy"]
    assert "object-src 'none'" in policy and "base-uri 'none'" in policy


def test_signing_out_ends_the_session_for_good(family, coordinator):
    """7.4.1: after sign-out the old session cookie opens nothing."""
    client = sign_in(coordinator)
    stolen = client.cookies[settings.SESSION_COOKIE_NAME].value
    assert client.post(reverse("logout")).status_code == 302
    replay = Client()
    replay.cookies[settings.SESSION_COOKIE_NAME] = stolen
    response = replay.get(reverse("families:detail", kwargs={"reference": family.reference}))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_every_signed_in_page_offers_sign_out(family, coordinator, volunteer):
    """7.4.4: a visible sign-out on every authenticated page."""
    for user, url in (
        (coordinator, reverse("families:dashboard")),
        (coordinator, reverse("families:detail", kwargs={"reference": family.reference})),
        (volunteer, reverse("families:my_families")),
        (volunteer, reverse("access_log:my_access")),
    ):
        html = sign_in(user).get(url).content.decode()
        assert f'action="{reverse("logout")}"' in html and "Sign out" in html, url


def test_a_name_is_shown_as_text_never_as_markup(family, coordinator, client_for):
    """1.2.1: values people type are escaped where they are shown."""
    client = client_for(coordinator)
    url = reverse("families:member_new", kwargs={"reference": family.reference})
    client.post(url, {"kind": "child", "first_name": "<script>alert(1)</script>", "last_name": "", "relationship": ""})
    html = client.get(reverse("families:detail", kwargs={"reference": family.reference})).content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_fields_a_form_does_not_have_are_ignored(family, coordinator, client_for):
    """15.3.3: no mass assignment: posting extra fields changes nothing else."""
    client = client_for(coordinator)
    url = reverse("families:member_new", kwargs={"reference": family.reference})
    other = family.scheme.families.exclude(pk=family.pk).first()
    client.post(
        url,
        {
            "kind": "child",
            "first_name": "Robin",
            "last_name": "",
            "relationship": "",
            "family": str(other.pk) if other else "x",
            "id": "00000000-0000-0000-0000-000000000001",
        },
    )
    robins = [m for m in Member.objects.all() if m.first_name == "Robin"]
    assert len(robins) == 1
    assert robins[0].family_id == family.pk and str(robins[0].pk) != "00000000-0000-0000-0000-000000000001"


def test_an_oversized_request_body_is_refused(family, coordinator, client_for):
    """5.2.1: only sizes the application can process are accepted."""
    client = client_for(coordinator)
    url = reverse("families:member_new", kwargs={"reference": family.reference})
    before = Member.objects.count()
    response = client.post(url, {"kind": "child", "first_name": "x" * (1024 * 1024 + 1)})
    assert response.status_code == 400
    assert Member.objects.count() == before


def test_production_stores_passwords_with_a_slow_hasher():
    """11.4.2: PBKDF2 (or stronger) in production; MD5 only in the test settings."""
    code = "import django;django.setup();from django.conf import settings as s;print(s.PASSWORD_HASHERS[0])"
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, env=_production_env(), capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() in {
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",
        "django.contrib.auth.hashers.Argon2PasswordHasher",
        "homestart.hashers.HomestartArgon2PasswordHasher",  # Argon2 with the parameters chosen (issue 18.6)
        "django.contrib.auth.hashers.ScryptPasswordHasher",
    }


@override_settings(DEBUG_PROPAGATE_EXCEPTIONS=False)
def test_an_unexpected_error_is_logged_and_shows_no_detail(family, coordinator, monkeypatch, caplog):
    """16.3.4 and 13.4.x: an unhandled error is logged server-side; the person sees a plain 500 page."""
    from families import views

    def broken(**kwargs):
        raise RuntimeError("boom-sentinel")

    monkeypatch.setattr(views.selectors, "family_file", broken)
    client = Client(raise_request_exception=False)
    client.force_login(coordinator)
    with caplog.at_level(logging.ERROR, logger="django.request"):
        response = client.get(reverse("families:detail", kwargs={"reference": family.reference}))
    assert response.status_code == 500
    assert "boom-sentinel" not in response.content.decode()
    assert any(r.name == "django.request" and r.levelno == logging.ERROR for r in caplog.records)


def test_adding_another_authenticator_asks_for_the_password_again(family, coordinator):
    """7.5.1: a person who has two-factor sign-in confirms it is them before adding an authenticator."""
    import time

    from homestart import security
    from tests.homestart.test_security import enrol

    client = sign_in(coordinator)
    enrol(client, coordinator)
    session = client.session
    session[security.SESSION_REAUTH] = time.time() - 3600
    session.save()
    response = client.get(reverse("two_factor_setup"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("reauthenticate"))

    session = client.session
    session[security.SESSION_REAUTH] = time.time()
    session.save()
    assert client.get(reverse("two_factor_setup")).status_code == 200


def test_a_service_error_about_a_field_the_form_lacks_goes_above_the_form():
    """2.2.1: a service's refusal is always shown, never a server error (homestart.forms.form_error)."""
    from django import forms as django_forms
    from django.core.exceptions import ValidationError

    from homestart.forms import form_error

    class DatesForm(django_forms.Form):
        found_on = django_forms.DateField()

    form = DatesForm({"found_on": "2026-01-01"})
    assert form.is_valid()
    form_error(
        form,
        ValidationError({"found_at": "Not in the future.", "person": "Not a volunteer here."}),
        rename={"found_at": "found_on"},
    )
    assert form.errors["found_on"] == ["Not in the future."]
    assert form.non_field_errors() == ["Not a volunteer here."]

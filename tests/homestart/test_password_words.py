"""Passwords with the service's or a scheme's name are refused (ASVS 6.1.2, 6.2.11; §8.2)."""

from __future__ import annotations

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.urls import reverse

from tests.factories import TEST_PASSWORD
from tests.homestart.test_security import sign_in

pytestmark = pytest.mark.policy("8.2")


@pytest.mark.parametrize("password", ["Home-Start 2026 spring!", "my HOMESTART passphrase", "wirral-by-the-sea-2026"])
def test_the_service_and_scheme_names_are_refused(wirral, password):
    with pytest.raises(ValidationError) as refused:
        validate_password(password)
    assert any(e.code == "password_context_word" for e in refused.value.error_list)


def test_a_password_without_them_passes_and_short_codes_are_not_words(wirral):
    validate_password("a wir of long unrelated words")  # "WIR", the scheme code, is too short to refuse
    validate_password("correct horse battery staple 7")


def test_the_password_change_page_says_why_next_to_the_field(coordinator):
    client = sign_in(coordinator)
    guessable = "wirral sunshine evenings"
    response = client.post(
        reverse("password_change"),
        {
            "old_password": TEST_PASSWORD,
            "new_password1": guessable,
            "new_password2": guessable,
        },
    )
    assert response.status_code == 200
    assert "which anyone could guess for this service" in response.content.decode()
    coordinator.refresh_from_db()
    assert coordinator.check_password(TEST_PASSWORD)

"""Friendly error pages with DEBUG on, as in the demo (issue 17.7): a missing page, a file
the person may not see, a refusal, a destroyed file and a server error show the product's
own pages; Django's technical pages only when HOMESTART_TECHNICAL_ERRORS asks for them."""

from __future__ import annotations

import pytest
from django.test import Client, override_settings
from django.urls import reverse

from tests.factories import make_family
from tests.records.destroy import destroy_family

pytestmark = pytest.mark.policy("8.2")

TECHNICAL = ("Using the URLconf", "Traceback", "Django tried these URL patterns", "DEBUG = True")


def technical(html: str) -> bool:
    return any(marker in html for marker in TECHNICAL)


@override_settings(DEBUG=True)
def test_an_address_that_matches_no_page_answers_the_friendly_404(coordinator, client_for):
    response = client_for(coordinator).get("/no-such-page-at-all/")
    html = response.content.decode()
    assert response.status_code == 404
    assert "Page not found" in html and not technical(html)


@override_settings(DEBUG=True)
def test_a_file_the_person_may_not_see_answers_the_friendly_404(wirral, coordinator, volunteer, client_for):
    other = make_family(wirral, coordinator)  # not assigned to the volunteer
    response = client_for(volunteer).get(reverse("families:detail", kwargs={"reference": other.reference}))
    html = response.content.decode()
    assert response.status_code == 404
    assert "Page not found" in html and not technical(html)


@override_settings(DEBUG=True)
def test_a_refusal_answers_the_friendly_403(volunteer, client_for):
    response = client_for(volunteer).get(reverse("families:new"))
    html = response.content.decode()
    assert response.status_code == 403
    assert "You cannot do this" in html and not technical(html)


@override_settings(DEBUG=True)
def test_a_server_error_answers_the_friendly_500(coordinator, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr("families.selectors.staff_roles_by_scheme", broken)
    client = Client(raise_request_exception=False)
    client.force_login(coordinator)
    response = client.get(reverse("families:new"))
    html = response.content.decode()
    assert response.status_code == 500
    assert "Sorry, there is a problem" in html and not technical(html)


@override_settings(DEBUG=True, HOMESTART_TECHNICAL_ERRORS=True)
def test_the_technical_pages_only_when_the_setting_asks(coordinator, client_for):
    response = client_for(coordinator).get("/no-such-page-at-all/")
    assert response.status_code == 404 and technical(response.content.decode())


@override_settings(DEBUG=False)
def test_with_debug_off_the_pages_are_the_same(coordinator, client_for):
    response = client_for(coordinator).get("/no-such-page-at-all/")
    assert response.status_code == 404 and "Page not found" in response.content.decode()


@override_settings(DEBUG=True)
def test_a_destroyed_file_answers_its_tombstone_with_410(wirral, coordinator, manager, trustee, client_for):
    family = make_family(wirral, coordinator, last_name="Gonewell", postcode="CH43 2XY")
    destroy_family(family, coordinator=coordinator, manager=manager, trustee=trustee)
    response = client_for(coordinator).get(reverse("families:detail", kwargs={"reference": family.reference}))
    html = response.content.decode()
    assert response.status_code == 410
    assert family.reference in html and "destroyed" in html.lower() and not technical(html)

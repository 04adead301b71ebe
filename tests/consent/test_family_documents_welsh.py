"""What the family is given, in English or Welsh (§1.1–§1.5, issue 17.8): the information sheet
and the family's copy of its consents, printed in the family's language whatever the language
of the person printing them."""

from __future__ import annotations

import html

import pytest
from django.urls import reverse

from consent import services as consent_services
from consent.family_documents import RECIPIENT_WORDS, SCOPE_WORDS
from consent.models import RecipientKind, Scope


def url(name: str, family, **query) -> str:
    base = reverse(name, kwargs={"reference": family.reference})
    return base + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


@pytest.mark.policy("1.1")
def test_information_sheet_in_welsh(family, coordinator, client_for):
    page = client_for(coordinator).get(url("consent:information_sheet", family, language="cy")).content.decode()
    assert '<div lang="cy">' in page
    assert "Sut rydyn ni'n cadw eich gwybodaeth yn gyfrinachol" in page
    assert "Mae gennych chi hawl i ofyn am gael gweld eich cofnod" in page
    assert "How we keep your information confidential" not in page
    # The page around the document stays in the coordinator's language.
    assert '<html lang="en-gb"' in page and "Back to consent" in page


@pytest.mark.policy("1.1")
def test_information_sheet_in_english_by_default(family, coordinator, client_for):
    page = client_for(coordinator).get(url("consent:information_sheet", family)).content.decode()
    assert '<div lang="en-gb">' in page and "How we keep your information confidential" in page


@pytest.mark.policy("1.1")
def test_a_welsh_speaking_coordinator_prints_the_english_sheet_for_an_english_family(family, coordinator, client_for):
    coordinator.language = "cy"
    coordinator.save()
    page = client_for(coordinator).get(url("consent:information_sheet", family, language="en-gb")).content.decode()
    assert '<html lang="cy"' in page and "Yn ôl i ganiatâd" in page
    assert "How we keep your information confidential" in page


@pytest.mark.policy("1.2", "1.5")
def test_the_family_copy_of_its_consents_in_welsh(family, coordinator, client_for, give_consent, open_as):
    kept = give_consent(family, scope=Scope.GENERAL, recipient_kind=RecipientKind.HEALTH_VISITOR)
    withdrawn = give_consent(
        family, scope=Scope.SPECIFIC, recipient_kind=RecipientKind.AGENCY, recipient_name="Sure Start"
    )
    consent_services.consent_withdraw(
        access=open_as(coordinator, family, "consent", change=True),
        consent=withdrawn,
        withdrawn_on=withdrawn.given_on,
        notes="",
        actor=coordinator,
    )
    page = html.unescape(
        client_for(coordinator).get(url("consent:family_copy", family, language="cy")).content.decode()
    )
    assert "Yr hyn rydych chi wedi cytuno y cawn ni ei rannu" in page
    assert "Eich ymwelydd iechyd" in page and "Asiantaeth sydd eisoes yn gweithio gyda'ch teulu: Sure Start" in page
    assert "Mewn grym" in page and "Fe wnaethoch chi ei dynnu'n ôl ar" in page
    assert "(yn ysgrifenedig)" in page  # how it was given
    assert kept.given_on.strftime("%Y") in page
    assert "§" not in page.split('<div lang="cy">')[1]  # words for the family, not clause numbers


@pytest.mark.policy("1.2")
def test_the_family_copy_in_english_names_no_clause(family, coordinator, client_for, give_consent):
    give_consent(family)
    page = client_for(coordinator).get(url("consent:family_copy", family)).content.decode()
    assert "What you have agreed we may share" in page and "In force" in page
    assert "General information about the kind and level of support we give you" in page
    assert "§" not in page.split('<div lang="en-gb">')[1]


def test_every_scope_and_recipient_has_words_for_the_family():
    assert set(SCOPE_WORDS) == set(Scope.values) and set(RECIPIENT_WORDS) == set(RecipientKind.values)

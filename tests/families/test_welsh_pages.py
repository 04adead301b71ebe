"""A coordinator who chose Welsh (issue 17.8) reads the family file and their home in Welsh:
the header, the menu's own words and the headings, with the same page for an English speaker
in English. (The menu's entries are Python's words: marked there, not in base.html.)"""

from __future__ import annotations

import html
import re

import pytest
from django.urls import reverse

from homestart.language import WELSH

HEADER_WELSH = ("Wedi mewngofnodi fel", "Eich cyfrif", "Allgofnodi", "Neidio i'r prif gynnwys")
HEADER_ENGLISH = ("Signed in as", "Your account", "Sign out", "Skip to main content")


def _headings(page: str) -> list[str]:
    """The text of every h1 and h2, as a screen reader lists them."""
    found = re.findall(r"<h([12])\b[^>]*>(.*?)</h\1>", page, re.S)
    return [" ".join(html.unescape(re.sub(r"<[^>]+>", " ", text)).split()) for _level, text in found]


def _pages(client, family) -> dict[str, str]:
    return {
        "home": client.get(reverse("home")).content.decode(),
        "file": client.get(reverse("families:detail", kwargs={"reference": family.reference})).content.decode(),
    }


@pytest.mark.parametrize(
    ("language", "header", "menu", "file_headings", "home_heading", "other_header"),
    [
        (
            WELSH,
            HEADER_WELSH,
            "Dewislen",
            [
                "Cyfrinachedd, caniatâd a diogelu",
                "Manylion cyswllt",
                "Aelodau'r teulu",
                "Atgyfeiriad",
                "Ymweliadau",
                "Ymweliadau arfaethedig",
                "Gwirfoddolwyr a neilltuwyd",
            ],
            "Beth sydd angen ei wneud heddiw",
            HEADER_ENGLISH,
        ),
        (
            "en-gb",
            HEADER_ENGLISH,
            "Menu",
            [
                "Confidentiality, consent and safeguarding",
                "Contact details",
                "Family members",
                "Referral",
                "Visits",
                "Planned visits",
                "Volunteer assignments",
            ],
            "What needs doing today",
            HEADER_WELSH,
        ),
    ],
)
def test_the_family_file_and_the_coordinators_home_speak_the_coordinators_language(
    coordinator, assigned_family, client_for, language, header, menu, file_headings, home_heading, other_header
):
    coordinator.language = language
    coordinator.save()
    pages = _pages(client_for(coordinator), assigned_family)

    for name, page in pages.items():
        text = html.unescape(page)
        assert f'<html lang="{language}"' in page, name
        for words in header:
            assert words in text, (name, words)
        for words in other_header:
            assert words not in text, (name, words)
        assert f'<nav aria-label="{menu}"' in page, name
        assert f">{menu}</button>" in page, name

    # The family file: its caption, and each section's heading in order.
    file_headings_seen = _headings(pages["file"])
    assert file_headings_seen[0] == assigned_family.reference
    assert ("Ffeil teulu" if language == WELSH else "Family file") in pages["file"]
    assert [h for h in file_headings_seen if h in file_headings] == file_headings
    # The coordinator's home: what needs doing today.
    assert _headings(pages["home"])[0] == home_heading


def test_a_welsh_speaker_is_told_of_a_family_found_in_welsh_counting(coordinator, family, client_for):
    """Welsh counts "one, two, more" in its own forms: a search finding one family says so in
    the singular, as English does ("1 family found")."""
    coordinator.language = WELSH
    coordinator.save()
    client = client_for(coordinator)
    page = html.unescape(client.post(reverse("families:search"), {"q": family.reference}).content.decode())
    assert "Wedi dod o hyd i 1 teulu" in page
    assert "family found" not in page

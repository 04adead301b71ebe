"""Issue 17.8: a person who chose Welsh gets the family forms' messages in Welsh, and the names
the access rules are written in (roles, parts of a file, purposes) in Welsh words, while the
stored values stay the same codes. English is unchanged (the other tests of these pages)."""

from __future__ import annotations

import html as htmllib
import re

from django.urls import reverse
from django.utils import translation

from families.matching import times_in_words
from homestart.language import ENGLISH, WELSH
from homestart.rules import Purpose, Role, Section, role_label


def _welsh(person):
    person.language = WELSH
    person.save()
    return person


def _field_error(page: str, field_id: str) -> str:
    """The message next to a field, without its visually hidden "Error:" / "Gwall:" prefix."""
    match = re.search(rf'<p class="govuk-error-message" id="{re.escape(field_id)}-error">(.*?)</p>', page, re.S)
    assert match, f"no message next to {field_id}"
    text = htmllib.unescape(re.sub(r"<[^>]+>", "", match.group(1))).strip()
    return re.sub(r"^(Error|Gwall):\s*", "", text)


# What a browser sends for the form left empty: every box, with nothing in it (no radio chosen,
# no box ticked).
EMPTY_REFERRAL = {
    **{name: "" for name in ("referrer_name", "referrer_organisation", "referrer_contact", "reasons")},
    **{name: "" for name in ("first_name", "last_name", "relationship", "address", "postcode", "phone")},
    **{f"{date}_{part}": "" for date in ("referred_on", "date_of_birth") for part in ("day", "month", "year")},
}


def test_an_empty_referral_is_explained_in_welsh_next_to_each_field(wirral, coordinator, client_for):
    page = client_for(_welsh(coordinator)).post(reverse("families:new"), EMPTY_REFERRAL).content.decode()
    assert '<html lang="cy"' in page
    # The form's own words for its required fields (NewFamilyForm.messages).
    assert _field_error(page, "id_reasons") == "Rhowch y rhesymau dros atgyfeirio"
    assert _field_error(page, "id_first_name") == "Rhowch enw cyntaf y rhiant neu'r gofalwr"
    # A date, named by its label as the form shows it (homestart.dates).
    assert _field_error(page, "id_referred_on") == "Rhowch ‘Dyddiad atgyfeirio’"
    # No family file without the family's consent (§7.1), said in Welsh.
    text = htmllib.unescape(page)
    assert "Dim ond pan fydd y teulu wedi cydsynio iddo y mae'r cynllun yn derbyn atgyfeiriad (§7.1)." in text
    assert "Enter the reasons for referral" not in text


def test_a_field_with_no_message_of_its_own_is_named_in_welsh(family, coordinator, client_for):
    """The form renderer's "Enter …" / "Select …" messages, for a form that words none itself."""
    url = reverse("families:member_new", kwargs={"reference": family.reference})
    empty = {"first_name": "", "last_name": "", "relationship": "", "date_of_birth_day": ""}
    page = client_for(_welsh(coordinator)).post(url, empty).content.decode()
    assert _field_error(page, "id_first_name") == "Llenwch ‘Enw cyntaf’"
    assert _field_error(page, "id_kind") == "Dewiswch ‘Rhiant, gofalwr neu blentyn?’"
    assert "Enter the first name" not in page


def test_the_rules_labels_are_in_welsh_and_their_values_stay_codes():
    with translation.override(WELSH):
        assert role_label(Role.SAFEGUARDING_LEAD) == "Arweinydd diogelu"
        assert str(Role.MANAGER.label) == "Rheolwr y cynllun"
        assert str(Section.IDENTIFYING_DETAILS.label) == "Manylion adnabod"
        assert str(Purpose.CASEWORK.label) == "Cefnogi'r teulu"
        # What the access log stores is the code, whatever the language of the page.
        assert Role.SAFEGUARDING_LEAD.value in Role.values
        assert Role.SAFEGUARDING_LEAD.value != str(Role.SAFEGUARDING_LEAD.label)
    with translation.override(ENGLISH):
        assert role_label(Role.SAFEGUARDING_LEAD) == "Safeguarding lead"


def test_the_menu_speaks_welsh(coordinator, client_for):
    page = htmllib.unescape(client_for(_welsh(coordinator)).get(reverse("families:dashboard")).content.decode())
    assert "Dod o hyd i deulu" in page and "Teuluoedd a grwpiau" in page
    assert "Find a family" not in page


def test_a_volunteers_free_times_read_as_welsh_says_them():
    """Each time is worded whole ("nos Lun", not "Monday" + "evening"), and Welsh "a" (and)
    changes the word after it: "a phrynhawn", never "a prynhawn"."""
    times = ["mon_evening", "tue_morning", "sun_afternoon"]
    with translation.override(WELSH):
        assert times_in_words(times) == "nos Lun, bore dydd Mawrth a phrynhawn dydd Sul"
    with translation.override(ENGLISH):
        assert times_in_words(times) == "Monday evening, Tuesday morning and Sunday afternoon"


def test_the_family_list_shows_each_status_as_get_status_display_does(family):
    """``Family.status_label`` (the list's status column, one look-up a language) says what
    ``get_status_display()`` says, in English and in Welsh, whichever language came first."""
    for language in (WELSH, ENGLISH, WELSH):
        with translation.override(language):
            for status in family.Status.values:
                family.status = status
                assert family.status_label == family.get_status_display()
            family.status = "unknown"
            assert family.status_label == family.get_status_display() == "unknown"
    with translation.override(WELSH):
        family.status = family.Status.CLOSED
        assert family.status_label == "Ar gau"

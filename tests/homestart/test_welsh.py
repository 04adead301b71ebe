"""English and Welsh (issue 17.8): the language chosen per person, signed-out pages that follow
the language link, English where a string has no Welsh yet, and the compiled catalogue kept in
step with the translations."""

from __future__ import annotations

import gettext
import html
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import translation

from homestart.language import WELSH
from homestart.models import User

CATALOGUE = Path(settings.BASE_DIR) / "locale" / "cy" / "LC_MESSAGES"


def test_a_person_who_chose_welsh_sees_welsh_on_every_request(coordinator, client_for):
    client = client_for(coordinator)
    response = client.post(reverse("language"), {"language": WELSH})
    assert response.status_code == 302 and response["Location"] == reverse("account")
    coordinator.refresh_from_db()
    assert coordinator.language == WELSH
    # A new session (another device, no cookie) still speaks Welsh: the choice is the person's.
    page = client_for(coordinator).get(reverse("account")).content.decode()
    assert '<html lang="cy"' in page
    assert "Iaith" in page and "Cymraeg" in page  # the account page's language row
    assert "Cyfrinachol:" in page  # the footer, on every page


def test_a_string_without_welsh_shows_in_english(manager, client_for):
    untranslated = (
        "The same table is kept with the system's code, in its policy map. Every clause has something that "
        "enforces it and at least one test; the system's own checks fail when one of them is missing or when "
        "this page and the map differ."
    )
    msgids = _all_msgids(CATALOGUE / "django.po")
    assert untranslated in msgids, "no longer marked as it was: pick another string"
    assert _po_entries(CATALOGUE / "django.po").get(untranslated) is None, "translated now: pick another string"
    manager.language = WELSH
    manager.save()
    page = html.unescape(client_for(manager).get(reverse("policy_map")).content.decode())
    # Marked for translation, not translated yet: the English stands, nothing breaks.
    assert '<html lang="cy"' in page and untranslated in page
    with translation.override(WELSH):
        assert translation.gettext("A sentence nobody translated") == "A sentence nobody translated"


def test_choosing_a_language_is_kept_with_history(coordinator, client_for):
    client_for(coordinator).post(reverse("language"), {"language": WELSH})
    latest = coordinator.history.order_by("-history_date").first()
    assert latest.language == WELSH
    assert latest.history_user == coordinator
    assert latest.history_change_reason == "Chose the language of the pages"


def test_a_language_the_product_does_not_speak_is_refused_next_to_the_field(coordinator, client_for):
    response = client_for(coordinator).post(reverse("language"), {"language": "fr"})
    assert response.status_code == 200
    assert "Choose English or Cymraeg" in response.content.decode()
    coordinator.refresh_from_db()
    assert coordinator.language == ""


@pytest.mark.django_db
def test_signed_out_pages_follow_the_language_cookie():
    client = Client()
    assert '<html lang="en-gb"' in client.get(reverse("login")).content.decode()
    response = client.post(reverse("language"), {"language": WELSH, "next": reverse("login")})
    assert response.status_code == 302 and response["Location"] == reverse("login")
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == WELSH
    page = client.get(reverse("login")).content.decode()
    assert '<html lang="cy"' in page and "Cyfrinachol:" in page


@pytest.mark.django_db
def test_signed_out_pages_follow_the_browser_language():
    page = Client(headers={"accept-language": "cy,en;q=0.5"}).get(reverse("login")).content.decode()
    assert '<html lang="cy"' in page


@pytest.mark.django_db
def test_the_language_link_goes_nowhere_outside_the_site():
    response = Client().post(reverse("language"), {"language": WELSH, "next": "https://example.com/"})
    assert response["Location"] == "/"


def test_the_chosen_language_wins_over_the_cookie(coordinator, client_for):
    coordinator.language = "en-gb"
    coordinator.save()
    client = client_for(coordinator)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = WELSH
    assert '<html lang="en-gb"' in client.get(reverse("account")).content.decode()


# --- the compiled catalogue -------------------------------------------------------


def _po_entries(path: Path) -> dict[str | tuple[str, int], str]:
    """msgid -> msgstr of a .po file, without fuzzy entries (which msgfmt leaves out); a plural
    entry gives (msgid, n) -> msgstr[n] for each of its forms, as gettext's catalogue keeps
    them. The project's catalogue uses no contexts; an entry that does fails here."""
    entries: dict[str | tuple[str, int], str] = {}
    for block in path.read_text(encoding="utf-8").split("\n\n"):
        lines = [line for line in block.strip().splitlines() if line and not line.startswith("#~")]
        if any(line.startswith("#,") and "fuzzy" in line for line in lines):
            continue
        parts: dict[str, str] = {}
        key = None
        for line in lines:
            if line.startswith("#"):
                continue
            match = re.match(r'^(msgid|msgstr|msgctxt|msgid_plural|msgstr\[\d\]) (".*")$', line)
            if match:
                key = match.group(1)
                assert key != "msgctxt", f"{path}: {key} is not supported by this check"
                parts[key] = _unquote(match.group(2))
            else:
                assert key is not None and line.startswith('"'), f"{path}: cannot read {line!r}"
                parts[key] += _unquote(line)
        forms = {int(key[7:-1]): text for key, text in parts.items() if key.startswith("msgstr[")}
        if parts.get("msgid") and forms and all(forms.values()):
            entries.update({(parts["msgid"], n): text for n, text in forms.items()})
        elif parts.get("msgid") and parts.get("msgstr"):
            entries[parts["msgid"]] = parts["msgstr"]
    return entries


def _all_msgids(path: Path) -> set[str]:
    text = path.read_text(encoding="utf-8")
    return {
        "".join(_unquote(part) for part in re.findall(r'"(?:[^"\\]|\\.)*"', block))
        for block in re.findall(r'^msgid ((?:".*"\n)+)', text, re.M)
    }


def _unquote(quoted: str) -> str:
    escapes = {"n": "\n", "t": "\t", '"': '"', "\\": "\\"}
    return re.sub(r"\\(.)", lambda m: escapes[m.group(1)], quoted[1:-1])


def test_the_committed_mo_matches_the_po():
    """The .mo is committed, so a fresh clone (and CI) needs no gettext tools. It must hold
    exactly the .po's translations: after editing the .po, run `make messages`."""
    with (CATALOGUE / "django.mo").open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    written = _po_entries(CATALOGUE / "django.po")
    catalog = {k: v for k, v in compiled._catalog.items() if k}  # type: ignore[attr-defined]
    assert catalog == written, "locale/cy/LC_MESSAGES/django.mo is stale: run `make messages`"


def test_welsh_keeps_every_placeholder_of_the_english():
    for key, msgstr in _po_entries(CATALOGUE / "django.po").items():
        msgid = key[0] if isinstance(key, tuple) else key  # each plural form keeps the singular's
        assert sorted(re.findall(r"%\(\w+\)s", msgid)) == sorted(re.findall(r"%\(\w+\)s", msgstr)), key


def test_every_language_offered_renders_the_pages(coordinator, client_for):
    """No missing-translation crash: every page of the account speaks each language."""
    for code, _name in settings.LANGUAGES:
        User.objects.filter(pk=coordinator.pk).update(language=code)
        client = client_for(coordinator)
        for name in ("account", "language", "policy", "password_change"):
            response = client.get(reverse(name))
            assert response.status_code == 200, (code, name)
            assert f'<html lang="{code}"' in response.content.decode()


def test_the_language_page_goes_back_to_the_page_it_was_opened_from(coordinator, client_for):
    client = client_for(coordinator)
    page = client.get(reverse("language"), headers={"referer": "http://testserver/policy/?x=1"}).content.decode()
    assert 'name="next" value="/policy/?x=1"' in page
    answer = client.post(reverse("language"), {"language": WELSH, "next": "/policy/?x=1"})
    assert answer["Location"] == "/policy/?x=1"
    elsewhere = client.get(reverse("language"), headers={"referer": "https://example.com/x/"}).content.decode()
    assert 'name="next"' not in elsewhere


def test_the_language_link_names_no_page(coordinator, client_for):
    """The footer link is on every page, a 404 included: it must not repeat the address asked for,
    which may hold a family's reference (§8.3)."""
    page = client_for(coordinator).get("/families/WIR-9999/").content.decode()
    assert 'href="/language/"' in page and "WIR-9999" not in page


def test_every_plural_has_each_welsh_form():
    """Welsh counts in more forms than English (one, two, few/many...): a plural translated in
    some forms and not others would show English, or nothing, for some numbers."""
    text = (CATALOGUE / "django.po").read_text(encoding="utf-8")
    forms = int(re.search(r"nplurals=(\d+);", text).group(1))
    assert forms >= 4, "the Plural-Forms header lost Welsh's forms"
    entries = _po_entries(CATALOGUE / "django.po")
    plurals = {key[0] for key in entries if isinstance(key, tuple)}
    assert plurals, "no plural is translated: this check checks nothing"
    for msgid in plurals:
        assert all((msgid, n) in entries for n in range(forms)), msgid
    with translation.override(WELSH):
        assert translation.ngettext("%(number)s family found", "%(number)s families found", 2) % {"number": 2} == (
            "Wedi dod o hyd i 2 deulu"
        )

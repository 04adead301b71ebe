"""English and Welsh (issue 17.8): the language chosen per person, signed-out pages that follow
the language link, English where a string has no Welsh yet, and the compiled catalogue kept in
step with the translations."""

from __future__ import annotations

import gettext
import html
import re
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.conf import settings
from django.template import Context, Template
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
    """English is the fallback: a string marked for translation whose Welsh is not written yet (a
    new string, between `make messages` and its translation) shows in English on a Welsh page,
    and nothing breaks. The catalogue has no such string (test_every_string_marked_for_translation_
    has_welsh), so the page is a template of one translated and one new string."""
    page = Template('{% load i18n %}<p>{% translate "Save" %}</p><p>{% translate "A sentence nobody translated" %}</p>')
    with translation.override(WELSH):
        assert page.render(Context()) == "<p>Cadw</p><p>A sentence nobody translated</p>"
        assert translation.gettext("A sentence nobody translated") == "A sentence nobody translated"
    manager.language = WELSH
    manager.save()
    policy_map = html.unescape(client_for(manager).get(reverse("policy_map")).content.decode())
    assert '<html lang="cy"' in policy_map and "Caiff yr un tabl ei gadw gyda chod y system" in policy_map


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


@dataclass
class _Entry:
    msgid: str
    msgid_plural: str | None
    msgctxt: str | None
    msgstrs: list[str]  # msgstr, or msgstr[0], msgstr[1], …
    fuzzy: bool


def _po(path: Path) -> list[_Entry]:
    """The live entries of a .po file (obsolete ``#~`` ones left out), the header included."""
    entries: list[_Entry] = []
    for block in path.read_text(encoding="utf-8").split("\n\n"):
        lines = [line for line in block.strip().splitlines() if line and not line.startswith("#~")]
        fuzzy = any(line.startswith("#,") and "fuzzy" in line for line in lines)
        parts: dict[str, str] = {}
        key = None
        for line in lines:
            if line.startswith("#"):
                continue
            match = re.match(r'^(msgid|msgstr|msgctxt|msgid_plural|msgstr\[\d\]) (".*")$', line)
            if match:
                key = match.group(1)
                parts[key] = _unquote(match.group(2))
            else:
                assert key is not None and line.startswith('"'), f"{path}: cannot read {line!r}"
                parts[key] += _unquote(line)
        if "msgid" not in parts:
            continue
        forms = sorted((int(k[7:-1]), v) for k, v in parts.items() if k.startswith("msgstr["))
        assert [n for n, _ in forms] == list(range(len(forms))), f"{path}: plural forms out of order"
        msgstrs = [v for _, v in forms] if "msgid_plural" in parts else [parts.get("msgstr", "")]
        entries.append(_Entry(parts["msgid"], parts.get("msgid_plural"), parts.get("msgctxt"), msgstrs, fuzzy))
    return entries


def _po_entries(path: Path) -> dict[str | tuple[str, int], str]:
    """What msgfmt compiles, keyed as Python's gettext keys its catalogue: msgid -> msgstr, and
    (msgid, n) -> msgstr[n] for plurals; a context is written before the msgid and \\x04. Fuzzy
    entries and those whose (first) msgstr is empty are left out, as msgfmt leaves them out."""
    entries: dict[str | tuple[str, int], str] = {}
    for entry in _po(path):
        if entry.fuzzy or not entry.msgid or not entry.msgstrs[0]:
            continue
        msgid = f"{entry.msgctxt}\x04{entry.msgid}" if entry.msgctxt is not None else entry.msgid
        if entry.msgid_plural is None:
            entries[msgid] = entry.msgstrs[0]
        else:
            entries.update({(msgid, n): form for n, form in enumerate(entry.msgstrs)})
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


def _placeholders(text: str) -> list[str]:
    return sorted(re.findall(r"%\(\w+\)[sd]", text))


def test_welsh_keeps_every_placeholder_of_the_english():
    """Every %(name)s of the English is in the Welsh, and the Welsh brings no other (it would
    fail on the page). An English plural ending passed as its own placeholder (``|pluralize``)
    stays too, in an HTML comment: a Welsh noun after a number stays singular (docs/welsh.md)."""
    for entry in _po(CATALOGUE / "django.po"):
        if not entry.msgid or entry.fuzzy:
            continue
        if entry.msgid_plural is None:
            if entry.msgstrs[0]:
                assert _placeholders(entry.msgid) == _placeholders(entry.msgstrs[0]), entry.msgid
            continue
        english = set(_placeholders(entry.msgid)) | set(_placeholders(entry.msgid_plural))
        carried = set(_placeholders(entry.msgid)) & set(_placeholders(entry.msgid_plural))
        for form in filter(None, entry.msgstrs):
            assert carried <= set(_placeholders(form)) <= english, (entry.msgid, form)


# The integrator's switch: True once every string marked on every branch has its Welsh. While a
# merge brings strings not translated yet, set it to False, translate them, and set it back.
CATALOGUE_COMPLETE = True


@pytest.mark.skipif(not CATALOGUE_COMPLETE, reason="strings marked on another branch await their Welsh")
def test_every_string_marked_for_translation_has_welsh():
    """Issue 17.8: a person who chose Cymraeg meets no English that was marked for translation.
    Every entry of the catalogue has its Welsh, every plural form of it (as many as the header's
    Plural-Forms says), and none is fuzzy (an old translation of changed English, which msgfmt
    leaves out, so the page falls back to English). Obsolete entries (#~) are not shown."""
    entries = _po(CATALOGUE / "django.po")
    header = next(entry for entry in entries if not entry.msgid)
    plural_forms = re.search(r"nplurals=(\d+);", header.msgstrs[0])
    assert plural_forms, "the catalogue's header has no Plural-Forms"
    nplurals = int(plural_forms.group(1))
    strings = [entry for entry in entries if entry.msgid]
    assert len(strings) > 900  # the whole catalogue was read
    untranslated = [entry.msgid for entry in strings if not all(entry.msgstrs)]
    fuzzy = [entry.msgid for entry in strings if entry.fuzzy]
    forms = [entry.msgid for entry in strings if entry.msgid_plural is not None and len(entry.msgstrs) != nplurals]
    assert not untranslated, "No Welsh yet (write it in locale/cy/LC_MESSAGES/django.po):\n" + "\n".join(untranslated)
    assert not fuzzy, "Fuzzy (check the Welsh against the new English, then drop the flag):\n" + "\n".join(fuzzy)
    assert not forms, f"Plural entries without their {nplurals} Welsh forms:\n" + "\n".join(forms)


def test_the_completeness_check_finds_a_gap(tmp_path):
    """The parts the check above reads: an empty msgstr, an empty plural form, a fuzzy flag."""
    po = tmp_path / "django.po"
    po.write_text(
        'msgid ""\nmsgstr "Plural-Forms: nplurals=4; plural=(n==1) ? 0 : 1;\\n"\n\n'
        'msgid "Save"\nmsgstr ""\n\n'
        '#, fuzzy\nmsgid "Back"\nmsgstr "Yn ôl"\n\n'
        'msgid "%(n)s family"\nmsgid_plural "%(n)s families"\nmsgstr[0] "%(n)s teulu"\nmsgstr[1] ""\n\n'
        '#~ msgid "Gone"\n#~ msgstr ""\n',
        encoding="utf-8",
    )
    entries = {entry.msgid: entry for entry in _po(po)}
    assert set(entries) == {"", "Save", "Back", "%(n)s family"}
    assert entries["Save"].msgstrs == [""] and entries["Back"].fuzzy
    assert entries["%(n)s family"].msgstrs == ["%(n)s teulu", ""]
    assert _po_entries(po) == {("%(n)s family", 0): "%(n)s teulu", ("%(n)s family", 1): ""}


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


def test_a_count_reads_in_welsh_with_the_noun_after_it_singular():
    """Welsh counts in four forms (one, two, eight and eleven, the rest) and keeps the noun
    singular after a number: two families are "2 deulu", not an English plural."""
    with translation.override(WELSH):
        found = translation.ngettext("%(number)s family found", "%(number)s families found", 2)
        assert found % {"number": 2} == "Wedi dod o hyd i 2 deulu"

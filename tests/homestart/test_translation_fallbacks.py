"""The catalogues' empty English fallbacks are dropped (docs/performance.md, "The Welsh
catalogue's cost"): every message is answered as before, in English and in Welsh, Django's own
messages included, whichever language is built first and however often Django rebuilds them."""

from __future__ import annotations

import gettext

import pytest
from django.template import Context, Template
from django.utils import translation
from django.utils.translation import trans_real

from homestart.language import ENGLISH, WELSH, drop_empty_fallbacks


def _catalogue(messages: dict) -> gettext.GNUTranslations:
    """A catalogue as gettext loads one from a .mo file: its messages, plus the header."""
    catalogue = gettext.GNUTranslations()
    catalogue._catalog = {"": "Content-Type: text/plain; charset=UTF-8\n", **messages}
    catalogue.plural = lambda n: int(n != 1)
    return catalogue


def _chain(catalogue) -> list:
    chain = []
    while (catalogue := catalogue._fallback) is not None:
        chain.append(catalogue)
    return chain


def _answers(catalogue, messages) -> list:
    answers = []
    for message in messages:
        answers.append(catalogue.gettext(message))
        answers.append(catalogue.pgettext("context", message))
        answers.extend(catalogue.ngettext(message, message + "s", n) for n in (1, 2))
    return answers


def test_dropping_empty_fallbacks_changes_no_answer():
    head = _catalogue({"Save": "Cadw"})
    empty_a, empty_b, empty_c = _catalogue({}), _catalogue({}), _catalogue({})
    middle = _catalogue({"Back": "Yn ôl", ("File", 0): "Ffeil", ("File", 1): "Ffeiliau", "context\x04Open": "Agor"})
    for catalogue in (empty_a, middle, empty_b, gettext.NullTranslations(), empty_c):
        head.add_fallback(catalogue)
    messages = ["Save", "Back", "File", "Open", "Nowhere", ""]
    before = _answers(head, messages)

    drop_empty_fallbacks(head)

    assert _chain(head) == [middle]
    assert _answers(head, messages) == before
    # An unlinked catalogue still leads on: a look-up walking the old chain meanwhile ends well.
    assert empty_a.gettext("Back") == "Yn ôl"


def test_a_catalogue_that_is_not_plain_gettext_is_kept():
    class Answers(gettext.GNUTranslations):
        def gettext(self, message):
            return message.upper()

    head, special = _catalogue({}), Answers()
    special._catalog = {"": "header"}
    head.add_fallback(special)
    drop_empty_fallbacks(head)
    assert _chain(head) == [special]


@pytest.fixture
def rebuilt_catalogues(monkeypatch):
    """Django's catalogues emptied, as the development server does when a .mo file changes and
    tests overriding LOCALE_PATHS do: every language is built again at its next activation."""
    monkeypatch.setattr(trans_real, "_translations", {})
    monkeypatch.setattr(trans_real, "_default", None)
    yield
    translation.activate(ENGLISH)


def _every_message(catalogue) -> set:
    """Every message id any catalogue in the chain holds, singular and plural, context and all."""
    keys = set()
    for each in [catalogue, *_chain(catalogue)]:
        keys.update(each._catalog.keys())
    return keys


def _holds_messages(catalogue) -> bool:
    return any(key != "" for key in catalogue._catalog.keys())  # noqa: SIM118 - Django's catalogue is no dict


def _all_answers(catalogue, keys) -> dict:
    answers = {}
    for key in keys:
        if isinstance(key, tuple):
            answers[key] = (catalogue.ngettext(key[0], key[0], 1), catalogue.ngettext(key[0], key[0] + "~", 5))
        elif key:
            answers[key] = catalogue.gettext(key)
    return answers


@pytest.mark.parametrize("language", [ENGLISH, WELSH])
def test_every_message_is_answered_as_django_answers_it(language, rebuilt_catalogues, monkeypatch):
    """Django's own catalogue objects, built without the hook, against the product's: the same
    answer for every message either holds (the product's Welsh, Django's en_GB and Welsh
    messages, the admin's), and for one that none holds."""
    django_built = trans_real.translation.__wrapped__
    monkeypatch.setattr(trans_real, "translation", django_built)
    unpruned = django_built(language)
    assert not all(_holds_messages(c) for c in _chain(unpruned)), "Django chains empty catalogues"
    monkeypatch.undo()
    monkeypatch.setattr(trans_real, "_translations", {})
    monkeypatch.setattr(trans_real, "_default", None)

    pruned = trans_real.translation(language)

    assert pruned is not unpruned
    assert all(_holds_messages(c) for c in _chain(pruned))
    keys = _every_message(unpruned) | {"A sentence nobody translated"}
    assert _all_answers(pruned, keys) == _all_answers(unpruned, keys)


def test_welsh_built_first_still_falls_back_to_english(rebuilt_catalogues):
    """Welsh activated before English was ever built (English is then built as Welsh's
    fallback): Welsh where the catalogue has it, English for the rest, and English itself
    without its empty catalogues when it is activated afterwards."""
    page = Template('{% load i18n %}{% translate "Save" %}|{% translate "A sentence nobody translated" %}')
    translation.activate(WELSH)
    assert page.render(Context()) == "Cadw|A sentence nobody translated"
    # Django's own Welsh (the forms' required-field message) is still Welsh.
    assert translation.gettext("This field is required.") == "Mae angen y maes hwn."
    welsh = trans_real.translation(WELSH)
    assert _chain(welsh) == [trans_real.translation(ENGLISH)]

    translation.activate(ENGLISH)
    assert page.render(Context()) == "Save|A sentence nobody translated"
    assert translation.gettext("This field is required.") == "This field is required."
    assert _chain(trans_real.translation(ENGLISH)) == []
    translation.activate(WELSH)
    assert translation.gettext("Save") == "Cadw"


def test_the_hook_is_installed_once():
    from homestart.language import drop_empty_fallbacks_as_built

    hooked = trans_real.translation
    drop_empty_fallbacks_as_built()
    assert trans_real.translation is hooked
    assert not hasattr(hooked.__wrapped__, "__wrapped__")

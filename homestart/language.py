"""English and Welsh (issue 17.8): which language the pages speak to whom.

Signed out, Django's LocaleMiddleware decides: the language link's cookie, else the
browser's Accept-Language, else English. Signed in, the person's own choice
(``User.language``, set on the account page, with history) wins on every request,
whichever device they use; a person who has not chosen is treated as signed out.

A string without a Welsh translation shows in English: gettext falls back to the
message id, which is the English text.

The bottom layer: imports no app (DESIGN.md, "Apps").
"""

from __future__ import annotations

import functools
import gettext as gettext_module
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db.models import Choices
from django.http import HttpRequest, HttpResponse
from django.utils import translation
from django.utils.translation import gettext, trans_real

ENGLISH = "en-gb"
WELSH = "cy"
CODES = frozenset(code for code, _name in settings.LANGUAGES)


def supported(code: str | None) -> str | None:
    """``code`` if the product speaks it, else None (a tampered form or query string)."""
    return code if code in CODES else None


class PersonLanguageMiddleware:
    """After authentication: a signed-in person's chosen language replaces the one
    LocaleMiddleware took from the cookie or the browser."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        chosen = supported(getattr(user, "language", None)) if user is not None and user.is_authenticated else None
        if chosen and chosen != translation.get_language():
            translation.activate(chosen)
            request.LANGUAGE_CODE = chosen
        return self.get_response(request)


def remember(response: HttpResponse, code: str) -> None:
    """Keep the choice in the language cookie too, so the sign-in page after signing out
    still speaks it (the cookie holds only a language code)."""
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        code,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )


def in_records(text: Any) -> str:
    """A label written into a record (a register entry, a history reason) is kept in English,
    whatever the language of the person writing it: one register, read by everyone."""
    with translation.override(ENGLISH):
        return str(text)


def in_english() -> bool:
    """Whether the page being made speaks English (the default when no language is active)."""
    return (translation.get_language() or ENGLISH).startswith("en")


def field_named(label: Any) -> str:
    """How a message names a field outside English: by its label as the form shows it, in
    quotation marks ("Llenwch ‘Math o ymweliad’"). English builds a phrase from the label
    ("Enter the type of visit"); Welsh would have to mutate the noun after the verb and
    choose "y", "yr" or none for the article, which a label alone cannot say."""
    text = str(label).strip().rstrip(":").strip()
    return f"‘{text}’"


def choice_label(choices: type[Choices], value: Any) -> Any:
    """``value``'s label among ``choices`` in the page's language, as ``get_FOO_display()``
    shows it (the value itself if it is not among them), worked out once per language: a list
    shows the same few labels on every row, and ``get_FOO_display()`` looks up the label of
    every choice to show one (it hashes each lazy label, and hashing one translates it)."""
    if value not in choices._value2member_map_:  # not choices.values: a list built per call
        return value
    return _label_in(choices, value, translation.get_language())


@functools.lru_cache(maxsize=1024)
def _label_in(choices: type[Choices], value: Any, language: str | None) -> str:
    return str(choices(value).label)


# Welsh "a" (and) mutates the word after it (a phrynhawn, a chreu, a thad) and is "ac" before
# a vowel (ac allforio).
_ASPIRATE = {"p": "ph", "t": "th", "c": "ch"}
_WELSH_VOWELS = frozenset("aeiouwyâêîôûŵŷ")


def and_join(first: str, last: str) -> str:
    """ "first and last" in the page's language: "A, B and C" when ``first`` is a list already.
    English and any other language use the catalogue's "%(first)s and %(last)s"; Welsh also
    changes the word after "a" as the grammar asks, which a catalogue entry cannot."""
    if (translation.get_language() or "") != WELSH or not last:
        return gettext("%(first)s and %(last)s") % {"first": first, "last": last}
    head, rest = last[:1], last[1:]
    if head.lower() in _WELSH_VOWELS:
        return f"{first} ac {last}"
    if head.lower() in _ASPIRATE and rest[:1].lower() != "h":
        mutated = _ASPIRATE[head.lower()]
        last = (mutated.capitalize() if head.isupper() else mutated) + rest
    return f"{first} a {last}"


# --- the cost of a look-up (docs/performance.md, "The Welsh catalogue's cost") -----------
#
# Django builds one catalogue object per language (trans_real.DjangoTranslation): the
# language's messages from every installed app and LOCALE_PATHS, merged, then a chain of
# fallbacks. For British English the chain holds, besides Django's en_GB messages, the
# generic "en" catalogue of Django and of each contrib app: catalogues holding a header and
# no message (English needs no translation). A string of the product's own is in none of
# them, so in English every look-up walked five empty catalogues before giving back the
# message id; Welsh falls back to the English object, so a string Welsh lacks walked them too.


def _holds_no_message(catalogue: gettext_module.NullTranslations) -> bool:
    """A plain gettext catalogue (not Django's merged one, nor any subclass that could answer
    differently) whose only entry is its header (msgid "")."""
    if type(catalogue) is gettext_module.NullTranslations:
        return True
    if type(catalogue) is not gettext_module.GNUTranslations:
        return False
    return all(key == "" for key in catalogue._catalog)  # type: ignore[attr-defined]


def drop_empty_fallbacks(catalogue: gettext_module.NullTranslations) -> None:
    """Unlink from ``catalogue``'s fallback chain every catalogue that holds no message.

    A catalogue that holds no message answers every look-up by asking its own fallback (or,
    the last in the chain, by giving back the message id, as the one before it then does),
    so the chain answers every look-up as before, with fewer steps. An unlinked catalogue
    keeps its own link onward, so a look-up already walking the chain in another thread
    still reaches the end."""
    node = catalogue
    while (following := node._fallback) is not None:  # type: ignore[attr-defined]
        if _holds_no_message(following):
            node._fallback = following._fallback  # type: ignore[attr-defined]
        else:
            node = following


def drop_empty_fallbacks_as_built() -> None:
    """From now on, each language's catalogue object has its empty fallbacks dropped once,
    when Django first hands it out (HomestartConfig.ready).

    Django builds a language's object lazily, at its first activation, and builds them all
    again when its cache is emptied (the development server when a .mo file changes, tests
    overriding LANGUAGES or LOCALE_PATHS): so the hook is the one function through which
    every object is handed out (``trans_real.translation``: activation, the default
    language, and Welsh's fallback to English all ask it), not a one-off pass at start-up."""
    build = trans_real.translation
    if getattr(build, "drops_empty_fallbacks", False):
        return

    @functools.wraps(build)
    def translation_without_empty_fallbacks(language: str) -> trans_real.DjangoTranslation:
        catalogue = build(language)
        if not getattr(catalogue, "empty_fallbacks_dropped", False):
            drop_empty_fallbacks(catalogue)
            catalogue.empty_fallbacks_dropped = True  # type: ignore[attr-defined]
        return catalogue

    translation_without_empty_fallbacks.drops_empty_fallbacks = True  # type: ignore[attr-defined]
    trans_real.translation = translation_without_empty_fallbacks

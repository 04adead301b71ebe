"""Every page's words are marked for translation (issue 17.8, docs/welsh.md).

Each template under templates/ is read with Django's own template lexer; the human text of
its text nodes (the words between tags, outside ``{% translate %}`` and
``{% blocktranslate %}``, outside comments, scripts and styles), and of the attributes a
person hears or reads (``aria-label``, ``alt``, ``title``, ``placeholder``), must be marked
for translation, or it stays English for a person who chose Welsh.

Every template is converted: there is no list of exceptions, and a new template is
converted from the start. (Words a template takes from Python, such as a form's labels or a
view's headings, are marked where they are written, in the Python.)
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.template.base import Lexer, TokenType

TEMPLATES = Path(settings.BASE_DIR) / "templates"

# Names that are the same in every language: the product, the charity, and each language
# named in itself on the language link.
PROPER_NAMES = ("Home-Start records", "Home-Start", "English", "Cymraeg")

_TRANSLATED_BLOCKS = {"blocktranslate": "endblocktranslate", "blocktrans": "endblocktrans", "comment": "endcomment"}
_SKIPPED_ELEMENTS = re.compile(r"<(script|style)\b.*?</\1>", re.S | re.I)
_HEARD_ATTRIBUTES = re.compile(r'\b(?:aria-label|alt|title|placeholder)="([^"]*)"')
_TAG = re.compile(r"<[^>]*>")
_ENTITY = re.compile(r"&[#\w]+;")
_WORD = re.compile(r"[A-Za-z]{2,}")
# Words handed to another template or shown in place of nothing, as plain string literals
# inside a tag: {% include … with heading="Plan a visit" %}, {{ x|default:"Not recorded" }}.
# Written _("Plan a visit") they are translated (and gathered by makemessages).
_PASSED_ON = re.compile(r"""\b\w+=(["'])(.*?)\1""")
_SHOWN_INSTEAD = re.compile(r"""\|(?:default|default_if_none|person):(["'])(.*?)\1""")


def _words(text: str) -> list[str]:
    for name in PROPER_NAMES:
        text = text.replace(name, " ")
    return _WORD.findall(_ENTITY.sub(" ", text))


def _human(literal: str) -> bool:
    """A string literal in a tag that people read: words, and a sentence or a capital (not a
    code such as 'en-gb' or a class name)."""
    return bool(_words(literal)) and (" " in literal.strip() or literal[:1].isupper())


def _literals(token) -> list[str]:
    found = [m.group(2) for m in _SHOWN_INSTEAD.finditer(token.contents)]
    if token.token_type == TokenType.BLOCK and token.contents.split()[0] in _TRANSLATED_BLOCKS:
        # "{{ n }} famil{{ n|pluralize:'y,ies' }}" cannot be said in Welsh, which counts in more
        # forms than two: {% blocktranslate count n=… %}…{% plural %}…{% endblocktranslate %}.
        found += [f"{token.contents[:40]}… pluralizes" for _ in re.finditer(r"\|pluralize\b", token.contents)][:1]
    if token.token_type == TokenType.BLOCK and token.contents.split()[0] in ("include", "with"):
        found += [m.group(2) for m in _PASSED_ON.finditer(token.contents)]
    return [literal for literal in found if _human(literal)]


def untranslated_text(source: str) -> list[str]:
    """The human text of a template left outside translation tags, one string per place."""
    # Text outside the tags; the variables and tags themselves are the template's own, but
    # for the words they pass on as string literals.
    found: list[str] = []
    text_only: list[str] = []
    closing: str | None = None
    for token in Lexer(source).tokenize():
        if closing:
            if token.token_type == TokenType.BLOCK and token.contents.split()[0] == closing:
                closing = None
            continue
        if token.token_type in (TokenType.BLOCK, TokenType.VAR):
            found += _literals(token)
        if token.token_type == TokenType.BLOCK:
            name = token.contents.split()[0]
            if name in _TRANSLATED_BLOCKS:
                closing = _TRANSLATED_BLOCKS[name]
            text_only.append(" ")  # a tag separates words; a {% translate %} stands for its words
        elif token.token_type == TokenType.VAR:
            text_only.append(" ")
        elif token.token_type == TokenType.TEXT:
            text_only.append(token.contents)
    page = _SKIPPED_ELEMENTS.sub(" ", "".join(text_only))
    page = re.sub(r"<!--.*?-->", " ", page, flags=re.S)
    page = re.sub(r"<!DOCTYPE[^>]*>", " ", page, flags=re.I)
    for value in _HEARD_ATTRIBUTES.findall(page):
        if _words(value):
            found.append(value.strip())
    for chunk in _TAG.split(page):
        chunk = " ".join(chunk.split())
        if _words(chunk):
            found.append(chunk)
    return found


# Pieces of a tag (attributes the widget templates add), not text: no words to translate.
ATTRIBUTE_FRAGMENTS = ("forms/widgets/",)


def _templates() -> list[str]:
    names = (str(path.relative_to(TEMPLATES)) for path in TEMPLATES.rglob("*") if path.is_file())
    return sorted(name for name in names if not name.startswith(ATTRIBUTE_FRAGMENTS))


@pytest.mark.parametrize("name", _templates())
def test_every_template_marks_every_word_for_translation(name):
    left = untranslated_text((TEMPLATES / name).read_text(encoding="utf-8"))
    assert not left, f"{name}: text not marked for translation (wrap it in {{% translate %}}): {left}"


def test_the_scan_finds_text_outside_translation_tags():
    source = (
        '{% load i18n %}<h1>{% translate "Your account" %}</h1><p title="Help me">Left alone</p>'
        "{# a comment #}{% comment %}Not shown{% endcomment %}<script>var x = 'words';</script>"
        "{% blocktranslate with n=count %}{{ n }} families{% endblocktranslate %}<a>Home-Start</a>"
        '{% include "page.html" with heading="Plan a visit" submit=_("Plan visit") hint_classes="govuk-hint" %}'
        "{{ family.phone|default:'Not recorded' }}{{ x|default:_('None yet') }}{{ LANGUAGE_CODE|default:'en-gb' }}"
        "{% blocktranslate with n=k k2=k|pluralize %}{{ n }} visit{{ k2 }}{% endblocktranslate %}"
        "{% blocktranslate count n=k %}{{ n }} visit{% plural %}{{ n }} visits{% endblocktranslate %}"
    )
    assert untranslated_text(source) == [
        "Plan a visit",
        "Not recorded",
        "blocktranslate with n=k k2=k|pluralize… pluralizes",
        "Help me",
        "Left alone",
    ]


def test_the_marking_tool_leaves_the_english_page_as_it_was():
    """tools/mark_translations.py, which converts a template: nothing left unmarked, and the
    English page renders the same (but for runs of spaces, which HTML shows as one)."""
    from django.template import engines

    from tools.mark_translations import mark, with_i18n_loaded

    source = (
        '{% extends "base.html" %}{% block content %}<h1 title="A title">Consent – {{ family.reference }}</h1>\n'
        "<p>Given by {{ c.given_by.first_name }}\n   on {{ c.given_on|date:'j M Y' }}.</p>"
        '{% if x %}<a aria-label="Back">Back</a>{% endif %}<script>var s = "words";</script>'
        "<p>Home-Start</p>{% endblock %}"
    )
    marked = with_i18n_loaded(mark(source))
    assert untranslated_text(marked) == []
    assert "{% load i18n %}" in marked and "{% blocktranslate with reference=family.reference %}" in marked

    def body(template_source: str) -> str:
        inner = template_source.split("{% block content %}")[1].split("{% endblock %}")[0]
        context = {"family": {"reference": "WIR-0001"}, "x": True, "c": {"given_by": {"first_name": "Ann"}}}
        html = engines["django"].from_string("{% load i18n %}" + inner).render(context)
        return " ".join(html.split())

    assert body(marked) == body(source)

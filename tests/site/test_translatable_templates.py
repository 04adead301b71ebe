"""Every page's words are marked for translation (issue 17.8, docs/welsh.md).

Each template under templates/ is read with Django's own template lexer; the human text of
its text nodes (the words between tags, outside ``{% translate %}`` and
``{% blocktranslate %}``, outside comments, scripts and styles), and of the attributes a
person hears or reads (``aria-label``, ``alt``, ``title``, ``placeholder``), must be marked
for translation, or it stays English for a person who chose Welsh.

``NOT_YET_TRANSLATED`` lists the templates not converted yet: the gap, in the open. A
template leaves the list when it is converted (the test fails while a converted template is
still listed), and a new template is converted from the start.
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

# Templates whose words are not marked yet (relative to templates/). Shrink it; never grow it.
NOT_YET_TRANSLATED: set[str] = {
    # Being reworked on other branches while Welsh was added (issue 17: GOV.UK form patterns,
    # friendly error pages, homes and navigation, the concern form, "who opened this file" in
    # words; issue 15: visits and people): converted once those changes are in.
    "403.html",
    "404.html",
    "500.html",
    "base.html",  # its footer (and the language link) are converted; the header and menu are not
    "access_log/file_log.html",
    "safeguarding/concern.html",
    "forms/govuk_error_message.html",
    "forms/govuk_field.html",
    "forms/govuk_form.html",
    "snippets/error_summary.html",
    "consent/form_page.html",
    "reporting/form_page.html",
    "families/snippets/form_page.html",
    # The family file and its pages (families/).
    "families/assignment_end.html",
    "families/assignment_form.html",
    "families/close_form.html",
    "families/contact_form.html",
    "families/dashboard.html",
    "families/detail.html",
    "families/group_detail.html",
    "families/group_form.html",
    "families/group_list.html",
    "families/history.html",
    "families/member_form.html",
    "families/my_families.html",
    "families/new.html",
    "families/no_family_access.html",
    "families/reopen_form.html",
    "families/search.html",
    "families/snippets/back_to_file.html",
    "families/snippets/file_header.html",
    "families/snippets/support.html",
    "families/visit_form.html",
    "families/volunteer_view.html",
    # E-mail is sent without a request: it needs the recipient's language activated first.
    "reminders/email.txt",
}

_TRANSLATED_BLOCKS = {"blocktranslate": "endblocktranslate", "blocktrans": "endblocktrans", "comment": "endcomment"}
_SKIPPED_ELEMENTS = re.compile(r"<(script|style)\b.*?</\1>", re.S | re.I)
_HEARD_ATTRIBUTES = re.compile(r'\b(?:aria-label|alt|title|placeholder)="([^"]*)"')
_TAG = re.compile(r"<[^>]*>")
_ENTITY = re.compile(r"&[#\w]+;")
_WORD = re.compile(r"[A-Za-z]{2,}")


def _words(text: str) -> list[str]:
    for name in PROPER_NAMES:
        text = text.replace(name, " ")
    return _WORD.findall(_ENTITY.sub(" ", text))


def untranslated_text(source: str) -> list[str]:
    """The human text of a template left outside translation tags, one string per place."""
    # Text outside the tags; the variables and tags themselves are the template's own.
    found: list[str] = []
    text_only: list[str] = []
    closing: str | None = None
    for token in Lexer(source).tokenize():
        if closing:
            if token.token_type == TokenType.BLOCK and token.contents.split()[0] == closing:
                closing = None
            continue
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


@pytest.mark.parametrize("name", [name for name in _templates() if name not in NOT_YET_TRANSLATED])
def test_converted_templates_mark_every_word_for_translation(name):
    left = untranslated_text((TEMPLATES / name).read_text(encoding="utf-8"))
    assert not left, f"{name}: text not marked for translation (wrap it in {{% translate %}}): {left}"


@pytest.mark.parametrize("name", sorted(NOT_YET_TRANSLATED))
def test_the_list_of_templates_not_yet_translated_only_shrinks(name):
    path = TEMPLATES / name
    assert path.exists(), f"{name} is listed in NOT_YET_TRANSLATED but no longer exists: remove it from the list"
    assert untranslated_text(path.read_text(encoding="utf-8")), (
        f"{name} is fully marked for translation now: remove it from NOT_YET_TRANSLATED"
    )


def test_the_scan_finds_text_outside_translation_tags():
    source = (
        '{% load i18n %}<h1>{% translate "Your account" %}</h1><p title="Help me">Left alone</p>'
        "{# a comment #}{% comment %}Not shown{% endcomment %}<script>var x = 'words';</script>"
        "{% blocktranslate with n=count %}{{ n }} families{% endblocktranslate %}<a>Home-Start</a>"
    )
    assert untranslated_text(source) == ["Help me", "Left alone"]


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

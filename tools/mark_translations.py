"""Mark the words of templates for translation (issue 17.8, docs/welsh.md).

    .venv/bin/python tools/mark_translations.py templates/families/detail.html ...

Rewrites each template in place: every run of human text between HTML tags becomes
``{% translate "…" %}``; a run with variables in it becomes
``{% blocktranslate with name=expression %}… {{ name }} …{% endblocktranslate %}``; the
``aria-label``, ``alt``, ``title`` and ``placeholder`` attributes are translated too, and
``{% load i18n %}`` is added. Text inside ``{% blocktranslate %}``, ``{% comment %}``,
``<script>``, ``<style>`` and HTML comments is left alone, and so is everything inside a
tag. The English output is the same, but for runs of spaces and new lines inside a sentence,
which HTML shows as one space anyway.

Read the result: a sentence broken by ``{% if %}`` becomes two strings, and a plural made
with ``|pluralize`` stays as it was (better written with ``{% blocktranslate count %}``).
Then ``make messages``, translate the new strings in ``locale/cy/LC_MESSAGES/django.po``,
and ``make messages`` again. tests/site/test_translatable_templates.py checks the result.
"""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path

WORD = re.compile(r"[A-Za-z]{2,}")
PROPER_NAMES = ("Home-Start records", "Home-Start", "English", "Cymraeg")
LEFT_ALONE = {"blocktranslate": "endblocktranslate", "blocktrans": "endblocktrans", "comment": "endcomment"}
HEARD = re.compile(r'\b(aria-label|alt|title|placeholder)="([^"{}]*[A-Za-z]{2,}[^"{}]*)"')
TOO_GENERIC = {"count", "all", "first", "last", "items"}


def has_words(text: str) -> bool:
    for name in PROPER_NAMES:
        text = text.replace(name, " ")
    return bool(WORD.search(re.sub(r"&[#\w]+;", " ", text)))


def _name_for(expression: str, used: dict[str, str]) -> str:
    """A short name for a variable inside {% blocktranslate %}: the last part of its path."""
    name = re.sub(r"\W", "_", expression.split("|")[0].strip().split(".")[-1])
    if name.startswith("get_") and name.endswith("_display"):
        name = name[4:-8]
    if not name or not name[0].isalpha() or name in TOO_GENERIC:
        name = "value"
    candidate, n = name, 2
    while candidate in used and used[candidate] != expression:
        candidate, n = f"{name}{n}", n + 1
    used[candidate] = expression
    return candidate


def _translated(run: list[tuple[str, str, str]]) -> str:
    """One run of text and variables: (kind, text or expression, source as written)."""
    source = "".join(written for _kind, _value, written in run)
    if not has_words("".join(value for kind, value, _ in run if kind == "text")):
        return source
    lead = source[: len(source) - len(source.lstrip())]
    trail = source[len(source.rstrip()) :]
    used: dict[str, str] = {}
    body = "".join(value if kind == "text" else "\0" + _name_for(value, used) + "\1" for kind, value, _ in run)
    body = " ".join(body.split())
    if not used and '"' not in body:
        return f'{lead}{{% translate "{body}" %}}{trail}'
    body = body.replace("\0", "{{ ").replace("\1", " }}")
    names = " ".join(f"{name}={expression}" for name, expression in used.items())
    opening = f"{{% blocktranslate with {names} %}}" if names else "{% blocktranslate %}"
    return f"{lead}{opening}{body}{{% endblocktranslate %}}{trail}"


def _attributes(tag: str) -> str:
    def translate(match: re.Match[str]) -> str:
        if "'" in match.group(2):
            return match.group(0)
        return f"{match.group(1)}=\"{{% translate '{match.group(2)}' %}}\""

    return HEARD.sub(translate, tag)


def mark(source: str) -> str:
    """The template with its words marked for translation."""
    from django.template.base import DebugLexer, TokenType

    out: list[str] = []
    run: list[tuple[str, str, str]] = []
    in_tag = False
    closing: str | None = None  # the end of a block left alone
    raw_until: str | None = None  # the end of a script, style or HTML comment

    def flush() -> None:
        if run:
            out.append(_translated(run))
            run.clear()

    for token in DebugLexer(source).tokenize():
        start, end = token.position
        written = source[start:end]
        if closing:
            out.append(written)
            if token.token_type == TokenType.BLOCK and token.contents.split()[0] == closing:
                closing = None
            continue
        if token.token_type in (TokenType.BLOCK, TokenType.COMMENT):
            flush()
            if token.token_type == TokenType.BLOCK and token.contents.split()[0] in LEFT_ALONE:
                closing = LEFT_ALONE[token.contents.split()[0]]
            out.append(written)
            continue
        if token.token_type == TokenType.VAR:
            if in_tag or raw_until:
                out.append(written)
            else:
                run.append(("var", token.contents, written))
            continue
        text, i = written, 0
        while i < len(text):
            if raw_until:
                found = re.search(raw_until, text[i:], re.I)
                stop = len(text) if found is None else i + found.end()
                out.append(text[i:stop])
                raw_until = None if found else raw_until
                i = stop
            elif in_tag:
                close = text.find(">", i)
                stop = len(text) if close < 0 else close + 1
                out.append(_attributes(text[i:stop]))
                in_tag = close < 0
                i = stop
            else:
                opening = text.find("<", i)
                if opening < 0:
                    run.append(("text", text[i:], text[i:]))
                    break
                if opening > i:
                    run.append(("text", text[i:opening], text[i:opening]))
                flush()
                if text.startswith("<!--", opening):
                    out.append("<!--")
                    raw_until, i = "-->", opening + 4
                    continue
                element = re.match(r"<(script|style)\b", text[opening:], re.I)
                if element:
                    raw_until = rf"</{element.group(1)}>"
                in_tag, i = not element, opening
    flush()
    return "".join(out)


def with_i18n_loaded(source: str) -> str:
    if re.search(r"{%\s*load\s+[^%]*\bi18n\b", source):
        return source
    extends = re.match(r"\s*{%\s*extends\s+[^%]+%}", source)
    at = extends.end() if extends else 0
    return source[:at] + "{% load i18n %}" + source[at:]


def main(paths: list[str]) -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "homestart.settings_test")
    import django

    django.setup()
    for name in paths:
        path = Path(name)
        before = path.read_text(encoding="utf-8")
        after = mark(before)
        if after != before:
            path.write_text(with_i18n_loaded(after), encoding="utf-8")
            print(f"marked {name}")


if __name__ == "__main__":
    main(sys.argv[1:])

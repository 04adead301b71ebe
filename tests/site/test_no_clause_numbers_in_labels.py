"""Clause numbers belong in the code and the "Why?" disclosures, not in what a person reads as a
label or a heading: a label says what to enter, a heading what the page or part is, and the
policy's words are one click away ({% why %}, homestart/templatetags/policy.py)."""

from __future__ import annotations

import importlib
import pkgutil
import re
from pathlib import Path

import pytest
from django import forms
from django.apps import apps
from django.template import Context, Template

from homestart import rules

ROOT = Path(__file__).resolve().parents[2]
PROJECT_APPS = {"homestart", "access_log", "families", "consent", "safeguarding", "records", "reporting"}
PROJECT_APPS |= {"portability", "reminders", "home", "demo"}
# What a person reads as a label or a heading.
LABELLING = re.compile(r"<(h[1-6]|label|legend|caption|summary|th|dt)\b[^>]*>(.*?)</\1>", re.S)


def _templates() -> list[Path]:
    return sorted((ROOT / "templates").rglob("*.html"))


def test_no_heading_or_label_in_a_template_shows_a_clause_number():
    found = [
        f"{path.relative_to(ROOT)}: <{tag}> {' '.join(text.split())[:80]}"
        for path in _templates()
        for tag, text in LABELLING.findall(path.read_text())
        if "§" in text
    ]
    assert not found, "\n".join(found)


def _project_forms() -> list[type[forms.BaseForm]]:
    for app in PROJECT_APPS:
        package = importlib.import_module(app)
        for info in pkgutil.walk_packages(package.__path__, f"{app}."):
            if info.name.split(".")[-1] == "forms" or ".forms." in info.name:
                importlib.import_module(info.name)
    seen: list[type[forms.BaseForm]] = []
    stack: list[type] = [forms.BaseForm]
    while stack:
        cls = stack.pop()
        for sub in cls.__subclasses__():
            stack.append(sub)
            if sub.__module__.split(".")[0] in PROJECT_APPS:
                seen.append(sub)
    return seen


def _choice_labels(choices) -> list[str]:
    labels = []
    for value, label in choices or ():
        if isinstance(label, list | tuple):
            labels += _choice_labels(label)
        else:
            labels.append(str(label))
    return labels


def test_no_form_field_label_or_choice_shows_a_clause_number():
    found = []
    for form in _project_forms():
        for name, field in form.base_fields.items():
            texts = [str(field.label or "")]
            if isinstance(getattr(field, "choices", None), list | tuple):
                texts += _choice_labels(field.choices)
            found += [f"{form.__module__}.{form.__name__}.{name}: {t}" for t in texts if "§" in t]
    assert _project_forms(), "no forms found"
    assert not found, "\n".join(found)


def test_no_model_field_name_or_choice_shows_a_clause_number():
    found = []
    for model in apps.get_models():
        if model._meta.app_label not in PROJECT_APPS:
            continue
        for field in model._meta.get_fields():
            texts = [str(getattr(field, "verbose_name", ""))] + _choice_labels(getattr(field, "choices", None))
            found += [f"{model._meta.label}.{field.name}: {t}" for t in texts if "§" in t]
    assert not found, "\n".join(found)


@pytest.mark.parametrize("choices", [rules.Role, rules.Section, rules.Purpose, rules.Action, rules.Refusal])
def test_no_rule_reads_with_a_clause_number(choices):
    assert not [label for label in choices.labels if "§" in label]


def test_why_quotes_the_clause_in_words():
    html = Template('{% load policy %}{% why "7.5" %}').render(Context())
    assert "<details" in html and "Why?" in html
    assert "Case studies provided to funders" in html
    assert "§" not in html


def test_why_refuses_a_clause_the_policy_does_not_have():
    from django.template import TemplateSyntaxError

    with pytest.raises(TemplateSyntaxError):
        Template('{% load policy %}{% why "99.9" %}').render(Context())

"""GOV.UK Design System patterns in every form (issue 17.1): dates as day, month and year;
messages that name the field and say what to do, linked from the error summary; radios
for a handful of options and never "---------"; "(optional)" once; no question with one
answer; the referral's answers checked before the family file is opened (§7.1)."""

from __future__ import annotations

import datetime
import importlib
import re

import pytest
from django import forms
from django.urls import reverse

from families.forms import MemberForm, NewFamilyForm, VisitForm
from families.models import Family
from homestart import dates
from homestart.models import Scheme
from tests.families.test_referral import referral_form
from tests.helpers import error_summary, field_error
from tests.simulation.pages import form_fields

pytestmark = pytest.mark.policy("8.1")

FORM_MODULES = [
    "homestart.forms",
    "access_log.forms",
    "families.forms",
    "consent.forms",
    "safeguarding.forms",
    "records.breaches.forms",
    "records.subject_access.forms",
    "records.people.forms",
    "reporting.forms",
    "portability.forms",
]


def every_form() -> list[type[forms.BaseForm]]:
    modules = {importlib.import_module(name).__name__ for name in FORM_MODULES}
    found, todo = set(), [forms.BaseForm]
    while todo:
        for sub in todo.pop().__subclasses__():
            todo.append(sub)
            if sub.__module__ in modules:
                found.add(sub)
    return sorted(found, key=lambda f: (f.__module__, f.__qualname__))


def test_every_date_field_in_every_form_is_a_day_month_year_input():
    forms_found = every_form()
    assert len(forms_found) > 40, "the walk finds the project's forms"
    dated = []
    for form in forms_found:
        for name, field in form.base_fields.items():
            widget = field.widget
            assert not isinstance(field, forms.DateField | forms.DateTimeField), f"{form.__qualname__}.{name}"
            assert getattr(widget, "input_type", "") not in ("date", "datetime-local"), f"{form.__qualname__}.{name}"
            if isinstance(field, dates.DateField):
                assert isinstance(widget, dates.DateInput), f"{form.__qualname__}.{name}"
                dated.append(f"{form.__qualname__}.{name}")
    assert "NewFamilyForm.referred_on" in dated and "InductionForm.inducted_on" in dated
    assert any(d.endswith("dbs_checked_on") for d in dated), "an encrypted date, through the model form"
    assert any(d.endswith("left_on") for d in dated), "a model date, through the model form"


def _date(data: dict, required: bool = True) -> tuple[object, list[str]]:
    class F(forms.Form):
        born = dates.DateField(label="Date of birth", required=required)

    form = F(data)
    return (form.cleaned_data.get("born") if form.is_valid() else None), [str(e) for e in form["born"].errors]


@pytest.mark.parametrize(
    ("data", "value", "message"),
    [
        ({"born_day": "27", "born_month": "3", "born_year": "2024"}, datetime.date(2024, 3, 27), None),
        ({"born": "2024-03-27"}, datetime.date(2024, 3, 27), None),  # one ISO value: imports, scripts, tests
        ({"born": "27/03/2024"}, datetime.date(2024, 3, 27), None),
        # Sent whole over pre-filled boxes (a script on a page): the whole value is what was meant.
        (
            {"born": "2024-03-27", "born_day": "5", "born_month": "12", "born_year": "2026"},
            datetime.date(2024, 3, 27),
            None,
        ),
        ({}, None, "Enter the date of birth"),
        ({"born_day": "31", "born_month": "2", "born_year": "2026"}, None, "31/02/2026 is not a real date"),
        ({"born_day": "3", "born_month": "4", "born_year": ""}, None, "The date of birth must include a year"),
        (
            {"born_day": "", "born_month": "", "born_year": "2020"},
            None,
            "The date of birth must include a day and month",
        ),
        ({"born_day": "3", "born_month": "4", "born_year": "24"}, None, "The year of the date of birth must include 4"),
        ({"born_day": "x", "born_month": "4", "born_year": "2024"}, None, "must be a real date, in numbers"),
        ({"born_day": "9" * 30, "born_month": "4", "born_year": "2024"}, None, "is not a real date"),
    ],
)
def test_a_date_is_typed_as_day_month_and_year_with_govuk_messages(data, value, message):
    cleaned, errors = _date(data)
    assert cleaned == value
    if message:
        assert len(errors) == 1 and message in errors[0]
    else:
        assert errors == []


def test_a_date_is_drawn_as_three_labelled_boxes_in_a_fieldset():
    html = str(
        NewFamilyForm(initial={"referred_on": datetime.date(2024, 3, 27)}, schemes=Scheme.objects.none())[
            "referred_on"
        ].as_field_group()
    )
    assert '<legend class="govuk-fieldset__legend">Date of referral</legend>' in html
    for part, value in (("day", "27"), ("month", "3"), ("year", "2024")):
        assert re.search(rf'name="referred_on_{part}" value="{value}"', html), part
    assert [label for label in re.findall(r'govuk-date-input__label"[^>]*>(\w+)<', html)] == ["Day", "Month", "Year"]
    assert 'type="date"' not in html


@pytest.mark.policy("7.1")
def test_the_empty_referral_form_names_each_missing_field_in_its_own_words(wirral, coordinator, client_for):
    client = client_for(coordinator)
    empty = form_fields(client.get(reverse("families:new")).content.decode())  # as the browser sends it
    html = client.post(reverse("families:new"), empty).content.decode()
    expected = {
        "id_source": "Select who referred the family",
        "id_referred_on": "Enter the date of referral",
        "id_reasons": "Enter the reasons for referral",
        "id_first_name": "Enter the parent or carer's first name",
        "id_last_name": "Enter the parent or carer's last name",
    }
    for field_id, message in expected.items():
        assert field_error(html, field_id) == message, field_id
    assert "This field is required" not in html
    summary = error_summary(html)
    consent = "The scheme accepts a referral only when the family has consented to it (§7.1)."
    assert sorted(summary) == sorted(
        [*expected.values(), f"{consent} Ask the referrer to get the family's consent first."]
    )
    # Each message in the summary links to its field: the first radio, the day box, the input.
    links = dict((text, href) for href, text in re.findall(r'<li><a href="#([^"]+)">([^<]+)</a></li>', html))
    assert links["Select who referred the family"] == "id_source_0"
    assert links["Enter the date of referral"] == "id_referred_on_0"
    assert links["Enter the reasons for referral"] == "id_reasons"
    for target in links.values():
        assert f'id="{target}"' in html, target
    assert not Family.objects.exists()


def test_a_field_without_its_own_message_is_named_from_its_label():
    form = MemberForm({})
    form.is_valid()
    assert form["first_name"].errors == ["Enter the first name"]
    assert form["kind"].errors == ["Select parent, carer or child"]


def test_a_short_select_becomes_radios_and_a_long_one_never_shows_dashes():
    class F(forms.Form):
        colour = forms.ChoiceField(label="Colour", choices=[("", "---------"), ("r", "Red"), ("g", "Green")])
        month = forms.ChoiceField(
            label="Month", required=False, choices=[("", "---------")] + [(str(m), str(m)) for m in range(1, 13)]
        )
        person = forms.ModelChoiceField(label="Scheme", queryset=Scheme.objects.none())

    html = str(F())
    assert "---------" not in html
    assert 'type="radio" name="colour" value="r"' in html and 'name="colour" value=""' not in html
    assert '<select name="month"' in html and '<option value="" selected>Select the month</option>' in html
    assert "Select the scheme" in html


def test_optional_is_said_once():
    class F(forms.Form):
        notes = forms.CharField(label="Notes (optional)", required=False)
        phone = forms.CharField(label="Phone", required=False)

    html = str(F())
    assert "Notes (optional)</label>" in html and "(optional) (optional)" not in html
    assert "Phone (optional)</label>" in html


def test_a_question_with_one_answer_is_not_asked(coordinator):
    form = VisitForm(visitors=coordinator.__class__.objects.none(), volunteer=True)
    assert form["kind"].is_hidden and form["kind"].initial == "support"
    assert 'type="radio"' not in str(form["kind"])


# --- check your answers before the file is opened (§7.1) -----------------------------


@pytest.mark.policy("7.1")
def test_the_referral_is_checked_before_the_file_is_opened_and_sent_twice_opens_one(wirral, coordinator, client_for):
    client = client_for(coordinator)
    answers = {k: v for k, v in referral_form(wirral).items() if k != "confirm"}
    check = client.post(reverse("families:new"), answers)
    html = check.content.decode()
    assert check.status_code == 200 and "Check the referral before the family file is opened" in html
    assert "Penketh" in html and "Health visitor" in html
    assert not Family.objects.exists(), "nothing is saved before the answers are confirmed"
    # Change the answers: the form again, filled in, nothing saved.
    changed = client.post(reverse("families:new"), {**answers, "change": "1"}).content.decode()
    assert 'name="last_name" value="Penketh"' in changed and not Family.objects.exists()
    # Open family file, sent twice with the same one-time token: one file.
    fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', html))
    assert fields["referred_on"] == answers["referred_on"]
    first = client.post(reverse("families:new"), {**fields, "confirm": "yes"})
    again = client.post(reverse("families:new"), {**fields, "confirm": "yes"})
    assert first.status_code == again.status_code == 302 and first["Location"] == again["Location"]
    assert Family.objects.count() == 1
    assert 'data-prevent-double-click="true"' in html


def test_the_django_admins_forms_keep_the_admins_look():
    from django.contrib.admin.helpers import ActionForm

    form = ActionForm()
    form.fields["action"].choices = [("", "---------"), ("delete_selected", "Delete")]
    assert '<select name="action"' in str(form["action"])

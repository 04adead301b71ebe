"""The GOV.UK date input: a date is entered as day, month and year, in three boxes.

Every date in every form is a ``DateField`` from here (``families.forms.date_field``
makes them; ``EncryptedDateField`` and the model forms use it too): the browser's own
date picker showed mm/dd/yyyy in an American browser, and a calendar is slow for a
date of birth. The messages follow the GOV.UK Design System's wording and name the
date: "Enter the date of referral", "The date of birth must include a year",
"31/02/2026 is not a real date".

The widget posts ``<name>_day``, ``<name>_month`` and ``<name>_year``. It also takes
one value under the field's own name, ISO (``referred_on=2024-03-27``) or as people
write it (``27/03/2024``): imports, the API and the tests send dates that way, and a
date typed in three boxes and one sent whole mean the same, so both are read. A
browser never sends the whole value (no box has that name), so when a script sends it
over a page's pre-filled boxes, it is what the script meant, and it wins.

The bottom layer: imports nothing but Django (``homestart.fields`` uses it while the
models load).
"""

from __future__ import annotations

import datetime
import re
from typing import TYPE_CHECKING, Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.functional import lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .language import and_join, field_named, in_english

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

PARTS = ("day", "month", "year")
# Each box's label, and the part as a message names it ("must include a year").
PART_LABELS = {"day": _("Day"), "month": _("Month"), "year": _("Year")}
PART_WORDS = {"day": _("day"), "month": _("month"), "year": _("year")}
WRITTEN = re.compile(r"(\d{1,2})[/ .](\d{1,2})[/ .](\d{4})", re.ASCII)  # 27/03/2024, as people write it


class DateInput(forms.MultiWidget):
    """Three text boxes, labelled Day, Month and Year, in a fieldset (the field's label is its legend)."""

    template_name = "forms/widgets/govuk_date.html"

    def __init__(self, attrs: dict | None = None) -> None:
        common = {"inputmode": "numeric", "autocomplete": "off", "spellcheck": "false"}
        widgets: dict[str, forms.Widget | type[forms.Widget]] = {
            "day": forms.TextInput(attrs={**common, "class": "govuk-date-input__input govuk-input--width-2"}),
            "month": forms.TextInput(attrs={**common, "class": "govuk-date-input__input govuk-input--width-2"}),
            "year": forms.TextInput(attrs={**common, "class": "govuk-date-input__input govuk-input--width-4"}),
        }
        super().__init__(widgets, attrs)

    def decompress(self, value: Any) -> list[str | None]:
        if isinstance(value, str):
            try:
                value = datetime.date.fromisoformat(value.strip())
            except ValueError:
                return [None, None, None]
        if isinstance(value, datetime.date):
            return [str(value.day), str(value.month), str(value.year)]
        return [None, None, None]

    def get_context(self, name: str, value: Any, attrs: dict | None) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        for part, subwidget in zip(PARTS, context["widget"]["subwidgets"], strict=True):
            subwidget["part"] = part
            subwidget["label"] = PART_LABELS[part]
        return context

    def id_for_label(self, id_: str) -> str:
        # The error summary links to the day box (GOV.UK: the first box of the date).
        return f"{id_}_0" if id_ else ""

    def value_from_datadict(self, data: Any, files: Any, name: str) -> Any:
        whole = data.get(name)
        if whole:
            return whole  # sent whole on purpose: the page has no box of that name
        return super().value_from_datadict(data, files, name)

    def value_omitted_from_data(self, data: Any, files: Any, name: str) -> bool:
        return name not in data and super().value_omitted_from_data(data, files, name)


def _first_lower(text: str) -> str:
    """ "Date of referral" → "date of referral"; "DBS check date" keeps its capitals."""
    if len(text) > 1 and text[1].isupper():
        return text
    return text[:1].lower() + text[1:]


def _and(words: list[str]) -> str:
    if len(words) == 1:
        return words[0]
    return and_join(", ".join(words[:-1]), words[-1])


class DateField(forms.Field):
    """A date typed as day, month and year; GOV.UK's messages, each naming the date.

    ``described_as`` is how the messages name the date ("the first day") when the
    label alone reads badly ("From"); by default "the" and the label."""

    widget = DateInput

    def __init__(self, *, described_as: str = "", **kwargs: Any) -> None:
        kwargs.pop("input_formats", None)  # from a model field's formfield(): not used here
        super().__init__(**kwargs)
        # Kept as given (a lazy translation, often): the messages are worded when shown, in
        # the language of the page, not when the form class is defined.
        self._described_as = described_as
        messages = {
            "required": _lazy_message(_("Enter %(date)s"), self),
            "invalid": _lazy_message(_("Enter %(date)s as a real date, for example 27 3 2024"), self),
        }
        self.error_messages = {**messages, **(kwargs.get("error_messages") or {})}

    @property
    def described_as(self) -> str:
        """ "the date of referral"; in Welsh the label in quotation marks, unless the form
        gave its own words."""
        if self._described_as:
            return str(self._described_as)
        label = str(self.label or gettext("date"))
        return f"the {_first_lower(label)}" if in_english() else field_named(label)

    def _subject(self) -> str:
        return self.described_as[:1].upper() + self.described_as[1:]

    def to_python(self, value: Any) -> datetime.date | None:
        if value in self.empty_values:
            return None
        if isinstance(value, datetime.datetime):
            return value.date()
        if isinstance(value, datetime.date):
            return value
        if isinstance(value, str):
            written = WRITTEN.fullmatch(value.strip())
            if written is None:
                try:
                    return datetime.date.fromisoformat(value.strip())
                except ValueError:
                    raise ValidationError(self.error_messages["invalid"], code="invalid") from None
            value = written.groups()
        day, month, year = (str(part if part is not None else "").strip() for part in value)
        if not (day or month or year):
            return None
        missing = [part for part, text in zip(PARTS, (day, month, year), strict=True) if not text]
        if missing:
            parts = _and([str(PART_WORDS[part]) for part in missing])
            raise ValidationError(
                gettext("%(date)s must include a %(parts)s") % {"date": self._subject(), "parts": parts},
                code="incomplete",
            )
        if not all(text.isascii() and text.isdecimal() for text in (day, month, year)):
            raise ValidationError(
                gettext("%(date)s must be a real date, in numbers, for example 27 3 2024") % {"date": self._subject()},
                code="invalid",
            )
        if len(year) != 4:
            raise ValidationError(
                gettext("The year of %(date)s must include 4 numbers") % {"date": self.described_as}, code="invalid"
            )
        try:
            return datetime.date(int(year), int(month), int(day))
        except (ValueError, OverflowError):
            as_typed = f"{int(day):02d}/{int(month):02d}/{year}"
            raise ValidationError(
                gettext("%(typed)s is not a real date. Enter %(date)s as day, month and year, for example 27 3 2024")
                % {"typed": as_typed, "date": self.described_as},
                code="invalid",
            ) from None

    def bound_data(self, data: Any, initial: Any) -> Any:
        return data

    def has_changed(self, initial: Any, data: Any) -> bool:
        try:
            return self.to_python(initial) != self.to_python(data)
        except ValidationError:
            return True


def _message(template: StrOrPromise, field: DateField) -> str:
    return str(template) % {"date": field.described_as}


# A message worded when it is shown: the field's label and the page's language are known then.
_lazy_message = lazy(_message, str)

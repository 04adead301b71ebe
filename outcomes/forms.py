"""The scoring form: the family's own scores, needs, signposting and words."""

from __future__ import annotations

from django import forms
from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from consent.forms import date_field

from .models import HIGHEST, LOWEST, NEED_AREA, Area, Need, Occasion, Service, score_message

SCORE_WORDS = {LOWEST: gettext_lazy("not coping at all"), HIGHEST: gettext_lazy("coping very well")}
SCORE_CHOICES = [
    (n, format_lazy("{} – {}", n, SCORE_WORDS[n]) if n in SCORE_WORDS else str(n)) for n in range(LOWEST, HIGHEST + 1)
]
NEED_CHOICES = [(area.label, [(n.value, n.label) for n in Need if NEED_AREA[n] == area]) for area in Area]


class AssessmentForm(forms.Form):
    occasion = forms.ChoiceField(label=gettext_lazy("When did the family score?"), widget=forms.RadioSelect)
    assessed_on = date_field(
        gettext_lazy("Date the family scored"), described_as=gettext_lazy("the date the family scored")
    )

    def __init__(self, *args, occasions: list[str], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        occasion = self.fields["occasion"]
        assert isinstance(occasion, forms.ChoiceField)  # noqa: S101 - declared above
        occasion.choices = [(o, Occasion(o).label) for o in occasions]
        for area in Area:
            self.fields[area.value] = forms.TypedChoiceField(
                label=_("%(area)s: how well is the family coping?") % {"area": area.label},
                choices=SCORE_CHOICES,
                coerce=int,
                widget=forms.RadioSelect(attrs={"class": "govuk-radios--inline"}),
                error_messages={"required": score_message(area)},
            )
        self.fields["needs"] = forms.MultipleChoiceField(
            label=_("The needs the family wants help with"),
            choices=NEED_CHOICES,
            required=False,
            widget=forms.CheckboxSelectMultiple,
            help_text=_("The family chooses. At the end of support, leave these empty if none remain."),
        )
        self.fields["signposting"] = forms.MultipleChoiceField(
            label=_("Services the family was signposted to"),
            choices=Service.choices,
            required=False,
            widget=forms.CheckboxSelectMultiple,
        )
        self.fields["signposting_other"] = forms.CharField(
            label=_("Another service"), required=False, max_length=200, help_text=_("Its name, if not in the list.")
        )
        self.fields["own_words"] = forms.CharField(
            label=_("In the family's own words"),
            required=False,
            max_length=5000,
            widget=forms.Textarea(attrs={"rows": 4}),
            help_text=_("How the family says things are. Seen by the scheme's staff, not by the volunteer (§8.5)."),
        )

    def scores(self) -> dict[str, int | None]:
        return {area.value: self.cleaned_data.get(area.value) for area in Area}

"""The family's journey as a small server-rendered SVG chart: no script, and the table beside
it is the text alternative (drawn the way reporting draws its statistics, reporting/charts.py).

One group of bars per headline area, one bar per scoring in the order the family scored,
each labelled with its score, so that a change from start to end reads left to right."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.formats import date_format
from django.utils.translation import gettext as _

from .models import HIGHEST, Area, Assessment, Occasion

WIDTH, HEIGHT = 640, 230
LEFT, RIGHT, TOP, BOTTOM = 28, 10, 16, 44
# Fills by occasion (GOV.UK palette): the start light, the reviews mid, the end dark.
FILL = {Occasion.START: "#b1b4b6", Occasion.REVIEW: "#5694ca", Occasion.END: "#003078"}
# At most this many scorings are drawn (the first and the latest); the table lists them all.
MOST = 6


@dataclass
class JourneyBar:
    x: float
    y: float
    width: float
    height: float
    fill: str
    value: int
    label_x: float


@dataclass
class JourneyGroup:
    label: str
    label_x: float
    bars: list[JourneyBar]


def drawn(assessments: list[Assessment]) -> list[Assessment]:
    """The scorings drawn: all of them, or the first and the latest ones when there are many."""
    if len(assessments) <= MOST:
        return list(assessments)
    return [assessments[0], *assessments[-(MOST - 1) :]]


def journey_chart(assessments: list[Assessment]) -> dict | None:
    if not assessments:
        return None
    shown = drawn(assessments)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    slot = plot_w / len(Area)
    bar_w = slot * 0.8 / len(shown)
    groups = []
    for i, area in enumerate(Area):
        start = LEFT + i * slot + slot * 0.1
        bars = []
        for j, assessment in enumerate(shown):
            value = assessment.score(area)
            h = plot_h * value / HIGHEST
            x = start + j * bar_w
            bars.append(
                JourneyBar(
                    x=round(x + 1, 1),
                    y=round(TOP + plot_h - h, 1),
                    width=round(bar_w - 2, 1),
                    height=round(h, 1),
                    fill=FILL[Occasion(assessment.occasion)],
                    value=value,
                    label_x=round(x + bar_w / 2, 1),
                )
            )
        groups.append(JourneyGroup(label=str(area.label), label_x=round(LEFT + i * slot + slot / 2, 1), bars=bars))
    return {
        "width": WIDTH,
        "height": HEIGHT,
        "groups": groups,
        "ticks": [{"value": v, "y": round(TOP + plot_h - plot_h * v / HIGHEST, 1)} for v in range(0, HIGHEST + 1)],
        "left": LEFT,
        "right": WIDTH - RIGHT,
        "label_y": TOP + plot_h + 18,
        "drawn": shown,
        "legend": [(str(o.label), FILL[o]) for o in Occasion if any(a.occasion == o for a in shown)],
        "description": "; ".join(
            _("%(occasion)s on %(date)s: %(scores)s")
            % {
                "occasion": a.get_occasion_display(),
                "date": date_format(a.assessed_on, "j F Y"),
                "scores": ", ".join(f"{label} {score}" for label, score in a.scores),
            }
            for a in shown
        ),
    }

"""The family's journey on the family file (templates/families/detail.html), drawn here so
that the family pages, below this app, need not know it (docs/architecture.md)."""

from __future__ import annotations

from django import template

from access_log.gate import FileAccess
from homestart.rules import Section

from .. import selectors, services
from ..charts import journey_chart

register = template.Library()


@register.inclusion_tag("outcomes/snippets/journey.html")
def outcome_journey(access: FileAccess) -> dict:
    """The chart and its table for a role with the full view of the file the page opened."""
    if not access.full:
        return {"shown": False}
    assessments = selectors.journey(family=access.target)
    last = assessments[-1] if assessments else None
    may_record = access.may_change_section(Section.OUTCOMES)
    return {
        "shown": True,
        "reference": access.reference,
        "assessments": assessments,
        "chart": journey_chart(assessments),
        "occasions": services.occasions_open(access=access, last=last) if may_record else [],
    }

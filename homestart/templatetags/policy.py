"""``{% why "7.5" %}``: where a rule applies, a "Why?" disclosure with the words of the policy's
clause, instead of its number in a label or a heading. The words are read from the policy text
(``homestart/policy/confidentiality-policy.txt``, via ``policy_map.clauses``), never retyped."""

from __future__ import annotations

from django import template
from django.utils.translation import gettext

from homestart.policy_map import clauses

register = template.Library()


@register.inclusion_tag("snippets/why.html")
def why(*numbers, summary: str | None = None) -> dict:
    """Clause numbers, or a tuple of them (``{% why approval.why_clauses %}``)."""
    numbers = tuple(n for arg in numbers for n in ((arg,) if isinstance(arg, str) else arg))
    by_number = {clause.number: clause for clause in clauses()}
    unknown = [n for n in numbers if n not in by_number]
    if unknown:
        raise template.TemplateSyntaxError(f"No clause {', '.join(unknown)} in the Confidentiality Policy")
    return {"clauses": [by_number[n] for n in numbers], "summary": summary or gettext("Why?")}

"""``{% due_for_you %}``: the landing page's list of what is due for the person signed in, from
the same selectors as the daily e-mail (references and links only, §8.6)."""

from __future__ import annotations

from django import template

from reminders.selectors import due_for

register = template.Library()


@register.inclusion_tag("reminders/snippets/due_for_you.html", takes_context=True)
def due_for_you(context: template.Context) -> dict:
    request = context.get("request")
    user = getattr(request, "user", None)
    items = due_for(user=user) if user is not None and user.is_authenticated else []
    return {"due_items": items}

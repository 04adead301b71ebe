"""``{% form_once %}``: the hidden one-time token of a create form (``homestart.once``).
Place it next to ``{% csrf_token %}``; a new token each time the page is drawn."""

from django import template
from django.utils.html import format_html

from homestart.once import FIELD, new_token

register = template.Library()


@register.simple_tag
def form_once() -> str:
    return format_html('<input type="hidden" name="{}" value="{}">', FIELD, new_token())

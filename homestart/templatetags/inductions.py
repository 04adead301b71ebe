"""``{% inductions_of person scheme %}``: a person's inductions on the Confidentiality Policy in a
scheme, for their volunteer or personnel file (§3.1, §4.1, §5.1). The page that includes it has
already opened the file through the access gate."""

from django import template

from homestart.models import Induction

register = template.Library()


@register.inclusion_tag("homestart/snippets/inductions_of.html")
def inductions_of(person, scheme) -> dict:
    inductions = Induction.objects.filter(person=person, scheme=scheme).select_related("inducted_by", "policy_version")
    return {"inductions": inductions}

"""What the family is given, in the family's words and language (§1.1, §1.5, issue 17.8).

The information sheet and the family's copy of its consents are printed and handed to the
family, so they speak to the family ("you", "your health visitor") without clause numbers,
and in the language the family reads: English or Welsh, chosen when the page is printed
(``?language=cy``). The staff pages around them keep the reader's own language.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.http import HttpRequest
from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from homestart.language import supported

from .models import Consent, RecipientKind, Scope

# What may be shared, as the family is told it.
SCOPE_WORDS: dict[str, Promise] = {
    Scope.GENERAL: _("General information about the kind and level of support we give you"),
    Scope.SPECIFIC: _("More detailed information about your family"),
    Scope.SELF_REFERRAL: _("That you asked us for support, and general information about that support"),
    Scope.MULTI_AGENCY: _("More information, for local arrangements between agencies that work together"),
    Scope.TRANSFER: _("Information for another Home-Start, if you move"),
}

# With whom, as the family is told it.
RECIPIENT_WORDS: dict[str, Promise] = {
    RecipientKind.REFERRER: _("The person who referred you to us"),
    RecipientKind.AGENCY: _("An agency already involved with your family"),
    RecipientKind.HEALTH_VISITOR: _("Your health visitor"),
    RecipientKind.NEW_SCHEME: _("Another Home-Start"),
    RecipientKind.CHILDRENS_SERVICES: _("Children's services (your local council)"),
    RecipientKind.POLICE: _("The police"),
    RecipientKind.COURT: _("A court"),
}


def document_language(request: HttpRequest) -> str:
    """The language of the printed document: the one asked for, else the reader's own."""
    return supported(request.GET.get("language")) or translation.get_language() or "en-gb"


@dataclass(frozen=True)
class ConsentLine:
    """One consent, as the family's copy shows it."""

    consent: Consent
    what: Promise
    with_whom: Promise


def consent_lines(consents: list[Consent]) -> list[ConsentLine]:
    return [
        ConsentLine(consent=c, what=SCOPE_WORDS[c.scope], with_whom=RECIPIENT_WORDS[c.recipient_kind]) for c in consents
    ]

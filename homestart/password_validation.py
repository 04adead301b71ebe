"""Passwords may not contain words anyone would guess for this service (OWASP ASVS
6.1.2, 6.2.11): the charity's name and the name of every scheme on the installation.
The list is documented here and in docs/security.md; it grows with the schemes."""

from __future__ import annotations

import re
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext, gettext_noop, ngettext_lazy
from django.utils.translation import gettext_lazy as _

# Written without spaces or punctuation: the password is compared the same way, so
# "Home-Start", "home start" and "HOMESTART" are all caught.
SERVICE_WORDS = ("homestart", "confidential", "familyrecords")
MIN_SCHEME_WORD = 4  # scheme codes such as "WIR" are too short to refuse on their own


def _squeeze(text: str) -> str:
    return re.sub(r"[^0-9a-z]", "", text.casefold())


class ContextWordsValidator:
    def words(self) -> list[str]:
        from .models import Scheme

        words = set(SERVICE_WORDS)
        for name, code in Scheme.objects.values_list("name", "code"):
            for word in (_squeeze(re.sub(r"(?i)^home[\s-]*start\s*", "", name)), _squeeze(code)):
                if len(word) >= MIN_SCHEME_WORD:
                    words.add(word)
        return sorted(words)

    def validate(self, password: str, user: Any = None) -> None:
        squeezed = _squeeze(password)
        for word in self.words():
            if word in squeezed:
                raise ValidationError(
                    _("Your password contains “%(word)s”, which anyone could guess for this service. Choose another."),
                    code="password_context_word",
                    params={"word": word},
                )

    def get_help_text(self) -> str:
        return gettext(
            "Your password cannot contain the name Home-Start, the words “confidential” or “family records”, "
            "or the name of a scheme."
        )


# Django's own words for the password validators this service uses (settings
# AUTH_PASSWORD_VALIDATORS), which Django's Welsh catalogue does not hold. Marked here, word for
# word, so that this project's catalogue gives them in Welsh (issue 17.8); Django looks them up
# at the time it shows them.
DJANGO_WORDS = (
    gettext_noop("Your password can’t be too similar to your other personal information."),
    ngettext_lazy(
        "Your password must contain at least %(min_length)d character.",
        "Your password must contain at least %(min_length)d characters.",
        "min_length",
    ),
    gettext_noop("Your password can’t be a commonly used password."),
    gettext_noop("Your password can’t be entirely numeric."),
    gettext_noop("The password is too similar to the %(verbose_name)s."),
    ngettext_lazy(
        "This password is too short. It must contain at least %d character.",
        "This password is too short. It must contain at least %d characters.",
        "min_length",
    ),
    gettext_noop("This password is too common."),
    gettext_noop("This password is entirely numeric."),
)

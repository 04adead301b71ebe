"""The domain errors: one hierarchy, distinct names, each with one way of being shown.

A service raises one of these when a rule of the Confidentiality Policy says no; it
never returns ``None`` to mean "failed" (STYLE.md, "Writes are services").

* ``DomainError`` — the base: "a rule said no". Never a 500.
* ``AccessRefused`` — this person may not do this at all (their role, their
  membership, the file's state): a ``PermissionDenied``, so Django answers 403 and
  the views that act for the asker show the message. The gate raises it too; a file
  the person may not know exists is ``access_log.gate.FileHidden`` (404) instead.
* ``NotAllowed`` — the request is refused as it stands, and the person can put it
  right on the form (choose someone else, give a reason, fix a date): a
  ``ValidationError``, which the views show next to the field it names
  (``homestart.forms.form_error``) with the data unchanged.

The bottom layer: imports no app (DESIGN.md, "Apps").
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError


class DomainError(Exception):
    """A rule of the policy refused what was asked."""


class AccessRefused(DomainError, PermissionDenied):
    """The person may not do this: 403, the message on the page."""


class NotAllowed(DomainError, ValidationError):
    """Refused as asked; the person can correct it: a message next to the field (or the form)."""

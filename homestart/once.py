"""Nothing twice: a create form carries a one-time token (``{% form_once %}``), and its
view (``@form_once``) carries out a token once.

A resubmission of the same form (a double click, a retry after a dropped connection,
the browser's "resend") creates nothing new: it is redirected to where the first
submission led, the object it made. The token's row is written in the same
transaction as the creation, before the view runs: a second submission with the same
token, sent at the same moment, waits on the unique index until the first commits and
is then redirected; if the first one failed (a mistake in the form), nothing was kept
and the second is carried out as if it came first. A token sent by another person is
not honoured (it never leads to another person's page), and nor is one older than a day.
"""

from __future__ import annotations

import datetime
import functools
import re
import secrets
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import FormSubmission

FIELD = "form_once"
LIFETIME = datetime.timedelta(days=1)
ALREADY_DONE = _("This form had already been sent, and what it made is shown here. Nothing was saved twice.")
_VALID = re.compile(r"[A-Za-z0-9_-]{32,64}")
_REDIRECTS = (301, 302, 303, 307, 308)


def new_token() -> str:
    return secrets.token_urlsafe(32)


def _earlier(request: HttpRequest, token: str) -> FormSubmission | None:
    """The committed submission this token already made, if it is this person's and recent."""
    row = FormSubmission.objects.filter(token=token).first()
    if row is None or row.user_id != request.user.pk or not row.url:
        return None
    if row.created_at < timezone.now() - LIFETIME:
        return None
    return row


def form_once(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Carry out a create form's POST once per token. Put it nearest the view (below
    ``recent_authentication``), so that only the view's own redirect is remembered."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        token = request.POST.get(FIELD, "") if request.method == "POST" else ""
        if not _VALID.fullmatch(token) or not request.user.is_authenticated:
            return view(request, *args, **kwargs)
        try:
            with transaction.atomic():
                try:
                    with transaction.atomic():
                        row = FormSubmission.objects.create(token=token, user=request.user)
                except IntegrityError:
                    # Sent before, or at the same moment (we waited for it to commit).
                    earlier = _earlier(request, token)
                    if earlier is not None:
                        messages.info(request, ALREADY_DONE)
                        return redirect(earlier.url)
                    # Not honoured (another person's, or too old): an ordinary submission.
                    return view(request, *args, **kwargs)
                response = view(request, *args, **kwargs)
                if response.status_code in _REDIRECTS and response.get("Location"):
                    row.url = response["Location"][:500]
                    row.save(update_fields=["url"])
                else:
                    # Nothing was made (the form is shown again with its mistakes): the token stays free.
                    row.delete()
                return response
        except (PermissionDenied, Http404):
            # Refused: the gate's record of the refusal went with the rolled-back transaction.
            # Ask again outside it, so that the refusal is recorded as always (§8.3).
            return view(request, *args, **kwargs)

    return wrapper


def prune(*, now: datetime.datetime | None = None) -> int:
    """Remove tokens older than a day (they are no longer honoured)."""
    deleted, _ = FormSubmission.objects.filter(created_at__lt=(now or timezone.now()) - LIFETIME).delete()
    return deleted

"""Sending the reminders: each person one e-mail listing what is due for them, each reminder once.

Run daily by ``manage.py send_reminders`` (README, "Reminders"). Each item sent is written to
``ReminderSent`` in the same transaction as the e-mail is handed to Django's e-mail backend, so a
second run — the same day, or later while the item is at the same stage — sends nothing new. The
e-mail carries references and links only, never a family's name, address or notes (§8.6).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import ngettext

from homestart.language import ENGLISH, supported
from homestart.models import User

from .models import ReminderSent
from .selectors import Due, everything_due, recipients


@dataclass(frozen=True)
class Reminder:
    """One person's e-mail: the items not sent to them before."""

    person: User
    items: list[Due]


def link(path: str) -> str:
    """A full link where the installation's address is configured (``SITE_URL``), else the path."""
    return f"{settings.SITE_URL}{path}"


def reminders_due(*, on: datetime.date) -> list[Reminder]:
    """Who gets which reminders on ``on``: what is due, less what each person was already sent."""
    by_person = recipients(everything_due(on=on))
    if not by_person:
        return []
    keys = {item.key for items in by_person.values() for item in items}
    sent = set(ReminderSent.objects.filter(person__in=list(by_person), key__in=keys).values_list("person_id", "key"))
    reminders = []
    for person, items in sorted(by_person.items(), key=lambda pair: pair[0].pk):
        new = [item for item in items if (person.pk, item.key) not in sent]
        if new:
            reminders.append(Reminder(person, new))
    return reminders


def message(reminder: Reminder) -> tuple[str, str]:
    """(subject, body) of one person's reminder e-mail: references and links only (§8.6). In the
    person's own language (issue 17.8: the one they chose, else English), whoever runs the command."""
    count = len(reminder.items)
    with translation.override(supported(reminder.person.language) or ENGLISH):
        subject = ngettext(
            "Home-Start records: %(count)s thing due for you",
            "Home-Start records: %(count)s things due for you",
            count,
        ) % {"count": count}
        body = render_to_string(
            "reminders/email.txt",
            {
                "person": reminder.person,
                "items": [(item.text, link(item.path)) for item in reminder.items],
                "home": link("/"),
            },
        )
    return subject, body


def reminder_send(*, reminder: Reminder, on: datetime.date) -> None:
    """E-mail one person and record each item as sent, together: if the e-mail cannot be handed
    to the backend, nothing is recorded and the next run tries again."""
    subject, body = message(reminder)
    with transaction.atomic():
        ReminderSent.objects.bulk_create(
            [ReminderSent(person=reminder.person, kind=item.kind, key=item.key, sent_on=on) for item in reminder.items]
        )
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [reminder.person.email])


def reminders_send(*, on: datetime.date, dry_run: bool = False) -> list[Reminder]:
    """Send every reminder due on ``on`` that was not sent before; with ``dry_run``, only list them."""
    reminders = reminders_due(on=on)
    if not dry_run:
        for reminder in reminders:
            reminder_send(reminder=reminder, on=on)
    return reminders

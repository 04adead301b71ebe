"""On the seeded demo, send_reminders sends the reminders that are due, once, with no personal data
of a family in them; a second run sends nothing (§8.6). Seeding the demo is slow: one test."""

from __future__ import annotations

import re
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command

from families.models import Family, Member
from reminders.models import ReminderKind, ReminderSent


@pytest.mark.policy("8.6")
@pytest.mark.django_db
def test_the_seeded_demo_sends_its_reminders_once_without_a_familys_personal_data():
    call_command("seed_demo", allow_production=True, stdout=StringIO())
    call_command("send_reminders", stdout=StringIO())
    assert len(mail.outbox) >= 3
    kinds = set(ReminderSent.objects.values_list("kind", flat=True))
    assert {ReminderKind.CONSENT_REVIEW, ReminderKind.BREACH, ReminderKind.RETENTION} <= kinds
    # Wes Oxton's DBS check and first-aid course are due within the month (issue 15.4): to the
    # coordinator by reference, and to Wes himself.
    assert {ReminderKind.DBS_RENEWAL, ReminderKind.TRAINING_RENEWAL} <= kinds
    assert ReminderSent.objects.filter(kind=ReminderKind.DBS_RENEWAL, person__username="volunteer2").exists()
    assert ReminderSent.objects.filter(kind=ReminderKind.DBS_RENEWAL, person__username="coordinator").exists()
    texts = [f"{m.subject}\n{m.body}" for m in mail.outbox]
    # Every name, address and postcode the demo holds for a family, read through the ORM.
    secrets = set()
    for family in Family.objects.exclude(data_key__destroyed_at__isnull=False):
        secrets |= {*family.address.splitlines(), family.postcode}
    for member in Member.objects.exclude(family__data_key__destroyed_at__isnull=False):
        secrets |= {member.first_name, member.last_name}
    secrets = {value.strip() for value in secrets if len(value.strip()) > 2}
    for text in texts:
        leaked = [value for value in secrets if re.search(rf"\b{re.escape(value)}\b", text)]
        assert leaked == []
    sent = ReminderSent.objects.count()
    out = StringIO()
    call_command("send_reminders", stdout=out)
    assert "Sent 0 reminder(s) to 0 person(s)" in out.getvalue()
    assert ReminderSent.objects.count() == sent and len(mail.outbox) == len(texts)

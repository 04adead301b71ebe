"""The words written in Python speak Welsh too (issue 17.8, docs/welsh.md): a form's labels,
help and messages follow the language of the page, and an e-mail is written in the language of
the person it goes to, whoever (or whatever cron job) sends it."""

from __future__ import annotations

import datetime
from io import StringIO

from django.core import mail
from django.core.management import call_command
from django.utils import timezone, translation

from homestart.language import WELSH
from homestart.models import User
from records.models import SubjectAccessRequest, VolunteerFile
from records.subject_access.forms import SarForm
from safeguarding.forms import ConcernForm


def test_the_safeguarding_concern_form_speaks_welsh_to_a_welsh_reader():
    with translation.override(WELSH):
        form = ConcernForm(data={"observed_on": "1/1/2026"}, children=[("1", "Amy")])
        assert not form.is_valid()
        assert form["observed"].label == "Beth welsoch chi neu glywsoch chi?"
        assert str(form["observed"].help_text).startswith("Ysgrifennwch yn union beth welsoch chi")
        assert form["category"].label == "Pa fath o bryder?"
        assert ("neglect", "Esgeulustod") in [(value, str(label)) for value, label in form.fields["category"].choices]
        assert form.errors["observed"] == ["Rhowch beth welsoch chi neu glywsoch chi"]
        assert form.errors["category"] == ["Dewiswch pa fath o bryder yw e"]
        assert form.errors["about"] == ["Dewiswch y plentyn y mae'r pryder yn ymwneud ag ef, neu'r holl blant"]
    # The same form, read in English: as it always was.
    form = ConcernForm(data={}, children=[("1", "Amy")])
    assert not form.is_valid()
    assert form["observed"].label == "What did you see or hear?"
    assert form.errors["observed"] == ["Enter what you saw or heard"]


def test_the_subject_access_form_speaks_welsh_to_a_welsh_reader():
    data = {"subject_kind": SubjectAccessRequest.SubjectKind.FAMILY_MEMBER, "requester_name": "A parent"}
    with translation.override(WELSH):
        form = SarForm(data=data, people=User.objects.none())
        assert not form.is_valid()
        assert form["requester_name"].label == "Enw'r person sy'n gofyn"
        assert form["family_reference"].label == "Cyfeirnod y teulu"
        assert str(form["family_reference"].help_text) == "Ar gyfer aelod o'r teulu, er enghraifft WIR-0042."
        assert form.errors["family_reference"] == ["Rhowch gyfeirnod y teulu."]
    form = SarForm(data=data, people=User.objects.none())
    assert not form.is_valid()
    assert form.errors["family_reference"] == ["Enter the family's reference."]


def test_a_reminder_is_written_in_the_language_of_the_person_it_goes_to(volunteer_file, volunteer, coordinator):
    """The volunteer chose Welsh, the coordinator did not: each gets the same reminder of the
    volunteer's DBS renewal in their own language, from one run of the daily command."""
    User.objects.filter(pk=volunteer.pk).update(language=WELSH)
    due = timezone.localdate() + datetime.timedelta(days=10)
    VolunteerFile.objects.filter(pk=volunteer_file.pk).update(dbs_renewal_due=due)
    call_command("send_reminders", stdout=StringIO())
    (own,) = [m for m in mail.outbox if volunteer.email in m.to]
    (staff,) = [m for m in mail.outbox if coordinator.email in m.to]
    assert own.subject == "Home-Start records: 1 peth i chi ei wneud"
    assert "Mae eich gwiriad DBS yn ddyledus i'w adnewyddu erbyn" in own.body
    assert "siaradwch â'ch cydlynydd" in own.body
    assert "Your DBS check" not in own.body
    # The coordinator reads English, as before; the run left no language behind it.
    assert staff.subject == "Home-Start records: 1 thing due for you"
    assert f"{volunteer_file.reference}: DBS check is due for renewal by" in staff.body
    assert translation.get_language() != WELSH

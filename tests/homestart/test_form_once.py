"""Nothing twice: a create form sent again (a double click, a retry after a dropped
connection, the browser's resend) creates nothing new and lands on what the first
submission made (§8.2: records kept accurately)."""

from __future__ import annotations

import datetime
import re
import threading
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from access_log.models import AccessEvent
from families.models import Family, Visit
from homestart import once
from homestart.models import FormSubmission
from homestart.rules import Outcome
from records.models import Breach
from reporting.models import BoardMeeting
from safeguarding.models import Concern
from tests.families.test_referral import referral_form
from tests.helpers import keep_migrated_data_after_flush

keep_migrated_data_after_flush()

TODAY = timezone.localdate


def token_in(html: str) -> str:
    match = re.search(r'name="form_once" value="([^"]+)"', html)
    assert match, "the form carries a one-time token"
    return match.group(1)


def _family_url(family: Family) -> str:
    return reverse("families:detail", kwargs={"reference": family.reference})


@pytest.mark.policy("8.2")
def test_the_new_family_form_sent_twice_opens_one_file_and_the_second_lands_on_it(wirral, coordinator, client_for):
    client = client_for(coordinator)
    token = token_in(client.get(reverse("families:new")).content.decode())
    first = client.post(reverse("families:new"), referral_form(wirral, form_once=token))
    family = Family.objects.get()
    assert first.status_code == 302 and first["Location"] == _family_url(family)
    again = client.post(reverse("families:new"), referral_form(wirral, form_once=token))
    assert again.status_code == 302 and again["Location"] == _family_url(family)
    assert Family.objects.count() == 1
    page = client.get(again["Location"]).content.decode()
    assert "Nothing was saved twice" in page


def test_each_drawing_of_the_form_has_a_new_token(coordinator, client_for):
    client = client_for(coordinator)
    assert token_in(client.get(reverse("families:new")).content.decode()) != token_in(
        client.get(reverse("families:new")).content.decode()
    )


@pytest.mark.policy("7.1")
def test_a_refused_first_submission_keeps_the_token_free(wirral, coordinator, client_for):
    client = client_for(coordinator)
    token = token_in(client.get(reverse("families:new")).content.decode())
    refused = client.post(reverse("families:new"), referral_form(wirral, form_once=token, family_consented=None))
    assert refused.status_code == 200 and not Family.objects.exists()
    corrected = client.post(reverse("families:new"), referral_form(wirral, form_once=token))
    assert corrected.status_code == 302 and Family.objects.count() == 1


@pytest.mark.policy("8.6")
def test_another_persons_token_is_not_honoured(wirral, coordinator, manager, client_for):
    token = token_in(client_for(coordinator).get(reverse("families:new")).content.decode())
    client_for(coordinator).post(reverse("families:new"), referral_form(wirral, form_once=token))
    theirs = Family.objects.get()
    response = client_for(manager).post(reverse("families:new"), referral_form(wirral, form_once=token))
    assert response.status_code == 302 and response["Location"] != _family_url(theirs)
    assert Family.objects.count() == 2, "the manager's own referral is carried out, not sent to another's"


def test_a_token_older_than_a_day_is_not_honoured_and_is_pruned(wirral, coordinator, client_for):
    client = client_for(coordinator)
    token = token_in(client.get(reverse("families:new")).content.decode())
    client.post(reverse("families:new"), referral_form(wirral, form_once=token))
    FormSubmission.objects.update(created_at=timezone.now() - datetime.timedelta(days=1, minutes=1))
    again = client.post(reverse("families:new"), referral_form(wirral, form_once=token))
    assert again.status_code == 302 and Family.objects.count() == 2
    out = StringIO()
    call_command("prune_form_submissions", stdout=out)
    assert "Removed 1" in out.getvalue() and not FormSubmission.objects.exists()


def test_a_form_without_a_token_still_works(wirral, coordinator, client_for):
    """Scripts and older pages send no token: carried out as before."""
    client = client_for(coordinator)
    assert client.post(reverse("families:new"), referral_form(wirral)).status_code == 302
    assert client.post(reverse("families:new"), referral_form(wirral, form_once="short")).status_code == 302
    assert Family.objects.count() == 2 and not FormSubmission.objects.exists()


def send_twice(client: Client, url: str, data: dict) -> tuple:
    token = token_in(client.get(url).content.decode())
    first = client.post(url, {**data, "form_once": token})
    second = client.post(url, {**data, "form_once": token})
    assert first.status_code == 302, first.content.decode()[:2000]
    assert second.status_code == 302 and second["Location"] == first["Location"]
    return first, second


@pytest.mark.policy("8.2")
def test_other_create_forms_sent_twice_create_once(family, coordinator, manager, safeguarding_lead, client_for):
    ref = {"reference": family.reference}
    visits = Visit.objects.count()
    send_twice(
        client_for(coordinator),
        reverse("families:visit_new", kwargs=ref),
        {"kind": "support", "visited_on": TODAY().isoformat(), "visited_by": coordinator.pk, "notes": "Went well"},
    )
    assert Visit.objects.count() == visits + 1
    send_twice(
        client_for(safeguarding_lead),
        reverse("safeguarding:concern_new", kwargs=ref),
        {"about": "all", "category": "neglect", "observed": "Left alone", "observed_on": TODAY().isoformat()},
    )
    assert Concern.objects.count() == 1
    send_twice(
        client_for(coordinator),
        reverse("records:breach_new"),
        {
            "found_on": TODAY().isoformat(),
            "found_time": "00:01",
            "description": "Notes left in a café",
            "data_affected": "One visit record",
        },
    )
    assert Breach.objects.count() == 1
    send_twice(
        client_for(manager),
        reverse("reporting:minutes_new"),
        {"held_on": TODAY().isoformat(), "minutes": "Quarterly meeting."},
    )
    assert BoardMeeting.objects.count() == 1


@pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrent transactions need PostgreSQL")
@pytest.mark.policy("8.2")
def test_two_submissions_at_the_same_moment_open_one_file(database_owner, transactional_db, wirral, coordinator):
    # Real commits from two threads; the tables are emptied afterwards, which is the owner's
    # right, not the application role's (docs/security.md), so the owner runs this test.
    client = Client()
    client.force_login(coordinator)
    token = token_in(client.get(reverse("families:new")).content.decode())
    data = referral_form(wirral, form_once=token)
    responses = []
    start = threading.Barrier(2)

    def send() -> None:
        try:
            start.wait()
            responses.append(client.post(reverse("families:new"), data))
        finally:
            connection.close()

    threads = [threading.Thread(target=send) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    family = Family.objects.get()
    assert [r.status_code for r in responses] == [302, 302]
    assert {r["Location"] for r in responses} == {_family_url(family)}
    assert FormSubmission.objects.get().url == _family_url(family)


def test_the_token_field_name_is_the_one_the_tag_writes():
    assert once.FIELD == "form_once"


@pytest.mark.policy("8.3")
def test_a_refused_submission_is_still_recorded_by_the_gate(family, sef_coordinator, client_for):
    """The token's transaction is rolled back with a refusal; the refusal itself is kept."""
    url = reverse("families:visit_new", kwargs={"reference": family.reference})
    before = AccessEvent.objects.filter(outcome=Outcome.REFUSED).count()
    response = client_for(sef_coordinator).post(
        url,
        {"kind": "support", "visited_on": TODAY().isoformat(), "visited_by": sef_coordinator.pk, "form_once": "x" * 40},
    )
    assert response.status_code == 404
    refused = AccessEvent.objects.filter(outcome=Outcome.REFUSED)
    assert refused.count() == before + 1 and refused.filter(user=sef_coordinator).exists()
    assert not Visit.objects.filter(visited_by=sef_coordinator).exists() and not FormSubmission.objects.exists()

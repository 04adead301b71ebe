"""Who opened this file, in words (§9.1): one line per person and day ("Cora Prenton, coordinator,
opened the file 4 times on 3 December"), refusals apart and marked, no codes of the log's own,
and a filter by person and by date."""

from __future__ import annotations

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from access_log.models import AccessEvent
from homestart.language import ENGLISH, WELSH
from homestart.rules import Action, FileKind, Outcome, Purpose, Refusal, Role, Section
from tests.helpers import main_content

pytestmark = pytest.mark.policy("9.1")

# The codes the log stores, which a person should never read.
CODES = [*Section.values, *Purpose.values, *Refusal.values, *Action.values, *Outcome.values]


def _log(family) -> str:
    return reverse("access_log:file_log", kwargs={"kind": FileKind.FAMILY, "reference": family.reference})


def _event(family, user, role, at, *, action=Action.VIEW, section=Section.FILE, refused=False, reason=""):
    # The gate alone writes access events in the product; a test writes the history it reads.
    return AccessEvent.objects.create(
        at=at,
        user=user,
        role=role,
        file_kind=FileKind.FAMILY,
        file_id=family.pk,
        file_reference=family.reference,
        scheme=family.scheme,
        section=section,
        action=action,
        purpose=Purpose.CASEWORK,
        outcome=Outcome.REFUSED if refused else Outcome.ALLOWED,
        reason=reason,
    )


@pytest.fixture
def history(family, coordinator, volunteer):
    coordinator.first_name, coordinator.last_name = "Cora", "Prenton"
    coordinator.save()
    volunteer.first_name, volunteer.last_name = "Vicky", "Tranmere"
    volunteer.save()
    tz = timezone.get_current_timezone()
    day = datetime.datetime(2026, 12, 3, 9, 0, tzinfo=tz)
    # The file was made before its events: the log reads the months since then (issue 18.4).
    type(family).objects.filter(pk=family.pk).update(created_at=day - datetime.timedelta(days=30))
    for minutes in (0, 30, 60, 90):
        _event(family, coordinator, Role.COORDINATOR, day + datetime.timedelta(minutes=minutes))
    _event(
        family,
        coordinator,
        Role.COORDINATOR,
        day + datetime.timedelta(hours=3),
        action=Action.CHANGE,
        section=Section.CONTACT,
    )
    _event(
        family,
        volunteer,
        Role.VOLUNTEER,
        day + datetime.timedelta(hours=5),
        section=Section.SAFEGUARDING,
        refused=True,
        reason=Refusal.SECTION_NOT_READABLE,
    )
    _event(family, volunteer, Role.VOLUNTEER, day - datetime.timedelta(days=1))
    return family


def _lines(html: str) -> list[str]:
    return [re.sub(r"\s+", " ", line).strip() for line in re.findall(r"<strong>([^<]*)</strong>", html)]


def test_the_log_reads_as_sentences_by_person_and_day(history, coordinator, client_for):
    html = main_content(client_for(coordinator).get(_log(history)).content.decode())
    lines = _lines(html)
    assert "Cora Prenton, coordinator, opened the file 4 times and changed the file once on 3 December" in lines
    assert "Vicky Tranmere, volunteer, was refused once on 3 December" in lines
    assert "Vicky Tranmere, volunteer, opened the file once on 2 December" in lines
    # Newest day first; on a day, the refusal first.
    assert lines.index("Vicky Tranmere, volunteer, was refused once on 3 December") < lines.index(
        "Cora Prenton, coordinator, opened the file 4 times and changed the file once on 3 December"
    )
    assert "this part of the file is not for this role" in html
    assert "contact details" in html and "supporting the family" in html


def test_refusals_are_marked(history, coordinator, client_for):
    html = main_content(client_for(coordinator).get(_log(history)).content.decode())
    refused = re.findall(r'<li class="app-log__visit app-log__visit--refused">(.*?)</li>', html, re.S)
    assert len(refused) == 1 and "Vicky Tranmere" in refused[0] and "Refused" in refused[0]


def test_no_codes_of_the_log_are_shown(history, coordinator, client_for):
    html = main_content(client_for(coordinator).get(_log(history)).content.decode())
    text = re.sub(r"<[^>]+>", " ", html)
    for code in CODES:
        if "_" in code:  # single words ("view", "file") are ordinary English too
            assert code not in text, code
    assert "§" not in text
    assert f">{coordinator.username}<" not in html


def test_filtered_by_person(history, coordinator, volunteer, client_for):
    html = client_for(coordinator).get(_log(history), {"person": volunteer.pk}).content.decode()
    lines = _lines(main_content(html))
    assert not any(line.startswith("Cora Prenton") for line in lines)
    assert sum(line.startswith("Vicky Tranmere") for line in lines) == 2


def test_filtered_by_date(history, coordinator, client_for):
    client = client_for(coordinator)
    lines = _lines(main_content(client.get(_log(history), {"since": "2026-12-03"}).content.decode()))
    assert not any("2 December" in line for line in lines) and any("3 December" in line for line in lines)
    lines = _lines(main_content(client.get(_log(history), {"until": "2026-12-02"}).content.decode()))
    assert any("2 December" in line for line in lines) and not any("3 December" in line for line in lines)


def test_a_backwards_date_range_is_explained_next_to_the_field(history, coordinator, client_for):
    response = client_for(coordinator).get(_log(history), {"since": "2026-12-03", "until": "2026-12-01"})
    assert response.status_code == 200
    assert "The end date must be the same as or after the start date" in response.content.decode()


def test_a_long_history_is_shown_fifty_visits_a_page_newest_first(family, coordinator, client_for):
    """Years of visits (issue 18.4): the page reads them a few months at a time, newest first,
    and still shows every visit once, fifty a page, with "Older" while there are more."""
    coordinator.first_name, coordinator.last_name = "Cora", "Prenton"
    coordinator.save()
    now = timezone.localtime()
    noon = now.replace(hour=12, minute=0, second=0, microsecond=0)
    type(family).objects.filter(pk=family.pk).update(created_at=noon - datetime.timedelta(days=400))
    days = [noon - datetime.timedelta(days=3 * i + 1) for i in range(60)]  # one visit every three days
    for at in days:
        _event(family, coordinator, Role.COORDINATOR, at)
    client = client_for(coordinator)
    first = client.get(_log(family)).content.decode()
    second = client.get(_log(family), {"page": 2}).content.decode()
    lines = _lines(main_content(first)) + _lines(main_content(second))
    today = f" on {now.day} {now:%B}"  # the file was made and opened today, by the fixture
    lines = [line for line in lines if not line.endswith(today)]
    expected = [
        f"Cora Prenton, coordinator, opened the file once on {at.day} {at:%B}" for at in sorted(days, reverse=True)
    ]
    assert len(_lines(main_content(first))) == 50
    assert lines == expected
    assert ">Older<" in first and ">Older<" not in second and ">Newer<" in second


def test_the_log_reads_in_welsh_and_then_in_english_again(history, coordinator, client_for):
    """The sentences' words are looked up once per language (file_log.phrases): a Welsh page
    between two English ones is all Welsh, and the English after it all English."""
    client = client_for(coordinator)
    # (Reading the log is itself recorded: today's lines grow with each page, the history's do not.)
    first = _lines(main_content(client.get(_log(history)).content.decode()))
    english = [line for line in first if " 2 December" in line or " 3 December" in line]
    coordinator.language = WELSH
    coordinator.save()
    page = main_content(client.get(_log(history)).content.decode())
    welsh = _lines(page)
    # As {% blocktranslate %} wrote them: the catalogue's words as they are, the visit's escaped.
    assert "Rhannau o'r ffeil: " in page and "Pam: cefnogi&#x27;r teulu" in page
    assert "Gwrthodwyd oherwydd: " in page
    assert "Vicky Tranmere, gwirfoddolwr,: gwrthodwyd unwaith ar 3 Rhagfyr" in welsh
    assert "Vicky Tranmere, gwirfoddolwr,: agor y ffeil unwaith ar 2 Rhagfyr" in welsh
    assert not any("December" in line or "once" in line for line in welsh)
    coordinator.language = ENGLISH
    coordinator.save()
    again = _lines(main_content(client.get(_log(history)).content.decode()))
    assert [line for line in again if " 2 December" in line or " 3 December" in line] == english
    assert "Vicky Tranmere, volunteer, was refused once on 3 December" in english

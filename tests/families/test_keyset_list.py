"""The coordinator's list found by key, not by position (issue 18, §8.2, §8.3).

Next and previous walk the scheme's families in order, newest first, and reach every
family once; a family withheld from the scheme's staff is never on a page; the count is
"about N" where the page cannot know it; a later page costs what the first does.
"""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from families.listing import Key, Page, _round
from families.models import Family, FamilyGroupObjectPermission
from homestart.rules import Role
from tests.factories import MembershipFactory, dbs_checked, make_family

LINK = re.compile(r'href="\?show=(\w+)&amp;(after|before)=([\w-]+)&amp;at=(\d+)" rel="(next|prev)"')
REFERENCE = re.compile(r'class="govuk-link app-reference" href="/families/([\w-]+)/"')


def page(client, query: str = "") -> tuple[list[str], dict[str, str], str]:
    response = client.get(reverse("families:dashboard") + query)
    assert response.status_code == 200
    html = response.content.decode()
    links = {rel: f"?show={show}&{side}={key}&at={at}" for show, side, key, at, rel in LINK.findall(html)}
    caption = re.search(r"Families ([^<]+)</caption>", html)
    return REFERENCE.findall(html), links, caption.group(1) if caption else ""


def walk(client, first: str, rel: str) -> list[list[str]]:
    pages, query = [], first
    while query is not None:
        rows, links, _ = page(client, query)
        pages.append(rows)
        query = links.get(rel)
        assert len(pages) < 10, "the links go round in a circle"
    return pages


@pytest.mark.policy("8.2")
def test_next_and_previous_reach_every_family_once_newest_first(wirral, coordinator, client_for):
    for _ in range(55):
        make_family(wirral, coordinator)
    client = client_for(coordinator)
    expected = [f"WIR-{n:04d}" for n in range(55, 0, -1)]

    forward = walk(client, "?show=all", "next")
    assert [len(p) for p in forward] == [25, 25, 5]
    assert sum(forward, []) == expected

    # From the last page back to the first, by the previous links: the same pages.
    _, links, caption = page(client, "?show=all&after=WIR-0006&at=51")
    assert caption == "51–55 of 55"  # the last page knows the whole list
    backward = walk(client, "?show=all&after=WIR-0006&at=51", "prev")
    assert list(reversed(backward)) == forward
    rows, links, caption = page(client, links["prev"])
    assert rows == expected[25:50] and caption.startswith("26–50 of about ")


@pytest.mark.policy("8.3")
def test_a_family_withheld_from_the_schemes_staff_is_on_no_page(wirral, coordinator, client_for):
    families = [make_family(wirral, coordinator) for _ in range(30)]
    withheld = {families[4].reference, families[17].reference, families[29].reference}
    FamilyGroupObjectPermission.objects.filter(content_object__reference__in=withheld).delete()
    client = client_for(coordinator)

    seen = sum(walk(client, "?show=all", "next"), [])

    assert set(seen) == {f.reference for f in families} - withheld
    assert len(seen) == len(set(seen)) == 27


@pytest.mark.policy("8.3")
def test_staff_of_two_schemes_see_both_in_the_order_of_their_codes(wirral, sefton, manager, coordinator, client_for):
    MembershipFactory(user=manager, scheme=sefton, role=Role.MANAGER)
    sef_staff = MembershipFactory(scheme=sefton, role=Role.COORDINATOR).user
    for _ in range(20):
        make_family(wirral, coordinator)
    for _ in range(15):
        make_family(sefton, sef_staff)
    client = client_for(manager)

    pages = walk(client, "?show=all", "next")

    sefton_first = [f"SEF-{n:04d}" for n in range(15, 0, -1)] + [f"WIR-{n:04d}" for n in range(20, 0, -1)]
    assert sum(pages, []) == sefton_first and [len(p) for p in pages] == [25, 10]
    # Each scheme's coordinator sees only their own.
    assert sum(walk(client_for(coordinator), "?show=all", "next"), []) == sefton_first[15:]


@pytest.mark.policy("8.2")
def test_a_later_page_costs_the_same_statements_as_the_first(wirral, coordinator, client_for):
    for _ in range(60):
        make_family(wirral, coordinator)
    client = client_for(coordinator)
    counts = []
    for query in ("?show=all", "?show=all&after=WIR-0036&at=26", "?show=all&before=WIR-0010&at=26"):
        client.get(reverse("families:dashboard") + query)
        with CaptureQueriesContext(connection) as captured:
            client.get(reverse("families:dashboard") + query)
        counts.append(len(captured))
    assert counts[0] == counts[1] == counts[2], counts
    assert not any(" OFFSET " in q["sql"] for q in captured), "a page is found by key, never by OFFSET"


@pytest.mark.policy("8.2")
def test_a_key_from_nowhere_shows_the_first_page(wirral, sefton, coordinator, manager, client_for):
    for _ in range(3):
        make_family(wirral, coordinator)
    rows, _, caption = page(client_for(coordinator), "?show=all&after=nonsense&at=999")
    assert rows == ["WIR-0003", "WIR-0002", "WIR-0001"] and caption == "1–3 of 3"
    MembershipFactory(user=manager, scheme=sefton, role=Role.MANAGER)
    rows, _, _ = page(client_for(manager), "?show=all&after=ZZZ-0002")
    assert rows == ["WIR-0003", "WIR-0002", "WIR-0001"]


def test_the_count_reads_about_n_rounded_unless_the_page_knows_it():
    assert Page(rows=[1] * 25, start=1, total=10_036, exact=False).label == "1–25 of about 10,000"
    assert Page(rows=[1] * 25, start=26, total=1_234, exact=False).label == "26–50 of about 1,200"
    assert Page(rows=[1] * 3, start=1, total=3, exact=True).label == "1–3 of 3"
    assert _round(99) == 99 and _round(150_499) == 150_000


def test_a_key_is_a_reference():
    assert Key.parse("wir-0123") == Key("WIR", 123)
    assert Key.parse("A-B-7") == Key("A-B", 7)
    for bad in ("", None, "WIR", "WIR-", "-12", "WIR-12a", "WIR-" + "9" * 12):
        assert Key.parse(bad) is None


@pytest.mark.policy("8.2")
def test_the_list_is_found_by_key_in_the_database(wirral, coordinator):
    """The page's query names the key: the (scheme, number) index finds the page's rows."""
    from families import selectors

    for _ in range(3):
        make_family(wirral, coordinator)
    with CaptureQueriesContext(connection) as captured:
        result = selectors.family_page_for_staff(
            user=coordinator, roles={wirral.pk: Role.COORDINATOR}, after="WIR-0003", at=2
        )
    assert [f.reference for f in result.rows] == ["WIR-0002", "WIR-0001"]
    (query,) = [q["sql"] for q in captured if '"number" < 3' in q["sql"]]
    # The page's keys first (LIMIT 26 on the index), then what the page shows of those rows.
    assert "LIMIT 26" in query and " IN (SELECT " in query
    assert Family.objects.count() == 3


@pytest.mark.policy("8.5")
def test_a_volunteer_pages_through_their_own_families_only(wirral, coordinator, volunteer, other_volunteer, client_for):
    import datetime

    from django.utils import timezone

    from families import services

    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    for helper in (volunteer, other_volunteer):
        dbs_checked(wirral, helper, coordinator)  # only a volunteer with a current DBS check is assigned
    mine = []
    for n in range(1, 33):
        family = make_family(wirral, coordinator)
        helper = volunteer if n % 4 else other_volunteer  # every fourth family is someone else's
        services.volunteer_assign(family=family, actor=coordinator, volunteer=helper, starts_on=yesterday)
        if helper == volunteer:
            mine.append(family.reference)
    client = client_for(volunteer)
    url = reverse("families:my_families")

    first = client.get(url).content.decode()
    assert "Families 1–24" not in first and "Next" not in first  # 24 families: one page, no count to read
    for n in range(33, 36):
        services.volunteer_assign(
            family=make_family(wirral, coordinator), actor=coordinator, volunteer=volunteer, starts_on=yesterday
        )
        mine.append(f"WIR-{n:04d}")
    pages, query = [], ""
    while query is not None:
        html = client.get(url + query).content.decode()
        pages.append(REFERENCE.findall(html))
        found = re.search(r'href="(\?(?:after)=[\w-]+&amp;at=\d+)" rel="next"', html)
        query = found.group(1).replace("&amp;", "&") if found else None
    assert [len(p) for p in pages] == [25, 2]
    assert sum(pages, []) == mine  # oldest first, each once, never another volunteer's
    assert "Families 26–27 of 27" in html


@pytest.mark.policy("8.2")
def test_a_search_matching_many_families_shows_the_newest_fifty_and_says_so(wirral, coordinator, client_for):
    from families import views

    views_limit = views.SEARCH_SHOWN
    views.SEARCH_SHOWN = 4  # the same page, with a smaller limit to reach
    try:
        for _ in range(6):
            make_family(wirral, coordinator, last_name="Penketh")
        make_family(wirral, coordinator, last_name="Other")
        html = client_for(coordinator).post(reverse("families:search"), {"q": "Penketh"}).content.decode()
    finally:
        views.SEARCH_SHOWN = views_limit
    assert "More than 4 families found" in html
    assert re.findall(r">(WIR-\d+)</a>", html) == ["WIR-0006", "WIR-0005", "WIR-0004", "WIR-0003"]

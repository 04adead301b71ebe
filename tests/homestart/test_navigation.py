"""The menu follows roles: each person sees only links to pages their role may use (§2.1, §10.3),
grouped for staff, flat for people with a handful of links (volunteers, mostly on phones)."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from django.urls import reverse
from django.utils import timezone

from homestart import services as people_services
from homestart.context_processors import FLAT_LIMIT, TOP_LIMIT
from homestart.language import WELSH
from homestart.models import Membership
from homestart.rules import Role
from reporting import services as reporting_services
from tests.factories import UserFactory


class _Menu(HTMLParser):
    """The <nav aria-label="Menu"> as a list of ("link", label, href, current) and ("group", label, [links], active)."""

    def __init__(self, label: str = "Menu") -> None:
        super().__init__()
        self.label = label
        self.entries: list[tuple] = []
        self.in_nav = False
        self.group: list | None = None
        self.text: list[str] | None = None
        self.link: dict | None = None
        self.item_classes: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "nav" and attrs.get("aria-label") == self.label:
            self.in_nav = True
        if not self.in_nav:
            return
        if tag == "li":
            self.item_classes.append(attrs.get("class") or "")
        elif tag == "details":
            active = "--active" in self.item_classes[-1]
            self.group = ["group", None, [], active, attrs.get("open") is not None]
        elif tag == "summary":
            self.text = []
        elif tag == "a":
            self.link = {
                "href": attrs["href"],
                "current": attrs.get("aria-current"),
                "item_active": "--active" in self.item_classes[-1],
            }
            self.text = []

    def handle_data(self, data):
        if self.text is not None:
            self.text.append(data)

    def handle_endtag(self, tag):
        if not self.in_nav:
            return
        if tag == "nav":
            self.in_nav = False
        elif tag == "li":
            self.item_classes.pop()
        elif tag == "summary":
            self.group[1] = "".join(self.text).strip()
            self.text = None
        elif tag == "a":
            label = "".join(self.text).strip()
            entry = ("link", label, self.link["href"], self.link["current"])
            if self.group is not None:
                self.group[2].append(entry)
            else:
                assert self.link["item_active"] == (entry[3] == "page")
                self.entries.append(entry)
            self.text = self.link = None
        elif tag == "details":
            self.entries.append(tuple(self.group))
            self.group = None


def menu(client, url=None, label="Menu") -> list[tuple]:
    response = client.get(url or reverse("access_log:my_access"))
    assert response.status_code == 200
    parser = _Menu(label)
    parser.feed(response.content.decode())
    return parser.entries


def shape(entries) -> list:
    """Labels only: a link is its label, a group is (group label, [link labels])."""
    return [e[1] if e[0] == "link" else (e[1], [link[1] for link in e[2]]) for e in entries]


def links_in(entries) -> list[tuple]:
    return [link for e in entries for link in ([e] if e[0] == "link" else e[2])]


# Planned visits: the visitor's week for everyone who visits, the agenda for the scheme's staff (issue 15).
VOLUNTEER_MENU = ["Find a family", "My families", "This week", "Supervision", "What I have opened"]
# The pages used every day in the bar; the rest under "More", in the order of the areas.
COORDINATOR_MENU = [
    "Home",
    "Families",
    "Visits agenda",
    "Find a family",
    "Safeguarding",
    (
        "More",
        [
            *["Groups", "This week"],
            # Inductions on the policy: who inducts (coordinators, the manager) and who oversees it (trustees, §3.8).
            *["People's files", "Supervision", "Inductions"],
            *["Consent reviews", "Approvals"],
            *["Subject access", "Breaches", "Statistics", "Case studies", "Board minutes"],
            *["Audit sessions", "What I have opened"],
        ],
    ),
]
MANAGER_MENU = [
    *COORDINATOR_MENU[:5],
    (
        "More",
        [
            *["Groups", "This week"],
            # Approving access grants: the scheme's manager and trustees (§8.3).
            *["People's files", "Supervision", "Roles held", "Inductions", "Access requests"],
            *["Consent reviews", "Approvals"],
            # Bringing the scheme's records in and taking them out: the manager alone.
            *["Subject access", "Retention", "Breaches", "Import and export", "Statistics", "Case studies"],
            "Board minutes",
            # How each clause of the policy is kept: the manager, trustees, HSUK reviewers, administrators (§3.8).
            *["Audit sessions", "What I have opened", "How this system keeps the policy"],
        ],
    ),
]
TRUSTEE_MENU = [
    "Home",
    "Statistics",
    "Board minutes",
    "Police and court requests",
    "Access requests",
    (
        "More",
        [
            *["Roles held", "Inductions", "Safeguarding consultations", "Retention", "Case studies"],
            *["What I have opened", "How this system keeps the policy"],
        ],
    ),
]
SPOTCHECK_MENU = [
    *TRUSTEE_MENU[:4],
    "Reviews",
    (
        "More",
        [
            *["Roles held", "Inductions", "Access requests", "Safeguarding consultations", "Retention"],
            *["Case studies", "What I have opened", "How this system keeps the policy"],
        ],
    ),
]
EXPECTED = {
    "volunteer": VOLUNTEER_MENU,
    "coordinator": COORDINATOR_MENU,
    "manager": MANAGER_MENU,
    "trustee": TRUSTEE_MENU,
    "spotcheck": SPOTCHECK_MENU,
    "safeguarding_lead": [
        "Home",
        "Safeguarding",
        "Board minutes",
        "Approvals",
        ("More", ["Safeguarding consultations", "Breaches", "What I have opened"]),
    ],
    "reviewer": [
        "Home",
        "Safeguarding consultations",
        "Reviews",
        "What I have opened",
        "How this system keeps the policy",
    ],
    "auditor": ["Home", "Audit sessions", "What I have opened"],
    "admin_user": [
        "Home",
        "Access requests",
        "What I have opened",
        "How this system keeps the policy",
        "Administration",
    ],
    "outsider": ["What I have opened"],
}
# Pages for staff only: their links must never reach a volunteer's menu (§8.3).
STAFF_ONLY = [
    "families:dashboard",
    "families:group_list",
    "families:agenda",
    "records:file_list",
    "safeguarding:overview",
    "consent:reviews_due",
    "records:sar_list",
    "records:retention",
    "records:breach_list",
    "reporting:statistics",
    "reporting:case_study_list",
    "reporting:minutes_list",
    "access_log:audit_session_list",
]


@pytest.mark.policy("2.1", "10.3")
@pytest.mark.parametrize("who", EXPECTED)
def test_each_role_sees_its_own_menu(request, who, client_for):
    assert shape(menu(client_for(request.getfixturevalue(who)))) == EXPECTED[who]


@pytest.mark.policy("2.1", "8.3")
def test_volunteer_menu_is_flat_and_has_no_staff_pages(volunteer, client_for):
    """A volunteer (on a phone, usually) gets their few links side by side, none to a staff page."""
    entries = menu(client_for(volunteer))
    assert all(e[0] == "link" for e in entries) and len(entries) <= FLAT_LIMIT
    hrefs = {link[2] for link in links_in(entries)}
    assert not hrefs & {reverse(name) for name in STAFF_ONLY}
    assert "More" not in str(entries)


@pytest.mark.policy("2.1", "8.3")
@pytest.mark.parametrize("who", ["coordinator", "manager"])
def test_staff_reach_their_daily_pages_in_one_click_and_every_staff_page_under_more(request, who, client_for):
    entries = menu(client_for(request.getfixturevalue(who)))
    # At most six items in the bar, so that it stays on one line at 1280 px; the last is "More".
    assert len(entries) <= TOP_LIMIT
    assert [e[0] for e in entries] == ["link"] * (len(entries) - 1) + ["group"]
    assert {e[2] for e in entries[:-1]} == {
        reverse(name)
        for name in ("home", "families:dashboard", "families:agenda", "families:search", "safeguarding:overview")
    }
    hrefs = {link[2] for link in links_in(entries)}
    staff_pages = {reverse(name) for name in STAFF_ONLY if name != "records:retention" or who == "manager"}
    assert staff_pages <= hrefs
    assert reverse("families:my_families") not in hrefs  # they are not a volunteer
    # Closed until someone opens it: no page opens on top of its own content.
    assert not any(e[4] for e in entries if e[0] == "group")


@pytest.mark.policy("2.1")
@pytest.mark.parametrize("who", EXPECTED)
def test_no_more_than_six_items_in_the_bar(request, who, client_for):
    assert len(menu(client_for(request.getfixturevalue(who)))) <= TOP_LIMIT


@pytest.mark.policy("2.1", "10.3")
@pytest.mark.parametrize("who", EXPECTED)
def test_every_menu_link_opens_for_that_person(request, who, client_for, wirral, manager):
    """No link leads to a page the person's role cannot use."""
    # With a meeting, and without one (the next test): the Board's readers get the list either way.
    reporting_services.meeting_record(scheme=wirral, actor=manager, held_on=timezone.localdate(), minutes="Budget.")
    client = client_for(request.getfixturevalue(who))
    for _, label, href, _ in links_in(menu(client)):
        assert client.get(href).status_code == 200, (who, label)


@pytest.mark.policy("2.1")
def test_every_menu_link_opens_for_a_coordinator_of_a_scheme_without_minutes(sef_coordinator, client_for):
    """Sefton's coordinator followed "Board minutes" to a 404 while Sefton had no minutes."""
    client = client_for(sef_coordinator)
    for _, label, href, _ in links_in(menu(client)):
        assert client.get(href).status_code == 200, label


@pytest.mark.policy("2.1")
@pytest.mark.parametrize(
    "who,url_name,label,group",
    [
        ("coordinator", "families:search", "Find a family", None),
        ("coordinator", "home", "Home", None),
        ("manager", "records:retention", "Retention", "More"),
        ("trustee", "access_log:my_access", "What I have opened", "More"),
        ("volunteer", "families:my_families", "My families", None),
        ("volunteer", "records:supervision", "Supervision", None),
    ],
)
def test_current_page_is_marked(request, who, url_name, label, group, client_for):
    entries = menu(client_for(request.getfixturevalue(who)), reverse(url_name))
    current = [link for link in links_in(entries) if link[3] == "page"]
    assert [link[1] for link in current] == [label]
    assert [e[1] for e in entries if e[0] == "group" and e[3]] == ([group] if group else [])


@pytest.mark.policy("2.1")
def test_no_menu_when_signed_out(client):
    assert menu(client, reverse("login")) == []


# The menu of each combination of roles, admin-site access and language is worked out once per
# process (homestart/context_processors.py, _layout): what a person sees must still follow their
# own roles and language at every page.


@pytest.mark.policy("2.1", "8.3")
def test_people_with_other_roles_see_their_own_menus_in_turn(volunteer, coordinator, manager, client_for):
    clients = {who: client_for(person) for who, person in (("volunteer", volunteer), ("coordinator", coordinator))}
    clients["manager"] = client_for(manager)
    for who in ["volunteer", "coordinator", "manager", "volunteer", "manager", "coordinator"]:
        assert shape(menu(clients[who])) == EXPECTED[who], who


@pytest.mark.policy("2.1", "8.3")
def test_the_menu_follows_a_role_granted_or_ended_at_the_next_page(coordinator, manager, wirral, client_for):
    client = client_for(coordinator)
    assert shape(menu(client)) == COORDINATOR_MENU
    granted = people_services.membership_grant_at_setup(user=coordinator, scheme=wirral, role=Role.MANAGER)
    assert shape(menu(client)) == MANAGER_MENU
    people_services.membership_end(membership=granted, actor=manager)
    assert shape(menu(client)) == COORDINATOR_MENU
    people_services.membership_end(
        membership=Membership.objects.current().get(user=coordinator, role=Role.COORDINATOR), actor=manager
    )
    assert shape(menu(client)) == EXPECTED["outsider"]


@pytest.mark.policy("2.1")
def test_the_menu_follows_a_change_of_language_at_the_next_page(volunteer, client_for):
    client = client_for(volunteer)
    assert shape(menu(client)) == VOLUNTEER_MENU
    volunteer.language = WELSH
    volunteer.save()
    welsh = shape(menu(client, label="Dewislen"))
    assert welsh[0] == "Dod o hyd i deulu" and welsh[-1] == "Yr hyn rydw i wedi'i agor"
    assert len(welsh) == len(VOLUNTEER_MENU) and not set(welsh) & set(VOLUNTEER_MENU)
    volunteer.language = ""
    volunteer.save()
    assert shape(menu(client)) == VOLUNTEER_MENU


@pytest.mark.policy("7.6")
def test_only_an_administrator_with_the_admin_site_sees_administration(admin_user, client_for):
    """Two administrators, the same role: only the one who may use Django's admin site has its link."""
    without = UserFactory(username="admin2", is_staff=False)
    people_services.membership_grant_at_setup(user=without, scheme=None, role=Role.ADMIN)
    assert "Administration" in shape(menu(client_for(admin_user)))
    assert "Administration" not in shape(menu(client_for(without)))
    assert "Administration" in shape(menu(client_for(admin_user)))


@pytest.mark.policy("10.3")
def test_the_menus_addresses_follow_the_prefix_the_site_is_served_under(coordinator):
    """The menu's addresses are worked out once per prefix: a site served under /scheme-site/ links
    there, and the same menu served at the root links to the root. (The test client does not
    set the prefix from SCRIPT_NAME as a WSGI server does: it is set here as the handler would.)"""
    from django.test import Client
    from django.urls import clear_script_prefix, set_script_prefix

    client = Client()
    client.force_login(coordinator)
    dashboard = reverse("families:dashboard")
    assert f'href="{dashboard}"' in client.get(dashboard).content.decode()
    set_script_prefix("/scheme-site/")
    try:
        under = client.get(dashboard).content.decode()
    finally:
        clear_script_prefix()
    assert f'href="/scheme-site{dashboard}"' in under
    assert 'href="/scheme-site/' not in client.get(dashboard).content.decode()

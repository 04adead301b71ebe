"""The navigation a person sees follows their roles: no link leads to a page
their role cannot use.

The pages a role uses every day are one click away, side by side: at most six
items in the bar, so that it fits on one line of a 1280 px screen. Someone with
a handful of links (a volunteer on a phone, an auditor, a reviewer) sees them
all there. Everyone else gets their daily pages and one "More" disclosure menu
(<details>/<summary>: it opens and closes without JavaScript, which the
Content-Security-Policy keeps to files in static/) with the rest, under a
heading for each area. On a phone the whole bar folds behind a "Menu" button.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from typing import NamedTuple

from django.conf import settings
from django.http import HttpRequest
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from homestart.rules import Role

from .models import current_roles
from .security import has_second_factor

STAFF = {Role.COORDINATOR, Role.MANAGER}
TRUSTEES = {Role.TRUSTEE, Role.SPOT_CHECK_TRUSTEE}

# At most this many items in the bar (links, and the "More" menu).
TOP_LIMIT = 6
# Up to this many links are shown flat, with no "More" menu.
FLAT_LIMIT = TOP_LIMIT
MORE = _("More")

# The pages used every day, by role, most used first: the first of them a person has
# are in the bar, the rest of their pages under "More".
DAILY = (
    "home",
    "families:dashboard",
    "families:agenda",  # the scheme's planned and overdue visits, by reference (§8.6)
    "families:search",
    "safeguarding:overview",
    "families:my_families",
    "families:this_week",  # the visitor's week; a volunteer's few pages are all in the bar anyway
    "records:file_list",
    "reporting:statistics",
    "reporting:minutes_list",
    "safeguarding:trustee_notices",
    "access_log:review_list",
    "access_log:audit_session_list",
    "admin:index",
    "access_requests",
    "access_log:approvals",
    "records:supervision",
)

# The groups, in the order they appear. Link labels are unique across groups.
FAMILIES = _("Families and groups")
PEOPLE = _("People")
SAFEGUARDING = _("Safeguarding and consent")
RECORDS = _("Records and reporting")
REVIEWS = _("Reviews and audit")
GROUPS = (FAMILIES, PEOPLE, SAFEGUARDING, RECORDS, REVIEWS)


@dataclass(frozen=True)
class NavLink:
    url: str
    label: str
    active: bool


@dataclass
class NavGroup:
    label: str
    links: list[NavLink] = field(default_factory=list)

    @property
    def active(self) -> bool:
        return any(link.active for link in self.links)


@dataclass
class NavMore:
    """The "More" menu: the rest of a person's pages, under a heading for each area."""

    label: str
    sections: list[NavGroup] = field(default_factory=list)

    @property
    def links(self) -> list[NavLink]:
        return [link for section in self.sections for link in section.links]

    @property
    def active(self) -> bool:
        return any(link.active for link in self.links)


def _entries_for(roles: frozenset[str], *, is_staff: bool) -> list[tuple[str | None, str, str]]:
    """(group, URL name, label) for each page these roles may use, in menu order, in the
    active language (``is_staff``: the person may use Django's admin site)."""
    entries: list[tuple[str | None, str, str]] = []

    def add(group: Promise | None, name: str, label: Promise) -> None:
        # In the page's language; a group is then known by its label, as the menu shows it.
        entries.append((str(group) if group is not None else None, name, str(label)))

    # Home: each role's own work (home/). A volunteer and nothing else is sent on to their families.
    if roles - {Role.VOLUNTEER}:
        add(None, "home", _("Home"))
    # Families (§8.3: a volunteer reaches only the families they support).
    if roles & STAFF:
        add(FAMILIES, "families:dashboard", _("Families"))
        add(FAMILIES, "families:group_list", _("Groups"))
    if roles & (STAFF | {Role.VOLUNTEER}):
        add(FAMILIES, "families:search", _("Find a family"))
    if Role.VOLUNTEER in roles:
        add(FAMILIES, "families:my_families", _("My families"))
    # Planned visits: the visitor's week, the scheme's agenda by reference (§8.6).
    if roles & (STAFF | {Role.VOLUNTEER}):
        add(FAMILIES, "families:this_week", _("This week"))
    if roles & STAFF:
        add(FAMILIES, "families:agenda", _("Visits agenda"))
    # People: volunteer and personnel files, supervision (records/).
    if roles & STAFF:
        add(PEOPLE, "records:file_list", _("People's files"))
    if roles & (STAFF | {Role.VOLUNTEER}):
        add(PEOPLE, "records:supervision", _("Supervision"))
    if roles & ({Role.MANAGER} | TRUSTEES):
        add(PEOPLE, "membership_history", _("Roles held"))
    # Inductions on the policy: who inducts (manager, coordinators) and who oversees it (trustees, §3.8).
    if roles & (STAFF | TRUSTEES):
        add(PEOPLE, "inductions", _("Inductions"))

    # Two people for every grant of access: the approvers' list (§8.3, §7.6).
    if roles & {Role.MANAGER, Role.TRUSTEE, Role.ADMIN}:
        add(PEOPLE, "access_requests", _("Access requests"))
    # Safeguarding and consent.
    if roles & (STAFF | {Role.SAFEGUARDING_LEAD}):
        add(SAFEGUARDING, "safeguarding:overview", _("Safeguarding"))
    if roles & STAFF:
        add(SAFEGUARDING, "consent:reviews_due", _("Consent reviews"))
    if roles & (STAFF | {Role.SAFEGUARDING_LEAD}):
        add(SAFEGUARDING, "access_log:approvals", _("Approvals"))
    if Role.TRUSTEE in roles:
        add(SAFEGUARDING, "safeguarding:trustee_notices", _("Police and court requests"))
    if roles & (TRUSTEES | {Role.SAFEGUARDING_LEAD, Role.REVIEWER}):
        add(SAFEGUARDING, "reporting:consultation_list", _("Safeguarding consultations"))
    # Records (subject access, retention, breaches) and reporting.
    if roles & STAFF:
        add(RECORDS, "records:sar_list", _("Subject access"))
    if roles & {Role.MANAGER, Role.TRUSTEE, Role.SPOT_CHECK_TRUSTEE}:
        add(RECORDS, "records:retention", _("Retention"))
    if roles & (STAFF | {Role.SAFEGUARDING_LEAD}):
        add(RECORDS, "records:breach_list", _("Breaches"))
    if Role.MANAGER in roles:
        add(RECORDS, "portability:index", _("Import and export"))
    if roles & (STAFF | TRUSTEES):
        add(RECORDS, "reporting:statistics", _("Statistics"))
        add(RECORDS, "reporting:case_study_list", _("Case studies"))
    if roles & (STAFF | TRUSTEES | {Role.SAFEGUARDING_LEAD}):
        add(RECORDS, "reporting:minutes_list", _("Board minutes"))
    # Reviews and audit: the Record of Access from both ends.
    if roles & {Role.REVIEWER, Role.SPOT_CHECK_TRUSTEE}:
        add(REVIEWS, "access_log:review_list", _("Reviews"))
    if roles & (STAFF | {Role.AUDITOR}):
        add(REVIEWS, "access_log:audit_session_list", _("Audit sessions"))
    add(REVIEWS, "access_log:my_access", _("What I have opened"))
    # How each clause of the policy is kept, and the tests that prove it (§3.8).
    if roles & {Role.MANAGER, Role.TRUSTEE, Role.SPOT_CHECK_TRUSTEE, Role.REVIEWER, Role.ADMIN}:
        add(REVIEWS, "policy_map", _("How this system keeps the policy"))
    # Only the scheme's system administrator has it.
    if Role.ADMIN in roles and is_staff:
        add(REVIEWS, "admin:index", _("Administration"))
    return entries


class _LinkLayout(NamedTuple):
    name: str  # the URL's name
    label: str


class _MoreLayout(NamedTuple):
    label: str
    sections: tuple[tuple[str, tuple[_LinkLayout, ...]], ...]  # (heading, links)


@functools.lru_cache(maxsize=256)
def _layout(roles: frozenset[str], is_staff: bool, language: str | None) -> tuple[_LinkLayout | _MoreLayout, ...]:
    """The menu of anyone holding ``roles``, in ``language``: the links in the bar, and the
    "More" menu's headings and links.

    Worked out once per combination and kept for the life of the process: it is made from
    its arguments alone (the roles, whether the person may use the admin site, the
    language), never from who the person is, so two people with the same roles see the same
    menu, and a change of role or language is another combination. What depends on the
    request (each link's URL, which link is the current page) is added per request."""
    with translation.override(language):
        entries = _entries_for(roles, is_staff=is_staff)
        if len(entries) <= FLAT_LIMIT:
            return tuple(_LinkLayout(name, label) for _group, name, label in entries)
        names = [name for _group, name, _label in entries]
        daily = [name for name in DAILY if name in names][: TOP_LIMIT - 1]
        sections: dict[str, list[_LinkLayout]] = {str(label): [] for label in GROUPS}
        for group, name, label in entries:
            if name not in daily:
                sections[group or str(REVIEWS)].append(_LinkLayout(name, label))
        labels = {name: label for _group, name, label in entries}
        more = _MoreLayout(str(MORE), tuple((heading, tuple(links)) for heading, links in sections.items() if links))
        return (*(_LinkLayout(name, labels[name]) for name in daily), more)


@functools.lru_cache(maxsize=512)
def _address(name: str, prefix: str, urlconf: str) -> str:
    """The menu's addresses take no arguments: each is worked out once for the site's prefix and
    URL configuration it depends on (``reverse`` was a twentieth of a page's time, asked for
    every menu entry of every page)."""
    return reverse(name, urlconf=urlconf)


def navigation(request: HttpRequest) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_entries": []}
    roles = frozenset(role for role, _scheme in current_roles(user))
    current = getattr(getattr(request, "resolver_match", None), "view_name", "")

    prefix, urlconf = get_script_prefix(), get_urlconf() or settings.ROOT_URLCONF

    def link(each: _LinkLayout) -> NavLink:
        return NavLink(url=_address(each.name, prefix, urlconf), label=each.label, active=each.name == current)

    nav: list[NavLink | NavMore] = []
    for item in _layout(roles, bool(user.is_staff), translation.get_language()):
        if isinstance(item, _MoreLayout):
            sections = [NavGroup(heading, [link(each) for each in links]) for heading, links in item.sections]
            nav.append(NavMore(item.label, sections))
        else:
            nav.append(link(item))
    # Two-factor sign-in is offered to everyone who has not set it up (required
    # outright when TWO_FACTOR_REQUIRED is on, see homestart.security).
    verified = getattr(user, "is_verified", lambda: False)()
    return {
        "nav_entries": nav,
        "offer_two_factor": not verified and not has_second_factor(user),
    }

"""The navigation a person sees follows their roles: no link leads to a page
their role cannot use.

Someone with a handful of links (a volunteer on a phone, an auditor, a
reviewer) sees them side by side. Staff see many more, so theirs are grouped
into a few disclosure menus (<details>/<summary>: they open and close without
JavaScript, which the Content-Security-Policy keeps to files in static/). A
group holding a single link for this person is shown as that link.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.http import HttpRequest
from django.urls import reverse

from homestart.rules import Role

from .models import current_roles
from .security import has_second_factor

STAFF = {Role.COORDINATOR, Role.MANAGER}
TRUSTEES = {Role.TRUSTEE, Role.SPOT_CHECK_TRUSTEE}

# Up to this many links are shown flat, without groups.
FLAT_LIMIT = 5

# The groups, in the order they appear. Link labels are unique across groups.
FAMILIES = "Families and groups"
PEOPLE = "People"
SAFEGUARDING = "Safeguarding and consent"
RECORDS = "Records and reporting"
REVIEWS = "Reviews and audit"
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


def _entries_for(user, roles: set[str]) -> list[tuple[str | None, str, str]]:
    """(group, URL name, label) for each page this person's roles may use, in menu order."""
    entries: list[tuple[str | None, str, str]] = []

    def add(group: str | None, name: str, label: str) -> None:
        entries.append((group, name, label))

    # Families (§8.3: a volunteer reaches only the families they support).
    if roles & STAFF:
        add(FAMILIES, "families:dashboard", "Families")
        add(FAMILIES, "families:group_list", "Groups")
    if roles & (STAFF | {Role.VOLUNTEER}):
        add(FAMILIES, "families:search", "Find a family")
    if Role.VOLUNTEER in roles:
        add(FAMILIES, "families:my_families", "My families")
    # Planned visits: the visitor's week, the scheme's agenda by reference (§8.6).
    if roles & (STAFF | {Role.VOLUNTEER}):
        add(FAMILIES, "families:this_week", "This week")
    if roles & STAFF:
        add(FAMILIES, "families:agenda", "Visits agenda")
    # People: volunteer and personnel files, supervision (records/).
    if roles & STAFF:
        add(PEOPLE, "records:file_list", "People's files")
    if roles & (STAFF | {Role.VOLUNTEER}):
        add(PEOPLE, "records:supervision", "Supervision")
    if roles & ({Role.MANAGER} | TRUSTEES):
        add(PEOPLE, "membership_history", "Roles held")
    # Inductions on the policy: who inducts (manager, coordinators) and who oversees it (trustees, §3.8).
    if roles & (STAFF | TRUSTEES):
        add(PEOPLE, "inductions", "Inductions")

    # Two people for every grant of access: the approvers' list (§8.3, §7.6).
    if roles & {Role.MANAGER, Role.TRUSTEE, Role.ADMIN}:
        add(PEOPLE, "access_requests", "Access requests")
    # Safeguarding and consent.
    if roles & (STAFF | {Role.SAFEGUARDING_LEAD}):
        add(SAFEGUARDING, "safeguarding:overview", "Safeguarding")
    if roles & STAFF:
        add(SAFEGUARDING, "consent:reviews_due", "Consent reviews")
    if roles & (STAFF | {Role.SAFEGUARDING_LEAD}):
        add(SAFEGUARDING, "access_log:approvals", "Approvals")
    if Role.TRUSTEE in roles:
        add(SAFEGUARDING, "safeguarding:trustee_notices", "Police and court requests")
    if roles & (TRUSTEES | {Role.SAFEGUARDING_LEAD, Role.REVIEWER}):
        add(SAFEGUARDING, "reporting:consultation_list", "Safeguarding consultations")
    # Records (subject access, retention, breaches) and reporting.
    if roles & STAFF:
        add(RECORDS, "records:sar_list", "Subject access")
    if roles & {Role.MANAGER, Role.TRUSTEE, Role.SPOT_CHECK_TRUSTEE}:
        add(RECORDS, "records:retention", "Retention")
    if roles & (STAFF | {Role.SAFEGUARDING_LEAD}):
        add(RECORDS, "records:breach_list", "Breaches")
    if Role.MANAGER in roles:
        add(RECORDS, "portability:index", "Import and export")
    if roles & (STAFF | TRUSTEES):
        add(RECORDS, "reporting:statistics", "Statistics")
        add(RECORDS, "reporting:case_study_list", "Case studies")
    if roles & (STAFF | TRUSTEES | {Role.SAFEGUARDING_LEAD}):
        add(RECORDS, "reporting:minutes_list", "Board minutes")
    # Reviews and audit: the Record of Access from both ends.
    if roles & {Role.REVIEWER, Role.SPOT_CHECK_TRUSTEE}:
        add(REVIEWS, "access_log:review_list", "Reviews")
    if roles & (STAFF | {Role.AUDITOR}):
        add(REVIEWS, "access_log:audit_session_list", "Audit sessions")
    add(REVIEWS, "access_log:my_access", "What I have opened")
    # How each clause of the policy is kept, and the tests that prove it (§3.8).
    if roles & {Role.MANAGER, Role.TRUSTEE, Role.SPOT_CHECK_TRUSTEE, Role.REVIEWER, Role.ADMIN}:
        add(REVIEWS, "policy_map", "How this system keeps the policy")
    # Not in a group: only the scheme's system administrator has it.
    if Role.ADMIN in roles and user.is_staff:
        add(None, "admin:index", "Administration")
    return entries


def navigation(request: HttpRequest) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_entries": []}
    roles = {role for role, _scheme in current_roles(user)}
    current = getattr(getattr(request, "resolver_match", None), "view_name", "")
    entries = [
        (group, NavLink(url=reverse(name), label=label, active=name == current))
        for group, name, label in _entries_for(user, roles)
    ]
    nav: list[NavLink | NavGroup] = []
    if len(entries) <= FLAT_LIMIT:
        nav = [link for _, link in entries]
    else:
        groups = {label: NavGroup(label) for label in GROUPS}
        for group, link in entries:
            if group is None:
                continue
            groups[group].links.append(link)
        nav = [g if len(g.links) > 1 else g.links[0] for g in groups.values() if g.links]
        nav += [link for group, link in entries if group is None]
    # Two-factor sign-in is offered to everyone who has not set it up (required
    # outright when TWO_FACTOR_REQUIRED is on, see homestart.security).
    verified = getattr(user, "is_verified", lambda: False)()
    return {
        "nav_entries": nav,
        "offer_two_factor": not verified and not has_second_factor(user),
    }

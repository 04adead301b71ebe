"""What each role's part of the home page shows: a few of that role's own things and the
links to the rest. References and counts only, never names: the home page is the screen
most often left open (§8.6)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.urls import NoReverseMatch, reverse

from access_log.models import Review
from access_log.selectors import approvals_waiting_for, audit_sessions_for, emergency_notices_for
from homestart.models import User, current_roles
from homestart.rules import Role
from reporting.selectors import meetings_visible_to
from safeguarding.selectors import open_concerns_for, trustee_notices_for

# How many of a role's things its part lists before "see all".
SHOWN = 5

# The volunteer's week, when the planned-visits pages provide it (issue 15.1); until then
# the volunteer's home is the list of the families they support.
WEEK_URL_NAMES = ("families:this_week",)
# The coordinator's agenda of planned visits, likewise.
AGENDA_URL_NAMES = ("families:agenda",)


class Part:
    """The parts of the home page, in the order they are shown."""

    TODAY = "today"
    VOLUNTEER = "week"
    SAFEGUARDING = "concerns"
    BOARD = "board"
    REVIEWS = "reviews"
    AUDIT = "sessions"
    ADMIN = "administration"


ORDER = (Part.TODAY, Part.VOLUNTEER, Part.SAFEGUARDING, Part.BOARD, Part.REVIEWS, Part.AUDIT, Part.ADMIN)

# Which part each role is given.
PART_OF_ROLE: dict[str, str] = {
    Role.COORDINATOR: Part.TODAY,
    Role.MANAGER: Part.TODAY,
    Role.VOLUNTEER: Part.VOLUNTEER,
    Role.SAFEGUARDING_LEAD: Part.SAFEGUARDING,
    Role.TRUSTEE: Part.BOARD,
    Role.SPOT_CHECK_TRUSTEE: Part.REVIEWS,
    Role.REVIEWER: Part.REVIEWS,
    Role.AUDITOR: Part.AUDIT,
    Role.ADMIN: Part.ADMIN,
}


@dataclass
class HomePage:
    parts: list[str]
    context: dict[str, Any] = field(default_factory=dict)

    @property
    def has(self) -> dict[str, bool]:
        return {part: part in self.parts for part in ORDER}


def week_url(names: tuple[str, ...] | None = None) -> str | None:
    """The volunteer's "this week" page (or another), if this version of the product has one."""
    for name in names or WEEK_URL_NAMES:
        try:
            return reverse(name)
        except NoReverseMatch:
            continue
    return None


def parts_for(*, user: User) -> list[str]:
    """The parts of the home page for the roles the person holds now, each once, in order."""
    held = {PART_OF_ROLE[role] for role, _scheme in current_roles(user) if role in PART_OF_ROLE}
    return [part for part in ORDER if part in held]


def home_for(*, user: User) -> HomePage:
    """Each part's own things, read only for the parts this person has."""
    page = HomePage(parts=parts_for(user=user))
    has = page.has
    context = page.context
    if has[Part.TODAY] or has[Part.SAFEGUARDING]:
        context["approvals_waiting"] = list(approvals_waiting_for(user=user)[:10])
        context["emergency_notices"] = list(emergency_notices_for(user=user)[:3])
    if has[Part.VOLUNTEER]:
        context["week_url"] = week_url()
    if has[Part.TODAY]:
        context["agenda_url"] = week_url(AGENDA_URL_NAMES)
    if has[Part.SAFEGUARDING]:
        concerns = open_concerns_for(user=user)
        context["open_concerns"] = list(concerns[:SHOWN])
        context["open_concern_count"] = concerns.count()
    if has[Part.BOARD]:
        context["meetings"] = list(meetings_visible_to(user=user).select_related("scheme").order_by("-held_on")[:3])
        context["trustee_notices"] = list(trustee_notices_for(user=user)[:3])
    if has[Part.REVIEWS]:
        context["reviews"] = list(Review.objects.filter(reviewer=user).select_related("scheme")[:SHOWN])
    if has[Part.AUDIT]:
        sessions = audit_sessions_for(user=user).filter(auditor=user).select_related("scheme")
        context["audit_sessions"] = list(sessions.order_by("-opened_at")[:SHOWN])
    context["is_staff_user"] = user.is_staff
    return page

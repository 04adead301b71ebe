"""The navigation a person sees follows their roles: no link leads to a page
their role cannot use."""

from __future__ import annotations

from django.http import HttpRequest
from django.urls import reverse

from .models import Role, current_roles
from .security import has_second_factor

STAFF = {Role.COORDINATOR, Role.MANAGER}
TRUSTEES = {Role.TRUSTEE, Role.SPOT_CHECK_TRUSTEE}


def navigation(request: HttpRequest) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": []}
    roles = {role for role, _scheme in current_roles(user)}
    items: list[tuple[str, str]] = []
    if roles & STAFF:
        items.append(("families:dashboard", "Families"))
        items.append(("families:group_list", "Groups"))
    if roles & (STAFF | {Role.VOLUNTEER}):
        items.append(("families:search", "Find a family"))
    if Role.VOLUNTEER in roles:
        items.append(("families:my_families", "My families"))
    if roles & {Role.REVIEWER, Role.SPOT_CHECK_TRUSTEE}:
        items.append(("access_log:review_list", "Reviews"))
    if roles & (STAFF | {Role.AUDITOR}):
        items.append(("access_log:audit_session_list", "Audit sessions"))
    if roles & (STAFF | {Role.SAFEGUARDING_LEAD}):
        items.append(("safeguarding:overview", "Safeguarding"))
    if roles & STAFF:
        items.append(("consent:reviews_due", "Consent reviews"))
    if Role.TRUSTEE in roles:
        items.append(("safeguarding:trustee_notices", "Police and court requests"))
    # Records lifecycle (records/): files of people, supervision, subject access, retention, breaches.
    if roles & STAFF:
        items.append(("records:file_list", "People's files"))
    if roles & (STAFF | {Role.VOLUNTEER}):
        items.append(("records:supervision", "Supervision"))
    if roles & STAFF:
        items.append(("records:sar_list", "Subject access"))
    if roles & {Role.MANAGER, Role.TRUSTEE, Role.SPOT_CHECK_TRUSTEE}:
        items.append(("records:retention", "Retention"))
    if roles & (STAFF | {Role.SAFEGUARDING_LEAD}):
        items.append(("records:breach_list", "Breaches"))
    if roles & (STAFF | TRUSTEES):
        items.append(("reporting:statistics", "Statistics"))
        items.append(("reporting:case_study_list", "Case studies"))
    if roles & (STAFF | TRUSTEES | {Role.SAFEGUARDING_LEAD}):
        items.append(("reporting:minutes_list", "Board minutes"))
    if roles & (TRUSTEES | {Role.SAFEGUARDING_LEAD, Role.REVIEWER}):
        items.append(("reporting:consultation_list", "Safeguarding consultations"))
    items.append(("access_log:my_access", "What I have opened"))
    if Role.ADMIN in roles and user.is_staff:
        items.append(("admin:index", "Administration"))
    current = getattr(getattr(request, "resolver_match", None), "view_name", "")
    # Two-factor sign-in is offered to everyone who has not set it up (required
    # outright when TWO_FACTOR_REQUIRED is on, see homestart.security).
    verified = getattr(user, "is_verified", lambda: False)()
    return {
        "nav_items": [
            {"url": reverse(name), "label": label, "active": name == current} for name, label in items
        ],
        "offer_two_factor": not verified and not has_second_factor(user),
    }

"""The names the access rules are written in, each defined once (DESIGN.md, "The one gate").

Who opens a file (``Role``, ``ActingRole``), which part of it (``Section``), why
(``Purpose``), what they did (``Action``), whether the gate let them
(``Outcome``) and, when it did not, why not (``Refusal``); which kind of file
(``FileKind``). Every rule, event and test names these members, never the string
behind them: a typo fails at import instead of becoming a silent 404 or a wrongly
recorded access event. ``tests/homestart/test_rules.py`` fails when a string
literal stands in for a member anywhere else.

The values are what the access log and the memberships store: changing one is a
data migration, not an edit here. This module is the bottom layer: it imports
nothing from the project, so every app can use it.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    """A person's role in a scheme, or nationally: what a membership grants (§8.3, §8.4, §9.1, §10.1)."""

    COORDINATOR = "coordinator", _("Coordinator")
    MANAGER = "manager", _("Scheme manager")
    SAFEGUARDING_LEAD = "safeguarding_lead", _("Safeguarding lead")
    VOLUNTEER = "volunteer", _("Volunteer")
    TRUSTEE = "trustee", _("Trustee")
    SPOT_CHECK_TRUSTEE = "spot_check_trustee", _("Trustee responsible for spot checks")
    REVIEWER = "reviewer", _("HSUK reviewer")
    AUDITOR = "auditor", _("External auditor")
    ADMIN = "admin", _("Administrator")


class ActingRole(models.TextChoices):
    """Roles an access event names that no membership grants: a person's relation to one
    file, or the scheme's own retention process acting on it."""

    # §8.4: the person's line manager (``Membership.line_manager``) keeps their personnel file.
    LINE_MANAGER = "line_manager", _("Line manager")
    # The two parties to a supervision session, whose notes are confidential to them and
    # the scheme manager (§4.2, §5.2).
    SUPERVISOR = "supervisor", _("Supervisor")
    SUPERVISEE = "supervisee", _("Supervisee")
    # §8.8: destruction at the end of the retention period, authorised by two people.
    RETENTION = "retention", _("Retention process")


def role_label(role: str) -> str:
    """The role an access event or grant names, in words ("Coordinator", "Line manager")."""
    for choices in (Role, ActingRole):
        if role in choices._value2member_map_:  # not choices.values: a list built per call
            return str(choices(role).label)
    return role.replace("_", " ")


class FileKind(models.TextChoices):
    FAMILY = "family", _("Family file")
    VOLUNTEER = "volunteer", _("Volunteer file")
    PERSONNEL = "personnel", _("Personnel file")


class Section(models.TextChoices):
    """The part of a file a page opens or changes, as the access log records it."""

    # The whole file, and the pages that list or create files.
    FILE = "file", _("The file")
    LIST = "list", _("A list of files")
    HISTORY = "history", _("History of changes")
    ACCESS_LOG = "access_log", _("Access log")
    RECORD_OF_ACCESS = "record_of_access", _("Record of Access")
    # Family files.
    CONTACT = "contact", _("Contact details")
    REFERRAL = "referral", _("The referral")
    MEMBERS = "members", _("Family members")
    VISITS = "visits", _("Visits")
    ASSIGNMENTS = "assignments", _("Volunteer assignments")
    GROUPS = "groups", _("Group attendance")
    # Closing support and reopening a closed file (§8.8).
    SUPPORT = "support", _("Support")
    CONSENT = "consent", _("Consent and sharing")
    CASE_STUDIES = "case_studies", _("Case studies")
    # The family's own scores over its support (Home-Start's outcome measure): the volunteer
    # records them at a visit and sees only what the family chose to work on (§8.5).
    OUTCOMES = "outcomes", _("Outcomes")
    SAFEGUARDING = "safeguarding", _("Safeguarding")
    # Names, dates of birth, address and contact: what a referral to children's services needs (§2.1).
    IDENTIFYING_DETAILS = "identifying_details", _("Identifying details")
    # Volunteer and personnel files.
    SUPERVISION = "supervision", _("Supervision notes")
    # Any file.
    SUBJECT_ACCESS = "subject_access", _("Subject access request")
    DESTRUCTION = "destruction", _("Destruction")
    ADMIN = "admin", _("Administration")


class Purpose(models.TextChoices):
    CASEWORK = "casework", _("Supporting the family")
    SUPERVISION = "supervision", _("Supervision")
    SPOT_CHECK = "spot_check", _("Spot check of files for a safeguarding audit")  # §9.1
    QUALITY_REVIEW = "quality_review", _("Quality assurance review")  # §8.3, §9.1
    EXTERNAL_AUDIT = "external_audit", _("External audit, in the coordinator's presence")  # §10.1
    ADMINISTRATION = "administration", _("System administration under a confidentiality undertaking")  # §7.6
    # §2.1
    SAFEGUARDING_REFERRAL = "safeguarding_referral", _("Referral to children's services by the safeguarding lead")
    RETENTION = "retention", _("Destruction at the end of the retention period")  # §8.8
    IMPORT = "import", _("Bringing in the scheme's earlier records")
    EXPORT = "export", _("The scheme taking its own records out")


class Action(models.TextChoices):
    VIEW = "view", _("Opened")
    CHANGE = "change", _("Changed")
    CREATE = "create", _("Created")
    EXPORT = "export", _("Exported")
    LIST = "list", _("Listed, with names shown")


class Outcome(models.TextChoices):
    ALLOWED = "allowed", _("Allowed")
    REFUSED = "refused", _("Refused")


class Refusal(models.TextChoices):
    """Why the gate refused to open a file, as the access log records it."""

    POLICY_NOT_ACKNOWLEDGED = "policy_not_acknowledged", _("The current Confidentiality Policy is not acknowledged")
    NO_SUCH_FILE = "no_such_file", _("No such file")
    NO_ACCESS_TO_FILE = "no_access_to_file", _("No access to this file")
    SECTION_NOT_READABLE = "section_not_readable", _("This part of the file is not for this role")
    SECTION_NOT_FOR_ROLE = "section_not_for_role", _("This page of the file is not for this role")
    READ_ONLY_ACCESS = "read_only_access", _("May see the file but not change it")
    # §9.1, §10.1: the file is in the reader's sample or audit session, not yet signed for.
    RECORD_OF_ACCESS_UNSIGNED = "record_of_access_unsigned", _("The Record of Access is not signed")
    # §7.6: an administrator signs the confidentiality undertaking before seeing personal data.
    UNDERTAKING_UNSIGNED = "undertaking_unsigned", _("The confidentiality undertaking is not signed")
    # §8.8: destroyed at the end of its retention period; only its tombstone remains.
    FILE_DESTROYED = "file_destroyed", _("The file has been destroyed")

"""Assembling a subject access response (§1.6, §8.7).

Everything held about the person, read through the access gate (so each
reading is itself in the file's access log): for a family member, their own
details and their family file, its history and its access log, with the other
members' details marked; for a volunteer or member of staff, their
file, their supervision notes, its history and its access log, and for anyone
who signs in, their roles and policy acknowledgements. Items about other people
(other family members, referrers, free-text notes that may mention others)
are marked as third-party information to be reviewed — and redacted where
needed — before release. Entries about safeguarding (the access log's safeguarding
openings and changes, a referral to children's services) are marked "review before
release" too: even "Changed (safeguarding) by a volunteer" could tip off a parent
that a concern was raised (§2.1). The result renders as a printable page and as JSON.
"""

from __future__ import annotations

import dataclasses
import datetime
import json
from typing import Any

from django.utils import timezone

from access_log import gate
from access_log.models import AccessEvent
from consent.models import ConfidentialityStatement, Consent
from families.models import Member
from homestart.models import Membership, PolicyAcknowledgement, User
from homestart.rules import FileKind, Purpose
from homestart.rules import Section as FileSection
from outcomes import selectors as outcome_selectors
from records.models import PersonnelFile, SubjectAccessRequest, SupervisionNote, VolunteerFile


@dataclasses.dataclass
class Item:
    label: str
    value: str
    third_party: bool = False
    # About safeguarding: to be reviewed before release, since even "changed (safeguarding)"
    # could tell a parent that a concern was raised (§2.1; UK GDPR Sch. 3 para 5).
    safeguarding_review: bool = False


@dataclasses.dataclass
class Section:
    title: str
    items: list[Item] = dataclasses.field(default_factory=list)

    def add(self, label: str, value: Any, third_party: bool = False, safeguarding: bool = False) -> None:
        if isinstance(value, datetime.datetime):
            value = f"{value:%-d %B %Y %H:%M}"
        elif isinstance(value, datetime.date):
            value = f"{value:%-d %B %Y}"
        self.items.append(Item(label, "" if value is None else str(value), third_party, safeguarding))


@dataclasses.dataclass
class Package:
    reference: str
    subject: str
    assembled_at: str
    sections: list[Section]

    @property
    def third_party_count(self) -> int:
        return sum(item.third_party for section in self.sections for item in section.items)

    @property
    def safeguarding_count(self) -> int:
        return sum(item.safeguarding_review for section in self.sections for item in section.items)

    def to_json(self) -> str:
        return json.dumps(dataclasses.asdict(self), indent=2, ensure_ascii=False)


# Access-log entries that show safeguarding work on the file: marked for review before release.
SAFEGUARDING_SECTIONS = {FileSection.SAFEGUARDING, FileSection.IDENTIFYING_DETAILS}
SAFEGUARDING_PURPOSES = {Purpose.SAFEGUARDING_REFERRAL, Purpose.SPOT_CHECK}


def _history(section: Section, rows: Any, what: str) -> None:
    kinds = {"+": "created", "~": "changed", "-": "removed"}
    for row in rows:
        section.add(f"{what} {kinds.get(row.history_type, row.history_type)}", row.history_date)


def _access_log(kind: str, file_id: Any) -> Section:
    section = Section("Who has opened the file (access log)")
    events = AccessEvent.objects.filter(file_kind=kind, file_id=file_id).order_by("at")
    for event in events:
        role = event.role_label.lower() or "unknown role"
        section.add(
            f"{event.at:%-d %B %Y %H:%M}",
            f"{event.get_action_display()} ({event.section_label.lower()}) by a {role}: "
            f"{event.get_outcome_display().lower()}",
            safeguarding=event.section in SAFEGUARDING_SECTIONS or event.purpose in SAFEGUARDING_PURPOSES,
        )
    return section


def _name(member: Any) -> str:
    return f"{member.first_name} {member.last_name}".strip()


def _destroyed_sections(tomb: Any, file_id: Any) -> list[Section]:
    gone = Section(f"The file {tomb.reference}")
    gone.add("Held", "No longer: the file was destroyed at the end of its retention period (§8.8)")
    gone.add("Destroyed on", tomb.destroyed_at)
    if tomb.certificate:
        gone.add("Destruction certificate", f"No. {tomb.certificate}")
    return [gone, _access_log(tomb.kind, file_id)]


def _family_sections(sar: SubjectAccessRequest, actor: User) -> tuple[str, list[Section]]:
    """A family member's copy: their own details, the household's (address, the family
    file's dates), and everything else in the family file, with what is about other
    people — the other members, referrers, free-text notes, their consents — marked
    for review before release (§1.6, §8.7). Without a chosen member (requests
    registered before one could be chosen) every member's details are given."""
    try:
        access = gate.open_family(user=actor, reference=sar.family.reference, section=FileSection.SUBJECT_ACCESS)
    except gate.FileDestroyed as destroyed:
        # Nothing of the file is held any more (§8.8): the answer says so, and what remains.
        return f"A member of {sar.family.reference}", _destroyed_sections(destroyed.tombstone, sar.family_id)
    family = access.file
    subject = sar.member

    def others(member_id: Any) -> bool:
        return subject is not None and member_id != subject.pk

    sections = []
    if subject is not None:
        you = Section("About you")
        you.add("Name", _name(subject))
        you.add("In the family as", subject.get_kind_display())
        you.add("Date of birth", subject.date_of_birth)
        you.add("Relationship", subject.relationship)
        you.add("Added to the file", subject.created_at)
        sections.append(you)
    about = Section("The family file")
    about.add("Reference", family.reference)
    about.add("Status", family.get_status_display())
    about.add("Opened", family.created_at)
    about.add("Closed", family.closed_on)
    about.add("Address", family.address)
    about.add("Postcode", family.postcode)
    about.add("Phone", family.phone)
    sections.append(about)
    people = Section("Other people in the family" if subject is not None else "People in the family")
    for member in family.members.all():
        if subject is not None and member.pk == subject.pk:
            continue
        other = others(member.pk)
        people.add(
            f"{member.get_kind_display()}{' (another person)' if other else ''}", _name(member), third_party=other
        )
        people.add("Date of birth", member.date_of_birth, third_party=other)
        people.add("Relationship", member.relationship, third_party=other)
    sections.append(people)
    referrals = Section("Referrals")
    for referral in family.referrals.all():
        referrals.add("Referred on", referral.referred_on)
        referrals.add("Source", referral.get_source_display())
        # Free text about the family: it may say things about other people.
        referrals.add("Reasons", referral.reasons, third_party=subject is not None)
        referrals.add("Referrer", referral.referrer_name, third_party=True)
        referrals.add("Referrer's organisation", referral.referrer_organisation, third_party=True)
        referrals.add("Referrer's contact details", referral.referrer_contact, third_party=True)
    sections.append(referrals)
    visits = Section("Visits")
    for visit in family.visits.all():
        visits.add(f"{visit.get_kind_display()} on {visit.visited_on:%-d %B %Y}", visit.notes, third_party=True)
    sections.append(visits)
    # The family's own scores over its support (outcomes/): theirs to see (§1.6, §8.7).
    outcomes = Section("The family's own scores (outcomes)")
    for assessment in outcome_selectors.journey(family=family):
        when = f"{assessment.get_occasion_display()} on {assessment.assessed_on:%-d %B %Y}"
        outcomes.add(when, "; ".join(f"{label}: {score} out of 5" for label, score in assessment.scores))
        outcomes.add("Needs chosen", ", ".join(n for _, needs in assessment.needs_by_area for n in needs))
        outcomes.add("Signposted to", "; ".join(assessment.services))
        # The family's words may say things about other people in it.
        outcomes.add("In the family's own words", assessment.own_words, third_party=subject is not None)
    sections.append(outcomes)
    consents = Section("Confidentiality statements and consents")
    for statement in ConfidentialityStatement.objects.filter(family=family).select_related("given_to"):
        other = others(statement.given_to_id)
        to = "another person" if other else ("you" if subject is not None else _name(statement.given_to))
        consents.add(f"Confidentiality statement given to {to}", statement.given_on, third_party=other)
    for consent in Consent.objects.filter(family=family).select_related("given_by"):
        other = others(consent.given_by_id)
        by = "another person" if other else ("you" if subject is not None else _name(consent.given_by))
        withdrawn = f", withdrawn {consent.withdrawn_on:%-d %B %Y}" if consent.withdrawn_on else ""
        consents.add(
            f"Consent given by {by} on {consent.given_on:%-d %B %Y}",
            f"{consent.get_scope_display()} to {consent.get_recipient_kind_display()}{withdrawn}",
            third_party=other,
        )
    sections.append(consents)
    history = Section("Changes to the file (history)")
    _history(history, family.history.order_by("history_date"), "Family details")
    for row in Member.history.filter(family_id=family.pk).order_by("history_date"):
        other = others(row.id)
        what = (
            "Another person's details" if other else ("Your details" if subject is not None else "A person's details")
        )
        kinds = {"+": "created", "~": "changed", "-": "removed"}
        history.add(f"{what} {kinds.get(row.history_type, row.history_type)}", row.history_date, third_party=other)
    sections.append(history)
    sections.append(_access_log(FileKind.FAMILY, family.pk))
    name = _name(subject) if subject else f"members of {family.reference}"
    return name, sections


def _person_sections(sar: SubjectAccessRequest, actor: User) -> tuple[str, list[Section]]:
    person = sar.subject_user
    sections = []
    roles = Section("Your roles")
    for membership in Membership.objects.filter(user=person, scheme=sar.scheme).order_by("created_at"):
        ended = f", until {membership.ended_at:%-d %B %Y}" if membership.ended_at else ""
        roles.add(membership.get_role_display(), f"from {membership.created_at:%-d %B %Y}{ended}")
    for ack in PolicyAcknowledgement.objects.filter(user=person).select_related("version"):
        roles.add(f"Acknowledged the Confidentiality Policy, {ack.version.version}", ack.acknowledged_at)
    sections.append(roles)
    name = person.display_name
    for model, kind in ((VolunteerFile, FileKind.VOLUNTEER), (PersonnelFile, FileKind.PERSONNEL)):
        found = model.objects.filter(scheme=sar.scheme, person=person).first()
        if found is None:
            continue
        try:
            access = gate.open_file(
                user=actor, kind=kind, reference=found.reference, section=FileSection.SUBJECT_ACCESS
            )
        except gate.FileDestroyed as destroyed:
            sections += _destroyed_sections(destroyed.tombstone, found.pk)
            continue
        file = access.file
        name = file.full_name
        section = Section(f"{kind.label} {file.reference}")
        for field in model._meta.concrete_fields:
            if field.name in {"id", "scheme", "number", "reference", "person", "data_key"}:
                continue
            section.add(str(field.verbose_name).capitalize(), getattr(file, field.name))
        sections.append(section)
        history = Section(f"Changes to the {kind.label.lower()} (history)")
        _history(history, file.history.order_by("history_date"), "File details")
        sections.append(history)
        sections.append(_access_log(kind, file.pk))
    notes = Section("Supervision notes")
    for note in SupervisionNote.objects.filter(supervisee=person, scheme=sar.scheme).select_related("data_key"):
        notes.add(f"Supervision on {note.held_on:%-d %B %Y}", note.notes, third_party=True)
    sections.append(notes)
    return name, sections


def sar_assemble(*, sar: SubjectAccessRequest, actor: User) -> Package:
    """Everything held about the request's subject, read through the gate as ``actor``."""
    if sar.family_id:
        subject, sections = _family_sections(sar, actor)
    else:
        subject, sections = _person_sections(sar, actor)
    return Package(
        reference=sar.reference,
        subject=subject,
        assembled_at=timezone.now().isoformat(timespec="seconds"),
        sections=sections,
    )

"""A scheme's year, simulated: the model of what should be true, the rules that change it
through the product's own pages, and the invariants checked after every step (§8.8, §9.3).

The state machine (``SchemeYear``) keeps a small model of the world — the families of
Wirral (WIR) and of Sefton (SEF, the other scheme transfers go to), who is assigned to
whom, which files each reviewer or auditor may read, which families are destroyed —
and drives the product as its people do: each rule is one person doing one thing on a
page (the Django test client, signed in as that person). Where no page exists the rule
calls the service and says so in a comment.

After every step the invariants walk, for every person present, their landing page and
every link on it, and the pages of every family they may know; and check that no page
fails, shows a family the policy denies them, or opens a file without an access event;
that a destroyed family is unreadable everywhere; and that nothing is half-written.
"""

from __future__ import annotations

import collections
import contextlib
import copy
import datetime
import io
import itertools
import shutil
import tempfile
from collections import Counter
from dataclasses import dataclass, field

from django.conf import settings
from django.core import mail
from django.core.management import call_command
from django.db import connection, transaction
from django.test import TestCase
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape
from guardian.shortcuts import get_users_with_perms
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from access_log.models import Approval, AuditSession, Review, SampledFile
from consent.models import Consent, Transfer
from consent.models import Disclosure as DisclosureRecord
from families.matching import NO_DBS
from families.models import ClosureReason, Family, Member, PlannedVisit, VolunteerAssignment
from families.models import Visit as VisitRecord
from homestart import keystore
from homestart import services as people_services
from homestart.crypto import KeyUnavailable
from homestart.models import DataKey, Induction, Membership, Scheme, User
from homestart.rules import FileKind, Outcome, Role, Section
from outcomes.models import Assessment, Occasion
from records.backups import backup as records_backup
from records.deadlines import add_months
from records.models import Destruction, DestructionCertificate, RecordKind, RetentionRule, VolunteerFile
from records.models.people import renewal_after
from safeguarding.models import Concern
from tests.conftest import _member
from tests.factories import MembershipFactory, SchemeFactory, UserFactory
from tests.helpers import banner, error_summary

from .clock import Clock
from .conftest import page_budget
from .pages import Browser, Visit, first_option, form_fields, links, options_of, references_in

START = datetime.datetime(2026, 1, 5, 9, 0, tzinfo=datetime.UTC)
# The scheme's own Record Keeping and Retention Policy, as a manager sets it in the admin
# (records.RetentionRule): short periods, so that a simulated year reaches destruction.
RETENTION_YEARS = {RecordKind.FAMILY: 1, RecordKind.SAFEGUARDING: 2}
# Statistics of every run, printed by ``make simulate`` (tests/simulation/test_scheme_year.py).
STATS: dict[str, Counter] = {"rules": Counter(), "pages": Counter(), "checks": Counter(), "findings": Counter()}


def said(user: User, english: str) -> str:
    """``english`` as a page says it to ``user``: in the language they chose (issue 17.8), which
    the walk may have changed, or English where there is no Welsh for it yet."""
    with translation.override(user.language or settings.LANGUAGE_CODE):
        return translation.gettext(str(english))


def choose(items, pick: int):
    items = list(items)
    return items[pick % len(items)]


_letters = itertools.count(1)


def invented_name() -> tuple[str, str]:
    """A carer's first and last name no page would show by accident (letters only)."""
    n, word = next(_letters), ""
    while True:
        n, r = divmod(n, 26)
        word += chr(ord("a") + r)
        if not n:
            break
    return f"Ysolde{word}", f"Quillon{word}"


@dataclass
class FamilyModel:
    reference: str
    pk: object
    scheme: str
    names: tuple[str, str]
    status: str = Family.Status.REFERRED
    closed_on: datetime.date | None = None
    volunteers: set[str] = field(default_factory=set)  # usernames, assignment open now
    past_volunteers: set[str] = field(default_factory=set)
    consents: list = field(default_factory=list)  # ids given and not withdrawn
    open_concerns: list = field(default_factory=list)
    had_concern: bool = False
    destroyed_at: datetime.datetime | None = None
    copy_of: str | None = None  # the reference a transfer copied this file from
    last_scored: str | None = None  # the occasion of the family's latest scores (outcomes/)
    # Destroyed after the backup last restored into a new, empty database was taken: no certificate there.
    certificate_lost: bool = False
    # Visits planned and neither recorded nor missed: planned visit id -> the visitor's role key.
    planned: dict[str, str] = field(default_factory=dict)

    @property
    def destroyed(self) -> bool:
        return self.destroyed_at is not None


@dataclass
class Reading:
    """Files a reviewer, spot-check trustee or auditor may read, and until when."""

    references: set[str] = field(default_factory=set)
    until: dict[str, datetime.datetime] = field(default_factory=dict)  # reference -> end of the window


@dataclass
class World:
    """What the simulation believes is true; copied with each backup, put back on restore."""

    people: dict[str, User] = field(default_factory=dict)  # role key -> person present
    leavers: dict[str, User] = field(default_factory=dict)
    families: dict[str, FamilyModel] = field(default_factory=dict)
    readings: dict[str, Reading] = field(default_factory=dict)  # role key -> files
    proposed: dict[str, object] = field(default_factory=dict)  # reference -> destruction id
    authorised_by: dict[str, set[str]] = field(default_factory=dict)  # reference -> role keys
    dbs_until: dict[str, datetime.date] = field(default_factory=dict)  # volunteer role key -> renewal due


SCHEME_STAFF = ("coordinator", "manager")
RETENTION_PAGES = ("/records/retention/",)
MY_ACCESS = "/my-access/"
READERS = ("spotcheck", "reviewer", "auditor")


class SchemeYear(RuleBasedStateMachine):
    def __init__(self, app_role: str | None = None) -> None:
        super().__init__()
        self.clock = Clock(START).__enter__()
        self._atomic = transaction.atomic()
        self._atomic.__enter__()
        # On PostgreSQL with TEST_APP_ROLE: connected as the owner, acting as the application's role except
        # while restoring a backup (``owner``), which is the operator's work (docs/backups.md).
        self.app_role = app_role if connection.vendor == "postgresql" else None
        self._set_role()
        self.backups: list[tuple[str, World, datetime.datetime]] = []
        self.folder = tempfile.mkdtemp(prefix="simulation-")
        self.w = World()
        self.touched: set[str] = set()
        self.step = 0
        self.browsers: dict[str, Browser] = {}
        self.queue: collections.deque = collections.deque()
        self.queued: set = set()
        self.walked: set = set()
        self.page_budget = page_budget()

    def _set_role(self) -> None:
        if self.app_role:
            with connection.cursor() as cursor:
                cursor.execute(f'SET ROLE "{self.app_role}"')
                cursor.execute("SELECT current_user")
                assert cursor.fetchone()[0] == self.app_role

    @contextlib.contextmanager
    def owner(self):
        """The database owner, for a restore; the application's role again after."""
        if self.app_role:
            with connection.cursor() as cursor:
                cursor.execute("RESET ROLE")
        try:
            yield
        finally:
            self._set_role()

    def teardown(self) -> None:
        try:
            self._restore_check_at_teardown()
        finally:
            if self.app_role:
                with connection.cursor() as cursor:
                    cursor.execute("RESET ROLE")
            transaction.set_rollback(True)
            self._atomic.__exit__(None, None, None)
            self.clock.__exit__(None, None, None)
            shutil.rmtree(self.folder, ignore_errors=True)

    # --- the cast ---------------------------------------------------------------

    @initialize()
    def a_scheme_and_its_people(self) -> None:
        """Wirral's people (as tests/conftest.py makes them), Sefton's coordinator, and a family
        from before the year closed thirteen months ago, its destruction authorised, and another as old
        waiting to be proposed (§8.8)."""
        self.wirral = SchemeFactory(name="Home-Start Wirral", code="WIR")
        self.sefton = SchemeFactory(name="Home-Start Sefton", code="SEF")
        for kind, years in RETENTION_YEARS.items():
            RetentionRule.objects.create(record_kind=kind, years=years, basis="The scheme's retention policy")
        manager = _member(self.wirral, Role.MANAGER, "manager", first_name="Morag", last_name="Manager")
        people = {
            "manager": manager,
            "coordinator": _member(
                self.wirral,
                Role.COORDINATOR,
                "coordinator",
                line_manager=manager,
                first_name="Cora",
                last_name="Coordinator",
            ),
            "safeguarding_lead": _member(self.wirral, Role.SAFEGUARDING_LEAD, "safeguarding"),
            "volunteer:volunteer": _member(self.wirral, Role.VOLUNTEER, "volunteer"),
            "volunteer:volunteer2": _member(self.wirral, Role.VOLUNTEER, "volunteer2"),
            "trustee": _member(self.wirral, Role.TRUSTEE, "trustee"),
            "spotcheck": _member(self.wirral, Role.TRUSTEE, "spotcheck"),
            "reviewer": _member(None, Role.REVIEWER, "reviewer"),
            "auditor": _member(self.wirral, Role.AUDITOR, "auditor"),
            "admin": _member(None, Role.ADMIN, "admin", is_staff=True),
            "sef_coordinator": _member(self.sefton, Role.COORDINATOR, "coordinator2"),
        }
        MembershipFactory(user=people["spotcheck"], scheme=self.wirral, role=Role.SPOT_CHECK_TRUSTEE)
        self.w.people = people
        for role in ("volunteer:volunteer", "volunteer:volunteer2", "coordinator"):
            self._open_person_file(role)
        self.w.readings = {role: Reading() for role in READERS}
        self.joined = itertools.count(1)
        reference = self._refer(received=self.clock.today() - datetime.timedelta(days=500))
        self._close_family(self.w.families[reference], on=self.clock.today() - datetime.timedelta(days=400))
        # Its destruction was proposed and authorised by two people at the last trustees' meeting: the
        # next retention run carries it out.
        self._propose(self.w.families[reference])
        self._authorise(reference, Role.MANAGER)
        self._authorise(reference, Role.TRUSTEE)
        self.first_destruction = reference
        # Another closed as long ago, not yet proposed: the manager proposes it this year.
        reference = self._refer(received=self.clock.today() - datetime.timedelta(days=480))
        self._close_family(self.w.families[reference], on=self.clock.today() - datetime.timedelta(days=390))
        # The night's backup, taken before the authorised destruction is carried out: restored into a new
        # database at the end of every run (``_restore_check_at_teardown``).
        self._backup()
        self._count("a scheme and its people")

    # --- helpers ------------------------------------------------------------------

    def _count(self, rule_name: str) -> None:
        STATS["rules"][rule_name] += 1
        self.step += 1

    def as_(self, role: str) -> Browser:
        return Browser(role, self.w.people[role])

    @property
    def today(self) -> datetime.date:
        return self.clock.today()

    def _wir(self, *, open_=None, destroyed=False) -> list[FamilyModel]:
        found = [f for f in self.w.families.values() if f.scheme == "WIR" and f.destroyed == destroyed]
        if open_ is not None:
            found = [f for f in found if (f.status != Family.Status.CLOSED) == open_]
        return sorted(found, key=lambda f: f.reference)

    def _volunteers(self) -> list[str]:
        return sorted(k for k in self.w.people if k.startswith("volunteer:"))

    def _expect(self, visit: Visit, status: int, doing: str) -> None:
        self._check_visit(visit)
        assert visit.status == status, (
            f"{visit.role} {doing}: {visit.url} answered {visit.status}, not {status}; the page said "
            f"{error_summary(visit.html) or banner(visit.html)}"
        )

    def _refer(self, *, received: datetime.date | None = None) -> str:
        """A referral taken on the New family page by the coordinator (§7.1)."""
        first, last = invented_name()
        coordinator, files_before = self.as_(Role.COORDINATOR), Family.objects.count()
        _, check = coordinator.submit(
            reverse("families:new"),
            source="health_visitor",
            referred_on=(received or self.today).isoformat(),
            referrer_name="Health visitor",
            reasons="Invented reasons",
            family_consented="on",
            first_name=first,
            last_name=last,
            postcode="CH41 1AA",
        )
        # Check your answers (GOV.UK), then open the file: nothing exists before the second step.
        self._expect(check, 200, "checked a referral's answers")
        heading = escape(said(coordinator.user, "Check the referral before the family file is opened"))
        assert heading in check.html and Family.objects.count() == files_before
        answer = coordinator.post(reverse("families:new"), {**form_fields(check.html), "confirm": "yes"})
        self._expect(answer, 302, "took a referral")
        reference = answer.location.rstrip("/").rsplit("/", 1)[-1]
        assert reference not in self.w.families, f"reference {reference} given twice"
        family = Family.objects.get(reference=reference)
        self.w.families[reference] = FamilyModel(reference, family.pk, "WIR", (first, last))
        self.touched.add(reference)
        return reference

    def _open_person_file(self, role: str) -> None:
        """A volunteer's file opened by the coordinator, a coordinator's personnel file by their line
        manager, on the New file pages (§8.3, §8.4): supervision is recorded against it."""
        person = self.w.people[role]
        volunteer = role.startswith("volunteer:")
        url = reverse("records:volunteer_file_new" if volunteer else "records:personnel_file_new")
        # A volunteer's file records their DBS check, areas and languages: matching reads them (issue 15.4).
        details = {"dbs_checked_on": self.today.isoformat(), "areas": "CH41", "languages": "English"}
        _, answer = self.as_("coordinator" if volunteer else "manager").submit(
            url,
            person=str(person.pk),
            full_name=f"Staff member {person.username}",
            started_on=self.today.isoformat(),
            **(details if volunteer else {}),
        )
        self._expect(answer, 302, "opened a person's file")
        if volunteer:
            self.w.dbs_until[role] = renewal_after(self.today)

    def _close_family(self, family: FamilyModel, *, on: datetime.date, pick: int = 0) -> None:
        """The coordinator closes support on the Close page, with a reason and an ending summary (§8.8):
        the volunteers' assignments end with it (§8.5), and the file becomes read-only."""
        _, answer = self.as_(Role.COORDINATOR).submit(
            reverse("families:close", kwargs={"reference": family.reference}),
            closed_on=on.isoformat(),
            reason=choose(ClosureReason.values, pick),
            summary="Invented ending summary",
        )
        self._expect(answer, 302, "closed support")
        family.past_volunteers |= family.volunteers
        family.volunteers = set()
        family.status, family.closed_on = Family.Status.CLOSED, on
        self.touched.add(family.reference)

    def _end_assignment(self, family: FamilyModel, username: str) -> None:
        assignment = VolunteerAssignment.objects.get(
            family_id=family.pk, volunteer__username=username, ended_at__isnull=True
        )
        url = reverse("families:assignment_end", kwargs={"reference": family.reference, "assignment_id": assignment.pk})
        _, answer = self.as_(Role.COORDINATOR).submit(url)
        self._expect(answer, 302, "ended an assignment")
        family.volunteers.discard(username)
        family.past_volunteers.add(username)

    # --- rules: families ------------------------------------------------------------

    @rule()
    def a_family_is_referred(self) -> None:
        self._refer()
        self._count("referral")

    @rule(size=st.integers(1, 3), with_ids=st.booleans())
    def families_imported(self, size: int, with_ids: bool) -> None:
        """The manager brings families in from the scheme's old spreadsheet, as
        ``manage.py import_families`` does, then imports the same file again: the second adds
        nothing (matched by external id, or by surname, postcode and date of birth). The new
        files then live the year like any other (§7.1, §8.6)."""
        from portability.columns import FAMILY_COLUMNS
        from portability.importing import families_import
        from portability.reading import open_table
        from tests.portability.helpers import csv_bytes, family_row

        rows, names = [], []
        for _ in range(size):
            first, last = invented_name()
            n = next(self.joined)
            names.append((first, last))
            rows.append(
                family_row(
                    n,
                    external_id=f"SIM-{n}" if with_ids else "",
                    carer_first_name=first,
                    carer_last_name=last,
                    referral_date=self.today.strftime("%d/%m/%Y"),
                    children="",
                )
            )
        data = csv_bytes(rows)

        def run():
            table = open_table(io.BytesIO(data), FAMILY_COLUMNS)
            return families_import(scheme=self.wirral, actor=self.w.people["manager"], table=table)

        first_time = run()
        assert (first_time.added, first_time.refused) == (size, 0), first_time.errors
        again = run()
        assert (again.added, again.already_there) == (0, size), "an import added a family twice"
        for reference, name in zip(first_time.references, names, strict=True):
            assert reference not in self.w.families, f"reference {reference} given twice"
            family = Family.objects.get(reference=reference)
            self.w.families[reference] = FamilyModel(reference, family.pk, "WIR", name)
            self.touched.add(reference)
        self._count("families imported")

    @precondition(lambda self: self._wir(open_=True))
    @rule(pick=st.integers(0, 999), by_volunteer=st.booleans())
    def visit_recorded(self, pick: int, by_volunteer: bool) -> None:
        family = choose(self._wir(open_=True), pick)
        url = reverse("families:visit_new", kwargs={"reference": family.reference})
        if by_volunteer and family.volunteers:
            role = "volunteer:" + sorted(family.volunteers)[0]
            _, answer = self.as_(role).submit(
                url, kind="support", visited_on=self.today.isoformat(), notes="Played with the children"
            )
        else:
            me = self.w.people["coordinator"]
            _, answer = self.as_(Role.COORDINATOR).submit(
                url, kind="support", visited_on=self.today.isoformat(), visited_by=str(me.pk), notes="Support visit"
            )
        self._expect(answer, 302, "recorded a visit")
        self.touched.add(family.reference)
        self._count("visit recorded")

    def _scorable(self) -> list[FamilyModel]:
        """Wirral's files that take scores now: any open one; a closed one until its final scores."""
        closed = Family.Status.CLOSED
        return [f for f in self._wir(destroyed=False) if f.status != closed or f.last_scored != Occasion.END]

    @precondition(lambda self: self._scorable())
    @rule(pick=st.integers(0, 999), by_volunteer=st.booleans(), end=st.booleans(), score=st.integers(0, 5))
    def scores_recorded(self, pick: int, by_volunteer: bool, end: bool, score: int) -> None:
        """The family scores itself on the outcomes form: the start first, then reviews (the volunteer
        at a visit, or the coordinator), the end by the coordinator, also on the file just closed (§8.5, §8.8)."""
        family = choose(self._scorable(), pick)
        closed = family.status == Family.Status.CLOSED
        if not family.last_scored or family.last_scored == Occasion.END:
            occasion = Occasion.END if closed else Occasion.START
        else:
            occasion = Occasion.END if end or closed else Occasion.REVIEW
        volunteer = by_volunteer and family.volunteers and occasion != Occasion.END
        role = "volunteer:" + sorted(family.volunteers)[0] if volunteer else Role.COORDINATOR
        _, answer = self.as_(role).submit(
            reverse("outcomes:assessment_new", kwargs={"reference": family.reference}),
            occasion=occasion,
            assessed_on=self.today.isoformat(),
            parenting=str(score),
            parent_wellbeing=str(5 - score),
            children_wellbeing="3",
            family_management=str(score // 2),
            needs=["isolation", "money"],
            signposting=["food"],
        )
        self._expect(answer, 302, f"recorded {occasion} scores")
        family.last_scored = occasion
        latest = Assessment.objects.filter(family_id=family.pk).order_by("-recorded_at").first()
        assert latest is not None and latest.occasion == occasion and latest.parenting == score
        self.touched.add(family.reference)
        self._count(f"scores recorded ({occasion})")

    @precondition(lambda self: self._wir(open_=True))
    @rule(pick=st.integers(0, 999), by_volunteer=st.booleans(), review=st.booleans(), days=st.integers(0, 9))
    def visit_planned(self, pick: int, by_volunteer: bool, review: bool, days: int) -> None:
        """A visit planned on the Plan a visit page: by the family's volunteer for themselves, or by the
        coordinator for the volunteer (or themselves); a review visit seeks consent again (§1.2, §8.5)."""
        family = choose(self._wir(open_=True), pick)
        url = reverse("families:visit_plan", kwargs={"reference": family.reference})
        when = {"kind": "review" if review else "support", "planned_on": self.today + datetime.timedelta(days=days)}
        when["planned_on"] = when["planned_on"].isoformat()
        visitor_role = "volunteer:" + sorted(family.volunteers)[0] if family.volunteers else Role.COORDINATOR
        if by_volunteer and family.volunteers:
            _, answer = self.as_(visitor_role).submit(url, planned_at="10:30", **when)
        else:
            visitor = self.w.people[visitor_role]
            _, answer = self.as_(Role.COORDINATOR).submit(url, planned_at="14:00", visitor=str(visitor.pk), **when)
        self._expect(answer, 302, "planned a visit")
        planned = PlannedVisit.objects.filter(family_id=family.pk).order_by("-created_at").first()
        assert planned is not None and planned.visitor == self.w.people[visitor_role]
        family.planned[str(planned.pk)] = visitor_role
        self.touched.add(family.reference)
        self._count("visit planned")

    def _planned_to_close(self, pick: int) -> tuple[FamilyModel, str, str]:
        """A planned visit of an open family, and who closes it: its visitor while they may still open the
        file (a volunteer still assigned, §8.5), otherwise the coordinator."""
        family = choose([f for f in self._wir(open_=True) if f.planned], pick)
        planned_id = sorted(family.planned)[pick % len(family.planned)]
        visitor_role = family.planned[planned_id]
        still_there = visitor_role in self.w.people and (
            not visitor_role.startswith("volunteer:") or visitor_role.split(":", 1)[1] in family.volunteers
        )
        return family, planned_id, visitor_role if still_there else Role.COORDINATOR

    @precondition(lambda self: [f for f in self._wir(open_=True) if f.planned])
    @rule(pick=st.integers(0, 999))
    def planned_visit_recorded(self, pick: int) -> None:
        """The visitor records the planned visit from their week's link: the plan is completed with it."""
        family, planned_id, role = self._planned_to_close(pick)
        url = reverse("families:visit_new", kwargs={"reference": family.reference}) + f"?planned={planned_id}"
        _, answer = self.as_(role).submit(url, notes="The planned visit")
        self._expect(answer, 302, "recorded a planned visit")
        planned = PlannedVisit.objects.get(pk=planned_id)
        assert planned.status == PlannedVisit.Status.COMPLETED and planned.visit is not None
        assert planned.visit.kind == planned.visit_kind
        del family.planned[planned_id]
        self.touched.add(family.reference)
        self._count("planned visit recorded")

    @precondition(lambda self: [f for f in self._wir(open_=True) if f.planned])
    @rule(pick=st.integers(0, 999))
    def planned_visit_missed(self, pick: int) -> None:
        family, planned_id, role = self._planned_to_close(pick)
        url = reverse("families:visit_missed", kwargs={"reference": family.reference, "planned_id": planned_id})
        _, answer = self.as_(role).submit(url, reason="Nobody was in")
        self._expect(answer, 302, "marked a planned visit missed")
        assert PlannedVisit.objects.get(pk=planned_id).status == PlannedVisit.Status.MISSED
        del family.planned[planned_id]
        self.touched.add(family.reference)
        self._count("planned visit missed")

    @precondition(lambda self: self._wir(open_=True))
    @rule(pick=st.integers(0, 999), who=st.integers(0, 99))
    def volunteer_assigned(self, pick: int, who: int) -> None:
        family = choose(self._wir(open_=True), pick)
        free = [k for k in self._volunteers() if k.split(":", 1)[1] not in family.volunteers]
        if not free:
            return
        role = choose(free, who)
        volunteer = self.w.people[role]
        url = reverse("families:assignment_new", kwargs={"reference": family.reference})
        # Matching (issue 15.4): exactly the free volunteers with a current DBS check are suggested.
        page = self.as_(Role.COORDINATOR).get(f"{url}?language=English")
        self._expect(page, 200, "opened the assign page")
        suggested = page.html.split('id="suggested"')[1].split("<h2")[0]
        for key in free:
            current = self.today < self.w.dbs_until.get(key, datetime.date.min)
            shown = f'volunteer={self.w.people[key].pk}"' in suggested
            assert shown == current, f"{key} (DBS until {self.w.dbs_until.get(key)}) suggested: {shown}"
        STATS["checks"]["assign pages suggesting exactly the volunteers with a current DBS check"] += 1
        _, answer = self.as_(Role.COORDINATOR).submit(
            url, volunteer=str(volunteer.pk), starts_on=self.today.isoformat()
        )
        if self.today >= self.w.dbs_until.get(role, datetime.date.min):
            # The scheme's safer-recruitment rule: refused next to the field, nothing assigned.
            self._expect(answer, 200, "was refused a volunteer without a current DBS check")
            assert escape(said(self.w.people[Role.COORDINATOR], NO_DBS)) in answer.html
            self._count("volunteer without a current DBS check refused")
            return
        self._expect(answer, 302, "assigned a volunteer")
        family.volunteers.add(volunteer.username)
        if family.status == Family.Status.REFERRED:
            family.status = Family.Status.ACTIVE
        self.touched.add(family.reference)
        self._count("volunteer assigned")

    @precondition(lambda self: self._volunteers())
    @rule(pick=st.integers(0, 99))
    def volunteer_details_edited(self, pick: int) -> None:
        """The coordinator changes a volunteer's file on its change page: a renewed DBS check (today),
        the areas they reach and their languages (issue 15.4); the file page shows the check current."""
        role = choose(self._volunteers(), pick)
        file = VolunteerFile.objects.get(scheme=self.wirral, person=self.w.people[role])
        url = reverse("records:volunteer_file_edit", kwargs={"reference": file.reference})
        _, answer = self.as_(Role.COORDINATOR).submit(
            url,
            dbs_checked_on=self.today.isoformat(),
            dbs_renewal_due="",
            areas="CH41, CH43",
            languages="English, Polish",
        )
        self._expect(answer, 302, "changed a volunteer's file")
        self.w.dbs_until[role] = renewal_after(self.today)
        page = self.as_(Role.COORDINATOR).get(answer.location)
        self._expect(page, 200, "read the volunteer's file")
        current = said(self.w.people[Role.COORDINATOR], "Current")
        assert f"{current}</strong>" in page.html, f"{file.reference}: the renewed DBS check is not shown current"
        self._count("volunteer details edited")

    @precondition(lambda self: any(f.volunteers for f in self._wir()))
    @rule(pick=st.integers(0, 999))
    def assignment_ended(self, pick: int) -> None:
        family = choose([f for f in self._wir() if f.volunteers], pick)
        self._end_assignment(family, sorted(family.volunteers)[0])
        self.touched.add(family.reference)
        self._count("assignment ended")

    @precondition(lambda self: self._wir(open_=True))
    @rule(pick=st.integers(0, 999))
    def family_closed(self, pick: int) -> None:
        self._close_family(choose(self._wir(open_=True), pick), on=self.today, pick=pick)
        self._count("family closed")

    @precondition(lambda self: [f for f in self._wir(open_=False) if f.reference not in self.w.proposed])
    @rule(pick=st.integers(0, 999))
    def family_reopened(self, pick: int) -> None:
        """The scheme manager reopens a closed file on the Reopen page, saying why (§8.8)."""
        family = choose([f for f in self._wir(open_=False) if f.reference not in self.w.proposed], pick)
        _, answer = self.as_(Role.MANAGER).submit(
            reverse("families:reopen", kwargs={"reference": family.reference}),
            reason="Invented new referral",
        )
        self._expect(answer, 302, "reopened support")
        family.status, family.closed_on = Family.objects.filter(pk=family.pk).values_list("status", "closed_on").get()
        self.touched.add(family.reference)
        self._count("family reopened")

    # --- rules: consent and safeguarding ----------------------------------------------

    def _give_consent(self, family: FamilyModel, **typed) -> object:
        url = reverse("consent:consent_new", kwargs={"reference": family.reference})
        _, answer = self.as_(Role.COORDINATOR).submit(
            url,
            **{
                "given_by": first_option("given_by"),
                "scope": "general",
                "recipient_kind": "referrer",
                "method": "written",
                "given_on": self.today.isoformat(),
                "review_on": (self.today + datetime.timedelta(days=180)).isoformat(),
                **typed,
            },
        )
        self._expect(answer, 302, "recorded a consent")
        consent = Consent.objects.filter(family_id=family.pk).order_by("-created_at").first()
        family.consents.append(consent.pk)
        self.touched.add(family.reference)
        return consent

    @precondition(lambda self: self._wir(open_=True))
    @rule(pick=st.integers(0, 999))
    def consent_given(self, pick: int) -> None:
        self._give_consent(choose(self._wir(open_=True), pick))
        self._count("consent given")

    @precondition(lambda self: any(f.consents for f in self._wir()))
    @rule(pick=st.integers(0, 999))
    def consent_withdrawn(self, pick: int) -> None:
        family = choose([f for f in self._wir() if f.consents], pick)
        consent_id = family.consents.pop(0)
        url = reverse("consent:withdraw", kwargs={"reference": family.reference, "consent_id": consent_id})
        _, answer = self.as_(Role.COORDINATOR).submit(url, withdrawn_on=self.today.isoformat())
        self._expect(answer, 302, "recorded a withdrawal of consent")
        self.touched.add(family.reference)
        self._count("consent withdrawn")

    @precondition(lambda self: self._wir(open_=True))
    @rule(pick=st.integers(0, 999), by_volunteer=st.booleans())
    def concern_raised(self, pick: int, by_volunteer: bool) -> None:
        family = choose(self._wir(open_=True), pick)
        role = "volunteer:" + sorted(family.volunteers)[0] if by_volunteer and family.volunteers else "coordinator"
        url = reverse("safeguarding:concern_new", kwargs={"reference": family.reference})

        def which_child(html: str) -> str | None:
            """One child, or all of them (the last choice); no question on a file without children."""
            choices = [v for v in options_of(html, "about") if v]
            return (choices[0] if pick % 2 else choices[-1]) if choices else None

        page, answer = self.as_(role).submit(
            url,
            about=which_child,
            category="neglect",
            observed="Invented observation",
            observed_on=self.today.isoformat(),
        )
        assert "call 999" in page.html, "the concern form starts with what to do in immediate danger"
        self._expect(answer, 302, "raised a safeguarding concern")
        concern = Concern.objects.filter(family_id=family.pk).order_by("-raised_at").first()
        chosen = which_child(page.html)
        assert str(concern.about_child_id or "all") == (chosen or "all"), "the concern is about the child chosen"
        family.open_concerns.append(concern.pk)
        family.had_concern = True
        self.touched.add(family.reference)
        self._count("concern raised")

    @precondition(lambda self: any(f.open_concerns for f in self._wir()))
    @rule(pick=st.integers(0, 999))
    def concern_closed(self, pick: int) -> None:
        family = choose([f for f in self._wir() if f.open_concerns], pick)
        concern_id = family.open_concerns.pop(0)
        kwargs = {"reference": family.reference, "concern_id": concern_id}
        _, answer = self.as_(Role.SAFEGUARDING_LEAD).submit(
            reverse("safeguarding:concern", kwargs=kwargs), action=reverse("safeguarding:concern_close", kwargs=kwargs)
        )
        self._expect(answer, 302, "closed a concern")
        assert Concern.objects.get(pk=concern_id).status == Concern.Status.CLOSED
        self.touched.add(family.reference)
        self._count("concern closed")

    @precondition(lambda self: self._wir(open_=True))
    @rule(pick=st.integers(0, 999))
    def disclosure_without_consent_approved(self, pick: int) -> None:
        """The safeguarding lead shares without consent (raising the concern it rests on first, if
        none is open); nothing is shared until the manager, a second person, approves on the approval
        page; the register then names the manager (§2.1, §7.4)."""
        family = choose(self._wir(open_=True), pick)
        if not family.open_concerns:
            self.concern_raised(pick, by_volunteer=False)
            family = next(f for f in self._wir(open_=True) if f.reference == family.reference)
        shared = DisclosureRecord.objects.filter(family_id=family.pk)
        before = shared.count()
        _, answer = self.as_(Role.SAFEGUARDING_LEAD).submit(
            reverse("consent:disclosure_new", kwargs={"reference": family.reference}),
            recipient_kind="childrens_services",
            recipient_name="Children's services",
            basis="safeguarding",
            summary="Invented summary of the concern",
            shared_on=self.today.isoformat(),
            justification="A child at risk",
            family_told="not_told",
            not_told_reason="Telling the family now would put the child at greater risk",
        )
        self._expect(answer, 302, "asked to share without consent")
        assert shared.count() == before, "shared before a second person approved (§2.1, §7.4)"
        approval = Approval.objects.filter(family_id=family.pk).order_by("-requested_at").first()
        _, answer = self.as_(Role.MANAGER).submit(
            reverse("access_log:approval", kwargs={"approval_id": approval.pk}), decision="approve"
        )
        self._expect(answer, 302, "approved a disclosure without consent")
        assert shared.count() == before + 1
        assert shared.order_by("-recorded_at").first().approved_by == self.w.people["manager"]
        self.touched.add(family.reference)
        self._count("disclosure approved")

    # --- rules: people ----------------------------------------------------------------

    @rule(by_manager=st.booleans(), pick=st.integers(0, 99))
    def supervision_note(self, by_manager: bool, pick: int) -> None:
        """The manager supervises their line reports; a coordinator the volunteers (§4.2, §5.2)."""
        role = "manager" if by_manager else "coordinator"
        browser = self.as_(role)
        url = reverse("records:supervision")
        page = browser.get(url)
        self._expect(page, 200, "opened supervision")
        people = [value for value in options_of(page.html, "supervisee") if value]
        if not people:
            return
        supervisee = User.objects.get(pk=choose(people, pick))
        # The families discussed: those the volunteer supports (a volunteer reads their own notes, §8.5),
        # or any of the scheme's with a member of staff.
        volunteer = f"volunteer:{supervisee.username}" in self.w.people
        refs = " ".join(
            f.reference for f in self._wir(open_=True) if not volunteer or supervisee.username in f.volunteers
        )
        answer = browser.post(
            url,
            {
                **form_fields(page.html),
                "supervisee": str(supervisee.pk),
                "held_on": self.today.isoformat(),
                "families_discussed": refs,
                "notes": "Invented supervision notes",
            },
        )
        self._expect(answer, 302, "recorded supervision")
        self._count("supervision note")

    @rule(volunteer=st.booleans())
    def someone_joins(self, volunteer: bool) -> None:
        """A new volunteer or coordinator, given access by two people (§8.3): the manager asks (the
        service, as the request form in the admin calls it), a trustee approves on the access requests
        page. Until then the newcomer opens no family."""
        n = next(self.joined)
        username = f"newvolunteer{n}" if volunteer else f"newcoordinator{n}"
        role = f"volunteer:{username}" if volunteer else f"coordinator:{username}"
        user = UserFactory(username=username)
        asked = people_services.membership_request(
            user=user,
            scheme=self.wirral,
            role=Role.VOLUNTEER if volunteer else Role.COORDINATOR,
            actor=self.w.people["manager"],
            line_manager=None if volunteer else self.w.people["manager"],
            reason="Joined the scheme",
        )
        newcomer = Browser(role, user)
        for family in self._wir()[:2]:
            visit = newcomer.get(reverse("families:detail", kwargs={"reference": family.reference}))
            self._check_visit(visit, (set(), set()))
            assert visit.status == 404, f"{username} opened {family.reference} before their access was approved"
            STATS["checks"]["files refused before access was approved"] += 1
        trustee = self.as_(Role.TRUSTEE)
        self._expect(trustee.get(reverse("access_requests")), 200, "opened the access requests")
        answer = trustee.post(reverse("access_request_approve", kwargs={"grant_id": asked.pk}), {})
        self._expect(answer, 302, "approved an access request")
        assert Membership.objects.current().filter(user=user, scheme=self.wirral).exists(), (
            f"{username}'s access was not granted on approval: {banner(trustee.get(answer.location).html)}"
        )
        self.w.people[role] = user
        self._open_person_file(role)
        # Their induction on the policy, recorded by the manager on the inductions page (§3.8, §4.3, §5.3).
        _, answer = self.as_(Role.MANAGER).submit(
            f"{reverse('inductions')}?scheme={self.wirral.code}",
            person=str(user.pk),
            inducted_as=Induction.As.VOLUNTEER if volunteer else Induction.As.STAFF,
            inducted_on=self.today.isoformat(),
            policy_given="on",
            duty_explained="on",
            peer_support_explained="on" if volunteer else None,
        )
        self._expect(answer, 302, "recorded an induction")
        assert Induction.objects.filter(person=user, scheme=self.wirral).exists(), f"{username}'s induction was lost"
        self._count("someone joins")

    @precondition(lambda self: [k for k in self.w.people if ":" in k])
    @rule(pick=st.integers(0, 99))
    def address_changed(self, pick: int) -> None:
        """A person's e-mail address is changed: set-password links go to it, so it is only asked for
        (the service, as the admin's change form calls it) and changes when a trustee approves (§8.3)."""
        role = choose(sorted(k for k in self.w.people if ":" in k), pick)
        user = self.w.people[role]
        before = user.email
        new = f"{user.username}.{next(self.joined)}@example.org"
        asked = people_services.email_change_request(user=user, email=new, actor=self.w.people["manager"])
        user.refresh_from_db()
        assert user.email == before, f"{user.username}'s address changed before a second person approved"
        trustee = self.as_(Role.TRUSTEE)
        answer = trustee.post(reverse("access_request_approve", kwargs={"grant_id": asked.pk}), {})
        self._expect(answer, 302, "approved a new e-mail address")
        user.refresh_from_db()
        assert user.email == new, f"{user.username}'s new address was not applied on approval"
        self._count("address changed")

    @rule(pick=st.integers(0, 99), welsh=st.booleans())
    def language_chosen(self, pick: int, welsh: bool) -> None:
        """Someone chooses Welsh or English on the language page (issue 17.8): kept on them, and every
        page the walk shows them from now on is drawn in it (a page that fails in Welsh fails here)."""
        role = choose(sorted(self.w.people), pick)
        code = "cy" if welsh else "en-gb"
        answer = self._browser(role).post(reverse("language"), {"language": code})
        self._expect(answer, 302, "chose the language of the pages")
        user = self.w.people[role]
        user.refresh_from_db()
        assert user.language == code, f"{user.username}'s choice of language was not kept"
        page = self._browser(role).get(reverse("account"))
        self._expect(page, 200, "opened their account")
        assert f'<html lang="{code}"' in page.html, f"{user.username} chose {code} and was not shown it"
        self._count("language chosen")

    @precondition(lambda self: [k for k in self.w.people if ":" in k])
    @rule(pick=st.integers(0, 99))
    def someone_leaves(self, pick: int) -> None:
        """A volunteer or coordinator leaves: their families' assignments end on the page first, then the
        membership ends (the service, as the admin calls it; taking access away is one step)."""
        role = choose(sorted(k for k in self.w.people if ":" in k), pick)
        user = self.w.people[role]
        for family in self._wir():
            if user.username in family.volunteers:
                self._end_assignment(family, user.username)
        for membership in Membership.objects.current().filter(user=user):
            people_services.membership_end(membership=membership, actor=None)
        self.w.leavers[role] = self.w.people.pop(role)
        self._count("someone leaves")

    # --- rules: reviews and audits (§8.3, §9.1, §10.1) ----------------------------------

    def _sign_and_read(self, role: str, references: list[str], until: datetime.datetime) -> None:
        browser = self.as_(role)
        reading = self.w.readings[role]
        for reference in references:
            sign = reverse("access_log:sign", kwargs={"kind": FileKind.FAMILY, "reference": reference})
            page = browser.get(sign)
            self._check_visit(page)
            if page.status == 200:
                answer = browser.post(
                    sign, {**form_fields(page.html), "signed_name": "Invented Name", "declared": "on"}
                )
                self._check_visit(answer)
            reading.references.add(reference)
            reading.until[reference] = max(until, reading.until.get(reference, until))

    @precondition(lambda self: self._wir())
    @rule(national=st.booleans())
    def review_with_sample(self, national: bool) -> None:
        """An HSUK review (national) or a trustee's spot check: a sample drawn on the page, the Record
        of Access signed for each sampled family file, then the files read (§8.3, §9.1)."""
        role = "reviewer" if national else "spotcheck"
        typed = {"scheme": str(self.wirral.pk), "sample_size": "2", "volunteer_files": "0", "days": "14"}
        if national:
            typed["personnel_files"] = "0"
        browser = self.as_(role)
        for review in Review.objects.open_now().filter(reviewer=self.w.people[role]):
            # One open review of a scheme at a time: the last one is closed on its page first, and its
            # files can no longer be opened.
            url = reverse("access_log:review_close", kwargs={"review_id": review.pk})
            self._expect(browser.post(url, {}), 302, "closed a review")
            for reference in review.files.filter(file_kind=FileKind.FAMILY).values_list("file_reference", flat=True):
                self.w.readings[role].until[reference] = self.clock.now()
        _, answer = browser.submit(reverse("access_log:review_new"), **typed)
        self._expect(answer, 302, "drew a sample")
        review = Review.objects.filter(reviewer=self.w.people[role]).order_by("-created_at").first()
        references = list(
            SampledFile.objects.filter(review=review, file_kind=FileKind.FAMILY).values_list(
                "file_reference", flat=True
            )
        )
        self._sign_and_read(role, references, review.closes_at)
        self._count("HSUK review" if national else "spot check")

    @precondition(lambda self: self._wir())
    @rule(pick=st.integers(0, 999))
    def audit_session(self, pick: int) -> None:
        """The coordinator opens a supervised audit session for the external auditor (§10.1)."""
        families = self._wir()
        references = sorted({choose(families, pick).reference, choose(families, pick + 1).reference})
        auditor = self.w.people["auditor"]
        _, answer = self.as_(Role.COORDINATOR).submit(
            reverse("access_log:audit_session_new"),
            auditor=str(auditor.pk),
            references=" ".join(references),
            signed_name="Cora Coordinator",
            declared="on",
        )
        self._expect(answer, 302, "opened an audit session")
        session = AuditSession.objects.filter(auditor=auditor).order_by("-opened_at").first()
        self._sign_and_read(Role.AUDITOR, references, session.expires_at)
        self._count("audit session")

    # --- rules: transfers (§9.2, §9.3) -----------------------------------------------

    @precondition(lambda self: self._wir(open_=True))
    @rule(pick=st.integers(0, 999))
    def transfer_to_other_scheme(self, pick: int) -> None:
        """The family moves to Sefton and consents to Sefton receiving its file; the coordinator
        transfers members, contact details and the referral."""
        family = choose(self._wir(open_=True), pick)
        self._give_consent(family, recipient_kind="new_scheme", recipient_name=self.sefton.name)
        _, answer = self.as_(Role.COORDINATOR).submit(
            reverse("consent:transfer_new", kwargs={"reference": family.reference}),
            destination="same",
            to_scheme=str(self.sefton.pk),
            sections=[Section.MEMBERS, Section.CONTACT, Section.REFERRAL],
            summary="Moving to Sefton",
            family_told="told",
            family_told_on=self.today.isoformat(),
        )
        self._expect(answer, 302, "transferred a family")
        new = Transfer.objects.filter(family_id=family.pk).order_by("-created_at").first().new_family
        assert new.reference not in self.w.families, f"reference {new.reference} given twice"
        self.w.families[new.reference] = FamilyModel(
            new.reference, new.pk, "SEF", family.names, copy_of=family.reference
        )
        self.touched |= {family.reference, new.reference}
        self._count("transfer")

    @rule()
    def coordinator_pages_through_the_list(self) -> None:
        """The coordinator's list of all the scheme's families, walked by its Next links from a
        key (issue 18): every Wirral family on exactly one page, newest first, the destroyed as
        tombstones, none of another scheme's (§8.3, §8.8); and the same pages by Previous."""
        import re

        browser, shown, url = self.as_(Role.COORDINATOR), [], reverse("families:dashboard") + "?show=all"
        pages = []
        while url:
            visit = browser.get(url)
            self._expect(visit, 200, "walking the family list")
            rows = re.findall(r'<a class="govuk-link app-reference" href="/families/([\w-]+)/"', visit.html)
            rows += re.findall(r'<span class="app-reference">([\w-]+)</span> <strong', visit.html)  # tombstones
            pages.append(visit.html)
            shown += rows
            found = re.search(r'href="(\?show=all&amp;after=[\w-]+&amp;at=\d+)" rel="next"', visit.html)
            url = reverse("families:dashboard") + found.group(1).replace("&amp;", "&") if found else ""
            assert len(pages) <= 1 + len(self.w.families) // 25, "the list's Next links go round in a circle"
        wirral = {f.reference for f in self._wir()} | {f.reference for f in self._wir(destroyed=True)}
        assert len(shown) == len(set(shown)), f"a family on two pages: {shown}"
        newest_first = sorted(shown, key=lambda r: int(r.rsplit("-", 1)[1]), reverse=True)
        assert shown == newest_first, f"not newest first: {shown}"
        assert set(shown) >= {f.reference for f in self._wir()}, f"a family missing from the list: {shown}"
        assert set(shown) <= wirral, f"another scheme's family on the list: {sorted(set(shown) - wirral)}"
        STATS["checks"]["family lists walked by key"] += 1
        self._count("family list walked by key")

    # --- rules: time and retention (§8.8) ---------------------------------------------

    @rule()
    def reminders_sent(self) -> None:
        """The daily reminders run (send_reminders): each reminder once — straight after, a dry run
        finds nothing left to send. What they send is checked by the invariant (§8.6)."""
        out = io.StringIO()
        call_command("send_reminders", stdout=out)
        STATS["checks"]["reminders sent"] += sum(1 for line in out.getvalue().splitlines() if line.startswith("  - "))
        again = io.StringIO()
        call_command("send_reminders", "--dry-run", stdout=again)
        assert "Would send 0 reminder(s)" in again.getvalue(), f"a reminder would be sent twice: {again.getvalue()}"
        self._count("reminders sent")

    @rule(days=st.one_of(st.integers(1, 30), st.integers(1, 6).map(lambda m: 30 * m), st.integers(365, 400)))
    def time_passes(self, days: int) -> None:
        self.clock.advance(datetime.timedelta(days=days))
        self.browsers = {}  # sessions expire: everyone signs in again
        STATS["checks"]["days simulated"] += days
        self._count("time passes")

    def _due(self) -> list[FamilyModel]:
        due = []
        for family in self._wir(open_=False):
            kind = RecordKind.SAFEGUARDING if family.had_concern else RecordKind.FAMILY
            if add_months(family.closed_on, 12 * RETENTION_YEARS[kind]) <= self.today:
                due.append(family)
        return [f for f in due if f.reference not in self.w.proposed]

    @precondition(lambda self: self._due())
    @rule(pick=st.integers(0, 999))
    def retention_proposed(self, pick: int) -> None:
        self._propose(choose(self._due(), pick))
        self._count("retention proposed")

    def _propose(self, family: FamilyModel) -> None:
        browser = self.as_(Role.MANAGER)
        self._expect(browser.get(reverse("records:retention")), 200, "opened the retention page")
        answer = browser.post(
            reverse("records:retention_propose"), {"kind": FileKind.FAMILY, "file_id": str(family.pk)}
        )
        self._expect(answer, 302, "proposed a destruction")
        destruction = Destruction.objects.get(file_id=family.pk, status=Destruction.Status.PROPOSED)
        self.w.proposed[family.reference] = destruction.pk
        self.w.authorised_by[family.reference] = set()

    def _authorise(self, reference: str, role: str) -> None:
        url = reverse("records:destruction_authorise", kwargs={"destruction_id": self.w.proposed[reference]})
        self._expect(self.as_(role).post(url, {}), 302, "authorised a destruction")
        self.w.authorised_by[reference].add(role)

    @precondition(lambda self: [r for r, who in self.w.authorised_by.items() if len(who) < 2])
    @rule(pick=st.integers(0, 999), trustee=st.booleans())
    def destruction_authorised(self, pick: int, trustee: bool) -> None:
        """Two people authorise: the manager and a trustee, on the retention page (§8.8)."""
        reference = choose(sorted(r for r, who in self.w.authorised_by.items() if len(who) < 2), pick)
        who = self.w.authorised_by[reference]
        role = "trustee" if (trustee and "trustee" not in who) or "manager" in who else "manager"
        self._authorise(reference, role)
        self._count("destruction authorised")

    @rule()
    def retention_run(self) -> None:
        """The nightly retention run (``run_retention --as manager``) carries out what two people authorised."""
        # The key store shreds a destroyed key once the destroying transaction commits: here, now.
        with TestCase.captureOnCommitCallbacks(execute=True):
            call_command(
                "run_retention", "--as", self.w.people["manager"].username, stdout=io.StringIO(), stderr=io.StringIO()
            )
        for reference, who in list(self.w.authorised_by.items()):
            if len(who) != 2:
                continue
            status = Destruction.objects.get(pk=self.w.proposed[reference]).status
            # Carried out, or cancelled because the file was reopened since its proposal (a restore can
            # bring back a closing the register's proposal does not match): never left waiting.
            assert status in (Destruction.Status.DONE, Destruction.Status.CANCELLED), (reference, status)
            if status == Destruction.Status.DONE:
                self.w.families[reference].destroyed_at = self.clock.now()
                STATS["findings"]["families destroyed"] += 1
            else:
                STATS["findings"]["destructions cancelled: reopened since proposed"] += 1
            del self.w.authorised_by[reference]
            del self.w.proposed[reference]
            self.touched.add(reference)
        self._count("retention run")

    # --- rules: backups ------------------------------------------------------------------

    @rule()
    def backup_taken(self) -> None:
        self._backup()
        self._count("backup taken")

    def _backup(self) -> None:
        path = f"{self.folder}/backup-{len(self.backups)}.hsb"
        records_backup.backup_write(path)
        self.backups.append((path, copy.deepcopy(self.w), self.clock.now()))

    @precondition(lambda self: self.backups)
    @rule(pick=st.integers(0, 99))
    def backup_restored(self, pick: int) -> None:
        """Disaster recovery: an older backup restored over the live database. The world goes back to
        what it was then, except that every family destroyed since stays destroyed (§8.8)."""
        path, then, _at = choose(self.backups, pick)
        self._restore(path, then)
        self._count("backup restored")

    def _restore(self, path: str, then: World, *, fresh: bool = False) -> None:
        """Restore ``path`` over the live database, or (``fresh``) into a new, empty one, as
        tests/records/test_backup.py does."""
        destroyed = {r: f.destroyed_at for r, f in self.w.families.items() if f.destroyed}
        with self.owner():
            if fresh:
                if connection.vendor == "postgresql":  # the deferred checks run before emptying
                    connection.cursor().execute("SET CONSTRAINTS ALL IMMEDIATE")
                call_command("flush", "--no-input", stdout=io.StringIO())
                assert not Family.objects.exists() and not DataKey.objects.exists()
            with TestCase.captureOnCommitCallbacks(execute=True):
                call_command("restore", path, "--yes", stdout=io.StringIO())
        self.w = copy.deepcopy(then)
        self.browsers = {}  # a restore signs everyone out
        self._register_from_database()
        for reference, at in destroyed.items():
            if reference in self.w.families:
                if fresh and not self.w.families[reference].destroyed:
                    # Over the live database the restore writes the destruction register and certificates
                    # back (docs/backups.md); a new database has none but what the backup held.
                    self.w.families[reference].certificate_lost = True
                self.w.families[reference].destroyed_at = at
                self.w.proposed.pop(reference, None)
                self.w.authorised_by.pop(reference, None)
        self.touched |= set(destroyed)

    def _register_from_database(self) -> None:
        """After a restore the destruction register is the live one written back over the backup's
        (docs/backups.md), or the backup's in a new database: the model's proposals follow it."""
        role_of = {user.pk: role for role, user in {**self.w.people, **self.w.leavers}.items()}
        self.w.proposed, self.w.authorised_by = {}, {}
        waiting = (Destruction.Status.PROPOSED, Destruction.Status.AUTHORISED)
        for destruction in Destruction.objects.filter(file_kind=FileKind.FAMILY, status__in=waiting):
            family = self.w.families.get(destruction.file_reference)
            if family is None or family.destroyed:
                continue
            self.w.proposed[family.reference] = destruction.pk
            self.w.authorised_by[family.reference] = {
                role_of[pk] for pk in (destruction.first_authorised_by_id, destruction.second_authorised_by_id) if pk
            }

    def _restore_check_at_teardown(self) -> None:
        """A backup taken before a family's destruction, restored into a new, empty database, does not
        bring it back: its key is gone from the key store, so nothing of it reads, while every other family
        in that backup reads in full (§8.8, §8.2)."""
        first = getattr(self, "first_destruction", None)
        if first in self.w.authorised_by and len(self.w.authorised_by[first]) == 2:
            self.retention_run()  # the authorised destruction of the family from before the year, carried out
        for path, then, at in self.backups:
            destroyed_since = {f.reference for f in self.w.families.values() if f.destroyed and f.destroyed_at > at}
            if not destroyed_since & set(then.families):
                continue
            self._restore(path, then, fresh=True)
            for family in self.w.families.values():
                row = Family.objects.with_keys().get(pk=family.pk)
                carers = list(
                    Member.objects.filter(family_id=family.pk, kind=Member.Kind.ADULT).select_related("family")
                )
                if family.destroyed:
                    assert not keystore.exists(row.data_key_id), f"{family.reference}'s key is in the key store"
                    for read in (lambda: row.postcode, *[(lambda m=m: m.first_name) for m in carers]):
                        try:
                            read()
                        except KeyUnavailable:
                            continue
                        raise AssertionError(f"{family.reference} was destroyed and reads after a restore")
                    STATS["checks"]["destroyed families unreadable in a restored database"] += 1
                else:
                    assert family.names[0] in {m.first_name for m in carers}, f"{family.reference} lost its carer"
                    STATS["checks"]["other families read in a restored database"] += 1
            self.everything_holds()
            return

    # --- invariants ------------------------------------------------------------------------

    @invariant()
    def everything_holds(self) -> None:
        if not hasattr(self, "wirral"):
            return
        self.walked = set()
        self._integrity()
        self._destroyed_are_unreadable()
        self._closed_files_are_read_only()
        self._no_email_names_a_family()
        self._walk()
        self.touched = set()

    def _no_email_names_a_family(self) -> None:
        """No e-mail the product sent — reminders, notices — holds a family's name (§8.6)."""
        names = {name for family in self.w.families.values() for name in family.names}
        for message in mail.outbox:
            text = f"{message.subject}\n{message.body}"
            named = sorted(name for name in names if name in text)
            assert not named, f"an e-mail to {message.to} names a family: {named}"
        STATS["checks"]["e-mails checked for family names"] = len(mail.outbox)

    def _browser(self, role: str) -> Browser:
        """One signed-in browser per person until time moves or a restore signs everyone out."""
        if role not in self.browsers:
            self.browsers[role] = Browser(role, self.w.people.get(role) or self.w.leavers[role])
        return self.browsers[role]

    def _allowed(self, role: str) -> tuple[set[str], set[str]]:
        """(references, names) this person may be shown."""
        families = self.w.families
        if role in self.w.leavers:
            refs: set[str] = set()
        elif role in (Role.MANAGER, Role.SAFEGUARDING_LEAD) or role.startswith("coordinator"):
            refs = {r for r, f in families.items() if f.scheme == "WIR"}
        elif role == "sef_coordinator":
            refs = {r for r, f in families.items() if f.scheme == "SEF"}
        elif role.startswith("volunteer:"):
            name = role.split(":", 1)[1]
            refs = {r for r, f in families.items() if name in f.volunteers}
        elif role in READERS:
            refs = set(self.w.readings[role].references)
        else:  # trustee, administrator
            refs = set()
        names = {n for r in refs if r in families and not families[r].destroyed for n in families[r].names}
        return refs, names

    def _check_visit(self, visit: Visit, allowed: tuple[set[str], set[str]] | None = None) -> None:
        STATS["pages"][visit.role.split(":", 1)[0]] += 1
        if visit.status >= 500:
            raise AssertionError(f"{visit.role}: {visit.url} answered {visit.status}: {visit.exception!r}")
        if allowed is None or not visit.html:
            return
        refs, names = allowed
        # Only references of real files count: hint texts give made-up examples ("WIR-0042").
        shown = (references_in(visit.html) & set(self.w.families)) - refs
        if visit.url == MY_ACCESS:
            # People's own access log lists what they opened and tried to open, by reference: theirs to know.
            shown = set()
        if visit.url.startswith(RETENTION_PAGES) and visit.role in (Role.TRUSTEE, "spotcheck", Role.MANAGER):
            # Trustees authorise destructions (§8.8): the retention pages name the closed files, by reference.
            # And the register names the files ever proposed, even one reopened since (§8.8).
            shown -= {r for r, f in self.w.families.items() if f.scheme == "WIR" and f.status == Family.Status.CLOSED}
            shown -= set(Destruction.objects.values_list("file_reference", flat=True))
        assert not shown, f"{visit.role} was shown {sorted(shown)} on {visit.url}"
        every_name = {n for f in self.w.families.values() for n in f.names}
        leaked = [n for n in every_name - names if n in visit.html]
        assert not leaked, f"{visit.role} was shown the names {leaked} on {visit.url}"
        STATS["checks"]["pages checked for other families"] += 1

    def _file_pages(self, role: str, reference: str) -> list[str]:
        """The pages of one family's file this person may open."""
        kwargs = {"reference": reference}
        if role == Role.SAFEGUARDING_LEAD:
            return [reverse("safeguarding:family", kwargs=kwargs)]
        pages = [reverse("families:detail", kwargs=kwargs)]
        if role in SCHEME_STAFF or role.startswith("coordinator") or role == "sef_coordinator":
            pages += [
                reverse(name, kwargs=kwargs)
                for name in ("consent:overview", "safeguarding:family", "families:history", "outcomes:family")
            ]
        elif role.startswith("volunteer:"):
            # What the family chose to work on, not its scores or its own words (§8.5).
            pages.append(reverse("outcomes:family", kwargs=kwargs))
        return pages

    def _denied(self, role: str, refs: set[str]) -> list[str]:
        """Families this person may not know, to knock on: a volunteer's past families, another scheme's."""
        others = sorted(r for r, f in self.w.families.items() if r not in refs and not f.destroyed)
        if role == "sef_coordinator":
            # Sefton never held Wirral's destroyed families: not even their tombstones (404, §8.8).
            gone = sorted(r for r, f in self.w.families.items() if f.destroyed and f.scheme == "WIR")
            others = others[:1] + gone[:1]
        if role.startswith("volunteer:"):
            name = role.split(":", 1)[1]
            return [r for r in others if name in self.w.families[r].past_volunteers]
        if role in (Role.TRUSTEE, "sef_coordinator", Role.ADMIN) or role in self.w.leavers:
            return others[:2] if role == "sef_coordinator" else others[:1]
        return []

    def _walk(self) -> None:
        """Every person present: their landing page, every link on it, the pages of every family they may
        know, and a knock on the door of families they may not. What this step touched is walked now, for
        everyone who may know it; the rest waits in a rotating queue of which ``page_budget`` pages are
        walked each step (all of it when the budget is 0)."""
        roles = sorted(self.w.people) + sorted(self.w.leavers)
        allowed = {role: self._allowed(role) for role in roles}
        for role in roles:
            self._enqueue(role, "/")
            # Everyone's week (their own planned visits) and the agenda (the staff's; 404 for others).
            self._enqueue(role, reverse("families:this_week"))
            self._enqueue(role, reverse("families:agenda"))
            if role == Role.TRUSTEE:
                # The outcome figures by financial year, suppressed, naming no family (§3.2, §8.9).
                self._enqueue(role, reverse("reporting:outcome_statistics"))
            for reference in sorted(allowed[role][0]):
                for url in self._file_pages(role, reference):
                    self._enqueue(role, url, reference)
            for reference in self._denied(role, allowed[role][0]):
                self._enqueue(role, reverse("families:detail", kwargs={"reference": reference}), reference, True)
        now: list[tuple[str, str, str | None, bool]] = []
        for role in roles:
            refs = allowed[role][0]
            for reference in sorted(self.touched & refs):
                pages = self._file_pages(role, reference)
                # The coordinator opens every page of what changed; everyone else its first page now,
                # the rest in turn.
                now += [(role, url, reference, False) for url in (pages if role == Role.COORDINATOR else pages[:1])]
            if self.touched & refs and role in (Role.COORDINATOR, "sef_coordinator"):
                now.append((role, reverse("families:dashboard"), None, False))  # the Families page lists what changed
                now.append((role, reverse("families:agenda"), None, False))
            if self.touched & refs and (role.startswith("volunteer:") or role == Role.COORDINATOR):
                now.append((role, reverse("families:this_week"), None, False))
        for entry in now:
            self._visit_entry(entry, allowed)
        budget = self.page_budget or len(self.queue)
        for _ in range(min(budget, len(self.queue))):
            entry = self.queue.popleft()
            if entry[0] in roles:
                self.queue.append(entry)
                self._visit_entry(entry, allowed)
            else:
                self.queued.discard(entry)

    def _enqueue(self, role: str, url: str, reference: str | None = None, denied: bool = False) -> None:
        entry = (role, url, reference, denied)
        if entry not in self.queued:
            self.queued.add(entry)
            self.queue.append(entry)

    def _visit_entry(self, entry: tuple[str, str, str | None, bool], allowed: dict) -> None:
        role, url, reference, denied = entry
        if (role, url) in self.walked:
            return
        self.walked.add((role, url))
        browser = self._browser(role)
        found = browser.get(url)
        self._check_visit(found, allowed[role])
        if url == "/":
            hops = 0
            while found.status == 302 and found.location.startswith("/") and hops < 3:
                found = browser.get(found.location)
                self._check_visit(found, allowed[role])
                hops += 1
            for link in links(found.html):
                self._enqueue(role, link)
        family = self.w.families.get(reference) if reference else None
        if denied:
            assert found.status in (404, 302), f"{role} opened {url}, which the policy denies them"
            STATS["checks"]["files knocked on and refused"] += 1
        elif family is not None and not family.destroyed and found.status == 200:
            user_id = browser.user.pk
            opened = [
                e
                for e in found.events
                if e.file_reference == reference and e.user_id == user_id and e.outcome == Outcome.ALLOWED
            ]
            assert opened, f"{role} opened {url} and no access event was written (§9.1)"
            STATS["checks"]["file openings with their access event"] += 1
        if role in READERS and family is not None and not family.destroyed and not denied:
            # A reviewer or auditor reads a file while the window is open (after signing), and not after.
            until = self.w.readings[role].until.get(reference)
            if until is not None and self.clock.now() < until - datetime.timedelta(minutes=1):
                assert found.status == 200, f"{role} could not open {url} during their review or session"
            elif until is not None and self.clock.now() > until + datetime.timedelta(minutes=1):
                assert found.status in (404, 302), f"{role} opened {url} after their review or session ended"
            STATS["checks"]["review and audit windows checked"] += 1
        if family is not None and family.destroyed:
            # Its tombstone (410) to those who could have opened it, 404 to anyone else; never a page of it,
            # never a name (the names are checked above) (§8.8).
            expected = (404,) if denied else (404, 410)
            assert found.status in expected, f"{role}: destroyed {reference}'s {url} answered {found.status}"
            STATS["checks"]["destroyed family pages opened"] += 1

    def _closed_files_are_read_only(self) -> None:
        """A closed file this step touched refuses a new visit, whoever sends it (no Visit row is written),
        and its former volunteers open nothing of it (§8.5, §8.8)."""
        for family in self._wir(open_=False):
            if family.reference not in self.touched:
                continue
            url = reverse("families:visit_new", kwargs={"reference": family.reference})
            before = VisitRecord.objects.filter(family_id=family.pk).count()
            answer = self._browser(Role.COORDINATOR).post(
                url,
                {
                    "kind": "support",
                    "visited_on": self.today.isoformat(),
                    "visited_by": str(self.w.people["coordinator"].pk),
                    "notes": "A visit after closing",
                },
            )
            self._check_visit(answer)
            assert answer.status in (302, 403, 404), f"a visit to closed {family.reference} answered {answer.status}"
            assert VisitRecord.objects.filter(family_id=family.pk).count() == before, (
                f"closed {family.reference} took a new visit"
            )
            for username in sorted(family.past_volunteers):
                role = f"volunteer:{username}"
                if role not in self.w.people:
                    continue
                for page in (reverse("families:detail", kwargs={"reference": family.reference}), url):
                    visit = self._browser(role).get(page)
                    self._check_visit(visit, self._allowed(role))
                    assert visit.status == 404, f"{username} opened {page} of closed {family.reference}"
            STATS["checks"]["closed files refusing a visit"] += 1

    def _destroyed_are_unreadable(self) -> None:
        for family in self.w.families.values():
            if not family.destroyed:
                continue
            key = DataKey.objects.get(pk=Family.objects.filter(pk=family.pk).values_list("data_key", flat=True).get())
            assert key.destroyed_at is not None and not keystore.exists(key.pk), f"{family.reference}'s key survives"
            if family.certificate_lost:
                # Restored from a backup older than the destruction: its certificate was not in it.
                assert not DestructionCertificate.objects.filter(file_id=family.pk).exists(), family.reference
            else:
                assert DestructionCertificate.objects.filter(file_id=family.pk).exists(), family.reference
            STATS["checks"]["destroyed keys checked"] += 1

    def _integrity(self) -> None:
        """Nothing half-written: each check is a rule the database alone cannot hold."""
        families = list(Family.objects.values("pk", "reference", "scheme__code", "status", "closed_on", "data_key"))
        references = [f["reference"] for f in families]
        assert len(references) == len(set(references)), "a reference was given twice"
        model = {r for r in self.w.families}
        assert set(references) == model, (
            f"families differ: extra {set(references) - model}, missing {model - set(references)}"
        )
        with_referral = set(Family.objects.filter(referrals__isnull=False).values_list("reference", flat=True))
        with_carer = set(Family.objects.filter(members__kind="adult").values_list("reference", flat=True))
        for row in families:
            expected = self.w.families[row["reference"]]
            assert row["data_key"] is not None, f"{row['reference']} has no data key"
            assert row["reference"] in with_referral, f"{row['reference']} has no referral (§7.1)"
            assert row["reference"] in with_carer, f"{row['reference']} has no parent or carer"
            assert row["scheme__code"] == expected.scheme, row["reference"]
            assert (row["status"] == Family.Status.CLOSED) == (row["closed_on"] is not None), row["reference"]
            assert row["status"] == expected.status, f"{row['reference']} is {row['status']}, not {expected.status}"
        # Object permissions follow assignments: a volunteer holds the minimal view exactly while assigned (§8.5).
        for family in self.w.families.values():
            if family.destroyed:
                continue
            holders = set(
                get_users_with_perms(
                    Family(pk=family.pk, scheme_id=0),
                    only_with_perms_in=["view_family_minimal"],
                    with_group_users=False,
                ).values_list("username", flat=True)
            )
            open_ = set(
                VolunteerAssignment.objects.filter(family_id=family.pk, ended_at__isnull=True).values_list(
                    "volunteer__username", flat=True
                )
            )
            assert holders == open_ == family.volunteers, (family.reference, holders, open_, family.volunteers)
        for destruction in Destruction.objects.filter(status=Destruction.Status.DONE):
            assert DestructionCertificate.objects.filter(destruction=destruction).exists(), destruction.file_reference
        assert not Scheme.objects.filter(
            code="WIR", next_family_number__lte=len(self._wir()) + len(self._wir(destroyed=True))
        ).exists(), "the next reference would repeat one"
        STATS["checks"]["integrity checks"] += 1

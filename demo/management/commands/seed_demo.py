"""Create the demo schemes, people and families. Idempotent; refused in production.

Every family is invented. Names and postcodes go in through the same services a
coordinator uses, so they are encrypted, have history and leave access events.
"""

from __future__ import annotations

import datetime
import random

from django.conf import settings
from django.contrib.auth.models import Permission
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from access_log import approvals, gate
from access_log import services as access_services
from access_log.models import Review
from consent import services as consent_services
from consent.models import Consent, Disclosure, RecipientKind, Scope
from consent.sharing import Recipient
from families import planning
from families import services as family_services
from families.models import ClosureReason, Family, Group, Member, PlannedVisit, Referral, Visit
from homestart import services as people_services
from homestart.models import AccessRequest, Membership, Scheme, User
from homestart.rules import FileKind, Role, Section
from homestart.writes import save_tracked
from outcomes import services as outcome_services
from outcomes.models import Area, Occasion, Service
from records.breaches import services as breach_services
from records.deadlines import add_months
from records.models import Breach, PersonnelFile, SubjectAccessRequest, SupervisionNote, VolunteerFile
from records.people import services as people_records
from records.subject_access import services as sar_services
from reporting import services as reporting_services
from reporting.models import BoardMeeting, CaseStudy
from safeguarding import services as safeguarding_services
from safeguarding.models import Concern

DEMO_PASSWORD = "homestart-demo"

SCHEMES = [("Home-Start Wirral", "WIR"), ("Home-Start Sefton", "SEF")]

# username, scheme code (None = national), roles, line manager username
DEMO_USERS: list[tuple[str, str | None, list[str], str | None]] = [
    ("manager", "WIR", [Role.MANAGER], None),
    ("coordinator", "WIR", [Role.COORDINATOR], "manager"),
    ("safeguarding", "WIR", [Role.SAFEGUARDING_LEAD], "manager"),
    ("volunteer", "WIR", [Role.VOLUNTEER], "coordinator"),
    ("volunteer2", "WIR", [Role.VOLUNTEER], "coordinator"),
    ("trustee", "WIR", [Role.TRUSTEE], None),
    ("spotcheck", "WIR", [Role.TRUSTEE, Role.SPOT_CHECK_TRUSTEE], None),
    ("reviewer", None, [Role.REVIEWER], None),
    ("auditor", "WIR", [Role.AUDITOR], None),
    ("admin", None, [Role.ADMIN], None),
    # A second administrator: approves national grants the first one asks for (§7.6, §8.3).
    ("admin2", None, [Role.ADMIN], None),
    ("coordinator2", "SEF", [Role.COORDINATOR], None),
]

# The demo users' names: history pages and signatures show people by name, never by username.
DEMO_NAMES = {
    "manager": ("Maggie", "Lingham"),
    "coordinator": ("Cora", "Prenton"),
    "safeguarding": ("Sam", "Eastham"),
    "volunteer": ("Vicky", "Tranmere"),
    "volunteer2": ("Wes", "Oxton"),
    "trustee": ("Trevor", "Upton"),
    "spotcheck": ("Sheila", "Pensby"),
    "reviewer": ("Ruth", "Greasby"),
    "auditor": ("Alan", "Moreton"),
    "admin": ("Hugh", "Irby"),
    "admin2": ("Nia", "Heswall"),
    "coordinator2": ("Colin", "Formby"),
}

# Wes reads the pages in Welsh (issue 17.8): sign in as volunteer2 to see the product in Cymraeg.
DEMO_LANGUAGES = {"volunteer2": "cy"}

# Invented people. Any likeness to real families is chance.
ADULT_FIRST = [
    "Leanne",
    "Kirsty",
    "Danielle",
    "Gemma",
    "Stacey",
    "Aisha",
    "Joanne",
    "Carly",
    "Marek",
    "Craig",
    "Sinead",
    "Bethan",
    "Yasmin",
    "Natalie",
    "Keeley",
    "Rhiannon",
    "Oksana",
    "Precious",
    "Shauna",
    "Dean",
]
SURNAMES = [
    "Brennan",
    "Okafor",
    "Whitfield",
    "Kowalczyk",
    "Dunleavy",
    "Hargreaves",
    "McAllister",
    "Penketh",
    "Rimmer",
    "Abernethy",
    "Szymanska",
    "Tarleton",
    "Ashworth",
    "Lightfoot",
    "Mbeki",
    "Costigan",
    "Fairclough",
    "Quayle",
    "Birtwistle",
    "Heseltine",
]
CHILD_FIRST = [
    "Alfie",
    "Isla",
    "Freddie",
    "Poppy",
    "Archie",
    "Ivy",
    "Theo",
    "Maisie",
    "Reggie",
    "Willow",
    "Arlo",
    "Esme",
    "Louie",
    "Nell",
    "Jude",
    "Mabel",
    "Otis",
    "Rosie",
    "Finn",
    "Ada",
]
WIRRAL_STREETS = [
    "Argyle Street",
    "Beckwith Street",
    "Laird Street",
    "Park Road North",
    "Hoylake Road",
    "Bebington Road",
    "Church Road",
    "Grange Road West",
    "Woodchurch Road",
    "Poulton Road",
]
SEFTON_STREETS = [
    "Linacre Lane",
    "Stanley Road",
    "Rawson Road",
    "College Road",
    "Moss Lane",
    "Lord Street",
    "Hawthorne Road",
    "Liverpool Road",
    "Hatton Hill Road",
    "Merton Road",
]
WIRRAL_OUTCODES = ["CH41", "CH42", "CH43", "CH44", "CH46", "CH49", "CH62", "CH63"]
SEFTON_OUTCODES = ["L20", "L21", "L22", "L23", "L30", "PR8", "PR9"]
# Letters used in the last two characters of a UK postcode.
INCODE_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"
REASONS = [
    "Mum has twins aged 8 months and a toddler; feeling isolated since moving to the area.",
    "Postnatal low mood; would value regular support getting out to groups.",
    "Dad is a lone parent after a bereavement and is struggling with routines.",
    "Family recently arrived in the UK; would like help finding local services.",
    "Mum has a long-term health condition and finds the school run hard with three under five.",
    "Young parent, first baby, limited family support nearby.",
]
REFERRERS = [
    (Referral.Source.HEALTH_VISITOR, "Health visiting team"),
    (Referral.Source.SOCIAL_CARE, "Children's services"),
    (Referral.Source.OTHER_AGENCY, "Family hub"),
    (Referral.Source.SELF, ""),
]
REFERRER_NAMES = ["Janet Crosby", "Owen Maddock", "Priya Raman", "Hollie Gaskell"]

FAMILIES_PER_SCHEME = {"WIR": 12, "SEF": 8}
# Earlier referrals to Wirral, for the trustees' trend charts (§3.2): per month, from 13
# months ago to last month; each was supported for a while and, after six months, closed.
HISTORY_MONTHS = 13
HISTORY_PER_MONTH = [5 + (HISTORY_MONTHS - months_ago) // 4 for months_ago in range(HISTORY_MONTHS, 0, -1)]
HISTORY_FAMILIES = sum(HISTORY_PER_MONTH)

CASE_STUDY_TITLE = "From isolation to confidence"
CASE_STUDY_TEXT = (
    "A mother of three young children was referred by her health visitor after moving to the area. "
    "She felt isolated and anxious about leaving the house with the children.\n\n"
    "A volunteer visited every week for six months. Together they found a toddler group and a library "
    "story time, and the volunteer helped her register with a dentist.\n\n"
    "By the end of the support she was attending the group on her own and had made two friends there. "
    "She told her coordinator that she now feels part of the community."
)


class Command(BaseCommand):
    help = "Create demo schemes, users (password 'homestart-demo') and invented families. Idempotent."

    def add_arguments(self, parser):
        parser.add_argument(
            "--allow-production",
            action="store_true",
            help="Seed even with DEBUG off (never on a live installation: the password is public).",
        )

    def handle(self, *args, allow_production: bool = False, **options):
        if not settings.DEBUG and not allow_production:
            raise CommandError(
                "seed_demo creates users with a published password and is refused with DEBUG off. "
                "Use --allow-production only on a throwaway installation."
            )
        with transaction.atomic():
            schemes = {code: self._scheme(name, code) for name, code in SCHEMES}
            users = self._users(schemes)
            self._access_request(schemes, users)
            # Before the families: a volunteer is assigned only with a current DBS check (issue 15.4).
            self._volunteer_files(schemes["WIR"], users)
            for code, count in FAMILIES_PER_SCHEME.items():
                self._families(schemes[code], users, count)
            self._consent_and_safeguarding(schemes["WIR"], users)
            self._planned_visits(schemes["WIR"], users)
            self._records(schemes["WIR"], users)
            self._breach_clock_running(schemes["WIR"], users)
            # After the records: the HSUK review samples volunteer and personnel files too.
            self._reviews(schemes, users)
            self._reporting(schemes["WIR"], users)
        self.stdout.write(self.style.SUCCESS("Demo ready. Sign in at http://127.0.0.1:8000/ as any of:"))
        for username, code, roles, _ in DEMO_USERS:
            where = code or "national"
            self.stdout.write(f"  {username:<13} {', '.join(str(Role(r).label) for r in roles)} ({where})")
        self.stdout.write(f"Password for every demo user: {DEMO_PASSWORD}")

    def _scheme(self, name: str, code: str) -> Scheme:
        scheme = Scheme.objects.filter(code=code).first()
        if scheme is None:
            return people_services.scheme_create(name=name, code=code, actor=None)
        return people_services.scheme_ensure_staff_group(scheme=scheme)

    def _reviews(self, schemes: dict[str, Scheme], users: dict[str, User]) -> None:
        """An open spot check for `spotcheck` (three family files) and an open quality review
        for `reviewer` (three family files, a volunteer file and a personnel file), each a
        random sample; their Records of Access are still to be signed (§8.4, §9.1)."""
        for username, scheme, others in (
            ("spotcheck", schemes["WIR"], {}),
            ("reviewer", schemes["WIR"], {"volunteer_files": 1, "personnel_files": 1}),
        ):
            reviewer = users[username]
            if not Review.objects.open_now().filter(reviewer=reviewer).exists():
                access_services.review_draw_sample(reviewer=reviewer, scheme=scheme, sample_size=3, days=30, **others)

    def _consent_and_safeguarding(self, scheme: Scheme, users: dict[str, User]) -> None:
        """Statements and consents for the first Wirral families, one concern and one
        disclosure to children's services without consent (§1.1, §1.2, §2.1, §2.2)."""
        if Consent.objects.filter(family__scheme=scheme).exists():
            return
        coordinator, lead = users["coordinator"], users["safeguarding"]
        today = timezone.localdate()
        families = list(scheme.families.order_by("number")[:5])
        for i, family in enumerate(families[:4]):
            access = gate.open_family(
                user=coordinator, reference=family.reference, section=Section.CONSENT, for_change=True
            )
            carer = family.members.filter(kind=Member.Kind.ADULT).first()
            visit_on = today - datetime.timedelta(days=10 + 17 * i)
            consent_services.statement_record(
                access=access, given_to=carer, given_on=visit_on, verbally=True, in_writing=True, actor=coordinator
            )
            scopes = [Scope.GENERAL] + ([Scope.SPECIFIC] if i == 1 else [])
            for scope in scopes:
                # One consent is already due for review, so the coordinator's list has something on it.
                review_on = today - datetime.timedelta(days=1) if i == 3 else visit_on + datetime.timedelta(days=365)
                consent_services.consent_record(
                    access=access,
                    given_by=carer,
                    scope=scope,
                    recipient_kind=RecipientKind.REFERRER,
                    method=Consent.Method.WRITTEN,
                    given_on=visit_on,
                    review_on=review_on,
                    actor=coordinator,
                )
        if len(families) < 5:
            return
        family = families[4]
        access = gate.open_family(user=lead, reference=family.reference, section=Section.SAFEGUARDING, for_change=True)
        # About the youngest child, with the time it was seen (issue 17.6): the lead's form
        # names the child by age, the coordinator's by name.
        children = sorted(
            family.members.filter(kind=Member.Kind.CHILD), key=lambda m: m.date_of_birth or today, reverse=True
        )
        safeguarding_services.concern_raise(
            access=access,
            category=Concern.Category.NEGLECT,
            actor=lead,
            observed_on=today - datetime.timedelta(days=3),
            observed_at=datetime.time(16, 45),
            about_child=children[0] if children else None,
            observed="The toddler was alone in the flat for over an hour while mum was out; no food in the fridge.",
        )
        # Without consent a disclosure waits for a second person (access_log.approvals): the lead asks,
        # the manager approves, and only then is it shared and in the register (§2.1, §7.4).
        asked = consent_services.disclosure_record(
            access=access,
            channel=Disclosure.Channel.SAFEGUARDING,
            scope=Scope.SPECIFIC,
            recipient=Recipient(RecipientKind.CHILDRENS_SERVICES, "Wirral children's services, duty team"),
            summary="The concern as recorded, the family's address and the children's names and ages.",
            shared_on=today,
            family_told=Disclosure.FamilyTold.NOT_TOLD,
            not_told_reason="Telling mum before children's services visit could put the toddler at greater risk.",
            justification="A child left alone at home: necessary for the child's protection (§2.1).",
            actor=lead,
        )
        manager = users["manager"]
        approvals.approval_decide(
            approval=asked,
            approve=True,
            actor=manager,
            access=gate.open_family(
                user=manager, reference=family.reference, section=Section.SAFEGUARDING, for_change=True
            ),
        )
        # One more waits for the demo manager's approval (their landing page and "Approvals").
        consent_services.disclosure_record(
            access=access,
            channel=Disclosure.Channel.AGENCY,
            scope=Scope.SPECIFIC,
            recipient=Recipient(RecipientKind.AGENCY, "Parkside GP surgery"),
            summary="That a safeguarding referral was made, so the GP can see the toddler at the next check.",
            shared_on=today,
            family_told=Disclosure.FamilyTold.NOT_TOLD,
            not_told_reason="Mum is not told until children's services have visited (§2.2).",
            justification="The GP needs to know to protect the child (§2.1, §7.4).",
            actor=lead,
        )

    def _volunteer_files(self, scheme: Scheme, users: dict[str, User]) -> None:
        """The demo volunteers' files, with what matching reads (areas, languages, free times) and
        their DBS checks and training: Wes Oxton's DBS check and first-aid course are due for
        renewal within the month, so the reminders (coordinator and Wes) show them (issue 15.4)."""
        today = timezone.localdate()
        days = datetime.timedelta
        volunteers = (
            (
                "volunteer",
                "Vicky Tranmere",
                "CH41, CH42",
                "English, Polish",
                "tue_morning,thu_morning,thu_afternoon",
                700,
            ),
            (
                "volunteer2",
                "Wes Oxton",
                "CH43, CH44, CH41",
                "English, Urdu",
                "mon_evening,wed_evening,sat_morning",
                1075,
            ),
        )
        for username, name, areas, languages, availability, dbs_days_ago in volunteers:
            if VolunteerFile.objects.filter(scheme=scheme, person=users[username]).exists():
                continue
            file = people_records.volunteer_file_create(
                scheme=scheme,
                person=users[username],
                actor=users["coordinator"],
                full_name=name,
                started_on=today - days(500),
                preparation_course_on=today - days(480),
                training="Preparation course completed.",
                induction="Confidentiality Policy read and acknowledged at induction (§5.1).",
                dbs_checked_on=today - days(dbs_days_ago),
                areas=areas,
                languages=languages,
                availability=availability,
            )
            access = gate.open_file(
                user=users["coordinator"],
                kind=FileKind.VOLUNTEER,
                reference=file.reference,
                section=Section.FILE,
                for_change=True,
            )
            people_records.training_record_add(
                access=access,
                actor=users["coordinator"],
                course="Safeguarding children, level 1",
                completed_on=today - days(300),
                renew_on=today + days(430),
            )
            if username == "volunteer2":
                people_records.training_record_add(
                    access=access,
                    actor=users["coordinator"],
                    course="Paediatric first aid",
                    completed_on=today - days(1070),
                    renew_on=today + days(25),
                )

    def _records(self, scheme: Scheme, users: dict[str, User]) -> None:
        """Volunteer and personnel files, a supervision note, one open subject access
        request and one family past its retention date (records/)."""
        today = timezone.localdate()
        for username, name in (("volunteer", "Vicky Tranmere"), ("volunteer2", "Wes Oxton")):
            if not VolunteerFile.objects.filter(scheme=scheme, person=users[username]).exists():
                people_records.volunteer_file_create(
                    scheme=scheme,
                    person=users[username],
                    actor=users["coordinator"],
                    full_name=name,
                    started_on=today - datetime.timedelta(days=500),
                    training="Preparation course completed.",
                    induction="Confidentiality Policy read and acknowledged at induction (§5.1).",
                )
        for username, name, title in (
            ("coordinator", "Cora Prenton", "Coordinator"),
            ("safeguarding", "Sam Eastham", "Safeguarding lead"),
        ):
            if not PersonnelFile.objects.filter(scheme=scheme, person=users[username]).exists():
                people_records.personnel_file_create(
                    scheme=scheme,
                    person=users[username],
                    actor=users["manager"],
                    full_name=name,
                    started_on=today - datetime.timedelta(days=1200),
                    job_title=title,
                )
        if not SupervisionNote.objects.filter(scheme=scheme).exists():
            people_records.supervision_record(
                scheme=scheme,
                supervisee=users["volunteer"],
                actor=users["coordinator"],
                held_on=today - datetime.timedelta(days=3),
                families_discussed="WIR-0001",
                notes="Support is going well; agreed to talk about boundaries around text messages.",
            )
        first = scheme.families.order_by("number").first()
        if first and not SubjectAccessRequest.objects.filter(scheme=scheme).exists():
            sar_services.sar_register(
                scheme=scheme,
                actor=users["manager"],
                subject_kind=SubjectAccessRequest.SubjectKind.FAMILY_MEMBER,
                family=first,
                member=first.members.filter(kind=Member.Kind.ADULT).first(),
                requester_name="The family's parent",
                received_on=today - datetime.timedelta(days=6),
                request_details="A copy of everything held about me and my children.",
            )
        last = scheme.families.order_by("-number").first()
        if last and last.status != Family.Status.CLOSED:
            # Closed long ago: past its retention date, waiting on the "Due for destruction" list (§8.8).
            family_services.family_close(
                family=last,
                actor=users["coordinator"],
                closed_on=add_months(today, -8 * 12),
                reason=ClosureReason.MOVED_AWAY,
                summary="The family moved out of the area.",
            )

    def _breach_clock_running(self, scheme: Scheme, users: dict[str, User]) -> None:
        """A breach found this morning, not yet assessed: the 72 hours to tell the ICO are running,
        so the daily reminders (send_reminders) and the staff's "Due for you" show it (§3.9)."""
        if Breach.objects.filter(scheme=scheme).exists():
            return
        breach_services.breach_record(
            scheme=scheme,
            actor=users["manager"],
            found_at=timezone.now() - datetime.timedelta(hours=3),
            found_by=users["coordinator"],
            description="A visit summary was e-mailed to the wrong volunteer, who deleted it at once.",
            data_affected="One visit summary (family reference only in the subject line).",
        )

    def _users(self, schemes: dict[str, Scheme]) -> dict[str, User]:
        users: dict[str, User] = {}
        for username, _code, _roles, _ in DEMO_USERS:
            user, created = User.objects.get_or_create(username=username)
            changed = created
            if created or not user.check_password(DEMO_PASSWORD):
                user.set_password(DEMO_PASSWORD)
                changed = True
            first, last = DEMO_NAMES[username]
            administrator = username in ("admin", "admin2")
            for field, value in (
                ("is_active", True),
                ("is_staff", administrator),
                ("is_superuser", False),
                ("first_name", first),
                ("last_name", last),
                ("language", DEMO_LANGUAGES.get(username, "")),
            ):
                if getattr(user, field) != value:
                    setattr(user, field, value)
                    changed = True
            if not user.email:  # set-password links are e-mailed (§8.2)
                user.email, changed = f"{username}@demo.homestart.invalid", True
            # Save only what changed: a re-run must not add empty entries to the users' history.
            if changed:
                user.save()
            users[username] = user
        # The administrator configures schemes, people and policy versions; model
        # permissions open no family file (the gate reads object permissions only).
        for administrator in ("admin", "admin2"):
            users[administrator].user_permissions.set(
                Permission.objects.filter(
                    Q(
                        content_type__app_label="homestart",
                        codename__regex=r"^(add|change|view)_(scheme|user|membership|policyversion)$",
                    )
                    | Q(content_type__app_label="homestart", codename__in=["view_accessrequest", "view_accessdecision"])
                    | Q(content_type__app_label="access_log", codename__startswith="view_")
                )
            )
        policy = people_services.policy_ensure_published()
        for username, code, roles, manager in DEMO_USERS:
            scheme = schemes[code] if code else None
            wanted = users[manager] if manager else None
            for role in roles:
                membership = Membership.objects.current().filter(user=users[username], scheme=scheme, role=role).first()
                if membership is None:
                    # Set-up grants: recorded as "granted at set-up", no requester or approver (§8.3).
                    people_services.membership_grant_at_setup(
                        user=users[username], scheme=scheme, role=role, line_manager=wanted
                    )
                elif membership.line_manager != wanted:
                    membership.line_manager = wanted
                    membership.save(update_fields=["line_manager"])
            # Demo users were inducted already: they have acknowledged the current policy.
            people_services.policy_acknowledge(user=users[username], version=policy)
        return users

    def _access_request(self, schemes: dict[str, Scheme], users: dict[str, User]) -> None:
        """One grant waiting for approval, to show two people for every grant (§8.3): the
        administrator asked for Sefton's coordinator to cover Wirral; Wirral's manager or a
        trustee approves or refuses it on "Access requests"."""
        wanted = {"user": users["coordinator2"], "scheme": schemes["WIR"], "role": Role.COORDINATOR}
        if Membership.objects.not_ended().filter(**wanted).exists():
            return
        if AccessRequest.objects.filter(kind=AccessRequest.Kind.MEMBERSHIP, **wanted).pending().exists():
            return
        people_services.membership_request(
            **wanted, actor=users["admin"], reason="Covering Wirral while a coordinator is on leave."
        )

    def _families(self, scheme: Scheme, users: dict[str, User], count: int) -> None:
        if scheme.families.exists():
            return
        # Not for security: a fixed seed so that the invented demo data is the same on every run.
        rng = random.Random(f"homestart-demo-{scheme.code}")  # noqa: S311
        coordinator = users["coordinator" if scheme.code == "WIR" else "coordinator2"]
        today = timezone.localdate()
        wirral = scheme.code == "WIR"
        streets, outcodes = (WIRRAL_STREETS, WIRRAL_OUTCODES) if wirral else (SEFTON_STREETS, SEFTON_OUTCODES)
        offset = 0 if wirral else 12
        families: list[Family] = []
        for i in range(count):
            surname = SURNAMES[(i + offset) % len(SURNAMES)]
            source, organisation = REFERRERS[i % len(REFERRERS)]
            referred_on = today - datetime.timedelta(days=20 + 17 * i)
            outcode, digit = rng.choice(outcodes), rng.randint(1, 9)
            postcode = f"{outcode} {digit}{rng.choice(INCODE_LETTERS)}{rng.choice(INCODE_LETTERS)}"
            family = family_services.family_create_from_referral(
                scheme=scheme,
                actor=coordinator,
                referral={
                    "source": source,
                    "referrer_name": "" if source == Referral.Source.SELF else REFERRER_NAMES[i % 4],
                    "referrer_organisation": organisation,
                    "referrer_contact": "" if source == Referral.Source.SELF else "0151 000 0000",
                    "referred_on": referred_on,
                    "reasons": REASONS[i % len(REASONS)],
                    "family_consented": True,
                },
                carer={
                    "first_name": ADULT_FIRST[(i + offset) % len(ADULT_FIRST)],
                    "last_name": surname,
                    "date_of_birth": datetime.date(1985 + rng.randint(0, 14), rng.randint(1, 12), rng.randint(1, 28)),
                    "relationship": rng.choice(["mother", "father", "grandmother"]),
                },
                address=f"{rng.randint(2, 180)} {rng.choice(streets)}\n{'Birkenhead' if wirral else 'Bootle'}",
                postcode=postcode,
                phone=f"07700 9{rng.randint(10000, 99999)}",
            )
            for c in range(1 + i % 3):
                born = today - datetime.timedelta(days=rng.randint(60, 5 * 365))
                family_services.member_add(
                    family=family,
                    actor=coordinator,
                    kind=Member.Kind.CHILD,
                    first_name=CHILD_FIRST[(i * 3 + c + offset) % len(CHILD_FIRST)],
                    last_name=surname,
                    date_of_birth=born,
                    relationship="son" if c % 2 else "daughter",
                )
            family_services.visit_record(
                family=family,
                actor=coordinator,
                kind=Visit.Kind.INITIAL,
                visited_on=referred_on + datetime.timedelta(days=7),
                visited_by=coordinator,
                notes="Initial visit. Explained how Home-Start keeps information confidential (§1.1).",
            )
            families.append(family)
        if wirral:
            self._history(scheme, users, rng, today)
            # The volunteer's families scored at the initial visit; the first at a review since.
            for family in families[:3]:
                initial = family.visits.get(kind=Visit.Kind.INITIAL).visited_on
                self._score(family, coordinator, Occasion.START, initial, (1, 2, 2, 1), ["isolation", "routines"])
            self._score(
                families[0],
                coordinator,
                Occasion.REVIEW,
                today - datetime.timedelta(days=3),
                (2, 3, 3, 2),
                ["routines"],
            )
            self._assign(families[0], users["volunteer"], coordinator, today)
            self._assign(families[1], users["volunteer"], coordinator, today)
            self._assign(families[2], users["volunteer2"], coordinator, today)

    def _assign(self, family: Family, volunteer: User, coordinator: User, today: datetime.date) -> None:
        family_services.volunteer_assign(
            family=family, actor=coordinator, volunteer=volunteer, starts_on=today - datetime.timedelta(days=5)
        )
        family_services.visit_record(
            family=family,
            actor=coordinator,
            kind=Visit.Kind.SUPPORT,
            visited_on=today - datetime.timedelta(days=2),
            visited_by=volunteer,
            notes="Played with the children while mum caught up on sleep. Planning a trip to the library group.",
        )

    def _planned_visits(self, scheme: Scheme, users: dict[str, User]) -> None:
        """The demo volunteer's week (issue 15): a review visit the coordinator planned for them, where
        consent is sought again (§1.2), a home visit they planned themselves today, and one from three
        days ago never recorded (overdue: on the coordinator's agenda and reminded to them)."""
        if PlannedVisit.objects.filter(family__scheme=scheme).exists():
            return
        coordinator, volunteer = users["coordinator"], users["volunteer"]
        today = timezone.localdate()
        first, second = list(scheme.families.order_by("number")[:2])
        sunday = today + datetime.timedelta(days=6 - today.weekday())
        plans = [
            (first, coordinator, PlannedVisit.Kind.REVIEW, min(today + datetime.timedelta(days=1), sunday), 10, 30),
            (second, volunteer, PlannedVisit.Kind.SUPPORT, today, 14, 0),
        ]
        for family, actor, kind, on, hour, minute in plans:
            planning.planned_visit_plan(
                family=family,
                actor=actor,
                visitor=volunteer,
                kind=kind,
                planned_on=on,
                planned_at=datetime.time(hour, minute),
            )
        # Planned three days ago for that day, and never recorded (the service plans only from today on).
        overdue = PlannedVisit(
            family=second,
            kind=PlannedVisit.Kind.SUPPORT,
            planned_on=today - datetime.timedelta(days=3),
            planned_at=datetime.time(11, 0),
            visitor=volunteer,
            planned_by=volunteer,
        )
        save_tracked(overdue, actor=volunteer)

    def _score(self, family, actor, occasion, on, scores, needs, services=(), words="") -> None:
        access = gate.open_family(user=actor, reference=family.reference, section=Section.OUTCOMES, for_change=True)
        outcome_services.assessment_record(
            access=access,
            actor=actor,
            occasion=occasion,
            assessed_on=on,
            scores=dict(zip([a.value for a in Area], scores, strict=True)),
            needs=needs,
            signposting=list(services),
            own_words=words,
        )

    def _scores(self, family, coordinator, n: int, starts_on, ends_on) -> None:
        """The family's own scores: at the start, and at the end for a closed file, so that the
        trustees' outcome figures show change; a few families signposted to housing are a small
        group the figures hide (§3.2, §8.9)."""
        start = (1 + n % 2, 2, 1 + n % 3 % 2, 2)
        needs = ["boundaries", "isolation", "money"] if n % 2 else ["child_behaviour", "home"]
        services = [Service.FOOD] if n % 2 else [Service.FAMILY_HUB]
        if n % 12 == 0:
            services.append(Service.HOUSING)
        self._score(family, coordinator, Occasion.START, starts_on, start, needs, words="We are struggling to cope.")
        if ends_on is None:
            return
        end = (
            min(5, start[0] + (0 if n % 7 == 0 else 1 + n % 2)),
            min(5, start[1] + 1 + (n % 3 == 0)),
            start[2] + 1,
            start[3] + (n % 4 != 0),
        )
        self._score(family, coordinator, Occasion.END, ends_on, end, [], services, words="Much better now, thank you.")

    def _history(self, scheme: Scheme, users: dict[str, User], rng: random.Random, today: datetime.date) -> None:
        """Referrals over the past 15 months, supported by a volunteer and closed after six (§3.2)."""
        coordinator = users["coordinator"]
        n = 0
        for months_ago, count in zip(range(HISTORY_MONTHS, 0, -1), HISTORY_PER_MONTH, strict=True):
            for _ in range(count):
                n += 1
                referred_on = today - datetime.timedelta(days=30 * months_ago + rng.randint(0, 25))
                source, _organisation = REFERRERS[n % len(REFERRERS)]
                outcode = WIRRAL_OUTCODES[rng.randint(0, 3) if n % 3 else rng.randint(0, 7)]
                family = family_services.family_create_from_referral(
                    scheme=scheme,
                    actor=coordinator,
                    referral={
                        "source": source,
                        "referrer_organisation": _organisation,
                        "referred_on": referred_on,
                        "reasons": REASONS[n % len(REASONS)],
                        "family_consented": True,
                    },
                    carer={
                        "first_name": ADULT_FIRST[n % len(ADULT_FIRST)],
                        "last_name": SURNAMES[(n * 7) % len(SURNAMES)],
                        "relationship": "mother",
                    },
                    postcode=f"{outcode} {rng.randint(1, 9)}{rng.choice(INCODE_LETTERS)}{rng.choice(INCODE_LETTERS)}",
                )
                for c in range(n % 3 + (3 if n % 11 == 0 else 0)):
                    family_services.member_add(
                        family=family,
                        actor=coordinator,
                        kind=Member.Kind.CHILD,
                        first_name=CHILD_FIRST[(n + c) % len(CHILD_FIRST)],
                    )
                starts_on = referred_on + datetime.timedelta(days=14)
                family_services.visit_record(
                    family=family,
                    actor=coordinator,
                    kind=Visit.Kind.INITIAL,
                    visited_on=referred_on + datetime.timedelta(days=7),
                    visited_by=coordinator,
                )
                if starts_on >= today:
                    continue
                ends_on = min(starts_on + datetime.timedelta(days=150), today)
                assignment = family_services.volunteer_assign(
                    family=family,
                    actor=coordinator,
                    volunteer=users["volunteer2"],
                    starts_on=starts_on,
                    ends_on=ends_on,
                )
                if n % 2:
                    family_services.visit_record(
                        family=family,
                        actor=coordinator,
                        kind=Visit.Kind.SUPPORT,
                        visited_on=starts_on + datetime.timedelta(days=7),
                        visited_by=users["volunteer2"],
                    )
                self._scores(family, coordinator, n, starts_on, ends_on if months_ago > 6 else None)
                # The support has ended: the volunteer no longer sees the file (§8.5).
                family_services.volunteer_unassign(assignment=assignment, actor=coordinator)
                if months_ago > 6:
                    family_services.family_close(
                        family=family,
                        actor=coordinator,
                        closed_on=ends_on,
                        reason=ClosureReason.COMPLETED,
                        summary="Support completed as planned; the family felt more confident.",
                    )

    def _reporting(self, scheme: Scheme, users: dict[str, User]) -> None:
        """A released case study, a group, and Board minutes with a confidential item (§3.3, §3.7, §6.1)."""
        today = timezone.localdate()
        coordinator, manager = users["coordinator"], users["manager"]
        if not CaseStudy.objects.filter(scheme=scheme).exists():
            source = Family.objects.get(scheme=scheme, number=4)
            study = reporting_services.case_study_create(
                family=source,
                actor=coordinator,
                title=CASE_STUDY_TITLE,
                draft=CASE_STUDY_TEXT,
                family_consented=True,
                consent_recorded_on=today - datetime.timedelta(days=10),
            )

            # The coordinator asks for its release; the manager approves it (§3.3, §7.5).
            def opened(user):
                return gate.open_family(
                    user=user, reference=source.reference, section=Section.CASE_STUDIES, for_change=True
                )

            release = reporting_services.case_study_release_request(
                study=study, access=opened(coordinator), actor=coordinator
            )
            approvals.approval_decide(approval=release, access=opened(manager), approve=True, actor=manager)
        if not BoardMeeting.objects.filter(scheme=scheme).exists():
            meeting = reporting_services.meeting_record(
                scheme=scheme,
                actor=manager,
                held_on=today - datetime.timedelta(days=21),
                minutes="Present: the chair, three trustees and the scheme manager.\n\n"
                "1. Referrals: the Board noted the rise in referrals over the year (see the statistics).\n"
                "2. Finance: the Board approved the budget for next year.\n"
                "3. Confidentiality: trustees were reminded that information about families and the "
                "operation of the scheme is treated in confidence (§3.4).",
            )
            reporting_services.confidential_item_add(
                meeting=meeting,
                actor=manager,
                subject="Staffing matter",
                text="The Board discussed a staff member's long-term absence and agreed a phased return.",
                circulation=[users["trustee"], manager],
            )
        if not Group.objects.filter(scheme=scheme).exists():
            group = family_services.group_create(scheme=scheme, actor=coordinator, name="Tuesday stay and play")
            members = list(Family.objects.filter(scheme=scheme, number__in=[1, 2, 3]))
            for family in members:
                family_services.group_member_add(
                    group=group,
                    family=family,
                    actor=coordinator,
                    joined_on=today - datetime.timedelta(days=14),
                    confidentiality_explained=True,
                    written_information_given=True,
                )
            family_services.group_session_record(
                group=group,
                actor=coordinator,
                held_on=today - datetime.timedelta(days=7),
                families=members,
                visitors=[
                    {
                        "description": "Health visitor",
                        "confidentiality_explained": True,
                        "written_information_given": True,
                    }
                ],
            )

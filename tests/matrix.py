"""One world and one request runner for the URL × role matrices (§3.2–§3.7, §7.6, §8.3, §9.1, §10.1).

Every matrix module uses ``world`` (a fixture, imported by its folder's conftest.py) and the helpers here:

* ``world`` (built by ``_build``): every role of the cast (the named people of
  tests/conftest.py, plus the unsigned readers and a signed administrator), one of each object
  the URLs name, and a single dict of URL keyword values (``world["kwargs"]``);
  ``retention_world`` adds closed families for the retention pages. tests/site uses it too.
  Each is built once per test process and copied into every test that asks (tests/seeded.py),
  so a test of the world takes its people and files from it, never from the cast's fixtures.
* ``row()``: one URL's expected answer for every role.
* ``url_for()``: a URL name filled in from ``world["kwargs"]``.
* ``run()``: one request in a savepoint rolled back afterwards, with the access events it wrote.

The readers come in two states. ``spotcheck``, ``reviewer`` and ``auditor`` (the people of
tests/conftest.py) have WIR-0001 and the volunteer's file (HSUK reviewers also the coordinator's
personnel file) in an open sample or audit session and have signed the Record of Access;
``*_unsigned`` have the same without signing. ``spotcheck_no_sample``, ``reviewer_no_sample`` and
``auditor_no_session`` hold the same roles with nothing of WIR-0001's: a matrix that asks what a
reader *without* the file gets uses them (see each module's ``CAST``).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable

import pytest
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from access_log import approvals, gate
from access_log import services as access_services
from access_log.models import AccessEvent, RecordOfAccess
from consent import services as consent_services
from consent import transfers
from consent.models import Consent, RecipientKind, Scope
from consent.sharing import Recipient
from families import planning
from families import services as family_services
from families.models import Family, Member, PlannedVisit
from homestart import services as people_services
from homestart.models import User
from homestart.rules import FileKind, Role, Section
from records.breaches import services as breach_services
from records.models import SubjectAccessRequest
from records.retention import services as retention_services
from records.subject_access import services as sar_services
from reporting import services as reporting_services
from safeguarding import services as safeguarding_services
from safeguarding.models import ExternalRequest
from tests.conftest import _member
from tests.factories import MembershipFactory, make_family
from tests.seeded import Seeded
from tests.sharing_fixtures import OBSERVED

# Every column of the access log matrix, in its order.
ROLES = [
    "coordinator",
    "manager",
    "safeguarding_lead",
    "volunteer",  # assigned to the family
    "other_volunteer",  # of the scheme, not assigned
    "trustee",
    "spotcheck",  # open spot check with the family in its sample, Record of Access signed
    "spotcheck_unsigned",  # the same, not signed
    "reviewer",  # HSUK quality review, signed
    "reviewer_unsigned",
    "auditor",  # open audit session naming the family, signed
    "auditor_unsigned",
    "admin_user",  # administrator, undertaking not signed
    "admin_signed",  # administrator who signed the undertaking (§7.6)
    "sef_coordinator",  # coordinator of another scheme
    "outsider",  # no membership anywhere
    "anonymous",
]
# Readers with nothing of WIR-0001's: no sample, no session.
UNSAMPLED = ["spotcheck_no_sample", "reviewer_no_sample", "auditor_no_session"]


def row(default: str | None = None, **codes: str) -> dict[str, str]:
    """One URL's expected answer for every role: ``default`` for roles not named."""
    unknown = set(codes) - set(ROLES)
    assert not unknown, f"no such roles {unknown}"
    result = {role: codes.get(role, default) for role in ROLES}
    missing = [role for role, code in result.items() if code is None]
    assert not missing, f"row leaves roles without an expected answer: {missing}"
    return result


def walk(resolver: URLResolver | None = None, namespace: str = "") -> list[tuple[str, URLPattern]]:
    """(namespaced name, pattern) for every URL of the root URLconf, admin included."""
    found = []
    for entry in (resolver or get_resolver()).url_patterns:
        if isinstance(entry, URLResolver):
            inner = (
                f"{namespace}:{entry.namespace}" if namespace and entry.namespace else (entry.namespace or namespace)
            )
            found += walk(entry, inner)
        else:
            name = entry.name or f"<unnamed {entry.pattern}>"
            found.append((f"{namespace}:{name}" if namespace else name, entry))
    return found


def names_in(namespace: str) -> set[str]:
    """The URL names of one namespace of the root URLconf."""
    (resolver,) = [p for p in get_resolver().url_patterns if getattr(p, "namespace", None) == namespace]
    return {f"{namespace}:{p.name}" for p in resolver.url_patterns}


def url_for(name: str, kwargs: dict) -> str:
    """``name`` reversed with the keywords its pattern takes, from ``world["kwargs"]``."""
    matches = [p for n, p in walk() if n == name]
    assert matches, name
    wanted = set(matches[0].pattern.converters)
    if name.startswith("admin:"):
        wanted = {"object_id"} if name.endswith("_change") else set()
    unknown = wanted - set(kwargs)
    assert not unknown, f"{name}: teach tests/matrix.py's world what to put in {unknown}"
    return reverse(name, kwargs={k: kwargs[k] for k in wanted})


def client_as(user: User | None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def run(client: Client, method: str, url: str, data: dict | None = None) -> tuple:
    """One request in a savepoint rolled back afterwards; returns the response and the events it wrote."""
    with transaction.atomic():
        last = AccessEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0
        response = getattr(client, method)(url, data) if data is not None else getattr(client, method)(url)
        events = list(AccessEvent.objects.filter(id__gt=last).select_related("user"))
        transaction.set_rollback(True)
    return response, events


def people(world: dict, cast: Iterable[str], columns: dict[str, str] | None = None) -> list[tuple[str, User]]:
    """(column, person) for a matrix's columns; ``columns`` maps a column to another person of the world."""
    columns = columns or {}
    return [(role, world["people"][columns.get(role, role)]) for role in cast]


def _open(user: User, family, section: str):
    return gate.open_family(user=user, reference=family.reference, section=section, for_change=True)


def _pending_upload(scheme, manager):
    from portability.importing import pending_import_stage
    from tests.portability.helpers import csv_bytes, family_row

    return pending_import_stage(scheme=scheme, actor=manager, content=csv_bytes([family_row(1)]), name="f.csv")[0]


# The named people and files of tests/conftest.py the world is made of, made by their own
# fixtures. A test of the world takes them from it (``world["people"]``, ``world["family"]``...),
# never by asking for these fixtures too: it would get a second, different cast.
CAST_FIXTURES = (
    "wirral",
    "sefton",
    "coordinator",
    "manager",
    "safeguarding_lead",
    "volunteer",
    "other_volunteer",
    "trustee",
    "spotcheck",
    "reviewer",
    "auditor",
    "admin_user",
    "sef_coordinator",
    "outsider",
    "assigned_family",
    "assignment",
    "volunteer_file",
    "personnel_file",
)


def _build(
    wirral,
    sefton,
    coordinator,
    manager,
    safeguarding_lead,
    volunteer,
    other_volunteer,
    trustee,
    spotcheck,
    reviewer,
    auditor,
    admin_user,
    sef_coordinator,
    outsider,
    assigned_family,
    assignment,
    volunteer_file,
    personnel_file,
) -> dict:
    """Everyone; WIR-0001 (supported by ``volunteer``), the volunteer's file and (for HSUK reviewers)
    the coordinator's personnel file in each signed or unsigned reader's sample or session; and one of
    each object a URL names: consent, concern, police request, case study, board minutes, group,
    subject access request, breach. (Closed families for the retention pages: ``retention_world``.)"""
    family = assigned_family
    today = timezone.localdate()
    spotcheck_unsigned = _member(wirral, Role.TRUSTEE, "spotcheck2")
    MembershipFactory(user=spotcheck_unsigned, scheme=wirral, role=Role.SPOT_CHECK_TRUSTEE)
    reviewer_unsigned = _member(None, Role.REVIEWER, "reviewer2")
    auditor_unsigned = _member(wirral, Role.AUDITOR, "auditor2")
    admin_signed = _member(None, Role.ADMIN, "admin2", is_staff=True)
    access_services.undertaking_sign(user=admin_signed, signed_name="Ada Admin", organisation="", declared=True)
    spotcheck_no_sample = _member(wirral, Role.TRUSTEE, "spotcheck3")
    MembershipFactory(user=spotcheck_no_sample, scheme=wirral, role=Role.SPOT_CHECK_TRUSTEE)
    reviewer_no_sample = _member(None, Role.REVIEWER, "reviewer3")
    auditor_no_session = _member(wirral, Role.AUDITOR, "auditor3")

    def sign_record(user, kind, file, role, **occasion):
        RecordOfAccess.objects.create(
            file_kind=kind,
            file_id=file.pk,
            file_reference=file.reference,
            scheme=wirral,
            user=user,
            signed_name=user.username,
            role=role,
            purpose=occasion["review"].purpose if "review" in occasion else "external_audit",
            declaration=RecordOfAccess.DECLARATION,
            **occasion,
        )

    # Samples are drawn before the closed families below exist, so WIR-0001 is the family drawn.
    reviews = {}
    for user, role, personnel_files in [
        (spotcheck, Role.SPOT_CHECK_TRUSTEE, 0),
        (spotcheck_unsigned, None, 0),
        (reviewer, Role.REVIEWER, 1),
        (reviewer_unsigned, None, 1),
    ]:
        reviews[user.username] = review = access_services.review_draw_sample(
            reviewer=user,
            scheme=wirral,
            sample_size=1,
            volunteer_files=1,
            personnel_files=personnel_files,
            days=14,
        )
        assert review.files.get(file_kind=FileKind.FAMILY).file_id == family.pk
        if role:
            access_services.record_of_access_sign(
                user=user,
                kind=FileKind.FAMILY,
                obj=family,
                reference=family.reference,
                scheme_id=wirral.pk,
                role=role,
                signed_name=user.username,
                declared=True,
                review=review,
            )
            sign_record(user, FileKind.VOLUNTEER, volunteer_file, role, review=review)
            if personnel_files:
                sign_record(user, FileKind.PERSONNEL, personnel_file, role, review=review)
    sessions = {}
    for user, signed in [(auditor, True), (auditor_unsigned, False)]:
        sessions[user.username] = session = access_services.audit_session_open(
            coordinator=coordinator,
            auditor=user,
            scheme=wirral,
            references=[family.reference, volunteer_file.reference],
            signed_name="Carol Coordinator",
            declared=True,
        )
        if signed:
            access_services.record_of_access_sign(
                user=user,
                kind=FileKind.FAMILY,
                obj=family,
                reference=family.reference,
                scheme_id=wirral.pk,
                role=Role.AUDITOR,
                signed_name="Audrey Auditor",
                declared=True,
                session=session,
            )
            sign_record(
                user, FileKind.VOLUNTEER, volunteer_file, Role.AUDITOR, audit_session=session, witnessed_by=coordinator
            )

    # Consent and safeguarding: a consent given, a concern the volunteer raised, a police request.
    given_on = today - datetime.timedelta(days=10)
    consent = consent_services.consent_record(
        access=_open(coordinator, family, "consent"),
        given_by=family.members.get(kind=Member.Kind.ADULT),
        scope=Scope.GENERAL,
        recipient_kind=RecipientKind.REFERRER,
        recipient_name="",
        method=Consent.Method.WRITTEN,
        given_on=given_on,
        review_on=given_on + datetime.timedelta(days=180),
        actor=coordinator,
    )
    concern = safeguarding_services.concern_raise(
        access=_open(volunteer, family, "safeguarding"),
        category="neglect",
        observed=OBSERVED,
        observed_on=today,
        actor=volunteer,
    )
    external = safeguarding_services.request_log(
        access=_open(safeguarding_lead, family, "safeguarding"),
        kind=ExternalRequest.Kind.POLICE,
        received_on=today,
        requester="DC",
        details="x",
        actor=safeguarding_lead,
    )
    # Approvals (two people): the coordinator's update to the referrer without consent waits for the
    # manager or the lead (it rests on the concern); an export transfer without consent, approved by
    # the manager, whose package may now be downloaded (§2.1, §7.4, §9.3).
    waiting = consent_services.communication_send(
        access=_open(coordinator, family, "consent"),
        recipient=Recipient(RecipientKind.REFERRER, "Janet"),
        scope=Scope.SPECIFIC,
        summary="The concern",
        shared_on=today,
        family_told="told",
        family_told_on=today,
        justification="A child's safety",
        actor=coordinator,
    )
    asked, _ = transfers.transfer_export(
        access=_open(coordinator, family, "consent"),
        to_scheme_name="Home-Start Far Away",
        passphrase="a long passphrase",
        sections=[Section.MEMBERS],
        summary="Moving away",
        family_told="told",
        family_told_on=today,
        justification="Concerns for the children",
        actor=coordinator,
    )
    approvals.approval_decide(
        approval=asked, access=_open(manager, family, "safeguarding"), approve=True, actor=manager
    )
    # Reporting: a draft case study, Wirral's board minutes, a group.
    study = reporting_services.case_study_create(
        family=family,
        actor=coordinator,
        title="Growing in confidence",
        draft="A clean text.",
        family_consented=True,
        consent_recorded_on=today,
    )
    meeting = reporting_services.meeting_record(scheme=wirral, actor=manager, held_on=today, minutes="Budget.")
    group = family_services.group_create(scheme=wirral, actor=coordinator, name="Stay and play")
    # A visit the volunteer is planned to make today: in their week and the scheme's agenda.
    planned = planning.planned_visit_plan(
        family=family,
        actor=coordinator,
        visitor=volunteer,
        kind=PlannedVisit.Kind.SUPPORT,
        planned_on=today,
        planned_at=datetime.time(10, 0),
    )
    # Records: a subject access request and a breach.
    sar = sar_services.sar_register(
        scheme=wirral,
        actor=manager,
        subject_kind=SubjectAccessRequest.SubjectKind.FAMILY_MEMBER,
        requester_name="Rosalind Quenby",
        received_on=today,
        family=family,
        member=family.members.get(kind=Member.Kind.ADULT),
    )
    breach = breach_services.breach_record(
        scheme=wirral,
        actor=coordinator,
        found_at=timezone.now(),
        found_by=coordinator,
        description="Email sent to the wrong address",
        data_affected="One address",
    )

    # Access grants (§8.3): the administrator asked for the outsider to volunteer for Wirral.
    grant = people_services.membership_request(user=outsider, scheme=wirral, role=Role.VOLUNTEER, actor=admin_user)

    cast = {
        "coordinator": coordinator,
        "manager": manager,
        "safeguarding_lead": safeguarding_lead,
        "volunteer": volunteer,
        "other_volunteer": other_volunteer,
        "trustee": trustee,
        "spotcheck": spotcheck,
        "spotcheck_unsigned": spotcheck_unsigned,
        "reviewer": reviewer,
        "reviewer_unsigned": reviewer_unsigned,
        "auditor": auditor,
        "auditor_unsigned": auditor_unsigned,
        "admin_user": admin_user,
        "admin_signed": admin_signed,
        "sef_coordinator": sef_coordinator,
        "outsider": outsider,
        "anonymous": None,
        "spotcheck_no_sample": spotcheck_no_sample,
        "reviewer_no_sample": reviewer_no_sample,
        "auditor_no_session": auditor_no_session,
    }
    assert set(cast) == set(ROLES) | set(UNSAMPLED)
    return {
        "people": cast,
        "family": family,
        "volunteer_file": volunteer_file,
        "personnel_file": personnel_file,
        "kwargs": {
            "reference": family.reference,
            "kind": FileKind.FAMILY,
            "member_id": family.members.order_by("created_at").first().pk,
            "assignment_id": assignment.pk,
            "review_id": reviews["spotcheck"].pk,
            "session_id": sessions["auditor"].pk,
            "object_id": family.pk,
            "consent_id": consent.pk,
            "concern_id": concern.pk,
            "request_id": external.pk,
            "study_id": study.pk,
            "meeting_id": meeting.pk,
            "group_id": group.pk,
            "planned_id": planned.pk,
            "sar_id": sar.pk,
            "breach_id": breach.pk,
            "grant_id": grant.pk,
            "scheme_code": wirral.code,
            "uidb64": "MQ",
            "token": "no-such-token",
            "approval_id": waiting.pk,
            "transfer_id": asked.disclosure.transfer.pk,
            # A file of families uploaded by the manager, waiting for their confirmation.
            "pending_id": _pending_upload(wirral, manager).pk,
        },
    }


def _add_retention(world: dict, wirral, coordinator, manager) -> dict:
    """Three families closed in 2012 for the retention pages (§8.8): one due for destruction, one
    proposed for destruction, one under a legal hold."""
    closed = []
    for name in ("Due", "Proposed", "Held"):
        old = make_family(wirral, coordinator, last_name=name)
        old.status, old.closed_on = Family.Status.CLOSED, datetime.date(2012, 6, 30)
        old.save(update_fields=["status", "closed_on"])
        closed.append(old)
    due, proposed, held = closed
    destruction = retention_services.destruction_propose(kind=FileKind.FAMILY, obj=proposed, actor=manager)
    hold = retention_services.legal_hold_place(kind=FileKind.FAMILY, obj=held, reason="Insurance claim", actor=manager)
    return {**world, "due": due, "kwargs": {**world["kwargs"], "hold_id": hold.pk, "destruction_id": destruction.pk}}


def _seed(request: pytest.FixtureRequest, retention: bool) -> dict:
    """Build the world with the cast's own fixtures (of the test that first asks, inside the
    savepoint ``Seeded`` rolls back) and return it as primary keys, which stay true in every
    copy of it."""
    cast = {name: request.getfixturevalue(name) for name in CAST_FIXTURES}
    world = _build(**cast)
    if retention:
        world = _add_retention(world, cast["wirral"], cast["coordinator"], cast["manager"])
    return {
        "people": {role: None if user is None else user.pk for role, user in world["people"].items()},
        "files": {
            name: (type(world[name]), world[name].pk)
            for name in ("family", "volunteer_file", "personnel_file", "due")
            if name in world
        },
        "kwargs": world["kwargs"],
    }


def _load(seeded: Seeded, request: pytest.FixtureRequest) -> dict:
    asked = sorted(set(CAST_FIXTURES) & set(request.node.fixturenames))  # as collected, not as seeded
    assert not asked, (
        f"{request.node.nodeid} asks for the world and for {asked}: take them from the world instead "
        "(world['people'], world['family'], ...; tests/matrix.py)"
    )
    ids = seeded.load(request)
    users = User.objects.in_bulk([pk for pk in ids["people"].values() if pk is not None])
    return {
        "people": {role: None if pk is None else users[pk] for role, pk in ids["people"].items()},
        **{name: model._default_manager.get(pk=pk) for name, (model, pk) in ids["files"].items()},
        "kwargs": dict(ids["kwargs"]),
    }


# Built once per test process (per pytest-xdist worker) and copied into each test that asks
# (tests/seeded.py): making it takes 0.35 s on SQLite and 0.7 s on PostgreSQL, copying it a
# fraction of that, and some 170 tests on each database ask for it.
WORLD = Seeded(lambda request: _seed(request, retention=False))
RETENTION_WORLD = Seeded(lambda request: _seed(request, retention=True))


@pytest.fixture
def matrix_world(request, db, templates_not_recorded) -> dict:
    """The world (``_build``), in this test's transaction: ``people`` by column, ``family``
    (WIR-0001), ``volunteer_file``, ``personnel_file`` and the URL keywords (``kwargs``)."""
    return _load(WORLD, request)


@pytest.fixture
def world(matrix_world):
    """The world above, under the name the matrices use (tests/site keeps its own ``world`` on top of it)."""
    return matrix_world


@pytest.fixture
def retention_world(request, db, templates_not_recorded) -> dict:
    """The world, with three families closed in 2012 for the retention pages (§8.8): one due for
    destruction (``due``), one proposed for destruction, one under a legal hold.

    Kept apart from ``world`` because every family of the scheme is listed on the dashboard, and
    the access log matrix expects the dashboard to list WIR-0001 alone."""
    return _load(RETENTION_WORLD, request)

"""Named people for each role, two schemes and a family file to look at.

Like healthchecks' alice/bob: every test says *who* does something, and the
fixture name is the role. Wirral (WIR) is the scheme under test; Sefton (SEF)
is a neighbouring scheme that must see nothing of Wirral's (§9.2).
"""

from __future__ import annotations

import datetime
import os
from collections.abc import Callable, Iterator

import pytest
from django.test import Client
from django.utils import timezone

from families import services
from families.models import Family, Member, Referral, Visit, VolunteerAssignment
from homestart.models import Scheme, User
from homestart.policy_map import clause_numbers
from homestart.rules import Role
from records.models import PersonnelFile, VolunteerFile
from records.people import services as records_services
from tests.factories import MembershipFactory, SchemeFactory, UserFactory
from tests.seeded import DEMO

# The invented family used throughout: distinctive values, so a test can say
# "this never appears in that page / event / database file".
CARER_FIRST = "Rosalind"
CARER_LAST = "Quenby"
CARER_DOB = datetime.date(1991, 7, 23)
CHILD_FIRST = "Peregrine"
CHILD_AGE = 2
POSTCODE = "CH41 7QZ"
ADDRESS = "12 Argyle Street\nBirkenhead"
PHONE = "07700 900123"
REFERRER_NAME = "Janet Crosby"
REFERRER_ORG = "Oakfield Health Visiting"
REFERRER_CONTACT = "0151 000 1234"
REASONS = "Feeling isolated since moving to the area with twins"
VISIT_NOTES = "Initial visit: explained confidentiality and agreed weekly support"


# Every clause of the Confidentiality Policy, read from the text the product ships, for checking policy markers.
POLICY_CLAUSES = clause_numbers()


def pytest_collection_modifyitems(items):
    """A ``policy`` marker must name real clauses, so that a typo cannot claim coverage."""
    for item in items:
        if "e2e" in item.path.parts:  # the browser suite keeps its own conventions
            continue
        for marker in item.iter_markers("policy"):
            unknown = [c for c in marker.args if c not in POLICY_CLAUSES]
            if not marker.args or unknown:
                raise pytest.UsageError(f"{item.nodeid}: policy marker names no such clause {unknown or '()'}")
    # The longest tests first: under pytest-xdist (``--dist worksteal``, make unit) a worker
    # that finishes early takes queued tests from the other, so the run ends with short
    # tests on both workers instead of one long test on one of them.
    items.sort(key=lambda item: item.get_closest_marker("heavy") is None)


# On PostgreSQL, with TEST_APP_ROLE set (.ci/run sets homestart_app), the suite runs as
# the application's database role, as production does (docs/security.md, "Two database
# roles"): pytest-django creates and migrates the test database as the owner, then the
# role is created if missing, granted what ``manage.py grant_app_role`` grants, and
# every test connects as it. A test that needs the owner asks for ``database_owner``.
TEST_APP_ROLE = os.environ.get("TEST_APP_ROLE", "").strip()
_GRANT_LOCK = 7_460_001  # the advisory lock taken while granting TEST_APP_ROLE
_OWNER: list[str] = []  # the owner's user name, once the suite has switched to the application's role


def _connect_as(user: str) -> None:
    from django.db import connections

    connection = connections["default"]
    assert not connection.in_atomic_block, "switch database roles outside a test's transaction"
    connection.close()
    connection.settings_dict["USER"] = user


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker) -> Iterator[None]:
    from django.db import connections

    from homestart.db_roles import grant_app_role

    connection = connections["default"]
    if not TEST_APP_ROLE or connection.vendor != "postgresql":
        yield
        return
    owner = connection.settings_dict["USER"]
    with django_db_blocker.unblock():
        # Under pytest-xdist every worker grants on its own database (test_<name>_gw0, ...),
        # but the role belongs to the whole server: one worker at a time, so that two never
        # both find it missing and both create it.
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_lock(%s)", [_GRANT_LOCK])
        try:
            grant_app_role(TEST_APP_ROLE, create=True, connection=connection)
        finally:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s)", [_GRANT_LOCK])
        _connect_as(TEST_APP_ROLE)
    _OWNER.append(owner)
    yield
    _OWNER.clear()
    with django_db_blocker.unblock():
        _connect_as(owner)  # the owner drops the test database


@pytest.fixture
def database_owner(django_db_setup, django_db_blocker) -> Iterator[str | None]:
    """Run this test connected as the owner of the tables (restoring a backup, creating a
    table): what the operator does, not the application. Request it before any fixture
    that uses the database. Yields the application's role while it is switched, else None."""
    from django.db import connections

    if not _OWNER or connections["default"].vendor != "postgresql":
        yield None
        return
    with django_db_blocker.unblock():
        _connect_as(_OWNER[0])
    yield TEST_APP_ROLE
    with django_db_blocker.unblock():
        _connect_as(TEST_APP_ROLE)


@pytest.fixture
def seeded_demo(db) -> str:
    """The database ``manage.py seed_demo`` leaves, in this test's transaction; returns what the
    command printed. The command runs once per test process (per pytest-xdist worker) and its
    rows are copied into each test that asks (tests/seeded.py): a test changes them freely and
    the next one starts from the seeded demo again. Ask for it before any fixture that writes."""
    return DEMO.load()


@pytest.fixture
def templates_not_recorded() -> Iterator[None]:
    """Pages rendered as production renders them, without the test client's record of every
    template rendered and a copy of its context (``response.templates``, ``response.context``:
    then None). For the sweeps, the matrices and the simulation, which read only what a browser
    gets and ask for thousands of pages: the record is about a twentieth of their time."""
    from django.template import Template
    from django.test.utils import _TestState

    recording = Template._render
    Template._render = _TestState.saved_data.template_render  # Django's own, saved by setup_test_environment
    try:
        yield
    finally:
        Template._render = recording


@pytest.fixture(autouse=True)
def _fresh_rate_limits() -> None:
    """Each test starts with no searches or exports counted (homestart/ratelimit.py): ids of
    people repeat from test to test, and the local-memory cache outlives a test."""
    from django.conf import settings
    from django.core.cache import caches

    caches[settings.RATE_LIMIT_CACHE].clear()


@pytest.fixture(autouse=True)
def _pages_in_english() -> Iterator[None]:
    """Each test starts in the default language (English). A request activates its person's
    language for the rest of the thread (homestart/language.py), as a server's next request
    would activate its own; without this, a form test after a Welsh page would run in Welsh."""
    from django.utils import translation

    translation.deactivate()
    yield
    translation.deactivate()


def _member(scheme: Scheme | None, role: str, username: str, line_manager: User | None = None, **extra) -> User:
    user = UserFactory(username=username, **extra)
    MembershipFactory(user=user, scheme=scheme, role=role, line_manager=line_manager)
    return user


@pytest.fixture
def wirral(db) -> Scheme:
    return SchemeFactory(name="Home-Start Wirral", code="WIR")


@pytest.fixture
def sefton(db) -> Scheme:
    return SchemeFactory(name="Home-Start Sefton", code="SEF")


@pytest.fixture
def manager(wirral) -> User:
    return _member(wirral, Role.MANAGER, "manager")


@pytest.fixture
def coordinator(wirral, manager) -> User:
    return _member(wirral, Role.COORDINATOR, "coordinator", line_manager=manager)


@pytest.fixture
def safeguarding_lead(wirral) -> User:
    return _member(wirral, Role.SAFEGUARDING_LEAD, "safeguarding")


@pytest.fixture
def volunteer(wirral) -> User:
    return _member(wirral, Role.VOLUNTEER, "volunteer")


@pytest.fixture
def other_volunteer(wirral) -> User:
    return _member(wirral, Role.VOLUNTEER, "volunteer2")


@pytest.fixture
def trustee(wirral) -> User:
    return _member(wirral, Role.TRUSTEE, "trustee")


@pytest.fixture
def spotcheck(wirral) -> User:
    user = _member(wirral, Role.TRUSTEE, "spotcheck")
    MembershipFactory(user=user, scheme=wirral, role=Role.SPOT_CHECK_TRUSTEE)
    return user


@pytest.fixture
def reviewer(db) -> User:
    return _member(None, Role.REVIEWER, "reviewer")


@pytest.fixture
def auditor(wirral) -> User:
    return _member(wirral, Role.AUDITOR, "auditor")


@pytest.fixture
def admin_user(db) -> User:
    return _member(None, Role.ADMIN, "admin", is_staff=True)


@pytest.fixture
def sef_coordinator(sefton) -> User:
    return _member(sefton, Role.COORDINATOR, "coordinator2")


@pytest.fixture
def outsider(db) -> User:
    return UserFactory(username="outsider")


@pytest.fixture
def family(wirral, coordinator) -> Family:
    """WIR-0001: a carer, a child and an initial visit, opened from a consented referral."""
    today = timezone.localdate()
    family = services.family_create_from_referral(
        scheme=wirral,
        actor=coordinator,
        referral={
            "source": Referral.Source.HEALTH_VISITOR,
            "referrer_name": REFERRER_NAME,
            "referrer_organisation": REFERRER_ORG,
            "referrer_contact": REFERRER_CONTACT,
            "referred_on": today - datetime.timedelta(days=30),
            "reasons": REASONS,
            "family_consented": True,
        },
        carer={
            "first_name": CARER_FIRST,
            "last_name": CARER_LAST,
            "date_of_birth": CARER_DOB,
            "relationship": "mother",
        },
        address=ADDRESS,
        postcode=POSTCODE,
        phone=PHONE,
    )
    services.member_add(
        family=family,
        actor=coordinator,
        kind=Member.Kind.CHILD,
        first_name=CHILD_FIRST,
        last_name=CARER_LAST,
        date_of_birth=today - datetime.timedelta(days=CHILD_AGE * 365 + 60),
        relationship="son",
    )
    services.visit_record(
        family=family,
        actor=coordinator,
        kind=Visit.Kind.INITIAL,
        visited_on=today - datetime.timedelta(days=20),
        visited_by=coordinator,
        notes=VISIT_NOTES,
    )
    return family


@pytest.fixture
def assignment(family, coordinator, volunteer, volunteer_file) -> VolunteerAssignment:
    # The volunteer file records a current DBS check: without one nobody is assigned (issue 15.4).
    return services.volunteer_assign(
        family=family,
        actor=coordinator,
        volunteer=volunteer,
        starts_on=timezone.localdate() - datetime.timedelta(days=7),
    )


@pytest.fixture
def assigned_family(family, assignment) -> Family:
    """The family above, currently supported by ``volunteer``."""
    family.refresh_from_db()
    return family


VOLUNTEER_NAME = "Ottoline Pembury"
STAFF_NAME = "Cressida Vantongeren"


@pytest.fixture
def volunteer_file(wirral, coordinator, volunteer) -> VolunteerFile:
    return records_services.volunteer_file_create(
        scheme=wirral,
        person=volunteer,
        actor=coordinator,
        full_name=VOLUNTEER_NAME,
        started_on=timezone.localdate() - datetime.timedelta(days=400),
        training="Preparation course, 2024",
        recruitment="Two references received",
        dbs_checked_on=timezone.localdate() - datetime.timedelta(days=380),
    )


@pytest.fixture
def personnel_file(wirral, manager, coordinator) -> PersonnelFile:
    return records_services.personnel_file_create(
        scheme=wirral,
        person=coordinator,
        actor=manager,
        full_name=STAFF_NAME,
        started_on=timezone.localdate() - datetime.timedelta(days=900),
        job_title="Coordinator",
        employment="Annual appraisal: strong safeguarding practice",
    )


@pytest.fixture
def client_for(db) -> Callable[[User], Client]:
    """``client_for(coordinator)``: a test client signed in as that person."""

    def make(user: User) -> Client:
        client = Client()
        client.force_login(user)
        return client

    return make

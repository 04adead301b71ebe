"""Populate a benchmark database at national scale, fast.

Rows go in with bulk inserts (encryption still runs: each row is sealed under its
family's data key as in production); access events, by the ten million, are
generated inside PostgreSQL. History rows are not generated: the measured pages
do not read them.
"""

from __future__ import annotations

import datetime
import random
import time
import uuid

from django.contrib.auth.models import Permission
from django.db import connection, transaction
from django.utils import timezone

from access_log import partitions
from access_log import services as access_services
from access_log.models import Review
from families.models import (
    Family,
    FamilyGroupObjectPermission,
    FamilyUserObjectPermission,
    Member,
    Referral,
    Visit,
    VolunteerAssignment,
)
from homestart import crypto, keystore
from homestart import services as people_services
from homestart.models import DataKey, Membership, Scheme, User
from homestart.rules import FileKind, Role

BATCH = 2000
# The national spread: every size's families over this many schemes (a scheme holds
# 1/100 of them); ``schemes=1`` puts them all in the measured scheme instead.
NATIONAL_SCHEMES = 100
PASSWORD_HASH = "md5$bench$0"  # nobody signs in with a password here: force_login


def _log(msg: str, started: float) -> None:
    print(f"  {msg} ({time.perf_counter() - started:.1f}s)", flush=True)


def _datakey() -> DataKey:
    key = DataKey(id=uuid.uuid4())
    plain = crypto.new_data_key()
    key.master_key_id, wrapped = crypto.wrap_key(plain, aad=key._aad())
    # Straight into the key store as committed keys; no fsync for a benchmark's bulk load.
    keystore.put(key.pk, key.master_key_id, wrapped, pending=False, sync=False)
    key._plain = plain
    return key


def _user(username: str) -> User:
    user, _ = User.objects.get_or_create(username=username, defaults={"password": PASSWORD_HASH})
    return user


def people(schemes: list[Scheme]) -> dict[str, User]:
    """The measured people, inducted and with their memberships."""
    policy = people_services.policy_ensure_published()
    home = schemes[0]
    cast = {
        "coordinator": (home, Role.COORDINATOR),
        "volunteer": (home, Role.VOLUNTEER),
        "reviewer": (None, Role.REVIEWER),
    }
    users = {}
    for name, (scheme, role) in cast.items():
        user = _user(f"bench_{name}")
        if not Membership.objects.current().filter(user=user, scheme=scheme, role=role).exists():
            people_services.membership_grant_at_setup(user=user, scheme=scheme, role=role)
        people_services.policy_acknowledge(user=user, version=policy)
        users[name] = user
    return users


def populate(*, families: int, events: int, schemes: int = NATIONAL_SCHEMES, seed: int = 1) -> dict:
    rng = random.Random(seed)  # noqa: S311 - invented benchmark data, not security
    started = time.perf_counter()
    scheme_rows = []
    for i in range(schemes):
        code = "B" + "".join(chr(65 + int(d)) for d in f"{i:03d}")
        scheme = Scheme.objects.filter(code=code).first() or people_services.scheme_create(
            name=f"Benchmark scheme {i}", code=code, actor=None
        )
        scheme_rows.append(scheme)
    users = people(scheme_rows)
    _log(f"{schemes} schemes, measured people", started)

    # Volunteers: one for every 20 families, each in the first scheme's pool or their own scheme.
    volunteer_count = max(1, families // 20)
    existing = set(User.objects.filter(username__startswith="bench_v").values_list("username", flat=True))
    User.objects.bulk_create(
        [
            User(username=f"bench_v{i}", password=PASSWORD_HASH)
            for i in range(volunteer_count)
            if f"bench_v{i}" not in existing
        ],
        batch_size=BATCH,
    )
    volunteers = list(User.objects.filter(username__startswith="bench_v").order_by("id")[:volunteer_count])
    coordinator = users["coordinator"]
    _log(f"{len(volunteers)} volunteers", started)

    perms = {p.codename: p.pk for p in Permission.objects.filter(content_type__app_label="families")}
    today = timezone.localdate()
    made = Family.objects.filter(scheme__in=scheme_rows).count()  # grow an existing database
    while made < families:
        size = min(BATCH, families - made)
        keys, fams, members, referrals, visits, assignments, group_perms, user_perms = [], [], [], [], [], [], [], []
        with transaction.atomic():
            for j in range(size):
                n = made + j
                scheme = scheme_rows[n % schemes]
                number = n // schemes + 1
                key = _datakey()
                keys.append(key)
                family = Family(
                    id=uuid.uuid4(),
                    scheme=scheme,
                    number=number,
                    reference=Family.format_reference(scheme.code, number),
                    data_key=key,
                    status=Family.Status.ACTIVE,
                    address=f"{rng.randint(1, 200)} Bench Street",
                    postcode=f"CH{rng.randint(41, 63)} {rng.randint(1, 9)}AB",
                    phone="07700 900000",
                )
                fams.append(family)
                for kind, first in ((Member.Kind.ADULT, "Alex"), (Member.Kind.CHILD, "Sam")):
                    members.append(
                        Member(
                            id=uuid.uuid4(),
                            family=family,
                            kind=kind,
                            first_name=first,
                            last_name=f"Bench{n % 5000}",
                            date_of_birth=datetime.date(2020, 1, 1),
                        )
                    )
                referrals.append(
                    Referral(
                        id=uuid.uuid4(),
                        family=family,
                        source=Referral.Source.HEALTH_VISITOR,
                        referrer_name="Referrer",
                        referred_on=today,
                        reasons="Benchmark",
                        family_consented=True,
                        received_by=coordinator,
                    )
                )
                for k in range(2):
                    visits.append(
                        Visit(
                            id=uuid.uuid4(),
                            family=family,
                            kind=Visit.Kind.SUPPORT,
                            visited_on=today - datetime.timedelta(days=k),
                            visited_by=coordinator,
                            recorded_by=coordinator,
                            notes="Benchmark visit",
                        )
                    )
                # The measured volunteer supports two families of the first scheme.
                measured = n < 2 * schemes and n % schemes == 0
                volunteer = users["volunteer"] if measured else volunteers[n % len(volunteers)]
                assignments.append(
                    VolunteerAssignment(
                        id=uuid.uuid4(), family=family, volunteer=volunteer, starts_on=today, created_by=coordinator
                    )
                )
                for codename in ("view_family", "change_family"):
                    group_perms.append(
                        FamilyGroupObjectPermission(
                            group_id=scheme.staff_group_id, permission_id=perms[codename], content_object=family
                        )
                    )
                user_perms.append(
                    FamilyUserObjectPermission(
                        user=volunteer, permission_id=perms["view_family_minimal"], content_object=family
                    )
                )
                # Reviewers of past reviews keep their grant rows (the window closed at access
                # time): the bulk of the permission table at national scale.
                for r in range(7):
                    user_perms.append(
                        FamilyUserObjectPermission(
                            user=volunteers[(n * 7 + r) % len(volunteers)],
                            permission_id=perms["review_family"],
                            content_object=family,
                        )
                    )
            DataKey.objects.bulk_create(keys, batch_size=BATCH)
            Family.objects.bulk_create(fams, batch_size=BATCH)
            Member.objects.bulk_create(members, batch_size=BATCH)
            Referral.objects.bulk_create(referrals, batch_size=BATCH)
            Visit.objects.bulk_create(visits, batch_size=BATCH)
            VolunteerAssignment.objects.bulk_create(assignments, batch_size=BATCH)
            FamilyGroupObjectPermission.objects.bulk_create(group_perms, batch_size=BATCH, ignore_conflicts=True)
            FamilyUserObjectPermission.objects.bulk_create(user_perms, batch_size=BATCH, ignore_conflicts=True)
        made += size
        if made % 20000 == 0 or made == families:
            _log(f"{made} families", started)
    for scheme in scheme_rows:
        count = Family.objects.filter(scheme=scheme).count()
        Scheme.objects.filter(pk=scheme.pk).update(next_family_number=count + 1)

    review = Review.objects.filter(reviewer=users["reviewer"]).first()
    if review is None:
        review = access_services.review_draw_sample(
            reviewer=users["reviewer"],
            scheme=scheme_rows[0],
            sample_size=10,
            days=30,
            rng=random.Random(seed),  # noqa: S311
        )
    sampled = review.files.first()
    family = Family.objects.get(pk=sampled.file_id)
    if not review.signatures.exists():
        access_services.record_of_access_sign(
            user=users["reviewer"],
            kind=FileKind.FAMILY,
            obj=family,
            reference=family.reference,
            scheme_id=family.scheme_id,
            role=Role.REVIEWER,
            signed_name="Bench Reviewer",
            declared=True,
            review=review,
        )
    _log("review sample", started)

    if events and connection.vendor == "postgresql":
        _events(events, started)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ANALYZE")
    return {"users": users, "review": review, "sampled": family, "schemes": scheme_rows}


def _events(total: int, started: float) -> None:
    """Ten million access events, spread over every family and three years, in SQL."""
    have = _count("access_log_accessevent")
    if have >= total:
        return
    todo = total - have
    span = datetime.timedelta(seconds=9 * total)
    if partitions.is_partitioned():  # one partition per month, as production keeps them (access_log/partitions.py)
        partitions.ensure_months(since=(timezone.now() - span).date())
    with connection.cursor() as cursor:
        # The files were made before their events: "who opened this file" reads from then.
        cursor.execute("UPDATE families_family SET created_at = now() - %s - interval '1 day'", [span])
        cursor.execute(
            "CREATE TEMP TABLE bench_fam AS SELECT row_number() OVER () AS n, id, reference, scheme_id "
            "FROM families_family"
        )
        cursor.execute("SELECT count(*) FROM bench_fam")
        (fams,) = cursor.fetchone()
        cursor.execute("SELECT min(id), max(id) FROM homestart_user")
        lo, hi = cursor.fetchone()
        step = 1_000_000
        for offset in range(0, todo, step):
            n = min(step, todo - offset)
            cursor.execute(
                """
                INSERT INTO access_log_accessevent
                  (at, user_id, role, file_kind, file_id, file_reference, scheme_id, section, action,
                   purpose, outcome, reason, request_id)
                SELECT now() - (g * interval '9 seconds'), %s + (g %% (%s - %s + 1)), 'coordinator', 'family',
                       f.id, f.reference, f.scheme_id, 'file', 'view', 'casework',
                       CASE WHEN g %% 50 = 0 THEN 'refused' ELSE 'allowed' END, '', ''
                FROM generate_series(%s, %s) AS g
                JOIN bench_fam f ON f.n = 1 + (g::bigint * 7919) %% %s
                """,
                [lo, hi, lo, offset + 1, offset + n, fams],
            )
            _log(f"{offset + n} access events", started)
        cursor.execute("DROP TABLE bench_fam")


def _count(table: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM {table}")  # noqa: S608
        return cursor.fetchone()[0]

"""What translation costs a page, in deterministic counts: `python -m benchmarks.translation_counts`.

The machine the benchmarks run on is often busy, so this counts instead of timing: for the
coordinator's family list and "who opened this file" (and their plain counterparts), in
English and in Welsh, the catalogue look-ups a request makes (calls of Django's
``gettext``/``ngettext``/``pgettext``, and of the catalogue objects' own ``gettext``,
which is one call for each catalogue a look-up walks through), and every Python function
call, from cProfile over REPEAT requests after a warm-up. ``--cpu`` adds the process time
of many requests (a rough guide only on a shared machine); ``--requests N`` runs N more
requests of one page after warming every page in both languages, so that running it under
``valgrind --tool=callgrind`` (with PYTHONHASHSEED=0) with N and with 0 gives the
instructions N requests cost.

The database is SQLite (``--db``, filled once and kept): 1,000 families in one scheme, as
the benchmark's generator makes them, and the first family's file opened 600 times over
a year by 20 people (some refused, in several parts of the file and for several
purposes), so that its "who opened this file" page shows a full page of 50 visits.
"""

from __future__ import annotations

import argparse
import cProfile
import datetime
import os
import pstats
import random
import shutil
import sys
import time

DEFAULT_DB = "/tmp/homestart-translation-counts/db.sqlite3"


def _configure(db: str) -> None:
    os.makedirs(os.path.dirname(db), exist_ok=True)
    os.environ["DATABASE_URL"] = f"sqlite:///{db}"
    os.environ.setdefault("KEY_STORE_DIR", os.path.join(os.path.dirname(db), "keystore"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "benchmarks.settings")
    import django

    django.setup()


def _fill(db: str, families: int) -> None:
    """Fill the database once; every run then works on a fresh copy of it, so that the access
    events and sessions one run writes do not change what the next one counts."""
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    from access_log.models import AccessEvent
    from families.models import Family
    from homestart.models import User
    from homestart.rules import Action, Outcome, Purpose, Refusal, Role, Section

    from . import generate

    if not os.path.exists(db):
        connection.settings_dict["NAME"] = filling = db + ".filling"
        call_command("migrate", verbosity=0)
        world = generate.populate(families=families, events=0, schemes=1)
        family = Family.objects.filter(scheme=world["schemes"][0]).order_by("number").first()
        rng = random.Random(7)  # noqa: S311 - invented benchmark data
        people = list(User.objects.filter(username__startswith="bench_v").order_by("id")[:19])
        people.append(world["users"]["coordinator"])
        sections = [Section.FILE, Section.MEMBERS, Section.VISITS, Section.CONTACT]
        purposes = [Purpose.CASEWORK, Purpose.SUPERVISION, Purpose.SPOT_CHECK]
        actions = [Action.VIEW, Action.VIEW, Action.VIEW, Action.CHANGE]
        now = timezone.now()
        # Written in SQL, as benchmarks/generate.py writes its events: in the product only the
        # gate writes access events (tests/access_log/test_one_door.py).
        columns = ["at", "user_id", "role", "file_kind", "file_id", "file_reference", "scheme_id"]
        columns += ["section", "action", "purpose", "outcome", "reason", "request_id"]
        fields = [AccessEvent._meta.get_field(name) for name in columns]
        rows = []
        for _ in range(600):
            refused = rng.random() < 0.03
            values = [
                now - datetime.timedelta(seconds=rng.randint(60, 365 * 24 * 3600)),
                rng.choice(people).pk,
                Role.COORDINATOR,
                "family",
                family.pk,
                family.reference,
                family.scheme_id,
                rng.choice(sections),
                rng.choice(actions),
                rng.choice(purposes),
                Outcome.REFUSED if refused else Outcome.ALLOWED,
                Refusal.values[0] if refused else "",
                "",
            ]
            rows.append([f.get_db_prep_value(v, connection) for f, v in zip(fields, values, strict=True)])
        table = AccessEvent._meta.db_table
        with connection.cursor() as cursor:
            cursor.executemany(
                f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join(['%s'] * len(columns))})",  # noqa: S608
                rows,
            )
        Family.objects.filter(pk=family.pk).update(created_at=now - datetime.timedelta(days=400))
        connection.close()
        os.rename(filling, db)
    connection.close()
    connection.settings_dict["NAME"] = work = db + ".work"
    shutil.copyfile(db, work)


def _pages(family) -> dict[str, str]:
    return {
        "family list": "/families/",
        "family list, plain": "/bench/families/",
        "who opened this file": f"/files/family/{family.reference}/access-log/",
        "who opened this file, plain": f"/bench/access-log/{family.reference}/",
    }


# Django's look-ups (one per string shown) and the catalogue objects' (one per catalogue walked).
LOOKUPS = {("trans_real.py", "gettext"), ("trans_real.py", "ngettext"), ("trans_real.py", "pgettext")}


def _count(client, url: str, repeat: int, top: int = 0, dump: str = "") -> dict:
    profile = cProfile.Profile()
    profile.enable()
    for _ in range(repeat):
        response = client.get(url)
    profile.disable()
    assert response.status_code == 200, (url, response.status_code)
    if dump:
        profile.dump_stats(dump)
    if top:
        pstats.Stats(profile).sort_stats("tottime").print_stats(top)
        pstats.Stats(profile).sort_stats("cumulative").print_stats(top)
    stats = pstats.Stats(profile).stats  # type: ignore[attr-defined]
    lookups = walked = total = 0
    for (filename, _line, name), (_cc, calls, _tt, _ct, _callers) in stats.items():
        total += calls
        base = os.path.basename(filename)
        if (base, name) in LOOKUPS:
            lookups += calls
        if base == "gettext.py" and name in ("gettext", "ngettext", "pgettext"):
            walked += calls
    return {"lookups": lookups // repeat, "catalogues walked": walked // repeat, "calls": total // repeat}


def _cpu(client, url: str, repeat: int) -> float:
    start = time.process_time()
    for _ in range(repeat):
        client.get(url)
    return (time.process_time() - start) / repeat * 1000


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", default=DEFAULT_DB)
    parser.add_argument("--families", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=5, help="requests profiled per page")
    parser.add_argument("--cpu", type=int, default=0, help="also the process time of this many requests per page")
    parser.add_argument("--page", default="", help="only this page (see the names printed)")
    parser.add_argument("--language", default="", help="only this language (en-gb or cy)")
    parser.add_argument("--top", type=int, default=0, help="print the profile's top functions too")
    parser.add_argument("--dump", default="", help="save the profile of the (one) page to this file")
    parser.add_argument("--requests", type=int, default=None, help="only N requests of --page in --language")
    args = parser.parse_args(argv)
    _configure(args.db)

    from django.test import Client
    from django.test.utils import setup_test_environment

    from .run import _keep_connection_and_query_log

    setup_test_environment()
    _keep_connection_and_query_log()
    _fill(args.db, args.families)
    from families.models import Family
    from homestart.models import User

    coordinator = User.objects.get(username="bench_coordinator")
    pages = _pages(Family.objects.order_by("number").first())
    languages = [args.language] if args.language else ["en-gb", "cy"]
    chosen = {k: v for k, v in pages.items() if not args.page or k == args.page}
    client = Client()
    client.force_login(coordinator)
    if args.requests is not None:
        # For callgrind: every page warmed in both languages, whichever is then requested, so
        # that runs differing only in N differ only by the N requests.
        for language in ("en-gb", "cy"):
            User.objects.filter(pk=coordinator.pk).update(language=language)
            for url in pages.values():
                for _ in range(3):
                    assert client.get(url).status_code == 200
        User.objects.filter(pk=coordinator.pk).update(language=languages[0])
        for url in chosen.values():
            for _ in range(args.requests):
                assert client.get(url).status_code == 200
        return 0
    for language in languages:
        User.objects.filter(pk=coordinator.pk).update(language=language)
        for name, url in chosen.items():
            for _ in range(3):  # warm: templates compiled, catalogues loaded, caches filled
                assert client.get(url).status_code == 200
            counts = _count(client, url, args.repeat, args.top, args.dump)
            line = f"{language:6} {name:28} " + "  ".join(f"{k} {v:>6}" for k, v in counts.items())
            if args.cpu:
                line += f"  cpu {_cpu(client, url, args.cpu):6.2f} ms"
            print(line, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())

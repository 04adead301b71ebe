"""How passwords are stored (§8.2: access to records only for the people entitled to it).

Argon2id (argon2-cffi), Django's recommended hasher, with parameters chosen for the
machines the product runs on (two cores, a few GiB) rather than the library's
defaults (100 MiB and eight lanes, about 100 ms a hash here with both cores busy):

* ``memory_cost`` 64 MiB and ``time_cost`` 3: RFC 9106's second recommended option,
  memory-hard enough that guessing on a graphics card gains little;
* ``parallelism`` 1: each sign-in takes one core for about 120 ms on the benchmark
  machine (docs/performance.md, "Sign-in"), so that a sync gunicorn worker hashes one
  password at a time and 50 simultaneous sign-ins queue for seconds, not minutes.

The hash records its parameters, so changing them here upgrades each person's stored
hash the next time they sign in (Django's ``must_update``), as does any password still
stored with an older hasher listed after this one in ``PASSWORD_HASHERS`` (settings.py).
The test settings keep a fast hasher; tests/homestart/test_hashers.py proves this one.
"""

from __future__ import annotations

from django.contrib.auth.hashers import Argon2PasswordHasher


class HomestartArgon2PasswordHasher(Argon2PasswordHasher):
    time_cost = 3
    memory_cost = 64 * 1024  # KiB
    parallelism = 1

"""How passwords are stored (§8.2: access to records only for the people entitled to it).

Argon2id (argon2-cffi), Django's recommended hasher, with parameters chosen for the
machines the product runs on (two cores, a few GiB) rather than the library's
defaults (100 MiB and eight lanes, about 100 ms a hash here):

* ``memory_cost`` 46 MiB, ``time_cost`` 1, ``parallelism`` 1: the first of OWASP's
  recommended Argon2id configurations (Password Storage Cheat Sheet), memory-hard
  enough that guessing on a graphics card gains little;
* about 40 ms of one core a sign-in on the benchmark machine. RFC 9106's 64 MiB and
  three passes (about 120 ms) were tried first: with 50 people signing in at the same
  moment on one two-worker server, on a busy machine, the last waited 29 s, against
  gunicorn's 30 s timeout (docs/performance.md, "Sign-in"). One lane, so that a sync
  gunicorn worker hashes one password at a time on one core.

The hash records its parameters, so changing them here upgrades each person's stored
hash the next time they sign in (Django's ``must_update``), as does any password still
stored with an older hasher listed after this one in ``PASSWORD_HASHERS`` (settings.py).
The test settings keep a fast hasher; tests/homestart/test_hashers.py proves this one.
"""

from __future__ import annotations

from django.contrib.auth.hashers import Argon2PasswordHasher


class HomestartArgon2PasswordHasher(Argon2PasswordHasher):
    time_cost = 1
    memory_cost = 46 * 1024  # KiB
    parallelism = 1

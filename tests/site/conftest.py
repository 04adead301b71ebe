"""A world in which every page of the product can be reached (the matrices' world of
tests/matrix.py): a family with a volunteer, open reviews and audit sessions, signed and
not, one of each object a URL names, and every role. Used by the cross-cutting suites of
this folder."""

from __future__ import annotations

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from tests.matrix import matrix_world, retention_world  # noqa: F401 - fixtures

# The whole-site sweeps ask for every URL as every role; each is cut into this many parts
# (every SHARDS-th URL), run as separate tests so that parallel workers share them out.
SHARDS = 4


def shard_of(patterns: list[tuple[str, URLPattern]], shard: int) -> list[tuple[str, URLPattern]]:
    """Part ``shard`` (0 to SHARDS - 1) of ``patterns``: together the parts hold each exactly once."""
    return patterns[shard::SHARDS]


def all_patterns() -> list[tuple[str, URLPattern]]:
    """(name, pattern) for every named URL of the product, Django admin excepted."""
    found: list[tuple[str, URLPattern]] = []

    def walk(patterns, namespace: str = "") -> None:
        for p in patterns:
            if isinstance(p, URLResolver):
                if p.namespace == "admin":
                    continue
                walk(p.url_patterns, f"{namespace}{p.namespace}:" if p.namespace else namespace)
            elif p.name:
                found.append((f"{namespace}{p.name}", p))

    walk(get_resolver().url_patterns)
    return found


@pytest.fixture
def world(retention_world):  # noqa: F811 - the fixture imported above
    """The URL × role matrices' world (tests/matrix.py), everyone in it signed in. Every URL keyword
    the product uses has a value in its ``kwargs``: a URL with a keyword missing there fails the
    suites, so a new page cannot slip past them."""
    people = {role: user for role, user in retention_world["people"].items() if user is not None}
    return {**retention_world, "people": people}


def url_for(pattern: URLPattern, name: str, kwargs: dict) -> str:
    from django.urls import reverse

    needed = set(pattern.pattern.converters)
    missing = needed - set(kwargs)
    assert not missing, f"tests/matrix.py (world kwargs): add a value for {sorted(missing)} (URL {name})"
    return reverse(name, kwargs={k: kwargs[k] for k in needed})

"""One door to the access log: every access event is written by the gate
(``access_log/gate.py``), which decides, records the request id and the outcome.

A module that built ``AccessEvent`` rows itself would write events the gate never
decided, without the request they belong to (§8.3, §9.1). This reads the source of
every module of the application and fails on any other writer.
"""

from __future__ import annotations

import ast
import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
# The gate, and only the gate, writes access events.
GATE = Path("access_log/gate.py")
# Not the application: the tests (which forge an event to prove it cannot be overwritten),
# the virtualenv and the front-end's tooling.
SKIPPED_DIRS = {".venv", "tests", "node_modules", "frontend", "static", ".git", "__pycache__"}
WRITERS = {"create", "bulk_create", "get_or_create", "update_or_create"}
MANAGERS = {"objects", "_default_manager", "_base_manager"}


def _is_access_event(node: ast.AST) -> bool:
    return (isinstance(node, ast.Name) and node.id == "AccessEvent") or (
        isinstance(node, ast.Attribute) and node.attr == "AccessEvent"
    )


def writes_access_events(source: str) -> list[int]:
    """Line numbers where ``source`` builds an AccessEvent or writes one through its manager."""
    lines = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        built = _is_access_event(func)  # AccessEvent(...)
        written = (  # AccessEvent.objects.create(...), .bulk_create(...), ...
            isinstance(func, ast.Attribute)
            and func.attr in WRITERS
            and isinstance(func.value, ast.Attribute)
            and func.value.attr in MANAGERS
            and _is_access_event(func.value.value)
        )
        if built or written:
            lines.append(node.lineno)
    return sorted(lines)


def _application_modules() -> list[Path]:
    found = []
    for directory, subdirs, files in os.walk(REPO):
        subdirs[:] = [d for d in subdirs if d not in SKIPPED_DIRS]
        found += [Path(directory, name).relative_to(REPO) for name in files if name.endswith(".py")]
    return sorted(found)


@pytest.mark.policy("8.3", "9.1")
def test_the_detector_finds_every_way_of_writing_an_access_event():
    source = (
        "AccessEvent.objects.create(user=u)\n"
        "models.AccessEvent.objects.bulk_create([])\n"
        "AccessEvent(user=u).save()\n"
        "AccessEvent._default_manager.get_or_create(user=u)\n"
        "AccessEvent.objects.filter(user=u).count()\n"
        "class AccessEvent(AppendOnlyModel): pass\n"
    )
    assert writes_access_events(source) == [1, 2, 3, 4]


@pytest.mark.policy("8.3", "9.1")
def test_no_module_but_the_gate_writes_access_events():
    modules = _application_modules()
    assert GATE in modules and Path("records/people/services.py") in modules  # the walk reached the apps
    writers = {
        f"{path}:{line}"
        for path in modules
        if path != GATE
        for line in writes_access_events((REPO / path).read_text(encoding="utf-8"))
    }
    assert not writers, f"Access events written outside access_log/gate.py (use a gate function): {sorted(writers)}"


@pytest.mark.policy("8.3", "9.1")
def test_the_gate_itself_is_seen_writing_them():
    # The detector reads the gate as it reads every other module: it finds the gate's writers.
    assert writes_access_events((REPO / GATE).read_text(encoding="utf-8"))

"""One hierarchy of domain errors with distinct names (homestart.errors): a refusal is a 403
with its message, a correctable refusal is a message next to the field, never a 500."""

from __future__ import annotations

import ast
import importlib
import inspect
import pathlib
import pkgutil

from django.core.exceptions import PermissionDenied, ValidationError

from access_log import gate
from homestart.errors import AccessRefused, DomainError, NotAllowed

APPS = ("homestart", "access_log", "families", "consent", "safeguarding", "records", "reporting")


def _domain_error_classes() -> list[type]:
    found = []
    for app in APPS:
        package = importlib.import_module(app)
        for info in pkgutil.walk_packages(package.__path__, f"{app}."):
            if ".migrations" in info.name or ".management" in info.name or info.name.endswith("settings_test"):
                continue
            module = importlib.import_module(info.name)
            found += [
                cls
                for _, cls in inspect.getmembers(module, inspect.isclass)
                if issubclass(cls, Exception) and cls.__module__ == module.__name__
            ]
    return found


def test_no_two_exceptions_share_a_name():
    """Three different errors were all called NotPermitted: one a 403, two form errors."""
    names: dict[str, list[str]] = {}
    for cls in _domain_error_classes():
        names.setdefault(cls.__name__, []).append(cls.__module__)
    assert {name: where for name, where in names.items() if len(where) > 1} == {}


def test_refusals_are_403s_and_correctable_refusals_are_form_errors():
    assert issubclass(AccessRefused, PermissionDenied) and issubclass(AccessRefused, DomainError)
    assert issubclass(NotAllowed, ValidationError) and issubclass(NotAllowed, DomainError)
    for refusal in (gate.AcknowledgementRequired, gate.SignatureRequired, gate.UndertakingRequired):
        assert issubclass(refusal, AccessRefused)
    error = NotAllowed({"auditor": "Only the scheme's coordinators open audit sessions (§10.1)."})
    assert error.message_dict == {"auditor": ["Only the scheme's coordinators open audit sessions (§10.1)."]}


def test_every_validation_style_domain_error_is_in_the_hierarchy():
    for cls in _domain_error_classes():
        if issubclass(cls, ValidationError):
            assert issubclass(cls, NotAllowed), cls
        if issubclass(cls, PermissionDenied):
            assert issubclass(cls, AccessRefused), cls


def test_the_errors_import_no_app():
    tree = ast.parse(pathlib.Path(importlib.import_module("homestart.errors").__file__).read_text())
    imported = {
        node.module.split(".")[0] for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) and node.module
    }
    assert imported <= {"__future__", "django"}

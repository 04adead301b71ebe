"""Every model either keeps history (django-simple-history) or is append-only (DESIGN.md, "Data
protection": "every change has history or is append-only") (§8.2, §8.3).

A model is append-only when it subclasses ``access_log.models.AppendOnlyModel`` (the marker used
today: saves only insert, updates and deletes raise, and PostgreSQL triggers refuse them too) or
declares ``append_only = True`` (the same promise made by a model that cannot subclass it, e.g. one
in ``homestart``, which imports no app above it). A new model with neither fails here, by name.
"""

from __future__ import annotations

import pytest
from django.apps import apps
from simple_history.models import HistoricalChanges, registered_models

from access_log.models import AppendOnlyModel

# Technical tables that keep no history, each for its reason. Nothing personal or decided by a
# person lives here that is not recorded elsewhere.
ALLOWED_WITHOUT_HISTORY = {
    # Django's own: the admin's change log is itself a log; permissions and content types are
    # fixed by code; sessions are short-lived sign-in state.
    "admin.LogEntry",
    "auth.Permission",
    "contenttypes.ContentType",
    "sessions.Session",
    # Each scheme's staff group only mirrors memberships (which keep history), kept in step by
    # homestart.services; so do the object-permission tables (guardian's own and the families'
    # direct-key ones), kept in step by the membership and assignment services, which keep history.
    "auth.Group",
    "guardian.UserObjectPermission",
    "guardian.GroupObjectPermission",
    "families.FamilyUserObjectPermission",
    "families.FamilyGroupObjectPermission",
    # Sign-in security: authenticator devices and recovery codes (a history row would keep a used
    # code's hash), and django-axes' lockout counters and logs (security events are logged apart).
    "otp_totp.TOTPDevice",
    "homestart.RecoveryCodeDevice",
    "homestart.RecoveryCode",
    "axes.AccessAttempt",
    "axes.AccessAttemptExpiration",
    "axes.AccessFailureLog",
    "axes.AccessLog",
    # Deliberately no history: a historical copy of a wrapped key would outlive its destruction
    # and defeat crypto-shredding (§8.8; see the model's docstring).
    "homestart.DataKey",
    # One-time form tokens: which person's submission made which page, kept a day so that a
    # resent form lands on what the first made, then pruned (homestart/once.py). What was made
    # keeps its own history; the token holds no personal data.
    "homestart.FormSubmission",
}

# Append-only (registers): written once, never changed (homestart.models.AppendOnlyModel, and a
# trigger on PostgreSQL). Named here so that a register can never lose the marker unnoticed.
APPEND_ONLY_REGISTERS = {
    "homestart.PolicyAcknowledgement",  # who acknowledged which policy version, when (§3.1, §4.1, §5.1)
    "access_log.SampledFile",  # the files drawn into a review's sample (§9.1)
    "access_log.AuditSessionFile",  # the files named for an audit session (§10.1)
}


def keeps_history(model) -> bool:
    return model in registered_models.values()


def is_append_only(model) -> bool:
    return issubclass(model, AppendOnlyModel) or getattr(model, "append_only", False) is True


def is_history_table(model) -> bool:
    return issubclass(model, HistoricalChanges)


def product_models() -> list:
    return [m for m in apps.get_models() if not is_history_table(m)]


@pytest.mark.policy("8.2", "8.3")
def test_every_model_keeps_history_or_is_append_only():
    missing = sorted(
        m._meta.label
        for m in product_models()
        if not keeps_history(m)
        and not is_append_only(m)
        and m._meta.label not in ALLOWED_WITHOUT_HISTORY | APPEND_ONLY_REGISTERS
    )
    assert not missing, (
        f"Models with neither history nor the append-only marker: {missing}. Add "
        "`history = HistoricalRecords()` (with the data key's holder in `bases` for encrypted models), "
        "subclass access_log.models.AppendOnlyModel, or explain here why it is a technical table."
    )


@pytest.mark.policy("8.2")
def test_the_allow_list_names_only_models_that_exist_and_need_it():
    labels = {m._meta.label: m for m in product_models()}
    for label in ALLOWED_WITHOUT_HISTORY | APPEND_ONLY_REGISTERS:
        assert label in labels, f"{label} is listed but no longer a model"
    for label in ALLOWED_WITHOUT_HISTORY:
        model = labels[label]
        assert not keeps_history(model) and not is_append_only(model), f"{label} needs no place on the list"


@pytest.mark.policy("8.3", "9.1", "10.1")
@pytest.mark.parametrize("label", sorted(APPEND_ONLY_REGISTERS))
def test_registers_are_append_only(label):
    assert is_append_only(apps.get_model(label))


@pytest.mark.policy("8.2")
def test_the_check_sees_both_kinds():
    """The test above can fail: a history table is not a product model, access events are
    append-only, families keep history, and the data-key store keeps neither."""
    assert is_append_only(apps.get_model("access_log.AccessEvent"))
    assert keeps_history(apps.get_model("families.Family"))
    data_key = apps.get_model("homestart.DataKey")
    assert not keeps_history(data_key) and not is_append_only(data_key)
    assert all(not m.__name__.startswith("Historical") for m in product_models())

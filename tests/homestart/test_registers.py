"""Registers nobody can rewrite: every register and log is append-only in the ORM (here,
on every database) and by trigger on PostgreSQL (§1.5, §3.1, §8.8, §9.1, §10.1).

The database roles that stop the owner's powers (TRUNCATE, disabling triggers) being
the application's are tested in test_database_roles.py."""

from __future__ import annotations

import datetime

import pytest
from django.db import DatabaseError, connection, transaction
from django.urls import reverse
from django.utils import timezone

from access_log.gate import FileHidden
from consent import services
from consent.models import Consent, Disclosure, RecipientKind, Scope
from consent.sharing import Recipient
from families.models import Member
from homestart.append_only import append_only_models, append_only_tables, trigger_name
from homestart.models import AppendOnlyError, AppendOnlyModel, PolicyAcknowledgement, PolicyVersion
from homestart.rules import Section
from tests.factories import make_family
from tests.sharing_fixtures import *  # noqa: F403
from tests.sharing_fixtures import SUMMARY

# Every register and log the policy keeps. A new one joins by subclassing AppendOnlyModel.
REGISTERS = {
    "access_log.AccessEvent",
    "access_log.RecordOfAccess",
    "access_log.ContractorUndertaking",
    "access_log.SampledFile",
    "access_log.AuditSessionFile",
    "consent.Disclosure",
    "records.Disclosure",
    "records.DestructionCertificate",
    "homestart.PolicyAcknowledgement",
    "reporting.ReportEvent",
}
MODELS = append_only_models()


def _label(model) -> str:
    return f"{model._meta.app_label}.{model.__name__}"


@pytest.mark.policy("9.1", "8.8", "1.5")
def test_every_register_and_log_carries_the_append_only_marker():
    assert {_label(m) for m in MODELS} >= REGISTERS
    assert all(issubclass(m, AppendOnlyModel) for m in MODELS)


@pytest.mark.policy("9.1", "8.8", "1.5")
@pytest.mark.parametrize("model", MODELS, ids=_label)
def test_the_orm_refuses_to_change_or_delete_any_register_entry(model):
    entry = model()
    entry._state.adding = False  # as if loaded from the database
    with pytest.raises(AppendOnlyError):
        entry.save()
    with pytest.raises(AppendOnlyError):
        model().save(update_fields=["pk"])
    with pytest.raises(AppendOnlyError):
        entry.delete()
    with pytest.raises(AppendOnlyError):
        model.objects.all().update()
    with pytest.raises(AppendOnlyError):
        model.objects.all().delete()


@pytest.mark.policy("3.1")
def test_a_policy_acknowledgement_stays_as_given(coordinator):
    version = PolicyVersion.current()
    acknowledgement, _ = PolicyAcknowledgement.objects.get_or_create(user=coordinator, version=version)
    with pytest.raises(AppendOnlyError):
        acknowledgement.delete()
    with pytest.raises(AppendOnlyError):
        PolicyAcknowledgement.objects.filter(user=coordinator).delete()
    # A new object carrying the old one's id is an INSERT, refused, never an overwrite.
    with pytest.raises(Exception), transaction.atomic():  # noqa: B017 - IntegrityError or the database's
        PolicyAcknowledgement(pk=acknowledgement.pk, user=coordinator, version=version).save()
    assert PolicyAcknowledgement.objects.get(pk=acknowledgement.pk).acknowledged_at == acknowledgement.acknowledged_at


def _told():
    return {"family_told": Disclosure.FamilyTold.TOLD, "family_told_on": timezone.localdate()}


@pytest.mark.policy("1.5", "7.4")
def test_a_disclosure_is_corrected_by_a_new_entry_that_points_to_the_old(
    family, coordinator, give_consent, open_as, client_for
):
    give_consent(family, recipient_kind=RecipientKind.AGENCY, recipient_name="Oakfield Family Hub")
    send = dict(
        recipient=Recipient(RecipientKind.AGENCY, "Oakfield Family Hub"),
        scope=Scope.GENERAL,
        actor=coordinator,
        shared_on=timezone.localdate(),
        **_told(),
    )
    wrong = services.communication_send(
        access=open_as(coordinator, family, "consent", change=True), summary="Attendance at the group", **send
    )
    right = services.disclosure_record(
        access=open_as(coordinator, family, "consent", change=True),
        channel=Disclosure.Channel.AGENCY,
        summary=SUMMARY,
        section=Section.CONSENT,
        corrects=wrong,
        **send,
    )
    assert right.corrects == wrong and list(wrong.corrections.all()) == [right]
    assert Disclosure.objects.get(pk=wrong.pk).summary == "Attendance at the group"  # the old entry stays
    assert Disclosure.objects.filter(family=family).count() == 2
    page = client_for(coordinator).get(reverse("consent:disclosures", kwargs={"reference": family.reference}))
    html = page.content.decode()
    assert "Attendance at the group" in html and SUMMARY in html  # both entries are shown
    assert html.count("Corrected</strong>") == 1
    assert f"The entry of {timezone.localdate():%-d %B %Y} to Oakfield Family Hub" in html


@pytest.mark.policy("1.5")
def test_a_correction_cannot_point_to_another_familys_disclosure(family, wirral, coordinator, give_consent, open_as):
    other = make_family(wirral, coordinator, last_name="Ashdown")
    given_on = timezone.localdate() - datetime.timedelta(days=3)
    services.consent_record(
        access=open_as(coordinator, other, "consent", change=True),
        given_by=other.members.get(kind=Member.Kind.ADULT),
        scope=Scope.GENERAL,
        recipient_kind=RecipientKind.REFERRER,
        method=Consent.Method.WRITTEN,
        given_on=given_on,
        review_on=given_on + datetime.timedelta(days=90),
        actor=coordinator,
    )
    give_consent(family)

    send = dict(
        recipient=Recipient(RecipientKind.REFERRER, "Janet Crosby"),
        scope=Scope.GENERAL,
        actor=coordinator,
        shared_on=timezone.localdate(),
        summary=SUMMARY,
        **_told(),
    )
    theirs = services.communication_send(access=open_as(coordinator, other, "consent", change=True), **send)
    with pytest.raises(FileHidden):
        services.disclosure_record(
            access=open_as(coordinator, family, "consent", change=True),
            channel=Disclosure.Channel.REFERRER_UPDATE,
            section=Section.CONSENT,
            corrects=theirs,
            **send,
        )
    assert not theirs.corrections.exists()


# --- PostgreSQL: the trigger on every register table ---------------------------------------

postgresql = pytest.mark.skipif(connection.vendor != "postgresql", reason="the triggers exist on PostgreSQL only")


@postgresql
@pytest.mark.policy("9.1", "8.8", "1.5")
def test_every_register_table_has_an_enabled_trigger_refusing_update_and_delete(db):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname, t.tgname, t.tgenabled, t.tgtype FROM pg_trigger t "
            "JOIN pg_class c ON c.oid = t.tgrelid WHERE NOT t.tgisinternal"
        )
        triggers = {(table, name): (enabled, tgtype) for table, name, enabled, tgtype in cursor.fetchall()}
    row, before, delete, update = 1, 2, 8, 16  # pg_trigger.tgtype bits
    for table in append_only_tables():
        found = [v for (t, _), v in triggers.items() if t == table]
        assert found, f"{table} has no trigger"
        assert any(
            enabled == "O" and tgtype & row and tgtype & before and tgtype & delete and tgtype & update
            for enabled, tgtype in found
        ), f"{table}: no enabled BEFORE UPDATE OR DELETE row trigger"
    assert (("consent_disclosure", trigger_name("consent_disclosure"))) in triggers


@postgresql
@pytest.mark.policy("1.5", "7.4")
@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE consent_disclosure SET shared_on = shared_on - 1",
        "DELETE FROM consent_disclosure",
        "UPDATE homestart_policyacknowledgement SET acknowledged_at = now()",
        "DELETE FROM homestart_policyacknowledgement",
    ],
)
def test_even_the_owner_cannot_rewrite_a_disclosure_or_an_acknowledgement_with_sql(
    database_owner, statement, family, coordinator, give_consent, open_as
):
    give_consent(family)
    PolicyAcknowledgement.objects.get_or_create(user=coordinator, version=PolicyVersion.current())
    services.communication_send(
        access=open_as(coordinator, family, "consent", change=True),
        recipient=Recipient(RecipientKind.REFERRER),
        scope=Scope.GENERAL,
        summary=SUMMARY,
        shared_on=timezone.localdate(),
        actor=coordinator,
        **_told(),
    )
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(statement)
    assert Disclosure.objects.filter(family=family, shared_on=timezone.localdate()).count() == 1

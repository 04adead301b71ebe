"""Personal fields are encrypted at rest, per family, and fail closed (§8.2, §8.8).

A value that cannot be opened — wrong key, destroyed key, tampered or moved
ciphertext — raises; nothing ever hands back ciphertext in place of a value.
"""

from __future__ import annotations

import base64
import datetime
import io
import uuid
from types import SimpleNamespace

import pytest
from django.core.exceptions import FieldError
from django.core.management import CommandError, call_command
from django.db import transaction
from django.test import override_settings

from families import services
from families.models import Family, Member, Referral, Visit
from homestart import crypto, keystore
from homestart.fields import EncryptedBooleanField, EncryptedIntegerField
from homestart.models import DataKey
from tests.conftest import ADDRESS, CARER_FIRST, CARER_LAST, PHONE, POSTCODE, REASONS, VISIT_NOTES
from tests.factories import make_family
from tests.helpers import contains, raw_rows, raw_value, raw_write

KEY_A = base64.b64decode("dGVzdC1tYXN0ZXIta2V5LTAxMjM0NTY3ODlhYmNkZWY=")  # settings_test's "test1"
KEY_B = b"B" * 32


def carer(family: Family) -> Member:
    return Member.objects.get(family=family, kind=Member.Kind.ADULT)


def fresh(family: Family) -> Family:
    """The family as another request would load it: no cached key or values."""
    return Family.objects.get(pk=family.pk)


@pytest.mark.policy("8.2")
def test_personal_fields_are_stored_as_ciphertext_not_plaintext(family):
    member = carer(family)
    referral = Referral.objects.get(family=family)
    visit = Visit.objects.get(family=family)
    stored = {
        (Member, "first_name", member.pk): CARER_FIRST,
        (Member, "last_name", member.pk): CARER_LAST,
        (Family, "postcode", family.pk): POSTCODE,
        (Family, "address", family.pk): ADDRESS,
        (Family, "phone", family.pk): PHONE,
        (Referral, "reasons", referral.pk): REASONS,
        (Visit, "notes", visit.pk): VISIT_NOTES,
    }
    for (model, field, pk), plaintext in stored.items():
        raw = raw_value(model, field, pk)
        assert isinstance(raw, bytes), f"{model.__name__}.{field} is not stored as binary"
        assert raw != plaintext.encode()
        assert not contains(raw, plaintext), f"{model.__name__}.{field} holds its plaintext"
        assert not contains(raw, plaintext.upper())
        assert not any(contains(raw, word) for word in plaintext.split() if len(word) >= 5)
    # …and the application still reads them.
    assert carer(family).first_name == CARER_FIRST
    assert fresh(family).postcode == POSTCODE


@pytest.mark.policy("8.2")
def test_the_same_value_encrypts_differently_each_time(wirral, coordinator):
    one = make_family(wirral, coordinator, last_name="Hargreaves", postcode="CH41 4AB")
    two = make_family(wirral, coordinator, last_name="Hargreaves", postcode="CH41 4AB")
    assert raw_value(Family, "postcode", one.pk) != raw_value(Family, "postcode", two.pk)
    assert raw_value(Member, "last_name", carer(one).pk) != raw_value(Member, "last_name", carer(two).pk)


@pytest.mark.policy("8.2")
def test_tampered_ciphertext_raises_instead_of_returning_a_value(family):
    member = carer(family)
    raw = bytearray(raw_value(Member, "first_name", member.pk))
    raw[-5] ^= 0x01
    raw_write(Member, "first_name", member.pk, bytes(raw))
    with pytest.raises(crypto.DecryptionError):
        _ = Member.objects.get(pk=member.pk).first_name


@pytest.mark.policy("8.2")
def test_ciphertext_that_is_not_ours_raises(family):
    raw_write(Family, "phone", family.pk, b"07700 900123")  # plaintext slipped in by hand
    with pytest.raises(crypto.DecryptionError):
        _ = fresh(family).phone


@pytest.mark.policy("8.2")
def test_ciphertext_copied_to_another_member_of_the_same_family_does_not_open(family):
    adult = carer(family)
    child = Member.objects.get(family=family, kind=Member.Kind.CHILD)
    raw_write(Member, "first_name", child.pk, raw_value(Member, "first_name", adult.pk))
    with pytest.raises(crypto.DecryptionError):
        _ = Member.objects.get(pk=child.pk).first_name
    assert Member.objects.get(pk=adult.pk).first_name == CARER_FIRST


@pytest.mark.policy("8.2")
def test_ciphertext_copied_to_a_member_of_another_family_does_not_open(family, wirral, coordinator):
    other = carer(make_family(wirral, coordinator))
    raw_write(Member, "first_name", other.pk, raw_value(Member, "first_name", carer(family).pk))
    with pytest.raises(crypto.DecryptionError):
        _ = Member.objects.get(pk=other.pk).first_name


@pytest.mark.policy("8.2")
def test_ciphertext_copied_between_fields_of_the_same_row_does_not_open(family):
    member = carer(family)
    raw_write(Member, "relationship", member.pk, raw_value(Member, "first_name", member.pk))
    with pytest.raises(crypto.DecryptionError):
        _ = Member.objects.get(pk=member.pk).relationship
    raw_write(Family, "phone", family.pk, raw_value(Family, "postcode", family.pk))
    with pytest.raises(crypto.DecryptionError):
        _ = fresh(family).phone


@pytest.mark.policy("8.2")
def test_wrapped_data_key_copied_to_another_family_does_not_open(family, wirral, coordinator):
    other = make_family(wirral, coordinator)
    master_key_id, wrapped = keystore.read(family.data_key_id)
    keystore.put(other.data_key_id, master_key_id, wrapped, pending=False)
    with pytest.raises(crypto.DecryptionError):
        _ = fresh(other).postcode


@pytest.mark.policy("8.2")
def test_wrong_master_key_raises_and_never_returns_ciphertext(family):
    with override_settings(FIELD_ENCRYPTION_KEYS={"test1": b"W" * 32}):
        reloaded = fresh(family)
        with pytest.raises(crypto.DecryptionError):
            _ = reloaded.postcode
        member = Member.objects.select_related("family__data_key").get(pk=carer(family).pk)
        with pytest.raises(crypto.DecryptionError):
            _ = member.first_name


@pytest.mark.policy("8.2")
def test_missing_master_key_raises_key_unavailable(family):
    with override_settings(FIELD_ENCRYPTION_KEYS={"other": KEY_B}), pytest.raises(crypto.KeyUnavailable):
        _ = fresh(family).address


@pytest.mark.policy("8.2")
def test_rotation_rewraps_every_data_key_under_the_new_master_key(wirral, coordinator, capsys):
    families = [make_family(wirral, coordinator, last_name=f"Rotated{i}", postcode="CH43 2XY") for i in range(3)]
    assert set(DataKey.objects.values_list("master_key_id", flat=True)) == {"test1"}
    before = {k.pk: keystore.read(k.pk) for k in DataKey.objects.all()}
    assert {master_key_id for master_key_id, _ in before.values()} == {"test1"}
    field_ciphertext = raw_value(Member, "last_name", carer(families[0]).pk)

    with override_settings(FIELD_ENCRYPTION_KEYS={"new": KEY_B, "test1": KEY_A}):
        call_command("rotate_keys", batch_size=2)
    assert "All data keys are wrapped under 'new'" in capsys.readouterr().out

    with override_settings(FIELD_ENCRYPTION_KEYS={"new": KEY_B}):  # the old key is gone
        assert set(DataKey.objects.values_list("master_key_id", flat=True)) == {"new"}
        for i, family in enumerate(families):
            assert fresh(family).postcode == "CH43 2XY"
            assert carer(family).last_name == f"Rotated{i}"
        after = {k.pk: keystore.read(k.pk) for k in DataKey.objects.all()}
        assert all(after[pk][0] == "new" and after[pk][1] != before[pk][1] for pk in before)
        # Only the data keys were rewritten: the fields themselves are untouched.
        assert raw_value(Member, "last_name", carer(families[0]).pk) == field_ciphertext

        call_command("rotate_keys")  # again: nothing left to do
        assert {k.pk: keystore.read(k.pk) for k in DataKey.objects.all()} == after
        assert set(DataKey.objects.values_list("master_key_id", flat=True)) == {"new"}


@pytest.mark.policy("8.2", "8.8")
def test_rotation_skips_destroyed_keys(wirral, coordinator):
    kept, shredded = make_family(wirral, coordinator), make_family(wirral, coordinator)
    shredded.data_key.destroy()  # its file is still there: the destruction has not committed
    with override_settings(FIELD_ENCRYPTION_KEYS={"new": KEY_B, "test1": KEY_A}):
        call_command("rotate_keys", stdout=io.StringIO())
    assert DataKey.objects.get(pk=kept.data_key_id).master_key_id == "new"
    assert keystore.read(kept.data_key_id)[0] == "new"
    destroyed = DataKey.objects.get(pk=shredded.data_key_id)
    assert destroyed.destroyed_at is not None and destroyed.master_key_id == "test1"
    assert keystore.read(shredded.data_key_id)[0] == "test1", "never re-wrapped, never rewritten"


class StandIn:
    """Just enough of a model instance for a field to seal and open a value."""

    instance_type = Member  # bind like a Member row

    def __init__(self) -> None:
        self.id = uuid.uuid4()
        key = crypto.new_data_key()
        self._key = SimpleNamespace(plaintext_key=lambda: key)

    def get_data_key(self):
        return self._key


@pytest.mark.policy("8.2")
@pytest.mark.parametrize(
    ("field", "value"),
    [
        (EncryptedIntegerField(), 0),
        (EncryptedIntegerField(), -7),
        (EncryptedBooleanField(), False),
        (EncryptedBooleanField(), True),
    ],
    ids=["zero", "negative", "false", "true"],
)
def test_falsy_values_round_trip_exactly(field, value):
    field.set_attributes_from_name("value")
    row = StandIn()
    token = field.encrypt(row, value)
    assert token and token != str(value).encode()
    opened = field.decrypt(row, token)
    assert opened == value and type(opened) is type(value)


@pytest.mark.policy("8.2")
def test_empty_string_round_trips_and_is_still_encrypted(family, coordinator):
    member = services.member_add(
        family=family, actor=coordinator, kind=Member.Kind.CHILD, first_name="Ivy", relationship=""
    )
    raw = raw_value(Member, "relationship", member.pk)
    assert isinstance(raw, bytes) and len(raw) > 0, "an empty value is sealed too, not stored as NULL"
    reloaded = Member.objects.get(pk=member.pk)
    assert reloaded.relationship == "" and reloaded.relationship is not None


@pytest.mark.policy("8.2")
def test_none_stays_none(family, coordinator):
    member = services.member_add(
        family=family, actor=coordinator, kind=Member.Kind.CHILD, first_name="Arlo", date_of_birth=None
    )
    assert raw_value(Member, "date_of_birth", member.pk) is None
    assert Member.objects.get(pk=member.pk).date_of_birth is None
    assert Member.objects.filter(pk=member.pk, date_of_birth__isnull=True).exists()


@pytest.mark.policy("8.2")
def test_dates_round_trip_as_dates(family):
    member = carer(family)
    assert isinstance(member.date_of_birth, datetime.date)


@pytest.mark.policy("8.2")
@pytest.mark.parametrize(
    "lookup",
    [
        {"first_name": CARER_FIRST},
        {"first_name__iexact": CARER_FIRST},
        {"first_name__contains": "Ros"},
        {"first_name__startswith": "R"},
        {"first_name__in": [CARER_FIRST]},
        {"date_of_birth__gt": datetime.date(1990, 1, 1)},
        {"last_name__icontains": "quen"},
    ],
    ids=lambda lookup: next(iter(lookup)),
)
def test_encrypted_fields_cannot_be_searched(family, lookup):
    with pytest.raises((FieldError, TypeError)):
        list(Member.objects.filter(**lookup))
    with pytest.raises((FieldError, TypeError)):
        list(Member.objects.exclude(**lookup))


@pytest.mark.policy("8.2")
def test_plaintext_cannot_be_written_around_the_model(family):
    with pytest.raises(TypeError), transaction.atomic():
        Member.objects.filter(family=family).update(first_name="Plain")
    assert not any(contains(value, "Plain") for row in raw_rows(Member) for value in row)


@pytest.mark.policy("8.2")
def test_history_rows_are_encrypted_and_readable_through_the_orm(family, coordinator):
    member = carer(family)
    services.member_update(member=member, actor=coordinator, first_name="Rosamund")
    services.family_update_contact(family=family, actor=coordinator, address=ADDRESS, postcode="CH62 1AB", phone=PHONE)

    member_history = list(Member.history.filter(id=member.pk).order_by("history_date"))
    assert [h.first_name for h in member_history] == [CARER_FIRST, "Rosamund"]
    family_history = list(Family.history.filter(id=family.pk).order_by("history_date"))
    assert [h.postcode for h in family_history][0] == POSTCODE
    assert family_history[-1].postcode == "CH62 1AB"

    for h in member_history:
        raw = raw_value(Member.history.model, "first_name", h.pk)
        assert isinstance(raw, bytes) and not contains(raw, h.first_name)
        assert not contains(raw_value(Member.history.model, "last_name", h.pk), CARER_LAST)
    for h in family_history:
        for field, plaintext in (("postcode", h.postcode), ("address", "Argyle"), ("phone", PHONE)):
            assert not contains(raw_value(Family.history.model, field, h.pk), plaintext)
    for row in raw_rows(Member.history.model) + raw_rows(Family.history.model):
        # The postcode district alone ("CH62", Family.area) is kept in clear for statistics (§3.2);
        # the full postcode never is.
        assert not any(
            contains(v, CARER_FIRST) or contains(v, "Rosamund") or contains(v, "CH62 1AB") or contains(v, "CH621AB")
            for v in row
        )


@pytest.mark.policy("8.8")
def test_destroying_the_data_key_shreds_live_and_history_rows_of_that_family_only(family, wirral, coordinator):
    other = make_family(wirral, coordinator, first_name="Keeley", postcode="CH44 9ZZ")
    services.member_update(member=carer(family), actor=coordinator, first_name="Rosamund")

    family.data_key.destroy()

    shredded = fresh(family)
    with pytest.raises(crypto.KeyUnavailable):
        _ = shredded.postcode
    for member in Member.objects.filter(family=family):
        with pytest.raises(crypto.KeyUnavailable):
            _ = member.first_name
    with pytest.raises(crypto.KeyUnavailable):
        _ = Referral.objects.get(family=family).reasons
    history = list(Member.history.filter(family_id=family.pk)) + list(Family.history.filter(id=family.pk))
    assert len(history) >= 4
    for record in history:
        with pytest.raises(crypto.KeyUnavailable):
            _ = record.first_name if isinstance(record, Member.history.model) else record.postcode
    # The pseudonymous reference survives, for the destruction certificate.
    assert shredded.reference == "WIR-0001"

    assert fresh(other).postcode == "CH44 9ZZ"
    assert carer(other).first_name == "Keeley"
    assert Member.history.filter(family_id=other.pk).first().first_name == "Keeley"


@pytest.mark.policy("8.8")
def test_a_destroyed_key_cannot_be_brought_back_from_the_database(family, django_capture_on_commit_callbacks):
    assert keystore.exists(family.data_key_id)
    with django_capture_on_commit_callbacks(execute=True):
        family.data_key.destroy()
    key = DataKey.objects.get(pk=family.data_key_id)
    assert key.destroyed_at is not None
    assert not keystore.exists(family.data_key_id), "the key file is gone once the destruction commits"
    assert keystore.destroyed_at(family.data_key_id) == key.destroyed_at
    assert key.rewrap() is False
    with pytest.raises(crypto.KeyUnavailable):
        key.plaintext_key()
    # Even a row that (wrongly) said the key were live could not open it: there is no key to read.
    DataKey.objects.filter(pk=key.pk).update(destroyed_at=None)
    with pytest.raises(crypto.KeyUnavailable):
        _ = fresh(family).postcode


@pytest.mark.policy("8.2")
def test_a_fixture_dump_refuses_rather_than_write_plaintext(family):
    out = io.StringIO()
    with pytest.raises(CommandError, match="never serialised in plaintext"):
        call_command("dumpdata", "families", stdout=out)
    for personal in (CARER_FIRST, CARER_LAST, POSTCODE, PHONE, "Argyle"):
        assert personal not in out.getvalue()

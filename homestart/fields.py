"""Model fields whose values are AES-256-GCM ciphertext in the database (§8.2).

Usage::

    class Member(EncryptedModel):
        first_name = EncryptedCharField(max_length=100)

    The model provides ``get_data_key()``; the field seals with that key and
    binds the ciphertext to (model, field, primary key) as associated data.

Values load lazily: a row read from the database holds ``Ciphertext`` until
the attribute is first read, so listing references never decrypts names.
Encrypted fields cannot be filtered on (only ``isnull``): search goes through
a ``BlindIndexField`` instead.
"""

from __future__ import annotations

import datetime
import json
from typing import Any

from django import forms
from django.core import checks
from django.core.validators import MaxLengthValidator
from django.db import models
from django.utils.text import capfirst

from . import crypto, dates


class Ciphertext(bytes):
    """Bytes read from the database, not yet opened."""


_UNSET = object()


class EncryptedDescriptor:
    def __init__(self, field: EncryptedField) -> None:
        self.field = field

    def __get__(self, instance: Any, owner: type | None = None) -> Any:
        if instance is None:
            return self
        attname = self.field.attname
        try:
            value = instance.__dict__[attname]
        except KeyError:
            # A deferred field: load it like Django's DeferredAttribute does.
            instance.refresh_from_db(fields=[attname])
            value = instance.__dict__[attname]
        if isinstance(value, Ciphertext):
            value = self.field.decrypt(instance, value)
            instance.__dict__[attname] = value
        return value

    def __set__(self, instance: Any, value: Any) -> None:
        if value is not None and not isinstance(value, Ciphertext):
            value = self.field.to_python(value)
        instance.__dict__[self.field.attname] = value


class EncryptedField(models.Field):
    """Base class. Subclasses set ``plain_form_class`` and may override (de)serialisation."""

    plain_form_class: type[forms.Field] = forms.CharField
    empty_strings_allowed = True

    def get_internal_type(self) -> str:
        return "BinaryField"

    def check(self, **kwargs: Any) -> list[checks.CheckMessage]:
        errors = super().check(**kwargs)
        if self.primary_key or self.unique or self.db_index:
            errors.append(checks.Error("Encrypted fields cannot be keys or indexed.", obj=self, id="homestart.E001"))
        return errors

    def contribute_to_class(self, cls: type[models.Model], name: str, private_only: bool = False) -> None:
        super().contribute_to_class(cls, name, private_only=private_only)
        setattr(cls, self.attname, EncryptedDescriptor(self))

    # --- (de)serialisation of the plaintext -------------------------------
    def serialise(self, value: Any) -> Any:
        return value

    def deserialise(self, value: Any) -> Any:
        return value

    # --- crypto -------------------------------------------------------------
    def associated_data(self, instance: Any) -> bytes:
        # Historical rows (django-simple-history) are bound like the row they copy.
        model = getattr(instance, "instance_type", type(instance))
        pk_value = getattr(instance, model._meta.pk.attname)
        return f"{model._meta.label_lower}|{self.name}|{pk_value}".encode()

    def encrypt(self, instance: Any, value: Any) -> bytes:
        key = instance.get_data_key().plaintext_key()
        payload = json.dumps({"v": self.serialise(value)}, separators=(",", ":")).encode()
        return crypto.seal(key, payload, aad=self.associated_data(instance))

    def decrypt(self, instance: Any, token: bytes) -> Any:
        key = instance.get_data_key().plaintext_key()
        payload = crypto.open_sealed(key, token, aad=self.associated_data(instance))
        return self.deserialise(json.loads(payload)["v"])

    # --- Django plumbing ---------------------------------------------------
    def pre_save(self, model_instance: Any, add: bool) -> Any:
        value = getattr(model_instance, self.attname)  # opens stored ciphertext if untouched
        if value is None:
            return None
        # Always re-seal: the primary key (part of the associated data) may be new.
        return self.encrypt(model_instance, value)

    def get_db_prep_value(self, value: Any, connection: Any, prepared: bool = False) -> Any:
        if value is None:
            return None
        if not isinstance(value, bytes):
            raise TypeError("Encrypted fields are written only through model saves, never as query values.")
        return connection.Database.Binary(value)

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> Ciphertext | None:
        if value is None:
            return None
        return Ciphertext(bytes(value))

    def get_lookup(self, lookup_name: str) -> Any:
        if lookup_name != "isnull":
            return None  # ciphertext cannot be searched: use a blind index
        return super().get_lookup(lookup_name)

    def value_to_string(self, obj: Any) -> str:
        raise TypeError("Encrypted values are never serialised in plaintext.")

    def formfield(self, **kwargs: Any) -> forms.Field:
        defaults = {"required": not self.blank, "label": capfirst(self.verbose_name)}
        if self.help_text:
            defaults["help_text"] = self.help_text
        defaults.update(kwargs)
        defaults.pop("form_class", None)
        return self.plain_form_class(**self.form_kwargs(defaults))

    def form_kwargs(self, kwargs: dict[str, Any]) -> dict[str, Any]:
        return kwargs


class EncryptedCharField(EncryptedField):
    def __init__(self, *args: Any, max_length: int = 255, **kwargs: Any) -> None:
        self.plain_max_length = max_length
        super().__init__(*args, **kwargs)
        self.validators.append(MaxLengthValidator(max_length))

    def deconstruct(self) -> Any:
        name, path, args, kwargs = super().deconstruct()
        kwargs["max_length"] = self.plain_max_length
        return name, path, args, kwargs

    def to_python(self, value: Any) -> Any:
        return value if value is None else str(value)

    def form_kwargs(self, kwargs: dict[str, Any]) -> dict[str, Any]:
        kwargs.setdefault("max_length", self.plain_max_length)
        return kwargs


class EncryptedTextField(EncryptedField):
    def to_python(self, value: Any) -> Any:
        return value if value is None else str(value)

    def form_kwargs(self, kwargs: dict[str, Any]) -> dict[str, Any]:
        kwargs.setdefault("widget", forms.Textarea)
        return kwargs


class EncryptedDateField(EncryptedField):
    plain_form_class = dates.DateField
    empty_strings_allowed = False

    def to_python(self, value: Any) -> Any:
        if value is None or isinstance(value, datetime.date):
            return value
        return datetime.date.fromisoformat(str(value))

    def serialise(self, value: datetime.date) -> str:
        return value.isoformat()

    def deserialise(self, value: str) -> datetime.date:
        return datetime.date.fromisoformat(value)


class EncryptedBooleanField(EncryptedField):
    plain_form_class = forms.BooleanField
    empty_strings_allowed = False

    def to_python(self, value: Any) -> Any:
        return value if value is None else bool(value)


class EncryptedIntegerField(EncryptedField):
    plain_form_class = forms.IntegerField
    empty_strings_allowed = False

    def to_python(self, value: Any) -> Any:
        return value if value is None else int(value)


class BlindIndexField(models.CharField):
    """Keyed hash of another (encrypted) field, kept in step on every save."""

    def __init__(self, *args: Any, source: str = "", domain: str = "", **kwargs: Any) -> None:
        self.source = source
        self.domain = domain
        kwargs.setdefault("max_length", 32)
        kwargs.setdefault("editable", False)
        kwargs.setdefault("blank", True)
        kwargs.setdefault("db_index", True)
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> Any:
        name, path, args, kwargs = super().deconstruct()
        kwargs["source"] = self.source
        kwargs["domain"] = self.domain
        return name, path, args, kwargs

    def pre_save(self, model_instance: Any, add: bool) -> str:
        value = crypto.blind_index(getattr(model_instance, self.source), domain=self.domain)
        setattr(model_instance, self.attname, value)
        return value

"""Schemes, people, memberships and the data-key store."""

from __future__ import annotations

import re
import uuid
from typing import Any

from django.contrib.auth.hashers import check_password, identify_hasher
from django.contrib.auth.models import AbstractUser, Group
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.crypto import constant_time_compare
from django_otp.models import Device, ThrottlingMixin
from simple_history.models import HistoricalRecords

from . import crypto
from .request_cache import memo


class Scheme(models.Model):
    """A local Home-Start scheme. One installation may host many (§9.2)."""

    name = models.CharField(max_length=200, unique=True)
    code = models.CharField(
        max_length=5,
        unique=True,
        validators=[RegexValidator(r"^[A-Z]{2,5}$", "Use 2 to 5 capital letters, for example WIR.")],
        help_text="Short code used in family references, for example WIR.",
    )
    next_family_number = models.PositiveIntegerField(default=1, editable=False)
    # Coordinators and managers of the scheme: holds the object permissions on
    # every family file of the scheme, kept in step by the membership services.
    staff_group = models.OneToOneField(
        Group, on_delete=models.PROTECT, related_name="staff_of_scheme", null=True, editable=False
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


class User(AbstractUser):
    """A person who signs in: staff, volunteer, trustee, reviewer, auditor or administrator."""

    history = HistoricalRecords(excluded_fields=["password", "last_login"])

    def __str__(self) -> str:
        return self.username


class Role(models.TextChoices):
    COORDINATOR = "coordinator", "Coordinator"
    MANAGER = "manager", "Scheme manager"
    SAFEGUARDING_LEAD = "safeguarding_lead", "Safeguarding lead"
    VOLUNTEER = "volunteer", "Volunteer"
    TRUSTEE = "trustee", "Trustee"
    SPOT_CHECK_TRUSTEE = "spot_check_trustee", "Trustee responsible for spot checks"
    REVIEWER = "reviewer", "HSUK reviewer"
    AUDITOR = "auditor", "External auditor"
    ADMIN = "admin", "Administrator"


# Roles that belong to the whole installation, not to one scheme.
NATIONAL_ROLES = (Role.REVIEWER, Role.ADMIN)


class MembershipQuerySet(models.QuerySet):
    def current(self) -> MembershipQuerySet:
        return self.filter(ended_at__isnull=True, user__is_active=True)


class Membership(models.Model):
    """A person's role in a scheme (or nationally). One person may hold several."""

    user = models.ForeignKey(User, on_delete=models.PROTECT, related_name="memberships")
    scheme = models.ForeignKey(
        Scheme, on_delete=models.PROTECT, related_name="memberships", null=True, blank=True
    )
    role = models.CharField(max_length=32, choices=Role.choices)
    line_manager = models.ForeignKey(
        User,
        on_delete=models.PROTECT,
        related_name="line_reports",
        null=True,
        blank=True,
        help_text="Who supervises this person in this role (§4.2, §8.4).",
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    # Memberships end; they are never deleted, so history keeps who held which role.
    ended_at = models.DateTimeField(null=True, blank=True, editable=False)
    history = HistoricalRecords()
    objects = MembershipQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "scheme", "role"],
                condition=Q(ended_at__isnull=True),
                name="membership_unique_role",
            ),
            models.UniqueConstraint(
                fields=["user", "role"],
                condition=Q(scheme__isnull=True, ended_at__isnull=True),
                name="membership_unique_national_role",
            ),
            models.CheckConstraint(
                condition=(Q(role__in=NATIONAL_ROLES) & Q(scheme__isnull=True))
                | (~Q(role__in=NATIONAL_ROLES) & Q(scheme__isnull=False)),
                name="membership_scheme_matches_role",
            ),
        ]

    def __str__(self) -> str:
        where = self.scheme.code if self.scheme_id else "national"
        return f"{self.user} – {self.get_role_display()} ({where})"


class DataKey(models.Model):
    """One file's data key, stored wrapped under a master key (§8.2).

    Deliberately has no history: a historical copy of the wrapped key would
    survive its destruction and defeat crypto-shredding (§8.8).
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    master_key_id = models.CharField(max_length=16, blank=True)
    wrapped = models.BinaryField(null=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    destroyed_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(destroyed_at__isnull=True, wrapped__isnull=False)
                | Q(destroyed_at__isnull=False, wrapped__isnull=True),
                name="datakey_wrapped_unless_destroyed",
            )
        ]

    def __str__(self) -> str:
        return f"data key {self.pk}"

    def _aad(self) -> bytes:
        return b"homestart.datakey|" + self.pk.bytes

    @classmethod
    def generate(cls) -> DataKey:
        key = cls(id=uuid.uuid4())
        plain = crypto.new_data_key()
        key.master_key_id, key.wrapped = crypto.wrap_key(plain, aad=key._aad())
        key._plain = plain
        key.save()
        return key

    def plaintext_key(self) -> bytes:
        plain = getattr(self, "_plain", None)
        if plain is None:
            if self.destroyed_at is not None or self.wrapped is None:
                raise crypto.KeyUnavailable("This file's data key was destroyed (§8.8).")
            plain = crypto.unwrap_key(self.master_key_id, bytes(self.wrapped), aad=self._aad())
            self._plain = plain
        return plain

    def rewrap(self) -> bool:
        """Wrap under the newest master key; True if anything changed."""
        if self.destroyed_at is not None or self.master_key_id == crypto.newest_master_key_id():
            return False
        plain = self.plaintext_key()
        self.master_key_id, self.wrapped = crypto.wrap_key(plain, aad=self._aad())
        self.save(update_fields=["master_key_id", "wrapped"])
        return True

    def destroy(self) -> None:
        self.wrapped = None
        self._plain = None
        self.destroyed_at = timezone.now()
        self.save(update_fields=["wrapped", "destroyed_at"])


class EncryptedModel(models.Model):
    """A model with encrypted fields: subclasses say which data key protects them."""

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        from .fields import BlindIndexField

        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            extra = {
                f.name
                for f in self._meta.concrete_fields
                if isinstance(f, BlindIndexField) and f.source in update_fields
            }
            kwargs["update_fields"] = list(set(update_fields) | extra)
        super().save(*args, **kwargs)

    def get_data_key(self) -> DataKey:  # pragma: no cover - abstract
        raise NotImplementedError


class PolicyVersion(models.Model):
    """A published version of the Confidentiality Policy. Everyone acknowledges the
    current one at induction, and again whenever a new one is published (§3.1, §4.1, §5.1)."""

    version = models.CharField(max_length=32, unique=True, help_text="For example: July 2016.")
    summary = models.TextField(help_text="What changed, and the main points everyone must know.")
    published_at = models.DateTimeField(default=timezone.now)
    published_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+", null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-published_at"]
        get_latest_by = "published_at"

    def __str__(self) -> str:
        return f"Confidentiality Policy, {self.version}"

    @classmethod
    def current(cls) -> PolicyVersion | None:
        return cls.objects.filter(published_at__lte=timezone.now()).order_by("-published_at").first()


class PolicyAcknowledgement(models.Model):
    user = models.ForeignKey(User, on_delete=models.PROTECT, related_name="policy_acknowledgements")
    version = models.ForeignKey(PolicyVersion, on_delete=models.PROTECT, related_name="acknowledgements")
    acknowledged_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "version"], name="acknowledge_once")]

    def __str__(self) -> str:
        return f"{self.user} acknowledged {self.version.version}"


def has_acknowledged_current_policy(user: User) -> bool:
    """True when the user has acknowledged the newest published policy version.

    With no version published at all, nobody can have been inducted: False.
    """

    def ask() -> bool:
        current = PolicyVersion.objects.filter(published_at__lte=timezone.now()).order_by("-published_at")[:1]
        return PolicyAcknowledgement.objects.filter(user=user, version__in=current).exists()

    return memo(("policy_acknowledged", user.pk), ask)


def roles_in(user: User, scheme_id: int | None) -> tuple[set[str], set[str]]:
    """The user's current roles in this scheme, and their national roles (reviewer,
    administrator): what every file kind's access decision starts from."""
    memberships = current_roles(user)
    return (
        {role for role, s in memberships if s == scheme_id},
        {role for role, s in memberships if s is None},
    )


def current_roles(user: User) -> list[tuple[str, int | None]]:
    """(role, scheme id) of each current membership; scheme id None for national roles.
    Asked by the middleware, the gate and the navigation: one query per request."""
    return memo(
        ("current_roles", user.pk),
        lambda: list(Membership.objects.current().filter(user=user).values_list("role", "scheme_id")),
    )


# Eight base32 characters (40 bits), as ``two_factor.new_recovery_code`` makes them.
RECOVERY_CODE_FORMAT = re.compile(r"[a-z2-7]{8}")


class RecoveryCodeDevice(ThrottlingMixin, Device):
    """A person's single-use recovery codes for two-factor sign-in (§8.2).

    The codes have 40 bits of entropy, so each is kept only as a salted password
    hash (the project's password hasher; OWASP ASVS 6.5.2): a copy of the database
    does not give them away. The codes of one issue share a random salt, so
    checking a code costs one hash, not one per code. A code works once; wrong
    codes are throttled like the authenticator app's (each failure doubles the wait).
    """

    def __str__(self) -> str:
        return f"Recovery codes of user {self.user_id}"

    def get_throttle_factor(self) -> int:
        return 1

    def verify_token(self, token) -> bool:
        allowed, _ = self.verify_is_allowed()
        if not allowed:
            return False
        if self._use(str(token)):
            self.throttle_reset()
            return True
        self.throttle_increment()
        return False

    def _use(self, token: str) -> bool:
        token = "".join(token.split()).lower()
        if not RECOVERY_CODE_FORMAT.fullmatch(token):
            return False  # not a recovery code: no hashing needed to say so
        candidates: dict[str, str] = {}
        for code in self.codes.all():
            if code.matches(token, candidates):
                # Deleting, and checking that this request deleted it, makes the code
                # work once even when two requests present it at the same moment.
                return RecoveryCode.objects.filter(pk=code.pk).delete()[0] == 1
        return False



class RecoveryCode(models.Model):
    """One unused recovery code, as a password hash (never the code itself)."""

    device = models.ForeignKey(RecoveryCodeDevice, on_delete=models.CASCADE, related_name="codes")
    digest = models.CharField(max_length=256)

    def __str__(self) -> str:
        return "Recovery code"

    def matches(self, token: str, candidates: dict[str, str]) -> bool:
        """``candidates`` caches the token's hash per salt and parameters."""
        prefix = self.digest.rsplit("$", 1)[0]
        if prefix not in candidates:
            try:
                hasher = identify_hasher(self.digest)
                decoded = hasher.decode(self.digest)
            except ValueError:
                return False
            params = {"iterations": decoded["iterations"]} if "iterations" in decoded else {}
            candidates[prefix] = hasher.encode(token, decoded["salt"], **params)
        if candidates[prefix].rsplit("$", 1)[0] != prefix:
            return check_password(token, self.digest)  # a hasher with other parameters: the slow way
        return constant_time_compare(candidates[prefix], self.digest)


class FormSubmission(models.Model):
    """A create form's one-time token, kept with where its first submission led.

    Written in the same transaction as what the form created (``homestart.once``), so
    that sending the same form again (a double click, a retry after a dropped
    connection, the browser's resend) creates nothing new and lands on what the first
    one made. The unique token serialises two submissions sent at the same moment.
    No personal data: the address holds references only (§8.6). Rows older than a day
    are not honoured and may be removed (``manage.py prune_form_submissions``)."""

    token = models.CharField(max_length=64, unique=True)
    user = models.ForeignKey("homestart.User", on_delete=models.CASCADE, related_name="+")
    url = models.CharField("where the first submission led", max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    def __str__(self) -> str:
        return f"Form sent {self.created_at:%d %b %Y %H:%M}"

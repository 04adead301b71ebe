"""Schemes, people, memberships and the data-key store."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable
from typing import Any, NoReturn

from django.conf import settings
from django.contrib.auth.hashers import check_password, identify_hasher
from django.contrib.auth.models import AbstractUser, Group, UserManager
from django.core.validators import RegexValidator
from django.db import models, router, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.crypto import constant_time_compare
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django_otp.models import Device, ThrottlingMixin

from . import crypto, keystore
from .fixed_query import FixedQuery
from .historical import HistoricalRecords
from .language import and_join
from .request_cache import forget, memo
from .rules import Role


class AppendOnlyError(Exception):
    """A register or log entry is written once and never changed or deleted."""


class AppendOnlyQuerySet(models.QuerySet):
    """Refuses the bulk ways of rewriting a register: ``update`` and ``delete``
    (and so ``bulk_update`` and ``update_or_create`` of an existing row)."""

    def update(self, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError(f"{self.model._meta.verbose_name_plural} cannot be changed.")

    def delete(self) -> NoReturn:
        raise AppendOnlyError(f"{self.model._meta.verbose_name_plural} cannot be deleted.")


class AppendOnlyModel(models.Model):
    """The marker and base of every register and log that nobody may rewrite.

    Subclass it for a register (disclosures, destruction certificates, policy
    acknowledgements, Record of Access signatures, contractor undertakings, access
    events, review samples, audit-session files, report events …):

    * in the ORM, ``save()`` of an existing row, ``delete()``, and queryset
      ``update()``/``delete()`` raise ``AppendOnlyError``; ``save()`` of a new row is
      always an INSERT, so a new object carrying an existing id cannot overwrite it;
    * on PostgreSQL, a trigger refuses UPDATE and DELETE of any row: add it in the
      model's migration with ``homestart.append_only.append_only_triggers(table, …)``;
    * the application's database role gets only SELECT and INSERT on the table
      (``manage.py grant_app_role``), is not its owner, and so can neither TRUNCATE
      it nor disable the trigger (docs/security.md, "Two database roles").

    A mistake is put right by a new entry that points to the one it corrects (e.g.
    ``consent.Disclosure.corrects``), never by changing the old one. Tests find every
    register with ``homestart.append_only.append_only_models()``.
    """

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding or kwargs.get("force_update") or kwargs.get("update_fields") is not None:
            raise AppendOnlyError(f"A {self._meta.verbose_name} cannot be changed.")
        # Always an INSERT: a new object carrying an existing row's id must fail,
        # not silently overwrite that row (Django would try an UPDATE first).
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError(f"A {self._meta.verbose_name} cannot be deleted.")


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


class PersonManager(UserManager["User"]):
    """Django's manager of people, with the question it is asked most compiled once:
    ``get(pk=...)`` is how Django's sign-in finds the person of the session on every request
    (``ModelBackend.get_user``); building and compiling that query cost more than its answer
    (homestart/fixed_query.py). Any other question goes through the ORM as before."""

    def get(self, *args: Any, **kwargs: Any) -> User:
        # A migration's historical model of people has the columns of its day: the ORM as before.
        if args or kwargs.keys() != {"pk"} or self.model is not User:
            return super().get(*args, **kwargs)
        using = self._db or router.db_for_read(self.model)
        found = _PERSON.rows(using, pk=kwargs["pk"])
        if not found:
            raise self.model.DoesNotExist(f"{self.model._meta.object_name} matching query does not exist.")
        return self.model.from_db(using, _PERSON_COLUMNS, found[0])


class User(AbstractUser):
    """A person who signs in: staff, volunteer, trustee, reviewer, auditor or administrator."""

    objects = PersonManager()
    history = HistoricalRecords(excluded_fields=["password", "last_login"])
    # The language the pages speak to this person (issue 17.8): chosen on the account page,
    # applied on every request once signed in (homestart/language.py). Blank: not chosen yet,
    # so the language link's cookie or the browser decides, as before signing in.
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES, blank=True, default="")

    def __str__(self) -> str:
        # Admin pages, history and drop-downs name a person, not their sign-in name (issue 15.5).
        return self.display_name

    def save(self, *args: Any, **kwargs: Any) -> None:
        super().save(*args, **kwargs)
        forget_roles(self.pk)  # a deactivated account holds no role from this moment

    @property
    def display_name(self) -> str:
        """How pages, forms and e-mails name the person: their name; the sign-in name only for an
        account that has no name recorded yet."""
        return self.get_full_name().strip() or self.username

    @property
    def name_and_role(self) -> str:
        """The one way a page names a person (issue 15.5): their full name and the roles they hold
        now, e.g. "Ann Smith (coordinator)"; the name alone for someone who holds no role any more.
        The sign-in name appears only where one signs in (and for an account with no name yet)."""
        roles = sorted({role for role, _ in current_roles(self)}, key=list(Role.values).index)
        if not roles:
            return self.display_name
        # Lower case inside the sentence, but an acronym keeps its capitals: "HSUK reviewer",
        # "adolygydd HSUK".
        words = [label if label[:2].isupper() else label[:1].lower() + label[1:] for label in map(_role_label, roles)]
        joined = words[0]
        for word in words[1:]:
            joined = and_join(joined, word)
        return f"{self.display_name} ({joined})"


_PERSON_COLUMNS = [field.attname for field in User._meta.concrete_fields]
# Asked on every page (homestart/fixed_query.py).
_PERSON = FixedQuery(lambda pk: User._base_manager.filter(pk=pk).values_list(*_PERSON_COLUMNS), pk=User._meta.pk)


def _role_label(role: str) -> str:
    return str(Role(role).label)


# Roles that belong to the whole installation, not to one scheme.
NATIONAL_ROLES = (Role.REVIEWER, Role.ADMIN)

# Every role opens files or decides who may (trustees approve access grants), so
# every membership takes effect only once a second person approves it (§8.3, §7.6).
# Who approves a grant in a scheme: its manager or a trustee; nationally: another administrator.
SCHEME_APPROVER_ROLES = (Role.MANAGER, Role.TRUSTEE)
NATIONAL_APPROVER_ROLES = (Role.ADMIN,)


class MembershipQuerySet(models.QuerySet):
    def not_ended(self) -> MembershipQuerySet:
        """Memberships nobody has ended, whether or not the account can sign in now: what
        a role is requested over or ended from, and what reactivating an account restores."""
        return self.filter(ended_at__isnull=True)

    def current(self) -> MembershipQuerySet:
        """Memberships in force now: not ended, and the person's account is active. The one
        definition of "current membership"; a person's own roles are ``current_roles``."""
        return self.not_ended().filter(user__is_active=True)

    def holders(self) -> models.QuerySet[User]:
        """The people holding these memberships, once each."""
        return User.objects.filter(pk__in=self.values("user_id"))


class Membership(models.Model):
    """A person's role in a scheme (or nationally). One person may hold several."""

    user = models.ForeignKey(User, on_delete=models.PROTECT, related_name="memberships")
    scheme = models.ForeignKey(Scheme, on_delete=models.PROTECT, related_name="memberships", null=True, blank=True)
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
    # The approved request that granted this membership (§8.3): who asked, who approved.
    grant = models.OneToOneField(
        "AccessRequest", on_delete=models.PROTECT, null=True, blank=True, editable=False, related_name="membership"
    )
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

    def save(self, *args: Any, **kwargs: Any) -> None:
        super().save(*args, **kwargs)
        forget_roles(self.user_id)  # a role granted or ended counts from this moment


ACCESS_REQUEST_DAYS = 7


class AccessRequestQuerySet(AppendOnlyQuerySet):
    def pending(self) -> AccessRequestQuerySet:
        """Undecided and not yet lapsed."""
        return self.filter(decision__isnull=True, expires_at__gt=timezone.now())

    def approvable_by(self, user: User) -> AccessRequestQuerySet:
        """Pending requests this person may decide (one query; see ``services.may_approve``)."""
        held = Membership.objects.current().filter(user=user)
        scope = Q(scheme_id__in=held.filter(role__in=SCHEME_APPROVER_ROLES).values("scheme_id"))
        if has_role(user, NATIONAL_APPROVER_ROLES, scheme=None):
            scope |= Q(scheme__isnull=True)
        return (
            self.pending()
            .filter(scope)
            .exclude(user=user)
            .exclude(requested_by=user)
            .exclude(for_membership__user=user)
        )


class AccessRequest(AppendOnlyModel):
    """Someone asks for a person to be given access to files (§8.3, §7.6): a role in
    a scheme or nationally, a line manager, or a deactivated account back.

    Nothing happens until a second person with authority approves it (an
    ``AccessDecision``); after ``ACCESS_REQUEST_DAYS`` days undecided it lapses.
    Written once: the request, and its decision, are never changed or deleted.
    """

    class Kind(models.TextChoices):
        MEMBERSHIP = "membership", _("A role")
        LINE_MANAGER = "line_manager", _("A line manager")
        REACTIVATION = "reactivation", _("Signing in again (account reactivated)")
        EMAIL = "email", _("A new e-mail address")

    kind = models.CharField(max_length=16, choices=Kind.choices)
    user = models.ForeignKey(User, on_delete=models.PROTECT, related_name="access_requests")
    # The scheme whose files the grant opens; None for national roles.
    scheme = models.ForeignKey(Scheme, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    role = models.CharField(max_length=32, choices=Role.choices, blank=True)
    line_manager = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    # For a line manager: the membership whose line manager changes.
    for_membership = models.ForeignKey(
        Membership, on_delete=models.PROTECT, null=True, blank=True, related_name="line_manager_requests"
    )
    # For a new e-mail address: the address asked for. Set-password links go to a person's
    # address, so whoever controls it controls the account: changing it takes two people.
    email = models.EmailField(blank=True)
    reason = models.TextField(blank=True, help_text=_("Why this access is needed."))
    # None only for grants made when the installation was set up (``at_setup``).
    requested_by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    requested_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    at_setup = models.BooleanField(default=False, help_text="Granted when the installation was set up.")
    objects = AccessRequestQuerySet.as_manager()

    class Meta:
        ordering = ["-requested_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(at_setup=True) | Q(requested_by__isnull=False), name="access_request_has_requester"
            ),
            models.CheckConstraint(
                condition=~Q(kind="membership") | ~Q(role=""), name="access_request_membership_has_role"
            ),
            models.CheckConstraint(condition=~Q(kind="email") | ~Q(email=""), name="access_request_email_has_address"),
        ]

    def __str__(self) -> str:
        return gettext("Access request %(number)s (%(kind)s)") % {"number": self.pk, "kind": self.get_kind_display()}

    @property
    def what(self) -> str:
        """The grant in words, for the approver's page."""
        where = self.scheme.name if self.scheme_id else gettext("nationally")
        if self.kind == self.Kind.MEMBERSHIP:
            return f"{self.get_role_display()}, {where}"
        if self.kind == self.Kind.LINE_MANAGER:
            membership = self.for_membership
            return gettext("Line manager %(person)s for their role as %(role)s") % {
                "person": self.line_manager.display_name,
                "role": membership.get_role_display(),
            }
        if self.kind == self.Kind.EMAIL:
            return gettext("A new e-mail address for signing in and set-password links: %(email)s") % {
                "email": self.email
            }
        return gettext("Signing in again, with the roles they hold")

    @property
    def decided(self) -> AccessDecision | None:
        try:
            return self.decision
        except AccessDecision.DoesNotExist:
            return None

    @property
    def expired(self) -> bool:
        return self.decided is None and self.expires_at <= timezone.now()

    @property
    def status(self) -> str:
        decision = self.decided
        if decision is not None:
            return decision.get_outcome_display()
        return gettext("Expired") if self.expired else gettext("Waiting for approval")


class DecisionOutcome(models.TextChoices):
    APPROVED = "approved", _("Approved")
    REFUSED = "refused", _("Refused")


class AccessDecision(AppendOnlyModel):
    """The second person's answer to an access request: approved or refused, with a reason."""

    Outcome = DecisionOutcome

    request = models.OneToOneField(AccessRequest, on_delete=models.PROTECT, related_name="decision")
    outcome = models.CharField(max_length=16, choices=Outcome.choices)
    # None only for grants made when the installation was set up.
    decided_by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    decided_at = models.DateTimeField(default=timezone.now)
    reason = models.TextField(blank=True)

    class Meta:
        ordering = ["-decided_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(outcome=DecisionOutcome.REFUSED) | ~Q(reason=""), name="access_refusal_has_reason"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_outcome_display()}: access request {self.request_id}"


class DataKey(models.Model):
    """One file's data key (§8.2). The row holds no key material: the key itself,
    wrapped under a master key, is a file in the key store (homestart/keystore.py),
    which can really delete it — a database keeps old rows in its table files, its
    write-ahead log and its backups (§8.8, docs/backups.md).

    Deliberately has no history; ``master_key_id`` says which master key wrapped it.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    master_key_id = models.CharField(max_length=16, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    destroyed_at = models.DateTimeField(null=True, blank=True, editable=False)

    def __str__(self) -> str:
        return f"data key {self.pk}"

    def _aad(self) -> bytes:
        return b"homestart.datakey|" + self.pk.bytes

    @classmethod
    def generate(cls) -> DataKey:
        """A new random key, written to the key store before its row is saved; the
        file counts as committed once the transaction does (``keystore.promote``)."""
        key = cls(id=uuid.uuid4())
        plain = crypto.new_data_key()
        key.master_key_id, wrapped = crypto.wrap_key(plain, aad=key._aad())
        keystore.put(key.pk, key.master_key_id, wrapped, pending=True)
        key._plain = plain
        key.save()
        key_id = key.pk
        # robust: a failure here is logged, not shown; the key stays readable as pending
        # and `keystore_check` promotes it.
        transaction.on_commit(lambda: keystore.promote(key_id), robust=True)
        return key

    def plaintext_key(self) -> bytes:
        """The key, read from the key store once per request (and once per instance)."""
        plain = getattr(self, "_plain", None)
        if plain is None:
            if self.destroyed_at is not None:
                raise crypto.KeyUnavailable("This file's data key was destroyed (§8.8).")
            plain = memo(("data_key", self.pk), self._unwrap)
            self._plain = plain
        return plain

    def _unwrap(self) -> bytes:
        master_key_id, wrapped = keystore.read(self.pk)
        return crypto.unwrap_key(master_key_id, wrapped, aad=self._aad())

    def rewrap(self) -> bool:
        """Wrap under the newest master key; True if the key-store file was rewritten.

        The row is updated first (locking it, on every database), so a destruction
        cannot commit between reading the file and writing it back."""
        if self.destroyed_at is not None:
            return False
        newest = crypto.newest_master_key_id()
        stored_id, wrapped = keystore.read(self.pk)
        if stored_id != newest or self.master_key_id != newest:
            if not DataKey.objects.filter(pk=self.pk, destroyed_at__isnull=True).update(master_key_id=newest):
                return False  # destroyed meanwhile
            self.master_key_id = newest
        if stored_id == newest:
            return False
        plain = crypto.unwrap_key(stored_id, wrapped, aad=self._aad())
        keystore.put(self.pk, newest, crypto.wrap_key(plain, aad=self._aad())[1], pending=False)
        return True

    def destroy(self) -> None:
        """Crypto-shred: mark the row destroyed; once that commits, the key file is
        overwritten and unlinked (a tombstone records the date). If the process dies in
        between, ``run_retention`` and ``keystore_check`` remove the file (§8.8)."""
        self._plain = None
        forget(("data_key", self.pk))
        self.destroyed_at = timezone.now()
        self.save(update_fields=["destroyed_at"])
        key_id, at = self.pk, self.destroyed_at
        # robust: the destruction has committed; if the unlink fails it is logged, and
        # the next `run_retention` removes the file.
        transaction.on_commit(lambda: keystore.shred(key_id, destroyed_at=at), robust=True)


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


class FamilyKey:
    """The row is part of a family file (its ``family``) and sealed with the family's key.
    Here, below every app that keeps such rows: the gate's approvals as well as the families'."""

    family: Any  # the concrete model's foreign key to families.Family

    def get_data_key(self) -> DataKey:
        return self.family.data_key


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
        return gettext("Confidentiality Policy, %(version)s") % {"version": self.version}

    @classmethod
    def current(cls) -> PolicyVersion | None:
        return cls.objects.filter(published_at__lte=timezone.now()).order_by("-published_at").first()


class PolicyAcknowledgement(AppendOnlyModel):
    """Who acknowledged which version, when: a register, never changed (§3.1, §4.1, §5.1)."""

    user = models.ForeignKey(User, on_delete=models.PROTECT, related_name="policy_acknowledgements")
    version = models.ForeignKey(PolicyVersion, on_delete=models.PROTECT, related_name="acknowledgements")
    acknowledged_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "version"], name="acknowledge_once")]

    def __str__(self) -> str:
        return f"{self.user} acknowledged {self.version.version}"


class Induction(models.Model):
    """An induction on the Confidentiality Policy, recorded by the person who gave it: the policy was
    given (§3.1, §4.1, §5.1), the duty to keep confidentiality at all times explained (§3.8, §4.3,
    §5.4) and, for a volunteer, the peer-support guidance (§5.3). The person's own acknowledgement
    is ``PolicyAcknowledgement``; this is the scheme's record that the induction took place."""

    class As(models.TextChoices):
        TRUSTEE = "trustee", _("Trustee")
        STAFF = "staff", _("Member of staff")
        VOLUNTEER = "volunteer", _("Volunteer")

    person = models.ForeignKey(User, on_delete=models.PROTECT, related_name="inductions")
    scheme = models.ForeignKey(Scheme, on_delete=models.PROTECT, related_name="inductions")
    inducted_as = models.CharField(_("inducted as"), max_length=16, choices=As.choices)
    policy_version = models.ForeignKey(PolicyVersion, on_delete=models.PROTECT, related_name="+")
    inducted_on = models.DateField(_("date of the induction"))
    inducted_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    policy_given = models.BooleanField(_("given the policy and procedure"), default=False)
    duty_explained = models.BooleanField(_("told to keep confidentiality at all times"), default=False)
    peer_support_explained = models.BooleanField(_("given the peer-support guidance"), default=False)
    recorded_at = models.DateTimeField(default=timezone.now, editable=False)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-inducted_on", "-recorded_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(policy_given=True, duty_explained=True), name="induction_gives_policy_and_duty"
            ),
            models.CheckConstraint(
                condition=~Q(inducted_as="volunteer") | Q(peer_support_explained=True),
                name="induction_of_volunteer_gives_peer_support_guidance",
            ),
            models.CheckConstraint(condition=~Q(person=models.F("inducted_by")), name="induction_not_by_oneself"),
        ]

    def __str__(self) -> str:
        return f"Induction {self.pk} ({self.get_inducted_as_display()}, {self.scheme_id})"


# Whose induction is recorded as what, and who may record it: a trustee's by the manager or another
# trustee, a member of staff's by the manager, a volunteer's by a coordinator or the manager.
INDUCTED_ROLES = {
    Induction.As.TRUSTEE: (Role.TRUSTEE, Role.SPOT_CHECK_TRUSTEE),
    Induction.As.STAFF: (Role.COORDINATOR, Role.MANAGER, Role.SAFEGUARDING_LEAD),
    Induction.As.VOLUNTEER: (Role.VOLUNTEER,),
}
INDUCTORS = {
    Induction.As.TRUSTEE: (Role.MANAGER, Role.TRUSTEE),
    Induction.As.STAFF: (Role.MANAGER,),
    Induction.As.VOLUNTEER: (Role.MANAGER, Role.COORDINATOR),
}


def has_acknowledged_current_policy(user: User) -> bool:
    """True when the user has acknowledged the newest published policy version.

    With no version published at all, nobody can have been inducted: False.
    """

    def ask() -> bool:
        return bool(_ACKNOWLEDGED.rows(user_id=user.pk, now=timezone.now()))

    return memo(("policy_acknowledged", user.pk), ask)


def _acknowledged(user_id: int, now: Any) -> models.QuerySet:
    current = PolicyVersion.objects.filter(published_at__lte=now).order_by("-published_at")[:1]
    return PolicyAcknowledgement.objects.filter(user_id=user_id, version__in=current).values_list("pk")[:1]


# Asked on every page: compiled once (homestart/fixed_query.py).
_ACKNOWLEDGED = FixedQuery(
    _acknowledged,
    user_id=PolicyAcknowledgement._meta.get_field("user"),
    now=PolicyVersion._meta.get_field("published_at"),
)


def current_roles(user: User) -> list[tuple[str, int | None]]:
    """(role, scheme id) of each of the person's current memberships (scheme id None for
    national roles): nothing for an ended membership or an inactive account.

    The one answer to "which roles does this person hold now?": the middleware, the gate,
    the navigation and every service ask it, so a request reads it once
    (``request_cache``); a membership or account saved in the request is read again."""
    if user is None or not user.is_authenticated or not user.is_active:
        return []
    return memo(
        ("current_roles", user.pk),
        lambda: _CURRENT_ROLES.rows(user_id=user.pk),
    )


# Asked on every page: compiled once (homestart/fixed_query.py).
_CURRENT_ROLES = FixedQuery(
    lambda user_id: Membership.objects.current().filter(user_id=user_id).values_list("role", "scheme_id"),
    user_id=Membership._meta.get_field("user"),
)


def forget_roles(user_id: int | None) -> None:
    forget(("current_roles", user_id))


def roles_in(user: User, scheme_id: int | None) -> tuple[set[str], set[str]]:
    """The user's current roles in this scheme, and their national roles (reviewer,
    administrator): what every file kind's access decision starts from."""
    memberships = current_roles(user)
    return (
        {role for role, s in memberships if s == scheme_id},
        {role for role, s in memberships if s is None},
    )


_ANYWHERE: Any = object()


def _scheme_id(scheme: Scheme | int | None) -> int | None:
    return scheme.pk if isinstance(scheme, Scheme) else scheme


def has_role(user: User, roles: str | Iterable[str], *, scheme: Scheme | int | None = _ANYWHERE) -> bool:
    """Whether the person holds one of ``roles`` now: in ``scheme`` (a scheme or its id;
    None for the national roles), or in any scheme when none is given."""
    wanted = {roles} if isinstance(roles, str) else set(roles)
    where = _ANYWHERE if scheme is _ANYWHERE else _scheme_id(scheme)
    return any(role in wanted and (where is _ANYWHERE or s == where) for role, s in current_roles(user))


def role_in(user: User, roles: Iterable[str], *, scheme: Scheme | int | None) -> str | None:
    """The first of ``roles`` (in the order given) the person holds now in ``scheme``."""
    held = roles_in(user, _scheme_id(scheme))[0]
    return next((role for role in roles if role in held), None)


def scheme_ids_where(user: User, roles: str | Iterable[str]) -> set[int]:
    """The schemes in which the person holds one of ``roles`` now."""
    wanted = {roles} if isinstance(roles, str) else set(roles)
    return {s for role, s in current_roles(user) if role in wanted and s is not None}


def is_line_manager(user: User, *, of: User, scheme: Scheme | int) -> bool:
    """Whether ``user`` is the line manager of ``of``'s current role in ``scheme`` now (§4.2, §8.4)."""
    return Membership.objects.current().filter(user=of, scheme_id=_scheme_id(scheme), line_manager=user).exists()


def schemes_where(user: User, roles: str | Iterable[str]) -> models.QuerySet[Scheme]:
    """The same, as schemes (by name): for choosing among them and for filtering by them."""
    return Scheme.objects.filter(pk__in=scheme_ids_where(user, roles)).order_by("name")


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

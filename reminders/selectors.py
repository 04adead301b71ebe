"""What is due, and for whom: one selector per kind of thing due, over the data the other apps
already keep. The daily e-mail (``send_reminders``) and the landing page's "Due for you" ask the
same selectors, so they list the same items.

Every item names a file by its reference and links to the page that acts on it; nothing of a
family — no name, address, note or what was shared with whom — is ever in an item (§8.6).

Who receives an item: the people holding, now, one of the roles that act on it in its scheme
(a current membership of an active account), except those who may not act on it (whoever asked
for an approval does not decide it, §2.1, §8.3).

DBS checks and training due for renewal (issue 15.4) go to the scheme's coordinators and manager
and to the volunteer themselves (``person_id``): by the file's reference and the date, never
anything else of the file.

Planned visits are reminded to one person, the visitor, the day before (``Due.person_id``), and,
once overdue, to the scheme's coordinators and manager.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Callable, Collection
from dataclasses import dataclass, field

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.functional import Promise, lazy
from django.utils.translation import gettext, gettext_lazy, gettext_noop

from access_log import approvals as approval_rules
from access_log.kinds import SCHEME_STAFF_ROLES
from access_log.models import Approval, ApprovalKind
from consent.models import Consent
from families.models import Family, PlannedVisit, VolunteerAssignment
from homestart.models import (
    NATIONAL_APPROVER_ROLES,
    SCHEME_APPROVER_ROLES,
    AccessRequest,
    Membership,
    Scheme,
    User,
    current_roles,
)
from homestart.rules import Role
from records.breaches.services import BREACH_ROLES
from records.models import Breach, Destruction, SubjectAccessRequest, TrainingRecord, VolunteerFile
from records.retention.selectors import due_in_schemes
from records.retention.services import DESTRUCTION_ROLES
from records.subject_access.services import SAR_ROLES

from .models import ReminderKind

# Subject access deadlines (§1.6, §8.7): reminded 7 days before, 2 days before, and once overdue.
SAR_STAGES = ((7, "7_days"), (2, "2_days"))
# Who proposes and carries out destruction at the end of a retention period (§8.8).
RETENTION_ROLES = (Role.MANAGER,)
# DBS checks and training (issue 15.4): reminded a month before the renewal date, and once lapsed.
RENEWAL_NOTICE_DAYS = 30

# ``None`` for every scheme (the daily run); otherwise the ids of the schemes to look in.
Schemes = Collection[int] | None


@dataclass(frozen=True)
class Words:
    """What an item says, kept until it is read and then put in the reader's language (issue 17.8):
    the landing page in the language of the person signed in, the e-mail in its recipient's. A date
    is written out then too, its month named in that language."""

    message: str  # English, marked with gettext_noop: the message id of its translation
    params: tuple[tuple[str, object], ...] = ()

    def __str__(self) -> str:
        return gettext(self.message) % {name: _written(value) for name, value in self.params}


def _says(message: str, **params: object) -> Words:
    return Words(message, tuple(params.items()))


def _written(value: object) -> str:
    if isinstance(value, datetime.date) and not isinstance(value, datetime.datetime):
        return _day(value)
    return str(value)


@dataclass(frozen=True)
class Due:
    """One thing due: what, in which scheme, for which roles, in words and a link."""

    kind: ReminderKind
    object_id: str
    stage: str
    scheme_id: int | None  # None: national (an access request for a national role)
    roles: tuple[str, ...]
    says: Words  # references only (§8.6)
    path: str
    not_for: frozenset[int] = field(default_factory=frozenset)
    sort_on: datetime.date | None = None
    # For this one person only (holding one of ``roles`` in the scheme): a visit they will make, their own DBS check.
    person_id: int | None = None

    @property
    def text(self) -> str:
        """The item in words, in the language active now (the reader's)."""
        return str(self.says)

    @property
    def key(self) -> str:
        """What the reminder is about, stable from run to run: kind, object and stage."""
        return f"{self.kind}:{self.object_id}:{self.stage}"

    def is_for(self, user_id: int, held: set[tuple[str, int | None]]) -> bool:
        if self.person_id is not None and user_id != self.person_id:
            return False
        return user_id not in self.not_for and any((role, self.scheme_id) in held for role in self.roles)


def _in(schemes: Schemes, lookup: str) -> Q:
    return Q() if schemes is None else Q(**{f"{lookup}__in": list(schemes)})


def _day(day: datetime.date) -> str:
    return date_format(day, "j F Y")


def consent_reviews_due(*, on: datetime.date, schemes: Schemes = None) -> list[Due]:
    """Consents in force whose review date has come, in families still supported (§1.2)."""
    rows = (
        Consent.objects.due_for_review(on)
        .filter(_in(schemes, "family__scheme"))
        .exclude(family__status=Family.Status.CLOSED)
        .order_by("review_on", "family__reference")
        .values_list("pk", "review_on", "family__reference", "family__scheme_id")
    )
    return [
        Due(
            kind=ReminderKind.CONSENT_REVIEW,
            object_id=str(pk),
            stage=f"review_{review_on:%Y%m%d}",
            scheme_id=scheme_id,
            roles=SCHEME_STAFF_ROLES,
            says=_says(
                gettext_noop("%(reference)s: a consent is due for review (review by %(date)s)"),
                reference=reference,
                date=review_on,
            ),
            path=reverse("consent:overview", kwargs={"reference": reference}),
            sort_on=review_on,
        )
        for pk, review_on, reference, scheme_id in rows
    ]


def subject_access_deadlines(*, on: datetime.date, schemes: Schemes = None) -> list[Due]:
    """Open subject access requests 7 days and 2 days before the deadline, and overdue (§1.6, §8.7).
    A request waiting for clarification is not reminded: its clock is stopped."""
    requests = (
        SubjectAccessRequest.objects.filter(_in(schemes, "scheme"))
        .exclude(status__in=[SubjectAccessRequest.Status.RELEASED, SubjectAccessRequest.Status.AWAITING_CLARIFICATION])
        .only("pk", "reference", "scheme_id", "received_on", "extension_months", "paused_days", "status")
    )
    due = []
    for sar in requests:
        due_on = sar.due_on
        days_left = (due_on - on).days
        if days_left < 0:
            stage = "overdue"
            says = _says(
                gettext_noop("%(reference)s: the subject access response was due on %(date)s"),
                reference=sar.reference,
                date=due_on,
            )
        else:
            stage = next((name for days, name in reversed(SAR_STAGES) if days_left <= days), None)
            if stage is None:
                continue
            says = _says(
                gettext_noop("%(reference)s: the subject access response is due by %(date)s"),
                reference=sar.reference,
                date=due_on,
            )
        due.append(
            Due(
                kind=ReminderKind.SUBJECT_ACCESS,
                object_id=str(sar.pk),
                stage=stage,
                scheme_id=sar.scheme_id,
                roles=SAR_ROLES,
                says=says,
                path=reverse("records:sar_detail", kwargs={"sar_id": sar.pk}),
                sort_on=due_on,
            )
        )
    return due


def breach_clocks(*, on: datetime.date, schemes: Schemes = None) -> list[Due]:
    """Open breaches not yet reported to the ICO nor decided not reportable: the 72 hours from
    when each was found (§3.9, §4.4, §5.5). Reminded while the clock runs, and once it has run out."""
    breaches = (
        Breach.objects.filter(_in(schemes, "scheme"), closed_at__isnull=True, ico_reported_at__isnull=True)
        .exclude(ico_decision=Breach.IcoDecision.NOT_REPORTABLE)
        .only("pk", "reference", "scheme_id", "found_at")
    )
    end_of_day = timezone.make_aware(datetime.datetime.combine(on, datetime.time.max))
    due = []
    for breach in breaches:
        deadline = timezone.localtime(breach.ico_deadline)
        when = {"time": date_format(deadline, "H:i"), "date": deadline.date()}
        overdue = deadline < (timezone.now() if on == timezone.localdate() else end_of_day)
        due.append(
            Due(
                kind=ReminderKind.BREACH,
                object_id=str(breach.pk),
                stage="overdue" if overdue else "clock",
                scheme_id=breach.scheme_id,
                roles=BREACH_ROLES,
                says=_says(
                    gettext_noop(
                        "%(reference)s: the 72 hours to report this breach to the ICO ran out at %(time)s on %(date)s"
                    )
                    if overdue
                    else gettext_noop(
                        "%(reference)s: decide whether to report this breach to the ICO by %(time)s on %(date)s"
                    ),
                    reference=breach.reference,
                    **when,
                ),
                path=reverse("records:breach_detail", kwargs={"breach_id": breach.pk}),
                sort_on=deadline.date(),
            )
        )
    return due


def files_due_for_retention(*, on: datetime.date, schemes: Schemes = None) -> list[Due]:
    """Files whose retention period has ended (§8.8): the manager proposes destruction; a proposed
    destruction waits for two authorisations (the manager or trustees, two different people); an
    authorised one is carried out by the manager. A file on legal hold is not reminded."""
    files = due_in_schemes(schemes=schemes if schemes is not None else _all_schemes(), today=on)
    due = []
    for file in files:
        if file.on_hold:
            continue
        destruction = file.destruction
        if destruction is None or destruction.status == Destruction.Status.CANCELLED:
            stage, roles, not_for = "propose", RETENTION_ROLES, frozenset()
            says = _says(
                gettext_noop("%(reference)s: the retention period ended on %(date)s; propose destruction"),
                reference=file.reference,
                date=file.due_on,
            )
            path = reverse("records:retention")
        elif destruction.status == Destruction.Status.PROPOSED:
            first = destruction.first_authorised_by_id
            stage, roles = ("authorise_2" if first else "authorise_1"), DESTRUCTION_ROLES
            not_for = frozenset({first}) if first else frozenset()
            # Trustees authorise too, and see file references only on the retention pages: the
            # item names none (the link shows which file, after signing in).
            says = _says(
                gettext_noop("A destruction proposed on %(date)s is waiting for authorisation (retention, §8.8)"),
                date=timezone.localdate(destruction.proposed_at),
            )
            path = reverse("records:retention")
        else:
            stage, roles, not_for = "carry_out", RETENTION_ROLES, frozenset()
            says = _says(
                gettext_noop("%(reference)s: an authorised destruction is waiting to be carried out"),
                reference=file.reference,
            )
            path = reverse("records:retention")
        due.append(
            Due(
                kind=ReminderKind.RETENTION,
                object_id=f"{file.kind}:{file.file_id}",
                stage=stage,
                scheme_id=file.scheme.pk,
                roles=roles,
                says=says,
                path=path,
                not_for=not_for,
                sort_on=file.due_on,
            )
        )
    return due


def approvals_waiting(*, on: datetime.date, schemes: Schemes = None) -> list[Due]:
    """Undecided approvals (§2.1, §3.3, §7.4, §9.3, §10.3): for the scheme's manager, and its
    safeguarding lead where the approval rests on a concern; never for whoever asked."""
    waiting = (
        Approval.objects.filter(_in(schemes, "scheme"), decision__isnull=True)
        .select_related("family")
        .only("pk", "kind", "scheme_id", "safeguarding", "requested_by_id", "requested_at", "family__reference")
        .order_by("requested_at")
    )
    return [
        Due(
            kind=ReminderKind.APPROVAL,
            object_id=str(approval.pk),
            stage="waiting",
            scheme_id=approval.scheme_id,
            roles=approval_rules.approver_roles(approval),
            says=_says(
                gettext_noop("%(reference)s: %(kind)s is waiting for approval"),
                reference=approval.family.reference,
                kind=dict(ApprovalKind.choices).get(approval.kind, approval.kind),
            ),
            path=reverse("access_log:approval", kwargs={"approval_id": approval.pk}),
            not_for=frozenset({approval.requested_by_id}),
            sort_on=timezone.localdate(approval.requested_at),
        )
        for approval in waiting
    ]


def access_requests_waiting(*, on: datetime.date, schemes: Schemes = None, national: bool = True) -> list[Due]:
    """Requests for access not yet decided nor lapsed (§8.3, §7.6): a scheme's manager and trustees
    decide those of the scheme, administrators the national ones; never the person it is for,
    whoever asked, or the person whose line manager it changes."""
    scope = _in(schemes, "scheme")
    if schemes is not None and national:
        scope |= Q(scheme__isnull=True)
    elif schemes is not None:
        scope &= Q(scheme__isnull=False)
    waiting = AccessRequest.objects.pending().filter(scope).order_by("requested_at")
    rows = waiting.values_list("pk", "kind", "scheme_id", "user_id", "requested_by_id", "for_membership__user_id")
    return [
        Due(
            kind=ReminderKind.ACCESS_REQUEST,
            object_id=str(pk),
            stage="waiting",
            scheme_id=scheme_id,
            roles=SCHEME_APPROVER_ROLES if scheme_id is not None else NATIONAL_APPROVER_ROLES,
            says=_says(
                gettext_noop("Access request %(number)s (%(kind)s) is waiting for a decision"),
                number=pk,
                kind=_lower(AccessRequest.Kind(kind).label),
            ),
            path=reverse("access_requests"),
            not_for=frozenset(i for i in (user_id, requested_by_id, membership_user_id) if i is not None),
        )
        for pk, kind, scheme_id, user_id, requested_by_id, membership_user_id in rows
    ]


# Who makes visits: the scheme's coordinators and manager, and its volunteers (§8.5).
VISITOR_ROLES = (*SCHEME_STAFF_ROLES, Role.VOLUNTEER)


def planned_visits_tomorrow(*, on: datetime.date, schemes: Schemes = None) -> list[Due]:
    """Each visit planned for the day after ``on``, for its visitor alone, while they may still
    make it (a volunteer still assigned, §8.5): the reference, the day and the time, nothing else."""
    tomorrow = on + datetime.timedelta(days=1)
    staff = Membership.objects.current().filter(
        user=OuterRef("visitor"), scheme=OuterRef("family__scheme"), role__in=SCHEME_STAFF_ROLES
    )
    supporting = VolunteerAssignment.objects.active(tomorrow).filter(
        volunteer=OuterRef("visitor"), family=OuterRef("family")
    )
    rows = (
        PlannedVisit.objects.planned()
        .filter(_in(schemes, "family__scheme"), planned_on=tomorrow)
        .filter(Exists(staff) | Exists(supporting))
        .exclude(family__status=Family.Status.CLOSED)
        .order_by("planned_at", "family__reference")
        .values_list("pk", "kind", "planned_at", "visitor_id", "family__reference", "family__scheme_id")
    )
    return [
        Due(
            kind=ReminderKind.PLANNED_VISIT,
            object_id=str(pk),
            stage=f"day_before_{tomorrow:%Y%m%d}",
            scheme_id=scheme_id,
            roles=VISITOR_ROLES,
            says=_says(
                gettext_noop("%(reference)s: %(kind)s tomorrow, %(date)s at %(time)s"),
                reference=reference,
                kind=_kind(kind),
                date=tomorrow,
                time=f"{planned_at:%H:%M}",
            ),
            path=reverse("families:this_week"),
            sort_on=tomorrow,
            person_id=visitor_id,
        )
        for pk, kind, planned_at, visitor_id, reference, scheme_id in rows
    ]


def planned_visits_overdue(*, on: datetime.date, schemes: Schemes = None) -> list[Due]:
    """Visits planned for a day before ``on`` and neither recorded nor marked missed: for the
    scheme's coordinators and manager, once, with the agenda to follow them up (§8.6)."""
    rows = (
        PlannedVisit.objects.overdue(on)
        .filter(_in(schemes, "family__scheme"))
        .exclude(family__status=Family.Status.CLOSED)
        .order_by("planned_on", "family__reference")
        .values_list("pk", "kind", "planned_on", "family__reference", "family__scheme_id")
    )
    return [
        Due(
            kind=ReminderKind.VISIT_OVERDUE,
            object_id=str(pk),
            stage="overdue",
            scheme_id=scheme_id,
            roles=SCHEME_STAFF_ROLES,
            says=_says(
                gettext_noop("%(reference)s: the %(kind)s planned for %(date)s was not recorded"),
                reference=reference,
                kind=_kind(kind),
                date=planned_on,
            ),
            path=reverse("families:agenda") + f"?week={planned_on:%Y-%m-%d}",
            sort_on=planned_on,
        )
        for pk, kind, planned_on, reference, scheme_id in rows
    ]


def _kind(kind: str) -> str | Promise:
    """The kind of a planned visit in words, without the clause a review visit carries on forms
    (put into words when the item is read)."""
    if kind == PlannedVisit.Kind.REVIEW:
        return gettext_lazy("review visit")
    return _lower(PlannedVisit.Kind(kind).label)


def _lowered(label: object) -> str:
    return str(label).lower()


_lower = lazy(_lowered, str)


# What a renewal says to the scheme's staff and to the volunteer, due and once lapsed (each a
# whole sentence, so that each language words it in its own order).
RENEWAL_WORDS = {
    ReminderKind.DBS_RENEWAL: {
        False: (
            gettext_noop("%(reference)s: DBS check is due for renewal by %(date)s"),
            gettext_noop("Your DBS check is due for renewal by %(date)s: please talk to your coordinator"),
        ),
        True: (
            gettext_noop(
                "%(reference)s: DBS check lapsed on %(date)s; the volunteer cannot be assigned until it is renewed"
            ),
            gettext_noop("Your DBS check lapsed on %(date)s: please talk to your coordinator"),
        ),
    },
    ReminderKind.TRAINING_RENEWAL: {
        False: (
            gettext_noop("%(reference)s: training is due for renewal by %(date)s"),
            gettext_noop("Your training is due for renewal by %(date)s: please talk to your coordinator"),
        ),
        True: (
            gettext_noop("%(reference)s: training lapsed on %(date)s"),
            gettext_noop("Your training lapsed on %(date)s: please talk to your coordinator"),
        ),
    },
}


def _renewals(
    *,
    kind: ReminderKind,
    on: datetime.date,
    rows: list[tuple[str, datetime.date, str, int, int]],
) -> list[Due]:
    """One renewal per row (object id, renewal date, file reference, scheme, volunteer): for the
    scheme's staff and for the volunteer, from ``RENEWAL_NOTICE_DAYS`` before the date, and
    once more when it has passed. The date is in the stage: a renewal recorded later, with a
    new date, is reminded afresh."""
    due = []
    for object_id, renew_on, reference, scheme_id, person_id in rows:
        lapsed = renew_on <= on
        stage = f"{'lapsed' if lapsed else 'due'}_{renew_on:%Y%m%d}"
        staff_says, own_says = RENEWAL_WORDS[kind][lapsed]
        path = reverse("records:volunteer_file", kwargs={"reference": reference})
        due.append(
            Due(
                kind=kind,
                object_id=object_id,
                stage=stage,
                scheme_id=scheme_id,
                roles=SCHEME_STAFF_ROLES,
                says=_says(staff_says, reference=reference, date=renew_on),
                path=path,
                not_for=frozenset({person_id}),
                sort_on=renew_on,
            )
        )
        due.append(
            Due(
                kind=kind,
                object_id=object_id,
                stage=f"own_{stage}",
                scheme_id=scheme_id,
                roles=(Role.VOLUNTEER,),
                says=_says(own_says, date=renew_on),
                path=reverse("families:my_families"),
                person_id=person_id,
                sort_on=renew_on,
            )
        )
    return due


def _current_volunteer_files(schemes: Schemes) -> QuerySet[VolunteerFile]:
    return VolunteerFile.objects.filter(
        _in(schemes, "scheme"), left_on__isnull=True, data_key__destroyed_at__isnull=True
    )


def dbs_renewals_due(*, on: datetime.date, schemes: Schemes = None) -> list[Due]:
    """DBS checks due for renewal within ``RENEWAL_NOTICE_DAYS``, or lapsed (issue 15.4): without a
    current one a volunteer is not assigned to a family (the scheme's safer-recruitment rule)."""
    rows = (
        _current_volunteer_files(schemes)
        .filter(dbs_renewal_due__lte=on + datetime.timedelta(days=RENEWAL_NOTICE_DAYS))
        .order_by("dbs_renewal_due", "reference")
        .values_list("pk", "dbs_renewal_due", "reference", "scheme_id", "person_id")
    )
    return _renewals(
        kind=ReminderKind.DBS_RENEWAL,
        on=on,
        rows=[(str(pk), day, ref, scheme, person) for pk, day, ref, scheme, person in rows],
    )


def training_renewals_due(*, on: datetime.date, schemes: Schemes = None) -> list[Due]:
    """Training due for renewal within ``RENEWAL_NOTICE_DAYS``, or lapsed (issue 15.4); only the
    latest record of each course counts (a renewal is a new record). Named "training", never the
    course: a reference and a date are all a reminder carries."""
    horizon = on + datetime.timedelta(days=RENEWAL_NOTICE_DAYS)
    files_due = TrainingRecord.objects.filter(
        volunteer_file__in=_current_volunteer_files(schemes), renew_on__lte=horizon
    ).values("volunteer_file_id")
    # One query: every record of the files with something due; the course is sealed with the
    # file's key, so which record is the latest of its course is found here, not in the database.
    records = (
        TrainingRecord.objects.filter(volunteer_file_id__in=files_due)
        .select_related("volunteer_file", "data_key")
        .order_by("created_at")
    )
    newest: dict[tuple[str, str], TrainingRecord] = {}
    for record in records:
        newest[(str(record.volunteer_file_id), record.course.casefold())] = record
    rows = sorted(
        (
            (str(r.pk), r.renew_on, r.volunteer_file.reference, r.volunteer_file.scheme_id, r.volunteer_file.person_id)
            for r in newest.values()
            if r.renew_on is not None and r.renew_on <= horizon
        ),
        key=lambda row: (row[1], row[2]),
    )
    return _renewals(kind=ReminderKind.TRAINING_RENEWAL, on=on, rows=rows)


# Each kind of thing due, and the roles that may act on some item of it (to skip a selector
# for someone who holds none of them).
SELECTORS: tuple[tuple[Callable[..., list[Due]], tuple[str, ...]], ...] = (
    (consent_reviews_due, SCHEME_STAFF_ROLES),
    (subject_access_deadlines, SAR_ROLES),
    (breach_clocks, BREACH_ROLES),
    (files_due_for_retention, (*RETENTION_ROLES, *DESTRUCTION_ROLES)),
    (approvals_waiting, (Role.MANAGER, Role.SAFEGUARDING_LEAD)),
    (access_requests_waiting, (*SCHEME_APPROVER_ROLES, *NATIONAL_APPROVER_ROLES)),
    (planned_visits_tomorrow, VISITOR_ROLES),
    (planned_visits_overdue, SCHEME_STAFF_ROLES),
    (dbs_renewals_due, (*SCHEME_STAFF_ROLES, Role.VOLUNTEER)),
    (training_renewals_due, (*SCHEME_STAFF_ROLES, Role.VOLUNTEER)),
)


def _all_schemes() -> list[int]:
    return list(Scheme.objects.values_list("pk", flat=True))


def everything_due(*, on: datetime.date) -> list[Due]:
    """Every item due on ``on``, in every scheme: what the daily run sends."""
    return [item for selector, _ in SELECTORS for item in selector(on=on)]


def due_for(*, user: User, on: datetime.date | None = None) -> list[Due]:
    """What is due for this person now: the landing page's "Due for you". One query per kind of
    thing due that one of their roles acts on, and none for someone who holds no such role."""
    on = on or timezone.localdate()
    held = set(current_roles(user))
    if not held:
        return []
    items = []
    for selector, roles in SELECTORS:
        schemes = {scheme for role, scheme in held if role in roles and scheme is not None}
        national = any(role in roles and scheme is None for role, scheme in held)
        if not schemes and not national:
            continue
        if selector is access_requests_waiting:
            found = selector(on=on, schemes=schemes, national=national)
        elif not schemes:
            continue
        else:
            found = selector(on=on, schemes=schemes)
        items.extend(item for item in found if item.is_for(user.pk, held))
    return sorted(items, key=_order)


def _order(item: Due) -> tuple:
    return (item.sort_on or datetime.date.max, item.kind, item.text)


def recipients(items: Collection[Due]) -> dict[User, list[Due]]:
    """Each person holding a current role that acts on some item, with an e-mail address, and the
    items for them (one query for the people, whatever the number of items)."""
    wanted = {(role, item.scheme_id) for item in items for role in item.roles}
    if not wanted:
        return {}
    roles = {role for role, _ in wanted}
    memberships = (
        Membership.objects.current()
        .filter(role__in=roles)
        .exclude(user__email="")
        .select_related("user")
        .order_by("user_id")
    )
    people: dict[int, User] = {}
    held: dict[int, set[tuple[str, int | None]]] = defaultdict(set)
    for membership in memberships:
        if (membership.role, membership.scheme_id) in wanted:
            people[membership.user_id] = membership.user
            held[membership.user_id].add((membership.role, membership.scheme_id))
    result: dict[User, list[Due]] = {}
    for user_id, user in people.items():
        mine = sorted((item for item in items if item.is_for(user_id, held[user_id])), key=_order)
        if mine:
            result[user] = mine
    return result

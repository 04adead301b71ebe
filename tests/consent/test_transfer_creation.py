"""One family-creation service (§7.1, §9.2, §9.3): a referral, a transfer within this
installation and a transfer package all open the file the same way (reference in the
receiving scheme's sequence, postcode district for statistics, history, access event),
and a family's safeguarding concerns travel with it, with or without consent (§9.3)."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from access_log import gate
from access_log.models import AccessEvent, Approval
from consent import transfers
from consent.models import RecipientKind, Transfer
from families import services as family_services
from families.models import Family
from homestart.models import Scheme
from homestart.rules import Action, Purpose, Role
from safeguarding import selectors as sg_selectors
from safeguarding import services as sg_services
from safeguarding.models import Concern, ConcernAction
from tests.approval_helpers import decide
from tests.conftest import POSTCODE, _member
from tests.factories import make_family
from tests.homestart.test_form_once import send_twice
from tests.sharing_fixtures import OBSERVED

TODAY = timezone.localdate
AREA = "CH41"  # the district of POSTCODE
ACTION_TEXT = "Spoke to the health visitor; home visit booked"
PASSPHRASE = "correct horse battery"


def _told():
    return {"family_told": "told", "family_told_on": TODAY()}


@pytest.fixture
def sef_lead(sefton):
    return _member(sefton, Role.SAFEGUARDING_LEAD, "sefsafeguarding")


@pytest.fixture
def sefton_has_one(sefton, sef_coordinator):
    """Sefton already holds SEF-0001: a transferred file continues its sequence."""
    return make_family(sefton, sef_coordinator, postcode="L20 3QA")


@pytest.fixture
def concern(family, coordinator, open_as) -> Concern:
    concern = sg_services.concern_raise(
        access=open_as(coordinator, family, "safeguarding", change=True),
        category=Concern.Category.NEGLECT,
        observed=OBSERVED,
        observed_on=TODAY(),
        actor=coordinator,
    )
    sg_services.concern_action_add(
        access=open_as(coordinator, family, "safeguarding", change=True),
        concern=concern,
        action=ACTION_TEXT,
        taken_on=TODAY(),
        actor=coordinator,
    )
    return concern


def _created_event(family: Family) -> AccessEvent:
    return AccessEvent.objects.get(file_id=str(family.pk), action=Action.CREATE)


def _transfer(family, coordinator, sefton, open_as, **extra):
    return transfers.transfer_to_scheme(
        access=open_as(coordinator, family, "consent", change=True),
        to_scheme=sefton,
        sections=["members", "contact", "referral"],
        summary="Moving to Bootle",
        actor=coordinator,
        **_told(),
        **extra,
    ).new_family


def _import(family, coordinator, sefton, sef_coordinator, give_consent, open_as):
    give_consent(family, recipient_kind=RecipientKind.NEW_SCHEME, recipient_name="Home-Start Sefton")
    _transfer_record, package = transfers.transfer_export(
        access=open_as(coordinator, family, "consent", change=True),
        to_scheme_name="Home-Start Sefton",
        passphrase=PASSPHRASE,
        sections=["members", "contact", "referral"],
        summary="Moving",
        actor=coordinator,
        **_told(),
    )
    return transfers.transfer_import(package=package, passphrase=PASSPHRASE, scheme=sefton, actor=sef_coordinator)


@pytest.mark.policy("7.1", "8.6")
def test_a_referral_sets_the_area_and_continues_the_sequence(family, wirral, coordinator):
    assert family.reference == "WIR-0001" and family.area == AREA
    second = make_family(wirral, coordinator)
    assert second.reference == "WIR-0002"
    assert Scheme.objects.get(pk=wirral.pk).next_family_number == 3
    event = _created_event(family)
    assert event.purpose == Purpose.CASEWORK and event.role == Role.COORDINATOR
    assert family.history.earliest().history_change_reason == family_services.CreatedBy.REFERRAL


@pytest.mark.policy("9.2", "8.6")
def test_a_transfer_within_the_installation_sets_the_area_and_the_receiving_sequence(
    family, coordinator, sefton, sefton_has_one, give_consent, open_as
):
    give_consent(family, recipient_kind=RecipientKind.NEW_SCHEME, recipient_name=sefton.name)
    new = _transfer(family, coordinator, sefton, open_as)
    assert new.reference == "SEF-0002" and new.area == AREA and new.postcode == POSTCODE
    assert Scheme.objects.get(pk=sefton.pk).next_family_number == 3
    assert Family.objects.get(pk=family.pk).area == AREA, "the sending scheme's file keeps its area"
    event = _created_event(new)
    assert event.user == coordinator and event.purpose == Purpose.CASEWORK and event.role == Role.COORDINATOR
    assert new.history.earliest().history_change_reason == "Opened from a transfer from Home-Start Wirral (§9.2, §9.3)"
    assert new.members.get(kind="adult").history.earliest().history_user == coordinator


@pytest.mark.policy("9.2", "8.6")
def test_an_imported_package_sets_the_area_and_the_receiving_sequence(
    family, coordinator, sefton, sefton_has_one, sef_coordinator, give_consent, open_as
):
    new = _import(family, coordinator, sefton, sef_coordinator, give_consent, open_as)
    assert new.reference == "SEF-0002" and new.area == AREA
    assert Family.objects.filter(scheme=sefton, area=AREA).count() == 1, "counted in the area statistics"
    event = _created_event(new)
    assert event.user == sef_coordinator and event.purpose == Purpose.CASEWORK
    assert "transfer package from Home-Start Wirral" in new.history.earliest().history_change_reason


def _lead_sees(lead, new: Family) -> list[Concern]:
    access = gate.open_family(user=lead, reference=new.reference, section="safeguarding")
    return list(sg_selectors.concerns_for(access=access))


@pytest.mark.policy("9.2")
def test_concerns_travel_with_a_consented_transfer_and_the_sender_keeps_its_own(
    family, concern, coordinator, safeguarding_lead, sefton, sef_lead, give_consent, open_as
):
    give_consent(family, recipient_kind=RecipientKind.NEW_SCHEME, recipient_name=sefton.name)
    new = _transfer(family, coordinator, sefton, open_as)
    [copy] = _lead_sees(sef_lead, new)
    assert copy.pk != concern.pk and copy.observed == OBSERVED and copy.category == Concern.Category.NEGLECT
    assert copy.raised_by == coordinator and copy.raised_at == concern.raised_at
    assert copy.carried_from == f"Home-Start Wirral ({family.reference})"
    assert [a.action for a in copy.actions.all()] == [ACTION_TEXT]
    # The sending scheme keeps its own concern and action; its lead still sees them.
    assert [c.pk for c in _lead_sees(safeguarding_lead, family)] == [concern.pk]
    assert ConcernAction.objects.filter(concern=concern).count() == 1
    # Nobody in Wirral sees the new file, and Sefton's lead does not see Wirral's.
    with pytest.raises(gate.FileHidden):
        gate.open_family(user=safeguarding_lead, reference=new.reference, section="safeguarding")
    with pytest.raises(gate.FileHidden):
        gate.open_family(user=sef_lead, reference=family.reference, section="safeguarding")


@pytest.mark.policy("9.3")
def test_concerns_travel_with_a_transfer_without_consent(
    family, concern, coordinator, manager, sefton, sef_lead, open_as
):
    sg_services.concern_close(
        access=open_as(manager, family, "safeguarding", change=True), concern=concern, actor=manager
    )
    waiting = transfers.transfer_to_scheme(
        access=open_as(coordinator, family, "consent", change=True),
        to_scheme=sefton,
        sections=["members", "contact", "referral"],
        summary="Moving to Bootle",
        actor=coordinator,
        justification="Past concerns about neglect",
        **_told(),
    )
    assert isinstance(waiting, Approval), "without consent the transfer waits for approval (§9.3)"
    assert not Family.objects.filter(scheme=sefton).exists()
    decide(waiting, manager)
    new = Transfer.objects.get(family=family).new_family
    [copy] = _lead_sees(sef_lead, new)
    assert copy.status == Concern.Status.CLOSED and copy.closed_at is not None, "had concerns: still carried"
    assert copy.actions.get().action == ACTION_TEXT


@pytest.mark.policy("9.2", "9.3")
def test_concerns_travel_in_the_package_under_the_importer_with_the_original_names(
    family, concern, coordinator, sefton, sef_coordinator, sef_lead, give_consent, open_as
):
    new = _import(family, coordinator, sefton, sef_coordinator, give_consent, open_as)
    [copy] = _lead_sees(sef_lead, new)
    assert copy.observed == OBSERVED and copy.raised_by == sef_coordinator
    assert copy.carried_from == (
        f"Home-Start Wirral ({family.reference}); recorded there by "
        f"{coordinator.get_full_name() or coordinator.username}"
    )
    action = copy.actions.get()
    assert action.action == ACTION_TEXT and action.taken_by == sef_coordinator
    assert Concern.objects.filter(family=family).count() == 1, "the sender keeps its own"


@pytest.mark.policy("9.2")
def test_a_family_without_concerns_carries_none(family, coordinator, sefton, give_consent, open_as):
    give_consent(family, recipient_kind=RecipientKind.NEW_SCHEME, recipient_name=sefton.name)
    new = _transfer(family, coordinator, sefton, open_as)
    assert not Concern.objects.filter(family=new).exists()


@pytest.mark.policy("9.2")
def test_a_transfer_sent_twice_opens_one_file_in_the_new_scheme(family, coordinator, sefton, client_for, give_consent):
    give_consent(family, recipient_kind=RecipientKind.NEW_SCHEME, recipient_name=sefton.name)
    send_twice(
        client_for(coordinator),
        reverse("consent:transfer_new", kwargs={"reference": family.reference}),
        {
            "destination": "same",
            "to_scheme": sefton.pk,
            "sections": ["members"],
            "summary": "Moving",
            "family_told": "told",
            "family_told_on": TODAY().isoformat(),
        },
    )
    assert Transfer.objects.count() == 1 and Family.objects.filter(scheme=sefton).count() == 1

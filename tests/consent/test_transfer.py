"""Transfer to another scheme (§9.2, §9.3): with consent, or without it only where there are or have been
safeguarding concerns; recorded as a disclosure; a linked new file here, or a sealed package for elsewhere."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from access_log import gate
from consent import transfers
from consent.models import Disclosure, RecipientKind, Transfer
from consent.services import SharingRefused
from families.models import Family
from safeguarding import services as sg_services
from tests.conftest import CARER_LAST, POSTCODE
from tests.sharing_fixtures import OBSERVED

TODAY = timezone.localdate


def _told():
    return {"family_told": "told", "family_told_on": TODAY()}


@pytest.mark.policy("9.2")
def test_transfer_with_consent_opens_a_linked_file_in_the_new_scheme(
    family, coordinator, sefton, sef_coordinator, give_consent, open_as
):
    give_consent(family, recipient_kind=RecipientKind.NEW_SCHEME, recipient_name=sefton.name)
    transfer = transfers.transfer_to_scheme(
        access=open_as(coordinator, family, "consent", change=True),
        to_scheme=sefton,
        sections=["members", "contact"],
        summary="Moving to Bootle; support with the twins",
        actor=coordinator,
        **_told(),
    )
    assert transfer.disclosure.basis == "consent" and transfer.disclosure.channel == Disclosure.Channel.TRANSFER
    new = transfer.new_family
    assert new.scheme == sefton and new.reference.startswith("SEF-") and new.transferred_from == transfer
    access = gate.open_family(user=sef_coordinator, reference=new.reference)
    assert access.family.postcode == POSTCODE
    assert access.family.members.filter(kind="adult").get().last_name == CARER_LAST
    assert not new.referrals.exists()  # the referral was not chosen
    with pytest.raises(gate.FileHidden):
        gate.open_family(user=sef_coordinator, reference=family.reference)


@pytest.mark.policy("9.2", "9.3")
def test_transfer_without_consent_or_concerns_is_refused_and_nothing_is_created(family, coordinator, sefton, open_as):
    with pytest.raises(SharingRefused, match="no safeguarding concerns"):
        transfers.transfer_to_scheme(
            access=open_as(coordinator, family, "consent", change=True),
            to_scheme=sefton,
            sections=["members"],
            summary="Moving",
            actor=coordinator,
            **_told(),
        )
    assert not Family.objects.filter(scheme=sefton).exists() and not Disclosure.objects.exists()


@pytest.mark.policy("9.3")
def test_transfer_without_consent_where_there_were_concerns_needs_approval(
    family, coordinator, manager, sefton, open_as
):
    sg_services.concern_raise(
        access=open_as(coordinator, family, "safeguarding", change=True),
        category="neglect",
        observed=OBSERVED,
        observed_on=TODAY(),
        actor=coordinator,
    )
    from tests.approval_helpers import decide

    access = open_as(coordinator, family, "consent", change=True)
    with pytest.raises(Exception, match="Justify"):
        transfers.transfer_to_scheme(
            access=access, to_scheme=sefton, sections=["members"], summary="Moving", actor=coordinator, **_told()
        )
    waiting = transfers.transfer_to_scheme(
        access=access,
        to_scheme=sefton,
        sections=["members", "referral"],
        summary="Moving",
        justification="Concerns about neglect",
        actor=coordinator,
        **_told(),
    )
    assert not Family.objects.filter(scheme=sefton).exists()
    decide(waiting, manager)
    transfer = Transfer.objects.get()
    assert transfer.disclosure.basis == "safeguarding" and transfer.disclosure.approved_by == manager
    assert transfer.new_family.referrals.get().family_consented


@pytest.mark.policy("9.2")
@pytest.mark.parametrize("who", ["volunteer", "safeguarding_lead"])
def test_only_staff_transfer(request, who, assigned_family, sefton):
    user = request.getfixturevalue(who)
    with pytest.raises((gate.AccessRefused, gate.FileHidden)):
        access = gate.open_family(user=user, reference=assigned_family.reference, section="consent", for_change=True)
        transfers.transfer_to_scheme(
            access=access, to_scheme=sefton, sections=["members"], summary="x", actor=user, **_told()
        )


@pytest.mark.policy("9.2")
def test_export_package_round_trip_to_another_installation(
    family, coordinator, sefton, sef_coordinator, give_consent, open_as, tmp_path
):
    give_consent(family, recipient_kind=RecipientKind.NEW_SCHEME, recipient_name="Home-Start Cheshire East")
    transfer, package = transfers.transfer_export(
        access=open_as(coordinator, family, "consent", change=True),
        to_scheme_name="Home-Start Cheshire East",
        passphrase="correct horse battery",
        sections=["members", "contact", "referral"],
        summary="Moving",
        actor=coordinator,
        **_told(),
    )
    assert transfer.destination == Transfer.Destination.EXPORT and transfer.new_family is None
    assert CARER_LAST.encode() not in package and POSTCODE.encode() not in package
    with pytest.raises(transfers.PackageError, match="passphrase is wrong"):
        transfers.transfer_import(package=package, passphrase="wrong passphrase!", scheme=sefton, actor=sef_coordinator)
    path = tmp_path / "family.hst"
    path.write_bytes(package)
    secret = tmp_path / "passphrase"
    secret.write_text("correct horse battery\n")
    out = StringIO()
    call_command(
        "import_transfer", str(path), scheme="SEF", username="coordinator2", passphrase_file=str(secret), stdout=out
    )
    new = Family.objects.get(scheme=sefton)
    assert new.reference in out.getvalue()
    access = gate.open_family(user=sef_coordinator, reference=new.reference)
    assert access.family.postcode == POSTCODE and access.family.referrals.get().reasons


@pytest.mark.policy("9.2")
def test_a_tampered_or_foreign_package_is_refused(sefton, sef_coordinator):
    with pytest.raises(transfers.PackageError, match="not a Home-Start transfer package"):
        transfers.transfer_import(package=b"{}", passphrase="x" * 12, scheme=sefton, actor=sef_coordinator)
    package = transfers.seal_package({"members": [{"kind": "adult"}]}, "correct horse battery")
    tampered = package.replace(b'"ciphertext": "', b'"ciphertext": "AAAA')
    with pytest.raises(transfers.PackageError):
        transfers.transfer_import(
            package=tampered, passphrase="correct horse battery", scheme=sefton, actor=sef_coordinator
        )
    assert not Family.objects.exists()


@pytest.mark.policy("9.2")
def test_only_the_receiving_schemes_staff_import(sefton, coordinator):
    package = transfers.seal_package({}, "correct horse battery")
    with pytest.raises(gate.AccessRefused):
        transfers.transfer_import(package=package, passphrase="correct horse battery", scheme=sefton, actor=coordinator)


@pytest.mark.policy("9.2")
def test_transfer_page_opens_the_new_file_and_rejects_bad_input(family, coordinator, sefton, client_for, give_consent):
    from django.urls import reverse

    url = reverse("consent:transfer_new", kwargs={"reference": family.reference})
    client = client_for(coordinator)
    assert client.get(url).status_code == 200
    bad = client.post(
        url,
        {
            "destination": "export",
            "sections": ["members"],
            "summary": "Moving",
            "family_told": "told",
            "family_told_on": TODAY().isoformat(),
            "passphrase": "short",
        },
    )
    assert bad.status_code == 200 and "at least 12 characters" in bad.content.decode()
    give_consent(family, recipient_kind=RecipientKind.NEW_SCHEME, recipient_name=sefton.name)
    response = client.post(
        url,
        {
            "destination": "same",
            "to_scheme": sefton.pk,
            "sections": ["members"],
            "summary": "Moving",
            "family_told": "told",
            "family_told_on": TODAY().isoformat(),
        },
    )
    assert response.status_code == 302
    assert Transfer.objects.get().new_family.scheme == sefton
    export = client.post(
        url,
        {
            "destination": "export",
            "to_scheme_name": sefton.name,
            "sections": ["contact"],
            "summary": "Moving",
            "family_told": "told",
            "family_told_on": TODAY().isoformat(),
            "passphrase": "correct horse battery",
        },
    )
    assert export.status_code == 200 and export["Content-Disposition"].startswith("attachment")
    assert transfers.open_package(export.content, "correct horse battery")["contact"]["postcode"] == POSTCODE

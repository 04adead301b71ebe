"""Every consent and safeguarding URL × role: who gets the page, who gets 403 or 404, and that each family
page is opened through the access gate (an access event names the section) (§2.1, §8.3, §8.5)."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from consent import services as consent_services
from homestart.concurrency import row_version
from safeguarding import services
from safeguarding.models import Concern
from tests.matrix import client_as, names_in, people, run, url_for
from tests.sharing_fixtures import OBSERVED

TODAY = timezone.localdate
# Roles that never see anything of a Wirral family's consent or safeguarding records.
NOBODY = ["trustee", "spotcheck", "reviewer", "auditor", "admin_user", "outsider", "sef_coordinator", "other_volunteer"]
# Pages and who may GET them (a role not listed gets 403 or 404).
ALLOWED = {
    "consent:overview": {"coordinator", "manager"},
    "consent:history": {"coordinator", "manager"},
    "consent:statement_new": {"coordinator", "manager"},
    "consent:information_sheet": {"coordinator", "manager"},
    "consent:family_copy": {"coordinator", "manager"},
    "consent:consent_new": {"coordinator", "manager"},
    "consent:withdraw": {"coordinator", "manager"},
    "consent:communication_new": {"coordinator"},
    "consent:transfer_new": {"coordinator", "manager"},
    "consent:transfer_package": {"coordinator", "manager"},
    "consent:disclosures": {"coordinator", "manager", "safeguarding_lead"},
    "consent:disclosure_history": {"coordinator", "manager", "safeguarding_lead"},
    "consent:disclosure_new": {"manager", "safeguarding_lead"},
    "safeguarding:family": {"coordinator", "manager", "safeguarding_lead", "volunteer"},
    "safeguarding:identifying_details": {"safeguarding_lead"},
    "safeguarding:concern_new": {"coordinator", "manager", "safeguarding_lead", "volunteer"},
    "safeguarding:concern": {"coordinator", "manager", "safeguarding_lead", "volunteer"},
    # The volunteer who raised the concern, without what was done about it (§8.5).
    "safeguarding:concern_history": {"coordinator", "manager", "safeguarding_lead", "volunteer"},
    "safeguarding:action_new": {"coordinator", "manager", "safeguarding_lead"},
    "safeguarding:concern_refer": {"coordinator", "manager", "safeguarding_lead"},
    "safeguarding:request_new": {"coordinator", "manager", "safeguarding_lead"},
    "safeguarding:request": {"coordinator", "manager", "safeguarding_lead"},
    "safeguarding:request_history": {"coordinator", "manager", "safeguarding_lead"},
    "safeguarding:request_order": {"manager", "safeguarding_lead"},
    "safeguarding:request_refuse": {"manager", "safeguarding_lead"},
    "safeguarding:request_disclose": {"manager", "safeguarding_lead"},
}
POST_ONLY = {"safeguarding:concern_close", "safeguarding:go_to_family"}
NOT_FAMILY_PAGES = {"safeguarding:overview", "safeguarding:trustee_notices", "consent:reviews_due"}
ROLES = ["coordinator", "manager", "safeguarding_lead", "volunteer", *NOBODY]
# The readers here hold no sample or session of the family (tests/matrix.py).
CAST = {"spotcheck": "spotcheck_no_sample", "reviewer": "reviewer_no_sample", "auditor": "auditor_no_session"}


def test_every_url_is_in_the_matrix():
    assert names_in("consent") | names_in("safeguarding") == set(ALLOWED) | POST_ONLY | NOT_FAMILY_PAGES


@pytest.mark.policy("2.1", "8.3", "8.5")
@pytest.mark.parametrize("who", ROLES)
def test_url_role_matrix(who, world):
    ((_, user),) = people(world, [who], CAST)
    client = client_as(user)
    for name, allowed in ALLOWED.items():
        response, events = run(client, "get", url_for(name, world["kwargs"]))
        status = response.status_code
        if who in allowed:
            assert status == 200, f"{who} GET {name}: {status}"
        else:
            assert status in (403, 404), f"{who} GET {name}: {status}"
            if who in NOBODY:
                assert status == 404, f"{who} GET {name} must not learn the file exists"
        assert events, f"{name} did not go through the gate"


@pytest.mark.policy("8.3")
@pytest.mark.parametrize("who", NOBODY)
def test_post_only_pages_refuse_outsiders(who, world):
    ((_, user),) = people(world, [who], CAST)
    client = client_as(user)
    url = url_for("safeguarding:concern_close", world["kwargs"])
    assert client.post(url).status_code == 404
    assert client.get(url).status_code == 405


@pytest.mark.policy("2.1")
def test_coordinator_cannot_close_a_concern_but_the_lead_can(world):
    url = url_for("safeguarding:concern_close", world["kwargs"])
    concern_id = world["kwargs"]["concern_id"]
    version = {"version": row_version(Concern.objects.get(pk=concern_id))}
    assert client_as(world["people"]["coordinator"]).post(url, version).status_code == 403
    assert client_as(world["people"]["safeguarding_lead"]).post(url, version).status_code == 302
    assert Concern.objects.get(pk=concern_id).status == Concern.Status.CLOSED


@pytest.mark.policy("2.1")
@pytest.mark.parametrize(
    "who,expected", [("safeguarding_lead", 200), ("coordinator", 200), ("volunteer", 403), ("trustee", 403)]
)
def test_safeguarding_overview_is_for_lead_and_staff(request, who, expected, client_for, family):
    assert client_for(request.getfixturevalue(who)).get(reverse("safeguarding:overview")).status_code == expected


@pytest.mark.policy("1.2")
@pytest.mark.parametrize(
    "who,expected", [("coordinator", 200), ("manager", 200), ("safeguarding_lead", 403), ("volunteer", 403)]
)
def test_consent_reviews_are_for_staff(request, who, expected, client_for, family):
    assert client_for(request.getfixturevalue(who)).get(reverse("consent:reviews_due")).status_code == expected


@pytest.mark.policy("2.1", "10.3")
def test_navigation_follows_roles(client_for, safeguarding_lead, trustee, coordinator, volunteer, family):
    def nav(user):
        return client_for(user).get(reverse("access_log:my_access")).content.decode()

    assert "Safeguarding" in nav(safeguarding_lead) and "Police and court requests" not in nav(safeguarding_lead)
    assert "Police and court requests" in nav(trustee) and ">Safeguarding<" not in nav(trustee)
    assert "Consent reviews" in nav(coordinator) and "Consent reviews" not in nav(volunteer)


@pytest.mark.policy("2.1")
def test_family_safeguarding_page_query_count_does_not_grow(
    assigned_family, coordinator, open_as, client_for, django_assert_max_num_queries
):
    access = open_as(coordinator, assigned_family, "safeguarding", change=True)
    for _ in range(4):
        concern = services.concern_raise(
            access=access, category="neglect", observed=OBSERVED, observed_on=TODAY(), actor=coordinator
        )
        services.concern_action_add(
            access=access, concern=concern, action="Called", taken_on=TODAY(), actor=coordinator
        )
    client = client_for(coordinator)
    url = reverse("safeguarding:family", kwargs={"reference": assigned_family.reference})
    client.get(url)
    with django_assert_max_num_queries(20):
        assert client.get(url).status_code == 200


@pytest.mark.policy("1.2", "1.5")
def test_consent_overview_and_register_query_counts_do_not_grow(
    assigned_family, coordinator, give_consent, open_as, client_for, django_assert_max_num_queries
):
    from consent.models import RecipientKind, Scope
    from consent.sharing import Recipient

    give_consent(assigned_family)
    for _ in range(4):
        consent_services.communication_send(
            access=open_as(coordinator, assigned_family, "consent", change=True),
            recipient=Recipient(RecipientKind.REFERRER, "Janet"),
            scope=Scope.GENERAL,
            summary="Update",
            shared_on=TODAY(),
            family_told="told",
            family_told_on=TODAY(),
            actor=coordinator,
        )
    client = client_for(coordinator)
    for name in ("consent:overview", "consent:disclosures"):
        url = reverse(name, kwargs={"reference": assigned_family.reference})
        client.get(url)
        with django_assert_max_num_queries(20):
            assert client.get(url).status_code == 200

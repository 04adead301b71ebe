"""Trustees see figures only: no path leads from a number to a family (§3.2)."""

from __future__ import annotations

import uuid

import pytest
from django.urls import URLPattern, get_resolver, reverse
from django.urls.converters import UUIDConverter

pytestmark = pytest.mark.policy("3.2", "8.3")


def family_urls(reference: str) -> list[str]:
    """Every URL pattern that takes a family reference, filled in for this family."""
    urls = []

    def walk(patterns, namespace=""):
        for p in patterns:
            if isinstance(p, URLPattern):
                if "reference" in p.pattern.converters:
                    kwargs = {"reference": reference}
                    for name, converter in p.pattern.converters.items():
                        if name != "reference":
                            kwargs[name] = uuid.uuid4() if isinstance(converter, UUIDConverter) else "family"
                    urls.append(reverse(f"{namespace}{p.name}", kwargs=kwargs))
            else:
                walk(p.url_patterns, f"{namespace}{p.namespace}:" if p.namespace else namespace)

    walk(get_resolver().url_patterns)
    return urls


def test_every_family_url_is_listed():
    urls = family_urls("WIR-0001")
    assert "/families/WIR-0001/" in urls
    assert "/families/WIR-0001/case-study/new/" in urls
    assert len(urls) >= 8


def test_a_trustee_gets_404_on_every_family_url(client_for, trustee, family):
    client = client_for(trustee)
    for url in family_urls(family.reference):
        assert client.get(url).status_code in (404, 405), url  # 405: a POST-only action, whoever asks
        assert client.post(url).status_code in (404, 405), url


def test_no_page_a_trustee_can_open_links_to_a_family(client_for, trustee, family):
    client = client_for(trustee)
    for name in (
        "reporting:statistics",
        "reporting:case_study_list",
        "reporting:minutes_list",
        "reporting:consultation_list",
    ):
        response = client.get(reverse(name))
        assert response.status_code in (200, 404)
        assert family.reference not in response.content.decode(), name
        assert "/families/" not in response.content.decode(), name

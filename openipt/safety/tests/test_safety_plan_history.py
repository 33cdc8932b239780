"""The history of a safety plan, and one version read-only with what changed since the one before."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

import pytest
from django.test import Client as HttpClient
from django.urls import reverse

from openipt.accounts.models import User
from openipt.clients.models import Client
from openipt.safety.plans import save_safety_plan

NOW = datetime(2026, 3, 3, 9, 30, tzinfo=UTC)
PLAN: dict[str, Any] = {
    "warning_signs": "Not sleeping; staying in my room.",
    "people_to_ask": "My sister Ada, 07700 900123.",
}


@pytest.fixture(autouse=True)
def frozen(time_machine):
    time_machine.move_to(NOW, tick=False)


@pytest.fixture
def three_versions(alice: User, client_a: Client) -> None:
    save_safety_plan(alice, client_a, base_version=None, **PLAN)
    save_safety_plan(
        alice, client_a, base_version=1, **{**PLAN, "environment_safety": "Ada keeps my tablets."}
    )
    save_safety_plan(
        alice,
        client_a,
        base_version=2,
        shared_with_client=True,
        **{**PLAN, "environment_safety": "Ada keeps my tablets.", "warning_signs": "Skipping meals."},
    )


def history_url(client: Client) -> str:
    return reverse("safety:plan-history", args=[client.pk])


def version_url(client: Client, version: int) -> str:
    return reverse("safety:plan-version", args=[client.pk, version])


def rows(html: str) -> list[str]:
    body = re.search(r"<tbody>(.*?)</tbody>", html, re.S)
    assert body
    return [
        re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", row)).strip()
        for row in re.findall(r"<tr>(.*?)</tr>", body.group(1), re.S)
    ]


@pytest.mark.usefixtures("three_versions")
def test_it_lists_every_version_newest_first_with_what_changed(
    client: HttpClient, bob: User, client_a: Client
) -> None:
    client.force_login(bob)  # supervisors read the history

    r = client.get(history_url(client_a))

    assert r.status_code == 200
    html = r.content.decode()
    assert "Maya Okafor" in html
    assert rows(html) == [
        "Version 3 Current Tue 3 Mar 2026, 09:30 Alice Yes 1. Warning signs, Shared with the client",
        "Version 2 Tue 3 Mar 2026, 09:30 Alice No 6. Making my surroundings safer",
        "Version 1 Tue 3 Mar 2026, 09:30 Alice No First version",
    ]
    for n in (1, 2, 3):
        assert version_url(client_a, n) in html


def test_query_count_does_not_grow_with_versions(
    client: HttpClient, alice: User, client_a: Client, django_assert_num_queries
) -> None:
    client.force_login(alice)
    save_safety_plan(alice, client_a, base_version=None, **PLAN)
    client.get(history_url(client_a))  # session and user caches warm
    with django_assert_num_queries(9) as few:
        client.get(history_url(client_a))

    for n in range(1, 12):
        save_safety_plan(alice, client_a, base_version=n, **{**PLAN, "warning_signs": f"Version {n + 1}."})
    with django_assert_num_queries(len(few.captured_queries)):
        r = client.get(history_url(client_a))

    assert len(rows(r.content.decode())) == 12


@pytest.mark.usefixtures("three_versions")
def test_a_version_shows_which_parts_changed_since_the_one_before(
    client: HttpClient, alice: User, client_a: Client
) -> None:
    client.force_login(alice)

    r = client.get(version_url(client_a, 2))

    assert r.status_code == 200
    html = r.content.decode()
    assert "<h1>Safety plan, version 2</h1>" in html
    assert "Version 2, saved by Alice on Tue 3 Mar 2026, 09:30." in html
    assert "This is an earlier version; the current one is version 3." in html
    assert "Changed since version 1: 6. Making my surroundings safer." in html
    changed = re.findall(r'<h2 id="plan-(\w+)-h">[^<]*<span class="badge badge-warn">Changed</span>', html)
    assert changed == ["environment_safety"]
    assert "Ada keeps my tablets." in html
    assert version_url(client_a, 1) in html
    assert version_url(client_a, 3) in html
    assert reverse("safety:plan-edit", args=[client_a.pk]) not in html  # read-only


@pytest.mark.usefixtures("three_versions")
def test_the_first_version_has_nothing_to_compare(client: HttpClient, alice: User, client_a: Client) -> None:
    client.force_login(alice)

    html = client.get(version_url(client_a, 1)).content.decode()

    assert "This is the first version." in html
    assert "badge-warn" not in html
    assert PLAN["warning_signs"] in html


@pytest.mark.usefixtures("three_versions")
def test_an_unknown_version_is_404(client: HttpClient, alice: User, client_a: Client) -> None:
    client.force_login(alice)

    assert client.get(version_url(client_a, 4)).status_code == 404
    assert client.get(version_url(client_a, 0)).status_code == 404


def test_an_empty_history_says_so(client: HttpClient, alice: User, client_a: Client) -> None:
    client.force_login(alice)

    html = client.get(history_url(client_a)).content.decode()

    assert "There is no safety plan for this client yet." in html

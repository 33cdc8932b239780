"""The current safety plan page, its empty state, and who may reach any plan page."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from django.test import Client as HttpClient
from django.urls import reverse

from openipt.accounts.models import Organisation, User
from openipt.audit.models import AuditEvent
from openipt.clients.models import Client
from openipt.measures.actions import record_response
from openipt.safety.models import CrisisResource, SafetyPlan
from openipt.safety.plans import save_safety_plan

NOW = datetime(2026, 3, 3, 9, 30, tzinfo=UTC)
PLAN: dict[str, Any] = {
    "warning_signs": "Not sleeping; staying in my room.",
    "people_to_ask": "My sister Ada, 07700 900123.",
}


@pytest.fixture(autouse=True)
def frozen(time_machine):
    time_machine.move_to(NOW, tick=False)


def plan_url(client: Client) -> str:
    return reverse("safety:plan", args=[client.pk])


def test_it_shows_the_latest_version_with_who_when_and_sharing(
    client: HttpClient, alice: User, client_a: Client
) -> None:
    save_safety_plan(alice, client_a, base_version=None, **PLAN)
    save_safety_plan(
        alice,
        client_a,
        base_version=1,
        shared_with_client=True,
        **{**PLAN, "warning_signs": "Skipping meals."},
    )
    client.force_login(alice)

    r = client.get(plan_url(client_a))

    assert r.status_code == 200
    html = r.content.decode()
    assert "Maya Okafor" in html  # the client banner
    assert "Version 2, saved by Alice on Tue 3 Mar 2026, 09:30." in html  # Europe/London in March
    assert "Shared with the client" in html
    assert "Skipping meals." in html
    assert "Not sleeping" not in html
    assert "My sister Ada, 07700 900123." in html
    for name in ("safety:plan-edit", "safety:plan-print", "safety:plan-history"):
        assert reverse(name, args=[client_a.pk]) in html


def test_it_offers_to_write_the_first_plan(client: HttpClient, alice: User, client_a: Client) -> None:
    client.force_login(alice)

    html = client.get(plan_url(client_a)).content.decode()

    assert "There is no safety plan for this client yet." in html
    assert "Write a safety plan" in html
    assert reverse("safety:plan-edit", args=[client_a.pk]) in html
    assert reverse("safety:plan-print", args=[client_a.pk]) not in html


def test_an_open_alert_is_shown_with_the_crisis_lines(
    client: HttpClient, alice: User, client_a: Client, north: Organisation
) -> None:
    CrisisResource.objects.create(organisation=north, locale="en-gb", name="Samaritans", phone="116 123")
    record_response(alice, client_a, instrument="phq9", answers=[1, 1, 1, 1, 1, 1, 1, 1, 2], channel="paper")
    client.force_login(alice)

    html = client.get(plan_url(client_a)).content.decode()

    alert = html[html.index("Open risk alert") :]
    assert '<a class="crisis-call" href="tel:116123">116 123</a>' in alert
    assert html.index("<h1>Safety plan</h1>") < html.index("Open risk alert")  # headings in order


def test_the_supervisor_reads_but_is_not_offered_editing(
    client: HttpClient, alice: User, bob: User, client_a: Client
) -> None:
    save_safety_plan(alice, client_a, base_version=None, **PLAN)
    client.force_login(bob)

    r = client.get(plan_url(client_a))

    assert r.status_code == 200
    assert PLAN["warning_signs"] in r.content.decode()
    assert reverse("safety:plan-edit", args=[client_a.pk]) not in r.content.decode()


def test_the_supervisor_gets_403_on_the_edit_form_and_saves_nothing(
    client: HttpClient, alice: User, bob: User, client_a: Client
) -> None:
    save_safety_plan(alice, client_a, base_version=None, **PLAN)
    client.force_login(bob)
    url = reverse("safety:plan-edit", args=[client_a.pk])

    assert client.get(url).status_code == 403
    assert client.post(url, {**PLAN, "warning_signs": "Bob's words.", "version": "1"}).status_code == 403

    assert SafetyPlan.objects.get().warning_signs == PLAN["warning_signs"]
    assert AuditEvent.objects.filter(action="safety_plan.save").count() == 1


def all_plan_urls(client: Client) -> list[str]:
    urls = [
        reverse(f"safety:{name}", args=[client.pk])
        for name in ("plan", "plan-edit", "plan-history", "plan-print")
    ]
    return [*urls, reverse("safety:plan-version", args=[client.pk, 1])]


@pytest.mark.parametrize("who", ["dave", "charlie"])
def test_other_teams_and_organisations_get_404_on_every_plan_page(
    client: HttpClient, everyone: dict[str, User], client_a: Client, who: str
) -> None:
    save_safety_plan(everyone["alice"], client_a, base_version=None, **PLAN)
    client.force_login(everyone[who])

    for url in all_plan_urls(client_a):
        for method in ("get", "post"):
            data = {**PLAN, "warning_signs": "Intruder.", "version": "1"} if method == "post" else None
            r = getattr(client, method)(url, data)
            assert r.status_code == 404, f"{method} {url}"
            body = r.content.decode()
            assert "Okafor" not in body and "Maya" not in body, f"{method} {url} leaked the client"
            assert PLAN["warning_signs"] not in body

    assert SafetyPlan.objects.count() == 1
    assert not AuditEvent.objects.filter(action="safety_plan.print").exists()


def test_the_administrator_reaches_no_plan_page(client: HttpClient, erin: User, client_a: Client) -> None:
    client.force_login(erin)

    for url in all_plan_urls(client_a):
        assert client.get(url).status_code == 403, url


def test_signed_out_visitors_are_sent_to_sign_in(client: HttpClient, client_a: Client) -> None:
    for url in all_plan_urls(client_a):
        r = client.get(url)
        assert r.status_code == 302
        assert r["Location"].startswith("/accounts/login/")

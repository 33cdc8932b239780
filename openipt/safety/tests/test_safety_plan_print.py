"""The printable safety plan: identity at the top, numbered steps, the client's crisis lines, audited."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

import pytest
from django.test import Client as HttpClient
from django.urls import reverse

from openipt.accounts.models import Organisation, User
from openipt.audit.models import AuditEvent
from openipt.clients.models import Client
from openipt.safety.models import CrisisResource
from openipt.safety.plans import save_safety_plan

NOW = datetime(2026, 3, 3, 9, 30, tzinfo=UTC)
PLAN: dict[str, Any] = {
    "warning_signs": "Not sleeping; staying in my room.",
    "people_to_ask": "My sister Ada, 07700 900123.",
}


@pytest.fixture(autouse=True)
def frozen(time_machine):
    time_machine.move_to(NOW, tick=False)


def print_url(client: Client) -> str:
    return reverse("safety:plan-print", args=[client.pk])


def sheet(html: str) -> str:
    match = re.search(r'<article class="card plan-sheet".*?</article>', html, re.S)
    assert match
    return match.group(0)


def test_it_lays_out_the_plan_for_paper_and_audits_the_print(
    client: HttpClient, alice: User, client_a: Client, north: Organisation
) -> None:
    CrisisResource.objects.create(
        organisation=north, locale="en-gb", name="Samaritans", phone="116 123", hours="24 hours"
    )
    CrisisResource.objects.create(
        organisation=north, locale="en-gb", name="Emergency services", phone="999", is_emergency=True
    )
    CrisisResource.objects.create(
        organisation=north, locale="en-us", name="988 Suicide & Crisis Lifeline", phone="988"
    )
    plan = save_safety_plan(alice, client_a, base_version=None, **PLAN)
    client.force_login(alice)

    r = client.get(print_url(client_a))

    assert r.status_code == 200
    page = sheet(r.content.decode())
    assert "<strong>Maya Okafor</strong>" in page
    assert "Date of birth: Tue 12 Apr 1988" in page
    headings = re.findall(r"<h2 [^>]*>(.*?)</h2>", page)
    assert headings[:6] == [
        "1. Warning signs",
        "2. Things I can do on my own to take my mind off things",
        "3. People and places that help me feel better",
        "4. People I can ask for help",
        "5. Professionals and crisis lines I can contact",
        "6. Making my surroundings safer",
    ]
    assert headings[6:] == ["Reasons for living", "If you are in danger now"]
    assert PLAN["people_to_ask"] in page
    assert page.count('class="plan-blank"') == 5  # empty steps get space to write by hand
    crisis = page[page.index("If you are in danger now") :]
    assert crisis.index("Emergency services") < crisis.index("Samaritans")
    assert '<a class="crisis-call" href="tel:116123">116 123</a>' in crisis
    assert "988" not in crisis  # another locale's line
    assert "Safety plan version 1, saved Tue 3 Mar 2026." in page
    assert "Printed Tue 3 Mar 2026." in page
    event = AuditEvent.objects.get(action="safety_plan.print")
    assert (event.actor, event.client_id, event.object_id) == (alice, client_a.pk, str(plan.pk))


def test_it_prints_the_emergency_fallback_when_no_line_is_configured(
    client: HttpClient, alice: User, bob: User, client_a: Client
) -> None:
    save_safety_plan(alice, client_a, base_version=None, **PLAN)
    client.force_login(bob)  # supervisors may print

    r = client.get(print_url(client_a))

    assert r.status_code == 200
    crisis = sheet(r.content.decode()).split("If you are in danger now")[1]
    assert "Your local emergency number" in crisis
    assert "If someone is in immediate danger, call the local emergency number." in crisis
    assert AuditEvent.objects.get(action="safety_plan.print").actor == bob


def test_it_sends_you_back_when_there_is_nothing_to_print(
    client: HttpClient, alice: User, client_a: Client
) -> None:
    client.force_login(alice)

    r = client.get(print_url(client_a))

    assert r.status_code == 302
    assert r["Location"] == reverse("safety:plan", args=[client_a.pk])
    assert not AuditEvent.objects.filter(action="safety_plan.print").exists()

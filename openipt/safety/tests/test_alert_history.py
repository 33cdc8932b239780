"""An acknowledged alert stays in the record: the client page lists it with who, when and what."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import time_machine
from django.db import connection
from django.test import Client as HttpClient
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from openipt.accounts.models import User
from openipt.clients.models import Client
from openipt.measures.actions import record_response
from openipt.safety.actions import acknowledge_alert
from openipt.safety.models import RiskAlert

RAISED = datetime(2026, 7, 1, 9, 0, tzinfo=UTC)  # 10:00 in London (BST)
ACTION = "Phoned the client; completed a risk assessment and updated the safety plan."


def raise_and_acknowledge(alice: User, client: Client, at: datetime, action: str = ACTION) -> RiskAlert:
    with time_machine.travel(at, tick=False):
        record_response(alice, client, instrument="phq9", answers=[0] * 8 + [2])
    alert = RiskAlert.objects.filter(client=client).order_by("-id").first()
    assert alert is not None
    with time_machine.travel(at + timedelta(hours=2), tick=False):
        return acknowledge_alert(alice, alert, action_taken=action)


def page(http: HttpClient, user: User, client: Client) -> Any:
    http.force_login(user)
    return http.get(reverse("clients:detail", args=[client.pk]))


def test_it_lists_an_acknowledged_alert_with_who_when_and_the_action(
    client: HttpClient, alice: User, client_a: Client
) -> None:
    raise_and_acknowledge(alice, client_a, RAISED)
    response = page(client, alice, client_a)
    body = response.content.decode()
    assert "Open risk alert" not in body  # no longer in the alert box…
    assert "Past risk alerts" in body  # …but still in the record
    assert "Thoughts of being better off dead or of self-harm — PHQ-9 on Wed 1 Jul 2026, 10:00." in body
    assert "Acknowledged by Alice on Wed 1 Jul 2026, 12:00." in body
    assert ACTION in body
    assert [a.pk for a in response.context["past_alerts"]] == [RiskAlert.objects.get().pk]


def test_a_supervisor_sees_the_history_too(
    client: HttpClient, alice: User, bob: User, client_a: Client
) -> None:
    raise_and_acknowledge(alice, client_a, RAISED)
    body = page(client, bob, client_a).content.decode()
    assert ACTION in body


def test_it_says_when_there_were_none(client: HttpClient, alice: User, client_a: Client) -> None:
    body = page(client, alice, client_a).content.decode()
    assert "No earlier alerts." in body


def test_an_open_alert_is_not_listed_as_past(client: HttpClient, alice: User, client_a: Client) -> None:
    with time_machine.travel(RAISED, tick=False):
        record_response(alice, client_a, instrument="phq9", answers=[0] * 8 + [1])
    response = page(client, alice, client_a)
    assert response.context["past_alerts"] == []
    assert "Open risk alert" in response.content.decode()


def test_the_history_costs_the_same_queries_however_many_alerts(
    client: HttpClient, alice: User, client_a: Client
) -> None:
    raise_and_acknowledge(alice, client_a, RAISED)
    client.force_login(alice)
    url = reverse("clients:detail", args=[client_a.pk])
    client.get(url)  # warm the per-process caches
    with CaptureQueriesContext(connection) as one:
        client.get(url)
    for days in (1, 2, 3):
        raise_and_acknowledge(alice, client_a, RAISED + timedelta(days=days), action=f"{ACTION} ({days})")
    with CaptureQueriesContext(connection) as four:
        response = client.get(url)
    assert len(response.context["past_alerts"]) == 4
    assert len(four) == len(one)

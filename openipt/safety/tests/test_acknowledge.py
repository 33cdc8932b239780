"""Acknowledging a risk alert with the action taken: the action and its page."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.test import Client as HttpClient
from django.urls import reverse

from openipt.accounts.models import Organisation, User
from openipt.audit.models import AuditEvent
from openipt.clients.models import Client
from openipt.measures.actions import record_response
from openipt.safety.actions import acknowledge_alert
from openipt.safety.models import AlertStatus, CrisisResource, RiskAlert

RAISED = datetime(2026, 7, 1, 9, 0, tzinfo=UTC)  # 10:00 in London (BST)
ACKED = RAISED + timedelta(hours=2)
ACTION = "Phoned the client; completed a risk assessment and updated the safety plan."


@pytest.fixture
def alert(alice: User, client_a: Client) -> RiskAlert:
    with time_machine.travel(RAISED, tick=False):
        record_response(alice, client_a, instrument="phq9", answers=[0] * 8 + [2])
    return RiskAlert.objects.get()


@pytest.fixture
def samaritans(north: Organisation) -> CrisisResource:
    return CrisisResource.objects.create(
        organisation=north, locale="en-gb", name="Samaritans", phone="116 123", hours="24 hours"
    )


def url(alert: RiskAlert) -> str:
    return reverse("safety:acknowledge", args=[alert.pk])


def acknowledgements() -> int:
    return AuditEvent.objects.filter(action="alert.acknowledge").count()


# --- the action ---------------------------------------------------------------------------------


def test_it_closes_the_alert_with_who_when_and_what(alice: User, alert: RiskAlert) -> None:
    with time_machine.travel(ACKED, tick=False):
        result = acknowledge_alert(alice, alert, action_taken=f"  {ACTION}\n")

    alert.refresh_from_db()
    assert result.pk == alert.pk
    assert alert.status == AlertStatus.ACKNOWLEDGED
    assert not alert.is_open
    assert (alert.acknowledged_by, alert.acknowledged_at, alert.action_taken) == (alice, ACKED, ACTION)
    event = AuditEvent.objects.get(action="alert.acknowledge")
    assert (event.actor, event.object_id, event.client_id, event.at) == (
        alice,
        str(alert.pk),
        alert.client_id,
        ACKED,
    )


@pytest.mark.parametrize("text", ["", "    ", "ok", "done", " rang "])
def test_it_refuses_a_missing_or_too_short_action(alice: User, alert: RiskAlert, text: str) -> None:
    with pytest.raises(ValidationError) as excinfo:
        acknowledge_alert(alice, alert, action_taken=text)
    assert excinfo.value.message_dict == {
        "action_taken": ["Describe the action you took (at least a few words)."]
    }
    alert.refresh_from_db()
    assert (alert.status, alert.acknowledged_by, alert.action_taken) == (AlertStatus.OPEN, None, "")
    assert acknowledgements() == 0


def test_it_refuses_to_acknowledge_twice(alice: User, bob: User, alert: RiskAlert) -> None:
    acknowledge_alert(alice, alert, action_taken=ACTION)
    stale = RiskAlert.objects.get(pk=alert.pk)
    stale.status = AlertStatus.OPEN  # a second screen opened before the first acknowledged it

    with pytest.raises(ValidationError, match="already acknowledged"):
        acknowledge_alert(bob, stale, action_taken="Called the crisis team about the client.")

    alert.refresh_from_db()
    assert (alert.acknowledged_by, alert.action_taken) == (alice, ACTION)
    assert acknowledgements() == 1


# --- the page -----------------------------------------------------------------------------------


@pytest.mark.usefixtures("samaritans")
def test_the_page_shows_the_alert_the_form_and_the_crisis_lines(
    client: HttpClient, alice: User, alert: RiskAlert, django_assert_num_queries
) -> None:
    client.force_login(alice)
    client.get(reverse("courses:caseload"))
    with django_assert_num_queries(10):  # 7, the care-team check, and 2 for the audit row of the read
        r = client.get(url(alert))
    assert r.status_code == 200
    html = r.content.decode()
    assert "Thoughts of being better off dead or of self-harm" in html
    assert "Severity: High" in html
    assert "Wed 1 Jul 2026, 10:00" in html  # in the organisation's time zone
    assert "Samaritans" in html and 'href="tel:116123"' in html and "(24 hours)" in html
    assert 'name="action_taken"' in html
    assert "Maya Okafor" in html


def test_posting_the_action_closes_the_alert(
    client: HttpClient, alice: User, client_a: Client, alert: RiskAlert
) -> None:
    client.force_login(alice)
    with time_machine.travel(ACKED, tick=False):
        r = client.post(url(alert), {"action_taken": ACTION})

    assert r.status_code == 302
    assert r["Location"] == reverse("clients:detail", args=[client_a.pk])
    alert.refresh_from_db()
    assert (alert.status, alert.acknowledged_by, alert.acknowledged_at) == (
        AlertStatus.ACKNOWLEDGED,
        alice,
        ACKED,
    )
    assert alert.action_taken == ACTION
    event = AuditEvent.objects.get(action="alert.acknowledge")
    assert (event.actor, event.ip_address) == (alice, "127.0.0.1")

    page = client.get(r["Location"]).content.decode()
    assert "Alert acknowledged." in page
    assert "Open risk alert" not in page
    assert "None open" in page


def test_the_page_of_an_acknowledged_alert_shows_who_acted(
    client: HttpClient, alice: User, alert: RiskAlert
) -> None:
    with time_machine.travel(ACKED, tick=False):
        acknowledge_alert(alice, alert, action_taken=ACTION)
    client.force_login(alice)
    html = client.get(url(alert)).content.decode()
    assert "Acknowledged by Alice on Wed 1 Jul 2026, 12:00." in html
    assert ACTION in html
    assert 'name="action_taken"' not in html


def test_a_too_short_action_is_refused_and_nothing_changes(
    client: HttpClient, alice: User, alert: RiskAlert
) -> None:
    client.force_login(alice)
    r = client.post(url(alert), {"action_taken": "ok"})
    assert r.status_code == 400
    assert "Describe the action you took (at least a few words)." in r.content.decode()
    alert.refresh_from_db()
    assert alert.status == AlertStatus.OPEN
    assert acknowledgements() == 0


def test_an_empty_action_is_refused(client: HttpClient, alice: User, alert: RiskAlert) -> None:
    client.force_login(alice)
    r = client.post(url(alert), {"action_taken": ""})
    assert r.status_code == 400
    assert "This field is required." in r.content.decode()
    alert.refresh_from_db()
    assert alert.status == AlertStatus.OPEN


def test_acknowledging_twice_is_refused_with_a_message(
    client: HttpClient, alice: User, bob: User, alert: RiskAlert
) -> None:
    acknowledge_alert(alice, alert, action_taken=ACTION)
    client.force_login(bob)
    r = client.post(url(alert), {"action_taken": "Rang the client back this afternoon."})
    assert r.status_code == 400
    assert "This alert was already acknowledged." in r.content.decode()
    alert.refresh_from_db()
    assert (alert.acknowledged_by, alert.action_taken) == (alice, ACTION)
    assert acknowledgements() == 1


def test_a_supervisor_can_acknowledge(client: HttpClient, bob: User, alert: RiskAlert) -> None:
    client.force_login(bob)
    assert client.get(url(alert)).status_code == 200
    r = client.post(url(alert), {"action_taken": ACTION})
    assert r.status_code == 302
    alert.refresh_from_db()
    assert (alert.status, alert.acknowledged_by) == (AlertStatus.ACKNOWLEDGED, bob)
    assert AuditEvent.objects.get(action="alert.acknowledge").actor == bob


@pytest.mark.parametrize("outsider", ["dave", "charlie"])
def test_outsiders_get_404(
    client: HttpClient, everyone: dict[str, User], alert: RiskAlert, outsider: str
) -> None:
    client.force_login(everyone[outsider])
    for r in (client.get(url(alert)), client.post(url(alert), {"action_taken": ACTION})):
        assert r.status_code == 404
        assert "Okafor" not in r.content.decode()
    alert.refresh_from_db()
    assert alert.status == AlertStatus.OPEN
    assert acknowledgements() == 0


def test_an_administrator_cannot_acknowledge(client: HttpClient, erin: User, alert: RiskAlert) -> None:
    client.force_login(erin)
    assert client.post(url(alert), {"action_taken": ACTION}).status_code == 403
    alert.refresh_from_db()
    assert alert.status == AlertStatus.OPEN


def test_an_unknown_alert_is_404(client: HttpClient, alice: User, alert: RiskAlert) -> None:
    client.force_login(alice)
    assert client.get(reverse("safety:acknowledge", args=[alert.pk + 1000])).status_code == 404


def test_anonymous_users_are_sent_to_sign_in(client: HttpClient, alert: RiskAlert) -> None:
    r = client.post(url(alert), {"action_taken": ACTION})
    assert r.status_code == 302
    assert r["Location"].startswith(reverse("account_login"))
    alert.refresh_from_db()
    assert alert.status == AlertStatus.OPEN

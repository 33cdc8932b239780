"""`openipt rescan_risk`: answers stored before a risk rule was corrected get their alert, once."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from openipt.accounts.models import User
from openipt.audit.models import AuditEvent
from openipt.clients.models import Client
from openipt.measures import actions
from openipt.measures.actions import raise_missed_alerts, record_response
from openipt.safety.models import AlertStatus, RiskAlert, Severity

pytestmark = pytest.mark.django_db

# HAM-D with item 3 ("suicide") at 1, "feels life is not worth living": every other item at 0.
HAMD_ITEM3_AT_1 = {f"hamd17-{n}": (1 if n == 3 else 0) for n in range(1, 18)}


@pytest.fixture
def stored_before_the_fix(alice: User, client_a: Client, monkeypatch: pytest.MonkeyPatch):
    """A HAM-D stored while the rule raised no alert for item 3 at 1 (alerting switched off)."""
    with monkeypatch.context() as patch:
        patch.setattr(actions, "raise_alerts", lambda *args, **kwargs: [])
        response = record_response(alice, client_a, instrument="hamd17", answers=HAMD_ITEM3_AT_1)
    assert not RiskAlert.objects.exists()
    return response


def test_it_raises_the_missed_alert_once_now_and_audited(stored_before_the_fix, capsys) -> None:
    now = timezone.now() + timedelta(days=30)

    raised = raise_missed_alerts(now=now)

    alert = RiskAlert.objects.get()
    assert raised == [f"response {stored_before_the_fix.pk} (HAM-D 17): suicide_item"]
    assert (alert.response, alert.status, alert.severity) == (
        stored_before_the_fix,
        AlertStatus.OPEN,
        Severity.MODERATE,
    )
    assert alert.raised_at == now  # raised when found, so it escalates from now like any other
    assert AuditEvent.objects.filter(action="alert.raise").count() == 1
    assert raise_missed_alerts(now=now) == []  # a second run raises nothing more
    assert RiskAlert.objects.count() == 1


def test_the_command_says_what_it_raised(stored_before_the_fix, capsys) -> None:
    call_command("rescan_risk")
    out = capsys.readouterr().out
    assert "1 alert(s) raised" in out and f"response {stored_before_the_fix.pk}" in out
    assert "hamd17-3" not in out  # no answers in the output

    call_command("rescan_risk")
    assert "0 alert(s) raised" in capsys.readouterr().out


def test_an_alerted_response_is_left_alone(alice: User, client_a: Client) -> None:
    record_response(alice, client_a, instrument="hamd17", answers=HAMD_ITEM3_AT_1)
    assert RiskAlert.objects.count() == 1

    assert raise_missed_alerts(now=timezone.now()) == []
    assert RiskAlert.objects.count() == 1

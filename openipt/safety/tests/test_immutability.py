"""An acknowledged risk alert and a safety-plan version never change, on any path (issue 5 item 7).

An alert sees exactly two changes in its life: while open it may be escalated, and it is
acknowledged once. After that every path is refused — the model's `save()` and `delete()`,
QuerySet `update()`, `delete()` and `bulk_update()`, and raw SQL, which the database's triggers
refuse — and the row stays as it was. What an alert was raised for never changes, open or not, and
no alert is ever deleted. Safety-plan versions are final from the start.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import time_machine
from django.db import IntegrityError, connection, transaction

from openipt.accounts.models import User
from openipt.clients.models import Client
from openipt.lib.db import guards
from openipt.lib.db.guards import ImmutableRecordError
from openipt.measures.actions import record_response
from openipt.safety.actions import acknowledge_alert
from openipt.safety.escalation import escalate_due_alerts
from openipt.safety.models import AlertStatus, RiskAlert, SafetyPlan
from openipt.safety.plans import save_safety_plan

RAISED = datetime(2026, 7, 1, 9, 0, tzinfo=UTC)
ACTION = "Phoned the client; completed a risk assessment and updated the safety plan."


@pytest.fixture
def alert(alice: User, client_a: Client) -> RiskAlert:
    with time_machine.travel(RAISED, tick=False):
        record_response(alice, client_a, instrument="phq9", answers=[0] * 8 + [2])
    return RiskAlert.objects.get()


@pytest.fixture
def acknowledged(alice: User, alert: RiskAlert) -> RiskAlert:
    with time_machine.travel(RAISED + timedelta(hours=2), tick=False):
        return acknowledge_alert(alice, alert, action_taken=ACTION)


def execute(sql: str, params: list[Any]) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def stored(model: type[RiskAlert] | type[SafetyPlan], pk: int) -> dict[str, Any]:
    return dict(model.objects.filter(pk=pk).values().get())


def edited(alert: RiskAlert, **changes: Any) -> RiskAlert:
    for name, value in {"action_taken": "Did nothing.", **changes}.items():
        setattr(alert, name, value)
    return alert


ACKNOWLEDGED_PATHS: dict[str, tuple[type[Exception], Callable[[RiskAlert], Any]]] = {
    "save": (ImmutableRecordError, lambda a: edited(a).save()),
    "save reopening": (ImmutableRecordError, lambda a: edited(a, status=AlertStatus.OPEN).save()),
    "QuerySet.update": (
        ImmutableRecordError,
        lambda a: RiskAlert.objects.filter(pk=a.pk).update(action_taken="Did nothing."),
    ),
    "QuerySet.update reopening": (
        ImmutableRecordError,
        lambda a: RiskAlert.objects.filter(pk=a.pk).update(status=AlertStatus.OPEN),
    ),
    "bulk_update": (
        ImmutableRecordError,
        lambda a: RiskAlert.objects.bulk_update([edited(a)], ["action_taken"]),
    ),
    "SQL UPDATE": (
        IntegrityError,
        lambda a: execute(
            "UPDATE safety_riskalert SET action_taken = %s WHERE id = %s", ["Did nothing.", a.pk]
        ),
    ),
    "SQL UPDATE reopening": (
        IntegrityError,
        lambda a: execute("UPDATE safety_riskalert SET status = 'open' WHERE id = %s", [a.pk]),
    ),
}


@pytest.mark.parametrize("how", ACKNOWLEDGED_PATHS)
def test_an_acknowledged_alert_refuses_every_change(acknowledged: RiskAlert, how: str) -> None:
    error, change = ACKNOWLEDGED_PATHS[how]
    before = stored(RiskAlert, acknowledged.pk)

    with pytest.raises(error, match="An acknowledged risk alert cannot be changed"), transaction.atomic():
        change(RiskAlert.objects.get(pk=acknowledged.pk))

    assert stored(RiskAlert, acknowledged.pk) == before


DELETIONS: dict[str, tuple[type[Exception], Callable[[RiskAlert], Any]]] = {
    "instance delete": (ImmutableRecordError, lambda a: a.delete()),
    "QuerySet.delete": (ImmutableRecordError, lambda a: RiskAlert.objects.filter(pk=a.pk).delete()),
    "related manager delete": (ImmutableRecordError, lambda a: a.client.alerts.all().delete()),
    "SQL DELETE": (IntegrityError, lambda a: execute("DELETE FROM safety_riskalert WHERE id = %s", [a.pk])),
}


@pytest.mark.parametrize("status", ["open", "acknowledged"])
@pytest.mark.parametrize("how", DELETIONS)
def test_no_alert_is_ever_deleted(alert: RiskAlert, alice: User, status: str, how: str) -> None:
    if status == "acknowledged":
        acknowledge_alert(alice, alert, action_taken=ACTION)
    error, delete = DELETIONS[how]
    before = stored(RiskAlert, alert.pk)

    with pytest.raises(error, match="alerts are never deleted"), transaction.atomic():
        delete(RiskAlert.objects.get(pk=alert.pk))

    assert stored(RiskAlert, alert.pk) == before


RAISED_FOR: dict[str, tuple[type[Exception], Callable[[RiskAlert], Any]]] = {
    "save": (ImmutableRecordError, lambda a: edited(a, severity="low").save()),
    "QuerySet.update": (
        ImmutableRecordError,
        lambda a: RiskAlert.objects.filter(pk=a.pk).update(severity="low"),
    ),
    "QuerySet.update by id": (
        ImmutableRecordError,
        lambda a: RiskAlert.objects.filter(pk=a.pk).update(response_id=a.response_id),
    ),
    "SQL UPDATE": (
        IntegrityError,
        lambda a: execute("UPDATE safety_riskalert SET severity = 'low' WHERE id = %s", [a.pk]),
    ),
    "SQL UPDATE of the time": (
        IntegrityError,
        lambda a: execute(
            "UPDATE safety_riskalert SET raised_at = %s WHERE id = %s", [RAISED + timedelta(days=1), a.pk]
        ),
    ),
}


@pytest.mark.parametrize("how", RAISED_FOR)
def test_what_an_open_alert_was_raised_for_never_changes(alert: RiskAlert, how: str) -> None:
    error, change = RAISED_FOR[how]
    before = stored(RiskAlert, alert.pk)

    with pytest.raises(error, match="What a risk alert was raised for"), transaction.atomic():
        change(RiskAlert.objects.get(pk=alert.pk))

    assert stored(RiskAlert, alert.pk) == before


def test_an_open_alert_is_still_escalated_and_acknowledged(alice: User, bob: User, alert: RiskAlert) -> None:
    bob.email = "bob@example.org"
    bob.save()
    [escalation] = escalate_due_alerts(RAISED + timedelta(hours=2))
    assert escalation.alert_id == alert.pk

    with time_machine.travel(RAISED + timedelta(hours=3), tick=False):
        acknowledge_alert(alice, alert, action_taken=ACTION)

    alert.refresh_from_db()
    assert (alert.status, alert.escalated_at, alert.action_taken) == (
        AlertStatus.ACKNOWLEDGED,
        RAISED + timedelta(hours=2),
        ACTION,
    )


def test_the_database_allows_the_same_transitions(alice: User, alert: RiskAlert) -> None:
    execute("UPDATE safety_riskalert SET escalated_at = %s WHERE id = %s", [RAISED, alert.pk])
    execute(
        "UPDATE safety_riskalert SET status = 'acknowledged', acknowledged_at = %s, acknowledged_by_id = %s,"
        " action_taken = %s WHERE id = %s",
        [RAISED, alice.pk, ACTION, alert.pk],
    )

    assert RiskAlert.objects.get(pk=alert.pk).status == AlertStatus.ACKNOWLEDGED


@pytest.fixture
def plan(alice: User, client_a: Client) -> SafetyPlan:
    return save_safety_plan(alice, client_a, base_version=None, warning_signs="Not sleeping.")


PLAN_PATHS: dict[str, tuple[type[Exception], Callable[[SafetyPlan], Any]]] = {
    "save": (ImmutableRecordError, lambda p: p.save()),
    "QuerySet.update": (
        ImmutableRecordError,
        lambda p: SafetyPlan.objects.filter(pk=p.pk).update(warning_signs=""),
    ),
    "QuerySet.delete": (ImmutableRecordError, lambda p: SafetyPlan.objects.filter(pk=p.pk).delete()),
    "instance delete": (ImmutableRecordError, lambda p: p.delete()),
    "SQL UPDATE": (
        IntegrityError,
        lambda p: execute("UPDATE safety_safetyplan SET warning_signs = '' WHERE id = %s", [p.pk]),
    ),
    "SQL DELETE": (IntegrityError, lambda p: execute("DELETE FROM safety_safetyplan WHERE id = %s", [p.pk])),
}


@pytest.mark.parametrize("how", PLAN_PATHS)
def test_a_safety_plan_version_refuses_every_path(plan: SafetyPlan, how: str) -> None:
    error, change = PLAN_PATHS[how]
    before = stored(SafetyPlan, plan.pk)

    with pytest.raises(error, match="A safety plan version cannot be changed"), transaction.atomic():
        change(SafetyPlan.objects.get(pk=plan.pk))

    assert stored(SafetyPlan, plan.pk) == before


def test_the_triggers_exist_on_this_database(db: None) -> None:
    names = {t.name for t in guards.TRIGGERS if t.table.startswith("safety_") and "historical" not in t.table}
    assert len(names) == 5
    assert names <= guards.installed_triggers(connection)

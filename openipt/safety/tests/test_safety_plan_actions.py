"""`save_safety_plan`: every save is a new version, checked, audited; versions never change."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from openipt.accounts.models import User
from openipt.audit.models import AuditEvent
from openipt.clients.models import Client
from openipt.safety.models import SafetyPlan
from openipt.safety.plans import MAX_LENGTH, changes, history, save_safety_plan

NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
PLAN: dict[str, Any] = {
    "warning_signs": "Not sleeping; staying in my room.",
    "internal_coping": "Walk the dog round the park.",
    "people_to_ask": "My sister Ada, 07700 900123.",
}


@pytest.fixture(autouse=True)
def frozen(time_machine):
    time_machine.move_to(NOW, tick=False)


def messages_of(exc: pytest.ExceptionInfo[ValidationError]) -> dict[str, list[str]]:
    return exc.value.message_dict if hasattr(exc.value, "error_dict") else {"__all__": exc.value.messages}


def test_it_saves_the_first_version(alice: User, client_a: Client) -> None:
    plan = save_safety_plan(alice, client_a, base_version=None, **PLAN)

    plan.refresh_from_db()
    assert (plan.client, plan.version, plan.created_by, plan.created_at) == (client_a, 1, alice, NOW)
    assert plan.warning_signs == PLAN["warning_signs"]
    assert plan.social_distraction == ""
    assert plan.shared_with_client is False
    event = AuditEvent.objects.get(action="safety_plan.save")
    assert (event.actor, event.client_id, event.object_type, event.object_id) == (
        alice,
        client_a.pk,
        "safety.safetyplan",
        str(plan.pk),
    )


def test_it_numbers_each_save_as_the_next_version_and_keeps_the_earlier_ones(
    alice: User, client_a: Client
) -> None:
    save_safety_plan(alice, client_a, base_version=None, **PLAN)
    save_safety_plan(alice, client_a, base_version=1, **{**PLAN, "warning_signs": "Skipping meals."})
    third = save_safety_plan(
        alice,
        client_a,
        base_version=2,
        shared_with_client=True,
        **{**PLAN, "warning_signs": "Skipping meals."},
    )

    assert third.version == 3
    rows = list(
        SafetyPlan.objects.filter(client=client_a).values_list(
            "version", "warning_signs", "shared_with_client"
        )
    )
    assert rows == [
        (3, "Skipping meals.", True),
        (2, "Skipping meals.", False),
        (1, PLAN["warning_signs"], False),
    ]
    assert AuditEvent.objects.filter(action="safety_plan.save").count() == 3


def test_it_refuses_a_stale_version_and_saves_nothing(alice: User, client_a: Client) -> None:
    save_safety_plan(alice, client_a, base_version=None, **PLAN)
    save_safety_plan(alice, client_a, base_version=1, **{**PLAN, "warning_signs": "Saved in another tab."})

    with pytest.raises(ValidationError) as exc:
        save_safety_plan(alice, client_a, base_version=1, **{**PLAN, "warning_signs": "My words."})

    assert messages_of(exc) == {
        "__all__": ["Someone saved version 2 of this plan after you opened it, so nothing was saved."]
    }
    assert SafetyPlan.objects.filter(client=client_a).count() == 2
    assert AuditEvent.objects.filter(action="safety_plan.save").count() == 2


def test_a_second_first_plan_is_refused(alice: User, client_a: Client) -> None:
    # Two clinicians opened the empty form; the first to save wins, the second is told.
    save_safety_plan(alice, client_a, base_version=None, **PLAN)

    with pytest.raises(ValidationError, match="Someone saved version 1 of this plan"):
        save_safety_plan(alice, client_a, base_version=None, warning_signs="Other words.")

    assert SafetyPlan.objects.get(client=client_a).warning_signs == PLAN["warning_signs"]


def test_it_refuses_text_identical_to_the_latest_version(alice: User, client_a: Client) -> None:
    save_safety_plan(alice, client_a, base_version=None, **PLAN)

    # The same words from a browser (CRLF line endings, trailing space) are still the same words.
    with pytest.raises(ValidationError) as exc:
        save_safety_plan(
            alice,
            client_a,
            base_version=1,
            **{**PLAN, "internal_coping": " Walk the dog round the park.\r\n"},
        )

    assert messages_of(exc) == {"__all__": ["Nothing changed since version 1."]}
    assert SafetyPlan.objects.filter(client=client_a).count() == 1


def test_sharing_alone_is_a_change(alice: User, client_a: Client) -> None:
    first = save_safety_plan(alice, client_a, base_version=None, **PLAN)

    shared = save_safety_plan(alice, client_a, base_version=1, shared_with_client=True, **PLAN)

    assert (shared.version, shared.shared_with_client) == (2, True)
    assert changes(shared, first) == ["Shared with the client"]


def test_it_refuses_a_plan_with_none_of_the_six_steps(alice: User, client_a: Client) -> None:
    with pytest.raises(ValidationError) as exc:
        save_safety_plan(
            alice, client_a, base_version=None, warning_signs="  \r\n ", reasons_for_living="My son."
        )

    assert messages_of(exc) == {"__all__": ["Fill in at least one of the six steps before saving the plan."]}
    assert not SafetyPlan.objects.exists()
    assert not AuditEvent.objects.filter(action="safety_plan.save").exists()


def test_it_refuses_a_field_over_5000_characters_naming_it(alice: User, client_a: Client) -> None:
    with pytest.raises(ValidationError) as exc:
        save_safety_plan(
            alice, client_a, base_version=None, **{**PLAN, "professionals": "x" * (MAX_LENGTH + 1)}
        )

    assert messages_of(exc) == {
        "professionals": [
            "“5. Professionals and crisis lines I can contact” can be at most 5,000 characters "
            "(you have 5,001). Shorten it, then save again."
        ]
    }
    assert not SafetyPlan.objects.exists()


def test_exactly_5000_characters_is_accepted(alice: User, client_a: Client) -> None:
    plan = save_safety_plan(alice, client_a, base_version=None, warning_signs="x" * MAX_LENGTH)

    assert len(plan.warning_signs) == MAX_LENGTH


@pytest.mark.parametrize("who", ["bob", "dave", "charlie"])
def test_only_clinicians_of_the_care_team_write(
    everyone: dict[str, User], client_a: Client, who: str
) -> None:
    with pytest.raises(PermissionDenied):
        save_safety_plan(everyone[who], client_a, base_version=None, **PLAN)

    assert not SafetyPlan.objects.exists()


def test_unknown_fields_are_a_programming_error(alice: User, client_a: Client) -> None:
    with pytest.raises(TypeError, match="risk_level"):
        save_safety_plan(alice, client_a, base_version=None, risk_level="high", **PLAN)


def test_a_stored_version_refuses_to_be_changed(alice: User, client_a: Client) -> None:
    plan = save_safety_plan(alice, client_a, base_version=None, **PLAN)
    plan.warning_signs = "Rewritten history."

    with pytest.raises(ValueError, match=r"A safety plan version cannot be changed; save a new version\."):
        plan.save()

    assert SafetyPlan.objects.get().warning_signs == PLAN["warning_signs"]


def test_history_names_what_changed_in_each_version(alice: User, client_a: Client) -> None:
    save_safety_plan(alice, client_a, base_version=None, **PLAN)
    save_safety_plan(
        alice, client_a, base_version=1, **{**PLAN, "environment_safety": "Ada keeps my tablets."}
    )
    save_safety_plan(
        alice,
        client_a,
        base_version=2,
        environment_safety="Ada keeps my tablets.",
        warning_signs="Skipping meals.",
    )

    rows = history(client_a)

    assert [(r.plan.version, r.changes) for r in rows] == [
        (
            3,
            [
                "1. Warning signs",
                "2. Things I can do on my own to take my mind off things",
                "4. People I can ask for help",
            ],
        ),
        (2, ["6. Making my surroundings safer"]),
        (1, []),
    ]

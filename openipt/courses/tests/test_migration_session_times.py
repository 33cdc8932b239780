"""Migration courses 0007: sessions saved before it keep their date, start at 09:00 (on the clock of
the organisation's time zone) and last as long as their protocol's sessions; nothing is lost."""

from __future__ import annotations

import dataclasses
from datetime import date, time
from typing import Any

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from openipt import protocols
from openipt.accounts.models import User
from openipt.clients.models import Client
from openipt.courses.actions import start_course
from openipt.lib.db.guards import missing_triggers

BEFORE = ("courses", "0006_add_course_chosen_sessions")
AFTER = ("courses", "0007_add_session_time_length_video_link")


def migrate(target: tuple[str, str]) -> None:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate([target])


@pytest.mark.django_db(transaction=True)
def test_existing_sessions_get_nine_oclock_and_the_protocols_length(
    alice: User, client_a: Client, monkeypatch: Any
) -> None:
    course = start_course(alice, client_a, protocol_key="ipt-standard", start_date=date(2026, 3, 2))
    rows = list(course.sessions.order_by("number").values_list("pk", "scheduled_date", "attendance"))
    migrate(BEFORE)
    standard = protocols.get_protocol("ipt-standard")
    shorter = {**protocols.get_protocols(), "ipt-standard": dataclasses.replace(standard, session_minutes=45)}
    monkeypatch.setattr(protocols, "get_protocols", lambda: shorter)

    migrate(AFTER)

    after = list(
        course.sessions.order_by("number").values_list(
            "pk", "scheduled_date", "attendance", "start_time", "duration_minutes", "video_url"
        )
    )
    assert [row[:3] for row in after] == rows
    assert {row[3:] for row in after} == {(time(9, 0), 45, "")}
    assert missing_triggers(connection) == []  # the rebuilt history table keeps its guards

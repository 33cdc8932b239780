"""Core pages cost the same number of queries whatever the size of the programme (issue 7, item 3).

A scaled programme (`openipt.demo.scale`) is built at two sizes, ten times apart; each core page is
requested as the people who use it and its queries counted. The counts are pinned, and the same
pins hold at both sizes: a page whose count grew with the data would be doing a query per row.
The client and session pages are measured on the signed-in clinician's client with the most
sessions held, so the larger programme also means more records on those pages.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.test import Client as HttpClient
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from openipt.accounts.models import User
from openipt.courses.models import Attendance, CourseStatus, Session
from openipt.demo.scale import build_scale

NOW = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
PHQ9 = [1, 2, 1, 2, 1, 0, 1, 1, 0]  # total 9, no risk

# Queries per page, the same at every size. A list page audits one read row per client shown in
# one INSERT (openipt.audit.actions.record_reads), however many clients it shows.
EXPECTED = {
    "caseload": 10,
    "team caseload": 10,
    "client list": 6,
    "client page": 26,  # 25 + the acknowledged alerts (the record of past alerts)
    "session page": 22,
    "week": 6,
    "supervision": 15,
    "save a PHQ-9": 15,
}


@pytest.fixture(autouse=True)
def frozen(settings: Any, tmp_path: Path, time_machine: Any) -> None:
    settings.VAR_DIR = tmp_path
    time_machine.move_to(NOW, tick=False)


def count(http: HttpClient, method: str, url: str, data: dict[str, str] | None = None) -> int:
    with CaptureQueriesContext(connection) as queries:
        r = http.post(url, data) if method == "post" else http.get(url)
    assert r.status_code in {200, 302}, (url, r.status_code)
    return len(queries)


def measure(n: int) -> dict[str, int]:
    build_scale(n, today=NOW.date())
    alice, bob = User.objects.get(username="alice"), User.objects.get(username="bob")
    busiest = max(
        Session.objects.filter(course__clinician=alice, course__status=CourseStatus.ACTIVE),
        key=lambda s: (s.attendance == Attendance.ATTENDED, s.number, -s.pk),
    )
    course = busiest.course
    upcoming = course.sessions.filter(attendance=Attendance.SCHEDULED).order_by("number").first()
    assert upcoming is not None
    http = HttpClient()
    http.force_login(alice)
    http.get("/")  # warm the per-process caches (protocols, instruments, templates)
    counts = {
        "caseload": count(http, "get", "/"),
        "team caseload": count(http, "get", "/?view=team"),
        "client list": count(http, "get", reverse("clients:list")),
        "client page": count(http, "get", reverse("clients:detail", args=[course.client_id])),
        "session page": count(http, "get", reverse("courses:session", args=[busiest.pk])),
        "week": count(http, "get", reverse("courses:week")),
    }
    data = {"phq9-response_uuid": str(uuid.uuid4()), "phq9-source": "client"}
    data |= {f"phq9-phq9-{i}": str(v) for i, v in enumerate(PHQ9, start=1)}
    counts["save a PHQ-9"] = count(
        http, "post", reverse("measures:record-in-session", args=[upcoming.pk, "phq9"]), data
    )
    supervisor = HttpClient()
    supervisor.force_login(bob)
    supervisor.get("/")
    counts["supervision"] = count(supervisor, "get", reverse("reports:supervision"))
    return counts


@pytest.mark.django_db
@pytest.mark.parametrize("n", [100, 1000])
def test_core_pages_use_the_same_number_of_queries_at_every_size(n: int) -> None:
    assert measure(n) == EXPECTED

"""`openipt demo --scale N`: a synthetic programme bulk-inserted for benchmarks."""

from __future__ import annotations

import io
from collections import Counter
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction
from django.db.models import Count, Q

from openipt.accounts.models import Organisation, Role, User
from openipt.audit.models import AuditEvent
from openipt.audit.verify import verify_chain
from openipt.clients.models import Client
from openipt.courses.models import Attendance, Course, CourseStatus, Session
from openipt.demo.scale import ScaleBuilder, build_scale
from openipt.measures import scoring
from openipt.measures.models import Response, Score
from openipt.notes.models import Note, NoteStatus
from openipt.safety.models import AlertStatus, RiskAlert
from tests.test_alert_input_paths import missing_alerts

TODAY = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
PASSWORD = "a demo password for tests"


@pytest.fixture(autouse=True)
def setup(settings: Any, tmp_path: Path, time_machine: Any) -> None:
    settings.VAR_DIR = tmp_path  # never the repository's var/
    settings.OPENIPT_DEMO_PASSWORD = PASSWORD
    time_machine.move_to(TODAY, tick=False)


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("demo", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


class Rollback(Exception):
    """Undoes a build, so the next one starts from an empty database."""


def fingerprint() -> list[tuple[Any, ...]]:
    """What a build produced, without database ids (those depend on the sequence)."""
    return [
        *Client.objects.order_by("clinic_identifier").values_list(
            "clinic_identifier", "given_name", "family_name", "date_of_birth", "clinician__username"
        ),
        *Score.objects.order_by("client__clinic_identifier", "completed_at", "instrument").values_list(
            "client__clinic_identifier", "instrument", "total", "completed_at"
        ),
        *RiskAlert.objects.order_by("client__clinic_identifier").values_list(
            "client__clinic_identifier", "flag", "severity", "status"
        ),
    ]


@pytest.mark.django_db
def test_it_builds_the_programme_and_reports_rows_per_second() -> None:
    out = run("--scale", "300")
    assert "Scaled programme loaded" in out
    assert "1 organisations, 1 teams, 8 clinicians, 300 clients" in out
    assert "rows/s" in out
    assert Client.objects.count() == 300
    for username, role in [("alice", Role.CLINICIAN), ("dave", Role.CLINICIAN), ("bob", Role.SUPERVISOR),
                           ("erin", Role.ADMIN)]:  # fmt: skip
        user = User.objects.get(username=username)
        assert user.role == role
        assert user.check_password(PASSWORD)
        assert f"{username} " in out
    # the generated staff cannot sign in
    assert (
        not User.objects.exclude(username__in=["alice", "dave", "bob", "erin"])
        .filter(password__startswith="pbkdf2")
        .exists()
    )
    # one audit row records the generation, and the chain still verifies
    assert list(AuditEvent.objects.values_list("action", flat=True)) == ["demo.scale"]
    assert verify_chain().problem is None


@pytest.mark.django_db
def test_the_programme_has_the_right_shape_scores_and_alerts() -> None:
    build_scale(600, today=TODAY.date())
    # every client has a course; caseloads of 20–40 active clients per clinician
    assert not Client.objects.filter(courses__isnull=True).exists()
    assert Course.objects.count() == 600
    active = Counter(
        Course.objects.filter(status=CourseStatus.ACTIVE).values_list("clinician__username", flat=True)
    )
    assert len(active) == User.objects.filter(role=Role.CLINICIAN).count() == 17
    assert all(20 <= n <= 40 for n in active.values()), active
    assert Course.objects.exclude(status=CourseStatus.ACTIVE).exists()
    # every protocol and phase is represented
    assert set(Course.objects.values_list("protocol_key", flat=True)) == {
        "ipt-standard", "ipt-brief", "ipt-adolescent", "ipt-maintenance",
    }  # fmt: skip
    assert {"initial", "middle", "termination"} <= set(Course.objects.values_list("current_phase", flat=True))
    # teams of about 8 clinicians, each with a supervisor, all staff in one organisation
    teams = User.objects.filter(role=Role.CLINICIAN).values("teams").annotate(n=Count("id"))
    assert sorted(t["n"] for t in teams) == [8, 9]
    assert User.objects.filter(role=Role.SUPERVISOR).count() == 2
    # held sessions are in the past, the next ones in the future
    today = TODAY.date()
    assert not Session.objects.filter(attendance=Attendance.SCHEDULED, scheduled_date__lt=today).exists()
    assert (
        not Session.objects.exclude(attendance=Attendance.SCHEDULED)
        .filter(scheduled_date__gte=today)
        .exists()
    )
    # a note per attended session; only an active course's latest may be a draft
    assert Note.objects.count() == Session.objects.filter(attendance=Attendance.ATTENDED).count()
    drafts = Note.objects.filter(status=NoteStatus.DRAFT)
    assert drafts.count() <= Course.objects.filter(status=CourseStatus.ACTIVE).count()
    assert not drafts.exclude(session__course__status=CourseStatus.ACTIVE).exists()
    assert Client.objects.annotate(n=Count("people")).filter(Q(n__lt=2) | Q(n__gt=5)).count() == 0
    # (same build: the scores and alerts)
    assert Response.objects.count() == Score.objects.count() > 3000
    for response in Response.objects.select_related("score"):
        result = scoring.score(response.instrument, response.answers)
        stored = response.score
        assert (stored.total, stored.band, stored.risk) == (result.total, result.band, list(result.risk))
        assert (stored.client_id, stored.course_id) == (response.client_id, response.course_id)
    assert missing_alerts() == []
    alerts = RiskAlert.objects.all()
    assert alerts.exists()
    assert alerts.filter(status=AlertStatus.OPEN).exists()
    assert not alerts.filter(status=AlertStatus.ACKNOWLEDGED, action_taken="").exists()
    # roughly 3 % of clients have a positive item 9
    assert 3 <= alerts.values("client").distinct().count() <= 40
    # trajectories: most courses with two or more PHQ-9 scores improve
    change: Counter[str] = Counter()
    for course in Course.objects.all():
        totals = list(
            course.scores.filter(instrument="phq9").order_by("completed_at").values_list("total", flat=True)
        )
        if len(totals) >= 6:
            change["better" if totals[-1] <= totals[0] - 3 else "not"] += 1
    assert change["better"] > change["not"]


@pytest.mark.django_db
def test_the_same_seed_builds_the_same_programme() -> None:
    prints = []
    for _ in range(2):
        with pytest.raises(Rollback), transaction.atomic():
            build_scale(60, today=TODAY.date())
            prints.append(fingerprint())
            raise Rollback
    assert prints[0] == prints[1]
    with pytest.raises(Rollback), transaction.atomic():
        ScaleBuilder(60, today=TODAY.date(), seed=1).build()
        assert fingerprint() != prints[0]
        raise Rollback


@pytest.mark.django_db
def test_a_small_programme_has_one_clinician() -> None:
    build_scale(5, today=date(2026, 11, 24))
    assert Client.objects.count() == 5
    assert User.objects.filter(role=Role.CLINICIAN).get().username == "alice"


@pytest.mark.django_db
def test_it_refuses_a_database_that_holds_data() -> None:
    Organisation.objects.create(name="Existing", slug="existing")
    with pytest.raises(CommandError, match="already holds organisations; the scaled programme loads only"):
        run("--scale", "10")
    assert not Client.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("value", ["0", "-5", "abc", "1.5", "ten", ""])
def test_it_refuses_a_count_that_is_not_a_whole_number_of_1_or_more(value: str) -> None:
    with pytest.raises(CommandError, match="--scale takes the number of clients to generate"):
        run("--scale", value)
    assert not Organisation.objects.exists()


@pytest.mark.django_db
def test_thousands_separators_are_accepted() -> None:
    assert "12 clients" in run("--scale", "1_2")

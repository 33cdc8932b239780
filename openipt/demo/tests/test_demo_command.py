"""`openipt demo`: the fictional demo clinic, built through the same actions clinicians use."""

from __future__ import annotations

import io
import stat
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction
from django.test import Client as DjangoClient
from django.utils import timezone

from openipt.accounts.models import Organisation, Role, User
from openipt.audit.models import AuditEvent
from openipt.clients.access import visible_clients
from openipt.clients.models import Client
from openipt.courses.models import Course, CourseStatus, Session
from openipt.measures.models import Score
from openipt.notes.models import Note, NoteStatus
from openipt.safety.actions import crisis_resources_for
from openipt.safety.models import AlertStatus, RiskAlert, SafetyPlan, Severity

TODAY = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
PASSWORD = "a demo password for tests"


@pytest.fixture(autouse=True)
def setup(settings, tmp_path: Path, time_machine) -> None:
    settings.VAR_DIR = tmp_path  # never the repository's var/
    settings.OPENIPT_DEMO_PASSWORD = PASSWORD
    time_machine.move_to(TODAY, tick=False)


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("demo", *args, stdout=out)
    return out.getvalue()


class Rollback(Exception):
    """Undoes a demo build, so the next one starts from an empty database."""


def logins_of_a_fresh_build(tmp_path: Path, *args: str) -> list[list[str]]:
    with pytest.raises(Rollback), transaction.atomic():
        assert "Demo clinic loaded" in run(*args)
        logins = [line.split("\t") for line in (tmp_path / "demo-logins.txt").read_text().splitlines()]
        raise Rollback
    assert not Organisation.objects.exists()
    return logins


@pytest.mark.django_db
def test_client_demo_has_something_to_do_on_the_portal(tmp_path: Path) -> None:
    """The portal login reaches Priya's own record with questionnaires due (one half answered),
    open homework, a shared contract and a week of diary entries."""
    from openipt.access.rules import portal_client
    from openipt.diary.models import DiaryEntry
    from openipt.portal.questionnaires import due_questionnaires

    run()
    user = User.objects.get(username="client-demo")
    priya = portal_client(user)
    assert priya is not None and priya.clinic_identifier == "NS-1003"
    due = due_questionnaires(priya, timezone.localdate())
    assert due and any(d.in_progress for d in due)
    course = priya.courses.get(status=CourseStatus.ACTIVE)
    assert course.contract.shared_with_client
    assert course.homework.filter(reviewed_in__isnull=True).exists()
    entries = DiaryEntry.objects.filter(client=priya)
    assert entries.filter(kind="mood").count() >= 5 and entries.filter(kind="communication").exists()
    http = DjangoClient()
    http.force_login(user)
    for url in ("/portal/", "/portal/questionnaires/", "/portal/diary/", "/portal/progress/"):
        assert http.get(url).status_code == 200, url


@pytest.mark.django_db
def test_it_builds_the_demo_clinic(tmp_path: Path) -> None:
    output = run()

    north = Organisation.objects.get(slug="northside")
    river = Organisation.objects.get(slug="riverside")
    assert (north.name, north.time_zone) == ("Northside Community Psychology", "Europe/London")
    assert (river.name, river.time_zone) == ("Riverside Wellbeing Service", "America/New_York")
    staff = {u.username: u for u in User.objects.all()}
    assert {name: (u.organisation, u.role) for name, u in staff.items()} == {
        "alice": (north, Role.CLINICIAN),
        "dave": (north, Role.CLINICIAN),
        "bob": (north, Role.SUPERVISOR),
        "erin": (north, Role.ADMIN),
        "charlie": (river, Role.CLINICIAN),
        "client-demo": (north, Role.CLIENT),
    }
    assert not staff["erin"].teams.exists()
    assert all(u.check_password(PASSWORD) for u in staff.values())

    assert Client.objects.filter(organisation=north).count() == 12
    assert Client.objects.filter(organisation=river).count() == 3
    assert visible_clients(staff["bob"]).count() == 12
    assert visible_clients(staff["charlie"]).count() == 3
    assert not visible_clients(staff["erin"]).exists()
    assert not visible_clients(staff["charlie"]).filter(organisation=north).exists()

    courses = Course.objects.filter(status=CourseStatus.ACTIVE)
    assert courses.count() == 15
    # Helen's maintenance course follows a completed acute course, kept as history.
    assert Course.objects.filter(status=CourseStatus.COMPLETED).count() == 1
    assert {c.protocol_key for c in courses} >= {
        "ipt-standard",
        "ipt-brief",
        "ipt-adolescent",
        "ipt-maintenance",
    }
    phases = Counter(c.current_phase for c in courses)
    assert set(phases) >= {"initial", "middle", "termination"}
    # Appointments have times (more than the default 09:00), lengths and, for some, a video link.
    live = Session.objects.filter(course__status=CourseStatus.ACTIVE)
    assert len(set(live.values_list("start_time", flat=True))) > 2
    assert set(live.values_list("duration_minutes", flat=True)) == {50}
    video = live.filter(modality="video", attendance="scheduled").exclude(video_url="")
    assert video.exists() and all(s.video_url.startswith("https://") for s in video)
    assert all(d.weekday() < 5 for d in live.values_list("scheduled_date", flat=True))  # Monday–Friday

    open_alerts = RiskAlert.objects.filter(status=AlertStatus.OPEN)
    assert open_alerts.filter(client__organisation=north).count() >= 1
    assert open_alerts.filter(client__organisation=north, severity=Severity.HIGH).exists()
    for alert in open_alerts:
        assert alert.response.score.risk == ["suicidal_ideation"]

    assert Score.objects.filter(instrument="phq9").count() > 50
    assert Score.objects.filter(instrument="gad7").exists()
    assert SafetyPlan.objects.filter(client__alerts__status=AlertStatus.OPEN).exists()
    assert Note.objects.filter(status=NoteStatus.SIGNED).exists()
    assert Note.objects.filter(status=NoteStatus.DRAFT).exists()
    # Everything went through the actions, so the audit trail is what real use leaves.
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert actions >= {"client.create", "course.start", "response.record", "alert.raise", "note.sign"}

    for org in (north, river):
        for locale in ("en-gb", "en-ie", "en-us"):
            lines = crisis_resources_for(org.pk, locale)
            assert lines[0].is_emergency and len(lines) == 2
    assert [line.phone for line in crisis_resources_for(river.pk, "en-us")] == ["911", "988"]

    assert "all people in it are fictional" in output
    assert f"alice    {PASSWORD}" in output
    logins = tmp_path / "demo-logins.txt"
    assert str(logins) in output
    assert stat.S_IMODE(logins.stat().st_mode) == 0o600
    rows = [line.split("\t") for line in logins.read_text().splitlines()]
    assert [row[0] for row in rows] == ["alice", "dave", "bob", "erin", "charlie", "client-demo"]
    assert {row[1] for row in rows} == {PASSWORD}


@pytest.mark.django_db
def test_without_a_configured_password_each_login_gets_a_generated_one(settings, tmp_path: Path) -> None:
    settings.OPENIPT_DEMO_PASSWORD = ""

    first = logins_of_a_fresh_build(tmp_path, "--first-run")  # an empty database: loaded
    second = logins_of_a_fresh_build(tmp_path)

    first_passwords = [row[1] for row in first]
    second_passwords = [row[1] for row in second]
    assert len(set(first_passwords)) == 6  # one per person (five staff and client-demo)
    assert all(len(p) >= 16 for p in first_passwords)
    assert not set(first_passwords) & set(second_passwords)  # never a fixed default


@pytest.mark.django_db
def test_first_run_leaves_a_database_with_data_alone(north: Organisation, tmp_path: Path) -> None:
    output = run("--first-run")
    assert output == "The database already holds data; the demo clinic was not loaded again.\n"
    assert list(Organisation.objects.all()) == [north]
    assert not Client.objects.exists()
    assert not (tmp_path / "demo-logins.txt").exists()


@pytest.mark.django_db
def test_first_run_points_to_the_earlier_logins(north: Organisation, tmp_path: Path) -> None:
    (tmp_path / "demo-logins.txt").write_text("alice\tsecret\tclinician\tNorthside\n")
    output = run("--first-run")
    assert f"Demo logins were written to {tmp_path / 'demo-logins.txt'}." in output
    assert "secret" not in output


@pytest.mark.django_db
def test_it_refuses_a_database_with_data(north: Organisation, tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="already holds organisations"):
        run()
    assert list(Organisation.objects.all()) == [north]
    assert not User.objects.exists()
    assert not (tmp_path / "demo-logins.txt").exists()


@pytest.mark.django_db
def test_a_demo_built_years_later_keeps_its_clients_ages(time_machine) -> None:
    """Dates of birth follow the day the demo is built: built in 2030, the adolescents are still
    12-17 and every course suits its protocol's ages on its first day."""
    later = datetime(2030, 6, 15, 9, 0, tzinfo=UTC)
    time_machine.move_to(later, tick=False)
    run()
    today = timezone.localdate()
    assert today.year == 2030
    teens = Client.objects.filter(courses__protocol_key="ipt-adolescent").distinct()
    assert sorted(c.given_name for c in teens) == ["Leila", "Oisín"]
    assert all(12 <= c.age_on(today) <= 17 for c in teens)
    courses = Course.objects.select_related("client")
    assert courses.count() > 10
    for course in courses:
        assert course.protocol.suits_age(course.client.age_on(course.start_date)), course.client.given_name

"""The clinician sees the client's diary beside the session's agenda, read-only."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import connection
from django.test.utils import CaptureQueriesContext

from openipt.accounts.models import Team, User
from openipt.clients.models import Client
from openipt.courses.actions import record_attendance, start_course
from openipt.courses.models import Course, Session
from openipt.diary.models import DiaryEntry
from openipt.diary.summary import session_window
from openipt.inventory.models import Person

from .conftest import other_client, person, signed_in


def diary(client: Client, course: Course, on: date, **fields: Any) -> DiaryEntry:
    people = fields.pop("people", [])
    entry = DiaryEntry.objects.create(
        client=client, course=course, entry_date=on, **{"kind": "mood", "mood": 5, **fields}
    )
    entry.people.set(people)
    return entry


def page(user: User, session: Session) -> str:
    response = signed_in(user).get(f"/sessions/{session.pk}/")
    assert response.status_code == 200
    return response.content.decode()


def held(alice: User, course: Course, number: int) -> Session:
    session = course.sessions.get(number=number)
    record_attendance(alice, session, attendance="attended", modality="in_person")
    return session


def test_the_window_runs_from_the_previous_session_or_the_week_before() -> None:
    assert session_window(date(2026, 3, 9), date(2026, 3, 2)) == (date(2026, 3, 2), date(2026, 3, 9))
    assert session_window(date(2026, 3, 2), None) == (date(2026, 2, 23), date(2026, 3, 2))
    assert session_window(date(2026, 9, 1), date(2026, 3, 2)) == (date(2026, 7, 22), date(2026, 9, 1))


def test_the_session_page_shows_the_entries_since_the_previous_session(
    alice: User, bob: User, client_a: Client, course_a: Course, sister: Person, north_team: Team
) -> None:
    held(alice, course_a, 1)  # Monday 2 March
    session = course_a.sessions.get(number=2)  # Monday 9 March
    diary(client_a, course_a, date(2026, 2, 28), mood=1, events="Before the last session")
    diary(client_a, course_a, date(2026, 3, 3), mood=4, events="Row at work", people=[sister])
    diary(client_a, course_a, date(2026, 3, 3), mood=6, someone_else="my boss")
    diary(
        client_a,
        course_a,
        date(2026, 3, 5),
        kind="communication",
        mood=None,
        what_happened="Argued about Sunday lunch",
        what_i_said="You never help",
        what_they_said="You never ask",
        what_i_felt="Angry",
        what_i_wanted="Some help",
        what_else="Could you take Mum on Sunday?",
        people=[sister],
    )
    diary(client_a, course_a, date(2026, 3, 10), mood=9, events="After this session")
    tomas = other_client(alice, north_team)
    theirs = start_course(alice, tomas, protocol_key="ipt-standard", start_date=date(2026, 3, 2))
    diary(tomas, theirs, date(2026, 3, 4), mood=2, events="Tomas's own day")

    body = page(alice, session)

    assert "From the client's diary" in body and "Mon 2 Mar to Mon 9 Mar" in body
    assert "Row at work" in body and "Ada" in body and "my boss" in body
    row = body.split('class="diary-moods"')[1].split("</ol>")[0]
    assert row.count("<li>") == 8  # Monday 2 to Monday 9 March
    assert "Tue 3</span> <strong>4 · 6</strong>" in row  # two ratings on one day
    assert row.count("not rated") == 7
    for words in ["Argued about Sunday lunch", "You never help", "You never ask", "Could you take Mum"]:
        assert words in body  # the communication analysis in full
    assert "Before the last session" not in body and "After this session" not in body
    assert "Tomas" not in body
    assert "/portal/diary/" not in body  # staff read the diary, never change it
    assert "Row at work" in page(bob, session)


def test_before_the_first_session_the_week_before_is_shown(
    alice: User, client_a: Client, course_a: Course
) -> None:
    diary(client_a, course_a, date(2026, 2, 22), events="Eight days before")
    diary(client_a, course_a, date(2026, 2, 23), events="A week before")

    body = page(alice, course_a.sessions.get(number=1))

    assert "A week before" in body and "Eight days before" not in body


def test_without_entries_the_panel_says_so(alice: User, course_a: Course) -> None:
    body = page(alice, course_a.sessions.get(number=1))

    assert "The client has no diary entries in this period." in body


def test_another_team_does_not_see_the_diary(
    alice: User, dave: User, client_a: Client, course_a: Course
) -> None:
    diary(client_a, course_a, date(2026, 3, 1), events="Private to the team")

    response = signed_in(dave).get(f"/sessions/{course_a.sessions.get(number=1).pk}/")

    assert response.status_code == 404 and "Private to the team" not in response.content.decode()


def test_the_panel_costs_one_query_however_many_entries(
    alice: User, client_a: Client, course_a: Course, sister: Person
) -> None:
    session = course_a.sessions.get(number=1)
    http = signed_in(alice)
    diary(client_a, course_a, date(2026, 2, 24), events="One")

    with CaptureQueriesContext(connection) as one:
        http.get(f"/sessions/{session.pk}/")

    brother = person(client_a, "Ben")
    for day in range(24, 29):
        diary(client_a, course_a, date(2026, 2, day), events="More", people=[sister, brother])
        diary(client_a, course_a, date(2026, 2, day), kind="communication", what_happened="Talk")
    with CaptureQueriesContext(connection) as many:
        response = http.get(f"/sessions/{session.pk}/")

    assert len(response.context["diary"].entries) == 11
    assert len(many.captured_queries) == len(one.captured_queries)
    assert sum("diary_diaryentry" in q["sql"] for q in many.captured_queries) == 1

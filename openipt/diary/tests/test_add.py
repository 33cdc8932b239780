"""Adding to the diary in the portal: a quick mood entry and a guided conversation entry."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

import pytest
from django.test import Client as HttpClient

from openipt.accounts.models import Team, User
from openipt.audit.models import AuditEvent
from openipt.clients.models import Client
from openipt.courses.actions import end_course, start_course
from openipt.courses.models import Course
from openipt.diary.models import DiaryEntry
from openipt.inventory.models import Person
from openipt.portal.tests.conftest import joined

from .conftest import other_client, person, signed_in

DIARY = "/portal/diary/"
TALK = "/portal/diary/conversation/"


def mood(**fields: Any) -> dict[str, Any]:
    return {"mood": "6", "events": "", "someone_else": "", "key": str(uuid.uuid4()), **fields}


def talk(**fields: Any) -> dict[str, Any]:
    steps = {
        "what_happened": "Ada and I argued about Sunday lunch.",
        "what_i_said": "I said she never helps.",
        "what_they_said": "She said I never ask.",
        "what_i_felt": "Angry, then sad.",
        "what_i_wanted": "Some help with Mum.",
        "what_else": "I could ask her for one thing.",
    }
    return {**steps, "mood": "", "someone_else": "", "key": str(uuid.uuid4()), **fields}


def test_the_diary_page_asks_for_todays_mood_on_a_labelled_scale(http: HttpClient, sister: Person) -> None:
    body = http.get(DIARY).content.decode()

    assert "<legend>How is your mood today?</legend>" in body
    assert body.count('type="radio" name="mood"') == 11
    assert "0 — the lowest" in body and "10 — the best" in body
    assert "<legend>Who was part of your day?</legend>" in body and "Ada" in body
    assert "Private clinician note" not in body  # only the person's name reaches the portal
    assert 'href="/portal/crisis/"' in body
    assert "<script" not in body and "style=" not in body


def test_a_client_adds_a_mood_entry_with_people_and_events(
    http: HttpClient, client_a: Client, course_a: Course, sister: Person
) -> None:
    response = http.post(
        DIARY, mood(mood="4", people=[str(sister.pk)], someone_else="my boss", events="Row at work.")
    )

    assert response.status_code == 302 and response["Location"] == DIARY
    entry = DiaryEntry.objects.get()
    assert (entry.client, entry.course, entry.kind, entry.mood) == (client_a, course_a, "mood", 4)
    assert entry.entry_date == date(2026, 3, 10)
    assert list(entry.people.all()) == [sister]
    assert (entry.someone_else, entry.events) == ("my boss", "Row at work.")
    event = AuditEvent.objects.get(action="portal.diary.add")
    assert (event.client_id, event.object_id) == (client_a.pk, str(entry.pk))
    assert "Row" not in str(event.__dict__) and "boss" not in str(event.__dict__)
    page = http.get(DIARY).content.decode()
    assert "mood 4 out of 10" in page and "Ada, my boss" in page and "Row at work." in page


def test_the_date_is_the_organisations_local_date(maya: User, time_machine: Any) -> None:
    time_machine.move_to("2026-06-30 23:30Z", tick=False)  # 00:30 on 1 July in London

    assert signed_in(maya).post(DIARY, mood()).status_code == 302

    assert DiaryEntry.objects.get().entry_date == date(2026, 7, 1)


def test_a_client_adds_a_communication_analysis(http: HttpClient, client_a: Client, sister: Person) -> None:
    form = http.get(TALK).content.decode()
    for prompt in ["What happened?", "What did I say?", "What did they say?", "What did I feel?"]:
        assert prompt in form
    assert "What did I want?" in form and "What else could I have said?" in form

    response = http.post(TALK, talk(people=[str(sister.pk)], mood="3"))

    assert response.status_code == 302
    entry = DiaryEntry.objects.get()
    assert (entry.kind, entry.mood, entry.what_i_felt) == ("communication", 3, "Angry, then sad.")
    assert entry.what_else == "I could ask her for one thing." and list(entry.people.all()) == [sister]
    assert AuditEvent.objects.filter(action="portal.diary.add", client_id=client_a.pk).count() == 1


def test_a_communication_analysis_needs_no_mood(http: HttpClient) -> None:
    assert http.post(TALK, talk()).status_code == 302
    assert DiaryEntry.objects.get().mood is None


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("11", "Choose a number from 0 to 10."),
        ("-1", "Choose a number from 0 to 10."),
        ("x", "Choose a number from 0 to 10."),
        ("", "Choose how your mood is today"),
    ],
)
def test_a_mood_out_of_range_or_missing_is_refused(http: HttpClient, value: str, message: str) -> None:
    response = http.post(DIARY, mood(mood=value, events="Typed on my phone"))

    assert response.status_code == 400
    body = response.content.decode()
    assert message in body and "Typed on my phone" in body  # what was typed stays on the form
    assert 'role="alert">Something needs correcting: it is marked below.' in body  # seen on a phone
    assert not DiaryEntry.objects.exists()
    assert not AuditEvent.objects.filter(action__startswith="portal.diary").exists()


def test_a_missing_mood_field_is_refused(http: HttpClient) -> None:
    data = mood()
    del data["mood"]

    assert http.post(DIARY, data).status_code == 400
    assert not DiaryEntry.objects.exists()


@pytest.mark.parametrize("value", ["11", "x"])
def test_an_optional_mood_out_of_range_is_refused_too(http: HttpClient, value: str) -> None:
    response = http.post(TALK, talk(mood=value))

    assert response.status_code == 400 and "Choose a number from 0 to 10." in response.content.decode()
    assert not DiaryEntry.objects.exists()


def test_an_empty_communication_analysis_is_refused(http: HttpClient) -> None:
    empty = talk(**dict.fromkeys(["what_happened", "what_i_said", "what_they_said"], "   "))
    empty.update(what_i_felt="", what_i_wanted="", what_else="")

    response = http.post(TALK, empty)

    assert response.status_code == 400
    assert "Write a few words about what happened" in response.content.decode()
    assert not DiaryEntry.objects.exists()


@pytest.mark.parametrize(
    ("url", "data"),
    [
        (DIARY, mood(events="x" * 2001)),
        (DIARY, mood(someone_else="y" * 201)),
        (TALK, talk(what_i_said="z" * 2001)),
    ],
)
def test_text_over_its_limit_is_refused_with_the_limit(http: HttpClient, url: str, data: dict) -> None:
    response = http.post(url, data)

    assert response.status_code == 400
    assert "characters or fewer" in response.content.decode()
    assert not DiaryEntry.objects.exists()


def test_every_problem_is_shown_at_once(http: HttpClient) -> None:
    response = http.post(DIARY, mood(mood="11", events="x" * 2001))

    body = response.content.decode()
    assert "Choose a number from 0 to 10." in body and "Keep this to 2,000 characters or fewer" in body


def test_people_come_only_from_the_clients_own_inventory(
    alice: User, north_team: Team, http: HttpClient, sister: Person
) -> None:
    theirs = person(other_client(alice, north_team), "Bruno")

    response = http.post(DIARY, mood(people=[str(sister.pk), str(theirs.pk)]))

    assert response.status_code == 400
    body = response.content.decode()
    assert "Choose only people from your own list." in body and "Bruno" not in body
    assert not DiaryEntry.objects.exists()


def test_without_people_in_the_inventory_there_is_someone_else(http: HttpClient) -> None:
    body = http.get(DIARY).content.decode()

    assert "Who was part of your day?" not in body and "Someone else" in body
    assert http.post(DIARY, mood(someone_else="Sam")).status_code == 302


def test_the_same_form_sent_twice_saves_once(http: HttpClient) -> None:
    data = mood(events="Once only")

    first, second = http.post(DIARY, data), http.post(DIARY, data)

    assert first.status_code == second.status_code == 302
    assert DiaryEntry.objects.count() == 1
    assert AuditEvent.objects.filter(action="portal.diary.add").count() == 1
    assert "already saved" in http.get(DIARY).content.decode()


def test_a_client_whose_course_ended_gets_a_clear_message_and_nothing_is_saved(
    alice: User, http: HttpClient, course_a: Course
) -> None:
    http.post(DIARY, mood(events="Before the end"))
    end_course(alice, course_a, status="completed", ended_on=date(2026, 3, 10))

    response = http.post(DIARY, mood(events="After the end"))

    assert response.status_code == 400
    body = response.content.decode()
    assert "Your course of therapy has ended" in body and "Nothing was saved" in body
    assert "After the end" in body  # still on the form, to copy
    assert list(DiaryEntry.objects.values_list("events", flat=True)) == ["Before the end"]
    page = http.get(DIARY).content.decode()
    assert "your diary is closed" in page and "Before the end" in page
    assert 'name="mood"' not in page and TALK not in page
    assert http.post(TALK, talk()).status_code == 400
    assert DiaryEntry.objects.count() == 1
    assert AuditEvent.objects.filter(action="portal.diary.add").count() == 1


def test_a_client_without_a_course_cannot_write_yet(alice: User, north_team: Team) -> None:
    browser = HttpClient()
    browser.force_login(joined(alice, other_client(alice, north_team)))

    assert "Your diary opens when your course of therapy starts." in browser.get(DIARY).content.decode()
    response = browser.post(DIARY, mood())

    assert response.status_code == 400 and "Nothing was saved" in response.content.decode()
    assert not DiaryEntry.objects.exists()


def test_a_new_course_takes_the_new_entries(alice: User, http: HttpClient, course_a: Course) -> None:
    end_course(alice, course_a, status="completed", ended_on=date(2026, 3, 10))
    later = start_course(alice, course_a.client, protocol_key="ipt-standard", start_date=date(2026, 3, 10))

    assert http.post(DIARY, mood()).status_code == 302
    assert DiaryEntry.objects.get().course == later


def test_staff_cannot_write_in_a_clients_diary(alice: User, course_a: Course) -> None:
    staff = HttpClient()
    staff.force_login(alice)

    assert staff.get(DIARY).status_code == 403
    assert staff.post(DIARY, mood()).status_code == 403
    assert staff.post(TALK, talk()).status_code == 403
    assert not DiaryEntry.objects.exists()


def test_anonymous_visitors_are_sent_to_sign_in(db: None) -> None:
    response = HttpClient().get(DIARY)

    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")

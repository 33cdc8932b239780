"""Changing and deleting a diary entry: on the day it was written only; every version kept."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

import pytest
from django.db import IntegrityError, connection, transaction
from django.test import Client as HttpClient

from openipt.accounts.models import Team, User
from openipt.audit.models import AuditEvent
from openipt.clients.models import Client
from openipt.courses.actions import end_course, start_course
from openipt.courses.models import Course
from openipt.diary.actions import EntryData, add_entry, stamp
from openipt.diary.models import DiaryEntry
from openipt.inventory.models import Person
from openipt.lib.db.guards import installed_triggers
from openipt.portal.tests.conftest import joined

from .conftest import other_client, signed_in


def write(user: User, client: Client, **fields: Any) -> DiaryEntry:
    data = EntryData(**{"kind": "mood", "mood": 5, "events": "Quiet day.", **fields})
    return add_entry(user, client, data)[0]


def edited(entry: DiaryEntry, **fields: Any) -> dict[str, Any]:
    data = {"mood": "5", "events": "Quiet day.", "someone_else": "", "seen": stamp(entry), **fields}
    return {k: v for k, v in data.items() if v is not None}


def url(entry: DiaryEntry, delete: bool = False) -> str:
    return f"/portal/diary/{entry.pk}/" + ("delete/" if delete else "")


@pytest.fixture
def entry(maya: User, client_a: Client) -> DiaryEntry:
    return write(maya, client_a)


def test_on_the_same_day_a_client_changes_an_entry_and_the_old_version_is_kept(
    http: HttpClient, entry: DiaryEntry, client_a: Client, sister: Person
) -> None:
    page = http.get(url(entry)).content.decode()
    assert "until the end of today" in page and "Quiet day." in page

    response = http.post(url(entry), edited(entry, mood="7", events="Better evening.", people=[sister.pk]))

    assert response.status_code == 302 and response["Location"] == "/portal/diary/"
    entry.refresh_from_db()
    assert (entry.mood, entry.events, list(entry.people.all())) == (7, "Better evening.", [sister])
    versions = list(entry.history.order_by("history_id"))
    assert [v.mood for v in versions][:2] == [5, 7] and versions[0].events == "Quiet day."
    assert [p.person_id for p in versions[-1].people.all()] == [sister.pk]
    event = AuditEvent.objects.get(action="portal.diary.edit")
    assert (event.client_id, event.object_id) == (client_a.pk, str(entry.pk))
    assert "evening" not in str(event.__dict__)


def test_saving_without_a_change_changes_nothing(http: HttpClient, entry: DiaryEntry) -> None:
    response = http.post(url(entry), edited(entry), follow=True)

    assert "Nothing was changed." in response.content.decode()
    assert entry.history.count() == 1
    assert not AuditEvent.objects.filter(action="portal.diary.edit").exists()


def test_a_stale_form_is_refused_keeps_what_was_typed_and_can_be_sent_again(
    http: HttpClient, entry: DiaryEntry
) -> None:
    old = edited(entry, events="Typed in the other window")
    http.post(url(entry), edited(entry, events="Typed first"))

    response = http.post(url(entry), old)

    assert response.status_code == 400
    body = response.content.decode()
    assert "This entry changed since you opened this page" in body and "Typed in the other window" in body
    entry.refresh_from_db()
    assert entry.events == "Typed first"
    assert http.post(url(entry), edited(entry, events="Typed in the other window")).status_code == 302


def test_a_double_sent_change_is_saved_once_and_not_called_stale(http: HttpClient, entry: DiaryEntry) -> None:
    data = edited(entry, mood="7")
    first = http.post(url(entry), data)
    second = http.post(url(entry), data)  # the same form again: a double tap

    assert first.status_code == second.status_code == 302
    entry.refresh_from_db()
    assert entry.mood == 7 and entry.history.count() == 2


def test_a_change_with_bad_input_is_refused(http: HttpClient, entry: DiaryEntry) -> None:
    response = http.post(url(entry), edited(entry, mood="11"))

    assert response.status_code == 400 and "Choose a number from 0 to 10." in response.content.decode()
    entry.refresh_from_db()
    assert entry.mood == 5


def test_the_next_day_an_entry_is_part_of_the_record(
    maya: User, entry: DiaryEntry, time_machine: Any
) -> None:
    time_machine.move_to("2026-03-11 08:00Z", tick=False)
    http = signed_in(maya)

    page = http.get(url(entry)).content.decode()
    assert "part of your record now" in page and 'name="mood"' not in page and "Quiet day." in page

    response = http.post(url(entry), edited(entry, events="Rewritten"))

    assert response.status_code == 400
    assert "from an earlier day" in response.content.decode()
    entry.refresh_from_db()
    assert entry.events == "Quiet day." and entry.history.count() == 1
    assert not AuditEvent.objects.filter(action="portal.diary.edit").exists()


def test_a_client_deletes_an_entry_on_the_same_day(
    http: HttpClient, entry: DiaryEntry, client_a: Client
) -> None:
    assert "Yes, delete it" in http.get(url(entry, delete=True)).content.decode()

    response = http.post(url(entry, delete=True))

    assert response.status_code == 302 and response["Location"] == "/portal/diary/"
    assert not DiaryEntry.objects.exists()
    assert DiaryEntry.history.filter(id=entry.pk, history_type="-").exists()
    event = AuditEvent.objects.get(action="portal.diary.delete")
    assert (event.client_id, event.object_id) == (client_a.pk, str(entry.pk))


def test_an_entry_of_an_earlier_day_cannot_be_deleted(
    maya: User, entry: DiaryEntry, time_machine: Any
) -> None:
    time_machine.move_to("2026-03-11 08:00Z", tick=False)
    http = signed_in(maya)

    assert "Yes, delete it" not in http.get(url(entry, delete=True)).content.decode()
    response = http.post(url(entry, delete=True))

    assert response.status_code == 400 and "from an earlier day" in response.content.decode()
    assert DiaryEntry.objects.filter(pk=entry.pk).exists()
    assert not AuditEvent.objects.filter(action="portal.diary.delete").exists()


def test_after_the_course_ends_an_entry_cannot_change(
    alice: User, http: HttpClient, entry: DiaryEntry, course_a: Course
) -> None:
    end_course(alice, course_a, status="completed", ended_on=date(2026, 3, 10))

    response = http.post(url(entry), edited(entry, events="After the end"))

    assert response.status_code == 400 and "has ended" in response.content.decode()
    assert http.post(url(entry, delete=True)).status_code == 400
    entry.refresh_from_db()
    assert entry.events == "Quiet day."


def test_another_clients_entry_is_404(alice: User, north_team: Team, http: HttpClient) -> None:
    tomas = other_client(alice, north_team)
    start_course(alice, tomas, protocol_key="ipt-standard", start_date=date(2026, 3, 2))
    theirs = write(joined(alice, tomas), tomas, events="Tomas's day")

    for response in (
        http.get(url(theirs)),
        http.post(url(theirs), edited(theirs, events="Forged")),
        http.get(url(theirs, delete=True)),
        http.post(url(theirs, delete=True)),
        http.get("/portal/diary/999999/"),
    ):
        assert response.status_code == 404
        assert "Tomas" not in response.content.decode()
    theirs.refresh_from_db()
    assert theirs.events == "Tomas's day"
    assert "Tomas" not in http.get("/portal/diary/").content.decode()


def test_a_form_key_of_another_clients_entry_is_refused(
    alice: User, north_team: Team, http: HttpClient
) -> None:
    tomas = other_client(alice, north_team)
    start_course(alice, tomas, protocol_key="ipt-standard", start_date=date(2026, 3, 2))
    theirs = write(joined(alice, tomas), tomas)

    response = http.post("/portal/diary/", {"mood": "3", "key": str(theirs.uuid)})

    assert response.status_code == 400 and "This form cannot be used" in response.content.decode()
    assert DiaryEntry.objects.count() == 1


def test_staff_cannot_change_or_delete_an_entry(alice: User, entry: DiaryEntry) -> None:
    staff = signed_in(alice)

    assert staff.post(url(entry), edited(entry, events="Staff")).status_code == 403
    assert staff.post(url(entry, delete=True)).status_code == 403
    entry.refresh_from_db()
    assert entry.events == "Quiet day."


HISTORY = ["diary_historicaldiaryentry", "diary_historicaldiaryentry_people"]


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE diary_historicaldiaryentry SET id = id",
        "DELETE FROM diary_historicaldiaryentry",
        "UPDATE diary_historicaldiaryentry_people SET id = id",
        "DELETE FROM diary_historicaldiaryentry_people",
    ],
)
def test_the_database_refuses_to_rewrite_the_diarys_history(
    sql: str, maya: User, client_a: Client, sister: Person
) -> None:
    write(maya, client_a, people=(sister.pk,))
    assert {f"{t}_no_{e}" for t in HISTORY for e in ("update", "delete")} <= installed_triggers(connection)
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql)


def test_the_database_refuses_a_mood_out_of_range(client_a: Client, course_a: Course) -> None:
    for mood, kind in ((11, "mood"), (None, "mood")):
        with pytest.raises(IntegrityError), transaction.atomic():
            DiaryEntry.objects.create(
                client=client_a, course=course_a, entry_date=date(2026, 3, 10), kind=kind, mood=mood
            )


def test_an_entry_written_offline_keeps_its_uuid(maya: User, client_a: Client) -> None:
    key = uuid.uuid4()
    saved, created = add_entry(maya, client_a, EntryData(kind="mood", mood=2), key=key)
    again, created_again = add_entry(maya, client_a, EntryData(kind="mood", mood=2), key=key)

    assert saved.uuid == key and (created, created_again) == (True, False) and again.pk == saved.pk

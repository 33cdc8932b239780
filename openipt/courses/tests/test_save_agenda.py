"""The agenda is one form: every tick and every task note is saved together (a full page POST
that returns to the agenda, or htmx swapping in the agenda section alone), so ticking one task and
typing beside another loses neither."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.test import Client as HttpClient
from django.urls import reverse
from pytest_django.asserts import assertRedirects

from openipt.accounts.models import User
from openipt.audit.models import AuditEvent
from openipt.courses.actions import advance_phase, cancel_session, end_course, set_task
from openipt.courses.models import Course, CourseStatus, Session, TaskRecord

HTMX: dict[str, Any] = {"HTTP_HX_REQUEST": "true"}
INITIAL = ["symptom_review", "name_diagnosis", "psychoeducation", "sick_role"]


def url(session: Session) -> str:
    return reverse("courses:agenda", args=[session.pk])


def agenda(keys: list[str] = INITIAL, **fields: str) -> dict[str, Any]:
    """The agenda form as the page sends it: every task listed, the given ticks and notes."""
    return {"task_key": keys, **{k.replace("__", "-"): v for k, v in fields.items()}}


@pytest.fixture
def s1(course_a: Course) -> Session:
    return course_a.sessions.get(number=1)


def records() -> list[tuple[int, str, bool, str]]:
    return list(TaskRecord.objects.order_by("task_key").values_list("session_id", "task_key", "done", "note"))


def test_the_page_shows_the_agenda_as_one_form(client: HttpClient, alice: User, s1: Session) -> None:
    client.force_login(alice)
    body = client.get(reverse("courses:session", args=[s1.pk])).content.decode()
    form = body[body.index(f'action="{url(s1)}#agenda-h"') :]
    form = form[: form.index("</form>")]
    for key in INITIAL:
        assert f'name="task_key" value="{key}"' in form
        assert f'name="done-{key}"' in form and f'name="note-{key}"' in form
    assert form.count("<button") == 1  # one Save for the whole agenda, not one per task


def test_it_saves_every_tick_and_note_at_once_and_returns_to_the_agenda(
    client: HttpClient, alice: User, s1: Session
) -> None:
    client.force_login(alice)
    data = agenda(
        done__sick_role="on",
        note__sick_role="Agreed to rest from the choir for now.",
        done__name_diagnosis="on",
        note__psychoeducation="Leaflet given; wants to read it with her sister.",
    )
    response = client.post(url(s1), data)
    assertRedirects(
        response, reverse("courses:session", args=[s1.pk]) + "#agenda-h", fetch_redirect_response=False
    )
    assert records() == [
        (s1.pk, "name_diagnosis", True, ""),
        (s1.pk, "psychoeducation", False, "Leaflet given; wants to read it with her sister."),
        (s1.pk, "sick_role", True, "Agreed to rest from the choir for now."),
    ]
    event = AuditEvent.objects.get(action="session.task")  # one save, one audit row
    assert (event.actor, event.client_id, event.object_id) == (alice, s1.course.client_id, str(s1.pk))
    page = client.get(response["Location"]).content.decode()
    assert 'id="task-sick_role" class="done"' in page
    assert "Agreed to rest from the choir for now." in page
    assert "Agenda saved." in page


def test_it_unticks_and_updates_and_writes_only_what_changed(
    client: HttpClient, alice: User, s1: Session
) -> None:
    set_task(alice, s1, task_key="sick_role", done=True, note="first")
    set_task(alice, s1, task_key="psychoeducation", done=True, note="kept")
    client.force_login(alice)
    client.post(
        url(s1), agenda(note__sick_role="not yet", done__psychoeducation="on", note__psychoeducation="kept")
    )
    assert records() == [(s1.pk, "psychoeducation", True, "kept"), (s1.pk, "sick_role", False, "not yet")]
    assert TaskRecord.history.filter(task_key="psychoeducation").count() == 1  # untouched
    assert AuditEvent.objects.filter(action="session.task").count() == 3


def test_it_keeps_leading_spaces_and_new_lines_in_a_note(
    client: HttpClient, alice: User, s1: Session
) -> None:
    client.force_login(alice)
    client.post(url(s1), agenda(note__sick_role="\n  - rest\n  - choir later"))
    assert records() == [(s1.pk, "sick_role", False, "\n  - rest\n  - choir later")]
    page = client.get(reverse("courses:session", args=[s1.pk])).content.decode()
    assert ">\n\n  - rest\n  - choir later</textarea>" in page  # the first new line survives the parser


def test_it_returns_the_agenda_alone_to_htmx(client: HttpClient, alice: User, s1: Session) -> None:
    client.force_login(alice)
    response = client.post(url(s1), agenda(done__sick_role="on", note__psychoeducation="Leaflet"), **HTMX)
    assert response.status_code == 200
    assert next(t.name for t in response.templates) == "courses/_agenda.html"
    body = response.content.decode()
    assert body.strip().startswith('<section class="card" id="agenda"')
    assert 'id="task-sick_role" class="done"' in body
    assert "Leaflet</textarea>" in body
    assert "Agenda saved at" in body
    assert "<html" not in body
    assert records() == [(s1.pk, "psychoeducation", False, "Leaflet"), (s1.pk, "sick_role", True, "")]


def test_it_keeps_a_tick_for_a_task_of_another_phase(
    client: HttpClient, alice: User, course_a: Course, s1: Session
) -> None:
    # The page was loaded in the initial phase; meanwhile the course moved to the middle phase,
    # so the unheld session's agenda changed under the clinician's pen. The ticks are kept.
    advance_phase(alice, course_a)
    client.force_login(alice)
    response = client.post(url(s1), agenda(done__sick_role="on"), **HTMX)
    assert response.status_code == 200
    assert records() == [(s1.pk, "sick_role", True, "")]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            agenda(["no_such_task"], done__no_such_task="on"),
            "That task is not part of this protocol&#x27;s agenda.",
        ),
        ({"done-sick_role": "on"}, "There is no agenda task to save on this page; reload it."),
        (agenda(note__sick_role="x" * 5001), "This can be at most 5,000 characters (you have 5,001)."),
    ],
)
@pytest.mark.parametrize("headers", [{}, HTMX])
def test_it_refuses_bad_input_keeping_every_word_typed(
    client: HttpClient, alice: User, s1: Session, data: dict[str, Any], message: str, headers: dict[str, Any]
) -> None:
    client.force_login(alice)
    data = {**data, "note-psychoeducation": "typed beside it"} if "task_key" in data else data
    response = client.post(url(s1), data, **headers)
    assert response.status_code == 400
    body = response.content.decode()
    assert message in body
    if "note-sick_role" in data:
        assert "typed beside it</textarea>" in body
    assert records() == []
    assert not AuditEvent.objects.filter(action="session.task").exists()


def test_it_refuses_changes_to_a_finished_course(
    client: HttpClient, alice: User, course_a: Course, s1: Session
) -> None:
    end_course(alice, course_a, status=CourseStatus.COMPLETED, ended_on=date(2026, 6, 15))
    client.force_login(alice)
    response = client.post(url(s1), agenda(done__sick_role="on"), **HTMX)
    assert response.status_code == 400
    assert records() == []


@pytest.mark.parametrize("headers", [{}, HTMX])
def test_it_refuses_the_supervisor(
    client: HttpClient, bob: User, s1: Session, headers: dict[str, Any]
) -> None:
    client.force_login(bob)
    response = client.post(url(s1), agenda(done__sick_role="on"), **headers)
    assert response.status_code == 403
    assert records() == []


def test_it_refuses_a_task_on_a_cancelled_appointment(client: HttpClient, alice: User, s1: Session) -> None:
    cancel_session(alice, s1)
    client.force_login(alice)
    response = client.post(url(s1), agenda(done__sick_role="on"), **HTMX)
    assert response.status_code == 400
    assert "cancelled" in response.content.decode()
    assert records() == []

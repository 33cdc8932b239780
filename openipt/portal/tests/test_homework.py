"""Homework in the portal: the client reads it, answers it, and the clinician sees the answer."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.test import Client as HttpClient
from django.utils import timezone

from openipt.accounts.models import Team, User
from openipt.audit.models import AuditEvent
from openipt.clients.actions import create_client
from openipt.clients.models import Client
from openipt.courses.models import Course, CourseStatus, Homework
from openipt.portal.homework import stamp

from .conftest import joined


def set_homework(course: Course, task: str, number: int = 1, days_ago: int = 0) -> Homework:
    session = course.sessions.get(number=number)
    homework = Homework.objects.create(course=course, set_in=session, task=task, created_by=course.clinician)
    Homework.objects.filter(pk=homework.pk).update(created_at=timezone.now() - timedelta(days=days_ago))
    homework.refresh_from_db()
    return homework


def answer(homework: Homework, **fields: str) -> dict[str, str]:
    data = {"status": "done", "reflection": "", "seen": stamp(homework), **fields}
    return {f"h{homework.pk}-{k}": v for k, v in data.items()}


@pytest.fixture
def http(alice: User, client_a: Client) -> HttpClient:
    browser = HttpClient()
    browser.force_login(joined(alice, client_a))
    return browser


def test_a_client_sees_their_homework_newest_first(http: HttpClient, course_a: Course) -> None:
    set_homework(course_a, "Call your sister", days_ago=7)
    set_homework(course_a, "Write down one good talk", number=2)

    page = http.get("/portal/homework/").content.decode()

    assert page.index("Write down one good talk") < page.index("Call your sister")
    assert "Set in session 1" in page and "Set in session 2" in page


def test_without_homework_the_page_says_so(http: HttpClient) -> None:
    assert "You have no homework" in http.get("/portal/homework/").content.decode()


def test_the_home_page_links_to_homework(http: HttpClient) -> None:
    assert 'href="/portal/homework/"' in http.get("/portal/").content.decode()


def test_a_client_marks_homework_and_adds_a_reflection(
    http: HttpClient, course_a: Course, client_a: Client
) -> None:
    homework = set_homework(course_a, "Call your sister")

    response = http.post(
        f"/portal/homework/{homework.pk}/", answer(homework, status="partly", reflection="It was hard.")
    )

    assert response.status_code == 302 and response["Location"] == "/portal/homework/"
    homework.refresh_from_db()
    assert (homework.client_status, homework.client_reflection) == ("partly", "It was hard.")
    assert homework.client_updated_at is not None
    assert homework.outcome == "" and homework.reviewed_in_id is None  # the clinician's review is apart
    event = AuditEvent.objects.get(action="homework.client_update")
    assert event.client_id == client_a.pk and "hard" not in str(event.__dict__)
    assert "Partly done" in http.get("/portal/homework/").content.decode()


def test_a_stale_form_is_refused_and_keeps_what_was_typed(http: HttpClient, course_a: Course) -> None:
    homework = set_homework(course_a, "Call your sister")
    old = answer(homework, status="not_done", reflection="Typed on my phone")
    http.post(f"/portal/homework/{homework.pk}/", answer(homework, status="done"))

    response = http.post(f"/portal/homework/{homework.pk}/", old)

    assert response.status_code == 400
    body = response.content.decode()
    assert "Your answer changed since you opened this page" in body and "Typed on my phone" in body
    homework.refresh_from_db()
    assert homework.client_status == "done" and homework.client_reflection == ""
    assert AuditEvent.objects.filter(action="homework.client_update").count() == 1


def test_a_double_sent_answer_is_saved_once_and_not_called_stale(http: HttpClient, course_a: Course) -> None:
    homework = set_homework(course_a, "Call Ada")
    data = answer(homework, reflection="It went better than I feared.")
    first = http.post(f"/portal/homework/{homework.pk}/", data)
    second = http.post(f"/portal/homework/{homework.pk}/", data)  # a double tap

    assert first.status_code == second.status_code == 302
    homework.refresh_from_db()
    assert homework.client_reflection == "It went better than I feared."
    assert AuditEvent.objects.filter(action="homework.client_update").count() == 1


def test_a_reflection_over_2000_characters_is_refused(http: HttpClient, course_a: Course) -> None:
    homework = set_homework(course_a, "Call your sister")

    response = http.post(f"/portal/homework/{homework.pk}/", answer(homework, reflection="x" * 2001))

    assert response.status_code == 400
    homework.refresh_from_db()
    assert homework.client_status == "" and homework.client_updated_at is None


@pytest.mark.parametrize("status", ["", "finished", "maybe"])
def test_a_status_out_of_range_is_refused(http: HttpClient, course_a: Course, status: str) -> None:
    homework = set_homework(course_a, "Call your sister")

    response = http.post(f"/portal/homework/{homework.pk}/", answer(homework, status=status))

    assert response.status_code == 400
    homework.refresh_from_db()
    assert homework.client_updated_at is None


def test_homework_of_an_ended_course_cannot_change(http: HttpClient, course_a: Course) -> None:
    homework = set_homework(course_a, "Call your sister")
    Course.objects.filter(pk=course_a.pk).update(status=CourseStatus.COMPLETED, ended_on=date(2026, 6, 1))

    response = http.post(f"/portal/homework/{homework.pk}/", answer(homework))

    assert response.status_code == 400
    assert "has ended" in response.content.decode()
    homework.refresh_from_db()
    assert homework.client_updated_at is None
    assert "Call your sister" not in http.get("/portal/homework/").content.decode()


def test_another_clients_homework_is_404(alice: User, north_team: Team, http: HttpClient) -> None:
    from openipt.courses.actions import start_course

    other = create_client(
        alice,
        team=north_team,
        clinic_identifier="NS-2",
        given_name="Tomas",
        family_name="Reyes",
        preferred_name="",
        date_of_birth=date(1990, 1, 1),
        email="",
        phone="",
        locale="en-gb",
    )
    theirs = set_homework(
        start_course(alice, other, protocol_key="ipt-standard", start_date=date(2026, 3, 2)), "Theirs"
    )

    assert http.post(f"/portal/homework/{theirs.pk}/", answer(theirs)).status_code == 404
    assert http.post("/portal/homework/999999/", answer(theirs)).status_code == 404
    assert "Theirs" not in http.get("/portal/homework/").content.decode()
    theirs.refresh_from_db()
    assert theirs.client_updated_at is None


def test_staff_cannot_answer_for_the_client(alice: User, course_a: Course) -> None:
    homework = set_homework(course_a, "Call your sister")
    staff = HttpClient()
    staff.force_login(alice)

    assert staff.post(f"/portal/homework/{homework.pk}/", answer(homework)).status_code == 403
    assert staff.get("/portal/homework/").status_code == 403


def test_the_clinician_sees_the_clients_answer_where_homework_is_reviewed(
    alice: User, http: HttpClient, course_a: Course
) -> None:
    homework = set_homework(course_a, "Call your sister")
    http.post(
        f"/portal/homework/{homework.pk}/", answer(homework, status="partly", reflection="She was out.")
    )
    staff = HttpClient()
    staff.force_login(alice)

    page = staff.get(f"/sessions/{course_a.sessions.get(number=2).pk}/").content.decode()

    assert "The client's answer in the portal:" in page
    assert "Partly done" in page and "She was out." in page


def test_the_homework_page_has_crisis_help_and_no_inline_script_or_style(
    http: HttpClient, course_a: Course
) -> None:
    set_homework(course_a, "Call your sister")

    body = http.get("/portal/homework/").content.decode()

    assert 'href="/portal/crisis/"' in body
    assert "<script" not in body and "style=" not in body


def test_the_list_shows_open_homework_first_and_done_homework_apart(
    http: HttpClient, course_a: Course
) -> None:
    open_one = set_homework(course_a, "Call your sister")
    marked = set_homework(course_a, "Write down one good talk")
    Homework.objects.filter(pk=marked.pk).update(client_status="done", client_updated_at=timezone.now())
    reviewed = set_homework(course_a, "Plan a walk with a friend")
    Homework.objects.filter(pk=reviewed.pk).update(reviewed_in=course_a.sessions.get(number=2))

    page = http.get("/portal/homework/").content.decode()

    open_part, done_part = page.split('id="homework-done-h"')
    assert f'id="homework-{open_one.pk}-h"' in open_part
    assert "Write down one good talk" not in open_part and "Plan a walk" not in open_part
    assert "Write down one good talk" in done_part and "Plan a walk with a friend" in done_part


def test_with_only_done_homework_the_page_says_nothing_is_open(http: HttpClient, course_a: Course) -> None:
    marked = set_homework(course_a, "Call your sister")
    Homework.objects.filter(pk=marked.pk).update(client_status="done", client_updated_at=timezone.now())

    page = http.get("/portal/homework/").content.decode()

    assert "Nothing is open" in page and "You have no homework" not in page


def test_opening_the_answer_address_by_a_link_shows_a_portal_page(http: HttpClient, course_a: Course) -> None:
    homework = set_homework(course_a, "Call your sister")

    response = http.get(f"/portal/homework/{homework.pk}/")

    assert response.status_code == 405
    page = response.content.decode()
    assert "Back to your therapy pages" in page and 'class="portal-bar"' in page

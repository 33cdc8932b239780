"""Starting a course: sessions scheduled from the protocol, or refused with a clear error."""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client as HttpClient
from django.urls import reverse
from pytest_django.asserts import assertRedirects

from openipt.accounts.models import User
from openipt.audit.models import AuditEvent
from openipt.clients.models import Client
from openipt.courses.actions import end_course, start_course
from openipt.courses.models import Attendance, Course, CourseStatus, Modality, Session
from openipt.protocols import get_protocol


def url(client: Client) -> str:
    return reverse("courses:start", args=[client.pk])


def form_data(**overrides: str) -> dict[str, str]:
    data = {"protocol_key": "ipt-standard", "start_date": "2026-03-02", "weekday": "", "planned_sessions": ""}
    data.update(overrides)
    return data


def schedule(course: Course) -> list[tuple[int, date, str]]:
    return [(s.number, s.scheduled_date, s.phase_key) for s in course.sessions.order_by("number")]


def weekly(first: date, count: int) -> list[date]:
    return [first + timedelta(weeks=i) for i in range(count)]


def test_it_shows_the_form_with_every_protocol(client: HttpClient, alice: User, client_a: Client) -> None:
    client.force_login(alice)
    response = client.get(url(client_a))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Start a course" in body
    assert "Maya Okafor" in body  # the banner
    choices = response.context["form"].fields["protocol_key"].choices
    assert {key for key, _ in choices} == {
        "",
        "ipt-adolescent",
        "ipt-brief",
        "ipt-maintenance",
        "ipt-standard",
    }
    assert choices[0] == ("", "Choose a protocol")
    assert "16 sessions (12–16), weekly" in body
    assert "IPT for depressed adolescents (IPT-A) — 12 sessions (12–16), weekly" in body
    assert "Maintenance IPT (IPT-M), monthly — 12 sessions (1–36), monthly" in body


def test_it_preselects_no_protocol_and_shows_no_keys(
    client: HttpClient, alice: User, client_a: Client
) -> None:
    client.force_login(alice)
    body = client.get(url(client_a)).content.decode()

    start = body.index('name="protocol_key"')
    options = re.findall(r"<option([^>]*)>([^<]*)</option>", body[start : body.index("</select>", start)])
    assert options[0][1] == "Choose a protocol"
    assert [label for attrs, label in options if "selected" in attrs and 'value=""' not in attrs] == []
    assert not any("ipt-" in label for _attrs, label in options)


def test_it_refuses_to_start_without_a_chosen_protocol(
    client: HttpClient, alice: User, client_a: Client
) -> None:
    client.force_login(alice)
    refused(client.post(url(client_a), form_data(protocol_key="")), "protocol_key", "This field is required.")
    assert not Course.objects.exists()


def test_it_schedules_the_protocols_sessions_and_audits(
    client: HttpClient, alice: User, client_a: Client
) -> None:
    client.force_login(alice)
    response = client.post(url(client_a), form_data())
    assertRedirects(response, reverse("clients:detail", args=[client_a.pk]), fetch_redirect_response=False)
    course = Course.objects.get()
    protocol = get_protocol("ipt-standard")
    assert (course.client, course.clinician, course.status) == (client_a, alice, CourseStatus.ACTIVE)
    assert (course.protocol_key, course.protocol_version) == ("ipt-standard", protocol.version)
    assert (course.start_date, course.weekday, course.planned_sessions) == (date(2026, 3, 2), 0, 16)
    assert course.current_phase == "initial"
    phases = ["initial"] * 3 + ["middle"] * 10 + ["termination"] * 3
    dates = weekly(date(2026, 3, 2), 16)
    assert schedule(course) == list(zip(range(1, 17), dates, phases, strict=True))
    assert set(course.sessions.values_list("attendance", "modality")) == {
        (Attendance.SCHEDULED, Modality.IN_PERSON)
    }
    event = AuditEvent.objects.get(action="course.start")
    assert (event.actor, event.client_id, event.object_type) == (alice, client_a.pk, "courses.course")
    assert event.object_id == str(course.pk)
    assert "Course started: 16 sessions scheduled." in client.get(response["Location"]).content.decode()


def test_it_lays_out_the_phases_for_a_shorter_contract(
    client: HttpClient, alice: User, client_a: Client
) -> None:
    client.force_login(alice)
    response = client.post(url(client_a), form_data(planned_sessions="12"))
    assert response.status_code == 302
    course = Course.objects.get()
    assert course.planned_sessions == 12
    phases = ["initial"] * 3 + ["middle"] * 6 + ["termination"] * 3
    assert [p for _, _, p in schedule(course)] == phases


def test_it_starts_on_the_chosen_weekday(client: HttpClient, alice: User, client_a: Client) -> None:
    client.force_login(alice)
    # Wednesday 4 March, sessions on Mondays: the first is Monday 9 March.
    client.post(url(client_a), form_data(start_date="2026-03-04", weekday="0"))
    course = Course.objects.get()
    assert (course.start_date, course.weekday) == (date(2026, 3, 4), 0)
    assert [d for _, d, _ in schedule(course)] == weekly(date(2026, 3, 9), 16)


def test_it_schedules_a_monthly_protocol(client: HttpClient, alice: User, client_a: Client) -> None:
    client.force_login(alice)
    client.post(url(client_a), form_data(protocol_key="ipt-maintenance", start_date="2026-01-31"))
    course = Course.objects.get()
    assert course.weekday is None
    dates = [d for _, d, _ in schedule(course)]
    # Sat 31 Jan 2026 on a Monday-to-Friday clinic: the first Monday of each month
    assert dates[:4] == [date(2026, 2, 2), date(2026, 3, 2), date(2026, 4, 6), date(2026, 5, 4)]
    assert len(dates) == 12
    assert {p for _, _, p in schedule(course)} == {"maintenance"}


def test_it_starts_the_brief_protocol_with_its_engagement_session(
    client: HttpClient, alice: User, client_a: Client
) -> None:
    client.force_login(alice)
    client.post(url(client_a), form_data(protocol_key="ipt-brief"))
    course = Course.objects.get()
    assert course.current_phase == "engagement"
    assert [p for _, _, p in schedule(course)] == ["engagement"] + ["initial"] * 2 + ["middle"] * 4 + [
        "termination"
    ] * 2


def refused(response: Any, field: str | None, message: str) -> None:
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert errors["__all__" if field is None else field] == [message]
    assert message in response.content.decode()


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        (
            {"planned_sessions": "11"},
            "planned_sessions",
            "The number of sessions must be between 12 and 16 for "
            "Interpersonal Psychotherapy (IPT), standard weekly course, not 11.",
        ),
        (
            {"planned_sessions": "17"},
            "planned_sessions",
            "The number of sessions must be between 12 and 16 for "
            "Interpersonal Psychotherapy (IPT), standard weekly course, not 17.",
        ),
        (
            {"protocol_key": "ipt-brief", "planned_sessions": "12"},
            "planned_sessions",
            "Brief IPT (IPT-B): engagement session + 8 sessions always has exactly 9 sessions, not 12.",
        ),
        (
            {"protocol_key": "ipt-unknown"},
            "protocol_key",
            "Select a valid choice. ipt-unknown is not one of the available choices.",
        ),
        ({"start_date": ""}, "start_date", "This field is required."),
        ({"start_date": "2026-02-30"}, "start_date", "Enter a valid date."),
        ({"weekday": "7"}, "weekday", "Select a valid choice. 7 is not one of the available choices."),
        (
            {"protocol_key": "ipt-maintenance", "weekday": "0"},
            "weekday",
            "Sessions of Maintenance IPT (IPT-M), monthly are monthly; leave the weekday empty.",
        ),
    ],
)
def test_it_refuses_bad_input_and_saves_nothing(
    client: HttpClient, alice: User, client_a: Client, overrides: dict[str, str], field: str, message: str
) -> None:
    client.force_login(alice)
    refused(client.post(url(client_a), form_data(**overrides)), field, message)
    assert not Course.objects.exists()
    assert not Session.objects.exists()
    assert not AuditEvent.objects.filter(action="course.start").exists()


def test_it_allows_one_active_course_per_client(client: HttpClient, alice: User, course_a: Course) -> None:
    client.force_login(alice)
    response = client.post(url(course_a.client), form_data(start_date="2026-04-06"))
    refused(response, None, "This client already has an active course; end it before starting another.")
    assert list(Course.objects.all()) == [course_a]
    assert Session.objects.count() == 16
    assert AuditEvent.objects.filter(action="course.start").count() == 1


def test_it_starts_a_new_course_once_the_last_has_ended(
    client: HttpClient, alice: User, course_a: Course
) -> None:
    end_course(alice, course_a, status=CourseStatus.COMPLETED, ended_on=date(2026, 6, 15))
    client.force_login(alice)
    response = client.post(
        url(course_a.client), form_data(start_date="2026-09-07", protocol_key="ipt-maintenance")
    )
    assert response.status_code == 302
    assert Course.objects.filter(client=course_a.client, status=CourseStatus.ACTIVE).get().protocol_key == (
        "ipt-maintenance"
    )


@pytest.mark.parametrize(
    ("kwargs", "field", "message"),
    [
        ({"protocol_key": "nope"}, "protocol_key", "Choose one of the protocols offered."),
        (
            {"planned_sessions": 40},
            "planned_sessions",
            ("between 12 and 16 for Interpersonal Psychotherapy (IPT), standard weekly course, not 40"),
        ),
        ({"weekday": 9}, "weekday", "Choose a day of the week."),
    ],
)
def test_the_action_names_the_field_to_fix(
    alice: User, client_a: Client, kwargs: dict[str, object], field: str, message: str
) -> None:
    args: dict[str, object] = {"protocol_key": "ipt-standard", "start_date": date(2026, 3, 2)} | kwargs
    with pytest.raises(ValidationError) as caught:
        start_course(alice, client_a, **args)  # type: ignore[arg-type]
    assert list(caught.value.message_dict) == [field]
    assert message in caught.value.message_dict[field][0]
    assert not Course.objects.exists()


@pytest.mark.parametrize("method", ["get", "post"])
def test_it_refuses_the_supervisor(client: HttpClient, bob: User, client_a: Client, method: str) -> None:
    client.force_login(bob)
    assert getattr(client, method)(url(client_a), form_data()).status_code == 403
    assert not Course.objects.exists()


# --- The age check: a warning the clinician confirms, never a silent block ---------------------


def adolescent(alice: User, client_a: Client, born: date) -> Client:
    client_a.date_of_birth = born
    client_a.save(update_fields=["date_of_birth"])
    return client_a


AGE_WARNING = (
    "Maya Okafor is %d on %s, the first day of the course, and %s is meant for %s. Check that this is "
    "the right protocol; to start it anyway, tick the box to confirm and start again."
)
IPT_A = "IPT for depressed adolescents (IPT-A)"
IPT = "Interpersonal Psychotherapy (IPT), standard weekly course"


def test_an_adolescent_protocol_for_an_adult_asks_to_confirm(
    client: HttpClient, alice: User, client_a: Client
) -> None:
    client.force_login(alice)
    response = client.post(url(client_a), form_data(protocol_key="ipt-adolescent"))

    refused(response, "age_confirmed", AGE_WARNING % (37, "Mon 2 Mar 2026", IPT_A, "ages 12 to 17"))
    assert 'type="checkbox" name="age_confirmed"' in response.content.decode()
    assert not Course.objects.exists()
    assert not AuditEvent.objects.filter(action="course.start").exists()

    response = client.post(url(client_a), form_data(protocol_key="ipt-adolescent", age_confirmed="on"))

    assert response.status_code == 302
    assert Course.objects.get().protocol_key == "ipt-adolescent"


def test_an_adult_protocol_for_someone_under_18_asks_to_confirm(
    client: HttpClient, alice: User, client_a: Client
) -> None:
    young = adolescent(alice, client_a, date(2011, 5, 1))
    client.force_login(alice)

    response = client.post(url(young), form_data(protocol_key="ipt-standard"))

    refused(response, "age_confirmed", AGE_WARNING % (14, "Mon 2 Mar 2026", IPT, "ages 18 and over"))
    assert not Course.objects.exists()
    assert client.post(url(young), form_data(age_confirmed="on")).status_code == 302
    assert Course.objects.get().protocol_key == "ipt-standard"


@pytest.mark.parametrize(
    ("protocol_key", "start", "warned"),
    [
        # Born 10 Mar 2008: 17 until 9 Mar 2026, 18 from 10 Mar 2026 (the course's first day counts).
        ("ipt-adolescent", date(2026, 3, 9), False),
        ("ipt-adolescent", date(2026, 3, 10), True),
        ("ipt-standard", date(2026, 3, 9), True),
        ("ipt-standard", date(2026, 3, 10), False),
    ],
)
def test_the_age_is_taken_on_the_start_date(
    alice: User, client_a: Client, protocol_key: str, start: date, warned: bool
) -> None:
    young = adolescent(alice, client_a, date(2008, 3, 10))

    if warned:
        with pytest.raises(ValidationError) as caught:
            start_course(alice, young, protocol_key=protocol_key, start_date=start)
        assert list(caught.value.message_dict) == ["age_confirmed"]
        assert not Course.objects.exists()
        start_course(alice, young, protocol_key=protocol_key, start_date=start, age_confirmed=True)
    else:
        start_course(alice, young, protocol_key=protocol_key, start_date=start)
    assert Course.objects.get().protocol_key == protocol_key


def test_it_books_the_sessions_at_the_time_chosen(client: HttpClient, alice: User, client_a: Client) -> None:
    client.force_login(alice)

    client.post(url(client_a), form_data(start_time="16:30"))

    course = Course.objects.get()
    assert {(s.start_time.strftime("%H:%M"), s.duration_minutes) for s in course.sessions.all()} == {
        ("16:30", 50)
    }


def test_a_start_on_a_closed_day_books_the_next_working_day(
    client: HttpClient, alice: User, client_a: Client
) -> None:
    client.force_login(alice)

    client.post(url(client_a), form_data(start_date="2026-02-28"))  # a Saturday

    dates = [d for _, d, _ in schedule(Course.objects.get())]
    assert dates[:2] == [date(2026, 3, 2), date(2026, 3, 9)]  # Mondays


def test_it_refuses_a_weekday_the_clinic_is_closed(client: HttpClient, alice: User, client_a: Client) -> None:
    client.force_login(alice)

    response = client.post(url(client_a), form_data(weekday="6"))

    assert response.status_code == 400
    assert "The clinic is closed on Sunday. Choose one of its working days." in response.content.decode()
    assert not Course.objects.exists()


def test_it_keeps_to_the_organisations_own_working_days(alice: User, client_a: Client) -> None:
    client_a.organisation.working_days = "56"  # a weekend clinic
    client_a.organisation.save(update_fields=["working_days"])

    course = start_course(alice, client_a, protocol_key="ipt-standard", start_date=date(2026, 3, 2))

    assert {s.scheduled_date.weekday() for s in course.sessions.all()} == {5}  # Saturdays


def test_it_names_every_problem_at_once_in_words(client: HttpClient, alice: User, client_a: Client) -> None:
    client.force_login(alice)

    response = client.post(
        url(client_a), form_data(protocol_key="ipt-maintenance", weekday="0", planned_sessions="40")
    )

    assert response.status_code == 400
    errors = response.context["form"].errors
    assert set(errors) == {"planned_sessions", "weekday"}
    assert all("ipt-" not in m for messages in errors.values() for m in messages)  # names, never keys
    assert not Course.objects.exists()

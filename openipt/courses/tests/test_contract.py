"""The treatment contract: number of sessions within the protocol's range (which resizes the
schedule), focus, goals, missed sessions, the date agreed; stale saves refused."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client as HttpClient
from django.urls import reverse
from pytest_django.asserts import assertRedirects

from openipt.accounts.models import User
from openipt.audit.models import AuditEvent
from openipt.clients.models import Client
from openipt.courses.actions import end_course, record_attendance, set_task, start_course
from openipt.courses.formulation_actions import set_contract
from openipt.courses.models import Contract, Course, CourseStatus, Session
from openipt.inventory.formulation import DEFAULT_GOALS


@pytest.fixture(autouse=True)
def _today(time_machine: Any) -> None:
    time_machine.move_to(datetime(2026, 4, 20, 12, 0, tzinfo=UTC), tick=False)


def url(course: Course) -> str:
    return reverse("formulation:contract", args=[course.pk])


def schedule(course: Course) -> list[tuple[int, date, str, str]]:
    """The live sessions: number, date, phase and attendance."""
    return list(
        Session.objects.filter(course=course)
        .exclude(attendance="cancelled")
        .order_by("number")
        .values_list("number", "scheduled_date", "phase_key", "attendance")
    )


def form(**overrides: Any) -> dict[str, Any]:
    data = {
        "sessions": "16",
        "focus": "The dispute with her sister",
        "goals": "- Talk with Ana without shouting",
        "missed_sessions": "Text the clinic the day before.",
        "agreed_on": "2026-03-16",
        "version": "",
    }
    return {**data, **overrides}


def contract_kwargs(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "sessions": 16,
        "focus": "Focus",
        "goals": "Goals",
        "missed_sessions": "",
        "agreed_on": date(2026, 3, 16),
        "base_version": None,
    }
    return {**data, **overrides}


def test_it_saves_the_contract_without_changing_the_schedule(
    client: HttpClient, alice: User, course_a: Course
) -> None:
    before = schedule(course_a)
    client.force_login(alice)
    response = client.post(url(course_a), form())
    assertRedirects(response, url(course_a), fetch_redirect_response=False)
    contract = Contract.objects.get(course=course_a)
    assert (contract.sessions, contract.focus, contract.agreed_on, contract.version) == (
        16,
        "The dispute with her sister",
        date(2026, 3, 16),
        1,
    )
    assert contract.missed_sessions == "Text the clinic the day before."
    assert schedule(course_a) == before
    event = AuditEvent.objects.get(action="contract.set")
    assert (event.actor, event.client_id, event.object_id) == (alice, course_a.client_id, str(contract.pk))
    assert not AuditEvent.objects.filter(action="course.resize").exists()
    assert "Contract saved: 16 sessions." in client.get(response["Location"]).content.decode()


def test_it_shortens_16_to_12_dropping_13_to_16_and_moving_termination(
    client: HttpClient, alice: User, course_a: Course
) -> None:
    first_twelve = [d for _n, d, _p, _a in schedule(course_a)[:12]]
    client.force_login(alice)
    assert client.post(url(course_a), form(sessions="12")).status_code == 302
    rows = schedule(course_a)
    assert [n for n, *_ in rows] == list(range(1, 13))
    assert [d for _n, d, _p, _a in rows] == first_twelve
    phases = [p for _n, _d, p, _a in rows]
    assert phases == ["initial"] * 3 + ["middle"] * 6 + ["termination"] * 3
    assert not Session.objects.filter(course=course_a, number__gt=12).exists()
    assert Course.objects.get(pk=course_a.pk).planned_sessions == 12
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"contract.set", "course.resize"} <= actions
    resize = AuditEvent.objects.get(action="course.resize")
    assert (resize.object_id, resize.client_id) == (str(course_a.pk), course_a.client_id)


def test_it_lengthens_12_to_16_with_four_weekly_dates(alice: User, client_a: Client) -> None:
    course = start_course(
        alice, client_a, protocol_key="ipt-standard", start_date=date(2026, 3, 2), planned_sessions=12
    )
    before = schedule(course)
    assert before[-1][1] == date(2026, 5, 18)
    set_contract(alice, course, **contract_kwargs(sessions=16))
    rows = schedule(course)
    assert rows[:9] == before[:9]  # initial and middle sessions keep their dates and phases
    assert [d for _n, d, _p, _a in rows[12:]] == [
        date(2026, 5, 25),
        date(2026, 6, 1),
        date(2026, 6, 8),
        date(2026, 6, 15),
    ]
    assert [n for n, *_ in rows] == list(range(1, 17))
    assert [p for _n, _d, p, _a in rows] == ["initial"] * 3 + ["middle"] * 10 + ["termination"] * 3
    assert Course.objects.get(pk=course.pk).planned_sessions == 16


def test_held_sessions_keep_their_phase(alice: User, course_a: Course) -> None:
    first = Session.objects.get(course=course_a, number=1)
    record_attendance(alice, first, attendance="attended", modality="in_person")
    set_contract(alice, course_a, **contract_kwargs(sessions=12))
    assert schedule(course_a)[0][2:] == ("initial", "attended")


def test_it_refuses_to_drop_a_session_with_attendance_recorded(
    client: HttpClient, alice: User, course_a: Course
) -> None:
    # A client who came to session 14 early (for instance after sessions were moved).
    session = Session.objects.get(course=course_a, number=14)
    Session.objects.filter(pk=session.pk).update(attendance="no_show")
    before = schedule(course_a)
    client.force_login(alice)
    response = client.post(url(course_a), form(sessions="12"))
    assert response.status_code == 400
    assert response.context["form"].errors["sessions"] == [
        "Session 14 already has its attendance recorded, so the course cannot be shortened to 12 sessions."
    ]
    assert schedule(course_a) == before
    assert Course.objects.get(pk=course_a.pk).planned_sessions == 16
    assert not Contract.objects.exists()
    assert not AuditEvent.objects.filter(action__in=["contract.set", "course.resize"]).exists()


def test_it_refuses_to_drop_a_session_with_work_recorded(alice: User, course_a: Course) -> None:
    session = Session.objects.get(course=course_a, number=15)
    set_task(alice, session, task_key="review_progress", done=True, note="Early review")
    before = schedule(course_a)
    with pytest.raises(ValidationError) as exc:
        set_contract(alice, course_a, **contract_kwargs(sessions=12))
    assert exc.value.message_dict == {
        "sessions": [
            "Session 15 already has work recorded against it (a measure, a note or agenda tasks), "
            "so the course cannot be shortened to 12 sessions."
        ]
    }
    assert schedule(course_a) == before
    assert not Contract.objects.exists()


@pytest.mark.parametrize("sessions", ["11", "17", "0", "-3"])
def test_it_refuses_a_number_outside_the_protocols_range(
    client: HttpClient, alice: User, course_a: Course, sessions: str
) -> None:
    before = schedule(course_a)
    client.force_login(alice)
    response = client.post(url(course_a), form(sessions=sessions))
    assert response.status_code == 400
    assert response.context["form"].errors["sessions"] == [
        f"The number of sessions must be between 12 and 16 for "
        f"Interpersonal Psychotherapy (IPT), standard weekly course, not {sessions}."
    ]
    assert "between 12 and 16" in response.content.decode()
    assert "ipt-standard" not in response.content.decode()
    assert schedule(course_a) == before
    assert not Contract.objects.exists()
    assert not AuditEvent.objects.filter(action="contract.set").exists()


def test_a_fixed_length_protocol_names_its_one_number(alice: User, client_a: Client) -> None:
    course = start_course(alice, client_a, protocol_key="ipt-brief", start_date=date(2026, 3, 2))
    with pytest.raises(ValidationError) as exc:
        set_contract(alice, course, **contract_kwargs(sessions=10))
    assert exc.value.message_dict["sessions"] == [
        "Brief IPT (IPT-B): engagement session + 8 sessions always has exactly 9 sessions, not 10."
    ]


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"sessions": ""}, "sessions", "This field is required."),
        ({"sessions": "twelve"}, "sessions", "Enter a whole number."),
        (
            {"agreed_on": "2026-03-01"},
            "agreed_on",
            "The date of agreement cannot be before the course started (Mon 2 Mar 2026).",
        ),
        ({"agreed_on": "2026-04-21"}, "agreed_on", "The date of agreement cannot be in the future."),
        ({"agreed_on": "31/02/2026"}, "agreed_on", "Enter a valid date."),
        (
            {"goals": "x" * 5001},
            "goals",
            ("This can be at most 5,000 characters (you have 5,001). Shorten it, then save again."),
        ),
    ],
)
def test_it_refuses_bad_input_and_changes_nothing(
    client: HttpClient, alice: User, course_a: Course, data: dict[str, str], field: str, message: str
) -> None:
    before = schedule(course_a)
    client.force_login(alice)
    response = client.post(url(course_a), form(**{"sessions": "12", **data}))
    assert response.status_code == 400
    assert response.context["form"].errors[field] == [message]
    assert response.context["form"]["focus"].value() == "The dispute with her sister"  # typed text kept
    assert schedule(course_a) == before
    assert not Contract.objects.exists()


def test_today_is_a_valid_date_of_agreement(alice: User, course_a: Course) -> None:
    contract = set_contract(alice, course_a, **contract_kwargs(agreed_on=date(2026, 4, 20)))
    assert contract.agreed_on == date(2026, 4, 20)


def test_the_date_may_stay_empty_until_agreed(alice: User, course_a: Course) -> None:
    assert set_contract(alice, course_a, **contract_kwargs(agreed_on=None)).agreed_on is None


def test_it_updates_with_the_version_and_refuses_a_stale_save(
    client: HttpClient, alice: User, course_a: Course
) -> None:
    first = set_contract(alice, course_a, **contract_kwargs())
    second = set_contract(alice, course_a, **contract_kwargs(focus="Grief", base_version=first.version))
    assert second.version == 2
    client.force_login(alice)
    response = client.post(url(course_a), form(sessions="12", focus="My own words", version="1"))
    assert response.status_code == 400
    assert response.context["form"].non_field_errors() == [
        "Someone saved the contract after you opened this page, so nothing was saved."
    ]
    assert response.context["form"]["focus"].value() == "My own words"
    assert response.context["form"]["version"].value() == "2"  # saving again is deliberate
    assert response.context["conflict"].focus == "Grief"
    stored = Contract.objects.get(course=course_a)
    assert (stored.focus, stored.sessions, stored.version) == ("Grief", 16, 2)
    assert Course.objects.get(pk=course_a.pk).planned_sessions == 16
    assert AuditEvent.objects.filter(action="contract.set").count() == 2


def test_a_first_contract_is_refused_when_someone_saved_one_meanwhile(alice: User, course_a: Course) -> None:
    set_contract(alice, course_a, **contract_kwargs())
    with pytest.raises(ValidationError):
        set_contract(alice, course_a, **contract_kwargs(sessions=12))
    assert Course.objects.get(pk=course_a.pk).planned_sessions == 16


def test_an_ended_course_refuses_a_contract(alice: User, course_a: Course) -> None:
    end_course(alice, course_a, status=CourseStatus.ENDED_EARLY, ended_on=date(2026, 4, 1), reason="Moved")
    with pytest.raises(ValidationError, match="This course has ended"):
        set_contract(alice, course_a, **contract_kwargs(sessions=12))
    assert len(schedule(course_a)) == 16


def test_the_form_starts_from_the_course_and_the_chosen_area(
    client: HttpClient, alice: User, course_a: Course
) -> None:
    from openipt.courses.formulation_actions import choose_problem_areas

    choose_problem_areas(alice, course_a, areas=["role_transition"], rationale="New job", base_version=None)
    client.force_login(alice)
    response = client.get(url(course_a))
    assert response.status_code == 200
    initial = response.context["form"].initial
    assert initial["sessions"] == 16
    assert initial["focus"] == "A change in your life that has been hard"  # the client's words
    assert initial["goals"] == "\n".join(f"- {goal}" for goal in DEFAULT_GOALS["role_transition"])
    body = response.content.decode()
    assert "Between 12 and 16 for this protocol." in body
    assert "Mon 2 Mar 2026" in body  # the schedule beside the form
    assert "Initial phase: 1–3 · Middle phase: 4–13 · Termination phase: 14–16" in body


def test_bob_reads_the_contract_but_cannot_change_it(
    client: HttpClient, alice: User, bob: User, course_a: Course
) -> None:
    set_contract(alice, course_a, **contract_kwargs(focus="Grief"))
    client.force_login(bob)
    response = client.get(url(course_a))
    assert response.status_code == 200
    assert response.context["form"] is None
    assert "Grief" in response.content.decode()
    assert client.post(url(course_a), form(sessions="12", version="1")).status_code == 403
    assert Contract.objects.get(course=course_a).focus == "Grief"
    with pytest.raises(PermissionDenied):
        set_contract(bob, course_a, **contract_kwargs(base_version=1))


@pytest.mark.parametrize("who", ["dave", "charlie"])
def test_outsiders_get_404_and_see_no_name(
    client: HttpClient, alice: User, everyone: dict[str, User], course_a: Course, who: str
) -> None:
    set_contract(alice, course_a, **contract_kwargs())
    client.force_login(everyone[who])
    for target in (url(course_a), reverse("formulation:contract-print", args=[course_a.pk])):
        for response in (client.get(target), client.post(target, form(sessions="12", version="1"))):
            assert response.status_code == 404
            assert "Okafor" not in response.content.decode()
    assert Contract.objects.get(course=course_a).version == 1
    assert not AuditEvent.objects.filter(action="contract.print").exists()


def test_the_print_page_is_the_clients_copy_and_is_audited(
    client: HttpClient, alice: User, course_a: Course
) -> None:
    set_contract(alice, course_a, **contract_kwargs(sessions=12, focus="The change of job"))
    client.force_login(alice)
    response = client.get(reverse("formulation:contract-print", args=[course_a.pk]))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Maya Okafor" in body
    assert "We will meet 12 times, weekly, for about 50 minutes each time." in body
    assert "The change of job" in body
    assert "Mon 2 Mar 2026" in body and "Mon 18 May 2026" in body and "Mon 25 May 2026" not in body
    assert "We agreed on this together on Mon 16 Mar 2026." in body
    event = AuditEvent.objects.get(action="contract.print")
    assert (event.actor, event.client_id) == (alice, course_a.client_id)


def test_there_is_nothing_to_print_before_a_contract(
    client: HttpClient, alice: User, course_a: Course
) -> None:
    client.force_login(alice)
    response = client.get(reverse("formulation:contract-print", args=[course_a.pk]))
    assertRedirects(response, url(course_a), fetch_redirect_response=False)
    assert not AuditEvent.objects.filter(action="contract.print").exists()


def test_monthly_protocols_add_sessions_a_month_apart(alice: User, client_a: Client) -> None:
    course = start_course(
        alice, client_a, protocol_key="ipt-maintenance", start_date=date(2026, 1, 31), planned_sessions=3
    )
    set_contract(alice, course, **contract_kwargs(sessions=5, agreed_on=None))
    dates = [d for _n, d, _p, _a in schedule(course)]
    # Sat 31 Jan 2026 on a Monday-to-Friday clinic: the first Monday of each month
    assert dates == [
        date(2026, 2, 2),
        date(2026, 3, 2),
        date(2026, 4, 6),
        date(2026, 5, 4),
        date(2026, 6, 1),
    ]

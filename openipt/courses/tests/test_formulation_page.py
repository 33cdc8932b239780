"""The formulation page: suggested areas with strength and reasons, the reminder that the suggestion
never decides, what the initial phase covered and when, access, and a fixed number of queries."""

from __future__ import annotations

import dataclasses
from datetime import date
from typing import Any

import pytest
from django.test import Client as HttpClient
from django.urls import reverse

from openipt.accounts.models import User
from openipt.courses.actions import cancel_session, record_attendance, set_task
from openipt.courses.formulation_actions import choose_problem_areas, save_formulation, set_contract
from openipt.courses.models import Course, Formulation, Session
from openipt.inventory.models import LifeEvent, Person


def page(course: Course) -> str:
    return reverse("formulation:formulation", args=[course.pk])


def session(course: Course, n: int) -> Session:
    return Session.objects.get(course=course, number=n, attendance__in=["scheduled", "attended"])


def add_loss(course: Course, alice: User, name: str = "Grace", on: date = date(2026, 1, 10)) -> Person:
    person = Person.objects.create(
        client=course.client, name=name, relationship="parent", ring="inner", created_by=alice
    )
    event = LifeEvent.objects.create(client=course.client, kind="death", on=on, created_by=alice)
    event.people.add(person)
    return person


def test_it_shows_each_area_with_strength_reasons_and_the_reminder(
    client: HttpClient, alice: User, course_a: Course
) -> None:
    add_loss(course_a, alice)
    Course.objects.filter(pk=course_a.pk).update(onset_date=date(2026, 2, 1))
    client.force_login(alice)
    response = client.get(page(course_a))
    assert response.status_code == 200
    rows = response.context["areas"]
    assert [(r.area.key, r.strength) for r in rows] == [
        ("grief", "strong"),
        ("role_dispute", "none"),
        ("role_transition", "none"),
        ("interpersonal_deficits", "none"),
    ]
    body = response.content.decode()
    assert "The suggestion never decides." in body
    assert "the clinician decides" in body
    assert "Strongly suggested" in body
    grief = body[body.index('id="area-grief-why"') :]
    assert "Grace (Parent)" in grief and "Sat 10 Jan 2026" in grief.split("</div>")[0]
    assert "Maya Okafor" in body  # the banner


def test_a_mothers_death_after_the_onset_is_offered_as_grief_not_isolation(
    client: HttpClient, alice: User, course_a: Course
) -> None:
    """The client's mother, her only close tie, died 45 days after the onset: the clinician is
    offered grief, told it happened while the depression continued, and never told that no death
    is recorded."""
    add_loss(course_a, alice, name="Rose", on=date(2026, 5, 1))
    Course.objects.filter(pk=course_a.pk).update(onset_date=date(2026, 3, 17))
    client.force_login(alice)
    response = client.get(page(course_a))
    assert [(r.area.key, r.strength) for r in response.context["areas"]] == [
        ("grief", "possible"),
        ("role_dispute", "none"),
        ("role_transition", "none"),
        ("interpersonal_deficits", "none"),
    ]
    body = response.content.decode()
    grief = body[body.index('id="area-grief-why"') :].split("</div>")[0]
    assert "Rose (Parent) died on Fri 1 May 2026, 6 weeks after the depression began." in grief
    assert "after the onset, while the depression continued" in grief
    deficits = body[body.index('id="area-interpersonal_deficits-why"') :].split("</div>")[0]
    assert "Not considered while another area has evidence" in deficits
    assert "No death, dispute or life change" not in body
    assert "[S" not in body


def test_the_protocols_continuation_days_set_the_window(
    client: HttpClient, alice: User, course_a: Course, monkeypatch: pytest.MonkeyPatch
) -> None:
    uncle = Person.objects.create(
        client=course_a.client, name="Bill", relationship="other_family", ring="middle", created_by=alice
    )
    LifeEvent.objects.create(
        client=course_a.client, kind="death", on=date(2026, 7, 15), created_by=alice
    ).people.add(uncle)
    Course.objects.filter(pk=course_a.pk).update(onset_date=date(2026, 3, 17))  # 120 days before the death
    client.force_login(alice)

    def grief(response: Any) -> Any:
        return next(r for r in response.context["areas"] if r.area.key == "grief")

    assert grief(client.get(page(course_a))).strength == "none"  # 90 days: set aside
    longer = dataclasses.replace(course_a.protocol, continuation_days=180)
    monkeypatch.setattr(Course, "protocol", property(lambda self: longer))
    row = grief(client.get(page(course_a)))
    assert row.strength == "possible"
    assert "after the onset, while the depression continued" in row.reasons[0]


def test_nothing_recorded_says_what_to_record(client: HttpClient, alice: User, course_a: Course) -> None:
    client.force_login(alice)
    body = client.get(page(course_a)).content.decode()
    assert "No onset date recorded" in body
    assert "Not suggested" in body
    assert reverse("inventory:people", args=[course_a.client_id]) in body
    assert reverse("inventory:timeline", args=[course_a.client_id]) in body


def test_it_lists_the_initial_phase_tasks_covered_with_dates_and_notes(
    client: HttpClient, alice: User, course_a: Course
) -> None:
    one, two = session(course_a, 1), session(course_a, 2)
    record_attendance(alice, one, attendance="attended", modality="in_person")
    set_task(alice, two, task_key="sick_role", done=True, note="Excused from the night shifts for now.")
    set_task(alice, one, task_key="psychoeducation", done=True, note="Leaflet given.")
    set_task(alice, one, task_key="name_diagnosis", done=False, note="Not yet")
    set_task(alice, one, task_key="interval_review", done=True, note="")  # a middle-phase task
    client.force_login(alice)
    response = client.get(page(course_a))
    done = response.context["coverage"].done
    assert [
        (c.title, [(r.session.number, r.session.scheduled_date, r.note) for r in c.times]) for c in done
    ] == [
        ("Explain depression and its treatment", [(1, date(2026, 3, 2), "Leaflet given.")]),
        ("Give the sick role", [(2, date(2026, 3, 9), "Excused from the night shifts for now.")]),
    ]
    body = response.content.decode()
    assert "Excused from the night shifts for now." in body
    assert "session 2, Mon 9 Mar 2026" in body
    assert "Name the diagnosis" in response.context["coverage"].open_titles


def test_a_task_ticked_at_a_cancelled_appointment_is_not_listed(
    client: HttpClient, alice: User, course_a: Course
) -> None:
    two = session(course_a, 2)
    set_task(alice, two, task_key="sick_role", done=True, note="")
    cancel_session(alice, two)
    client.force_login(alice)
    assert client.get(page(course_a)).context["coverage"].done == []


def test_the_contract_is_summarised_and_linked(client: HttpClient, alice: User, course_a: Course) -> None:
    set_contract(
        alice,
        course_a,
        sessions=12,
        focus="",
        goals="",
        missed_sessions="",
        agreed_on=None,
        base_version=None,
    )
    client.force_login(alice)
    body = client.get(page(course_a)).content.decode()
    assert "12 sessions, not agreed yet." in body
    assert reverse("formulation:contract", args=[course_a.pk]) in body


def test_bob_sees_the_page_without_forms(
    client: HttpClient, alice: User, bob: User, course_a: Course
) -> None:
    choose_problem_areas(alice, course_a, areas=["grief"], rationale="Grace died", base_version=None)
    save_formulation(
        alice, course_a, text="Our formulation", client_agreed=False, agreed_on=None, base_version=1
    )
    client.force_login(bob)
    response = client.get(page(course_a))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Our formulation" in body and "Grace died" in body
    assert "<form" not in body.split('id="areas-h"')[1].split("</main>")[0].replace('class="logout"', "")
    assert 'name="areas"' not in body


@pytest.mark.parametrize("who", ["dave", "charlie"])
def test_outsiders_get_404_on_every_formulation_url(
    client: HttpClient, alice: User, everyone: dict[str, User], course_a: Course, who: str
) -> None:
    choose_problem_areas(alice, course_a, areas=["grief"], rationale="Okafor family loss", base_version=None)
    save_formulation(alice, course_a, text="Okafor text", client_agreed=False, agreed_on=None, base_version=1)
    client.force_login(everyone[who])
    posts = {"areas": ["role_transition"], "rationale": "x", "text": "x", "version": "2"}
    for name in ("formulation", "choose", "save", "print"):
        target = reverse(f"formulation:{name}", args=[course_a.pk])
        for response in (client.get(target), client.post(target, posts)):
            assert response.status_code in (404, 405), (name, response.status_code)
            assert "Okafor" not in response.content.decode()
        if name != "formulation":
            assert client.post(target, posts).status_code == 404
    stored = Formulation.objects.get(course=course_a)
    assert (stored.problem_areas, stored.text, stored.version) == (["grief"], "Okafor text", 2)


def test_anonymous_users_are_sent_to_sign_in(client: HttpClient, course_a: Course) -> None:
    response = client.get(page(course_a))
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def _fill(course: Course, alice: User, n: int) -> None:
    """n more people, deaths, life changes and ticked initial-phase tasks."""
    for i in range(n):
        person = add_loss(course, alice, name=f"Person {Person.objects.count() + i}", on=date(2025, 6, 1 + i))
        change = LifeEvent.objects.create(
            client=course.client, kind="move", on=date(2026, 1, 1 + i), created_by=alice
        )
        change.people.add(person)
    tasks = ["symptom_review", "name_diagnosis", "psychoeducation", "sick_role", "medication_review"]
    for i in range(n):
        set_task(alice, session(course, 1 + i % 3), task_key=tasks[i % len(tasks)], done=True, note=f"n{i}")


def test_the_number_of_queries_does_not_grow_with_the_records(
    client: HttpClient, alice: User, course_a: Course, django_assert_num_queries: Any
) -> None:
    Course.objects.filter(pk=course_a.pk).update(onset_date=date(2026, 2, 1))
    choose_problem_areas(alice, course_a, areas=["grief"], rationale="Grace died", base_version=None)
    set_contract(
        alice,
        course_a,
        sessions=16,
        focus="",
        goals="",
        missed_sessions="",
        agreed_on=None,
        base_version=None,
    )
    client.force_login(alice)
    _fill(course_a, alice, 1)
    client.get(page(course_a))  # warm the session
    # session, user, organisation; course; formulation; people; events (one join); can_write; the
    # ticked tasks; contract; banner (course, alerts)
    with django_assert_num_queries(14):
        assert client.get(page(course_a)).status_code == 200
    _fill(course_a, alice, 5)
    with django_assert_num_queries(14):
        response = client.get(page(course_a))
    assert sum(len(c.times) for c in response.context["coverage"].done) == 5

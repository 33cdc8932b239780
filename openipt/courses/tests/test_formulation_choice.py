"""Choosing the problem area: one (two at most) of the four, with a written rationale; the stage
of a role dispute; refused input changes nothing; stale choices refused."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client as HttpClient
from django.urls import reverse
from pytest_django.asserts import assertRedirects

from openipt.accounts.models import User
from openipt.audit.models import AuditEvent
from openipt.courses.actions import end_course
from openipt.courses.formulation_actions import choose_problem_areas, save_formulation
from openipt.courses.models import Course, CourseStatus, Formulation


def url(course: Course) -> str:
    return reverse("formulation:choose", args=[course.pk])


def page(course: Course) -> str:
    return reverse("formulation:formulation", args=[course.pk])


def choose(alice: User, course: Course, **overrides: Any) -> Formulation:
    data: dict[str, Any] = {
        "areas": ["grief"],
        "rationale": "Her mother died in January.",
        "base_version": None,
    }
    return choose_problem_areas(alice, course, **{**data, **overrides})


def test_it_records_the_choice_and_audits(client: HttpClient, alice: User, course_a: Course) -> None:
    client.force_login(alice)
    response = client.post(
        url(course_a), {"areas": ["grief"], "rationale": "  Her mother died.  ", "version": ""}
    )
    assertRedirects(response, page(course_a), fetch_redirect_response=False)
    stored = Formulation.objects.get(course=course_a)
    assert (stored.problem_areas, stored.rationale, stored.dispute_stage, stored.version) == (
        ["grief"],
        "Her mother died.",
        "",
        1,
    )
    assert (stored.text, stored.client_agreed, stored.updated_by) == ("", False, alice)
    event = AuditEvent.objects.get(action="formulation.choose")
    assert (event.actor, event.client_id, event.object_id) == (alice, course_a.client_id, str(stored.pk))
    body = client.get(response["Location"]).content.decode()
    assert "Problem area saved." in body
    assert "Her mother died." in body


def test_two_areas_are_allowed(alice: User, course_a: Course) -> None:
    stored = choose(alice, course_a, areas=["role_transition", "grief"])
    assert stored.problem_areas == ["role_transition", "grief"]


def test_a_role_dispute_records_its_stage(client: HttpClient, alice: User, course_a: Course) -> None:
    client.force_login(alice)
    data = {"areas": ["role_dispute"], "rationale": "Rows with her sister.", "dispute_stage": "impasse"}
    assert client.post(url(course_a), {**data, "version": ""}).status_code == 302
    assert Formulation.objects.get(course=course_a).dispute_stage == "impasse"
    assert "Role dispute (stage: impasse)" in client.get(page(course_a)).content.decode()


def test_a_stage_without_a_role_dispute_is_not_kept(alice: User, course_a: Course) -> None:
    assert choose(alice, course_a, dispute_stage="impasse").dispute_stage == ""


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        (
            {"rationale": "Because"},
            "areas",
            "Choose a problem area: grief, role dispute, role transition or interpersonal deficits.",
        ),
        (
            {"areas": ["loneliness"], "rationale": "Because"},
            "areas",
            '"loneliness" is not a problem area: choose from grief, role dispute, role transition, '
            "interpersonal deficits.",
        ),
        (
            {"areas": ["grief", "role_transition", "interpersonal_deficits"], "rationale": "Because"},
            "areas",
            "Choose one problem area, or two at most: the manuals advise a single focus to keep the "
            "treatment organised.",
        ),
        (
            {"areas": ["grief", "grief"], "rationale": "Because"},
            "areas",
            "grief is chosen more than once: choose each problem area once.",
        ),
        (
            {"areas": ["grief"], "rationale": "   "},
            "rationale",
            "Write why you chose this area: what in the client's story points to it.",
        ),
        (
            {"areas": ["role_dispute"], "rationale": "Because"},
            "dispute_stage",
            "Say which stage the dispute is at: renegotiation, impasse or dissolution.",
        ),
        (
            {"areas": ["role_dispute"], "rationale": "Because", "dispute_stage": "divorce"},
            "dispute_stage",
            "Select a valid choice. divorce is not one of the available choices.",
        ),
        (
            {"areas": ["grief"], "rationale": "x" * 5001},
            "rationale",
            ("This can be at most 5,000 characters (you have 5,001). Shorten it, then save again."),
        ),
    ],
)
def test_it_refuses_bad_input_and_changes_nothing(
    client: HttpClient, alice: User, course_a: Course, data: dict[str, Any], field: str, message: str
) -> None:
    client.force_login(alice)
    response = client.post(url(course_a), {**data, "version": ""})
    assert response.status_code == 400
    assert response.context["choose_form"].errors[field] == [message]
    body = response.content.decode()
    assert 'id="id_areas_error"' in body or f'id="id_{field}_error"' in body  # beside the field
    assert not Formulation.objects.exists()
    assert not AuditEvent.objects.filter(action="formulation.choose").exists()


def test_refused_input_keeps_what_was_typed(client: HttpClient, alice: User, course_a: Course) -> None:
    client.force_login(alice)
    data = {"areas": ["grief", "role_dispute", "role_transition"], "rationale": "My reasons", "version": ""}
    body = client.post(url(course_a), data).content.decode()
    assert (
        'value="role_dispute" id="id_areas_role_dispute" aria-describedby="area-role_dispute-why" checked'
        in body
    )
    assert "My reasons</textarea>" in body


def test_changing_the_area_updates_the_version_and_clears_the_agreement(
    alice: User, course_a: Course
) -> None:
    first = choose(alice, course_a)
    agreed = save_formulation(
        alice,
        course_a,
        text="Text",
        client_agreed=True,
        agreed_on=date(2026, 3, 16),
        base_version=first.version,
    )
    same = choose(alice, course_a, rationale="Clearer now", base_version=agreed.version)
    assert (same.version, same.client_agreed, same.agreed_on) == (3, True, date(2026, 3, 16))
    changed = choose(alice, course_a, areas=["role_transition"], base_version=same.version)
    assert (changed.version, changed.client_agreed, changed.agreed_on) == (4, False, None)
    assert changed.text == "Text"
    assert AuditEvent.objects.filter(action="formulation.choose").count() == 3


def test_a_stale_choice_is_refused(client: HttpClient, alice: User, course_a: Course) -> None:
    choose(alice, course_a)
    choose(alice, course_a, areas=["role_transition"], base_version=1)
    client.force_login(alice)
    response = client.post(url(course_a), {"areas": ["grief"], "rationale": "Mine", "version": "1"})
    assert response.status_code == 400
    assert response.context["choose_form"].non_field_errors() == [
        "Someone saved the formulation after you opened this page, so nothing was saved."
    ]
    assert Formulation.objects.get(course=course_a).problem_areas == ["role_transition"]
    with pytest.raises(ValidationError):
        choose(alice, course_a, base_version=None)  # a "first" choice when one exists


def test_an_ended_course_refuses_a_choice(alice: User, course_a: Course) -> None:
    end_course(alice, course_a, status=CourseStatus.ENDED_EARLY, ended_on=date(2026, 4, 1), reason="Moved")
    with pytest.raises(ValidationError, match="This course has ended"):
        choose(alice, course_a)
    assert not Formulation.objects.exists()


def test_bob_may_not_choose(client: HttpClient, bob: User, course_a: Course) -> None:
    client.force_login(bob)
    response = client.post(url(course_a), {"areas": ["grief"], "rationale": "Because", "version": ""})
    assert response.status_code == 403
    with pytest.raises(PermissionDenied):
        choose(bob, course_a)
    assert not Formulation.objects.exists()


def test_get_is_not_allowed(client: HttpClient, alice: User, course_a: Course) -> None:
    client.force_login(alice)
    assert client.get(url(course_a)).status_code == 405


def test_after_a_stale_choice_saving_again_is_deliberate(
    client: HttpClient, alice: User, course_a: Course
) -> None:
    choose(alice, course_a)
    choose(alice, course_a, areas=["role_transition"], base_version=1)
    client.force_login(alice)
    data = {"areas": ["grief"], "rationale": "Mine", "version": "1"}
    form = client.post(url(course_a), data).context["choose_form"]
    assert form["version"].value() == "2"
    assert form["rationale"].value() == "Mine"
    assert client.post(url(course_a), {**data, "version": "2"}).status_code == 302
    assert Formulation.objects.get(course=course_a).problem_areas == ["grief"]


def test_an_ended_course_shows_the_refusal_on_the_page(
    client: HttpClient, alice: User, course_a: Course
) -> None:
    end_course(alice, course_a, status=CourseStatus.ENDED_EARLY, ended_on=date(2026, 4, 1), reason="Moved")
    client.force_login(alice)
    assert client.get(page(course_a)).context["choose_form"] is None  # read-only once ended
    response = client.post(url(course_a), {"areas": ["grief"], "rationale": "Because", "version": ""})
    assert response.status_code == 400
    assert "This course has ended; it can no longer be changed." in response.content.decode()
    assert not Formulation.objects.exists()


def test_every_problem_is_named_at_once(client: HttpClient, alice: User, course_a: Course) -> None:
    client.force_login(alice)
    response = client.post(url(course_a), {"areas": ["role_dispute", "role_dispute"], "version": ""})
    assert response.status_code == 400
    assert set(response.context["choose_form"].errors) == {"areas", "rationale", "dispute_stage"}
    assert not Formulation.objects.exists()


def test_a_repeated_area_is_named_in_the_users_language(
    alice: User, course_a: Course, monkeypatch: pytest.MonkeyPatch
) -> None:
    from openipt.courses import formulation_actions

    translations = {"role dispute": "conflit de rôle"}
    monkeypatch.setattr(formulation_actions, "_", lambda text: translations.get(text, text))
    with pytest.raises(ValidationError) as refused:
        choose(alice, course_a, areas=["role_dispute", "role_dispute"], rationale="Because")
    assert refused.value.message_dict["areas"] == [
        "conflit de rôle is chosen more than once: choose each problem area once."
    ]

"""The formulation text: a draft from the records, edited and saved with the client's agreement;
stale saves refused with the typed text kept; the printable client copy."""

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
from openipt.courses.formulation_actions import choose_problem_areas, save_formulation
from openipt.courses.models import Course, Formulation
from openipt.inventory.models import LifeEvent, Person


@pytest.fixture(autouse=True)
def _today(time_machine: Any) -> None:
    time_machine.move_to(datetime(2026, 4, 20, 12, 0, tzinfo=UTC), tick=False)


@pytest.fixture
def chosen(alice: User, course_a: Course) -> Formulation:
    return choose_problem_areas(alice, course_a, areas=["grief"], rationale="Mother died", base_version=None)


def url(course: Course) -> str:
    return reverse("formulation:save", args=[course.pk])


def page(course: Course) -> str:
    return reverse("formulation:formulation", args=[course.pk])


def stored(course: Course) -> tuple[str, bool, date | None, int]:
    f = Formulation.objects.get(course=course)
    return (f.text, f.client_agreed, f.agreed_on, f.version)


def test_the_draft_names_the_illness_and_the_chosen_area(
    client: HttpClient, alice: User, course_a: Course
) -> None:
    mother = Person.objects.create(
        client=course_a.client, name="Grace", relationship="parent", ring="inner", created_by=alice
    )
    death = LifeEvent.objects.create(
        client=course_a.client, kind="death", on=date(2026, 1, 10), created_by=alice
    )
    death.people.add(mother)
    Course.objects.filter(pk=course_a.pk).update(onset_date=date(2026, 2, 1))
    choose_problem_areas(alice, course_a, areas=["grief"], rationale="Grace died", base_version=None)
    client.force_login(alice)
    draft = client.get(page(course_a)).context["text_form"]["text"].value()
    # The wording is the pure module's (openipt.inventory.formulation); here: its ingredients.
    assert draft.startswith("Maya, ")
    assert "you have depression" in draft and "medical illness" in draft  # the illness named
    assert "Grace (Parent)" in draft and "Sat 10 Jan 2026" in draft  # the loss, in house dates
    assert "work on grief" in draft  # the chosen area
    assert not Formulation.objects.get(course=course_a).text  # a draft until saved


def test_no_text_form_before_an_area_is_chosen(client: HttpClient, alice: User, course_a: Course) -> None:
    client.force_login(alice)
    response = client.get(page(course_a))
    assert response.context["text_form"] is None
    assert "Choose the problem area first." in response.content.decode()
    with pytest.raises(ValidationError, match="Choose the problem area before writing the formulation"):
        save_formulation(alice, course_a, text="Text", client_agreed=False, agreed_on=None, base_version=None)


def test_it_saves_the_text_and_the_agreement(
    client: HttpClient, alice: User, course_a: Course, chosen: Formulation
) -> None:
    client.force_login(alice)
    data = {"text": "Maya, since Grace died…\r\nWe will work on grief.", "client_agreed": "on"}
    response = client.post(url(course_a), {**data, "agreed_on": "2026-03-16", "version": "1"})
    assertRedirects(response, page(course_a), fetch_redirect_response=False)
    assert stored(course_a) == ("Maya, since Grace died…\nWe will work on grief.", True, date(2026, 3, 16), 2)
    actions = list(
        AuditEvent.objects.filter(action__startswith="formulation.").values_list("action", flat=True)
    )
    assert actions == ["formulation.choose", "formulation.save", "formulation.agree"]
    body = client.get(page(course_a)).content.decode()
    assert "Formulation saved." in body
    assert "The client agreed on Mon 16 Mar 2026." in body


def test_saving_again_without_a_new_agreement_writes_no_agreement_row(
    alice: User, course_a: Course, chosen: Formulation
) -> None:
    first = save_formulation(alice, course_a, text="A", client_agreed=False, agreed_on=None, base_version=1)
    save_formulation(
        alice, course_a, text="B", client_agreed=False, agreed_on=None, base_version=first.version
    )
    assert stored(course_a) == ("B", False, None, 3)
    assert not AuditEvent.objects.filter(action="formulation.agree").exists()


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"text": "  "}, "text", "Write the formulation before saving it."),
        ({"client_agreed": "on"}, "agreed_on", "Give the date the client agreed with the formulation."),
        (
            {"client_agreed": "on", "agreed_on": "2026-03-01"},
            "agreed_on",
            "The date of agreement cannot be before the course started (Mon 2 Mar 2026).",
        ),
        (
            {"client_agreed": "on", "agreed_on": "2026-04-21"},
            "agreed_on",
            "The date of agreement cannot be in the future.",
        ),
        ({"agreed_on": "2026-03-16"}, "agreed_on", "Tick “the client agrees” as well, or clear the date."),
        ({"client_agreed": "on", "agreed_on": "2026-02-30"}, "agreed_on", "Enter a valid date."),
        (
            {"text": "x" * 10_001},
            "text",
            ("This can be at most 10,000 characters (you have 10,001). Shorten it, then save again."),
        ),
    ],
)
def test_it_refuses_bad_input_and_changes_nothing(
    client: HttpClient,
    alice: User,
    course_a: Course,
    chosen: Formulation,
    data: dict[str, str],
    field: str,
    message: str,
) -> None:
    client.force_login(alice)
    response = client.post(url(course_a), {"text": "My words", "version": "1", **data})
    assert response.status_code == 400
    assert response.context["text_form"].errors[field] == [message]
    assert f'id="id_{field}_error"' in response.content.decode()
    assert response.context["text_form"]["text"].value() == data.get("text", "My words")
    assert stored(course_a) == ("", False, None, 1)
    assert not AuditEvent.objects.filter(action="formulation.save").exists()


def test_the_agreement_may_be_dated_today(alice: User, course_a: Course, chosen: Formulation) -> None:
    save_formulation(
        alice, course_a, text="T", client_agreed=True, agreed_on=date(2026, 4, 20), base_version=1
    )
    assert stored(course_a)[1:3] == (True, date(2026, 4, 20))


def test_a_stale_save_is_refused_and_the_typed_text_kept(
    client: HttpClient, alice: User, course_a: Course, chosen: Formulation
) -> None:
    save_formulation(
        alice, course_a, text="Saved by someone else", client_agreed=False, agreed_on=None, base_version=1
    )
    client.force_login(alice)
    response = client.post(url(course_a), {"text": "My own careful words", "version": "1"})
    assert response.status_code == 400
    form = response.context["text_form"]
    assert form.non_field_errors() == [
        "Someone saved the formulation after you opened this page, so nothing was saved."
    ]
    assert form["text"].value() == "My own careful words"
    assert form["version"].value() == "2"  # saving again now is a deliberate choice
    body = response.content.decode()
    assert "My own careful words</textarea>" in body
    assert "Saved by someone else" in body  # shown under the form
    assert stored(course_a) == ("Saved by someone else", False, None, 2)
    assert client.post(url(course_a), {"text": "My own careful words", "version": "2"}).status_code == 302
    assert stored(course_a)[0] == "My own careful words"


def test_bob_reads_but_cannot_save(
    client: HttpClient, bob: User, course_a: Course, chosen: Formulation
) -> None:
    client.force_login(bob)
    response = client.get(page(course_a))
    assert response.status_code == 200
    assert response.context["text_form"] is None and response.context["choose_form"] is None
    assert client.post(url(course_a), {"text": "Mine", "version": "1"}).status_code == 403
    with pytest.raises(PermissionDenied):
        save_formulation(bob, course_a, text="Mine", client_agreed=False, agreed_on=None, base_version=1)
    assert stored(course_a) == ("", False, None, 1)


# --- The client's copy ------------------------------------------------------------------------


def test_the_print_page_is_in_plain_words_and_audited(
    client: HttpClient, alice: User, course_a: Course, chosen: Formulation
) -> None:
    save_formulation(
        alice, course_a, text="Since Grace died, you have felt low.", client_agreed=True,
        agreed_on=date(2026, 3, 16), base_version=1,
    )  # fmt: skip
    client.force_login(alice)
    response = client.get(reverse("formulation:print", args=[course_a.pk]))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Maya Okafor" in body
    assert "How we understand your depression" in body
    assert "Grief: the death of someone important to you" in body
    assert "Since Grace died, you have felt low." in body
    assert "We agreed on this together on Mon 16 Mar 2026." in body
    assert "Printed Mon 20 Apr 2026." in body
    event = AuditEvent.objects.get(action="formulation.print")
    assert (event.actor, event.client_id, event.object_id) == (
        alice,
        course_a.client_id,
        str(Formulation.objects.get(course=course_a).pk),
    )


def test_bob_may_print_and_it_is_audited_as_bob(
    client: HttpClient, alice: User, bob: User, course_a: Course, chosen: Formulation
) -> None:
    save_formulation(alice, course_a, text="Text", client_agreed=False, agreed_on=None, base_version=1)
    client.force_login(bob)
    assert client.get(reverse("formulation:print", args=[course_a.pk])).status_code == 200
    assert AuditEvent.objects.get(action="formulation.print").actor == bob


def test_there_is_nothing_to_print_before_the_text_is_saved(
    client: HttpClient, alice: User, course_a: Course, chosen: Formulation
) -> None:
    client.force_login(alice)
    response = client.get(reverse("formulation:print", args=[course_a.pk]))
    assertRedirects(response, page(course_a), fetch_redirect_response=False)
    assert not AuditEvent.objects.filter(action="formulation.print").exists()

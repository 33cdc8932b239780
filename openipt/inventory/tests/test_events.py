"""Life events on the timeline and the onset of the current episode: adding, editing, dates out of
order, people of another client, and who may change them."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client as HttpClient
from django.urls import reverse

from conftest import make_user
from openipt.accounts.models import Team, User
from openipt.audit.models import AuditEvent
from openipt.clients.actions import create_client
from openipt.clients.models import Client
from openipt.courses.actions import end_course
from openipt.courses.models import Course
from openipt.inventory.actions import add_event, add_person, event_fingerprint, set_onset, update_event
from openipt.inventory.models import LifeEvent, Person

NOW = datetime(2026, 3, 10, 9, 30, tzinfo=UTC)


@pytest.fixture(autouse=True)
def frozen(time_machine):
    time_machine.move_to(NOW, tick=False)


@pytest.fixture
def dan(alice: User, client_a: Client) -> Person:
    return add_person(alice, client_a, name="Dan", relationship="partner", ring="inner")


@pytest.fixture
def stranger(alice: User, north_team: Team) -> Person:
    """A person in the inventory of another of alice's clients."""
    other = create_client(
        alice,
        team=north_team,
        clinic_identifier="NS-2",
        given_name="Sam",
        family_name="Reyes",
        preferred_name="",
        date_of_birth=date(1990, 1, 1),
        email="",
        phone="",
        locale="en-gb",
    )
    return add_person(alice, other, name="Sam's brother", relationship="sibling", ring="inner")


def add_url(client: Client) -> str:
    return reverse("inventory:event-add", args=[client.pk])


def onset_url(client: Client) -> str:
    return reverse("inventory:onset", args=[client.pk])


def errors_of(html: str, field: str) -> list[str]:
    match = re.search(rf'<ul class="errorlist" id="id_{field}_error">(.*?)</ul>', html, re.S)
    return re.findall(r"<li>(.*?)</li>", match.group(1)) if match else []


# ---- Adding and editing events ----


def test_it_adds_an_event_with_the_people_involved(
    client: HttpClient, alice: User, client_a: Client, dan: Person
) -> None:
    client.force_login(alice)

    r = client.post(
        add_url(client_a),
        {
            "kind": "separation",
            "on": "2025-12-01",
            "description": " Dan moved  out ",
            "people": [str(dan.pk)],
        },
    )

    assert r.status_code == 302
    assert r["Location"] == reverse("inventory:timeline", args=[client_a.pk])
    event = LifeEvent.objects.get()
    assert (event.client, event.kind, event.on, event.description) == (
        client_a,
        "separation",
        date(2025, 12, 1),
        "Dan moved out",
    )
    assert list(event.people.all()) == [dan]
    audit = AuditEvent.objects.get(action="life_event.add")
    assert (audit.client_id, audit.object_id) == (client_a.pk, str(event.pk))
    page = client.get(r["Location"]).content.decode()
    assert "Event added to the timeline." in page
    assert "Mon 1 Dec 2025" in page


def test_it_edits_an_event(client: HttpClient, alice: User, client_a: Client, dan: Person) -> None:
    event = add_event(alice, client_a, kind="move", on=date(2025, 6, 1), description="To Leeds")
    client.force_login(alice)
    url = reverse("inventory:event-edit", args=[event.pk])
    page = client.get(url).content.decode()
    base = re.search(r'name="base" value="([0-9a-f]+)"', page)
    assert base is not None
    assert 'value="2025-06-01"' in page

    r = client.post(
        url,
        {
            "kind": "job_change",
            "on": "2025-07-01",
            "description": "New job in Leeds",
            "people": [str(dan.pk)],
            "base": base.group(1),
        },
    )

    assert r.status_code == 302
    event.refresh_from_db()
    assert (event.kind, event.on, event.description) == ("job_change", date(2025, 7, 1), "New job in Leeds")
    assert list(event.people.all()) == [dan]
    assert AuditEvent.objects.filter(action="life_event.update", object_id=str(event.pk)).count() == 1


def test_an_edit_after_someone_elses_is_refused_with_the_input_kept(
    client: HttpClient, alice: User, north_team: Team, client_a: Client
) -> None:
    colleague = make_user("carol", alice.organisation, "clinician", north_team)
    event = add_event(alice, client_a, kind="move", on=date(2025, 6, 1), description="To Leeds")
    opened = event_fingerprint(event, [])
    update_event(colleague, event, base=opened, kind="move", on=date(2025, 6, 2), description="To York")
    client.force_login(alice)
    url = reverse("inventory:event-edit", args=[event.pk])
    typed = {"kind": "move", "on": "2025-06-01", "description": "My words", "base": opened}

    r = client.post(url, typed)

    assert r.status_code == 400
    html = r.content.decode()
    assert "Someone changed this event after you opened the form, so nothing was saved." in html
    assert 'value="My words"' in html
    assert "To York" in html[html.index("As saved by someone else") :]
    event.refresh_from_db()
    assert event.description == "To York"

    new_base = re.search(r'name="base" value="([0-9a-f]+)"', html)
    assert new_base is not None and new_base.group(1) != opened
    r = client.post(url, {**typed, "base": new_base.group(1)})

    assert r.status_code == 302
    event.refresh_from_db()
    assert event.description == "My words"


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"on": "2026-03-11"}, "on", "The date cannot be in the future."),
        (
            {"on": "1988-04-11"},
            "on",
            "Dates out of order: this is before the client&#x27;s birth (Tue 12 Apr 1988).",
        ),
        ({"on": ""}, "on", "This field is required."),
        ({"kind": "wedding"}, "kind", "Select a valid choice."),
        (
            {"description": "d" * 301},
            "description",
            ("This can be at most 300 characters (you have 301). Shorten it, then save again."),
        ),
    ],
)
def test_bad_event_input_is_refused_beside_the_field(
    client: HttpClient,
    alice: User,
    client_a: Client,
    dan: Person,
    data: dict[str, str],
    field: str,
    message: str,
) -> None:
    client.force_login(alice)
    post = {"kind": "move", "on": "2025-06-01", "description": "To Leeds", "people": [str(dan.pk)], **data}

    r = client.post(add_url(client_a), post)

    assert r.status_code == 400
    html = r.content.decode()
    assert any(e.startswith(message) for e in errors_of(html, field)), errors_of(html, field)
    assert "<svg" in html  # the timeline page, shown again with the form
    assert not LifeEvent.objects.exists()
    assert not AuditEvent.objects.filter(action="life_event.add").exists()


def test_a_person_of_another_client_is_refused(
    client: HttpClient, alice: User, client_a: Client, dan: Person, stranger: Person
) -> None:
    client.force_login(alice)

    r = client.post(
        add_url(client_a),
        {"kind": "dispute_start", "on": "2025-06-01", "people": [str(dan.pk), str(stranger.pk)]},
    )

    assert r.status_code == 400
    html = r.content.decode()
    assert errors_of(html, "people") == [
        "Only people in this client&#x27;s interpersonal inventory can be linked to their events. "
        "Choose people from the list."
    ]
    assert "Sam&#x27;s brother" not in html and "Reyes" not in html
    assert not LifeEvent.objects.exists()
    with pytest.raises(ValidationError) as caught:
        add_event(alice, client_a, kind="other", on=date(2025, 1, 1), people=[stranger])
    assert list(caught.value.message_dict) == ["people"]
    with pytest.raises(ValidationError):
        add_event(alice, client_a, kind="other", on=date(2025, 1, 1), people=["not a number"])
    assert not LifeEvent.objects.exists()


def test_an_edit_cannot_link_a_person_of_another_client(
    alice: User, client_a: Client, dan: Person, stranger: Person
) -> None:
    event = add_event(alice, client_a, kind="move", on=date(2025, 6, 1), people=[dan])

    with pytest.raises(ValidationError) as caught:
        update_event(
            alice, event, base=event_fingerprint(event, [dan.pk]), kind="move", on=event.on, people=[stranger]
        )

    assert list(caught.value.message_dict) == ["people"]
    assert list(event.people.all()) == [dan]


# ---- The onset ----


def test_it_records_the_onset_on_the_active_course(client: HttpClient, alice: User, course_a: Course) -> None:
    client.force_login(alice)
    client_a = course_a.client

    r = client.post(onset_url(client_a), {"onset_date": "2025-12-15"})

    assert r.status_code == 302
    course_a.refresh_from_db()
    assert course_a.onset_date == date(2025, 12, 15)
    assert AuditEvent.objects.filter(action="course.onset", client_id=client_a.pk).count() == 1
    page = client.get(r["Location"]).content.decode()
    assert "Onset saved." in page
    assert "Mon 15 Dec 2025" in page

    r = client.post(onset_url(client_a), {"onset_date": ""})  # cleared: not known after all

    assert r.status_code == 302
    course_a.refresh_from_db()
    assert course_a.onset_date is None


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("2026-03-11", "The onset cannot be in the future."),
        ("1988-04-11", "Dates out of order: the onset is before the client&#x27;s birth (Tue 12 Apr 1988)."),
        (
            "2026-03-03",
            "The onset is after this course started (Mon 2 Mar 2026). "
            "The episode began before treatment did: check the date.",
        ),
    ],
)
def test_an_onset_out_of_order_is_refused(
    client: HttpClient, alice: User, course_a: Course, value: str, message: str
) -> None:
    set_onset(alice, course_a, onset_date=date(2025, 12, 15))
    client.force_login(alice)

    r = client.post(onset_url(course_a.client), {"onset_date": value})

    assert r.status_code == 400
    html = r.content.decode()
    assert errors_of(html, "onset_date") == [message]
    assert f'value="{value}"' in html  # the typed date is kept
    course_a.refresh_from_db()
    assert course_a.onset_date == date(2025, 12, 15)
    assert AuditEvent.objects.filter(action="course.onset").count() == 1


def test_the_onset_may_fall_on_the_day_the_course_starts(alice: User, course_a: Course) -> None:
    set_onset(alice, course_a, onset_date=course_a.start_date)

    assert course_a.onset_date == date(2026, 3, 2)


def test_an_ended_course_keeps_its_onset(alice: User, course_a: Course) -> None:
    set_onset(alice, course_a, onset_date=date(2025, 12, 15))
    end_course(alice, course_a, status="ended_early", ended_on=date(2026, 3, 9), reason="Moved away")
    course_a.refresh_from_db()

    with pytest.raises(ValidationError):
        set_onset(alice, course_a, onset_date=date(2025, 11, 1))
    course_a.refresh_from_db()
    assert course_a.onset_date == date(2025, 12, 15)


def test_without_an_active_course_there_is_no_onset_to_set(
    client: HttpClient, alice: User, client_a: Client
) -> None:
    client.force_login(alice)

    page = client.get(reverse("inventory:timeline", args=[client_a.pk])).content.decode()
    r = client.post(onset_url(client_a), {"onset_date": "2025-12-15"}, follow=True)

    assert 'name="onset_date"' not in page
    assert "this client has no active course" in page
    assert "Start a course before recording the onset of the current episode." in r.content.decode()
    assert not AuditEvent.objects.filter(action="course.onset").exists()


# ---- Who may ----


def test_a_supervisor_cannot_change_the_timeline(
    client: HttpClient, alice: User, bob: User, course_a: Course, dan: Person
) -> None:
    client_a = course_a.client
    event = add_event(alice, client_a, kind="move", on=date(2025, 6, 1))
    client.force_login(bob)
    edit = reverse("inventory:event-edit", args=[event.pk])

    assert client.post(add_url(client_a), {"kind": "move", "on": "2025-01-01"}).status_code == 403
    assert client.get(edit).status_code == 403
    assert client.post(edit, {"kind": "birth", "on": "2025-01-01"}).status_code == 403
    assert client.post(onset_url(client_a), {"onset_date": "2025-12-15"}).status_code == 403
    assert LifeEvent.objects.get().kind == "move"
    course_a.refresh_from_db()
    assert course_a.onset_date is None
    with pytest.raises(PermissionDenied):
        add_event(bob, client_a, kind="move", on=date(2025, 1, 1))
    with pytest.raises(PermissionDenied):
        set_onset(bob, course_a, onset_date=date(2025, 12, 15))


@pytest.mark.parametrize("who", ["dave", "charlie"])
def test_outsiders_get_404_and_never_the_name(
    client: HttpClient, everyone: dict[str, User], course_a: Course, who: str
) -> None:
    client_a = course_a.client
    event = add_event(
        everyone["alice"], client_a, kind="move", on=date(2025, 6, 1), description="Okafor move"
    )
    client.force_login(everyone[who])
    urls = [
        add_url(client_a),
        onset_url(client_a),
        reverse("inventory:event-edit", args=[event.pk]),
        reverse("inventory:timeline", args=[client_a.pk]),
    ]

    for url in urls:
        for r in (
            client.get(url),
            client.post(url, {"kind": "birth", "on": "2025-01-01", "onset_date": "2025-01-01"}),
        ):
            assert r.status_code in (404, 405), url
            assert "Okafor" not in r.content.decode()
    assert LifeEvent.objects.get().kind == "move"
    course_a.refresh_from_db()
    assert course_a.onset_date is None

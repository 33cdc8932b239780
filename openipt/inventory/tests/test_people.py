"""People in the interpersonal inventory: the quick add, the full edit with its version check, and
bad input refused beside the field with nothing saved."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client as HttpClient
from django.urls import reverse

from conftest import make_user
from openipt.accounts.models import Team, User
from openipt.audit.models import AuditEvent
from openipt.clients.models import Client
from openipt.inventory.actions import add_person, update_person
from openipt.inventory.forms import EDITABLE
from openipt.inventory.models import Person

NOW = datetime(2026, 3, 10, 9, 30, tzinfo=UTC)


@pytest.fixture(autouse=True)
def frozen(time_machine):
    time_machine.move_to(NOW, tick=False)


def add_url(client: Client) -> str:
    return reverse("inventory:person-add", args=[client.pk])


def edit_url(person: Person) -> str:
    return reverse("inventory:person-edit", args=[person.pk])


def full_form(person: Person, **changes: Any) -> dict[str, str]:
    """The edit form as a browser would send it, unticked boxes left out."""
    data: dict[str, str] = {}
    for name in EDITABLE:
        value = changes.get(name, getattr(person, name))
        if isinstance(value, bool):
            if value:
                data[name] = "on"
        elif value is not None:
            data[name] = str(value)
    data["version"] = str(changes.get("version", person.version))
    return data


def errors_of(html: str, field: str) -> list[str]:
    match = re.search(rf'<ul class="errorlist" id="id_{field}_error">(.*?)</ul>', html, re.S)
    return re.findall(r"<li>(.*?)</li>", match.group(1)) if match else []


# ---- Quick add ----


def test_it_adds_a_person_with_the_quick_form(client: HttpClient, alice: User, client_a: Client) -> None:
    client.force_login(alice)

    r = client.post(add_url(client_a), {"name": "  Ada  ", "relationship": "sibling", "ring": "inner"})

    assert r.status_code == 302
    assert r["Location"] == reverse("inventory:people", args=[client_a.pk])
    person = Person.objects.get()
    assert (person.client, person.name, person.relationship, person.ring) == (
        client_a,
        "Ada",
        "sibling",
        "inner",
    )
    assert (person.version, person.created_by, person.deceased, person.conflict) == (1, alice, False, "none")
    audit = AuditEvent.objects.get(action="person.add")
    assert (audit.client_id, audit.object_id, audit.actor) == (client_a.pk, str(person.pk), alice)
    assert "Ada added to the inventory." in client.get(r["Location"]).content.decode()


def test_the_quick_form_returns_to_the_session_it_came_from(
    client: HttpClient, alice: User, client_a: Client
) -> None:
    client.force_login(alice)
    back = "/sessions/12/?tab=work"

    page = client.get(add_url(client_a), {"next": back}).content.decode()

    assert 'name="next" value="/sessions/12/?tab=work"' in page
    assert f'href="{back}"' in page  # Cancel goes back too

    r = client.post(
        add_url(client_a), {"name": "Dan", "relationship": "partner", "ring": "inner", "next": back}
    )

    assert r.status_code == 302
    assert r["Location"] == back


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example/phish",
        "//evil.example/phish",
        "/\\evil.example",
        "javascript:alert(1)",
        "sessions/12/",
        "http://testserver/sessions/12/",
    ],
)
def test_it_goes_back_only_to_a_path_on_this_site(
    client: HttpClient, alice: User, client_a: Client, target: str
) -> None:
    client.force_login(alice)

    page = client.get(add_url(client_a), {"next": target}).content.decode()
    r = client.post(
        add_url(client_a), {"name": "Dan", "relationship": "partner", "ring": "inner", "next": target}
    )

    assert "evil.example" not in page and "javascript:" not in page
    assert r.status_code == 302
    assert r["Location"] == reverse("inventory:people", args=[client_a.pk])


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"name": "x" * 81}, "name", "The name is too long: 81 characters; the most is 80."),
        ({"name": "   "}, "name", "Write a name or an alias."),
        ({"relationship": "boss"}, "relationship", "Select a valid choice."),
        ({"ring": "closest"}, "ring", "Select a valid choice."),
    ],
)
def test_bad_quick_input_is_refused_beside_the_field(
    client: HttpClient, alice: User, client_a: Client, data: dict[str, str], field: str, message: str
) -> None:
    client.force_login(alice)
    post = {"name": "Ada", "relationship": "sibling", "ring": "inner", "next": "/sessions/3/", **data}

    r = client.post(add_url(client_a), post)

    assert r.status_code == 400
    html = r.content.decode()
    assert any(e.startswith(message) for e in errors_of(html, field)), errors_of(html, field)
    assert 'name="next" value="/sessions/3/"' in html  # still on its way back to the session
    if field == "name" and data["name"].strip():
        assert f'value="{data["name"]}"' in html  # the typed name is kept
    assert not Person.objects.exists()
    assert not AuditEvent.objects.filter(action="person.add").exists()


def test_the_action_refuses_a_long_name_and_unknown_choices(alice: User, client_a: Client) -> None:
    with pytest.raises(ValidationError) as caught:
        add_person(alice, client_a, name="y" * 81, relationship="boss", ring="closest", contact="hourly")

    assert set(caught.value.message_dict) == {"name", "relationship", "ring", "contact"}
    assert not Person.objects.exists()


# ---- Full edit ----


def test_the_edit_form_shows_every_question_prefilled(
    client: HttpClient, alice: User, client_a: Client
) -> None:
    person = add_person(alice, client_a, name="Dan", relationship="partner", ring="inner", conflict="some")
    client.force_login(alice)

    r = client.get(edit_url(person))

    assert r.status_code == 200
    html = r.content.decode()
    assert "Maya Okafor" in html  # the banner
    for heading in ("Who they are", "The relationship", "Around the onset"):
        assert f"<h2>{heading}</h2>" in html
    for name in EDITABLE:
        assert f'name="{name}"' in html, name
    assert re.search(r'<input type="radio" name="conflict" value="some"[^>]*checked', html)
    assert 'name="version" value="1"' in html


def test_it_saves_the_whole_inventory_for_a_person(client: HttpClient, alice: User, client_a: Client) -> None:
    person = add_person(alice, client_a, name="Dan", relationship="partner", ring="inner")
    client.force_login(alice)
    data = full_form(
        person,
        contact="daily",
        satisfying="He makes me laugh.",
        unsatisfying="We argue about money.",
        expectations="I expect him to share the chores; he expects me to earn more.",
        expectations_met="no",
        support_given="I look after his mother.",
        support_received="Not much lately.",
        conflict="serious",
        changed_around_onset=True,
        change_description="He took a night job in December.",
        linked_to_depression=True,
    )

    r = client.post(edit_url(person), data)

    assert r.status_code == 302
    assert r["Location"] == reverse("inventory:people", args=[client_a.pk])
    person.refresh_from_db()
    assert person.version == 2
    assert (person.contact, person.expectations_met, person.conflict) == ("daily", "no", "serious")
    assert person.changed_around_onset and person.linked_to_depression
    assert person.change_description == "He took a night job in December."
    assert AuditEvent.objects.filter(action="person.update", object_id=str(person.pk)).count() == 1


def test_marking_someone_deceased_and_moving_them_out(
    client: HttpClient, alice: User, client_a: Client
) -> None:
    mother = add_person(alice, client_a, name="Mum", relationship="parent", ring="inner")
    friend = add_person(alice, client_a, name="Lou", relationship="friend", ring="inner")
    client.force_login(alice)

    r1 = client.post(edit_url(mother), full_form(mother, deceased=True, died_on="2026-01-20"))
    r2 = client.post(edit_url(friend), full_form(friend, ring="outer"))

    assert (r1.status_code, r2.status_code) == (302, 302)
    mother.refresh_from_db()
    friend.refresh_from_db()
    assert (mother.deceased, mother.died_on, mother.ring) == (True, date(2026, 1, 20), "inner")
    assert friend.ring == "outer"
    assert Person.objects.count() == 2  # nobody is ever removed


def test_a_death_date_may_be_unknown(alice: User, client_a: Client) -> None:
    person = add_person(
        alice, client_a, name="Grandad", relationship="other_family", ring="middle", deceased=True
    )

    assert (person.deceased, person.died_on) == (True, None)


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        (
            {"deceased": True, "died_on": "2026-03-11"},
            "died_on",
            "The date of death cannot be in the future.",
        ),
        (
            {"deceased": True, "died_on": "1988-04-11"},
            "died_on",
            "Dates out of order: the date of death is before the client&#x27;s birth (Tue 12 Apr 1988).",
        ),
        (
            {"died_on": "2026-01-20"},
            "died_on",
            "A date of death is given but “has died” is not ticked: tick it, or clear the date.",
        ),
        ({"name": "z" * 81}, "name", "The name is too long: 81 characters; the most is 80."),
        (
            {"satisfying": "w" * 5001},
            "satisfying",
            ("This can be at most 5,000 characters (you have 5,001). Shorten it, then save again."),
        ),
        ({"died_on": "2026-02-30"}, "died_on", "Enter a valid date."),
    ],
)
def test_bad_input_is_refused_beside_the_field_and_nothing_saved(
    client: HttpClient, alice: User, client_a: Client, changes: dict[str, Any], field: str, message: str
) -> None:
    person = add_person(alice, client_a, name="Mum", relationship="parent", ring="inner")
    client.force_login(alice)
    typed = {"unsatisfying": "She never calls back.", **changes}

    r = client.post(edit_url(person), full_form(person, **typed))

    assert r.status_code == 400
    html = r.content.decode()
    assert any(e.startswith(message) for e in errors_of(html, field)), errors_of(html, field)
    assert "She never calls back." in html  # the typed words are kept
    stored = Person.objects.get(pk=person.pk)
    assert (stored.version, stored.name, stored.deceased, stored.died_on, stored.unsatisfying) == (
        1,
        "Mum",
        False,
        None,
        "",
    )
    assert not AuditEvent.objects.filter(action="person.update").exists()


def test_a_stale_edit_is_refused_with_the_typed_text_kept(
    client: HttpClient, alice: User, north_team: Team, client_a: Client
) -> None:
    colleague = make_user("carol", alice.organisation, "clinician", north_team)
    person = add_person(alice, client_a, name="Dan", relationship="partner", ring="inner")
    opened = full_form(person)
    update_person(colleague, person, base_version=1, satisfying="Carol's note.", conflict="some")
    client.force_login(alice)

    r = client.post(edit_url(person), {**opened, "unsatisfying": "My unsaved words."})

    assert r.status_code == 400
    html = r.content.decode()
    assert "Someone saved changes to Dan after you opened this form, so nothing was saved." in html
    assert "My unsaved words." in html
    stored_part = html[html.index("As saved by someone else after you opened the form") :]
    assert "Carol&#x27;s note." in stored_part
    differs = re.findall(
        r"<dt>([^<]*) <span class=\"badge badge-warn\">Differs from your text</span>", stored_part
    )
    assert differs == ["What is satisfying", "What is unsatisfying", "Conflict"]
    assert 'name="version" value="2"' in html  # saving again is a deliberate choice on version 2
    person.refresh_from_db()
    assert (person.version, person.unsatisfying, person.satisfying) == (2, "", "Carol's note.")

    r = client.post(edit_url(person), {**opened, "version": "2", "unsatisfying": "My unsaved words."})

    assert r.status_code == 302
    person.refresh_from_db()
    assert (person.version, person.unsatisfying, person.satisfying) == (3, "My unsaved words.", "")


def test_saving_unchanged_values_writes_nothing(alice: User, client_a: Client) -> None:
    person = add_person(alice, client_a, name="Dan", relationship="partner", ring="inner")

    same = update_person(alice, person, base_version=1, name="Dan", ring="inner")

    assert same.version == 1
    assert not AuditEvent.objects.filter(action="person.update").exists()


# ---- Who may ----


def test_a_supervisor_reads_but_cannot_add_or_edit(
    client: HttpClient, alice: User, bob: User, client_a: Client
) -> None:
    person = add_person(alice, client_a, name="Dan", relationship="partner", ring="inner")
    client.force_login(bob)

    assert client.get(add_url(client_a)).status_code == 403
    assert (
        client.post(add_url(client_a), {"name": "X", "relationship": "friend", "ring": "outer"}).status_code
        == 403
    )
    assert client.get(edit_url(person)).status_code == 403
    assert client.post(edit_url(person), full_form(person, name="Changed")).status_code == 403
    assert Person.objects.get().name == "Dan"
    assert Person.objects.count() == 1
    with pytest.raises(PermissionDenied):
        add_person(bob, client_a, name="X", relationship="friend", ring="outer")
    with pytest.raises(PermissionDenied):
        update_person(bob, person, base_version=1, name="Changed")


@pytest.mark.parametrize("who", ["dave", "charlie"])
def test_outsiders_get_404_and_never_the_name(
    client: HttpClient, everyone: dict[str, User], client_a: Client, who: str
) -> None:
    person = add_person(everyone["alice"], client_a, name="Dan Okafor", relationship="partner", ring="inner")
    client.force_login(everyone[who])

    for url in (add_url(client_a), edit_url(person)):
        for method in (client.get, client.post):
            r = method(url, full_form(person, name="Hacked") if method == client.post else None)
            assert r.status_code == 404, url
            assert "Okafor" not in r.content.decode()
    assert Person.objects.get().name == "Dan Okafor"
    assert Person.objects.count() == 1
    with pytest.raises(PermissionDenied):
        update_person(everyone[who], person, base_version=1, name="Hacked")

"""People added twice or by mistake: a likely duplicate is flagged when added, two records of one
person are merged, and a record added by mistake is retired. Nothing is deleted."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client as HttpClient
from django.urls import reverse

from openipt.accounts.models import User
from openipt.audit.models import AuditEvent
from openipt.clients.models import Client
from openipt.courses.models import CommunicationAnalysis, Course
from openipt.courses.session_work import add_analysis
from openipt.diary.actions import EntryData, add_entry
from openipt.inventory.actions import (
    PossibleDuplicate,
    add_event,
    add_person,
    merge_people,
    retire_person,
    update_person,
)
from openipt.inventory.facts import facts_for
from openipt.inventory.models import LifeEvent, Person
from openipt.portal import actions as portal

NOW = datetime(2026, 3, 10, 9, 30, tzinfo=UTC)


@pytest.fixture(autouse=True)
def frozen(time_machine: Any) -> None:
    time_machine.move_to(NOW, tick=False)


def add_url(client: Client) -> str:
    return reverse("inventory:person-add", args=[client.pk])


def retire_url(person: Person) -> str:
    return reverse("inventory:person-retire", args=[person.pk])


def signed_in(user: User) -> HttpClient:
    http = HttpClient()
    http.force_login(user)
    return http


# ---- A likely duplicate is flagged ----


def test_a_likely_duplicate_is_flagged_and_nothing_is_saved(alice: User, client_a: Client) -> None:
    mum = add_person(alice, client_a, name="Mum", relationship="parent", ring="inner")

    r = signed_in(alice).post(add_url(client_a), {"name": " mum", "relationship": "parent", "ring": "middle"})

    assert r.status_code == 400
    html = r.content.decode()
    assert "This may be someone already in the inventory (Mum)." in html
    assert f'href="{reverse("inventory:person-edit", args=[mum.pk])}">Open Mum (Parent)</a>' in html
    assert 'type="checkbox" name="confirmed_new"' in html  # the way to say it is someone else
    assert 'value=" mum"' in html  # what was typed is kept
    assert list(Person.objects.filter(client=client_a)) == [mum]


def test_the_clinician_can_confirm_it_is_someone_else(alice: User, client_a: Client) -> None:
    add_person(alice, client_a, name="Sam", relationship="friend")
    form = {"name": "Samantha", "relationship": "friend", "ring": "middle"}

    assert signed_in(alice).post(add_url(client_a), form).status_code == 400
    r = signed_in(alice).post(add_url(client_a), {**form, "confirmed_new": "on"})

    assert r.status_code == 302
    assert sorted(Person.objects.filter(client=client_a).values_list("name", flat=True)) == [
        "Sam",
        "Samantha",
    ]


def test_someone_of_another_client_is_not_a_duplicate(
    alice: User, client_a: Client, course_a: Course
) -> None:
    other = Client.objects.create(
        organisation=client_a.organisation,
        team=client_a.team,
        clinician=alice,
        given_name="Ravi",
        family_name="Shah",
        date_of_birth=date(1990, 1, 1),
        clinic_identifier="NS-2",
        locale="en-gb",
    )
    add_person(alice, other, name="Mum", relationship="parent")

    assert add_person(alice, client_a, name="Mum", relationship="parent").client == client_a


def test_the_action_refuses_a_likely_duplicate_unless_confirmed(alice: User, client_a: Client) -> None:
    add_person(alice, client_a, name="Dave", relationship="colleague")
    with pytest.raises(PossibleDuplicate) as raised:
        add_person(alice, client_a, name="Dave B", relationship="colleague")
    assert [p.name for p in raised.value.people] == ["Dave"]
    add_person(alice, client_a, name="Dave B", relationship="colleague", confirmed_new=True)
    assert Person.objects.filter(client=client_a).count() == 2


# ---- Retiring a record added by mistake ----


def test_a_person_added_by_mistake_is_retired_with_a_reason(
    alice: User, client_a: Client, course_a: Course
) -> None:
    lou = add_person(alice, client_a, name="Lou", relationship="friend", ring="outer")
    add_event(alice, client_a, kind="move", on=date(2026, 1, 5), people=[lou])
    versions = lou.history.count()

    r = signed_in(alice).post(retire_url(lou), {"do": "retire", "reason": "Added by mistake"})

    assert r.status_code == 302
    page = signed_in(alice).get(reverse("inventory:people", args=[client_a.pk])).content.decode()
    assert "Lou" not in page  # gone from the lists and the closeness circle
    assert list(client_a.people.all()) == []
    people, events, _ = facts_for(client_a, course_a)
    assert people == [] and [e.people for e in events] == [()]  # and from the suggestion's facts
    stored = Person.everyone.get(pk=lou.pk)  # but kept
    assert (stored.retired_at, stored.retired_by, stored.retired_reason) == (NOW, alice, "Added by mistake")
    assert lou.history.count() == versions + 1
    assert AuditEvent.objects.filter(action="person.retire", object_id=str(lou.pk)).count() == 1


def test_retiring_needs_a_reason_and_changes_nothing_without_one(alice: User, client_a: Client) -> None:
    lou = add_person(alice, client_a, name="Lou", relationship="friend")

    r = signed_in(alice).post(retire_url(lou), {"do": "retire", "reason": "  "})

    assert r.status_code == 400 and "This field is required." in r.content.decode()
    with pytest.raises(ValidationError, match="Say why this person is being removed"):
        retire_person(alice, lou, reason="x")
    assert Person.objects.filter(pk=lou.pk).exists()


# ---- Merging two records of one person ----


@pytest.fixture
def twice(alice: User, client_a: Client, course_a: Course) -> dict[str, Any]:
    """Dan recorded twice: as "Dan" and, later, as "Daniel" with his own links."""
    dan = add_person(alice, client_a, name="Dan", relationship="partner", ring="inner")
    update_person(alice, dan, base_version=1, satisfying="Makes her laugh.")
    daniel = add_person(alice, client_a, name="Daniel", relationship="partner", confirmed_new=True)
    update_person(
        alice, daniel, base_version=1, conflict="serious", contact="daily", unsatisfying="Rows about money."
    )
    both = add_event(alice, client_a, kind="dispute_start", on=date(2026, 1, 10), people=[dan, daniel])
    his = add_event(alice, client_a, kind="move", on=date(2026, 2, 1), people=[daniel])
    maya = portal.join(
        code=portal.invite(alice, client_a, kind="code").secret, password="kettle meadow 318 x"
    ).user
    entry, _ = add_entry(maya, client_a, EntryData(kind="mood", mood=4, people=(daniel.pk,)))
    session = course_a.sessions.order_by("number")[0]
    analysis = add_analysis(alice, session, person_id=daniel.pk, situation="A row about the rent.")
    return {"dan": dan, "daniel": daniel, "both": both, "his": his, "entry": entry, "analysis": analysis}


def test_merging_moves_links_and_fills_in_what_the_kept_record_lacks(
    alice: User, client_a: Client, twice: dict[str, Any]
) -> None:
    dan, daniel = twice["dan"], twice["daniel"]

    r = signed_in(alice).post(retire_url(daniel), {"do": "merge", "keep": str(dan.pk)})

    assert r.status_code == 302
    kept = Person.objects.get(pk=dan.pk)
    assert [p.pk for p in LifeEvent.objects.get(pk=twice["both"].pk).people.all()] == [dan.pk]
    assert [p.pk for p in LifeEvent.objects.get(pk=twice["his"].pk).people.all()] == [dan.pk]
    assert [p.pk for p in twice["entry"].people.all()] == [dan.pk]
    assert CommunicationAnalysis.objects.get(pk=twice["analysis"].pk).person_id == dan.pk
    assert (kept.satisfying, kept.unsatisfying) == ("Makes her laugh.", "Rows about money.")
    assert (kept.conflict, kept.contact, kept.ring) == ("serious", "daily", "inner")
    gone = Person.everyone.get(pk=daniel.pk)
    assert gone.retired_at == NOW and gone.merged_into == kept
    assert list(client_a.people.all()) == [kept]
    assert list(
        AuditEvent.objects.filter(action__in=["person.merge", "person.retire"]).values_list(
            "action", "object_id"
        )
    ) == [("person.merge", str(dan.pk)), ("person.retire", str(daniel.pk))]
    assert gone.history.count() == 3 and kept.history.count() == 3  # add, update, merge: history kept


def test_a_person_of_another_client_cannot_be_merged_in(
    alice: User, client_a: Client, twice: dict[str, Any]
) -> None:
    stranger = Client.objects.create(
        organisation=client_a.organisation,
        team=client_a.team,
        clinician=alice,
        given_name="Ravi",
        family_name="Shah",
        date_of_birth=date(1990, 1, 1),
        clinic_identifier="NS-2",
        locale="en-gb",
    )
    theirs = add_person(alice, stranger, name="Dan", relationship="partner")

    with pytest.raises(ValidationError, match="Choose someone from this client's inventory"):
        merge_people(alice, twice["dan"], theirs)
    r = signed_in(alice).post(retire_url(twice["daniel"]), {"do": "merge", "keep": str(theirs.pk)})

    assert r.status_code == 400 and "Select a valid choice." in r.content.decode()
    assert Person.objects.filter(pk__in=[theirs.pk, twice["daniel"].pk]).count() == 2


def test_a_retired_record_cannot_be_merged_or_retired_again(
    alice: User, client_a: Client, twice: dict[str, Any]
) -> None:
    merge_people(alice, twice["dan"], twice["daniel"])
    gone = Person.everyone.get(pk=twice["daniel"].pk)
    with pytest.raises(ValidationError, match="Daniel was already removed from the inventory"):
        retire_person(alice, gone, reason="added by mistake")
    assert signed_in(alice).get(retire_url(gone)).status_code == 404


def test_the_merge_page_is_for_the_care_teams_clinicians(
    alice: User, bob: User, dave: User, charlie: User, twice: dict[str, Any]
) -> None:
    url = retire_url(twice["daniel"])
    page = signed_in(alice).get(url)
    assert page.status_code == 200
    assert "Merge or remove Daniel (Partner or spouse)" in page.content.decode()
    assert signed_in(bob).post(url, {"do": "retire", "reason": "added by mistake"}).status_code == 403
    assert signed_in(dave).get(url).status_code == 404
    assert signed_in(charlie).get(url).status_code == 404
    assert Person.objects.filter(pk=twice["daniel"].pk).exists()


def test_the_export_keeps_retired_records(
    alice: User, client_a: Client, course_a: Course, twice: dict[str, Any]
) -> None:
    from openipt.reports.export import course_document

    merge_people(alice, twice["dan"], twice["daniel"])
    inventory = {p["name"]: p["retired"] for p in course_document(course_a)["inventory"]}
    assert inventory["Dan"] is None
    assert inventory["Daniel"] == {"at": NOW.isoformat(), "reason": "", "merged_into": "Dan"}


def test_the_history_of_changes_still_names_a_merged_record(
    alice: User, client_a: Client, twice: dict[str, Any]
) -> None:
    merge_people(alice, twice["dan"], twice["daniel"])

    html = signed_in(alice).get(reverse("history:client", args=[client_a.pk])).content.decode()

    assert "Person: Daniel" in html  # the retired record's versions are still shown
    # the worksheet's "with" moved from the retired record to the kept one: both named
    assert "<dd><del>Daniel</del> → <ins>Dan</ins></dd>" in html

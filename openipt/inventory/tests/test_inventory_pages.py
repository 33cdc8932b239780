"""The inventory and timeline pages: the closeness circle and the timeline pictures, the people
ring by ring, the events, a fixed number of queries however many there are, who may see them,
and the facts handed to the problem-area rules."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from html.parser import HTMLParser
from typing import Any

import pytest
from django.test import Client as HttpClient
from django.urls import reverse

from openipt.accounts.models import User
from openipt.clients.models import Client
from openipt.courses.models import Course
from openipt.inventory.actions import add_event, add_person, set_onset, update_person
from openipt.inventory.facts import facts_for
from openipt.inventory.formulation import EventFacts, PersonFacts
from openipt.measures.actions import record_response

NOW = datetime(2026, 3, 10, 9, 30, tzinfo=UTC)


@pytest.fixture(autouse=True)
def frozen(time_machine):
    time_machine.move_to(NOW, tick=False)


def people_url(client: Client) -> str:
    return reverse("inventory:people", args=[client.pk])


def timeline_url(client: Client) -> str:
    return reverse("inventory:timeline", args=[client.pk])


def grow(alice: User, client: Client, n: int, start: int = 0) -> None:
    """Add n people (in every ring, some marked) and n events each linked to two of them."""
    rings = ["inner", "middle", "outer"]
    for i in range(start, start + n):
        person = add_person(
            alice, client, name=f"Person {i}", relationship="friend", ring=rings[i % 3], conflict="some"
        )
        other = add_person(alice, client, name=f"Other {i}", relationship="colleague", ring="outer")
        add_event(alice, client, kind="move", on=date(2025, 1, 1) + timedelta(days=i), people=[person, other])


@pytest.fixture
def inventory(alice: User, course_a: Course) -> dict[str, Any]:
    client = course_a.client
    mum = add_person(alice, client, name="Mum", relationship="parent", ring="inner")
    update_person(alice, mum, base_version=1, deceased=True, died_on=date(2026, 1, 20))
    dan = add_person(alice, client, name="Dan", relationship="partner", ring="inner")
    update_person(
        alice, dan, base_version=1, conflict="serious", changed_around_onset=True, linked_to_depression=True
    )
    lou = add_person(alice, client, name="Lou", relationship="friend", ring="outer", contact="monthly")
    death = add_event(alice, client, kind="death", on=date(2026, 1, 20), description="Mum died", people=[mum])
    job = add_event(alice, client, kind="job_loss", on=date(2025, 11, 3))
    set_onset(alice, course_a, onset_date=date(2026, 2, 1))
    return {"client": client, "mum": mum, "dan": dan, "lou": lou, "death": death, "job": job}


# ---- The inventory page ----


def test_the_inventory_shows_the_circle_then_the_people_by_ring(
    client: HttpClient, alice: User, inventory: dict[str, Any]
) -> None:
    client.force_login(alice)

    r = client.get(people_url(inventory["client"]))

    assert r.status_code == 200
    html = r.content.decode()
    assert "Maya Okafor" in html  # the banner
    svg = re.search(r"<svg [^>]*class=\"closeness-circle\".*?</svg>", html, re.S)
    assert svg is not None
    assert 'role="img"' in svg.group(0)
    assert "Closeness circle of Maya Okafor" in svg.group(0)
    # Marks: lost (Mum died), conflict and changed recently (Dan); never colour alone.
    assert re.search(r'class="circle-person circle-ring-inner circle-lost"', svg.group(0))
    assert re.search(
        r'class="circle-person circle-ring-inner circle-conflict circle-serious circle-changed"', svg.group(0)
    )
    assert html.index("closeness-circle") < html.index('id="ring-inner"') < html.index('id="ring-outer"')
    inner = html[html.index('id="ring-inner"') : html.index('id="ring-middle"')]
    assert "Died Tue 20 Jan 2026" in inner
    assert '<span class="badge badge-risk">Serious</span>' in inner
    assert "Client links this to the depression" in inner
    assert "Nobody in this ring yet." in html[html.index('id="ring-middle"') : html.index('id="ring-outer"')]
    assert "Every month" in html[html.index('id="ring-outer"') :]
    for who in ("mum", "dan", "lou"):
        assert reverse("inventory:person-edit", args=[inventory[who].pk]) in html
    assert f'action="{reverse("inventory:person-add", args=[inventory["client"].pk])}"' in html
    assert reverse("inventory:timeline", args=[inventory["client"].pk]) in html


def test_an_empty_inventory_still_draws_the_circle(client: HttpClient, alice: User, client_a: Client) -> None:
    client.force_login(alice)

    html = client.get(people_url(client_a)).content.decode()

    assert 'class="closeness-circle"' in html
    assert "No people recorded yet" in html


def test_a_supervisor_reads_the_inventory_without_the_forms(
    client: HttpClient, bob: User, inventory: dict[str, Any]
) -> None:
    client.force_login(bob)

    people = client.get(people_url(inventory["client"])).content.decode()
    timeline = client.get(timeline_url(inventory["client"])).content.decode()

    assert "Dan" in people and 'class="closeness-circle"' in people
    assert "Mum died" in timeline and 'class="timeline"' in timeline
    for html in (people, timeline):
        assert '<form method="post" action="/inventory' not in html
        assert "/edit/" not in html


def test_it_keeps_the_query_count_as_the_inventory_grows(
    client: HttpClient, alice: User, client_a: Client, django_assert_num_queries: Any
) -> None:
    client.force_login(alice)
    grow(alice, client_a, 2)
    client.get(people_url(client_a))  # warm the session and user caches

    # session, user, organisation (time zone), client, people, banner (course, alerts), can_write
    with django_assert_num_queries(10):
        r = client.get(people_url(client_a))
    assert r.status_code == 200

    grow(alice, client_a, 20, start=2)
    with django_assert_num_queries(10):
        r = client.get(people_url(client_a))
    assert r.content.decode().count("Person ") >= 22


# ---- The timeline page ----


def test_the_timeline_shows_events_onset_and_mood(
    client: HttpClient, alice: User, course_a: Course, inventory: dict[str, Any]
) -> None:
    session = course_a.sessions.order_by("number").first()
    record_response(alice, course_a.client, instrument="phq9", answers=[2] * 9, session=session)
    client.force_login(alice)

    r = client.get(timeline_url(inventory["client"]))

    assert r.status_code == 200
    html = r.content.decode()
    svg = re.search(r"<svg [^>]*class=\"timeline\".*?</svg>", html, re.S)
    assert svg is not None
    picture = svg.group(0)
    assert "Timeline of Maya Okafor" in picture
    assert "Onset: Sun 1 Feb 2026" in picture
    assert "Mum died" in picture and "Job loss" in picture
    assert "PHQ-9 total on Tue 10 Mar 2026: 18 of 27" in picture  # the mood strip
    assert 'class="timeline-event timeline-event-near"' in picture  # the death, near the onset
    events = html[html.index('id="events-h"') :]
    assert events.index("Mon 3 Nov 2025") < events.index("Tue 20 Jan 2026")  # in date order
    assert "Mum" in events
    assert 'value="2026-02-01"' in html  # the onset form, prefilled
    for e in ("death", "job"):
        assert reverse("inventory:event-edit", args=[inventory[e].pk]) in html
    # Only this client's people are offered for a new event.
    offered = re.findall(r'name="people" value="(\d+)"', html)
    assert sorted(offered) == sorted(str(inventory[w].pk) for w in ("mum", "dan", "lou"))


def test_an_empty_timeline_says_so(client: HttpClient, alice: User, course_a: Course) -> None:
    client.force_login(alice)

    html = client.get(timeline_url(course_a.client)).content.decode()

    assert 'class="timeline"' in html
    assert "No life events recorded yet" in html
    assert "No events on the timeline yet." in html
    assert "Add people to the inventory first to link them here." in html


def test_it_keeps_the_query_count_as_the_timeline_grows(
    client: HttpClient, alice: User, course_a: Course, django_assert_num_queries: Any
) -> None:
    client_a = course_a.client
    session = course_a.sessions.order_by("number").first()
    record_response(alice, client_a, instrument="phq9", answers=[1] * 8 + [0], session=session)
    client.force_login(alice)
    grow(alice, client_a, 2)
    client.get(timeline_url(client_a))

    # session, user, organisation (time zone), client, banner (course, alerts), events, their
    # people, PHQ-9 scores, people for the form, can_write
    with django_assert_num_queries(13):
        r = client.get(timeline_url(client_a))
    assert r.status_code == 200

    grow(alice, client_a, 20, start=2)
    with django_assert_num_queries(13):
        r = client.get(timeline_url(client_a))
    assert r.content.decode().count("Person 21") >= 2


# ---- Who may see ----


@pytest.mark.parametrize("who", ["dave", "charlie"])
def test_outsiders_get_404_on_both_pages(
    client: HttpClient, everyone: dict[str, User], inventory: dict[str, Any], who: str
) -> None:
    client.force_login(everyone[who])

    for url in (people_url(inventory["client"]), timeline_url(inventory["client"])):
        for r in (client.get(url), client.post(url)):
            assert r.status_code == 404, url
            assert "Okafor" not in r.content.decode()
            assert "Dan" not in r.content.decode()


def test_signed_out_visitors_are_sent_to_sign_in(client: HttpClient, client_a: Client) -> None:
    r = client.get(people_url(client_a))

    assert r.status_code == 302
    assert r["Location"].startswith("/accounts/login/")


class OutsideNoPrint(HTMLParser):
    """Collects forms and edit links that the print stylesheet would not hide (outside .no-print)."""

    VOID = frozenset({"input", "br", "img", "meta", "link", "hr", "source", "wbr"})

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[bool] = []
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        hidden = any(self.stack) or "no-print" in (values.get("class") or "").split()
        if not hidden and (tag == "form" or (tag == "a" and "/edit/" in (values.get("href") or ""))):
            self.found.append(f"<{tag} {values}>")
        if tag not in self.VOID:
            self.stack.append(hidden)

    def handle_endtag(self, tag: str) -> None:
        if tag not in self.VOID and self.stack:
            self.stack.pop()


def test_pages_print_without_their_forms(client: HttpClient, alice: User, inventory: dict[str, Any]) -> None:
    client.force_login(alice)

    for url in (people_url(inventory["client"]), timeline_url(inventory["client"])):
        html = client.get(url).content.decode()
        main = html[html.index("<main") : html.index("</main>")]
        parser = OutsideNoPrint()
        parser.feed(main)
        assert parser.found == [], url
        assert "<svg" in main


# ---- Facts for the problem-area rules ----


def test_facts_for_gives_people_events_and_onset_in_two_queries(
    alice: User, course_a: Course, inventory: dict[str, Any], django_assert_num_queries: Any
) -> None:
    with django_assert_num_queries(2):
        people, events, onset = facts_for(inventory["client"], course_a)

    assert onset == date(2026, 2, 1)
    by_name = {p.name: p for p in people}
    assert by_name["Mum"] == PersonFacts(
        id=inventory["mum"].pk,
        name="Mum",
        relationship="Parent",
        ring="inner",
        deceased=True,
        died_on=date(2026, 1, 20),
    )
    assert by_name["Dan"].conflict == "serious"
    assert by_name["Dan"].changed_around_onset and by_name["Dan"].linked_to_depression
    assert events == [
        EventFacts(id=inventory["job"].pk, kind="job_loss", on=date(2025, 11, 3)),
        EventFacts(
            id=inventory["death"].pk,
            kind="death",
            on=date(2026, 1, 20),
            people=(inventory["mum"].pk,),
            description="Mum died",
        ),
    ]


def test_facts_for_a_client_without_a_course(alice: User, client_a: Client) -> None:
    assert facts_for(client_a, None) == ([], [], None)


def test_an_ipt_a_timeline_draws_the_phqa_as_mood(client: HttpClient, alice: User, client_a: Client) -> None:
    from openipt.courses.actions import start_course

    client_a.date_of_birth = date(2011, 5, 1)  # 14 when the course starts
    client_a.save(update_fields=["date_of_birth"])
    course = start_course(alice, client_a, protocol_key="ipt-adolescent", start_date=date(2026, 3, 2))
    session = course.sessions.order_by("number").first()
    record_response(alice, client_a, instrument="phqa", answers=[2] * 9 + [1, 1, 0, 0], session=session)
    add_event(alice, client_a, kind="job_loss", on=date(2025, 11, 3))
    client.force_login(alice)

    html = client.get(timeline_url(client_a)).content.decode()

    assert "PHQ-A total on Tue 10 Mar 2026: 18 of 27" in html
    assert "and PHQ-A totals as a measure of mood" in html

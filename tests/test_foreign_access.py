"""Every URL that names a record refuses users of another team or organisation, and leaks nothing.

The routes come from the URL resolver, so a new route is covered without anyone remembering to.
A route with a parameter this test cannot fill fails the test.
"""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from openipt.courses.models import CommunicationAnalysis, Homework
from openipt.inventory.models import LifeEvent, Person
from openipt.measures.actions import record_response
from openipt.notes.actions import add_addendum, save_draft, sign_note
from openipt.safety.models import CrisisResource, RiskAlert, SafetyPlan

MARKER = "Okafor"  # the client's family name: must never appear in a refused response


def walk(patterns, prefix=""):
    for p in patterns:
        if isinstance(p, URLResolver):
            yield from walk(p.url_patterns, prefix + str(p.pattern))
        elif isinstance(p, URLPattern):
            yield prefix + str(p.pattern), p


def our_routes() -> list[tuple[str, URLPattern]]:
    routes = []
    for route, pattern in walk(get_resolver().url_patterns):
        module = getattr(pattern.callback, "__module__", "")
        if module.startswith("openipt."):
            routes.append((route, pattern))
    return routes


@pytest.fixture
def records(alice, client_a, course_a, north):
    session = course_a.sessions.order_by("number").first()
    from openipt.courses.actions import record_attendance

    record_attendance(alice, session, attendance="attended", modality="in_person")
    record_response(alice, client_a, instrument="phq9", answers=[1, 1, 1, 1, 1, 1, 1, 1, 2], session=session)
    note = save_draft(alice, session, body=f"Talked with {MARKER} about the week.", base_version=None)
    note = sign_note(alice, note)
    add_addendum(alice, note, body=f"{MARKER} called afterwards.")
    resource = CrisisResource.objects.create(organisation=north, locale="en-gb", name="Line", phone="1")
    plan = SafetyPlan.objects.create(
        client=client_a,
        version=1,
        warning_signs=f"{MARKER} stops answering the phone",
        reasons_for_living=f"{MARKER}'s children",
        created_by=alice,
        created_at=timezone.now(),
    )
    person = Person.objects.create(
        client=client_a, name=f"{MARKER} senior", relationship="parent", ring="inner", created_by=alice
    )
    event = LifeEvent.objects.create(
        client=client_a,
        kind="death",
        on=date(2026, 1, 5),
        description=f"{MARKER} grandmother died",
        created_by=alice,
    )
    homework = Homework.objects.create(
        course=course_a, set_in=session, task=f"Call {MARKER}'s sister", created_by=alice
    )
    analysis = CommunicationAnalysis.objects.create(
        session=session, person=person, situation=f"Argument with {MARKER}", created_by=alice
    )
    return {
        "person_id": person.pk,
        "event_id": event.pk,
        "homework_id": homework.pk,
        "analysis_id": analysis.pk,
        "client_id": client_a.pk,
        "course_id": course_a.pk,
        "session_id": session.pk,
        "note_id": note.pk,
        "alert_id": RiskAlert.objects.get(client=client_a).pk,
        "resource_id": resource.pk,
        "instrument": "phq9",
        "version": plan.version,
    }


def fill(route: str, pattern: URLPattern, records: dict) -> str:
    url = "/" + route
    for name in pattern.pattern.converters:
        assert name in records, f"route {route!r} has a parameter {name!r} this test cannot fill"
        url = url.replace(f"<int:{name}>", str(records[name])).replace(f"<slug:{name}>", str(records[name]))
    assert "<" not in url, f"route {route!r} could not be filled: {url}"
    return url


@pytest.mark.parametrize("who", ["charlie", "dave"])
def test_it_refuses_every_record_route_to_outsiders(client, everyone, records, who) -> None:
    client.force_login(everyone[who])
    checked = 0
    for route, pattern in our_routes():
        if not pattern.pattern.converters:
            continue
        url = fill(route, pattern, records)
        for method in ("get", "post"):
            response = getattr(client, method)(url)
            assert response.status_code in (403, 404, 405), (
                f"{who} {method.upper()} {url}: {response.status_code}"
            )
            assert MARKER not in response.content.decode(), f"{who} {method.upper()} {url} leaked the record"
        checked += 1
    assert checked >= 10
    # Nothing was changed by the refused requests.
    assert RiskAlert.objects.get(pk=records["alert_id"]).status == "open"


@pytest.mark.parametrize("who", ["charlie", "dave"])
def test_it_lists_nothing_of_another_team_or_org(client, everyone, records, who) -> None:
    client.force_login(everyone[who])
    for route, pattern in our_routes():
        if pattern.pattern.converters:
            continue
        response = client.get("/" + route + ("?view=team" if route == "" else ""))
        assert response.status_code in (200, 403, 405), route
        assert MARKER not in response.content.decode(), f"{who} GET /{route} leaked the record"
    assert "Maya" not in client.get("/clients/?q=Okafor").content.decode()


def test_anonymous_users_are_sent_to_sign_in(client, records) -> None:
    for route, pattern in our_routes():
        url = fill(route, pattern, records)
        response = client.get(url)
        assert response.status_code in (302, 405), url
        if response.status_code == 302:
            assert response["Location"].startswith("/accounts/login/"), url

"""The client's inventory and timeline as the plain facts the problem-area rules read
(`formulation.PersonFacts`, `formulation.EventFacts`), and the window around the onset the
course's protocol sets. Read-only; two queries. People retired from the inventory (added by
mistake, or merged into another record) are not among the facts."""

from __future__ import annotations

from datetime import date

from openipt.clients.models import Client
from openipt.courses.models import Course

from .formulation import ONSET_WINDOW, EventFacts, OnsetWindow, PersonFacts


def facts_for(
    client: Client, course: Course | None
) -> tuple[list[PersonFacts], list[EventFacts], date | None]:
    """Every person and life event of the client, and the onset recorded on `course` (None when
    there is no course or no onset yet). Relationships are given as their (translated) labels."""
    people = [
        PersonFacts(
            id=p.pk,
            name=p.name,
            relationship=str(p.get_relationship_display()),
            ring=p.ring,  # type: ignore[arg-type]  # the model's choices are the rules' literals
            deceased=p.deceased,
            died_on=p.died_on,
            expectations_met=p.expectations_met,  # type: ignore[arg-type]
            conflict=p.conflict,  # type: ignore[arg-type]
            changed_around_onset=p.changed_around_onset,
            linked_to_depression=p.linked_to_depression,
        )
        for p in client.people.all()  # the current people: retired records are left out
    ]
    current = {p.id for p in people}
    # One row per event and person involved (the join keeps events with nobody linked). The join
    # reaches retired people too; their links are dropped here, as they are everywhere else.
    rows = client.life_events.order_by("on", "id").values_list("id", "kind", "on", "description", "people")
    events: dict[int, tuple[str, date, str, list[int]]] = {}
    for pk, kind, on, description, person_id in rows:
        linked = events.setdefault(pk, (kind, on, description, []))[3]
        if person_id in current:
            linked.append(person_id)
    return (
        people,
        [
            EventFacts(id=pk, kind=kind, on=on, people=tuple(sorted(ids)), description=description)
            for pk, (kind, on, description, ids) in events.items()
        ],
        course.onset_date if course is not None else None,
    )


def onset_window(course: Course | None) -> OnsetWindow:
    """The window the problem-area rules weigh events in: the default, with the course's
    protocol's `continuation_days` (how long after the onset an event still counts as the
    depression's continuation). No query."""
    if course is None:
        return ONSET_WINDOW
    return OnsetWindow(continuation_days=course.protocol.continuation_days)

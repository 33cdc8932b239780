"""The diary at a glance, for the portal's home page, and the two weeks on the diary page."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.template.loader import render_to_string
from django.test import Client as HttpClient

from openipt.clients.models import Client
from openipt.courses.models import Course
from openipt.diary.models import DiaryEntry
from openipt.diary.summary import card_for


def diary(client: Client, course: Course, on: date, **fields: Any) -> DiaryEntry:
    return DiaryEntry.objects.create(
        client=client, course=course, entry_date=on, **{"kind": "mood", "mood": 5, **fields}
    )


def test_the_card_counts_this_weeks_entries_and_knows_the_last(
    client_a: Client, course_a: Course, django_assert_num_queries: Any
) -> None:
    diary(client_a, course_a, date(2026, 3, 8))  # Sunday of last week
    diary(client_a, course_a, date(2026, 3, 9))  # Monday
    diary(client_a, course_a, date(2026, 3, 9))

    with django_assert_num_queries(1):
        card = card_for(client_a, today=date(2026, 3, 10))

    assert (card.last_entry_date, card.this_week, card.wrote_today) == (date(2026, 3, 9), 2, False)
    html = render_to_string("diary/_home_card.html", {"card": card})
    assert "Your last entry: Monday 9 March." in html and "2 entries this week." in html
    assert 'href="/portal/diary/"' in html


def test_the_card_of_a_client_without_entries(client_a: Client) -> None:
    card = card_for(client_a)

    assert (card.today, card.last_entry_date, card.this_week) == (date(2026, 3, 10), None, 0)
    html = render_to_string("diary/_home_card.html", {"card": card})
    assert "it takes a minute" in html and "0 entries this week." in html


def test_the_diary_page_lists_this_week_and_last_week_newest_first(
    http: HttpClient, client_a: Client, course_a: Course
) -> None:
    diary(client_a, course_a, date(2026, 2, 28), events="Two weeks ago")
    diary(client_a, course_a, date(2026, 3, 3), events="Last Tuesday")
    diary(client_a, course_a, date(2026, 3, 9), events="Event of Monday")
    diary(client_a, course_a, date(2026, 3, 10), events="Event of today")

    body = http.get("/portal/diary/").content.decode()

    this_week, last_week = body.split('id="last-h"')
    assert (
        this_week.index("Event of today") < this_week.index("Event of Monday")
        and "Last Tuesday" not in this_week
    )
    assert "Last Tuesday" in last_week and "Two weeks ago" not in body
    assert this_week.count("Open, change or delete") == 1  # only today's entry can still change

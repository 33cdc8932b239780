"""Every page's ids are unique, every id a label or ARIA attribute points at exists, and two
search or navigation landmarks on one page carry different labels.

A duplicate id is not cosmetic: on the session page the shared note and the private process notes
both had `id_body`, so the private box had no accessible name and clicking its label put the cursor
in the note the care team reads. The walk reuses the authorisation matrix's world (one client
with a record in every table) and opens every GET route each role may reach, plus the session
page of an unsigned, upcoming session (where the note and private-notes forms both show).
"""

from __future__ import annotations

from collections import Counter
from html.parser import HTMLParser
from typing import Any

import pytest
from django.test import Client as HttpClient

from openipt.courses.models import Session
from tests.test_authorisation_matrix import ACCOUNT_ROUTES, CLASSES, all_routes, fill, world

__all__ = ["world"]  # the matrix's fixture, used here

IDREF_ATTRIBUTES = ("for", "aria-describedby", "aria-labelledby", "aria-controls", "aria-errormessage")


class IdCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.ids: list[str] = []
        self.refs: list[tuple[str, str]] = []
        self.landmarks: list[tuple[str, str]] = []  # (kind, accessible label) of search and nav
        self.h1 = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        named = dict(attrs)
        self.h1 += tag == "h1"
        kind = "search" if named.get("role") == "search" else "navigation" if tag == "nav" else ""
        if kind:
            label = named.get("aria-label") or named.get("aria-labelledby") or ""
            self.landmarks.append((kind, label))
        for name, value in attrs:
            if name == "id" and value:
                self.ids.append(value)
            elif name in IDREF_ATTRIBUTES and value:
                self.refs += [(f"{tag}[{name}]", ref) for ref in value.split()]


def id_problems(html: str) -> list[str]:
    parser = IdCollector()
    parser.feed(html)
    counts = Counter(parser.ids)
    problems = [f"id {i!r} appears {n} times" for i, n in counts.items() if n > 1]
    problems += [
        f"{where} points at {ref!r}, which is not on the page"
        for where, ref in parser.refs
        if ref not in counts
    ]
    for (kind, label), n in Counter(parser.landmarks).items():
        if n > 1:
            problems.append(f"{n} {kind} landmarks share the label {label!r}: label each differently")
    if parser.h1 != 1:
        problems.append(f"{parser.h1} h1 headings: a page has one, saying what it is about")
    return problems


def pages_for(role: str, sets: dict[str, dict[str, Any]]) -> list[str]:
    urls = []
    for route in all_routes():
        if not route.cls or route.name in ACCOUNT_ROUTES:
            continue
        if route.params:
            urls += [fill(route, sets[k]) for k in sets if CLASSES[route.cls](role, k)]
        elif CLASSES[route.cls](role, "-"):
            urls.append("/" + route.pattern)
    return urls


def test_the_parser_finds_each_kind_of_problem() -> None:
    box = '<textarea id="id_body"></textarea>'
    html = f'<h1>Page</h1><label for="id_body">A</label>{box}{box}'
    assert id_problems(html) == ["id 'id_body' appears 2 times"]
    bare = '<form role="search"></form>'
    two = f'<h1>Page</h1><form role="search" aria-label="Quick"></form>{bare}{bare}'
    assert id_problems("<p>No heading</p>") == ["0 h1 headings: a page has one, saying what it is about"]
    assert id_problems(two) == ["2 search landmarks share the label '': label each differently"]
    assert id_problems('<h1>Page</h1><input aria-describedby="gone">') == [
        "input[aria-describedby] points at 'gone', which is not on the page"
    ]


@pytest.mark.parametrize("role", ["clinician", "supervisor", "admin", "client"])
def test_no_page_repeats_an_id_or_points_at_a_missing_one(role: str, world: dict) -> None:
    http = HttpClient()
    http.force_login(world["users"][role])
    x = world["sets"]["X"]
    urls = pages_for(role, world["sets"])
    if role in ("clinician", "supervisor"):
        upcoming = Session.objects.filter(course_id=x["course_id"], attendance="scheduled").order_by("number")
        urls += [f"/sessions/{s.pk}/" for s in upcoming[:2]]
    failures = []
    shown = 0
    for url in urls:
        response = http.get(url)
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        shown += 1
        failures += [f"{url}: {p}" for p in id_problems(response.content.decode())]
    assert shown > 5
    assert not failures, "\n".join(failures)

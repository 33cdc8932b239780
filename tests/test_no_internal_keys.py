"""No page a person reads shows an internal key: instrument keys (phq9), protocol keys
(ipt-standard), problem areas, task and phase keys (role_dispute, sick_role) or ISO dates.

Renders the main clinician, supervisor and portal pages of the demo clinic and reads what a person
sees or hears: text, and the attributes a browser or screen reader shows (title, aria-label, alt,
placeholder). URLs, form values and ids are machine-facing and left alone."""

from __future__ import annotations

import io
import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client as HttpClient
from django.urls import reverse

from openipt.accounts.models import User
from openipt.clients.models import Client
from openipt.courses.models import Course, CourseStatus
from openipt.measures.instruments import INSTRUMENTS
from openipt.protocols.loader import get_protocols

SHOWN_ATTRIBUTES = {"title", "aria-label", "alt", "placeholder"}
ISO_DATE = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")


class Visible(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self.hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self.hidden += 1
        self.parts += [value or "" for name, value in attrs if name in SHOWN_ATTRIBUTES]

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self.hidden -= 1

    def handle_data(self, data: str) -> None:
        if not self.hidden:
            self.parts.append(data)


def visible_text(html: str) -> str:
    parser = Visible()
    parser.feed(html)
    return " ".join(parser.parts)


def internal_keys() -> set[str]:
    """Keys that are not ordinary words (an area called "grief" may be named in words)."""
    keys = set(INSTRUMENTS)
    for protocol in get_protocols().values():
        keys.add(protocol.key)
        keys.update(area.key for area in protocol.problem_areas)
        for phase in protocol.phases:
            keys.add(phase.key)
            keys.update(task.key for task in phase.tasks)
    return {k for k in keys if not k.isalpha()}


def leaks(html: str, keys: set[str]) -> list[str]:
    text = visible_text(html)
    found = [k for k in keys if re.search(rf"(?<![\w-]){re.escape(k)}(?![\w-])", text)]
    return sorted(found) + ISO_DATE.findall(text)


@pytest.fixture
def demo(settings: Any, tmp_path: Path, time_machine: Any) -> None:
    settings.VAR_DIR = tmp_path
    settings.OPENIPT_DEMO_PASSWORD = "a demo password for tests"
    time_machine.move_to("2026-11-24 09:00Z", tick=False)
    call_command("demo", stdout=io.StringIO())


def signed_in(username: str) -> HttpClient:
    http = HttpClient()
    http.force_login(User.objects.get(username=username))
    return http


def clinician_pages(course: Course) -> list[str]:
    client = course.client
    session = course.sessions.order_by("-scheduled_date").filter(attendance="attended").first()
    pages = [
        reverse("courses:caseload"),
        reverse("courses:caseload") + "?view=team",
        reverse("clients:list"),
        reverse("clients:detail", args=[client.pk]),
        reverse("inventory:people", args=[client.pk]),
        reverse("history:client", args=[client.pk]),
        reverse("safety:plan", args=[client.pk]),
    ]
    if session is not None:
        pages.append(reverse("courses:session", args=[session.pk]))
    return pages


@pytest.mark.django_db
@pytest.mark.usefixtures("demo")
def test_no_clinician_supervisor_or_portal_page_shows_an_internal_key() -> None:
    keys = internal_keys()
    assert {"phq9", "ipt-standard", "role_dispute", "sick_role"} <= keys
    found: dict[str, list[str]] = {}
    alice = signed_in("alice")
    for course in Course.objects.filter(clinician__username="alice", status=CourseStatus.ACTIVE)[:4]:
        for url in clinician_pages(course):
            response = alice.get(url)
            assert response.status_code == 200, url
            if bad := leaks(response.content.decode(), keys):
                found[url] = bad
    bob = signed_in("bob")
    for url in (reverse("reports:supervision"), reverse("courses:caseload")):
        if bad := leaks(bob.get(url).content.decode(), keys):
            found[url] = bad
    portal_user = User.objects.get(portal_account__client__in=Client.objects.all())
    portal = signed_in(portal_user.username)
    for url in [
        "/portal/",
        "/portal/homework/",
        "/portal/questionnaires/",
        "/portal/diary/",
        "/portal/progress/",
        "/portal/progress/sessions/",
        "/portal/progress/agreement/",
        "/portal/crisis/",
    ]:
        response = portal.get(url)
        assert response.status_code == 200, url
        if bad := leaks(response.content.decode(), keys):
            found[url] = bad
    assert found == {}

"""Pages for signed-in users are never cached; times show in the organisation's time zone."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest, HttpResponse
from django.test import Client as HttpClient
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from conftest import make_user
from openipt.accounts.middleware import OrganisationTimezoneMiddleware
from openipt.accounts.models import Role, User
from openipt.clients.models import Client
from openipt.courses.models import Course
from openipt.lib.middleware import ClinicalPagesMiddleware
from openipt.measures.actions import record_response
from openipt.safety.models import RiskAlert


@pytest.fixture(autouse=True)
def reset_zone() -> Iterator[None]:
    # The middleware activates a zone on this thread; do not let it leak into later tests.
    yield
    timezone.deactivate()


@pytest.fixture
def alert(alice: User, client_a: Client, course_a: Course) -> RiskAlert:
    # 13:45 UTC on a summer day: 14:45 in London, 09:45 in New York.
    completed = datetime(2026, 7, 1, 13, 45, tzinfo=UTC)
    record_response(alice, client_a, instrument="phq9", answers=[0] * 8 + [1], completed_at=completed)
    return RiskAlert.objects.get()


def clinical_urls(client_a: Client, course_a: Course, alert: RiskAlert) -> list[str]:
    session = course_a.sessions.get(number=1)
    return [
        reverse("courses:caseload"),
        reverse("clients:list"),
        reverse("clients:detail", args=[client_a.pk]),
        reverse("courses:session", args=[session.pk]),
        reverse("measures:record-ad-hoc", args=[client_a.pk, "phq9"]),
        reverse("safety:acknowledge", args=[alert.pk]),
        reverse("clients:detail", args=[999999]),  # a 404
        reverse("accounts:crisis-list"),  # a 403 for a clinician
        "/accounts/logout/",
        "/accounts/login/",  # allauth redirects a signed-in user away
    ]


def test_every_page_for_a_signed_in_user_is_no_store(
    client: HttpClient, alice: User, client_a: Client, course_a: Course, alert: RiskAlert
) -> None:
    client.force_login(alice)
    statuses = set()
    for url in clinical_urls(client_a, course_a, alert):
        r = client.get(url)
        statuses.add(r.status_code)
        assert "no-store" in r["Cache-Control"], url
        assert "private" in r["Cache-Control"], url
    assert statuses >= {200, 302, 403, 404}


def test_posts_and_admin_pages_are_no_store_too(
    client: HttpClient, alice: User, erin: User, course_a: Course
) -> None:
    client.force_login(alice)
    session = course_a.sessions.get(number=1)
    r = client.post(reverse("notes:save", args=[session.pk]), {"body": "Draft.", "version": ""})
    assert r.status_code == 302
    assert "no-store" in r["Cache-Control"]
    client.force_login(erin)
    assert "no-store" in client.get(reverse("accounts:crisis-list"))["Cache-Control"]


def test_static_files_are_left_cacheable(rf: RequestFactory, alice: User) -> None:
    request = rf.get("/static/openipt/openipt.css")
    request.user = alice
    response = ClinicalPagesMiddleware(lambda r: HttpResponse("css"))(request)
    assert "Cache-Control" not in response


def seen_zone(user: Any) -> str:
    request = RequestFactory().get("/")
    request.user = user
    zone: list[str] = []

    def view(r: HttpRequest) -> HttpResponse:
        zone.append(timezone.get_current_timezone_name())
        return HttpResponse()

    OrganisationTimezoneMiddleware(view)(request)
    return zone[0]


def test_it_activates_the_organisations_time_zone(alice: User, charlie: User) -> None:
    assert seen_zone(alice) == "Europe/London"
    assert seen_zone(charlie) == "America/New_York"


def test_it_uses_utc_without_an_organisation(db) -> None:
    nobody = make_user("nobody", None, Role.CLINICIAN)
    timezone.activate("Asia/Tokyo")  # left over from an earlier request on this thread
    assert seen_zone(nobody) == "UTC"
    timezone.activate("Asia/Tokyo")
    assert seen_zone(AnonymousUser()) == "UTC"


def test_times_on_pages_are_shown_in_the_organisations_zone(
    client: HttpClient, alice: User, alert: RiskAlert
) -> None:
    client.force_login(alice)
    html = client.get(reverse("safety:acknowledge", args=[alert.pk])).content.decode()
    assert "Wed 1 Jul 2026, 14:45" in html
    assert "13:45" not in html


def test_a_zone_change_applies_at_the_next_request(client: HttpClient, alice: User, alert: RiskAlert) -> None:
    organisation = alice.organisation
    assert organisation is not None
    organisation.time_zone = "America/New_York"
    organisation.save(update_fields=["time_zone"])
    client.force_login(alice)
    html = client.get(reverse("safety:acknowledge", args=[alert.pk])).content.decode()
    assert "Wed 1 Jul 2026, 09:45" in html

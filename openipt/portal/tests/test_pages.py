"""The portal's own pages: the client's home and crisis help; who may open them."""

from __future__ import annotations

from datetime import date, time
from typing import Any

import pytest
from django.test import Client as HttpClient

from conftest import make_user
from openipt.accounts.models import Organisation, Role, Team, User
from openipt.clients.actions import create_client
from openipt.clients.models import Client
from openipt.courses.actions import set_appointment
from openipt.courses.models import Course
from openipt.portal.models import PortalAccount
from openipt.safety.models import CrisisResource

from .conftest import joined

PAGES = [
    "/portal/",
    "/portal/crisis/",
    "/portal/join/",
    "/portal/sign-in-link/",
    "/portal/sign-in/?t=x",
    "/portal/homework/",
    "/portal/learn/",
    "/portal/learn/depression/",
    "/portal/questionnaires/",
    "/portal/diary/",
    "/portal/diary/conversation/",
    "/portal/progress/",
    "/portal/progress/sessions/",
    "/portal/progress/agreement/",
    "/portal/progress/staying-well/",
    "/portal/progress/safety-plan/",
    "/portal/reminders/",
]


def signed_in(user: User) -> HttpClient:
    http = HttpClient()
    http.force_login(user)
    return http


def test_a_client_sees_their_next_session(
    alice: User, client_a: Client, course_a: Course, time_machine: Any
) -> None:
    time_machine.move_to("2026-03-10 09:00Z", tick=False)
    Client.objects.filter(pk=client_a.pk).update(preferred_name="May")
    user = joined(alice, client_a)
    session = (
        course_a.sessions.filter(scheduled_date__gte=date(2026, 3, 10)).order_by("scheduled_date").first()
    )
    assert session is not None

    page = signed_in(user).get("/portal/").content.decode()

    assert "Hello, May" in page
    assert session.scheduled_date.strftime("%-d %B %Y") in page
    assert f"Session {session.number}" in page


def test_home_leads_to_the_questionnaires_due_the_diary_and_progress(
    alice: User, client_a: Client, course_a: Course, time_machine: Any
) -> None:
    """The first thing a client sees is what is waiting for them before the next session."""
    time_machine.move_to("2026-03-01 09:00Z", tick=False)  # the day before course_a's first session
    page = signed_in(joined(alice, client_a)).get("/portal/").content.decode()

    first = course_a.sessions.order_by("number").first()
    assert first is not None
    assert "Before your next session" in page
    assert f'href="/portal/questionnaires/{first.pk}/phq9/"' in page
    assert 'href="/portal/diary/"' in page and 'href="/portal/progress/"' in page
    assert 'href="/portal/reminders/"' in page
    assert page.index("Before your next session") < page.index("Your next session")


def test_without_a_course_there_is_no_session_to_show(alice: User, client_a: Client) -> None:
    page = signed_in(joined(alice, client_a)).get("/portal/").content.decode()

    assert "No session is booked" in page


def test_a_client_sees_only_their_own_home(alice: User, north_team: Team, client_a: Client) -> None:
    other = create_client(
        alice,
        team=north_team,
        clinic_identifier="NS-2",
        given_name="Tomas",
        family_name="Reyes",
        preferred_name="",
        date_of_birth=date(1990, 1, 1),
        email="",
        phone="",
        locale="en-gb",
    )
    maya, tomas = joined(alice, client_a), joined(alice, other)

    assert "Tomas" not in signed_in(maya).get("/portal/").content.decode()
    page = signed_in(tomas).get("/portal/").content.decode()
    assert "Hello, Tomas" in page and "Maya" not in page


@pytest.mark.parametrize("name", ["alice", "bob", "dave", "charlie", "erin"])
def test_staff_get_403_on_the_client_pages(name: str, everyone: dict[str, User]) -> None:
    assert signed_in(everyone[name]).get("/portal/").status_code == 403


def test_anonymous_visitors_are_sent_to_sign_in(db: None) -> None:
    response = HttpClient().get("/portal/")

    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/?next=/portal/")


def test_a_client_user_without_a_portal_account_gets_403(north: Organisation) -> None:
    user = make_user("pat", north, Role.CLIENT)

    assert signed_in(user).get("/portal/").status_code == 403


def test_a_client_user_of_another_organisation_reaches_nothing(
    alice: User, client_a: Client, river: Organisation
) -> None:
    user = joined(alice, client_a)
    User.objects.filter(pk=user.pk).update(organisation=river)
    user.refresh_from_db()

    assert signed_in(user).get("/portal/").status_code == 403


def test_portal_users_reach_no_staff_page(alice: User, client_a: Client, course_a: Course) -> None:
    http = signed_in(joined(alice, client_a))

    for url in ("/clients/", f"/clients/{client_a.pk}/", f"/portal/clients/{client_a.pk}/invite/"):
        response = http.get(url) if "invite" not in url else http.post(url, {"kind": "code"})
        assert response.status_code in (403, 404), url
    assert http.post("/").status_code == 403
    root = http.get("/")  # the site's root (a bookmark, a typed address) leads to the portal
    assert (root.status_code, root["Location"]) == (302, "/portal/")
    assert PortalAccount.objects.count() == 1


def test_crisis_help_shows_the_clinic_lines_for_the_client_locale(
    alice: User, client_a: Client, north: Organisation
) -> None:
    CrisisResource.objects.create(organisation=north, locale="en-gb", name="Samaritans", phone="116 123")
    CrisisResource.objects.create(
        organisation=north, locale="fr-fr", name="SOS Amitié", phone="09 72 39 40 50"
    )

    page = signed_in(joined(alice, client_a)).get("/portal/crisis/").content.decode()

    assert "Samaritans" in page and "116 123" in page and "SOS" not in page


def test_a_client_lost_on_a_staff_or_missing_page_is_led_back_and_to_crisis_help(
    alice: User, client_a: Client
) -> None:
    http = signed_in(joined(alice, client_a))
    for url, status in (("/clients/", 403), ("/portal/questionnaires/999999/phq9/", 404)):
        response = http.get(url)
        body = response.content.decode()
        assert response.status_code == status, url
        assert 'href="/portal/"' in body and 'href="/portal/crisis/"' in body, url
    staff = signed_in(alice).get("/portal/").content.decode()
    assert 'href="/"' in staff and 'href="/portal/crisis/"' in staff


def test_crisis_help_opens_the_safety_plan_once_it_is_shared(alice: User, client_a: Client) -> None:
    from openipt.safety.plans import save_safety_plan

    http = signed_in(joined(alice, client_a))
    assert "Open my safety plan" not in http.get("/portal/crisis/").content.decode()
    plan = save_safety_plan(alice, client_a, base_version=None, warning_signs="Not sleeping.")
    assert "Open my safety plan" not in http.get("/portal/crisis/").content.decode()  # not shared

    save_safety_plan(
        alice, client_a, base_version=plan.version, shared_with_client=True, warning_signs="Not sleeping."
    )
    page = http.get("/portal/crisis/").content.decode()
    assert "Open my safety plan" in page and 'href="/portal/progress/safety-plan/"' in page


def test_crisis_help_without_sign_in_shows_the_lines_every_clinic_shares(north: Organisation) -> None:
    """Signed out, the page offers what the sign-in page that links to it offers (found walking
    it: the sign-in page showed Samaritans, its "Crisis help" link showed no number at all)."""
    CrisisResource.objects.create(organisation=north, locale="en-gb", name="Samaritans", phone="116 123")

    page = HttpClient().get("/portal/crisis/", HTTP_ACCEPT_LANGUAGE="en-gb").content.decode()

    assert "Samaritans" in page and 'href="tel:116123"' in page
    assert "an administrator can add one" not in page  # no message for staff to a person in crisis


def test_crisis_help_without_sign_in_never_shows_one_clinics_own_line(
    north: Organisation, river: Organisation
) -> None:
    CrisisResource.objects.create(
        organisation=north, locale="en-gb", name="Northside duty line", phone="0113 496 0000"
    )
    CrisisResource.objects.create(organisation=river, locale="en-gb", name="Samaritans", phone="116 123")

    page = HttpClient().get("/portal/crisis/", HTTP_ACCEPT_LANGUAGE="en-gb").content.decode()

    assert "Your local emergency number" in page
    assert "Northside duty line" not in page and "Samaritans" not in page


def test_every_portal_page_has_crisis_help_and_no_inline_script_or_style(
    alice: User, client_a: Client
) -> None:
    http = signed_in(joined(alice, client_a))
    for url in PAGES:
        for browser in (http, HttpClient()):
            response = browser.get(url, follow=True)
            body = response.content.decode()
            if response.redirect_chain and "/accounts/login/" in response.redirect_chain[-1][0]:
                continue  # the sign-in page is allauth's
            assert response.status_code == 200, url
            assert 'href="/portal/crisis/"' in body, url
            assert "<script" not in body and "style=" not in body, url
            assert 'name="viewport"' in body


def test_a_client_signing_in_lands_on_the_portal_and_staff_on_the_caseload(db) -> None:
    from django.test import RequestFactory

    from openipt.accounts.adapter import AccountAdapter
    from openipt.accounts.models import Role, User

    request = RequestFactory().get("/")
    request.user = User(username="c-test", role=Role.CLIENT)
    assert AccountAdapter(request).get_login_redirect_url(request) == "/portal/"
    request.user = User(username="staff", role=Role.CLINICIAN)
    assert AccountAdapter(request).get_login_redirect_url(request) == "/"


def test_the_next_session_shows_its_time_and_a_video_sessions_link(
    alice: User, client_a: Client, course_a: Course, time_machine: Any
) -> None:
    time_machine.move_to("2026-03-01 09:00Z", tick=False)
    first = course_a.sessions.order_by("number").first()
    assert first is not None
    set_appointment(
        alice, first, start_time=time(14, 30), modality="video", video_url="https://meet.example.org/abc"
    )

    page = signed_in(joined(alice, client_a)).get("/portal/").content.decode()

    assert "From 14:30 to 15:20" in page
    assert 'href="https://meet.example.org/abc"' in page and "Join the video call" in page


def test_an_in_person_session_shows_no_video_link(
    alice: User, client_a: Client, course_a: Course, time_machine: Any
) -> None:
    time_machine.move_to("2026-03-01 09:00Z", tick=False)
    first = course_a.sessions.order_by("number").first()
    assert first is not None
    set_appointment(
        alice, first, start_time=time(9, 0), modality="in_person", video_url="https://meet.example.org/abc"
    )

    page = signed_in(joined(alice, client_a)).get("/portal/").content.decode()

    assert "From 09:00 to 09:50" in page
    assert "meet.example.org" not in page and "Join the video call" not in page


def test_crisis_help_puts_the_clinics_own_number_first_as_large_call_buttons(
    alice: User, client_a: Client, north: Organisation
) -> None:
    CrisisResource.objects.create(organisation=north, locale="en-gb", name="Samaritans", phone="116 123")
    Organisation.objects.filter(pk=north.pk).update(crisis_phone="+442079460000")

    page = signed_in(joined(alice, client_a)).get("/portal/crisis/").content.decode()

    clinic = page.index('href="tel:+442079460000"')
    national = page.index('href="tel:116123"')  # a tel: link never carries spaces
    assert clinic < national
    assert "Call 020 7946 0000" in page and "Call 116 123" in page  # shown as people write them
    assert page.count('class="portal-button portal-button-danger portal-call"') >= 2


@pytest.mark.parametrize("url", [p for p in PAGES if "sign-in" not in p and "join" not in p])
def test_every_portal_page_offers_a_call_to_the_clinic(
    alice: User, client_a: Client, course_a: Course, north: Organisation, url: str
) -> None:
    Organisation.objects.filter(pk=north.pk).update(crisis_phone="+442079460000")
    http = signed_in(joined(alice, client_a))

    page = http.get(url).content.decode()

    assert 'class="portal-button portal-button-danger portal-call" href="tel:+442079460000"' in page, url
    assert "Call your clinic: 020 7946 0000" in page and 'href="/portal/crisis/"' in page

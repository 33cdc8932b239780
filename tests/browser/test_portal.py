"""The client portal in a real browser on a 320 px phone screen, checked with axe-core.

1. The journey the issue names: a clinician invites a client by e-mail; the client opens the link,
   chooses a password, and answers the questionnaire due before the next session with the keyboard
   alone; a positive answer to the risk question brings crisis help before anything else; the
   clinician then sees the open alert.
2. Every portal page — signed in as the demo clinic's `client-demo`, who signs in from the site's
   front page and lands on the portal, and the public ones — at 320 px: nothing wider than the
   screen, no layout shift, zero axe-core violations.
"""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from openipt.accounts.models import User
from openipt.clients.models import Client
from openipt.diary.models import DiaryEntry
from openipt.portal.models import PortalAccount
from openipt.portal.questionnaires import due_questionnaires
from openipt.safety.models import AlertStatus, RiskAlert
from tests.browser.conftest import check_phone

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
DEMO_PASSWORD = "browser demo password 2026"
CLIENT_PASSWORD = "a long walk by the canal 2026"
PHONE = {"width": 320, "height": 640}


@pytest.fixture
def demo(live_server, settings, tmp_path) -> str:  # type: ignore[no-untyped-def]
    settings.OPENIPT_DEMO_PASSWORD = DEMO_PASSWORD
    settings.VAR_DIR = tmp_path
    call_command("demo", verbosity=0)
    return str(live_server.url)


def sign_in(page, base: str, username: str, lands_on: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_login", username)
    page.fill("#id_password", DEMO_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(base + lands_on)


def tab_to(page, selector: str, limit: int = 40) -> None:  # type: ignore[no-untyped-def]
    """Press Tab until the element matching `selector` has the focus (keyboard only, no clicks)."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate(f"() => document.activeElement && document.activeElement.matches({selector!r})"):
            return
    raise AssertionError(f"Tab never reached {selector}")


def answer_by_keyboard(page, option: int) -> None:  # type: ignore[no-untyped-def]
    """Choose answer `option` (0-based) of the question on screen and go on, with keys only."""
    tab_to(page, "form.portal-question input[type=radio]")
    page.keyboard.press("Space")  # the first answer
    for _ in range(option):
        page.keyboard.press("ArrowDown")  # each arrow moves the choice down one answer
    tab_to(page, "form.portal-question button[type=submit]")
    with page.expect_navigation():
        page.keyboard.press("Enter")


def a_client_with_phq9_due() -> Client:
    today = timezone.localdate()
    for client in Client.objects.filter(
        clinician__username="alice", courses__status="active", portal_account__isnull=True
    ).order_by("clinic_identifier"):
        if any(d.instrument == "phq9" for d in due_questionnaires(client, today)):
            return client
    raise AssertionError("no demo client of alice's has a PHQ-9 due")


def test_invitation_first_sign_in_risk_answer_crisis_help_and_the_alert(demo, browser, page) -> None:  # type: ignore[no-untyped-def]
    base = demo
    client = a_client_with_phq9_due()
    Client.objects.filter(pk=client.pk).update(email="journey@example.org")

    # The clinician invites the client by e-mail from the client page.
    sign_in(page, base, "alice", "/")
    page.goto(f"{base}/clients/{client.pk}/")
    page.click("text=Invite by e-mail")
    page.wait_for_selector("text=Invitation sent")
    [invitation] = mail.outbox
    assert invitation.to == ["journey@example.org"]
    link = re.search(r"https?://\S+/portal/join/\?t=\S+", invitation.body)
    assert link, invitation.body

    # The client, on their own phone, opens the link and chooses a username and a password.
    phone = browser.new_context(viewport=PHONE).new_page()  # the client's own phone: no shared cookies
    phone.goto(link.group(0))
    check_phone(phone, "journey-01-join")
    phone.fill("#id_username", "journey.reads")
    phone.fill("#id_password1", CLIENT_PASSWORD)
    phone.fill("#id_password2", CLIENT_PASSWORD)
    phone.click("button[type=submit]")
    phone.wait_for_url(f"{base}/portal/")
    assert "Your username is" in phone.inner_text("main")
    check_phone(phone, "journey-02-home")

    # The PHQ-9 due before the next session, by keyboard alone: items 1–8, then item 9 positive.
    tab_to(phone, "a[href$='/phq9/']")
    with phone.expect_navigation():
        phone.keyboard.press("Enter")
    phone.wait_for_selector("form.portal-question")
    check_phone(phone, "journey-03-question")
    for _ in range(8):
        assert "Question" in phone.inner_text("h1")
        answer_by_keyboard(phone, 1)
    assert "Question 9 of" in phone.inner_text("h1")
    answer_by_keyboard(phone, 2)  # thoughts of being better off dead: more than half the days

    # Crisis help comes first, before anything else, and says the therapist has been told.
    assert phone.inner_text("h1") == "Help is here now"
    main = phone.inner_text("main")
    assert "Call " in main and "your therapist has been told" in main
    check_phone(phone, "journey-04-crisis-help")
    alert = RiskAlert.objects.get(client=client, status=AlertStatus.OPEN)
    assert alert.response.channel == "portal"

    # The clinician sees the alert.
    page.goto(f"{base}/")
    row = page.locator("table.caseload tr", has_text=client.family_name)
    assert "risk alert" in row.inner_text()
    page.goto(f"{base}/clients/{client.pk}/")
    assert "Open risk alert" in page.inner_text("main")


def test_every_portal_page_on_a_phone(demo, page) -> None:  # type: ignore[no-untyped-def]
    base = demo
    page.set_viewport_size(PHONE)
    for name, path in {
        "portal-join": "/portal/join/",
        "portal-sign-in-link": "/portal/sign-in-link/",
        "portal-sign-in": "/portal/sign-in/?t=expired-or-unknown",
        "portal-crisis-public": "/portal/crisis/",
        "portal-forgotten-username": "/portal/forgotten-username/",
    }.items():
        page.goto(base + path)
        check_phone(page, name)

    user = User.objects.get(username="client-demo")
    priya = PortalAccount.objects.get(user=user).client
    started = next(d for d in due_questionnaires(priya, timezone.localdate()) if d.in_progress)
    entry = DiaryEntry.objects.filter(client=priya, kind="communication").first()
    assert entry is not None

    # A client who opens the site's front page is asked to sign in there, with crisis help and a
    # sign-in link on offer, and lands on the portal, never on a staff page that refuses them.
    page.goto(base + "/")
    page.wait_for_url(re.compile(r".*/accounts/login/.*"))
    assert page.locator("a[href='/portal/crisis/']").count() >= 1
    assert page.locator("a[href='/portal/sign-in-link/']").inner_text() == "E-mail me a sign-in link"
    check_phone(page, "portal-front-page-sign-in")
    page.fill("#id_login", "client-demo")
    page.fill("#id_password", DEMO_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(base + "/portal/")
    assert "403" not in page.title()
    pages = {
        "portal-home": "/portal/",
        "portal-questionnaires": "/portal/questionnaires/",
        "portal-question": started.url,
        "portal-homework": "/portal/homework/",
        "portal-diary": "/portal/diary/",
        "portal-diary-conversation": "/portal/diary/conversation/",
        "portal-diary-entry": f"/portal/diary/{entry.pk}/",
        "portal-progress": "/portal/progress/",
        "portal-sessions": "/portal/progress/sessions/",
        "portal-agreement": "/portal/progress/agreement/",
        "portal-staying-well": "/portal/progress/staying-well/",
        "portal-safety-plan": "/portal/progress/safety-plan/",
        "portal-reminders": "/portal/reminders/",
        "portal-learn": "/portal/learn/",
        "portal-learn-topic": "/portal/learn/depression/",
        "portal-crisis": "/portal/crisis/",
    }
    for name, path in pages.items():
        page.goto(base + path)
        assert page.locator("a[href='/portal/crisis/']").count() >= 1, name
        check_phone(page, name)

    # Pages with a refused answer show their messages accessibly too.
    page.goto(base + "/portal/diary/")
    with page.expect_navigation():
        page.click("form button[type=submit] >> nth=0")  # nothing chosen
    check_phone(page, "portal-diary-refused")
    page.goto(base + "/portal/reminders/")
    page.check("input[value=sms]")
    page.fill("input[type=tel], input[name=phone]", "not a number")
    with page.expect_navigation():
        page.click("main form button[type=submit]")
    check_phone(page, "portal-reminders-refused")

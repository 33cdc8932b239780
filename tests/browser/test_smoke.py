"""Browser smoke test: a clinician signs in, opens the caseload and a session, enters a PHQ-9
with a positive item 9, and sees the risk alert. Every page is checked with axe-core.

Runs in Debian's Chromium through Playwright (`make test` with CI=true, or scripts/test-browser.sh).
"""

from __future__ import annotations

import pytest

from conftest import PASSWORD
from openipt.safety.models import RiskAlert
from tests.browser.conftest import check_axe

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_clinician_enters_phq9_and_sees_risk_alert(live_server, page, alice, client_a, course_a) -> None:
    page.goto(f"{live_server.url}/accounts/login/")
    check_axe(page, "01-login")
    page.fill("#id_login", "alice")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")
    assert "My caseload" in page.inner_text("h1")
    assert "Maya Okafor" in page.inner_text("table.caseload")
    check_axe(page, "02-caseload")

    page.click("text=Maya Okafor")
    assert "Current course" in page.content()
    check_axe(page, "03-client")

    first = course_a.sessions.order_by("number").first()
    page.goto(f"{live_server.url}/sessions/{first.pk}/")
    check_axe(page, "04-session")
    for item in range(1, 9):
        page.check(f"#id_phq9-phq9-{item}_1")
    page.check("#id_phq9-phq9-9_2")  # "more than half the days"
    page.click("form.questionnaire button[type=submit] >> nth=0")
    page.wait_for_selector(".alert-risk")
    assert "Open risk alert" in page.inner_text(".alert-risk")
    assert (
        "Samaritans" in page.inner_text(".alert-risk")
        or "emergency" in page.inner_text(".alert-risk").lower()
    )
    check_axe(page, "05-session-with-alert")
    assert RiskAlert.objects.filter(client=client_a, status="open").count() == 1

    page.goto(f"{live_server.url}/")
    assert "1 risk alert" in page.inner_text("table.caseload")

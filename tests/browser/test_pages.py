"""Every staff page of the demo clinic in a real browser at phone size, checked with axe-core.

Signs in as a clinician, a supervisor and an administrator and opens each kind of page they use.
"""

from __future__ import annotations

import pytest
from django.core.management import call_command

from openipt.clients.models import Client
from openipt.courses.models import Session
from tests.browser.conftest import check_axe

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
DEMO_PASSWORD = "browser demo password 2026"


def sign_in(page, base: str, username: str) -> None:  # type: ignore[no-untyped-def]
    page.context.clear_cookies()
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_login", username)
    page.fill("#id_password", DEMO_PASSWORD)
    page.click("button[type=submit]")
    # Each role's landing page (access.rules.landing_url): an administrator's is the user list.
    page.wait_for_url(f"{base}/settings/users/" if username == "erin" else f"{base}/")


def test_every_kind_of_staff_page_passes_axe(live_server, page, settings, tmp_path) -> None:  # type: ignore[no-untyped-def]
    settings.OPENIPT_DEMO_PASSWORD = DEMO_PASSWORD
    settings.VAR_DIR = tmp_path
    call_command("demo", verbosity=0)
    base = live_server.url
    risky = Client.objects.get(clinic_identifier="NS-1002")
    held = Session.objects.filter(course__client=risky, attendance="attended").order_by("number").first()
    upcoming = Session.objects.filter(course__client=risky, attendance="scheduled").order_by("number").first()
    assert held and upcoming
    dispute = Client.objects.get(clinic_identifier="NS-1003")  # role dispute, middle phase
    dispute_course = dispute.courses.get(status="active")
    middle = (
        dispute_course.sessions.filter(attendance="attended", phase_key="middle").order_by("-number").first()
    )
    ending_course = Client.objects.get(clinic_identifier="NS-1004").courses.get(status="active")
    assert middle is not None

    sign_in(page, base, "alice")
    pages = {
        "alice-caseload": "/",
        "alice-clients": "/clients/",
        "alice-client": f"/clients/{risky.pk}/",
        "alice-client-edit": f"/clients/{risky.pk}/edit/",
        "alice-session-held": f"/sessions/{held.pk}/",
        "alice-session-upcoming": f"/sessions/{upcoming.pk}/",
        "alice-safety-plan": f"/alerts/clients/{risky.pk}/safety-plan/",
        "alice-safety-plan-edit": f"/alerts/clients/{risky.pk}/safety-plan/edit/",
        "alice-safety-plan-history": f"/alerts/clients/{risky.pk}/safety-plan/history/",
        "alice-safety-plan-print": f"/alerts/clients/{risky.pk}/safety-plan/print/",
        "alice-acknowledge": f"/alerts/{risky.alerts.first().pk}/acknowledge/",  # type: ignore[union-attr]
        "alice-ad-hoc-gad7": f"/measures/clients/{risky.pk}/gad7/",
        "alice-new-client": "/clients/new/",
        "alice-inventory": f"/inventory/clients/{dispute.pk}/",
        "alice-timeline": f"/inventory/clients/{dispute.pk}/timeline/",
        "alice-person-add": f"/inventory/clients/{dispute.pk}/people/add/",
        "alice-formulation": f"/formulation/courses/{dispute_course.pk}/",
        "alice-formulation-print": f"/formulation/courses/{dispute_course.pk}/print/",
        "alice-contract": f"/formulation/courses/{dispute_course.pk}/contract/",
        "alice-contract-print": f"/formulation/courses/{dispute_course.pk}/contract/print/",
        "alice-session-middle": f"/sessions/{middle.pk}/",
        "alice-ending": f"/ending/courses/{ending_course.pk}/",
        "alice-ending-print": f"/ending/courses/{ending_course.pk}/print/",
        "alice-end-course": f"/courses/{ending_course.pk}/end/",
        "alice-week": "/week/",
    }
    for name, path in pages.items():
        page.goto(base + path)
        check_axe(page, name)

    sign_in(page, base, "bob")
    page.goto(base + "/reports/supervision/")
    assert "Team supervision" in page.inner_text("h1")
    assert "Brennan" in page.inner_text("main")
    check_axe(page, "bob-supervision")

    sign_in(page, base, "erin")
    for name, path in {
        "erin-crisis-lines": "/settings/crisis-resources/",
        "erin-organisation": "/settings/organisation/",
        "erin-instruments": "/measures/admin/instruments/",
        "erin-enable-epds": "/measures/admin/instruments/epds/enable/",
        "erin-audit-verify": "/audit/verify/",
        "erin-audit-client": f"/audit/clients/{risky.pk}/",
    }.items():
        page.goto(base + path)
        check_axe(page, name)

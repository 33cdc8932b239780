"""Page weight: what a browser downloads for each page of the demo clinic, on a first visit.

For each page: the HTML as OpenIPT sends it (dynamic HTML is not compressed: compressing pages
that carry secrets next to reflected input invites BREACH), its response headers, and the
stylesheet and icon as WhiteNoise serves them in production (pre-compressed with gzip). There is
no JavaScript on these pages. Targets (issue 6 and 7): portal pages under 60 KB, clinician pages
under 100 KB. Prints a Markdown table; `make bench` runs it.
"""

from __future__ import annotations

import gzip
from pathlib import Path

import django

django.setup()

from django.contrib.staticfiles import finders  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.http import HttpResponse  # noqa: E402
from django.test import Client  # noqa: E402
from django.utils import timezone  # noqa: E402

from openipt.accounts.models import User  # noqa: E402
from openipt.clients.models import Client as ClientRecord  # noqa: E402
from openipt.courses.models import Session  # noqa: E402
from openipt.diary.models import DiaryEntry  # noqa: E402
from openipt.portal.models import PortalAccount  # noqa: E402
from openipt.portal.questionnaires import due_questionnaires  # noqa: E402

PORTAL_LIMIT = 60 * 1024
STAFF_LIMIT = 100 * 1024
ASSETS = ("openipt/openipt.css", "openipt/favicon.svg")


def asset_bytes() -> int:
    """The page's stylesheet and icon, gzip-compressed as WhiteNoise serves them."""
    total = 0
    for name in ASSETS:
        found = finders.find(name)
        assert found, name
        total += len(gzip.compress(Path(str(found)).read_bytes(), compresslevel=9))
    return total


def header_bytes(response: HttpResponse) -> int:
    lines = [f"HTTP/1.1 {response.status_code} OK"]
    lines += [f"{k}: {v}" for k, v in response.items()]
    lines += [f"Set-Cookie: {c.output(header='').strip()}" for c in response.cookies.values()]
    return len("\r\n".join(lines).encode()) + 4


def weigh(http: Client, label: str, url: str, limit: int, assets: int) -> bool:
    response = http.get(url, follow=True)  # a questionnaire's address leads to its next question
    assert response.status_code == 200, (url, response.status_code)
    html = len(response.content)
    total = html + header_bytes(response) + assets
    ok = total <= limit
    print(
        f"| {label} | {html / 1024:.1f} KB | {total / 1024:.1f} KB | "
        f"{'under' if ok else 'OVER'} {limit // 1024} KB |"
    )
    return ok


def main() -> None:
    call_command("migrate", verbosity=0)
    call_command("demo", verbosity=0)
    assets = asset_bytes()
    kb = assets / 1024
    print(f"\nPage weight, first visit (stylesheet and icon {kb:.1f} KB compressed, no JavaScript)\n")
    print("| Page | HTML | Transferred | Target |\n| --- | --- | --- | --- |")
    ok = True

    client_user = User.objects.get(username="client-demo")
    priya = PortalAccount.objects.get(user=client_user).client
    started = next(d for d in due_questionnaires(priya, timezone.localdate()) if d.in_progress)
    entry = DiaryEntry.objects.filter(client=priya).first()
    assert entry is not None
    portal = Client()
    portal.force_login(client_user)
    public = Client()
    for label, url in {
        "Portal: join": "/portal/join/",
        "Portal: crisis help (signed out)": "/portal/crisis/",
    }.items():
        ok &= weigh(public, label, url, PORTAL_LIMIT, assets)
    for label, url in {
        "Portal: home": "/portal/",
        "Portal: questionnaires": "/portal/questionnaires/",
        "Portal: a question": started.url,
        "Portal: homework": "/portal/homework/",
        "Portal: diary": "/portal/diary/",
        "Portal: diary conversation": "/portal/diary/conversation/",
        "Portal: diary entry": f"/portal/diary/{entry.pk}/",
        "Portal: my progress": "/portal/progress/",
        "Portal: sessions": "/portal/progress/sessions/",
        "Portal: agreement": "/portal/progress/agreement/",
        "Portal: reminders": "/portal/reminders/",
        "Portal: learn": "/portal/learn/",
        "Portal: learn page": "/portal/learn/depression/",
        "Portal: crisis help": "/portal/crisis/",
    }.items():
        ok &= weigh(portal, label, url, PORTAL_LIMIT, assets)

    staff = Client()
    staff.force_login(User.objects.get(username="alice"))
    risky = ClientRecord.objects.get(clinic_identifier="NS-1002")
    session = Session.objects.filter(course__client=priya, attendance="attended").order_by("-number").first()
    upcoming = Session.objects.filter(course__client=risky, attendance="scheduled").order_by("number").first()
    assert session is not None and upcoming is not None
    course = priya.courses.get(status="active")
    ending = ClientRecord.objects.get(clinic_identifier="NS-1004").courses.get(status="active")
    alert = risky.alerts.first()
    assert alert is not None
    for label, url in {
        "Clinician: caseload": "/",
        "Clinician: team caseload": "/?view=team",
        "Clinician: client list": "/clients/",
        "Clinician: client page": f"/clients/{risky.pk}/",
        "Clinician: new client": "/clients/new/",
        "Clinician: session page (with diary)": f"/sessions/{session.pk}/",
        "Clinician: session page (upcoming)": f"/sessions/{upcoming.pk}/",
        "Clinician: acknowledge an alert": f"/alerts/{alert.pk}/acknowledge/",
        "Clinician: safety plan": f"/alerts/clients/{risky.pk}/safety-plan/",
        "Clinician: ad-hoc GAD-7": f"/measures/clients/{risky.pk}/gad7/",
        "Clinician: inventory": f"/inventory/clients/{priya.pk}/",
        "Clinician: timeline": f"/inventory/clients/{priya.pk}/timeline/",
        "Clinician: formulation": f"/formulation/courses/{course.pk}/",
        "Clinician: contract": f"/formulation/courses/{course.pk}/contract/",
        "Clinician: ending": f"/ending/courses/{ending.pk}/",
        "Clinician: version history": f"/history/clients/{priya.pk}/",
        "Clinician: reminder log": f"/reminders/clients/{priya.pk}/",
    }.items():
        ok &= weigh(staff, label, url, STAFF_LIMIT, assets)
    supervisor = Client()
    supervisor.force_login(User.objects.get(username="bob"))
    ok &= weigh(supervisor, "Supervisor: team supervision", "/reports/supervision/", STAFF_LIMIT, assets)
    admin = Client()
    admin.force_login(User.objects.get(username="erin"))
    for label, url in {
        "Administrator: users": "/settings/users/",
        "Administrator: crisis lines": "/settings/crisis-resources/",
        "Administrator: instruments": "/measures/admin/instruments/",
        "Administrator: audit verify": "/audit/verify/",
    }.items():
        ok &= weigh(admin, label, url, STAFF_LIMIT, assets)
    print("\nEvery page is within its target." if ok else "\nSome pages are OVER their target.")


if __name__ == "__main__":
    main()

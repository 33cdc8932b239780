"""Stored XSS: markup typed into any free-text field is shown as text and never runs (issue 5 item 11).

The demo clinic is built, then every free-text field a clinician (or an administrator, for crisis
lines) can fill is overwritten with a marker that would set `window.__xss` if it were parsed as
HTML. Every page that shows those fields is opened in Chromium as the clinician, the supervisor and
the administrator, and on each page: `window.__xss` is undefined, no element from the marker exists,
no Content-Security-Policy violation was reported, and the marker is visible as text. The policy
itself (openipt/lib/middleware.py) would block an injected script anyway, which is why a
violation report counts as a failure: it means escaping failed and only the policy saved us.

ASVS 5.0 1.2.1 (output encoding) and 3.4.3 (CSP). Runs in the browser leg (scripts/test-browser.sh).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import pytest
from django.core.management import call_command
from django.db import connection, models

from openipt.clients.models import Client
from openipt.courses.models import (
    CommunicationAnalysis,
    Contract,
    Course,
    Formulation,
    GoalReview,
    Homework,
    Session,
    SessionWork,
    TaskRecord,
    TerminationPlan,
)
from openipt.courses.session_work import add_analysis
from openipt.inventory.models import LifeEvent, Person
from openipt.lib.db import guards
from openipt.notes.actions import add_addendum
from openipt.notes.models import Addendum, Note
from openipt.safety.models import CrisisResource, RiskAlert, SafetyPlan
from tests.browser.conftest import check_axe

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
DEMO_PASSWORD = "browser demo password 2026"

MARKER = '<img src=x onerror="window.__xss=1"><script>window.__xss=1</script>'
SHORT_MARKER = "<img src=x onerror=window.__xss=1>"  # for fields shorter than MARKER
SEEN = "<img src=x onerror="  # what every marker starts with, also when a page shortens it

# Every free-text field a user types, by model. Choices, dates, numbers, e-mail and web addresses
# are validated on input and are not free text.
TEXT_FIELDS: dict[type[models.Model], tuple[str, ...]] = {
    Client: ("given_name", "family_name", "preferred_name", "phone"),
    Note: ("body",),
    Addendum: ("body",),
    TaskRecord: ("note",),
    RiskAlert: ("action_taken",),
    SafetyPlan: (
        "warning_signs",
        "internal_coping",
        "social_distraction",
        "people_to_ask",
        "professionals",
        "environment_safety",
        "reasons_for_living",
    ),
    Person: (
        "name",
        "satisfying",
        "unsatisfying",
        "expectations",
        "support_given",
        "support_received",
        "change_description",
    ),
    LifeEvent: ("description",),
    Course: ("end_reason",),
    Formulation: ("rationale", "text"),
    Contract: ("focus", "goals", "missed_sessions"),
    SessionWork: ("interval_events",),
    GoalReview: ("note",),
    CommunicationAnalysis: ("situation", "what_said", "what_meant", "what_felt", "what_else"),
    Homework: ("task", "outcome_note"),
    TerminationPlan: (
        "progress_review",
        "goals_achieved",
        "feelings_about_ending",
        "warning_signs",
        "what_helps",
        "who_to_contact",
        "when_to_come_back",
        "recommendation_note",
    ),
    CrisisResource: ("name", "phone", "text", "hours", "description"),
}

# Installed before any of the page's own scripts: collects every CSP violation the page reports.
LISTEN = """
window.__csp = [];
document.addEventListener('securitypolicyviolation', (e) => {
  const where = e.sourceFile + ':' + e.lineNumber;
  window.__csp.push(e.violatedDirective + ' blocked ' + (e.blockedURI || 'inline') + ' at ' + where);
});
"""
INSPECT = """
(seen) => {
  const fields = [...document.querySelectorAll('input, textarea')].map((e) => e.value);
  return {
    xss: typeof window.__xss,
    injectedImages: document.querySelectorAll('img[src="x"], img[onerror]').length,
    injectedScripts: [...document.scripts].filter((s) => s.textContent.includes('__xss')).length,
    injectedHandlers: document.querySelectorAll('[onerror], [onload], [onclick]').length,
    violations: window.__csp || ['the violation listener did not run'],
    shown: document.documentElement.textContent.includes(seen) || fields.some((v) => v.includes(seen)),
  };
}
"""


def add_what_the_demo_lacks() -> None:
    """Records the demo does not make, written through the clinician's own actions."""
    if not Addendum.objects.exists():
        note = Note.objects.filter(
            status="signed", session__course__client__clinician__username="alice"
        ).first()
        assert note is not None, "the demo has no signed note"
        add_addendum(note.author, note, body="An addendum")
    if not CommunicationAnalysis.objects.exists():
        work = (
            SessionWork.objects.filter(
                session__course__status="active", session__course__client__clinician__username="alice"
            )
            .select_related("session__course__client")
            .last()
        )
        assert work is not None, "the demo has no session in the middle of a course"
        client = work.session.course.client
        person = client.people.first()
        add_analysis(
            client.clinician, work.session, person_id=person.pk if person else None, situation="A talk"
        )


def plant_markers() -> int:
    """Overwrite every free-text field of every record with the marker; the number of values written.

    Signed notes, addenda, acknowledged alerts and safety-plan versions never change through the
    application: the models, their QuerySets and database triggers refuse it (openipt/lib/db/guards.py).
    So the markers are written in raw SQL with the triggers lifted, as only someone holding the
    database owner's rights could, which is the attacker (or bug) this test guards against.
    """
    written = 0
    quote = connection.ops.quote_name
    with guards.lifted(connection), connection.cursor() as cursor:
        for model, names in TEXT_FIELDS.items():
            assert model._default_manager.exists(), f"the demo has no {model.__name__} to hold the marker"
            for name in names:
                field = model._meta.get_field(name)
                assert isinstance(field, models.CharField | models.TextField), (model, name)
                limit = getattr(field, "max_length", None)
                value = MARKER if limit is None or limit >= len(MARKER) else SHORT_MARKER
                assert limit is None or limit >= len(value), (model, name, limit)
                table, column = quote(model._meta.db_table), quote(field.column)
                cursor.execute(f"UPDATE {table} SET {column} = %s", [value])  # noqa: S608 - names from the models
                written += cursor.rowcount
    return written


def sign_in(page: Any, base: str, username: str) -> None:
    page.context.clear_cookies()
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_login", username)
    page.fill("#id_password", DEMO_PASSWORD)
    page.click("button[type=submit]")
    # Each role's landing page (access.rules.landing_url): an administrator's is the user list.
    page.wait_for_url(f"{base}/settings/users/" if username == "erin" else f"{base}/")


def assert_inert(page: Any, name: str, console: list[str], *, shown: bool = True) -> None:
    state = page.evaluate(INSPECT, SEEN)
    assert state["xss"] == "undefined", f"{name}: the marker ran"
    assert state["injectedImages"] == state["injectedScripts"] == state["injectedHandlers"] == 0, (
        f"{name}: the marker became markup: {state}"
    )
    assert state["violations"] == [], f"{name}: CSP violations {state['violations']}"
    csp_console = [m for m in console if "Content Security Policy" in m]
    assert csp_console == [], f"{name}: {csp_console}"
    if shown:
        assert state["shown"], f"{name}: the marker is not shown as text"


def visit(page: Any, base: str, name: str, path: str, console: list[str], *, shown: bool = True) -> None:
    console.clear()
    response = page.goto(base + path)
    assert response is not None and response.status == 200, (
        f"{name}: {path} -> {response and response.status}"
    )
    assert "Content-Security-Policy" in {k.title(): v for k, v in response.headers.items()}, name
    assert_inert(page, name, console, shown=shown)


def pages_for_alice(alice_clients: list[Client]) -> dict[str, str]:
    """Every page of alice's clients that shows something typed into a free-text field."""
    pages = {
        "caseload": "/",
        "clients": "/clients/",
        "client-search": "/clients/?q=" + quote(MARKER),  # reflected, not stored: shown in the search box
    }
    for client in alice_clients:
        c = client.pk
        pages |= {
            f"client-{c}": f"/clients/{c}/",
            f"client-{c}-edit": f"/clients/{c}/edit/",
            f"inventory-{c}": f"/inventory/clients/{c}/",
            f"timeline-{c}": f"/inventory/clients/{c}/timeline/",
        }
        plan = client.safety_plans.order_by("-version").first()
        if plan is not None:
            pages |= {
                f"safety-plan-{c}": f"/alerts/clients/{c}/safety-plan/",
                f"safety-plan-{c}-edit": f"/alerts/clients/{c}/safety-plan/edit/",
                f"safety-plan-{c}-history": f"/alerts/clients/{c}/safety-plan/history/",
                f"safety-plan-{c}-version": f"/alerts/clients/{c}/safety-plan/versions/{plan.version}/",
                f"safety-plan-{c}-print": f"/alerts/clients/{c}/safety-plan/print/",
            }
        person = client.people.first()
        if person is not None:
            pages[f"person-{person.pk}-edit"] = f"/inventory/people/{person.pk}/edit/"
        event = client.life_events.first()
        if event is not None:
            pages[f"event-{event.pk}-edit"] = f"/inventory/events/{event.pk}/edit/"
        for alert in client.alerts.all()[:1]:
            pages[f"alert-{alert.pk}"] = f"/alerts/{alert.pk}/acknowledge/"
        for course in client.courses.all():
            k = course.pk
            if Formulation.objects.filter(course=course).exists():
                pages[f"formulation-{k}"] = f"/formulation/courses/{k}/"
                pages[f"formulation-{k}-print"] = f"/formulation/courses/{k}/print/"
            if Contract.objects.filter(course=course).exists():
                pages[f"contract-{k}"] = f"/formulation/courses/{k}/contract/"
                pages[f"contract-{k}-print"] = f"/formulation/courses/{k}/contract/print/"
            if TerminationPlan.objects.filter(course=course).exists():
                pages[f"ending-{k}"] = f"/ending/courses/{k}/"
                pages[f"ending-{k}-print"] = f"/ending/courses/{k}/print/"
    # One session for each kind of record a session page shows, and one worksheet.
    mine = {"course__client__in": alice_clients}
    session_ids = {
        Note.objects.filter(session__course__client__in=alice_clients)
        .values_list("session", flat=True)
        .first(),
        Addendum.objects.filter(note__session__course__client__in=alice_clients)
        .values_list("note__session", flat=True)
        .first(),
        TaskRecord.objects.filter(session__course__client__in=alice_clients)
        .values_list("session", flat=True)
        .first(),
        SessionWork.objects.filter(session__course__client__in=alice_clients)
        .values_list("session", flat=True)
        .last(),
        GoalReview.objects.filter(session__course__client__in=alice_clients)
        .values_list("session", flat=True)
        .last(),
        CommunicationAnalysis.objects.filter(session__course__client__in=alice_clients)
        .values_list("session", flat=True)
        .first(),
        Homework.objects.filter(**mine).values_list("set_in", flat=True).first(),
        Homework.objects.filter(**mine, reviewed_in__isnull=False)
        .values_list("reviewed_in", flat=True)
        .first(),
    }
    assert None not in session_ids, "the demo lacks a kind of session record"
    for s in sorted(i for i in session_ids if i is not None):
        pages[f"session-{s}"] = f"/sessions/{s}/"
    analysis = CommunicationAnalysis.objects.filter(session__course__client__in=alice_clients).first()
    assert analysis is not None
    pages[f"analysis-{analysis.pk}"] = f"/work/analyses/{analysis.pk}/"
    return pages


def test_stored_markup_is_shown_as_text_and_never_runs(live_server, page, settings, tmp_path) -> None:
    settings.OPENIPT_DEMO_PASSWORD = DEMO_PASSWORD
    settings.VAR_DIR = tmp_path
    call_command("demo", verbosity=0)
    add_what_the_demo_lacks()
    assert plant_markers() > 100
    base = live_server.url
    console: list[str] = []
    page.on("console", lambda message: console.append(message.text))
    page.add_init_script(LISTEN)

    sign_in(page, base, "alice")
    alice_clients = list(Client.objects.filter(clinician__username="alice").order_by("pk"))
    assert alice_clients
    pages = pages_for_alice(alice_clients)
    assert len(pages) > 30
    axe_done: set[str] = set()
    for name, path in pages.items():
        visit(
            page,
            base,
            f"alice-{name}",
            path,
            console,
        )
        kind = name.split("-")[0] + ("-print" if name.endswith("print") else "")
        if kind not in axe_done:  # the marker must not break accessibility either
            axe_done.add(kind)
            check_axe(page, f"xss-alice-{name}")

    # Typed in the browser and swapped in by htmx: a task note in an upcoming session's agenda.
    upcoming = (
        Session.objects.filter(
            course__client__in=alice_clients, course__status="active", attendance="scheduled"
        )
        .order_by("course__client", "number")
        .first()
    )
    assert upcoming is not None
    visit(page, base, "alice-upcoming-session", f"/sessions/{upcoming.pk}/", console, shown=False)
    agenda = page.locator("#agenda form[hx-post]")
    agenda.locator("textarea").first.fill(MARKER)
    with page.expect_response(lambda r: r.url.endswith(f"/sessions/{upcoming.pk}/agenda/")) as done:
        agenda.locator("button[type=submit]").click()
    assert done.value.status == 200
    page.wait_for_function("() => !document.querySelector('.htmx-request')")
    assert_inert(page, "alice-task-swapped", console)
    assert TaskRecord.objects.filter(session=upcoming, note=MARKER).exists()
    page.reload()
    assert_inert(page, "alice-task-reloaded", console)

    sign_in(page, base, "bob")
    visit(page, base, "bob-supervision", "/reports/supervision/", console)
    visit(page, base, "bob-client", f"/clients/{alice_clients[0].pk}/", console)
    check_axe(page, "xss-bob-supervision")

    sign_in(page, base, "erin")
    visit(page, base, "erin-crisis-lines", "/settings/crisis-resources/", console)
    check_axe(page, "xss-erin-crisis-lines")

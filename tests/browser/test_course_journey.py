"""A whole course for a new client, as a clinician walks it in the browser.

alice adds a client, starts a course, and runs the first session: ticks agenda tasks, types a task
note and the session note, tries to leave (the unsaved-changes guard asks), saves the agenda
(nothing typed elsewhere is lost; a refused save shows its error with the words kept), tries to
send the note while the agenda has changed again (the guard asks again), saves, and is returned to
the section she was in. Then she moves the course through its phases and ends it from a session
of the ending phase.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from conftest import PASSWORD
from openipt.clients.models import Client
from openipt.courses.models import Course, TaskRecord
from openipt.notes.models import Note
from tests.browser.conftest import check_axe

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_clinician_walks_a_whole_course_and_loses_nothing(live_server, page, alice) -> None:  # type: ignore[no-untyped-def]
    base = live_server.url
    asked: list[str] = []

    def stay(dialog) -> None:  # type: ignore[no-untyped-def]
        asked.append(dialog.type)
        dialog.dismiss()  # "Stay on page"

    page.on("dialog", stay)
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_login", "alice")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/")

    # A new client
    page.goto(f"{base}/clients/new/")
    page.fill("#id_given_name", "Rosa")
    page.fill("#id_family_name", "Lindqvist")
    page.fill("#id_date_of_birth", "1979-06-14")
    page.fill("#id_clinic_identifier", "NS-7001")
    page.click("main button[type=submit]")
    page.wait_for_selector("h1.name")
    assert "Rosa Lindqvist" in page.inner_text("h1")
    client = Client.objects.get(clinic_identifier="NS-7001")

    # A course, started twelve weeks ago so that its first sessions have been held
    page.click("text=Start a course")
    page.select_option("#id_protocol_key", "ipt-standard")
    page.fill("#id_start_date", (timezone.localdate() - timedelta(weeks=12)).isoformat())
    page.click("main button[type=submit]")
    page.wait_for_selector("text=Course started")
    course = Course.objects.get(client=client)
    first = course.sessions.get(number=1)

    # Session 1: ticks, a task note, the session note
    page.goto(f"{base}/sessions/{first.pk}/")
    check_axe(page, "journey-session")
    page.check("#done-symptom_review")
    page.check("#done-name_diagnosis")
    page.fill("#note-psychoeducation", "Leaflet given; she will read it with her sister.")
    page.fill("#id_note_body", "Engaged well. Low mood since the move in spring.")

    # Leaving now would drop both: the guard asks, and she stays
    page.click("text=Back to the client's page")
    page.wait_for_timeout(300)
    assert asked == ["beforeunload"]
    assert page.url.endswith(f"/sessions/{first.pk}/")
    assert page.input_value("#note-psychoeducation") == "Leaflet given; she will read it with her sister."

    # Saving the agenda (htmx) keeps the session note she typed further down
    page.click("text=Save agenda")
    page.wait_for_selector("text=Agenda saved at")
    assert page.input_value("#id_note_body") == "Engaged well. Low mood since the move in spring."
    assert page.is_checked("#done-symptom_review") and page.is_checked("#done-name_diagnosis")

    # A refused agenda (a note over 5,000 characters) comes back with the error and every word
    too_long = "Long account of the week. " * 200
    page.fill("#note-symptom_review", too_long)
    page.click("text=Save agenda")
    page.wait_for_selector("#note-symptom_review_error")
    assert page.input_value("#note-symptom_review") == too_long
    assert page.input_value("#id_note_body") == "Engaged well. Low mood since the move in spring."
    page.fill("#note-symptom_review", "")

    # Changing the agenda again, then sending the note, would drop that change: the guard asks
    page.fill("#note-sick_role", "Agreed to rest from the night shifts for now.")
    page.click("text=Save draft")
    page.wait_for_timeout(300)
    assert asked == ["beforeunload", "beforeunload"]
    assert page.input_value("#note-sick_role") == "Agreed to rest from the night shifts for now."

    page.click("text=Save agenda")
    page.wait_for_selector("#note-sick_role >> text=Agreed to rest")
    with page.expect_navigation():
        page.click("text=Save draft")
    assert asked == ["beforeunload", "beforeunload"]  # nothing else was unsaved: no question
    assert page.url.endswith(f"/sessions/{first.pk}/#note-h")
    top = page.evaluate("document.getElementById('note-h').getBoundingClientRect().top")
    assert page.evaluate("window.scrollY") > 0 and 0 <= top < 740  # back where she was
    assert "Draft saved." in page.inner_text("main")

    assert sorted(TaskRecord.objects.filter(session=first).values_list("task_key", "done", "note")) == [
        ("name_diagnosis", True, ""),
        ("psychoeducation", False, "Leaflet given; she will read it with her sister."),
        ("sick_role", False, "Agreed to rest from the night shifts for now."),
        ("symptom_review", True, ""),
    ]
    assert Note.objects.get(session=first).body == "Engaged well. Low mood since the move in spring."

    # Through the phases to the ending
    for _ in range(2):
        page.goto(f"{base}/clients/{client.pk}/")
        with page.expect_navigation():
            page.click("text=Move to the next phase")
    course.refresh_from_db()
    assert course.current_phase == "termination"
    last = course.sessions.order_by("-number").first()
    assert last is not None
    page.goto(f"{base}/sessions/{last.pk}/")
    assert "Ending the course" in page.inner_text("#ending-h")
    page.click("#ending-h ~ ul >> text=End the course")
    page.wait_for_selector("input[name=status][value=completed]")
    page.check("input[name=status][value=completed]")
    page.check("input[name=confirm]")  # ending a course cannot be undone: it asks first
    with page.expect_navigation():
        page.click("main button[type=submit]")
    assert "The course has ended." in page.inner_text("main")
    course.refresh_from_db()
    assert course.status == "completed"

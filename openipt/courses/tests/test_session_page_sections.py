"""The session page keeps work: sections open and close (the phase's work open), every save returns
to its section, a refused form's section is open with the words kept, the unsaved-changes guard is
loaded, a session of the ending phase leads to the ending work, and a session still ahead is
recorded as attended only when the clinician confirms it."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from django.contrib.staticfiles import finders
from django.core.exceptions import ValidationError
from django.test import Client as HttpClient
from django.urls import reverse

from openipt.accounts.models import User
from openipt.courses.actions import advance_phase, record_attendance
from openipt.courses.models import Attendance, Course, Session
from openipt.notes.models import PsychotherapyNote

NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)  # session 1 (Mon 2 Mar) held, session 3 (16 Mar) ahead


@pytest.fixture(autouse=True)
def frozen(time_machine: Any) -> None:
    time_machine.move_to(NOW, tick=False)


def page(session: Session) -> str:
    return reverse("courses:session", args=[session.pk])


def opened(body: str) -> dict[str, bool]:
    """Each collapsible section (by its heading id) and whether it is open."""
    found = re.findall(r'aria-labelledby="([\w-]+)-h">\s*<details( open)?>', body)
    return {name: bool(is_open) for name, is_open in found}


def test_sections_collapse_and_the_phase_work_is_open(
    client: HttpClient, alice: User, course_a: Course
) -> None:
    client.force_login(alice)
    body = client.get(page(course_a.sessions.get(number=1))).content.decode()
    sections = opened(body)
    assert sections["agenda"] and sections["note"] and sections["measures"] and sections["interval"]
    assert not sections["techniques"] and not sections["analyses"] and not sections["private"]
    assert body.index('id="agenda-h"') < body.index('id="measures-h"') < body.index('id="note-h"')


def test_a_refused_form_opens_its_section_with_the_words_kept(
    client: HttpClient, alice: User, course_a: Course
) -> None:
    s1 = course_a.sessions.get(number=1)
    client.force_login(alice)
    typed = "Felt pulled to rescue her. " * 2000  # over the 50,000-character limit
    response = client.post(reverse("notes:private", args=[s1.pk]), {"body": typed, "version": ""})
    assert response.status_code == 400
    body = response.content.decode()
    assert opened(body)["private"] is True
    assert typed.strip() in body
    assert not PsychotherapyNote.objects.exists()


@pytest.mark.parametrize(
    ("name", "data", "anchor"),
    [
        ("courses:agenda", {"task_key": "sick_role", "done-sick_role": "on"}, "agenda-h"),
        ("notes:save", {"body": "Engaged well.", "version": "", "save": ""}, "note-h"),
        ("notes:private", {"body": "My own reflections.", "version": ""}, "private-h"),
        ("courses:attendance", {"attendance": "attended", "modality": "video"}, "att-h"),
        ("courses:move", {"new_date": "2026-03-03"}, "move-h"),
        (
            "measures:record-in-session",
            {
                "phq9-source": "client",
                "phq9-response_uuid": "0b8f4c44-5d0c-4a3c-9a53-0e6f8a1d2c11",
                **{f"phq9-phq9-{i}": "0" for i in range(1, 10)},
            },
            "measures-h",
        ),
    ],
)
def test_every_save_returns_to_its_section(
    client: HttpClient, alice: User, course_a: Course, name: str, data: dict[str, str], anchor: str
) -> None:
    s1 = course_a.sessions.get(number=1)
    client.force_login(alice)
    args = [s1.pk, "phq9"] if name.startswith("measures") else [s1.pk]
    response = client.post(reverse(name, args=args), data)
    assert response.status_code == 302, response.content.decode()[-3000:]
    assert response["Location"] == page(s1) + f"#{anchor}"
    assert f'id="{anchor}"' in client.get(page(s1)).content.decode()


def test_the_page_loads_the_unsaved_changes_guard_as_a_static_file(
    client: HttpClient, alice: User, course_a: Course
) -> None:
    client.force_login(alice)
    body = client.get(page(course_a.sessions.get(number=1))).content.decode()
    assert re.search(r'<script src="[^"]*/openipt/unsaved\.js" defer></script>', body)
    assert "<script>" not in body  # nothing inline: the Content-Security-Policy allows 'self' only
    assert 'class="two-col" data-unsaved-guard' in body
    script = Path(str(finders.find("openipt/unsaved.js"))).read_text(encoding="utf-8")
    assert 'addEventListener("beforeunload"' in script and "[data-unsaved-guard] form" in script


def test_an_ending_phase_session_leads_to_the_ending_work(
    client: HttpClient, alice: User, bob: User, course_a: Course
) -> None:
    client.force_login(alice)
    s3 = course_a.sessions.get(number=3)
    ending, end = (
        reverse("ending:termination", args=[course_a.pk]),
        reverse("courses:end", args=[course_a.pk]),
    )
    body = client.get(page(s3)).content.decode()
    assert ending not in body and 'id="ending-h"' not in body
    advance_phase(alice, course_a)
    advance_phase(alice, course_a)  # initial → middle → termination
    body = client.get(page(s3)).content.decode()
    assert 'id="ending-h"' in body and f'href="{ending}"' in body and f'href="{end}"' in body
    client.force_login(bob)
    body = client.get(page(s3)).content.decode()
    assert f'href="{ending}"' in body and f'href="{end}"' not in body  # bob reads, does not end


def test_a_session_still_ahead_is_attended_only_when_confirmed(
    client: HttpClient, alice: User, course_a: Course
) -> None:
    s3 = course_a.sessions.get(number=3)
    client.force_login(alice)
    assert 'name="confirm_future"' in client.get(page(s3)).content.decode()
    assert 'name="confirm_future"' not in client.get(page(course_a.sessions.get(number=1))).content.decode()
    url = reverse("courses:attendance", args=[s3.pk])
    response = client.post(url, {"attendance": "attended", "modality": "in_person"})
    assert response.status_code == 400
    body = response.content.decode()
    assert "This session is planned for Mon 16 Mar 2026, which is still ahead" in body
    assert 'id="id_confirm_future_error"' in body
    s3.refresh_from_db()
    assert s3.attendance == Attendance.SCHEDULED
    response = client.post(url, {"attendance": "attended", "modality": "in_person", "confirm_future": "on"})
    assert response.status_code == 302
    s3.refresh_from_db()
    assert s3.attendance == Attendance.ATTENDED


def test_a_session_still_ahead_may_be_marked_not_attended_or_scheduled_without_asking(
    alice: User, course_a: Course
) -> None:
    s3 = course_a.sessions.get(number=3)
    record_attendance(alice, s3, attendance="scheduled", modality="video")
    with pytest.raises(ValidationError) as refused:
        record_attendance(alice, s3, attendance="attended", modality="video")
    assert set(refused.value.error_dict) == {"confirm_future"}


def test_the_private_notes_label_names_the_private_box_not_the_shared_note(
    client: HttpClient, alice: User, course_a: Course
) -> None:
    client.force_login(alice)
    body = client.get(page(course_a.sessions.get(number=1))).content.decode()
    private = body[body.index('id="private-h"') :]
    label = re.search(r'<label for="([^"]+)">Private process notes', private)
    assert label is not None
    box = re.search(rf'<textarea name="body"[^>]* id="{label.group(1)}"', private)
    assert box is not None and label.group(1) == "id_private_body"
    note = body[body.index('id="note-h"') : body.index('id="private-h"')]
    assert 'id="id_note_body"' in note and label.group(1) not in note

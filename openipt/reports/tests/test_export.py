"""`openipt export course`: the whole course as one JSON document, outcomes included."""

from __future__ import annotations

import json
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from openipt.audit.models import AuditEvent
from openipt.courses.actions import record_attendance
from openipt.measures.actions import record_response
from openipt.notes.actions import save_draft, sign_note
from openipt.safety.actions import acknowledge_alert
from openipt.safety.models import RiskAlert


def export(course_id: str) -> dict[str, Any]:
    out = StringIO()
    call_command("export", "course", course_id, stdout=out)
    return json.loads(out.getvalue())


def test_it_exports_sessions_measures_outcomes_and_notes(alice, client_a, course_a) -> None:
    sessions = list(course_a.sessions.order_by("number")[:2])
    for session, (phq9, gad7) in zip(
        sessions, [([3] * 6 + [0, 0, 0], [2] * 6), ([1] * 8 + [1], [1] * 6)], strict=True
    ):
        record_attendance(alice, session, attendance="attended", modality="in_person")
        record_response(alice, client_a, instrument="phq9", answers=phq9, session=session)
        if session.number == 1:
            record_response(alice, client_a, instrument="gad7", answers=[*gad7, 0], session=session)
    note = sign_note(alice, save_draft(alice, sessions[0], body="First meeting.", base_version=None))
    doc = export(str(course_a.pk))
    assert doc["format"] == "openipt.course/1"
    assert doc["client"] == {"clinic_identifier": "NS-1", "uuid": str(client_a.uuid)}
    assert "Okafor" not in json.dumps(doc)  # identifier only, never the name
    assert doc["protocol"]["key"] == "ipt-standard"
    assert len(doc["sessions"]) == 16
    assert doc["sessions"][0]["note"]["body"] == "First meeting."
    assert note.signed_at is not None
    assert doc["sessions"][0]["note"]["signed_at"] == note.signed_at.isoformat()
    assert [m["total"] for m in doc["measures"] if m["instrument"] == "phq9"] == [18, 9]
    outcomes = doc["outcomes"]["instruments"]
    phq9_outcome: dict[str, Any] = next(o for o in outcomes if o["instrument"] == "phq9")
    assert phq9_outcome["response"] is True
    assert phq9_outcome["reliable_change"]["direction"] == "improved"
    assert doc["outcomes"]["talking_therapies"]["caseness"]["verdict"] == "yes"
    assert {a["flag"] for a in doc["alerts"]} == {"suicidal_ideation"}
    assert AuditEvent.objects.filter(action="course.export", client_id=client_a.pk).count() == 1


def test_it_finds_a_course_by_uuid(course_a) -> None:
    assert export(str(course_a.uuid))["course"]["uuid"] == str(course_a.uuid)


@pytest.mark.parametrize("ident", ["999999", "not-a-uuid", "00000000-0000-0000-0000-000000000000"])
def test_an_unknown_course_is_a_clear_error(db, ident: str) -> None:
    with pytest.raises(CommandError, match="give the course number or UUID"):
        call_command("export", "course", ident, stdout=StringIO())


def test_it_keeps_acknowledged_alerts_with_who_when_and_the_action(alice, client_a, course_a) -> None:
    session = course_a.sessions.order_by("number").first()
    record_response(alice, client_a, instrument="phq9", answers=[0] * 8 + [2], session=session)
    alert = acknowledge_alert(
        alice, RiskAlert.objects.get(), action_taken="Phoned her; safety plan reviewed."
    )
    [exported] = export(str(course_a.pk))["alerts"]
    assert exported == {
        "flag": "suicidal_ideation",
        "summary": "Thoughts of being better off dead or of self-harm",
        "instrument": "phq9",
        "severity": "high",
        "raised_at": alert.raised_at.isoformat(),
        "status": "acknowledged",
        "acknowledged_at": alert.acknowledged_at.isoformat() if alert.acknowledged_at else None,
        "acknowledged_by": "Alice",
        "action_taken": "Phoned her; safety plan reviewed.",
    }

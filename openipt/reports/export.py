"""The whole course as one JSON document: the clinic's export and the client's copy of their record.

The client appears by clinic identifier and UUID only. Later issues add the inventory, timeline,
formulation, contract and termination plan to the same document.
"""

from __future__ import annotations

import dataclasses
from enum import Enum
from typing import Any

from django.utils import timezone

from openipt.courses.models import Course, TaskRecord
from openipt.measures.models import Score
from openipt.measures.tracking import outcomes_for_course
from openipt.notes.models import Note
from openipt.safety.models import RiskAlert

FORMAT = "openipt.course/1"


def _plain(value: Any) -> Any:
    """Dataclasses, enums and tuples as JSON-ready values."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def course_document(course: Course) -> dict[str, Any]:
    protocol = course.protocol
    titles = {t.key: t.title for p in protocol.phases for t in p.tasks}
    tasks: dict[int, list[dict[str, Any]]] = {}
    for record in TaskRecord.objects.filter(session__course=course).order_by("session_id", "task_key"):
        tasks.setdefault(record.session_id, []).append(
            {
                "key": record.task_key,
                "title": titles.get(record.task_key, record.task_key),
                "done": record.done,
                "note": record.note,
            }
        )
    notes = {
        n.session_id: n
        for n in Note.objects.filter(session__course=course)
        .select_related("signed_by")
        .prefetch_related("addenda")
    }
    sessions = []
    for s in course.sessions.order_by("scheduled_date", "number", "id"):
        note = notes.get(s.pk)
        sessions.append(
            {
                "uuid": str(s.uuid),
                "number": s.number,
                "date": _iso(s.scheduled_date),
                "attendance": s.attendance,
                "modality": s.modality,
                "phase": s.phase_key,
                "tasks": tasks.get(s.pk, []),
                "note": None
                if note is None
                else {
                    "status": note.status,
                    "body": note.body,
                    "signed_at": _iso(note.signed_at),
                    "addenda": [{"at": _iso(a.created_at), "body": a.body} for a in note.addenda.all()],
                },
            }
        )
    measures = [
        {
            "instrument": sc.instrument,
            "completed_at": _iso(sc.completed_at),
            "session": sc.response.session.number if sc.response.session else None,
            "source": sc.response.source,
            "answers": sc.response.answers,
            "total": sc.total,
            "band": sc.band,
            "risk": sc.risk,
        }
        for sc in Score.objects.filter(course=course)
        .select_related("response__session")
        .order_by("completed_at", "id")
    ]
    alerts = [
        {
            "flag": a.flag,
            "severity": a.severity,
            "raised_at": _iso(a.raised_at),
            "status": a.status,
            "acknowledged_at": _iso(a.acknowledged_at),
            "action_taken": a.action_taken,
        }
        for a in RiskAlert.objects.filter(response__course=course).order_by("raised_at", "id")
    ]
    return {
        "format": FORMAT,
        "exported_at": timezone.now().isoformat(),
        "client": {"clinic_identifier": course.client.clinic_identifier, "uuid": str(course.client.uuid)},
        "protocol": {"key": protocol.key, "name": protocol.name, "version": course.protocol_version},
        "course": {
            "uuid": str(course.uuid),
            "status": course.status,
            "start_date": _iso(course.start_date),
            "planned_sessions": course.planned_sessions,
            "current_phase": course.current_phase,
            "ended_on": _iso(course.ended_on),
            "end_reason": course.end_reason,
        },
        "sessions": sessions,
        "measures": measures,
        "outcomes": _plain(outcomes_for_course(course)),
        "alerts": alerts,
    }

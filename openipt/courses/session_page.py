"""What the session page shows, in the order the session goes."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from openipt.clients.access import can_write
from openipt.diary.summary import session_diary
from openipt.lib.http import AuthedRequest
from openipt.measures.forms import InstrumentForm
from openipt.measures.instruments import get_instrument
from openipt.measures.licensing import available_instruments
from openipt.measures.models import Score
from openipt.notes.actions import private_note_for
from openipt.notes.forms import AddendumForm, NoteForm, PrivateNoteForm
from openipt.notes.models import Note
from openipt.protocols.model import Task
from openipt.safety.actions import crisis_resources_for

from . import summary
from .forms import AttendanceForm, MoveSessionForm
from .models import Attendance, Session, TaskRecord
from .session_work import work_context


@dataclass
class AgendaItem:
    task: Task
    record: TaskRecord | None

    @property
    def done(self) -> bool:
        return bool(self.record and self.record.done)


@dataclass
class DueMeasure:
    key: str
    name: str
    form: InstrumentForm | None
    score: Score | None
    enabled: bool = True


def _private(request: AuthedRequest, session: Session, writable: bool) -> dict[str, Any]:
    """The signed-in clinician's own private process notes (never anyone else's)."""
    if not writable:
        return {"private_note": None, "private_form": None}
    mine = private_note_for(request.user, session)
    initial = {"body": mine.body if mine else "", "version": mine.version if mine else ""}
    return {"private_note": mine, "private_form": PrivateNoteForm(initial=initial)}


def session_context(request: AuthedRequest, session: Session, **overrides: Any) -> dict[str, Any]:
    course = session.course
    client = course.client
    protocol = course.protocol
    total = course.planned_sessions
    phases = {p.key: p for p in protocol.phases_for(total)}
    held = session.attendance == Attendance.ATTENDED
    phase = phases[session.phase_key if held else course.current_phase]
    expected = protocol.phase_for_session(session.number, total)
    records = {r.task_key: r for r in TaskRecord.objects.filter(session=session)}
    agenda = [AgendaItem(task=t, record=records.get(t.key)) for t in phase.tasks_for_session(session.number)]

    scores = {
        s.instrument: s for s in Score.objects.filter(response__session=session).order_by("completed_at")
    }
    due_keys = list(protocol.measures_due(session.number, total))
    due_keys += [k for k in scores if k not in due_keys]
    writable = can_write(request.user, client)
    measure_forms = overrides.pop("measure_forms", {})
    due = []
    available = {i.key: i for i in available_instruments(client.organisation_id)}
    for key in due_keys:
        instrument = available.get(key)
        form = None
        if instrument is not None and key not in scores and writable and course.is_active:
            form = measure_forms.get(key) or InstrumentForm(instrument)
        name = (instrument or get_instrument(key)).name
        due.append(
            DueMeasure(key=key, name=name, form=form, score=scores.get(key), enabled=instrument is not None)
        )

    previous = (
        Session.objects.filter(
            course=course, attendance=Attendance.ATTENDED, scheduled_date__lt=session.scheduled_date
        )
        .order_by("-scheduled_date")
        .first()
    )
    note = (
        Note.objects.filter(session=session)
        .prefetch_related("addenda__author")
        .select_related("signed_by")
        .first()
    )
    banner = summary.banner_for(client)
    context: dict[str, Any] = {
        "session": session,
        "course": course,
        "client": client,
        "protocol": protocol,
        "phase": phase,
        "expected_phase": expected,
        "next_phase": protocol.next_phase(course.current_phase),
        "agenda": agenda,
        "contacts_after": protocol.contacts_after_session(session.number, total),
        "due": due,
        "previous": previous,
        "interval_days": (session.scheduled_date - previous.scheduled_date).days if previous else None,
        "note": note,
        "note_form": NoteForm(
            initial={"body": note.body if note else "", "version": note.version if note else ""}
        ),
        "addendum_form": AddendumForm(),
        **_private(request, session, writable and course.is_active),
        "attendance_form": AttendanceForm(
            initial={"attendance": session.attendance, "modality": session.modality}
        ),
        "move_form": MoveSessionForm(initial={"new_date": session.scheduled_date}),
        "banner": banner,
        "crisis": crisis_resources_for(client.organisation_id, client.locale) if banner.open_alerts else [],
        # the client's diary since the previous session held (one query; staff only read it)
        "diary": session_diary(
            client.pk, session.scheduled_date, previous.scheduled_date if previous else None
        ),
        "can_write": writable and course.is_active,
    }
    work_writable = context["can_write"] and not session.is_cancelled
    context.update(work_context(session, phase, previous, writable=work_writable, overrides=overrides))
    context["work_can_write"] = work_writable
    context.update(overrides)
    return context

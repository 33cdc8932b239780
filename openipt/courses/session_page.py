"""What the session page shows, in the order the session goes."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.http import HttpResponseRedirect
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

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
from openipt.protocols.model import Phase, Task
from openipt.safety.actions import crisis_resources_for

from . import summary
from .forms import AgendaForm, AppointmentForm, AttendanceForm, MoveSessionForm
from .models import Attendance, Session, TaskRecord
from .session_work import GOAL_PHASES, work_context

# The phase whose sessions prepare the ending: they link to the ending work (progress review,
# relapse-prevention plan, what comes next) and to ending the course.
ENDING_PHASE = "termination"


# The page's sections, each one <details> that opens and closes. Sections with work to do now are
# open; the rest start closed to keep the page short. A section whose form was refused is open.
SECTION_OF_FORM = {
    "agenda_form": "agenda",
    "measure_forms": "measures",
    "interval_form": "interval",
    "goal_form": "goals",
    "dispute_form": "goals",
    "techniques_form": "techniques",
    "analysis_form": "analyses",
    "homework_form": "homework_set",
    "review_form": "homework_review",
    "note_form": "note",
    "addendum_form": "note",
    "private_form": "private",
}

# Who joins the client for a task (`Task.participants`), as the agenda says it.
PARTICIPANT_LABELS = {
    "client": gettext_noop("the client"),
    "parent": gettext_noop("a parent or carer"),
    "partner": gettext_noop("the partner"),
    "caregiver": gettext_noop("a caregiver"),
}


@dataclass
class AgendaItem:
    """One task of the agenda as the page shows it: stored, or as typed when a save was refused."""

    task: Task
    record: TaskRecord | None
    checked: bool | None = None
    typed: str | None = None
    errors: list[str] = field(default_factory=list)
    # For a task held once: the session number chosen for it, if any.
    chosen_session: int | None = None

    @property
    def done(self) -> bool:
        if self.checked is not None:
            return self.checked
        return bool(self.record and self.record.done)

    @property
    def note(self) -> str:
        if self.typed is not None:
            return self.typed
        return self.record.note if self.record else ""

    @property
    def to_choose(self) -> bool:
        """A task held once whose session is not chosen yet: the agenda offers to hold it here."""
        return self.task.once and self.chosen_session is None

    @property
    def with_whom(self) -> str:
        return ", ".join(
            _(PARTICIPANT_LABELS[p]) if p in PARTICIPANT_LABELS else p.replace("_", " ")
            for p in self.task.participants
        )


def agenda_for(session: Session, phase: Phase, records: dict[str, TaskRecord]) -> list[AgendaItem]:
    """The session's agenda: a task held once shows only at the session chosen for it (every
    session of its phase offers to hold it until one is chosen)."""
    chosen = session.course.chosen_sessions
    items = []
    for task in phase.tasks_for_session(session.number, chosen):
        at = chosen.get(task.key) if task.once else None
        at = at if at is not None and phase.includes(at) else None
        items.append(AgendaItem(task=task, record=records.get(task.key), chosen_session=at))
    return items


def agenda_items(session: Session, phase: Phase, form: AgendaForm | None = None) -> list[AgendaItem]:
    """The phase's tasks for this session with their records; a refused form's ticks and words."""
    records = {r.task_key: r for r in TaskRecord.objects.filter(session=session)}
    items = agenda_for(session, phase, records)
    if form is not None and form.is_bound:
        for item in items:
            key = item.task.key
            if key in form.task_keys:
                item.checked = form.data.get(f"done-{key}") in ("on", "true", "1")
                item.typed = form.data.get(f"note-{key}", "")
                item.errors = [str(e) for e in form.errors.get(f"note-{key}", [])]
    return items


def shown_phase(session: Session) -> Phase:
    """A session held shows the phase it was held in; one still to come, the course's phase now."""
    course = session.course
    phases = {p.key: p for p in course.protocol.phases_for(course.planned_sessions)}
    held = session.attendance == Attendance.ATTENDED
    return phases[session.phase_key if held else course.current_phase]


def back_to(session: Session, anchor: str) -> HttpResponseRedirect:
    """After a save, back to the session page at the section the clinician was working in."""
    return redirect(reverse("courses:session", args=[session.pk]) + f"#{anchor}")


def _open_sections(context: dict[str, Any], refused: set[str]) -> dict[str, bool]:
    work = context["work"]
    writable = context["can_write"]
    return {
        "agenda": True,
        "goals": True,
        "homework_review": any(row.form for row in work.to_review),
        "measures": any(m.form for m in context["due"]),
        "interval": context["work_can_write"] and work.work is None,
        "techniques": False,
        "analyses": False,
        "homework_set": context["work_can_write"] and context["phase"].key in GOAL_PHASES,
        "note": True,
        "private": bool(writable and context["private_note"]),
    } | dict.fromkeys(refused, True)


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
    phase = shown_phase(session)
    expected = protocol.phase_for_session(session.number, total)
    refused = {SECTION_OF_FORM[name] for name in overrides if name in SECTION_OF_FORM}
    agenda = agenda_items(session, phase, overrides.get("agenda_form"))

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
            initial={"attendance": session.attendance, "modality": session.modality},
            future=session.scheduled_date > timezone.localdate(),
        ),
        "ending_work": phase.key == ENDING_PHASE,
        "move_form": MoveSessionForm(initial={"new_date": session.scheduled_date}),
        "appointment_form": AppointmentForm(
            initial={
                "start_time": session.start_time,
                "modality": session.modality,
                "video_url": session.video_url,
            }
        ),
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
    context["open"] = _open_sections(context, refused)
    return context

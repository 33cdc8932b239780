"""The whole course as one JSON document: the clinic's export and the client's copy of their record.

The client appears by clinic identifier and UUID only. Everything recorded about the course reads
back here: sessions with tasks, techniques, goals, homework and communication analyses; the
inventory and timeline; the problem-area suggestions with their reasons and the area chosen;
formulation, contract, measures with scores, outcomes, termination plan and recommendation.
"""

from __future__ import annotations

import dataclasses
from enum import Enum
from typing import Any

from django.utils import timezone
from django.utils.formats import date_format

from openipt.courses.models import (
    CommunicationAnalysis,
    Contract,
    Course,
    Formulation,
    GoalReview,
    Homework,
    SessionWork,
    TaskRecord,
    TerminationPlan,
)
from openipt.inventory import formulation as rules
from openipt.inventory.facts import facts_for, onset_window
from openipt.inventory.models import LifeEvent, Person
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
    work = {w.session_id: w for w in SessionWork.objects.filter(session__course=course)}
    goals: dict[int, list[dict[str, Any]]] = {}
    for g in GoalReview.objects.filter(session__course=course).order_by("session_id", "area", "goal_index"):
        goals.setdefault(g.session_id, []).append(
            {"area": g.area, "goal": g.goal, "status": g.status, "note": g.note}
        )
    analyses: dict[int, list[dict[str, Any]]] = {}
    for a in CommunicationAnalysis.objects.filter(session__course=course).select_related("person"):
        analyses.setdefault(a.session_id, []).append(
            {
                "with": a.person.name if a.person else None,
                "what_happened": a.situation,
                "what_was_said": a.what_said,
                "what_was_meant": a.what_meant,
                "what_was_felt": a.what_felt,
                "what_else_could_be_said": a.what_else,
            }
        )
    sessions = []
    for s in course.sessions.order_by("scheduled_date", "number", "id"):
        note = notes.get(s.pk)
        w = work.get(s.pk)
        sessions.append(
            {
                "uuid": str(s.uuid),
                "number": s.number,
                "date": _iso(s.scheduled_date),
                "attendance": s.attendance,
                "modality": s.modality,
                "phase": s.phase_key,
                "tasks": tasks.get(s.pk, []),
                "interval": None if w is None else {"mood": w.interval_mood, "events": w.interval_events},
                "techniques": w.techniques if w else [],
                "dispute_stage": w.dispute_stage if w else "",
                "goals": goals.get(s.pk, []),
                "communication_analyses": analyses.get(s.pk, []),
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
    # Acknowledged alerts stay in the record with who acknowledged them, when and what they did.
    alerts = [
        {
            "flag": a.flag,
            "summary": a.summary,
            "instrument": a.response.instrument,
            "severity": a.severity,
            "raised_at": _iso(a.raised_at),
            "status": a.status,
            "acknowledged_at": _iso(a.acknowledged_at),
            "acknowledged_by": None if a.acknowledged_by is None else str(a.acknowledged_by),
            "action_taken": a.action_taken,
        }
        for a in RiskAlert.objects.filter(response__course=course)
        .select_related("response", "acknowledged_by")
        .order_by("raised_at", "id")
    ]
    return {
        **_arc(course),
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


def _arc(course: Course) -> dict[str, Any]:
    """Inventory, timeline, suggestions, formulation, contract, homework and termination."""
    client = course.client
    # Retired records too (added by mistake, or merged into another): the export is the record.
    people = list(
        Person.everyone.filter(client=client).select_related("merged_into").order_by("ring", "name", "id")
    )
    events = list(LifeEvent.objects.filter(client=client).prefetch_related("people").order_by("on", "id"))
    person_facts, event_facts, onset = facts_for(client, course)
    suggestion = rules.suggest(
        person_facts,
        event_facts,
        onset,
        window=onset_window(course),
        format_date=lambda d: date_format(d, "j M Y"),
    )
    formulation = Formulation.objects.filter(course=course).first()
    contract = Contract.objects.filter(course=course).first()
    termination = TerminationPlan.objects.filter(course=course).first()
    homework = list(
        Homework.objects.filter(course=course)
        .select_related("set_in", "reviewed_in")
        .order_by("created_at", "id")
    )
    return {
        "inventory": [
            {
                "name": p.name,
                "relationship": p.relationship,
                "ring": p.ring,
                "deceased": p.deceased,
                "died_on": _iso(p.died_on),
                "contact": p.contact,
                "satisfying": p.satisfying,
                "unsatisfying": p.unsatisfying,
                "expectations": p.expectations,
                "expectations_met": p.expectations_met,
                "support_given": p.support_given,
                "support_received": p.support_received,
                "conflict": p.conflict,
                "changed_around_onset": p.changed_around_onset,
                "change_description": p.change_description,
                "linked_to_depression": p.linked_to_depression,
                "retired": None
                if p.retired_at is None
                else {
                    "at": _iso(p.retired_at),
                    "reason": p.retired_reason,
                    "merged_into": p.merged_into.name if p.merged_into else None,
                },
            }
            for p in people
        ],
        "timeline": {
            "onset": _iso(course.onset_date),
            "events": [
                {
                    "kind": e.kind,
                    "on": _iso(e.on),
                    "description": e.description,
                    "people": [p.name for p in e.people.all()],
                }
                for e in events
            ],
        },
        "problem_area_suggestions": _plain(suggestion),
        "formulation": None
        if formulation is None
        else {
            "problem_areas": formulation.problem_areas,
            "rationale": formulation.rationale,
            "text": formulation.text,
            "dispute_stage": formulation.dispute_stage,
            "client_agreed": formulation.client_agreed,
            "agreed_on": _iso(formulation.agreed_on),
        },
        "contract": None
        if contract is None
        else {
            "sessions": contract.sessions,
            "focus": contract.focus,
            "goals": contract.goals,
            "missed_sessions": contract.missed_sessions,
            "agreed_on": _iso(contract.agreed_on),
        },
        "homework": [
            {
                "task": h.task,
                "set_in_session": h.set_in.number,
                "reviewed_in_session": h.reviewed_in.number if h.reviewed_in else None,
                "outcome": h.outcome,
                "outcome_note": h.outcome_note,
            }
            for h in homework
        ],
        "termination": None
        if termination is None
        else {
            "progress_review": termination.progress_review,
            "goals_achieved": termination.goals_achieved,
            "feelings_about_ending": termination.feelings_about_ending,
            "relapse_prevention": {
                "warning_signs": termination.warning_signs,
                "what_helps": termination.what_helps,
                "who_to_contact": termination.who_to_contact,
                "when_to_come_back": termination.when_to_come_back,
            },
            "recommendation": termination.recommendation,
            "recommendation_note": termination.recommendation_note,
        },
    }

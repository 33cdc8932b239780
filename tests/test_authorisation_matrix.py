"""The authorisation matrix: every route × every role × the objects they may and may not reach.

Routes come from the URL resolver, so a new route is covered without anyone remembering to, and a
route this file cannot classify fails `test_every_route_is_classified`. For each role the test
requests every route, with GET and POST, on three sets of records:

* X — a client of team A (alice leads, bob supervises), Y — a client of team B (dave), both in
  Northside; R — a client of Riverside (charlie). Each set carries its own marker in every
  free-text field (`test_every_free_text_field_carries_its_marker` proves the seeding is complete,
  so a new field must be seeded too).

A forbidden request must get 403 or 404 (405 for a method the route does not take; anonymous
visitors are sent to sign in) and its body must carry no marker at all; an allowed one must not
be refused. Every response, allowed or not, must carry no marker of a set the role cannot reach.
Refused requests must change nothing: every table of clinical data is compared before and after.
`test_the_matrix_catches_a_leak` breaks the team rule on purpose and checks the matrix notices.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import pytest
from django.apps import apps
from django.db import models
from django.test import Client as HttpClient
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from conftest import make_user
from openipt.access import rules
from openipt.access.models import BreakGlassGrant
from openipt.accounts.models import Organisation, Role, Team, User
from openipt.clients.models import Client
from openipt.courses.actions import start_course
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
from openipt.diary.models import DiaryEntry
from openipt.inventory.models import LifeEvent, Person
from openipt.measures.actions import record_response
from openipt.notes.models import Addendum, Note, PsychotherapyNote
from openipt.portal.models import PortalAccount
from openipt.reminders.models import ReminderDelivery, ReminderPreference
from openipt.safety.models import CrisisResource, RiskAlert, SafetyPlan

MARKS = {"X": "MKXQ", "Y": "MKYQ", "R": "MKRQ"}
ALL_MARKS = tuple(MARKS.values())

# --- Roles --------------------------------------------------------------------------------------

ROLES = ["anonymous", "clinician", "supervisor", "other_team", "other_org", "admin", "admin_bg", "client"]
REACH = {  # whose markers a role may ever see
    "anonymous": set(),
    "clinician": {"X"},
    "supervisor": {"X"},
    "other_team": {"Y"},
    "other_org": {"R"},
    "admin": set(),
    "admin_bg": {"X"},  # under emergency access to X
    "client": set(),
}
TEAM_READERS = {"X": {"clinician", "supervisor", "admin_bg"}, "Y": {"other_team"}, "R": {"other_org"}}
TEAM_WRITERS = {"X": {"clinician"}, "Y": {"other_team"}, "R": {"other_org"}}
ADMINS = {"admin", "admin_bg"}

# --- Route classes ------------------------------------------------------------------------------


def _read(role: str, objs: str) -> bool:
    return role in TEAM_READERS[objs]


def _write(role: str, objs: str) -> bool:
    return role in TEAM_WRITERS[objs]


def _acknowledge(role: str, objs: str) -> bool:
    return role in {"X": {"clinician", "supervisor"}, "Y": {"other_team"}, "R": {"other_org"}}[objs]


def _private(role: str, objs: str) -> bool:
    return role in TEAM_WRITERS[objs]  # the author of the set's private notes is its clinician


def _org_admin(role: str, objs: str) -> bool:
    return role in ADMINS and objs in ("X", "Y")


def _client_audit(role: str, objs: str) -> bool:
    return _org_admin(role, objs) or (role == "supervisor" and objs == "X")


CLASSES: dict[str, Callable[[str, str], bool]] = {
    # routes that name a record: may the role reach the set's record?
    "read": _read,
    "write": _write,
    "acknowledge": _acknowledge,
    "private": _private,
    "org-admin-object": _org_admin,
    "client-audit": _client_audit,
    # routes that name no record: may the role enter at all?
    "clinical-list": lambda role, _: (
        role in {"clinician", "supervisor", "other_team", "other_org", "admin_bg"}
    ),
    "clinician-only": lambda role, _: role in {"clinician", "other_team", "other_org"},
    "supervisor-only": lambda role, _: role == "supervisor",
    "admin-only": lambda role, _: role in ADMINS,
    "signed-in": lambda role, _: role != "anonymous",
    "portal": lambda role, _: role == "client",  # a portal client's own pages (pat's client is P)
    "portal-object": lambda role, _: False,  # a record of the portal client's own: none of X, Y, R is pat's
    "public": lambda role, _: True,
}

# Refusals that redirect instead: whoever opens the site's root and may not enter clinical pages
# goes where their OpenIPT begins (a client's portal, an administrator's user list).
SENT_TO_PORTAL = {
    ("client", "get", "courses:caseload"): "portal:home",
    ("admin", "get", "courses:caseload"): "accounts:user-list",
}

ROUTES = {
    # clinical pages that show a record (GET), some also take a write (POST: clinicians only)
    "clients:detail": "read",
    "courses:session": "read",
    "inventory:people": "read",
    "inventory:timeline": "read",
    "safety:plan": "read",
    "safety:plan-history": "read",
    "safety:plan-version": "read",
    "safety:plan-print": "read",
    "ending:termination": "read",
    "ending:print": "read",
    "formulation:formulation": "read",
    "formulation:print": "read",
    "formulation:contract": "read",
    "formulation:contract-print": "read",
    "work:analysis": "read",
    "history:client": "read",
    # clinical writes
    "clients:edit": "write",
    "courses:start": "write",
    "courses:advance-phase": "write",
    "courses:end": "write",
    "courses:attendance": "write",
    "courses:move": "write",
    "courses:appointment": "write",
    "courses:cancel": "write",
    "courses:agenda": "write",
    "courses:task-session": "write",
    "measures:record-in-session": "write",
    "measures:record-ad-hoc": "write",
    "safety:plan-edit": "write",
    "notes:save": "write",
    "notes:addendum": "write",
    "inventory:person-add": "write",
    "inventory:person-edit": "write",
    "inventory:person-retire": "write",
    "inventory:event-add": "write",
    "inventory:event-edit": "write",
    "inventory:onset": "write",
    "ending:maintenance": "write",
    "formulation:choose": "write",
    "formulation:save": "write",
    "work:interval": "write",
    "work:techniques": "write",
    "work:dispute": "write",
    "work:goal": "write",
    "work:add-analysis": "write",
    "work:set-homework": "write",
    "work:review-homework": "write",
    "safety:acknowledge": "acknowledge",
    "notes:private": "private",
    # lists and pages without a record
    "courses:caseload": "clinical-list",
    "courses:week": "clinical-list",
    "clients:list": "clinical-list",
    "clients:create": "clinician-only",
    "reports:supervision": "supervisor-only",
    # administration
    "accounts:crisis-list": "admin-only",
    "accounts:organisation": "admin-only",
    "accounts:crisis-delete": "org-admin-object",
    "accounts:user-list": "admin-only",
    "accounts:user-create": "admin-only",
    "accounts:user-detail": "org-admin-object",
    "accounts:user-deactivate": "org-admin-object",
    "accounts:user-reactivate": "org-admin-object",
    "accounts:user-mfa-reset": "org-admin-object",
    "measures:admin-instruments": "admin-only",
    "measures:admin-enable": "admin-only",
    "measures:admin-disable": "admin-only",
    "audit:verify": "admin-only",
    "audit:client": "client-audit",
    "access:emergency": "admin-only",
    "access:end": "org-admin-object",
    # the client portal: staff invite and close access; the client's own pages name no record
    "portal:invite": "write",
    "portal:revoke": "write",
    "portal:home": "portal",
    "portal:homework": "portal",
    "portal:answer-homework": "portal-object",
    "portal:questionnaires": "portal",
    "portal:questionnaire": "portal-object",
    "portal:questionnaire-question": "portal-object",
    "portal:questionnaire-review": "portal-object",
    "portal:questionnaire-send": "portal-object",
    "portal:questionnaire-crisis": "portal-object",
    "portal:questionnaire-done": "portal-object",
    "portal:learn": "portal",
    "portal:learn-topic": "portal",
    "portal:progress": "portal",
    "portal:schedule": "portal",
    "portal:schedule-ics": "portal",
    "portal:plan-contract": "portal",
    "portal:plan-relapse": "portal",
    "portal:plan-safety": "portal",
    "portal:reminders": "portal",
    "reminders:client-log": "read",
    "portal:diary": "portal",
    "portal:diary-communication": "portal",
    "portal:diary-entry": "portal-object",
    "portal:diary-delete": "portal-object",
    "portal:crisis": "public",
    "portal:join": "public",
    "portal:sign-in-link": "public",
    "portal:sign-in": "public",
    "portal:forgotten-username": "public",
}
# django-allauth's own pages (sign-in, password, two-factor): anyone may ask for them; the body
# check still applies. Listed by name so that a new allauth page is a decision, not an accident.
ACCOUNT_ROUTES = {
    "account_login": "public",
    "account_logout": "public",
    "account_inactive": "public",
    "account_signup": "public",
    "account_reauthenticate": "signed-in",
    "account_email": "signed-in",
    "account_email_verification_sent": "public",
    "account_change_password": "signed-in",
    "account_set_password": "signed-in",
    "account_reset_password": "public",
    "account_confirm_login_code": "public",
    "account_confirm_email": "public",
    "account_reset_password_from_key_done": "public",
    "account_reset_password_from_key": "public",
    "account_reset_password_done": "public",
    "mfa_index": "signed-in",
    "mfa_authenticate": "public",
    "mfa_reauthenticate": "signed-in",
    "mfa_activate_totp": "signed-in",
    "mfa_deactivate_totp": "signed-in",
    "mfa_view_recovery_codes": "signed-in",
    "mfa_generate_recovery_codes": "signed-in",
    "mfa_download_recovery_codes": "signed-in",
}
# allauth answers 404 for "your recovery codes" and "turn off two-factor" when there are none yet.
NOTHING_YET = {"mfa_deactivate_totp", "mfa_view_recovery_codes", "mfa_download_recovery_codes"}
OBJECT_CLASSES = {
    "read",
    "write",
    "acknowledge",
    "private",
    "org-admin-object",
    "client-audit",
    "portal-object",
}


@dataclass(frozen=True)
class Route:
    name: str
    pattern: str
    params: tuple[str, ...]
    cls: str


def _walk(patterns: Any, prefix: str = "", namespace: str = "") -> Iterator[tuple[str, str, URLPattern]]:
    for p in patterns:
        if isinstance(p, URLResolver):
            ns = f"{namespace}:{p.namespace}" if namespace and p.namespace else (p.namespace or namespace)
            yield from _walk(p.url_patterns, prefix + str(p.pattern), ns)
        elif isinstance(p, URLPattern):
            name = f"{namespace}:{p.name}" if namespace else str(p.name)
            yield name, prefix + str(p.pattern), p


def all_routes() -> list[Route]:
    found = []
    for name, pattern, p in _walk(get_resolver().url_patterns):
        cls = ROUTES.get(name) or ACCOUNT_ROUTES.get(name) or ""
        found.append(Route(name, pattern, tuple(p.pattern.converters) or _regex_params(p), cls))
    return found


def _regex_params(p: URLPattern) -> tuple[str, ...]:
    regex = getattr(p.pattern, "regex", None)
    return tuple(regex.groupindex) if regex is not None else ()


def test_every_route_is_classified() -> None:
    unclassified = [f"{r.name} ({r.pattern})" for r in all_routes() if not r.cls]
    assert not unclassified, (
        "Routes the authorisation matrix cannot classify (add each to ROUTES with who may reach it): "
        + ", ".join(unclassified)
    )
    names = {r.name for r in all_routes()}
    stale = sorted((set(ROUTES) | set(ACCOUNT_ROUTES)) - names)
    assert not stale, f"ROUTES names routes that no longer exist: {stale}"
    for r in all_routes():
        if r.cls in OBJECT_CLASSES and r.name in ROUTES:
            assert r.params, f"{r.name} is classed {r.cls!r} but names no record"


# --- Seeding ------------------------------------------------------------------------------------


def seed(org: Organisation, team: Team, clinician: User, mark: str, ident: str) -> dict[str, Any]:
    """One client with a record in every clinical table, `mark` in every free-text field."""
    m = mark
    client = Client.objects.create(
        organisation=org,
        team=team,
        clinician=clinician,
        clinic_identifier=ident,
        given_name=f"{m}given",
        family_name=f"{m}family",
        preferred_name=f"{m}pref",
        date_of_birth=date(1990, 5, 1),
        email=f"{m.lower()}@example.org",
        phone=f"0700 {m}",
    )
    earlier = Course.objects.create(
        client=client,
        clinician=clinician,
        protocol_key="ipt-brief",
        protocol_version="1",
        start_date=date(2025, 1, 6),
        planned_sessions=8,
        current_phase="termination",
        status="ended_early",
        ended_on=date(2025, 2, 1),
        end_reason=f"{m} moved away",
    )
    course = start_course(clinician, client, protocol_key="ipt-standard", start_date=date(2026, 3, 2))
    course.previous_course = earlier
    course.save(update_fields=["previous_course"])
    session = course.sessions.order_by("number").first()
    assert session is not None
    session.attendance = "attended"
    session.modality = "in_person"
    session.video_url = f"https://video.example.org/{m}"
    session.save()
    record_response(
        clinician, client, instrument="phq9", answers=[1, 1, 1, 1, 1, 1, 1, 1, 2], session=session
    )
    alert = RiskAlert.objects.get(client=client)
    done = record_response(clinician, client, instrument="phq9", answers=[1, 1, 1, 1, 1, 1, 1, 1, 1])
    acknowledged = RiskAlert.objects.filter(response=done).get()
    RiskAlert.objects.filter(pk=acknowledged.pk).update(
        status="acknowledged",
        acknowledged_at=timezone.now(),
        acknowledged_by=clinician,
        action_taken=f"{m} phoned the client",
    )
    note = Note.objects.create(
        session=session,
        author=clinician,
        body=f"{m} note",
        status="signed",
        signed_at=timezone.now(),
        signed_by=clinician,
    )
    Addendum.objects.create(note=note, author=clinician, body=f"{m} addendum", created_at=timezone.now())
    PsychotherapyNote.objects.create(session=session, author=clinician, body=f"{m} private process note")
    TaskRecord.objects.create(
        session=session, task_key="inventory", note=f"{m} task note", updated_by=clinician
    )
    person = Person.objects.create(
        client=client,
        name=f"{m} sister",
        relationship="sibling",
        ring="inner",
        satisfying=f"{m} sat",
        unsatisfying=f"{m} unsat",
        expectations=f"{m} exp",
        support_given=f"{m} given",
        support_received=f"{m} received",
        change_description=f"{m} change",
        created_by=clinician,
    )
    Person.objects.create(  # a record retired from the inventory: kept, with why
        client=client,
        name=f"{m} cousin",
        relationship="other_family",
        retired_at=timezone.now(),
        retired_by=clinician,
        retired_reason=f"{m} retired by mistake",
        created_by=clinician,
    )
    event = LifeEvent.objects.create(
        client=client, kind="death", on=date(2026, 1, 5), description=f"{m} event", created_by=clinician
    )
    Formulation.objects.create(
        course=course,
        problem_areas=["grief"],
        rationale=f"{m} rationale",
        text=f"{m} formulation",
        updated_by=clinician,
    )
    Contract.objects.create(
        course=course,
        sessions=16,
        focus=f"{m} focus",
        goals=f"{m} goals",
        missed_sessions=f"{m} missed",
        shared_with_client=True,  # shared, so a portal page that reached it would show the marker
        updated_by=clinician,
    )
    SessionWork.objects.create(session=session, interval_events=f"{m} interval", updated_by=clinician)
    GoalReview.objects.create(
        session=session,
        area="grief",
        goal_index=0,
        goal=f"{m} goal",
        status="progressing",
        note=f"{m} goal note",
        updated_by=clinician,
    )
    analysis = CommunicationAnalysis.objects.create(
        session=session,
        person=person,
        situation=f"{m} situation",
        what_said=f"{m} said",
        what_meant=f"{m} meant",
        what_felt=f"{m} felt",
        what_else=f"{m} else",
        created_by=clinician,
    )
    homework = Homework.objects.create(
        course=course,
        set_in=session,
        task=f"{m} homework",
        outcome_note=f"{m} outcome",
        client_reflection=f"{m} reflection",
        created_by=clinician,
    )
    TerminationPlan.objects.create(
        course=course,
        progress_review=f"{m} progress",
        goals_achieved=f"{m} achieved",
        feelings_about_ending=f"{m} feelings",
        warning_signs=f"{m} warning",
        what_helps=f"{m} helps",
        who_to_contact=f"{m} contact",
        when_to_come_back=f"{m} back",
        recommendation_note=f"{m} recommendation",
        shared_with_client=True,
        updated_by=clinician,
    )
    plan = SafetyPlan.objects.create(
        client=client,
        version=1,
        warning_signs=f"{m} signs",
        internal_coping=f"{m} coping",
        social_distraction=f"{m} social",
        people_to_ask=f"{m} people",
        professionals=f"{m} professionals",
        environment_safety=f"{m} environment",
        reasons_for_living=f"{m} reasons",
        created_by=clinician,
        created_at=timezone.now(),
        shared_with_client=True,
    )
    ReminderPreference.objects.create(client=client, channel="sms", phone=f"+44700{m}")
    ReminderDelivery.objects.create(
        client=client,
        kind="session",
        session_ref=session.pk,
        session_date=session.scheduled_date,
        channel="sms",
    )
    # the client's diary, dated so that the session page's diary panel shows both entries
    mood_entry = DiaryEntry.objects.create(
        client=client,
        course=course,
        entry_date=session.scheduled_date,
        kind="mood",
        mood=3,
        someone_else=f"{m} someone",
        events=f"{m} day events",
    )
    mood_entry.people.set([person])
    DiaryEntry.objects.create(
        client=client,
        course=course,
        entry_date=session.scheduled_date,
        kind="communication",
        what_happened=f"{m} diary happened",
        what_i_said=f"{m} diary i said",
        what_they_said=f"{m} diary they said",
        what_i_felt=f"{m} diary i felt",
        what_i_wanted=f"{m} diary i wanted",
        what_else=f"{m} diary else",
    )
    return {
        "client_id": client.pk,
        "course_id": course.pk,
        "session_id": session.pk,
        "note_id": note.pk,
        "alert_id": alert.pk,
        "person_id": person.pk,
        "event_id": event.pk,
        "homework_id": homework.pk,
        "analysis_id": analysis.pk,
        "entry_id": mood_entry.pk,
        "version": plan.version,
        "instrument": "phq9",
        "question": 1,  # a portal questionnaire's question number
        "topic": "depression",  # a Learn page: the same for every client, no record
    }


# Free-text fields that are not clinical content: keys, codes and system-written summaries.
NOT_FREE_TEXT = {
    "clients.Client": {"clinic_identifier"},  # an identifier, shown to administrators by design
    "courses.Course": {"protocol_key", "protocol_version", "current_phase"},
    "courses.Session": {"phase_key"},
    "courses.TaskRecord": {"task_key"},
    "courses.GoalReview": {"area"},
    "measures.Response": {"instrument"},
    "measures.Score": {"instrument", "band"},
    "safety.RiskAlert": {"flag", "summary"},
    "portal.PortalInvitation": {"token_hash"},
    "portal.SignInLink": {"token_hash"},
    "reminders.ReminderDelivery": {"error"},  # an exception's class name, never its message
    "portal.QuestionnaireDraft": {"instrument"},  # an instrument key; the answers are option indexes
}
# Tables that hold no client's record (or only ids): organisation set-up, users, the audit log.
NOT_CLIENT_RECORDS = {
    "accounts.Organisation",
    "accounts.Team",
    "accounts.User",
    "accounts.UserSession",
    "audit.AuditEvent",
    "audit.AuditHead",
    "measures.InstrumentPermission",
    "measures.ExpectedCurveSet",
    "safety.CrisisResource",
    "safety.AlertEscalation",
    "access.BreakGlassGrant",  # the reason is shown to administrators and the team's supervisors
}


def free_text_fields() -> Iterator[tuple[type[models.Model], str]]:
    for model in apps.get_models():
        label = model._meta.label
        if not model.__module__.startswith("openipt.") or label in NOT_CLIENT_RECORDS:
            continue
        if model.__name__.startswith("Historical"):  # version history copies the seeded rows
            continue
        for f in model._meta.concrete_fields:
            text = isinstance(f, models.CharField | models.TextField) and not f.choices
            if (
                text
                and f.name not in NOT_FREE_TEXT.get(label, set())
                and not isinstance(f, models.EmailField)
            ):
                yield model, f.name


def clinical_tables() -> list[type[models.Model]]:
    skip = {"accounts.UserSession", "audit.AuditEvent", "audit.AuditHead"}
    return [
        m
        for m in apps.get_models()
        if m.__module__.startswith(("openipt.", "simple_history")) and m._meta.label not in skip
    ]


def fingerprint() -> dict[str, list[Any]]:
    return {m._meta.label: list(m.objects.order_by("pk").values()) for m in clinical_tables()}


@pytest.fixture
def world(db: None, north: Organisation, north_team: Team, other_team: Team, river: Organisation) -> dict:
    alice = make_user("alice", north, Role.CLINICIAN, north_team)
    bob = make_user("bob", north, Role.SUPERVISOR, north_team)
    dave = make_user("dave", north, Role.CLINICIAN, other_team)
    erin = make_user("erin", north, Role.ADMIN)
    ezra = make_user("ezra", north, Role.ADMIN)
    pat = make_user("pat", north, Role.CLIENT)
    river_team = Team.objects.create(organisation=river, name="River team")
    charlie = make_user("charlie", river, Role.CLINICIAN, river_team)
    rhea = make_user("rhea", river, Role.ADMIN)
    # pat is the portal user of P, a client of team A outside the three marked sets
    p = Client.objects.create(
        organisation=north,
        team=north_team,
        clinician=alice,
        clinic_identifier="IDP-1",
        given_name="Pat",
        family_name="Portal",
        date_of_birth=date(1991, 2, 3),
    )
    PortalAccount.objects.create(user=pat, client=p, created_by=alice)
    sets = {
        "X": seed(north, north_team, alice, MARKS["X"], "IDX-1"),
        "Y": seed(north, other_team, dave, MARKS["Y"], "IDY-1"),
        "R": seed(river, river_team, charlie, MARKS["R"], "IDR-1"),
    }
    now = timezone.now()
    grant = BreakGlassGrant.objects.create(
        user=ezra,
        client_id=sets["X"]["client_id"],
        reason="The care team is unreachable tonight.",
        opened_at=now,
        expires_at=now + timedelta(hours=6),
    )
    river_grant = BreakGlassGrant.objects.create(
        user=rhea,
        client_id=sets["R"]["client_id"],
        reason="The care team is unreachable tonight.",
        opened_at=now,
        expires_at=now + timedelta(hours=6),
    )
    for key, org, user, g in (
        ("X", north, alice, grant),
        ("Y", north, dave, grant),
        ("R", river, charlie, river_grant),
    ):
        resource = CrisisResource.objects.create(
            organisation=org, locale="en-gb", name=f"Line {key}", phone="1"
        )
        sets[key].update(resource_id=resource.pk, user_id=user.pk, grant_id=g.pk)
    users = {
        "clinician": alice,
        "supervisor": bob,
        "other_team": dave,
        "other_org": charlie,
        "admin": erin,
        "admin_bg": ezra,
        "client": pat,
    }
    return {"sets": sets, "users": users}


def test_every_free_text_field_carries_its_marker(world: dict) -> None:
    missing = [
        f"{model._meta.label}.{field}"
        for model, field in free_text_fields()
        if not model._base_manager.filter(**{f"{field}__contains": MARKS["X"]}).exists()  # retired rows too
    ]
    assert not missing, f"seed() leaves these free-text fields without a marker: {missing}"


# --- The matrix ---------------------------------------------------------------------------------

TEXT_FIELDS = (
    "body action_taken given_name family_name preferred_name phone task outcome_note situation what_said "
    "what_meant what_felt what_else text rationale focus goals missed_sessions name description note goal "
    "interval_events warning_signs reasons_for_living reason progress_review clinic_identifier username email"
)
FORGED = dict.fromkeys(TEXT_FIELDS.split(), "FORGED 2026-04-01") | {
    "date_of_birth": "1990-01-01",
    "start_date": "2026-04-06",
    "protocol_key": "ipt-standard",
    "status": "completed",
    "attendance": "attended",
    "modality": "in_person",
    "new_date": "2026-04-07",
    "sessions": "12",
    "role": "clinician",
    "locale": "en-gb",
    "phq9-source": "client",
    "source": "client",
    "minutes": "15",
    "confirm": "on",
    "done": "on",
    "ring": "inner",
    "relationship": "friend",
    "kind": "other",
    "on": "2026-01-02",
    "version": "1",
    "base_version": "1",
    "task_key": "inventory",
}
for i in range(9):
    FORGED[f"phq9-item_{i + 1}"] = "0"
    FORGED[f"item_{i + 1}"] = "0"


def fill(route: Route, values: dict[str, Any]) -> str:
    url = "/" + route.pattern
    if route.name.startswith("measures:admin-"):
        values = {**values, "instrument": "epds"}  # only licence-gated instruments are enabled
    for name in route.params:
        assert name in values, f"route {route.name!r} has a parameter {name!r} the matrix cannot fill"
        url = url.replace(f"<int:{name}>", str(values[name])).replace(f"<slug:{name}>", str(values[name]))
    assert "<" not in url and "(?P" not in url and "^" not in url, f"{route.name}: cannot fill {url}"
    return url


def matrix_failures(http: HttpClient, role: str, sets: dict[str, dict[str, Any]]) -> tuple[list[str], int]:
    """Request every route as `role`; return what went wrong and how many requests were made."""
    failures: list[str] = []
    requests = 0
    unreachable = [MARKS[k] for k in MARKS if k not in REACH[role]]
    for route in all_routes():
        if not route.cls or (route.params and route.name in ACCOUNT_ROUTES):
            continue  # unclassified routes fail their own test; allauth key links need real keys
        allowed_for = CLASSES[route.cls]
        targets = list(sets) if route.params else ["-"]
        for objs in targets:
            url = fill(route, sets[objs]) if route.params else "/" + route.pattern
            allowed = allowed_for(role, objs)
            for method in ("get", "post"):
                if method == "post" and (allowed or route.name in ACCOUNT_ROUTES):
                    continue  # allowed writes are tested where they live (and POST would sign out)
                requests += 1
                response = getattr(http, method)(url, FORGED if method == "post" else None)
                status = response.status_code
                body = response.content.decode(errors="replace")
                where = f"{role} {method.upper()} {url} [{route.name}, set {objs}]"
                if status >= 500:
                    failures.append(f"{where}: server error {status}")
                    continue
                leaked = [m for m in unreachable if m in body]
                if leaked:
                    failures.append(f"{where}: leaked {leaked}")
                if role == "anonymous" and not allowed:
                    if status == 302 and response["Location"].startswith("/accounts/login/"):
                        continue
                    if status not in (403, 404, 405):
                        failures.append(f"{where}: anonymous got {status}, not sent to sign in")
                    continue
                if allowed:
                    if status == 404 and route.name in NOTHING_YET:
                        continue
                    if status in (403, 404):
                        failures.append(f"{where}: refused ({status}) but the role may reach it")
                    elif route.cls == "read" and method == "get" and status != 200:
                        failures.append(f"{where}: reading gave {status}, not 200")
                else:
                    if (role, method, route.name) in SENT_TO_PORTAL and status == 302:
                        landing = reverse(SENT_TO_PORTAL[(role, method, route.name)])
                        if response["Location"] != landing:
                            failures.append(f"{where}: sent to {response['Location']}, not {landing}")
                        continue
                    if status not in (403, 404, 405):
                        failures.append(f"{where}: got {status}, expected 403/404")
                    own = [m for m in ALL_MARKS if m in body]
                    if own:
                        failures.append(f"{where}: refused, yet the body carries {own}")
    return failures, requests


@pytest.mark.parametrize("role", ROLES)
def test_the_authorisation_matrix(role: str, world: dict) -> None:
    http = HttpClient()
    if role != "anonymous":
        http.force_login(world["users"][role])
    before = fingerprint()
    failures, requests = matrix_failures(http, role, world["sets"])
    print(f"authorisation matrix, {role}: {requests} requests, {len(failures)} wrong")
    assert ("_auth_user_id" in http.session) == (role != "anonymous"), "the matrix lost its sign-in"
    assert not failures, f"{len(failures)} of {requests} requests went wrong:\n" + "\n".join(failures[:40])
    assert fingerprint() == before, f"requests by {role} changed stored records"
    assert requests > 100


def test_the_matrix_catches_a_leak(world: dict, monkeypatch: pytest.MonkeyPatch) -> None:
    """Non-vacuity: drop the care-team condition from the rules and the matrix must notice."""

    def whole_organisation(user: Any) -> Any:
        if not rules.has_team_access(user):
            return Client.objects.none()
        return Client.objects.filter(organisation_id=user.organisation_id)

    monkeypatch.setattr(rules, "team_clients", whole_organisation)
    http = HttpClient()
    http.force_login(world["users"]["other_team"])
    failures, _ = matrix_failures(http, "other_team", world["sets"])
    assert any("leaked ['MKXQ']" in f for f in failures)
    assert any("refused" not in f and "got 200, expected 403/404" in f for f in failures)


def test_an_expired_emergency_grant_reaches_nothing(world: dict, time_machine: Any) -> None:
    time_machine.move_to(timezone.now() + timedelta(hours=7), tick=False)
    http = HttpClient()
    http.force_login(world["users"]["admin_bg"])
    x = world["sets"]["X"]
    for url in (f"/clients/{x['client_id']}/", f"/sessions/{x['session_id']}/", "/clients/"):
        response = http.get(url)
        assert response.status_code in (403, 404), url
        assert MARKS["X"] not in response.content.decode()


def matrix_size(sets: dict[str, Any]) -> dict[str, int]:
    """Routes × roles × record sets, as the closing note reports it."""
    routes = [r for r in all_routes() if r.cls]
    combos = sum(len(sets) if r.params else 1 for r in routes)
    return {
        "routes": len(routes),
        "roles": len(ROLES),
        "route_object_pairs": combos,
        "cells": combos * len(ROLES),
    }


def test_the_matrix_size_is_reported(world: dict, capsys: pytest.CaptureFixture[str]) -> None:
    size = matrix_size(world["sets"])
    print(f"authorisation matrix: {size}")
    assert size["routes"] >= 80 and size["cells"] > 1000

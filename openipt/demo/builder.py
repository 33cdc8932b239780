"""The demo clinic: fictional organisations, staff and clients with realistic course histories.

Everything is written through the same actions a clinician uses, so the demo's audit trail,
scores and alerts are exactly what real use would produce. All people here are invented.
"""

from __future__ import annotations

import calendar
import random
import secrets
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.utils.formats import date_format

from openipt.accounts.models import Organisation, Role, Team, User
from openipt.clients.actions import create_client
from openipt.clients.models import Client
from openipt.courses import actions as course_actions
from openipt.courses.formulation_actions import (
    choose_problem_areas,
    save_formulation,
    set_contract,
    share_contract,
)
from openipt.courses.models import (
    Attendance,
    Contract,
    Course,
    CourseStatus,
    Homework,
    Modality,
    Session,
    TerminationPlan,
)
from openipt.courses.session_work import (
    review_goal,
    review_homework,
    save_interval,
    set_homework,
    set_techniques,
)
from openipt.courses.termination import save_termination
from openipt.demo.stories import STORIES, Story
from openipt.diary.models import DiaryEntry, EntryKind
from openipt.inventory.actions import add_event, add_person, set_onset
from openipt.inventory.facts import facts_for, onset_window
from openipt.inventory.formulation import draft_formulation, suggest
from openipt.measures.actions import record_response
from openipt.measures.models import Channel, Source
from openipt.notes import actions as note_actions
from openipt.portal.models import PortalAccount
from openipt.portal.questionnaires import due_questionnaires, get_questionnaire, save_answer
from openipt.safety.models import CrisisResource
from openipt.safety.plans import save_safety_plan


@dataclass(frozen=True)
class Born:
    """A demo client's birthday and age on the day the demo is built, so that a demo built in any
    year has the same ages (the adolescents stay within IPT-A's 12-17)."""

    month: int
    day: int
    age: int

    def on(self, today: date) -> date:
        """The date of birth that makes the client `age` on `today` (29 Feb: 28 Feb that year)."""
        year = today.year - self.age
        if (self.month, self.day) > (today.month, today.day):
            year -= 1  # this year's birthday is still to come
        day = min(self.day, calendar.monthrange(year, self.month)[1])
        return date(year, self.month, day)


@dataclass(frozen=True)
class DemoClient:
    given: str
    family: str
    preferred: str
    born: Born
    identifier: str
    protocol: str
    held: int  # sessions already held
    baseline: int  # PHQ-9 at the first session
    slope: float  # change in PHQ-9 per session (negative = improving)
    clinician: str = "alice"
    risk_now: int = 0  # PHQ-9 item 9 at the latest session
    locale: str = "en-gb"


# The demo client with a portal login (`client-demo`): Priya, role dispute, middle phase.
PORTAL_CLIENT = "NS-1003"

NORTHSIDE = [
    DemoClient("Maya", "Okafor", "", Born(4, 12, age=38), "NS-1001", "ipt-standard", 2, 19, -0.6),
    DemoClient(
        "Thomas", "Brennan", "Tom", Born(9, 3, age=65), "NS-1002", "ipt-standard", 6, 17, -0.9, risk_now=2
    ),
    DemoClient("Priya", "Natarajan", "", Born(1, 27, age=33), "NS-1003", "ipt-standard", 9, 21, -1.2),
    DemoClient("Samuel", "Adeyemi", "Sam", Born(11, 30, age=46), "NS-1004", "ipt-standard", 14, 16, -0.8),
    DemoClient("Grace", "Lindqvist", "", Born(6, 8, age=74), "NS-1005", "ipt-standard", 11, 18, 0.1),
    DemoClient("Ruth", "Kowalczyk", "", Born(2, 14, age=36), "NS-1006", "ipt-brief", 4, 14, -1.0),
    DemoClient(
        "Daniel", "Achterberg", "Dan", Born(8, 19, age=41), "NS-1007", "ipt-brief", 7, 15, -1.1, "dave"
    ),
    DemoClient("Leila", "Haddad", "", Born(3, 2, age=16), "NS-1008", "ipt-adolescent", 3, 17, -0.7, "dave"),
    DemoClient("Oisín", "Fahy", "", Born(10, 21, age=16), "NS-1009", "ipt-adolescent", 8, 20, -1.3),
    DemoClient("Helen", "Marsh", "", Born(5, 5, age=56), "NS-1010", "ipt-maintenance", 4, 6, -0.2),
    DemoClient("Jonah", "Whitfield", "", Born(12, 1, age=27), "NS-1011", "ipt-standard", 0, 0, 0.0, "dave"),
    DemoClient(
        "Amara",
        "Nwosu",
        "",
        Born(7, 16, age=43),
        "NS-1012",
        "ipt-standard",
        4,
        13,
        -0.5,
        "dave",
        locale="en-ie",
    ),
]
RIVERSIDE = [
    DemoClient("Ivan", "Petrov", "", Born(1, 9, age=51), "RS-2001", "ipt-standard", 5, 18, -1.0, "charlie"),
    DemoClient("Chloe", "Dubois", "", Born(4, 23, age=35), "RS-2002", "ipt-brief", 3, 12, -0.8, "charlie"),
    DemoClient(
        "Ngozi",
        "Eze",
        "",
        Born(10, 2, age=60),
        "RS-2003",
        "ipt-standard",
        10,
        20,
        -1.1,
        "charlie",
        locale="en-us",
    ),
]

NOTE_TEXTS = [
    "Reviewed the week. Mood lower after an argument at home; linked the low days to the disagreement.",
    "Worked on the focus area. Client described a conversation in detail; we looked at other ways to say it.",
    "Client noticed feeling a little better after contacting a friend. Agreed to try one more contact.",
    "Talked through feelings about the change. Some tearfulness, which the client said felt useful.",
]

# Appointment times of the demo clinic (on the clock of its time zone).
SLOTS = (time(9, 0), time(10, 0), time(11, 30), time(13, 30), time(14, 30), time(16, 0))

CRISIS = {
    "en-gb": [("Emergency services", "999", "", True), ("Samaritans", "116 123", "", False)],
    "en-ie": [("Emergency services", "112", "", True), ("Samaritans", "116 123", "", False)],
    "en-us": [
        ("Emergency services", "911", "", True),
        ("988 Suicide & Crisis Lifeline", "988", "988", False),
    ],
}


def _phq9_items(total: int, rng: random.Random, item9: int) -> list[int]:
    """Nine item values summing to `total`, with item 9 fixed."""
    items = [0] * 8
    remaining = max(0, min(total - item9, 24))
    while remaining > 0:
        i = rng.randrange(8)
        if items[i] < 3:
            items[i] += 1
            remaining -= 1
    return [*items, item9]


def _depression_items(instrument: str, total: int, rng: random.Random, item9: int) -> list[int]:
    """The PHQ-9's nine answers, or the PHQ-A's nine plus its four supplementary ones (depressed
    most days of the past year and finding it somewhat hard when the total is 10 or more; no
    serious thoughts of ending their life in the past month; no attempt)."""
    items = _phq9_items(total, rng, item9)
    if instrument != "phqa":
        return items
    low_year = 1 if total >= 10 else 0
    return [*items, low_year, low_year, 0, 0]


def _gad7_items(total: int, rng: random.Random) -> list[int]:
    items = [0] * 7
    remaining = max(0, min(total, 21))
    while remaining > 0:
        i = rng.randrange(7)
        if items[i] < 3:
            items[i] += 1
            remaining -= 1
    return items


def _password() -> str:
    return settings.OPENIPT_DEMO_PASSWORD or secrets.token_urlsafe(12)


class DemoBuilder:
    def __init__(self, today: date, seed: int = 20261124) -> None:
        self.today = today
        self.rng = random.Random(seed)  # noqa: S311 - demo data, not security
        self.logins: list[tuple[str, str, str, str]] = []

    def user(self, org: Organisation, team: Team, username: str, first: str, last: str, role: str) -> User:
        password = _password()
        user = User.objects.create_user(
            username=username,
            password=password,
            first_name=first,
            last_name=last,
            organisation=org,
            role=role,
        )
        if role != Role.ADMIN:
            user.teams.add(team)
        self.logins.append((username, password, role, org.name))
        return user

    @transaction.atomic
    def build(self) -> None:
        north = Organisation.objects.create(
            name="Northside Community Psychology",
            slug="northside",
            time_zone="Europe/London",
            country="GB",
            crisis_phone="+441134960000",  # a number set aside for drama: rings nowhere
        )
        nteam = Team.objects.create(organisation=north, name="Northside IPT team")
        staff = {
            "alice": self.user(north, nteam, "alice", "Alice", "Moreno", Role.CLINICIAN),
            "dave": self.user(north, nteam, "dave", "Dave", "Okonkwo", Role.CLINICIAN),
            "bob": self.user(north, nteam, "bob", "Bob", "Lindgren", Role.SUPERVISOR),
        }
        self.user(north, nteam, "erin", "Erin", "Walsh", Role.ADMIN)
        river = Organisation.objects.create(
            name="Riverside Wellbeing Service",
            slug="riverside",
            time_zone="America/New_York",
            country="US",
            crisis_phone="+12125550100",  # a 555-01xx number: fictional
        )
        rteam = Team.objects.create(organisation=river, name="Riverside adult team")
        staff["charlie"] = self.user(river, rteam, "charlie", "Charlie", "Nakamura", Role.CLINICIAN)
        for org in (north, river):
            for locale, lines in CRISIS.items():
                for position, (name, phone, text, emergency) in enumerate(lines):
                    CrisisResource.objects.create(
                        organisation=org,
                        locale=locale,
                        name=name,
                        phone=phone,
                        text=text,
                        is_emergency=emergency,
                        position=position,
                        hours="24 hours",
                    )
        for spec in NORTHSIDE:
            client = self.client_with_course(spec, staff[spec.clinician], nteam, north)
            if spec.risk_now:
                self.safety_plan(staff[spec.clinician], client)
        for spec in RIVERSIDE:
            self.client_with_course(spec, staff[spec.clinician], rteam, river)
        self.portal_client(staff["alice"], Client.objects.get(clinic_identifier=PORTAL_CLIENT))

    def portal_client(self, clinician: User, client: Client) -> None:
        """`client-demo`: Priya (role dispute, middle phase) on the portal, with questionnaires due
        before her next session, one of them half answered, open homework, a shared contract, a
        week of diary entries and one worked-through conversation."""
        Client.objects.filter(pk=client.pk).update(email="priya.demo@example.org")
        client.refresh_from_db()
        password = _password()
        user = User.objects.create_user(
            username="client-demo", password=password, role=Role.CLIENT, organisation=client.organisation
        )
        PortalAccount.objects.create(user=user, client=client, created_by=clinician)
        self.logins.append(("client-demo", password, Role.CLIENT, client.organisation.name))
        course = client.courses.get(status=CourseStatus.ACTIVE)
        contract = Contract.objects.get(course=course)
        share_contract(clinician, course, shared=True, base_version=contract.version)
        # A questionnaire started on the bus and left half done (the portal keeps the answers).
        due = due_questionnaires(client, self.today)
        if due:
            started = get_questionnaire(client, due[-1].session_id, due[-1].instrument)
            for number in (1, 2, 3):
                save_answer(user, started, number, str(self.rng.randrange(1, 3)))
        people = {p.name: p for p in client.people.all()}
        days = [
            (6, 4, ["Arjun"], "Arjun left for the week on Monday morning; the flat felt empty."),
            (5, 4, ["Mum"], "Mum rang; we talked about nothing much. Helped a bit."),
            (4, 5, ["Ines"], "Coffee with Ines after work. Laughed for the first time in a while."),
            (3, 3, ["Arjun"], "Short call with Arjun, ended badly again."),
            (2, 5, [], "Quiet day. Walked to the market."),
            (1, 6, ["Arjun", "Mum"], "Arjun home tonight. We ate together and did not argue."),
        ]
        for back, mood, names, events in days:
            entry = DiaryEntry.objects.create(
                client=client,
                course=course,
                entry_date=self.today - timedelta(days=back),
                kind=EntryKind.MOOD,
                mood=mood,
                events=events,
            )
            entry.people.set([people[n] for n in names if n in people])
        talk = DiaryEntry.objects.create(
            client=client,
            course=course,
            entry_date=self.today - timedelta(days=3),
            kind=EntryKind.COMMUNICATION,
            mood=3,
            what_happened="Arjun rang on Thursday to say he would be late home on Friday.",
            what_i_said="Fine, do what you want. You always do.",
            what_they_said="He said I never listen to why he has to work away.",
            what_i_felt="Hurt and lonely, then angry with myself.",
            what_i_wanted="For him to know that Fridays matter to me.",
            what_else="I miss you at the weekends. Can we keep Friday evenings for us?",
        )
        talk.people.set([people["Arjun"]] if "Arjun" in people else [])

    def client_with_course(self, spec: DemoClient, clinician: User, team: Team, org: Organisation) -> Client:
        client = create_client(
            clinician,
            team=team,
            clinic_identifier=spec.identifier,
            given_name=spec.given,
            family_name=spec.family,
            preferred_name=spec.preferred,
            date_of_birth=spec.born.on(self.today),
            email="",
            phone="",
            locale=spec.locale,
        )
        cadence_days = 28 if spec.protocol == "ipt-maintenance" else 7
        # The next session falls in the coming days, so nothing is left unrecorded in the past.
        ahead = self.rng.randrange(1, 6)
        for _ in range(6):  # the next session on a working day, so no session moves past today
            if (self.today + timedelta(days=ahead)).weekday() in org.working_weekdays:
                break
            ahead = ahead % 6 + 1
        start = self.today - timedelta(days=cadence_days * spec.held - ahead)
        story = STORIES.get(spec.identifier)
        if spec.protocol == "ipt-maintenance":
            # Maintenance follows a completed acute course: show that history too.
            self.completed_course(spec, clinician, client, org, end=start - timedelta(days=14))
        elif story is not None:
            self.inventory(
                clinician, client, story, onset=start - timedelta(days=story.onset_days_before_start)
            )
        slot = SLOTS[sum(map(ord, spec.identifier)) % len(SLOTS)]  # each client keeps their time
        course = course_actions.start_course(
            clinician, client, protocol_key=spec.protocol, start_date=start, start_time=slot
        )
        if story is not None and spec.protocol != "ipt-maintenance":
            set_onset(clinician, course, onset_date=start - timedelta(days=story.onset_days_before_start))
        zone = ZoneInfo(org.time_zone)
        sessions = list(course.sessions.order_by("number"))
        self.plan_tasks_held_once(clinician, course, sessions)
        for i, session in enumerate(sessions[: spec.held]):
            self.hold_session(clinician, course, session, spec, i, zone)
        if spec.held < len(sessions) and sum(map(ord, spec.identifier)) % 3 == 0:
            # some clients meet by video next time: their portal shows the link to join
            course_actions.set_appointment(
                clinician,
                sessions[spec.held],
                start_time=slot,
                modality=Modality.VIDEO,
                video_url=f"https://video.example.org/demo-{spec.identifier.lower()}",
            )
        return client

    def plan_tasks_held_once(self, clinician: User, course: Course, sessions: list[Session]) -> None:
        """IPT-A's session with a parent: planned for the third session of its phase."""
        for phase in course.protocol.phases_for(course.planned_sessions):
            for task in phase.tasks:
                if task.once:
                    number = min(phase.first_session + 2, phase.last_session)
                    course_actions.choose_task_session(clinician, sessions[number - 1], task_key=task.key)

    def completed_course(
        self, spec: DemoClient, clinician: User, client: Client, org: Organisation, *, end: date
    ) -> None:
        acute = DemoClient(
            spec.given,
            spec.family,
            spec.preferred,
            spec.born,
            spec.identifier,
            "ipt-standard",
            16,
            19,
            -0.9,
            spec.clinician,
        )
        start = end - timedelta(days=7 * 16)
        story = STORIES.get(spec.identifier)
        if story is not None:
            self.inventory(
                clinician, client, story, onset=start - timedelta(days=story.onset_days_before_start)
            )
        course = course_actions.start_course(clinician, client, protocol_key="ipt-standard", start_date=start)
        if story is not None:
            set_onset(clinician, course, onset_date=start - timedelta(days=story.onset_days_before_start))
        zone = ZoneInfo(org.time_zone)
        for i, session in enumerate(course.sessions.order_by("number")):
            self.hold_session(clinician, course, session, acute, i, zone)
        course_actions.end_course(
            clinician, Course.objects.get(pk=course.pk), status=CourseStatus.COMPLETED, ended_on=end
        )

    def safety_plan(self, clinician: User, client: Client) -> None:
        save_safety_plan(
            clinician,
            client,
            base_version=None,
            shared_with_client=True,
            warning_signs="Not sleeping; staying in the flat all weekend; thinking I'm a burden.",
            internal_coping="Walk the dog round the park; music; a hot shower.",
            social_distraction="The café on Mill Street; my brother's allotment.",
            people_to_ask="My brother Kevin; my neighbour Sheila.",
            professionals="Alice at Northside (weekdays); out of hours: Samaritans 116 123; emergency 999.",
            environment_safety="Kevin keeps my tablets; I collect a week's supply at a time.",
            reasons_for_living="My daughter; my dog; the allotment in spring.",
        )

    def inventory(self, clinician: User, client: Client, story: Story, *, onset: date) -> None:
        people = {}
        for p in story.people:
            details: dict[str, Any] = {
                "expectations_met": p.expectations_met,
                "conflict": p.conflict,
                "changed_around_onset": p.changed,
                "linked_to_depression": p.linked,
                "satisfying": p.satisfying,
                "unsatisfying": p.unsatisfying,
                "expectations": p.expectations,
            }
            if p.deceased_days is not None:
                details |= {"deceased": True, "died_on": onset - timedelta(days=p.deceased_days)}
            people[p.name] = add_person(
                clinician, client, name=p.name, relationship=p.relationship, ring=p.ring, **details
            )
        for e in story.events:
            add_event(
                clinician,
                client,
                kind=e.kind,
                on=onset - timedelta(days=e.days_before_onset),
                description=e.description,
                people=[people[name] for name in e.people],
            )

    def arc_work(self, clinician: User, course: Course, session: Session, story: Story, i: int) -> None:
        """Formulation and contract at the end of the initial phase; the middle phase's work after."""
        course.refresh_from_db()
        day = session.scheduled_date
        if i == 2:
            formulation = choose_problem_areas(
                clinician,
                course,
                areas=[story.area],
                rationale=story.rationale,
                base_version=None,
                dispute_stage="renegotiation" if story.area == "role_dispute" else "",
            )
            people, events, onset = facts_for(course.client, course)
            draft = draft_formulation(
                [story.area],
                suggest(people, events, onset, window=onset_window(course)),
                people,
                events,
                onset,
                client_name=course.client.preferred_name or course.client.given_name,
                format_date=lambda d: date_format(d, "j M Y"),
            )
            save_formulation(
                clinician,
                course,
                text=draft,
                client_agreed=True,
                agreed_on=day,
                base_version=formulation.version,
            )
            set_contract(
                clinician,
                course,
                sessions=course.planned_sessions,
                focus=story.rationale,
                goals="Feel less depressed; work on the focus agreed.",
                missed_sessions="A missed session is not made up; the course ends on the agreed date.",
                agreed_on=day,
                base_version=None,
            )
        elif course.current_phase in {"middle", "termination"} and i > 2:
            k = i - 3
            if story.interval_events:
                save_interval(
                    clinician,
                    session,
                    mood=min(10, 3 + k),
                    events=story.interval_events[k % len(story.interval_events)],
                )
            set_techniques(
                clinician, session, techniques=["exploratory_questioning", "communication_analysis"]
            )
            review_goal(
                clinician,
                session,
                area=story.area,
                goal_index=0,
                status="achieved" if k >= 4 else "in_progress",
                note="",
            )
            for homework in Homework.objects.filter(course=course, reviewed_in__isnull=True):
                review_homework(clinician, homework, session, outcome="done" if k % 2 else "partly", note="")
            if story.homework:
                set_homework(clinician, session, task=story.homework[k % len(story.homework)])
            if (
                course.current_phase == "termination"
                and not TerminationPlan.objects.filter(course=course).exists()
            ):
                save_termination(
                    clinician,
                    course,
                    base_version=None,
                    shared_with_client=True,
                    progress_review="PHQ-9 fell from the moderately severe range to mild.",
                    goals_achieved="Back in touch with old colleagues; volunteering weekly.",
                    feelings_about_ending="Worried about coping alone; also proud of the change.",
                    warning_signs="Staying in bed past ten; not answering the phone.",
                    what_helps="The library shifts; walking with Ada.",
                    who_to_contact="Ada; the GP; Northside (self-referral line).",
                    when_to_come_back="If low most days for two weeks.",
                )

    def hold_session(
        self, clinician: User, course: Course, session: Session, spec: DemoClient, i: int, zone: ZoneInfo
    ) -> None:
        course.refresh_from_db()
        expected = course.protocol.phase_for_session(session.number, course.planned_sessions)
        while course.current_phase != expected.key and course.protocol.next_phase(course.current_phase):
            course = course_actions.advance_phase(clinician, course)
        modality = Modality.PHONE if self.rng.random() < 0.15 else Modality.IN_PERSON
        course_actions.record_attendance(
            clinician, session, attendance=Attendance.ATTENDED, modality=modality
        )
        when = datetime.combine(session.scheduled_date, time(10, 15), tzinfo=zone)
        noise = self.rng.choice([-1, 0, 0, 1])
        total = max(0, min(27, round(spec.baseline + spec.slope * i) + noise))
        last = i == spec.held - 1
        item9 = spec.risk_now if last else 0
        due = course.protocol.measures_due(session.number, course.planned_sessions)
        for depression in ("phq9", "phqa"):
            if depression not in due:
                continue
            record_response(
                clinician,
                course.client,
                instrument=depression,
                answers=_depression_items(depression, total, self.rng, item9),
                source=Source.CLIENT,
                channel=Channel.IN_SESSION,
                session=session,
                completed_at=when,
            )
        if "gad7" in due:
            record_response(
                clinician,
                course.client,
                instrument="gad7",
                answers=_gad7_items(max(0, total - 3), self.rng),
                source=Source.CLIENT,
                channel=Channel.IN_SESSION,
                session=session,
                completed_at=when,
            )
        for task in course.phase.tasks_for_session(session.number)[:3]:
            course_actions.set_task(clinician, session, task_key=task.key, done=True, note="")
        story = STORIES.get(spec.identifier)
        if story is not None and story.rationale:
            self.arc_work(clinician, course, session, story, i)
        note = note_actions.save_draft(
            clinician, session, body=self.rng.choice(NOTE_TEXTS), base_version=None
        )
        if not last:
            note_actions.sign_note(clinician, note)


def logins_file() -> Path:
    return Path(settings.VAR_DIR) / "demo-logins.txt"


def write_logins(logins: list[tuple[str, str, str, str]]) -> Path:
    path = logins_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.unlink(missing_ok=True)
    import os

    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as fh:
        for username, password, role, org in logins:
            fh.write(f"{username}\t{password}\t{role}\t{org}\n")
    return path

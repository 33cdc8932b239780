"""`openipt demo --scale N`: a synthetic programme of N fictional clients, bulk-inserted.

Unlike the demo clinic (builder.py), which goes through the clinicians' actions one record at a
time, this writes rows with `bulk_create` in batches so that 100,000 clients load in minutes. It
keeps the invariants the actions keep:

- every score is what `scoring.score` gives for the stored answers;
- every risk flag of a stored response has its alert (open if recent, otherwise acknowledged
  with the action taken);
- signed notes are inserted signed (the triggers refuse changes, not inserts);
- one audit row, `demo.scale`, records the generation. Per-record audit rows are not written:
  the audit chain is hash-linked and built one row at a time, and generated data has no actor.
- version history (django-simple-history) is not written for generated rows: a record's history
  starts at its first real change.

Shape: organisations of about 5,000 clients; teams of about 8 clinicians and a supervisor;
each clinician leads 20–40 clients with an active course, plus a few whose course has ended
(when N allows: a programme smaller than 20 clients has one clinician with all of them). PHQ-9
trajectories improve for about 60 % of clients, stay flat for 30 % and worsen for 10 %; GAD-7
follows at the sessions the protocol asks for it; item 9 is positive for about 3 % of clients.
Everything is drawn from one seeded random generator, so the same N, seed and day give the same
programme.

Staff other than the sign-in accounts have unusable passwords (hashing thousands of passwords
would take longer than the clinical data). The sign-in accounts are alice, dave (clinicians),
bob (their supervisor) and erin (administrator) in the first organisation, and charlie
(clinician) in the second when there is one, with the demo password (OPENIPT_DEMO_PASSWORD).
"""

from __future__ import annotations

import math
import random
import time as clock
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.contrib.auth.hashers import make_password
from django.db import connection, models, transaction
from django.utils import timezone

from openipt.accounts.models import Organisation, Role, Team, User
from openipt.audit.actions import record
from openipt.clients.models import Client
from openipt.courses import schedule
from openipt.courses.models import Attendance, Course, CourseStatus, Modality, Session
from openipt.demo.builder import CRISIS, NOTE_TEXTS, SLOTS, _depression_items, _gad7_items, _password
from openipt.inventory.models import Conflict, Met, Person, Relationship, Ring
from openipt.measures import scoring
from openipt.measures.models import Channel, Response, Score, Source
from openipt.notes.models import Note, NoteStatus
from openipt.protocols import Protocol, get_protocol
from openipt.safety.actions import FLAG_SUMMARIES
from openipt.safety.models import AlertStatus, CrisisResource, RiskAlert, Severity

ORG_SIZE = 5_000
TEAM_SIZE = 8  # clinicians per team
CASELOAD = (20, 40)  # active clients per clinician
TYPICAL_CASELOAD = 36  # clients led per clinician, active and ended
LED = (24, 48)  # clients led per clinician: 20–40 active once the ended ones are set aside
BATCH = 2_000  # rows per INSERT
CLIENT_BATCH = 500  # clients written per transaction
DEFAULT_SEED = 20261124

PROTOCOLS = [("ipt-standard", 0.6), ("ipt-brief", 0.2), ("ipt-adolescent", 0.1), ("ipt-maintenance", 0.1)]
GIVEN = [
    "Aisha", "Ben", "Carys", "Deepak", "Elena", "Femi", "Greta", "Hamza", "Iris", "Jamal", "Kasia",
    "Liam", "Mei", "Niall", "Olu", "Petra", "Quinn", "Rosa", "Sami", "Tova", "Uma", "Viktor", "Wen",
    "Ximena", "Yusuf", "Zara", "Aoife", "Bilal", "Chiara", "Dmitri", "Esme", "Farah",
]  # fmt: skip
FAMILY = [
    "Abbott", "Bakr", "Castillo", "Doyle", "Ekwueme", "Fischer", "Gallagher", "Haas", "Ibarra",
    "Jovanovic", "Kaur", "Larsen", "Mbeki", "Novak", "O'Brien", "Pereira", "Quist", "Rahman",
    "Sato", "Tiwari", "Ulloa", "Varga", "Wojcik", "Xu", "Yilmaz", "Zielinski", "Achebe", "Byrne",
    "Cohen", "Dlamini", "Evans", "Fontaine", "Grieve", "Hughes", "Iyer", "Jensen",
]  # fmt: skip
STAFF_NAMES = [("alice", "Alice", "Moreno"), ("dave", "Dave", "Okonkwo")]
PEOPLE = [
    ("Mum", Relationship.PARENT, Ring.INNER),
    ("Dad", Relationship.PARENT, Ring.MIDDLE),
    ("Partner", Relationship.PARTNER, Ring.INNER),
    ("Best friend", Relationship.FRIEND, Ring.INNER),
    ("Sister", Relationship.SIBLING, Ring.MIDDLE),
    ("Brother", Relationship.SIBLING, Ring.MIDDLE),
    ("Manager", Relationship.MANAGER, Ring.OUTER),
    ("Neighbour", Relationship.NEIGHBOUR, Ring.OUTER),
    ("Colleague", Relationship.COLLEAGUE, Ring.OUTER),
]
ACTION_TAKEN = "Phoned the client the same day; reviewed the safety plan together."


@dataclass
class ScaleResult:
    organisations: int = 0
    teams: int = 0
    clinicians: int = 0
    clients: int = 0
    rows: int = 0
    seconds: float = 0.0
    logins: list[tuple[str, str, str, str]] = field(default_factory=list)

    @property
    def rows_per_second(self) -> float:
        return self.rows / self.seconds if self.seconds > 0 else 0.0


@dataclass(frozen=True)
class Plan:
    """One client to generate: who leads them and how their course has gone."""

    clinician: User
    team: Team
    active: bool


def split(total: int, parts: int, rng: random.Random, low: int, high: int) -> list[int]:
    """`total` split into `parts` sizes, each in [low, high] where the average allows it, with some
    spread (not all equal)."""
    sizes = [total // parts + (1 if i < total % parts else 0) for i in range(parts)]
    for _ in range(parts * 2):
        a, b = rng.randrange(parts), rng.randrange(parts)
        step = rng.randint(1, 4)
        if a != b and sizes[a] - step >= low and sizes[b] + step <= high:
            sizes[a] -= step
            sizes[b] += step
    return sizes


def ended_count(led: int, rng: random.Random) -> int:
    """How many of a clinician's `led` clients have an ended course: about 15 %, keeping 20–40 active."""
    low, high = CASELOAD
    if led < low:
        return 0
    wanted = round(led * rng.uniform(0.08, 0.22))
    return max(led - high, 0, min(wanted, led - low))


class ScaleBuilder:
    def __init__(self, n: int, *, today: date, seed: int = DEFAULT_SEED, batch: int = BATCH) -> None:
        if n < 1:
            raise ValueError("The scaled programme needs at least 1 client.")
        self.n = n
        self.today = today
        self.rng = random.Random(seed)  # noqa: S311 - fictional data, not security
        self.batch = batch
        self.result = ScaleResult()
        self.now = timezone.now()
        self._scores: dict[tuple[str, tuple[int, ...]], scoring.Score] = {}

    # --- staff ------------------------------------------------------------------------------------

    def staff(self, org: Organisation, username: str, first: str, last: str, role: str) -> User:
        login = username in {"alice", "bob", "dave", "erin", "charlie"}
        password = _password() if login else None
        user = User(
            username=username,
            first_name=first,
            last_name=last,
            organisation=org,
            role=role,
            password=make_password(password),
        )
        if login:
            self.result.logins.append((username, str(password), role, org.name))
        return user

    def organisation(self, index: int, size: int) -> list[Plan]:
        """Create one organisation with its teams and staff; the plan of its `size` clients."""
        rng = self.rng
        zone = ["Europe/London", "Europe/Dublin", "America/New_York"][index % 3]
        org = Organisation.objects.create(
            name=f"Programme site {index + 1}", slug=f"site-{index + 1}", time_zone=zone
        )
        for locale, lines in CRISIS.items():
            CrisisResource.objects.bulk_create(
                CrisisResource(
                    organisation=org,
                    locale=locale,
                    name=name,
                    phone=phone,
                    text=text,
                    is_emergency=emergency,
                    position=position,
                    hours="24 hours",
                )
                for position, (name, phone, text, emergency) in enumerate(lines)
            )
        low, high = LED
        clinicians = max(1, round(size / TYPICAL_CASELOAD))
        if size >= low:
            clinicians = min(max(clinicians, math.ceil(size / high)), size // low)
        caseloads = split(size, clinicians, rng, low, high)
        team_count = max(1, round(clinicians / TEAM_SIZE))
        teams = Team.objects.bulk_create(
            Team(organisation=org, name=f"Site {index + 1} team {t + 1}") for t in range(team_count)
        )
        first_org = index == 0
        admin = ("erin", "Walsh") if first_org else (f"s{index + 1}-admin", f"Site {index + 1}")
        users = [self.staff(org, admin[0], "Erin", admin[1], Role.ADMIN)]
        members: list[tuple[User, Team]] = []
        for t, team in enumerate(teams):
            name = "bob" if first_org and t == 0 else f"s{index + 1}-t{t + 1}-supervisor"
            supervisor = self.staff(org, name, "Bob" if name == "bob" else "Sam", "Lindgren", Role.SUPERVISOR)
            users.append(supervisor)
            members.append((supervisor, team))
        plan_staff: list[tuple[User, Team]] = []
        for c in range(clinicians):
            team = teams[c * team_count // clinicians]
            if first_org and c < len(STAFF_NAMES):
                username, first, last = STAFF_NAMES[c]
            elif index == 1 and c == 0:
                username, first, last = "charlie", "Charlie", "Nakamura"
            else:
                username, first, last = f"s{index + 1}-c{c + 1}", rng.choice(GIVEN), rng.choice(FAMILY)
            user = self.staff(org, username, first, last, Role.CLINICIAN)
            users.append(user)
            plan_staff.append((user, team))
            members.append((user, team))
        User.objects.bulk_create(users, batch_size=self.batch)
        User.teams.through.objects.bulk_create(
            User.teams.through(user_id=user.pk, team_id=team.pk) for user, team in members
        )
        self.result.organisations += 1
        self.result.teams += team_count
        self.result.clinicians += clinicians
        self.result.rows += 1 + len(teams) + len(users) + len(members)
        plans = []
        for (user, team), led in zip(plan_staff, caseloads, strict=True):
            ended = ended_count(led, rng)
            plans += [Plan(user, team, active=i >= ended) for i in range(led)]
        rng.shuffle(plans)
        return plans

    # --- clients and their records ----------------------------------------------------------------

    def score(self, instrument: str, answers: list[int]) -> scoring.Score:
        key = (instrument, tuple(answers))
        result = self._scores.get(key)
        if result is None:
            result = self._scores[key] = scoring.score(instrument, answers)
        return result

    def clients(self, org: Organisation, plans: list[Plan], start: int) -> None:
        """Write one batch of clients with all their records, in one transaction."""

        def insert(model: type[models.Model], objs: list[Any]) -> list[Any]:
            # The plain QuerySet: Session's manager would also write a version per row.
            created: list[Any] = models.QuerySet(model).bulk_create(objs, batch_size=self.batch)
            self.result.rows += len(created)
            return created

        with transaction.atomic():
            specs = [self.client_spec(org, plan, start + i) for i, plan in enumerate(plans)]
            clients = insert(Client, [spec["client"] for spec in specs])
            courses = []
            for spec, client in zip(specs, clients, strict=True):
                spec["course"].client = client
                courses.append(spec["course"])
            insert(Course, courses)
            sessions: list[Session] = []
            for spec in specs:
                course = spec["course"]
                for s in spec["sessions"]:
                    s.course = course
                sessions += spec["sessions"]
            insert(Session, sessions)
            people = []
            for spec in specs:
                for p in spec["people"]:
                    p.client = spec["course"].client
                people += spec["people"]
            insert(Person, people)
            notes, responses, scores, alerts = [], [], [], []
            for spec in specs:
                course = spec["course"]
                for session, measures, note in spec["held"]:
                    if note is not None:
                        note.session = session
                        notes.append(note)
                    for response, result in measures:
                        response.client, response.course, response.session = course.client, course, session
                        responses.append((response, result, course))
            insert(Note, notes)
            insert(Response, [r for r, _, _ in responses])
            for response, result, course in responses:
                scores.append(
                    Score(
                        response=response,
                        client=course.client,
                        course=course,
                        instrument=response.instrument,
                        total=result.total,
                        band=result.band,
                        risk=list(result.risk),
                        completed_at=response.completed_at,
                    )
                )
                for flag in result.risk:
                    alerts.append(self.alert(response, result, flag, course))
            insert(Score, scores)
            insert(RiskAlert, alerts)
        self.result.clients += len(plans)

    def alert(self, response: Response, result: scoring.Score, flag: str, course: Course) -> RiskAlert:
        recent = self.now - response.completed_at < timedelta(days=7) and course.is_active
        return RiskAlert(
            client=response.client,
            response=response,
            flag=flag,
            severity=result.severity_for(flag) or Severity.HIGH,
            summary=FLAG_SUMMARIES.get(flag, flag),
            raised_at=response.completed_at,
            status=AlertStatus.OPEN if recent else AlertStatus.ACKNOWLEDGED,
            acknowledged_at=None if recent else response.completed_at + timedelta(hours=2),
            acknowledged_by=None if recent else course.clinician,
            action_taken="" if recent else ACTION_TAKEN,
        )

    def client_spec(self, org: Organisation, plan: Plan, number: int) -> dict[str, Any]:
        rng = self.rng
        protocol_key = rng.choices([k for k, _ in PROTOCOLS], [w for _, w in PROTOCOLS])[0]
        protocol = get_protocol(protocol_key)
        age = rng.randint(13, 17) if protocol_key == "ipt-adolescent" else rng.randint(19, 80)
        born = self.today - timedelta(days=age * 365 + rng.randrange(365))
        client = Client(
            organisation=org,
            team=plan.team,
            clinician=plan.clinician,
            clinic_identifier=f"SC-{number:07d}",
            given_name=rng.choice(GIVEN),
            family_name=rng.choice(FAMILY),
            date_of_birth=born,
            locale=org.default_locale,
        )
        planned = protocol.default_sessions
        cadence_days = 28 if protocol.cadence == "monthly" else 7
        if plan.active:
            held = rng.randrange(0, planned)
            # the next session falls in the coming days, so nothing past is left unrecorded
            start = self.today - timedelta(days=cadence_days * held - rng.randint(1, 6))
        else:
            held = planned
            start = self.today - timedelta(days=cadence_days * planned + rng.randint(14, 300))
        dates = schedule.session_dates(start, planned, protocol.cadence, working_days=org.working_weekdays)
        if plan.active:  # months are not all 28 days: held means in the past
            held = sum(1 for d in dates if d < self.today)
        next_number = min(held + 1, planned)
        course = Course(
            client=client,
            clinician=plan.clinician,
            protocol_key=protocol.key,
            protocol_version=protocol.version,
            start_date=start,
            weekday=dates[0].weekday() if protocol.cadence == "weekly" else None,
            planned_sessions=planned,
            current_phase=protocol.phase_for_session(next_number, planned).key,
            status=CourseStatus.ACTIVE,
        )
        if not plan.active:
            course.status = CourseStatus.COMPLETED if rng.random() < 0.85 else CourseStatus.ENDED_EARLY
            course.ended_on = dates[-1]
            course.end_reason = "" if course.status == CourseStatus.COMPLETED else "Moved away."
        sessions = [
            Session(
                course=course,
                number=n,
                scheduled_date=d,
                start_time=SLOTS[number % len(SLOTS)],  # not from rng: keeps the programme's numbers
                duration_minutes=protocol.session_minutes,
                phase_key=protocol.phase_for_session(n, planned).key,
                modality=Modality.PHONE if rng.random() < 0.15 else Modality.IN_PERSON,
            )
            for n, d in enumerate(dates, start=1)
        ]
        return {
            "client": client,
            "course": course,
            "sessions": sessions,
            "held": list(self.held_sessions(plan, protocol, course, sessions[:held], org)),
            "people": self.people(plan.clinician),
        }

    def held_sessions(
        self, plan: Plan, protocol: Protocol, course: Course, sessions: list[Session], org: Organisation
    ) -> Iterator[tuple[Session, list[tuple[Response, scoring.Score]], Note | None]]:
        rng = self.rng
        zone = ZoneInfo(org.time_zone)
        kind = rng.random()  # improving 60 %, flat 30 %, worsening 10 %
        if kind < 0.6:
            slope = -rng.uniform(0.6, 1.3)
        else:
            slope = rng.uniform(-0.2, 0.2) if kind < 0.9 else rng.uniform(0.3, 0.8)
        baseline = max(5, min(27, round(rng.gauss(16, 4))))
        risky = rng.random() < 0.03
        for s in sessions:
            s.attendance = Attendance.ATTENDED if rng.random() >= 0.08 else Attendance.NO_SHOW
        attended = [s for s in sessions if s.attendance == Attendance.ATTENDED]
        for i, session in enumerate(attended):
            when = datetime.combine(session.scheduled_date, time(10, 15), tzinfo=zone)
            total = max(0, min(27, round(baseline + slope * session.number) + rng.choice([-1, 0, 0, 1])))
            last = i == len(attended) - 1
            item9 = rng.randint(1, 3) if risky and last else 0
            due = protocol.measures_due(session.number, course.planned_sessions)
            measures = []
            for depression in ("phq9", "phqa"):
                if depression in due:
                    measures.append(
                        self.response(depression, _depression_items(depression, total, rng, item9), when)
                    )
            if "gad7" in due:
                measures.append(self.response("gad7", _gad7_items(max(0, total - 3), rng), when))
            signed = not (last and course.is_active)
            note = Note(
                author=plan.clinician,
                body=rng.choice(NOTE_TEXTS),
                status=NoteStatus.SIGNED if signed else NoteStatus.DRAFT,
                signed_at=when + timedelta(hours=1) if signed else None,
                signed_by=plan.clinician if signed else None,
            )
            yield session, measures, note

    def response(self, instrument: str, items: list[int], when: datetime) -> tuple[Response, scoring.Score]:
        result = self.score(instrument, items)
        response = Response(
            instrument=instrument,
            source=Source.CLIENT,
            channel=Channel.IN_SESSION,
            entered_by=None,
            answers=dict(result.answers),
            completed_at=when,
        )
        return response, result

    def people(self, clinician: User) -> list[Person]:
        rng = self.rng
        return [
            Person(
                name=name,
                relationship=relationship,
                ring=ring,
                expectations_met=rng.choice(list(Met)),
                conflict=rng.choice(list(Conflict)),
                linked_to_depression=rng.random() < 0.3,
                created_by=clinician,
            )
            for name, relationship, ring in rng.sample(PEOPLE, rng.randint(2, 5))
        ]

    # --- the whole programme ----------------------------------------------------------------------

    def build(self, progress: Callable[[ScaleResult], None] | None = None) -> ScaleResult:
        started = clock.perf_counter()
        organisations = max(1, round(self.n / ORG_SIZE))
        sizes = [
            self.n // organisations + (1 if i < self.n % organisations else 0) for i in range(organisations)
        ]
        number = 0
        for index, size in enumerate(sizes):
            with transaction.atomic():
                plans = self.organisation(index, size)
            org = Organisation.objects.get(slug=f"site-{index + 1}")
            for first in range(0, len(plans), CLIENT_BATCH):
                self.clients(org, plans[first : first + CLIENT_BATCH], number + first + 1)
                if progress is not None:
                    self.result.seconds = clock.perf_counter() - started
                    progress(self.result)
            number += len(plans)
        record(
            None, "demo.scale", obj=Organisation.objects.order_by("pk").first(), actor_label="demo --scale"
        )
        self.result.rows += 1
        self.result.seconds = clock.perf_counter() - started
        return self.result


def build_scale(n: int, *, today: date, seed: int = DEFAULT_SEED) -> ScaleResult:
    """Generate a programme of `n` clients into an empty database (see the module docstring)."""
    if Organisation.objects.exists():
        raise ValueError("The database already holds organisations; --scale loads only into an empty one.")
    result = ScaleBuilder(n, today=today, seed=seed).build()
    if connection.vendor == "postgresql":
        # Fresh statistics after a bulk load, as an operator would: without them the planner
        # guesses the new tables are tiny and picks plans that do not scale.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return result

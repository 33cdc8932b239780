"""Every change to a course or its sessions. Each runs in one transaction and is audited."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, time
from typing import Any

from django.core.validators import URLValidator
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from openipt.accounts.models import WEEKDAY_NAMES
from openipt.audit.actions import record
from openipt.clients.models import Client
from openipt.lib.errors import ValidationError, refuse, too_long
from openipt.protocols import Protocol, ProtocolError, SessionCountError, get_protocol
from openipt.protocols.model import CADENCE_LABELS

from . import schedule
from .models import DEFAULT_START_TIME, Attendance, Course, CourseStatus, Modality, Session, TaskRecord

VIDEO_URL = URLValidator(schemes=["https"])


def _require_active(course: Course) -> None:
    if not course.is_active:
        raise refuse(_("This course has ended; it can no longer be changed."))


def start_course(
    actor: Any,
    client: Client,
    *,
    protocol_key: str,
    start_date: date,
    weekday: int | None = None,
    planned_sessions: int | None = None,
    age_confirmed: bool = False,
    start_time: time | None = None,
    request: HttpRequest | None = None,
) -> Course:
    """Start a course on a protocol and schedule its sessions from `start_date`.

    A client whose age on `start_date` is outside the protocol's ages (an adult on IPT-A, a
    12-year-old on standard IPT) is a warning, not a block: refused on `age_confirmed` until the
    clinician confirms it.

    Sessions fall on the organisation's working days (the first on the first working day from
    `start_date`), at `start_time` (default 09:00, on the organisation's clock), each as long as
    the protocol's session length.
    """
    try:
        protocol = get_protocol(protocol_key)
    except (KeyError, ProtocolError):
        raise refuse(_("Choose one of the protocols offered."), "protocol_key") from None
    count = planned_sessions or protocol.default_sessions
    errors: dict[str, list[str]] = {}  # every problem at once, each beside its field
    try:
        protocol.validate_session_count(count)
    except SessionCountError as exc:
        errors["planned_sessions"] = [exc.message(_)]
    if not age_confirmed and not protocol.suits_age(client.age_on(start_date)):
        errors["age_confirmed"] = [age_warning(client, protocol, start_date)]
    if weekday is not None and not 0 <= weekday <= 6:
        errors["weekday"] = [_("Choose a day of the week.")]
    elif weekday is not None and protocol.cadence != "weekly":
        errors["weekday"] = [
            _("Sessions of %(protocol)s are %(cadence)s; leave the weekday empty.")
            % {"protocol": _(protocol.name), "cadence": _(CADENCE_LABELS[protocol.cadence])}
        ]
    working_days = client.organisation.working_weekdays
    if weekday is not None and "weekday" not in errors and weekday not in working_days:
        errors["weekday"] = [
            _("The clinic is closed on %(day)s. Choose one of its working days.")
            % {"day": WEEKDAY_NAMES[weekday]}
        ]
    if errors:
        raise ValidationError(errors)
    dates = schedule.session_dates(start_date, count, protocol.cadence, weekday, working_days=working_days)
    with transaction.atomic():
        if Course.objects.filter(client=client, status=CourseStatus.ACTIVE).exists():
            raise refuse(_("This client already has an active course; end it before starting another."))
        course = Course.objects.create(
            client=client,
            clinician=actor,
            protocol_key=protocol.key,
            protocol_version=protocol.version,
            start_date=start_date,
            weekday=dates[0].weekday() if protocol.cadence == "weekly" else None,
            planned_sessions=count,
            current_phase=protocol.phases[0].key,
        )
        Session.objects.bulk_create(
            Session(
                course=course,
                number=n,
                scheduled_date=d,
                start_time=start_time or DEFAULT_START_TIME,
                duration_minutes=protocol.session_minutes,
                phase_key=protocol.phase_for_session(n, count).key,
            )
            for n, d in enumerate(dates, start=1)
        )
        record(actor, "course.start", obj=course, client_id=client.pk, request=request)
    return course


def age_warning(client: Client, protocol: Protocol, start_date: date) -> str:
    """Why this protocol may not suit the client's age on the first day of the course."""
    low, high = protocol.min_age, protocol.max_age
    if low is not None and high is not None:
        ages = _("ages %(low)d to %(high)d") % {"low": low, "high": high}
    elif low is not None:
        ages = _("ages %(low)d and over") % {"low": low}
    else:
        ages = _("ages up to %(high)d") % {"high": high}
    return _(
        "%(name)s is %(age)d on %(date)s, the first day of the course, and %(protocol)s is meant for "
        "%(ages)s. Check that this is the right protocol; to start it anyway, tick the box to confirm "
        "and start again."
    ) % {
        "name": client.display_name,
        "age": client.age_on(start_date),
        "date": date_format(start_date, "D j M Y"),
        "protocol": _(protocol.name),
        "ages": ages,
    }


def _refuse_closed_day(day: date, working_days: frozenset[int], field: str) -> None:
    if day.weekday() not in working_days:
        raise refuse(
            _("The clinic is closed on %(day)s. Choose a working day, such as %(next)s.")
            % {
                "day": date_format(day, "l j F"),
                "next": date_format(schedule.next_working_day(day, working_days), "D j M Y"),
            },
            field,
        )


def _live_sessions(course: Course) -> list[Session]:
    return list(course.sessions.exclude(attendance=Attendance.CANCELLED).order_by("number"))


def _require_later_unrecorded(sessions: list[Session], index: int) -> None:
    """Later sessions shift with this one; a session already held or missed keeps its date."""
    if any(s.attendance != Attendance.SCHEDULED for s in sessions[index + 1 :]):
        raise refuse(
            _(
                "A later session already has its attendance recorded, so the sessions after this one "
                "cannot shift; record this session as attended or did not attend instead."
            )
        )


def move_session(
    actor: Any,
    session: Session,
    new_date: date,
    *,
    new_time: time | None = None,
    request: HttpRequest | None = None,
) -> None:
    """Move one session (and, given `new_time`, its time); every later session shifts by the same
    number of days, and one that would fall on a closed day goes to the next working day.

    A new date on a day the clinic is closed is refused, naming the next working day.
    """
    with transaction.atomic():
        course = (
            Course.objects.select_related("client__organisation")
            .select_for_update(of=("self",))  # lock the course, not its client or organisation
            .get(pk=session.course_id)
        )
        _require_active(course)
        working_days = course.client.organisation.working_weekdays
        _refuse_closed_day(new_date, working_days, "new_date")
        sessions = _live_sessions(course)
        index = next((i for i, s in enumerate(sessions) if s.pk == session.pk), None)
        if index is None:
            raise refuse(_("A cancelled session cannot be moved."))
        if sessions[index].attendance != Attendance.SCHEDULED:
            raise refuse(_("Only a session that has not happened yet can be moved."))
        _require_later_unrecorded(sessions, index)
        if index > 0 and new_date <= sessions[index - 1].scheduled_date:
            # the schedule's own check, said in words and dates a person reads
            before = sessions[index - 1]
            raise refuse(
                _("Choose a date after session %(n)d, on %(date)s: sessions keep their order.")
                % {"n": before.number, "date": date_format(before.scheduled_date, "D j M Y")},
                "new_date",
            )
        try:
            dates = schedule.move_session([s.scheduled_date for s in sessions], index, new_date, working_days)
        except ValueError as exc:
            raise refuse(str(exc), "new_date") from None
        _apply_dates(sessions, dates, from_index=index)
        if new_time is not None and new_time != sessions[index].start_time:
            Session.objects.filter(pk=session.pk).update(start_time=new_time, updated_at=timezone.now())
        record(actor, "session.move", obj=session, client_id=course.client_id, request=request)


def cancel_session(actor: Any, session: Session, *, request: HttpRequest | None = None) -> Session:
    """Cancel an appointment: it is kept as cancelled and its session number moves one step later."""
    with transaction.atomic():
        course = (
            Course.objects.select_related("client__organisation")
            .select_for_update(of=("self",))  # lock the course, not its client or organisation
            .get(pk=session.course_id)
        )
        _require_active(course)
        sessions = _live_sessions(course)
        index = next((i for i, s in enumerate(sessions) if s.pk == session.pk), None)
        if index is None or sessions[index].attendance != Attendance.SCHEDULED:
            raise refuse(_("Only a session that has not happened yet can be cancelled."))
        _require_later_unrecorded(sessions, index)
        dates = schedule.cancel_session(
            [s.scheduled_date for s in sessions],
            index,
            course.protocol.cadence,
            course.client.organisation.working_weekdays,
        )
        cancelled = sessions[index]
        Session.objects.filter(pk=cancelled.pk).update(
            attendance=Attendance.CANCELLED, updated_at=timezone.now()
        )
        replacement = Session.objects.create(
            course=course,
            number=cancelled.number,
            scheduled_date=dates[index],
            phase_key=cancelled.phase_key,
            modality=cancelled.modality,
            start_time=cancelled.start_time,
            duration_minutes=cancelled.duration_minutes,
            video_url=cancelled.video_url,
        )
        rest = sessions[index + 1 :]
        _apply_dates(rest, dates[index + 1 :], from_index=0)
        record(actor, "session.cancel", obj=cancelled, client_id=course.client_id, request=request)
    return replacement


def _apply_dates(sessions: list[Session], dates: list[date], *, from_index: int) -> None:
    changed = []
    for s, d in zip(sessions[from_index:], dates[from_index:], strict=True):
        if s.scheduled_date != d:
            s.scheduled_date = d
            changed.append(s)
    Session.objects.bulk_update(changed, ["scheduled_date"])


def set_appointment(
    actor: Any,
    session: Session,
    *,
    start_time: time,
    modality: str,
    video_url: str = "",
    request: HttpRequest | None = None,
) -> Session:
    """Set when a session starts, how it will be held and, for a video session, its link.

    The link must be a secure (https) web address; the date moves with `move_session`.
    """
    if modality not in Modality.values:
        raise refuse(_("Choose in person, video or phone."), "modality")
    video_url = video_url.strip()
    if video_url:
        try:
            VIDEO_URL(video_url)
        except ValidationError:
            raise refuse(
                _("Enter the video link as a full secure web address starting with https://."), "video_url"
            ) from None
        if len(video_url) > 500:
            raise refuse(_("Keep the video link under 500 characters."), "video_url")
    with transaction.atomic():
        course = Course.objects.select_for_update().get(pk=session.course_id)
        _require_active(course)
        session.refresh_from_db(fields=["attendance"])
        if session.attendance != Attendance.SCHEDULED:
            raise refuse(_("Only a session that has not happened yet can be rearranged."))
        session.start_time = start_time
        session.modality = modality
        session.video_url = video_url
        session.save(update_fields=["start_time", "modality", "video_url", "updated_at"])
        record(actor, "session.appointment", obj=session, client_id=course.client_id, request=request)
    return session


def record_attendance(
    actor: Any,
    session: Session,
    *,
    attendance: str,
    modality: str,
    confirm_future: bool = False,
    request: HttpRequest | None = None,
) -> Session:
    """Record whether the client came and how the session was held. A session whose date is still
    ahead is recorded as attended only with `confirm_future`: usually it is the wrong session."""
    if attendance not in {Attendance.ATTENDED, Attendance.NO_SHOW, Attendance.SCHEDULED}:
        raise refuse(_("Choose attended, did not attend, or scheduled. Use Cancel to cancel."), "attendance")
    if modality not in Modality.values:
        raise refuse(_("Choose in person, video or phone."), "modality")
    today = timezone.localdate()
    with transaction.atomic():
        # Read the course afresh: the phase may have moved on since `session` was loaded.
        course = Course.objects.select_for_update().get(pk=session.course_id)
        _require_active(course)
        session.refresh_from_db(fields=["attendance", "scheduled_date"])
        if session.is_cancelled:
            raise refuse(_("This appointment was cancelled."))
        if attendance == Attendance.ATTENDED and session.scheduled_date > today and not confirm_future:
            raise refuse(
                _(
                    "This session is planned for %(date)s, which is still ahead: check it is the right "
                    "session. If it was held early, tick the box to confirm, or move it to the day it "
                    "was held first."
                )
                % {"date": date_format(session.scheduled_date, "D j M Y")},
                "confirm_future",
            )
        session.course = course
        session.attendance = attendance
        session.modality = modality
        if attendance == Attendance.ATTENDED:
            session.phase_key = course.current_phase
        session.save(update_fields=["attendance", "modality", "phase_key", "updated_at"])
        record(actor, "session.attendance", obj=session, client_id=session.course.client_id, request=request)
    return session


def set_task(
    actor: Any,
    session: Session,
    *,
    task_key: str,
    done: bool,
    note: str,
    request: HttpRequest | None = None,
) -> TaskRecord:
    """Tick (or untick) one agenda task for a session, with a note."""
    save_agenda(actor, session, items=[AgendaEntry(task_key, done, note)], request=request)
    return TaskRecord.objects.get(session=session, task_key=task_key)


@dataclass(frozen=True)
class AgendaEntry:
    task_key: str
    done: bool
    note: str


def save_agenda(
    actor: Any,
    session: Session,
    items: Sequence[AgendaEntry],
    *,
    request: HttpRequest | None = None,
) -> int:
    """Save the whole agenda of a session at once: every tick and every note, or none of them.

    Only tasks whose tick or note changed are written; returns how many were. A refusal names the
    field of the task concerned (`note-<task>`), so the form shows it beside that task.
    """
    course = session.course
    keys = {t.key for p in course.protocol.phases for t in p.tasks}
    for item in items:
        if item.task_key not in keys:
            raise refuse(_("That task is not part of this protocol's agenda."), "task_key")
        if len(item.note) > 5000:
            raise refuse(too_long(len(item.note), 5000), f"note-{item.task_key}")
    with transaction.atomic():
        _require_active(course)
        if Session.objects.filter(pk=session.pk, attendance=Attendance.CANCELLED).exists():
            raise refuse(_("This appointment was cancelled; record the work on its replacement session."))
        stored = {
            r.task_key: r
            for r in TaskRecord.objects.select_for_update().filter(
                session=session, task_key__in=[i.task_key for i in items]
            )
        }
        changed = 0
        for item in items:
            old = stored.get(item.task_key)
            if old is None and not (item.done or item.note):
                continue  # an untouched task leaves no record
            if old is not None and (old.done, old.note) == (item.done, item.note):
                continue
            TaskRecord.objects.update_or_create(
                session=session,
                task_key=item.task_key,
                defaults={"done": item.done, "note": item.note, "updated_by": actor},
            )
            changed += 1
        if changed:
            record(actor, "session.task", obj=session, client_id=course.client_id, request=request)
    return changed


def choose_task_session(
    actor: Any, session: Session, *, task_key: str, here: bool = True, request: HttpRequest | None = None
) -> Course:
    """Hold a task the protocol holds once (IPT-A's session with a parent) at this session.

    The task then shows on this session's agenda only; choosing another session of the same
    phase moves it there. `here=False` takes the choice back: the task is offered on every session
    of its phase again.
    """
    course = session.course
    phase = course.protocol.phase_for_session(session.number, course.planned_sessions)
    task = next((t for t in phase.tasks if t.key == task_key), None)
    if task is None or not task.once:
        raise refuse(_("That task is not one this session's phase holds once."), "task_key")
    with transaction.atomic():
        course = Course.objects.select_for_update().get(pk=course.pk)
        _require_active(course)
        if Session.objects.filter(pk=session.pk, attendance=Attendance.CANCELLED).exists():
            raise refuse(_("This appointment was cancelled; choose its replacement session instead."))
        held_at = course.chosen_sessions.get(task_key)
        if (
            held_at is not None
            and course.sessions.filter(number=held_at, attendance=Attendance.ATTENDED).exists()
        ):
            # where it took place is part of the record: a held session's choice is never moved
            raise refuse(
                _(
                    "Session %(n)d, chosen for this, has been held: "
                    "it stays the record of where it took place."
                )
                % {"n": held_at}
            )
        chosen = {k: n for k, n in course.chosen_sessions.items() if k != task_key}
        course.chosen_sessions = {**chosen, task_key: session.number} if here else chosen
        course.save(update_fields=["chosen_sessions"])
        record(actor, "course.task_session", obj=course, client_id=course.client_id, request=request)
    return course


def advance_phase(actor: Any, course: Course, *, request: HttpRequest | None = None) -> Course:
    """Move the course to the protocol's next phase: the clinician's decision, guided by the protocol."""
    with transaction.atomic():
        course = Course.objects.select_for_update().get(pk=course.pk)
        _require_active(course)
        nxt = course.protocol.next_phase(course.current_phase)
        if nxt is None:
            raise refuse(_("This is the protocol's last phase; end the course when the work is done."))
        course.current_phase = nxt.key
        course.save(update_fields=["current_phase"])
        record(actor, "course.phase", obj=course, client_id=course.client_id, request=request)
    return course


def end_course(
    actor: Any,
    course: Course,
    *,
    status: str,
    ended_on: date,
    reason: str = "",
    request: HttpRequest | None = None,
) -> Course:
    """End a course as completed or ended early (a reason is required when it ends early)."""
    if status not in {CourseStatus.COMPLETED, CourseStatus.ENDED_EARLY}:
        raise refuse(_("Choose completed or ended early."), "status")
    if status == CourseStatus.ENDED_EARLY and not reason.strip():
        raise refuse(_("Say why the course ended early."), "reason")
    if ended_on < course.start_date:
        raise refuse(_("The end date cannot be before the course started."), "ended_on")
    if ended_on > timezone.localdate():
        raise refuse(_("The end date cannot be in the future."), "ended_on")
    with transaction.atomic():
        course = Course.objects.select_for_update().get(pk=course.pk)
        _require_active(course)
        course.status = status
        course.ended_on = ended_on
        course.end_reason = reason.strip()
        course.save(update_fields=["status", "ended_on", "end_reason"])
        record(actor, "course.end", obj=course, client_id=course.client_id, request=request)
    return course

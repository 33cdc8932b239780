"""The end of the initial phase: the chosen problem area, the formulation and the treatment contract.

Every change runs in one transaction, checks the version the form was opened on (a stale save is
refused rather than overwriting someone else's words) and writes an audit row without clinical
values. Which area fits is suggested by `openipt.inventory.formulation`; only the clinician
chooses (the initial-phase tasks in Weissman, Markowitz & Klerman, *The Guide to Interpersonal
Psychotherapy*, 2018: identify the problem area, agree a formulation and a treatment contract).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import ProtectedError
from django.http import HttpRequest
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from openipt.audit.actions import record
from openipt.clients.access import can_write
from openipt.inventory import formulation as rules
from openipt.lib.errors import ValidationError, refuse, too_long
from openipt.protocols import SessionCountError

from . import schedule
from .models import Attendance, Contract, Course, DisputeStage, Formulation, Session

MAX_TEXT = 10_000
MAX_NOTE = 5_000


def _require_writer(actor: Any, course: Course) -> None:
    if not can_write(actor, course.client):
        raise PermissionDenied


def _lock_active(course: Course) -> Course:
    """The course row locked for this transaction; refused once the course has ended."""
    locked = Course.objects.select_for_update().get(pk=course.pk)
    if not locked.is_active:
        raise refuse(_("This course has ended; it can no longer be changed."))
    return locked


def _clean(text: str) -> str:
    return (text or "").replace("\r\n", "\n").strip()


def _too_long(value: str, limit: int) -> str:
    return too_long(len(value), limit)


def _check_length(value: str, field: str, limit: int) -> None:
    if len(value) > limit:
        raise refuse(_too_long(value, limit), field)


def _check_agreed_on(course: Course, agreed_on: date, field: str = "agreed_on") -> None:
    if agreed_on < course.start_date:
        raise refuse(
            _("The date of agreement cannot be before the course started (%(start)s).")
            % {"start": date_format(course.start_date, "D j M Y")},
            field,
        )
    if agreed_on > timezone.localdate():
        raise refuse(_("The date of agreement cannot be in the future."), field)


def _stale_formulation() -> Exception:
    return refuse(_("Someone saved the formulation after you opened this page, so nothing was saved."))


def _stale_contract() -> Exception:
    return refuse(_("Someone saved the contract after you opened this page, so nothing was saved."))


# --- Problem area and formulation ---------------------------------------------------------------


def choose_problem_areas(
    actor: Any,
    course: Course,
    *,
    areas: Sequence[str],
    rationale: str,
    base_version: int | None,
    dispute_stage: str = "",
    request: HttpRequest | None = None,
) -> Formulation:
    """Record the problem area(s) the clinician chose, and why; creates the formulation if needed.

    One area, two at most, each one of the four; the rationale is required. When a role dispute
    is chosen its stage (renegotiation, impasse, dissolution) is recorded too. If the areas change
    after the client agreed to the formulation, the agreement is cleared: it was about other areas.
    """
    _require_writer(actor, course)
    chosen = [str(a) for a in areas]
    rationale = _clean(rationale)
    errors = _choice_errors(chosen, rationale, dispute_stage)
    if errors:
        raise ValidationError(errors)
    if "role_dispute" not in chosen:
        dispute_stage = ""
    with transaction.atomic():
        course = _lock_active(course)
        current = Formulation.objects.select_for_update().filter(course=course).first()
        if base_version != (current.version if current else None):
            raise _stale_formulation()
        if current is None:
            current = Formulation.objects.create(
                course=course,
                problem_areas=chosen,
                rationale=rationale,
                dispute_stage=dispute_stage,
                updated_by=actor,
            )
        else:
            if list(current.problem_areas) != chosen:
                current.client_agreed, current.agreed_on = False, None
            current.problem_areas = chosen
            current.rationale = rationale
            current.dispute_stage = dispute_stage
            current.version += 1
            current.updated_by = actor
            current.save(
                update_fields=[
                    "problem_areas",
                    "rationale",
                    "dispute_stage",
                    "client_agreed",
                    "agreed_on",
                    "version",
                    "updated_by",
                    "updated_at",
                ]
            )
        record(actor, "formulation.choose", obj=current, client_id=course.client_id, request=request)
    return current


def _choice_errors(chosen: list[str], rationale: str, dispute_stage: str) -> dict[str, list[str]]:
    """Every problem with a choice at once, by field, so each shows beside its field."""
    errors: dict[str, list[str]] = {}
    try:
        rules.validate_choice(chosen)
    except rules.ChoiceError as exc:
        # The params are problem-area names (gettext_noop'd in the pure module): translate them too.
        errors["areas"] = [_(exc.template).format(**{k: _(v) for k, v in exc.params.items()})]
    if not rationale:
        errors["rationale"] = [_("Write why you chose this area: what in the client's story points to it.")]
    elif len(rationale) > MAX_NOTE:
        errors["rationale"] = [_too_long(rationale, MAX_NOTE)]
    if "role_dispute" in chosen and dispute_stage not in DisputeStage.values:
        errors["dispute_stage"] = [
            _("Say which stage the dispute is at: renegotiation, impasse or dissolution.")
        ]
    return errors


def save_formulation(
    actor: Any,
    course: Course,
    *,
    text: str,
    client_agreed: bool,
    agreed_on: date | None,
    base_version: int | None,
    request: HttpRequest | None = None,
) -> Formulation:
    """Save the formulation's text and whether (and when) the client agreed with it.

    The problem area must be chosen first. The date of agreement is required with the agreement,
    cannot be before the course started nor in the future, and is refused without the agreement.
    """
    _require_writer(actor, course)
    text = _clean(text)
    if not text:
        raise refuse(_("Write the formulation before saving it."), "text")
    _check_length(text, "text", MAX_TEXT)
    if client_agreed and agreed_on is None:
        raise refuse(_("Give the date the client agreed with the formulation."), "agreed_on")
    if not client_agreed and agreed_on is not None:
        raise refuse(_("Tick “the client agrees” as well, or clear the date."), "agreed_on")
    if agreed_on is not None:
        _check_agreed_on(course, agreed_on)
    with transaction.atomic():
        course = _lock_active(course)
        current = Formulation.objects.select_for_update().filter(course=course).first()
        if current is None:
            raise refuse(_("Choose the problem area before writing the formulation."))
        if base_version != current.version:
            raise _stale_formulation()
        newly_agreed = client_agreed and not current.client_agreed
        current.text = text
        current.client_agreed = client_agreed
        current.agreed_on = agreed_on
        current.version += 1
        current.updated_by = actor
        current.save(
            update_fields=["text", "client_agreed", "agreed_on", "version", "updated_by", "updated_at"]
        )
        record(actor, "formulation.save", obj=current, client_id=course.client_id, request=request)
        if newly_agreed:
            record(actor, "formulation.agree", obj=current, client_id=course.client_id, request=request)
    return current


def record_formulation_print(
    actor: Any, formulation: Formulation, *, request: HttpRequest | None = None
) -> None:
    """Audit that the client's copy was opened for printing (a copy may now exist on paper)."""
    record(
        actor, "formulation.print", obj=formulation, client_id=formulation.course.client_id, request=request
    )


# --- Treatment contract -------------------------------------------------------------------------


def set_contract(
    actor: Any,
    course: Course,
    *,
    sessions: int,
    focus: str,
    goals: str,
    missed_sessions: str,
    agreed_on: date | None,
    base_version: int | None,
    request: HttpRequest | None = None,
) -> Contract:
    """Create or update the treatment contract; a new number of sessions resizes the schedule.

    The number must lie in the protocol's range. Fewer sessions drop the last ones, which must
    still be only scheduled (nothing recorded against them); more sessions are added after the
    last at the protocol's cadence. Sessions not yet held take the phase their number has in the
    new layout (e.g. 16 → 12 moves termination from 14–16 to 10–12). All in one transaction.
    """
    _require_writer(actor, course)
    try:
        course.protocol.validate_session_count(sessions)
    except SessionCountError as exc:
        raise refuse(exc.message(_), "sessions") from None
    text = {"focus": _clean(focus), "goals": _clean(goals), "missed_sessions": _clean(missed_sessions)}
    for name, value in text.items():
        _check_length(value, name, MAX_NOTE)
    if agreed_on is not None:
        _check_agreed_on(course, agreed_on)
    with transaction.atomic():
        course = _lock_active(course)
        contract = Contract.objects.select_for_update().filter(course=course).first()
        if base_version != (contract.version if contract else None):
            raise _stale_contract()
        resized = _resize_course(course, sessions)
        if contract is None:
            contract = Contract.objects.create(
                course=course, sessions=sessions, agreed_on=agreed_on, updated_by=actor, **text
            )
        else:
            contract.sessions = sessions
            contract.focus, contract.goals = text["focus"], text["goals"]
            contract.missed_sessions = text["missed_sessions"]
            contract.agreed_on = agreed_on
            contract.version += 1
            contract.updated_by = actor
            contract.save(
                update_fields=[
                    "sessions",
                    "focus",
                    "goals",
                    "missed_sessions",
                    "agreed_on",
                    "version",
                    "updated_by",
                    "updated_at",
                ]
            )
        record(actor, "contract.set", obj=contract, client_id=course.client_id, request=request)
        if resized:
            record(actor, "course.resize", obj=course, client_id=course.client_id, request=request)
    return contract


def share_contract(
    actor: Any, course: Course, *, shared: bool, base_version: int, request: HttpRequest | None = None
) -> Contract:
    """Show the contract in the client's portal, or stop showing it; audited as
    `contract.share` / `contract.unshare`.

    Sharing is not a change to the terms, so the version stays; the version the clinician saw is
    checked all the same, so what is shared is what they read. Refused once the course has ended
    (like every contract change) and when there is no contract yet. Setting what is already set
    changes nothing and records nothing.
    """
    if not can_write(actor, course.client):
        raise PermissionDenied
    with transaction.atomic():
        locked = Course.objects.select_for_update().get(pk=course.pk)
        if not locked.is_active:
            raise refuse(_("This course has ended; it can no longer be changed."))
        contract = Contract.objects.select_for_update().filter(course=locked).first()
        if contract is None:
            raise refuse(_("Save the contract before sharing it with the client."))
        if contract.version != base_version:
            raise refuse(
                _("Someone saved the contract after you opened this page, so nothing changed. Read it again.")
            )
        if contract.shared_with_client == shared:
            return contract
        contract.shared_with_client = shared
        contract.save(update_fields=["shared_with_client"])
        action = "contract.share" if shared else "contract.unshare"
        record(actor, action, obj=contract, client_id=locked.client_id, request=request)
    return contract


def _resize_course(course: Course, count: int) -> bool:
    """Give the (locked) course `count` live sessions; True when the schedule changed."""
    live = list(course.sessions.exclude(attendance=Attendance.CANCELLED).order_by("number"))
    if count == len(live) == course.planned_sessions:
        return False
    protocol = course.protocol
    working_days = course.client.organisation.working_weekdays
    dates = schedule.resize_schedule([s.scheduled_date for s in live], count, protocol.cadence, working_days)
    _drop(live[count:], count)
    last = live[-1]  # added sessions keep the time, length and way of the last one
    Session.objects.bulk_create(
        Session(
            course=course,
            number=n,
            scheduled_date=d,
            start_time=last.start_time,
            duration_minutes=last.duration_minutes,
            modality=last.modality,
            video_url=last.video_url,
            phase_key=protocol.phase_for_session(n, count).key,
        )
        for n, d in enumerate(dates[len(live) :], start=len(live) + 1)
    )
    changed = []
    for s in live[:count]:
        phase_key = protocol.phase_for_session(s.number, count).key
        if s.attendance == Attendance.SCHEDULED and s.phase_key != phase_key:
            s.phase_key = phase_key
            changed.append(s)
    Session.objects.bulk_update(changed, ["phase_key"])
    course.planned_sessions = count
    course.save(update_fields=["planned_sessions"])
    return True


def _drop(sessions: list[Session], count: int) -> None:
    """Delete the sessions a shorter contract no longer has; refuse if any was held or used."""
    for s in sessions:
        if s.attendance != Attendance.SCHEDULED:
            raise refuse(
                _(
                    "Session %(n)s already has its attendance recorded, so the course cannot be "
                    "shortened to %(count)s sessions."
                )
                % {"n": s.number, "count": count},
                "sessions",
            )
    for s in reversed(sessions):
        try:
            with transaction.atomic():
                s.delete()
        except ProtectedError:
            raise refuse(
                _(
                    "Session %(n)s already has work recorded against it (a measure, a note or agenda "
                    "tasks), so the course cannot be shortened to %(count)s sessions."
                )
                % {"n": s.number, "count": count},
                "sessions",
            ) from None


def record_contract_print(actor: Any, contract: Contract, *, request: HttpRequest | None = None) -> None:
    """Audit that the client's copy of the contract was opened for printing."""
    record(actor, "contract.print", obj=contract, client_id=contract.course.client_id, request=request)

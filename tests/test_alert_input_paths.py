"""Every input path raises alerts: no positive risk answer is ever stored without its open alert.

For each instrument in `INSTRUMENTS` with risk items, positive answer sets are built from the
definition itself (skip logic included), licence-gated instruments are enabled the way a clinic
enables them, and the answers are sent through every path that stores a response: the recording
action, the in-session form, the ad-hoc form, the demo builder and the client portal's pages (one
question per page; a positive risk answer sends the questionnaire at once). `missing_alerts()` then
sweeps every stored response, re-scoring its answers, and lists any flag without its alert;
`test_the_sweep_catches_a_path_that_skips_the_alert` proves the sweep is not vacuous.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.test import Client as HttpClient
from django.urls import reverse
from pytest_django.fixtures import Settings as SettingsWrapper

import openipt
from openipt.accounts.models import User
from openipt.audit.models import AuditEvent
from openipt.clients.models import Client
from openipt.courses.models import Course, Session
from openipt.measures import licensing, scoring
from openipt.measures.actions import record_response
from openipt.measures.instruments import INSTRUMENTS, SEVERITIES, Instrument, Item
from openipt.measures.models import Channel, Response, Score
from openipt.portal import actions as portal_actions
from openipt.portal.questionnaires import sends_on_risk
from openipt.protocols.model import Protocol
from openipt.safety.models import AlertStatus, RiskAlert

NOW = datetime(2026, 3, 2, 11, 0, tzinfo=UTC)  # course_a's first session is today
RISK_INSTRUMENTS = sorted(
    key for key, inst in INSTRUMENTS.items() if any(item.risk_flag for item in inst.items)
)
GATED = sorted(key for key, inst in INSTRUMENTS.items() if inst.licence.needs_permission)
# How positive: every risk item at the first option reaching its threshold, every risk item at its
# highest option, or only the first risk item positive (the others answered below threshold, which
# for the C-SSRS screener leaves items 3-5 and the 3-month question out).
LEVELS = ("lowest", "highest", "single")
PACKAGE = Path(openipt.__file__).parent
PORTAL_PW = "kettle meadow lantern 318"


@pytest.fixture(autouse=True)
def frozen(time_machine: Any) -> None:
    time_machine.move_to(NOW, tick=False)


@pytest.fixture
def enabled(erin: User) -> None:
    """Every licence-gated instrument enabled for Northside, with a generated item-text file."""
    for key in GATED:
        lines = "\n".join(f"Clinic wording for item {n}" for n in range(1, len(INSTRUMENTS[key].items) + 1))
        licensing.enable_instrument(
            erin,
            key,
            content=f"# {key}: supplied under the clinic's licence\n{lines}\n".encode(),
            permission_note="Licence ref. TEST-2026-01",
            source_file_name=f"{key}.txt",
        )


@pytest.fixture
def session_1(course_a: Course) -> Session:
    return course_a.sessions.get(number=1)


# --- answers from the definition ------------------------------------------------------------------


def _index(item: Item, pick: str) -> int:
    """The option index for one item: "none" the lowest value, "lowest" the lowest value above it
    (for a risk item, by rule its first positive answer), "highest" the highest value."""
    scored = [(i, o.value) for i, o in enumerate(item.options) if o.value is not None]
    bottom = min(value for _, value in scored)
    if pick == "highest":
        return max(scored, key=lambda pair: pair[1])[0]
    if pick == "lowest":
        return min(((i, v) for i, v in scored if v > bottom), key=lambda pair: pair[1])[0]
    return min(scored, key=lambda pair: pair[1])[0]


def positive_answers(instrument: Instrument, level: str) -> dict[str, int]:
    """A full answer set (link id → option index) with at least one risk item positive."""
    chosen: dict[str, int] = {}
    first_risk_done = False
    for item in instrument.items:
        if item.enable_when is not None and chosen.get(item.enable_when[0]) != item.enable_when[1]:
            continue  # skip logic leaves it out
        if item.risk_flag is None:
            if item.required:
                chosen[item.link_id] = _index(item, "none")
            continue
        if level == "single":
            chosen[item.link_id] = _index(item, "none" if first_risk_done else "lowest")
            first_risk_done = True
        else:
            chosen[item.link_id] = _index(item, level)
    return chosen


def expected_flags(instrument: Instrument, answers: Mapping[str, int]) -> dict[str, str]:
    """Flag → severity from the item definitions alone (highest severity per flag)."""
    flags: dict[str, str] = {}
    for link_id, index in answers.items():
        item = instrument.item(link_id)
        value = item.options[index].value
        severity = item.risk_severity(value) if value is not None else None
        if severity is not None:
            flags[item.risk_flag or ""] = max(
                flags.get(item.risk_flag or "", severity), severity, key=SEVERITIES.index
            )
    return flags


def form_data(key: str, answers: Mapping[str, int]) -> dict[str, str]:
    source = "clinician" if INSTRUMENTS[key].respondent == "clinician" else "client"
    data = {f"{key}-response_uuid": str(uuid.uuid4()), f"{key}-source": source}
    data.update({f"{key}-{link_id}": str(index) for link_id, index in answers.items()})
    return data


# --- the sweep ------------------------------------------------------------------------------------


def missing_alerts() -> list[str]:
    """Every stored response whose risk flags (as stored, and as its answers score now) lack an alert."""
    raised: dict[int, set[str]] = {}
    for response_id, flag in RiskAlert.objects.values_list("response_id", "flag"):
        raised.setdefault(response_id, set()).add(flag)
    problems = []
    for response in Response.objects.select_related("score", "completes__score").order_by("id"):
        flags = set(response.score.risk) | set(scoring.score(response.instrument, response.answers).risk)
        # A response completing one sent at once after a positive answer (the portal's questions
        # after crisis help) is not alerted again for the flags that one carried.
        covered = set(response.completes.score.risk) if response.completes is not None else set()
        missing = sorted(flags - raised.get(response.pk, set()) - covered)
        if missing:
            problems.append(
                f"response {response.pk} ({response.instrument}): no alert for {', '.join(missing)}"
            )
    return problems


def assert_alerts(response: Response, instrument: Instrument, answers: Mapping[str, int]) -> None:
    """The response has one open alert per expected flag, raised with it, and audited."""
    flags = expected_flags(instrument, answers)
    assert flags, f"{instrument.key}: the answer set is not positive"
    score = Score.objects.get(response=response)
    assert set(score.risk) == set(flags)
    alerts = list(RiskAlert.objects.filter(response=response))
    assert sorted(a.flag for a in alerts) == sorted(flags)
    for alert in alerts:
        assert (alert.status, alert.client_id) == (AlertStatus.OPEN, response.client_id)
        assert alert.raised_at == response.completed_at == score.completed_at
        assert alert.acknowledged_at is None
        assert AuditEvent.objects.filter(action="alert.raise", object_id=str(alert.pk)).exists()
    assert missing_alerts() == []


CASES = [pytest.param(key, level, id=f"{key}-{level}") for key in RISK_INSTRUMENTS for level in LEVELS]


def test_the_library_has_risk_instruments_to_check() -> None:
    # Guards against a vacuous run: these instruments have suicide or self-harm items.
    assert {"phq9", "phqa", "hamd17", "epds", "cssrs_screen", "qids_sr16"} <= set(RISK_INSTRUMENTS)
    for key in RISK_INSTRUMENTS:
        for level in LEVELS:
            answers = positive_answers(INSTRUMENTS[key], level)
            assert expected_flags(INSTRUMENTS[key], answers), (key, level)
            assert set(scoring.score(key, answers).risk) == set(expected_flags(INSTRUMENTS[key], answers))


def test_the_cssrs_answer_sets_follow_its_skip_logic() -> None:
    cssrs = INSTRUMENTS["cssrs_screen"]
    assert positive_answers(cssrs, "lowest") == {
        "cssrs_screen-1": 1,
        "cssrs_screen-2": 1,
        "cssrs_screen-3": 1,
        "cssrs_screen-4": 1,
        "cssrs_screen-5": 1,
        "cssrs_screen-6": 1,
        "cssrs_screen-6-recent": 1,
    }
    assert positive_answers(cssrs, "single") == {
        "cssrs_screen-1": 1,
        "cssrs_screen-2": 0,
        "cssrs_screen-6": 0,
    }


# --- (a) the recording action ---------------------------------------------------------------------


@pytest.mark.usefixtures("enabled")
@pytest.mark.parametrize(("key", "level"), CASES)
def test_record_response_raises_the_alerts(
    alice: User,
    client_a: Client,
    session_1: Session,
    key: str,
    level: str,
    django_capture_on_commit_callbacks: Any,
) -> None:
    instrument = INSTRUMENTS[key]
    answers = positive_answers(instrument, level)

    with django_capture_on_commit_callbacks() as callbacks:
        in_session = record_response(alice, client_a, instrument=key, answers=answers, session=session_1)
    outside_course = record_response(
        alice, client_a, instrument=key, answers=answers, completed_at=NOW - timedelta(days=3)
    )

    assert in_session.session == session_1
    assert (outside_course.course, outside_course.session) == (None, None)
    assert_alerts(in_session, instrument, answers)
    assert_alerts(outside_course, instrument, answers)
    # One e-mail to the lead clinician queued per alert, after the commit.
    assert len(callbacks) == len(expected_flags(instrument, answers))


# --- (b) the in-session form ----------------------------------------------------------------------


@pytest.mark.usefixtures("enabled")
@pytest.mark.parametrize(("key", "level"), CASES)
def test_the_in_session_form_raises_the_alerts(
    client: HttpClient, alice: User, client_a: Client, session_1: Session, key: str, level: str
) -> None:
    instrument = INSTRUMENTS[key]
    answers = positive_answers(instrument, level)
    client.force_login(alice)

    page = client.post(
        reverse("measures:record-in-session", args=[session_1.pk, key]), form_data(key, answers)
    )

    assert page.status_code == 302, page.content.decode()[:2000]
    assert page["Location"] == reverse("courses:session", args=[session_1.pk]) + "#measures-h"
    response = Response.objects.get()
    assert (response.instrument, response.session, response.channel) == (key, session_1, Channel.IN_SESSION)
    assert response.answers == answers
    assert_alerts(response, instrument, answers)
    shown = client.get(page["Location"]).content.decode()
    assert "A risk answer was given: a risk alert is open for this client." in shown


# --- (c) the ad-hoc form --------------------------------------------------------------------------


@pytest.mark.usefixtures("enabled")
@pytest.mark.parametrize(("key", "level"), CASES)
def test_the_ad_hoc_form_raises_the_alerts(
    client: HttpClient, alice: User, client_a: Client, course_a: Course, key: str, level: str
) -> None:
    instrument = INSTRUMENTS[key]
    answers = positive_answers(instrument, level)
    client.force_login(alice)

    page = client.post(reverse("measures:record-ad-hoc", args=[client_a.pk, key]), form_data(key, answers))

    assert page.status_code == 302, page.content.decode()[:2000]
    assert page["Location"] == reverse("clients:detail", args=[client_a.pk])
    response = Response.objects.get()
    assert (response.instrument, response.course, response.channel) == (key, course_a, Channel.PAPER)
    assert response.answers == answers
    assert_alerts(response, instrument, answers)


# --- (d) the demo builder -------------------------------------------------------------------------


def test_the_demo_builder_raises_the_alerts(db: None) -> None:
    from openipt.demo.builder import DemoBuilder

    DemoBuilder(today=NOW.date()).build()

    positive = [s for s in Score.objects.select_related("response") if s.risk]
    assert positive, "the demo should include at least one positive risk answer"
    for score in positive:
        answers = score.response.answers
        assert_alerts(score.response, INSTRUMENTS[score.instrument], answers)
    assert missing_alerts() == []


# --- (e) the client portal ------------------------------------------------------------------------

# What the portal may offer: client-rated risk instruments whose positive answers can be sent at
# once (openipt/portal/questionnaires.py). HAM-D is rated by the clinician; the C-SSRS screener and
# the QIDS-SR16 ask required questions after a risk item, so the portal never offers them.
PORTAL_RISK = [
    key
    for key in RISK_INSTRUMENTS
    if INSTRUMENTS[key].respondent == "client" and sends_on_risk(INSTRUMENTS[key])
]
PORTAL_CASES = [pytest.param(key, level, id=f"{key}-{level}") for key in PORTAL_RISK for level in LEVELS]


def test_the_portal_takes_every_risk_instrument_it_safely_can() -> None:
    assert PORTAL_RISK == ["epds", "phq9", "phqa"]
    assert set(RISK_INSTRUMENTS) - set(PORTAL_RISK) == {"hamd17", "cssrs_screen", "qids_sr16"}


def answered_until_positive(instrument: Instrument, answers: Mapping[str, int]) -> dict[str, int]:
    """The answers the portal stores: up to and including the first positive risk answer, which
    sends the questionnaire at once."""
    stored = {}
    for item in instrument.items:
        if item.link_id in answers:
            stored[item.link_id] = answers[item.link_id]
            value = item.options[answers[item.link_id]].value
            if value is not None and item.risk_severity(value):
                break
    return stored


@pytest.mark.usefixtures("enabled")
@pytest.mark.parametrize(("key", "level"), PORTAL_CASES)
def test_the_portal_raises_the_alerts(
    alice: User,
    client_a: Client,
    session_1: Session,
    key: str,
    level: str,
    monkeypatch: pytest.MonkeyPatch,
    django_capture_on_commit_callbacks: Any,
) -> None:
    instrument = INSTRUMENTS[key]
    answers = positive_answers(instrument, level)
    monkeypatch.setattr(Protocol, "measures_due", lambda self, n, total=None: (key,))
    browser = HttpClient()
    browser.force_login(
        portal_actions.join(
            code=portal_actions.invite(alice, client_a, kind="code").secret, password=PORTAL_PW
        ).user
    )
    # The client answers page by page, as the portal leads, until a page is not a question.
    location = browser.get(reverse("portal:questionnaire", args=[session_1.pk, key]))["Location"]
    with django_capture_on_commit_callbacks() as callbacks:
        while location.rstrip("/").split("/")[-1].isdigit():
            item = instrument.items[int(location.rstrip("/").split("/")[-1]) - 1]
            data = {"answer": str(answers[item.link_id])} if item.link_id in answers else {"skip": "1"}
            page = browser.post(location, data)
            assert page.status_code == 302, page.content.decode()[:2000]
            location = page["Location"]

    # crisis help is the very next page after the positive answer, and the alert is already open
    assert location == reverse("portal:questionnaire-crisis", args=[session_1.pk, key])
    assert "Your answers have been sent to your therapist" in browser.get(location).content.decode()
    response = Response.objects.get()
    assert (response.instrument, response.session, response.channel) == (key, session_1, Channel.PORTAL)
    assert response.answers == answered_until_positive(instrument, answers)
    assert_alerts(response, instrument, response.answers)
    assert len(callbacks) == len(expected_flags(instrument, response.answers))


# --- the rule: every answer above a risk item's lowest raises an alert with a severity -------------

# Every (instrument, risk item, option) whose scored value is above the item's lowest, from the
# definitions alone: the expectation does not read the item's threshold or ladder, so a risk item
# whose definition leaves an answer out (HAM-D item 3 at 1, "feels life is not worth living", once
# did) fails here on every path.
POSITIVE_ANSWERS = [
    pytest.param(key, item.link_id, index, id=f"{item.link_id}={index}")
    for key in sorted(INSTRUMENTS)
    for item in INSTRUMENTS[key].items
    if item.risk_flag
    for index, option in enumerate(item.options)
    if option.value is not None and option.value > min(item.values)
]
PORTAL_POSITIVE_ANSWERS = [case for case in POSITIVE_ANSWERS if case.values[0] in PORTAL_RISK]


def test_the_rule_walks_every_risk_item_of_every_instrument() -> None:
    walked = {(case.values[0], case.values[1]) for case in POSITIVE_ANSWERS}
    assert walked == {
        (key, item.link_id) for key, inst in INSTRUMENTS.items() for item in inst.items if item.risk_flag
    }
    assert ("hamd17", "hamd17-3") in walked
    assert len(POSITIVE_ANSWERS) == 25  # PHQ-9 3, PHQ-A 5, HAM-D 4, EPDS 3, C-SSRS 7, QIDS 3


def only_this_answer_positive(instrument: Instrument, link_id: str, index: int) -> dict[str, int]:
    """Every asked required item at its lowest answer, `link_id` at option `index`, and the earlier
    answer that skip logic needs to ask it."""
    target = instrument.item(link_id)
    forced = {link_id: index}
    if target.enable_when is not None:
        forced[target.enable_when[0]] = target.enable_when[1]
    chosen: dict[str, int] = {}
    for item in instrument.items:
        if item.enable_when is not None and chosen.get(item.enable_when[0]) != item.enable_when[1]:
            continue
        if item.link_id in forced:
            chosen[item.link_id] = forced[item.link_id]
        elif item.required or item.never_skipped:  # a risk question is asked on every path
            chosen[item.link_id] = _index(item, "none")
    assert chosen[link_id] == index
    return chosen


def assert_an_alert_with_a_severity(response: Response, instrument: Instrument, link_id: str) -> None:
    flag = instrument.item(link_id).risk_flag
    alert = RiskAlert.objects.get(response=response, flag=flag)
    assert alert.status == AlertStatus.OPEN
    assert alert.severity in SEVERITIES
    assert missing_alerts() == []


@pytest.mark.usefixtures("enabled")
@pytest.mark.parametrize(("key", "link_id", "index"), POSITIVE_ANSWERS)
def test_every_positive_answer_raises_an_alert_through_the_recording_action(
    alice: User, client_a: Client, session_1: Session, key: str, link_id: str, index: int
) -> None:
    instrument = INSTRUMENTS[key]
    answers = only_this_answer_positive(instrument, link_id, index)

    in_session = record_response(alice, client_a, instrument=key, answers=answers, session=session_1)
    outside_course = record_response(alice, client_a, instrument=key, answers=answers)

    assert_an_alert_with_a_severity(in_session, instrument, link_id)
    assert_an_alert_with_a_severity(outside_course, instrument, link_id)


@pytest.mark.usefixtures("enabled")
@pytest.mark.parametrize(("key", "link_id", "index"), POSITIVE_ANSWERS)
def test_every_positive_answer_raises_an_alert_through_the_forms(
    client: HttpClient, alice: User, client_a: Client, session_1: Session, key: str, link_id: str, index: int
) -> None:
    instrument = INSTRUMENTS[key]
    answers = only_this_answer_positive(instrument, link_id, index)
    client.force_login(alice)

    for url in (
        reverse("measures:record-in-session", args=[session_1.pk, key]),
        reverse("measures:record-ad-hoc", args=[client_a.pk, key]),
    ):
        page = client.post(url, form_data(key, answers))
        assert page.status_code == 302, page.content.decode()[:2000]
        response = Response.objects.latest("id")
        assert response.answers == answers
        assert_an_alert_with_a_severity(response, instrument, link_id)
    assert Response.objects.count() == 2


@pytest.mark.usefixtures("enabled")
@pytest.mark.parametrize(("key", "link_id", "index"), PORTAL_POSITIVE_ANSWERS)
def test_every_positive_answer_raises_an_alert_through_the_portal(
    alice: User,
    client_a: Client,
    session_1: Session,
    key: str,
    link_id: str,
    index: int,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    instrument = INSTRUMENTS[key]
    answers = only_this_answer_positive(instrument, link_id, index)
    monkeypatch.setattr(Protocol, "measures_due", lambda self, n, total=None: (key,))
    browser = HttpClient()
    browser.force_login(
        portal_actions.join(
            code=portal_actions.invite(alice, client_a, kind="code").secret, password=PORTAL_PW
        ).user
    )

    location = browser.get(reverse("portal:questionnaire", args=[session_1.pk, key]))["Location"]
    while location.rstrip("/").split("/")[-1].isdigit():
        item = instrument.items[int(location.rstrip("/").split("/")[-1]) - 1]
        data = {"answer": str(answers[item.link_id])} if item.link_id in answers else {"skip": "1"}
        location = browser.post(location, data)["Location"]

    assert location == reverse("portal:questionnaire-crisis", args=[session_1.pk, key])
    response = Response.objects.get()
    assert response.answers[link_id] == index
    assert_an_alert_with_a_severity(response, instrument, link_id)


def test_the_portal_asks_the_phqa_suicide_questions_after_crisis_help_and_alerts_them(
    alice: User, client_a: Client, session_1: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    """After a positive item 9 the supplementary suicide questions come after crisis help, are
    never skipped, and a positive one is alerted; item 9's alert is not raised twice."""
    instrument = INSTRUMENTS["phqa"]
    monkeypatch.setattr(Protocol, "measures_due", lambda self, n, total=None: ("phqa",))
    browser = HttpClient()
    browser.force_login(
        portal_actions.join(
            code=portal_actions.invite(alice, client_a, kind="code").secret, password=PORTAL_PW
        ).user
    )
    base = reverse("portal:questionnaire", args=[session_1.pk, "phqa"])
    for number in range(1, 10):
        page = browser.post(f"{base}{number}/", {"answer": "1"})
    assert page["Location"] == reverse("portal:questionnaire-crisis", args=[session_1.pk, "phqa"])

    location = browser.get(base)["Location"]
    seen = []
    while location.rstrip("/").split("/")[-1].isdigit():
        item = instrument.items[int(location.rstrip("/").split("/")[-1]) - 1]
        seen.append(item.link_id)
        if item.never_skipped:
            assert browser.post(location, {"skip": "1"}).status_code == 400
        page = browser.post(location, {"answer": "1" if item.never_skipped else "0"})
        location = page["Location"]
        if location.endswith("/help/"):  # crisis help again; then on, or done when nothing is left
            carry_on = browser.get(base)
            location = carry_on["Location"] if carry_on.status_code == 302 else ""

    assert seen == ["phqa-past-year", "phqa-difficulty", "phqa-past-month-thoughts", "phqa-attempt"]
    assert sorted(RiskAlert.objects.values_list("flag", flat=True)) == [
        "suicidal_ideation",
        "suicidal_thoughts_past_month",
        "suicide_attempt_history",
    ]
    assert missing_alerts() == []


# --- no other path --------------------------------------------------------------------------------


def _sources_containing(pattern: str) -> set[str]:
    found = set()
    for path in PACKAGE.rglob("*.py"):
        relative = path.relative_to(PACKAGE.parent).as_posix()
        if "/tests/" in relative or "/migrations/" in relative:
            continue
        if re.search(pattern, path.read_text(encoding="utf-8")):
            found.add(relative)
    return found


def test_every_path_that_stores_a_response_is_covered_here() -> None:
    # A new caller (an API, an import, a portal) must be added to the tests above.
    assert _sources_containing(r"\brecord_response\(") == {
        "openipt/measures/actions.py",  # the definition
        "openipt/measures/views.py",  # (b) and (c)
        "openipt/demo/builder.py",  # (d)
        "openipt/portal/questionnaires.py",  # (e)
    }
    # Nothing else writes responses, scores or alerts directly.
    assert _sources_containing(
        r"\b(Response|Score)\.objects\.(create|bulk_create|get_or_create|update_or_create)\b"
    ) == {"openipt/measures/actions.py"}
    assert _sources_containing(
        r"\bRiskAlert\.objects\.(create|bulk_create|get_or_create|update_or_create)\b"
    ) == {"openipt/safety/actions.py"}
    # The `score` command scores without storing anything.
    assert "record_response" not in (PACKAGE / "measures/management/commands/score.py").read_text(
        encoding="utf-8"
    )


# --- the severity each instrument defines ---------------------------------------------------------


@pytest.mark.usefixtures("enabled")
@pytest.mark.parametrize(("key", "level"), CASES)
def test_each_alert_has_the_severity_the_instrument_defines(
    alice: User, client_a: Client, key: str, level: str
) -> None:
    instrument = INSTRUMENTS[key]
    answers = positive_answers(instrument, level)

    response = record_response(alice, client_a, instrument=key, answers=answers)

    expected = expected_flags(instrument, answers)
    assert dict(scoring.score(key, answers).risk_severity) == expected
    assert {a.flag: a.severity for a in RiskAlert.objects.filter(response=response)} == expected


# --- atomicity and failures around the alert -----------------------------------------------------


class BrokenEmailBackend(BaseEmailBackend):
    """A mail server that refuses everything."""

    attempts = 0

    def send_messages(self, email_messages: Any) -> int:
        BrokenEmailBackend.attempts += 1
        raise ConnectionRefusedError("mail server refused the message")


def test_a_failing_mail_server_never_loses_the_alert(
    client: HttpClient,
    alice: User,
    client_a: Client,
    session_1: Session,
    settings: SettingsWrapper,
    django_capture_on_commit_callbacks: Any,
    caplog: pytest.LogCaptureFixture,
) -> None:
    alice.email = "alice@example.org"
    alice.save(update_fields=["email"])
    settings.EMAIL_BACKEND = f"{__name__}.BrokenEmailBackend"
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    BrokenEmailBackend.attempts = 0
    answers = positive_answers(INSTRUMENTS["phq9"], "highest")
    client.force_login(alice)

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        page = client.post(
            reverse("measures:record-in-session", args=[session_1.pk, "phq9"]), form_data("phq9", answers)
        )

    assert page.status_code == 302
    assert len(callbacks) == 1
    assert BrokenEmailBackend.attempts == 1  # the e-mail really was attempted, and failed
    assert mail.outbox == []
    response = Response.objects.get()
    alert = RiskAlert.objects.get(response=response)
    assert (alert.status, alert.flag) == (AlertStatus.OPEN, "suicidal_ideation")
    assert_alerts(response, INSTRUMENTS["phq9"], answers)
    assert f"Alert {alert.pk}: e-mail to the lead clinician failed (ConnectionRefusedError)" in caplog.text


def test_nothing_is_stored_when_the_alert_cannot_be_raised(
    alice: User, client_a: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("alert table unavailable")

    monkeypatch.setattr("openipt.measures.actions.raise_alerts", broken)

    with pytest.raises(RuntimeError):
        record_response(
            alice, client_a, instrument="phq9", answers=positive_answers(INSTRUMENTS["phq9"], "lowest")
        )

    assert not Response.objects.exists()
    assert not Score.objects.exists()


def test_nothing_is_stored_when_a_later_step_fails(
    alice: User, client_a: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The audit row is written after the alert: failing there must take the alert back with it.
    def broken(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("audit table unavailable")

    monkeypatch.setattr("openipt.measures.actions.record", broken)

    with pytest.raises(RuntimeError):
        record_response(
            alice, client_a, instrument="phq9", answers=positive_answers(INSTRUMENTS["phq9"], "lowest")
        )

    assert not Response.objects.exists()
    assert not RiskAlert.objects.exists()


def test_the_sweep_catches_a_path_that_skips_the_alert(
    alice: User, client_a: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_alerts(*args: Any, **kwargs: Any) -> list[RiskAlert]:
        return []

    # Both names: `openipt.measures.actions` imported the function, so patching the safety module
    # alone would not reach the recording action.
    monkeypatch.setattr("openipt.safety.actions.raise_alerts", no_alerts)
    monkeypatch.setattr("openipt.measures.actions.raise_alerts", no_alerts)
    answers = positive_answers(INSTRUMENTS["phq9"], "lowest")
    record_response(alice, client_a, instrument="phq9", answers={**answers, "phq9-9": 0})  # negative: fine
    response = record_response(alice, client_a, instrument="phq9", answers=answers)

    assert missing_alerts() == [f"response {response.pk} (phq9): no alert for suicidal_ideation"]
    with pytest.raises(AssertionError):
        assert_alerts(response, INSTRUMENTS["phq9"], answers)


def test_the_sweep_rescores_answers_rather_than_trusting_the_stored_flags(
    alice: User, client_a: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A path that stored the score without its flags would also skip the alert; the sweep sees it.
    real_score = scoring.score

    def without_risk(instrument: str, answers: Any) -> scoring.Score:
        result = real_score(instrument, answers)
        return scoring.Score(**{**result.__dict__, "risk": (), "risk_severity": ()})

    monkeypatch.setattr("openipt.measures.actions.scoring.score", without_risk)
    response = record_response(
        alice, client_a, instrument="phq9", answers=positive_answers(INSTRUMENTS["phq9"], "lowest")
    )
    monkeypatch.undo()

    assert Score.objects.get(response=response).risk == []
    assert missing_alerts() == [f"response {response.pk} (phq9): no alert for suicidal_ideation"]


@pytest.mark.usefixtures("enabled")
def test_no_alert_without_a_positive_answer(alice: User, client_a: Client) -> None:
    # The other side of the check: answer sets with no positive risk item raise nothing.
    for key in RISK_INSTRUMENTS:
        instrument = INSTRUMENTS[key]
        answers = {
            item.link_id: _index(item, "none")
            for item in instrument.items
            if item.required and item.enable_when is None
        }
        record_response(alice, client_a, instrument=key, answers=answers)
    assert not RiskAlert.objects.exists()
    assert missing_alerts() == []

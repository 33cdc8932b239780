"""Entering questionnaires on the session page and as an extra (ad-hoc) measure."""

from __future__ import annotations

import re
import uuid
from collections.abc import Sequence
from datetime import UTC, date, datetime

import pytest
from django.test import Client as HttpClient
from django.urls import reverse

from openipt.accounts.models import Organisation, Team, User
from openipt.audit.models import AuditEvent
from openipt.audit.queries import change_events
from openipt.clients.actions import create_client
from openipt.clients.models import Client
from openipt.courses.actions import start_course
from openipt.courses.models import Course, Session
from openipt.measures.models import Channel, Response, Score, Source
from openipt.safety.models import CrisisResource, RiskAlert, Severity

NOW = datetime(2026, 3, 2, 11, 0, tzinfo=UTC)
PHQ9_NO_RISK = [1, 0, 2, 3, 0, 1, 0, 0, 0]  # total 7, mild
CHOOSE = "Choose an answer for this question."


@pytest.fixture(autouse=True)
def frozen(time_machine):
    time_machine.move_to(NOW, tick=False)


@pytest.fixture
def session_1(course_a: Course) -> Session:
    return course_a.sessions.get(number=1)


@pytest.fixture
def crisis_lines(north: Organisation, river: Organisation) -> None:
    CrisisResource.objects.create(organisation=north, locale="en-gb", name="Samaritans", phone="116 123")
    CrisisResource.objects.create(
        organisation=north, locale="en-gb", name="Emergency services", phone="999", is_emergency=True
    )
    CrisisResource.objects.create(organisation=north, locale="en-us", name="988 Lifeline", phone="988")
    CrisisResource.objects.create(organisation=river, locale="en-gb", name="Riverside Helpline", phone="0800")


def form_data(
    instrument: str, answers: Sequence[int | None], *, source: str = "client", key: str = ""
) -> dict[str, str]:
    data = {f"{instrument}-response_uuid": key or str(uuid.uuid4()), f"{instrument}-source": source}
    for number, value in enumerate(answers, start=1):
        if value is not None:
            data[f"{instrument}-{instrument}-{number}"] = str(value)
    return data


def in_session_url(session: Session, instrument: str = "phq9") -> str:
    return reverse("measures:record-in-session", args=[session.pk, instrument])


def ad_hoc_url(client: Client, instrument: str = "gad7") -> str:
    return reverse("measures:record-ad-hoc", args=[client.pk, instrument])


def fieldset_for(html: str, field_name: str) -> str:
    """The questionnaire <fieldset> holding the radios named `field_name`."""
    matches = [f for f in re.findall(r"<fieldset.*?</fieldset>", html, re.S) if f'name="{field_name}"' in f]
    assert len(matches) == 1, field_name
    return matches[0]


def test_it_records_a_phq9_in_session_and_shows_the_score(
    client: HttpClient, alice: User, client_a: Client, session_1: Session
) -> None:
    client.force_login(alice)

    r = client.post(in_session_url(session_1), form_data("phq9", PHQ9_NO_RISK))

    assert r.status_code == 302
    assert r["Location"] == reverse("courses:session", args=[session_1.pk]) + "#measures-h"
    response = Response.objects.get()
    assert (response.client, response.session, response.course) == (client_a, session_1, session_1.course)
    assert (response.source, response.channel, response.entered_by) == (
        Source.CLIENT,
        Channel.IN_SESSION,
        alice,
    )
    assert (response.score.total, response.score.band) == (7, "mild")
    assert not RiskAlert.objects.exists()
    audit = AuditEvent.objects.get(action="response.record")
    assert (audit.actor, audit.object_id, audit.ip_address) == (alice, str(response.pk), "127.0.0.1")

    page = client.get(r["Location"])
    html = page.content.decode()
    assert "PHQ-9 saved: total 7 (mild)." in html
    assert "Total 7 · Mild" in html
    assert 'name="phq9-phq9-1"' not in html  # the form gives way to the score
    assert "Open risk alert" not in html


def test_it_records_who_answered(client: HttpClient, alice: User, session_1: Session) -> None:
    client.force_login(alice)
    client.post(in_session_url(session_1), form_data("phq9", PHQ9_NO_RISK, source="clinician"))
    assert Response.objects.get().source == Source.CLINICIAN


@pytest.mark.usefixtures("crisis_lines")
def test_a_positive_item_9_opens_an_alert_on_every_screen(
    client: HttpClient, alice: User, client_a: Client, session_1: Session
) -> None:
    # Another of alice's clients, with an earlier next session: first on the caseload until the alert.
    client_b = create_client(
        alice,
        team=client_a.team,
        clinic_identifier="NS-2",
        given_name="Anna",
        family_name="Abbott",
        preferred_name="",
        date_of_birth=date(1990, 1, 1),
        email="",
        phone="",
        locale="en-gb",
    )
    start_course(alice, client_b, protocol_key="ipt-standard", start_date=date(2026, 2, 2))
    client.force_login(alice)
    before = client.get(reverse("courses:caseload"))
    assert [row.client for row in before.context["rows"]] == [client_b, client_a]

    r = client.post(in_session_url(session_1), form_data("phq9", [*PHQ9_NO_RISK[:8], 2]), follow=True)

    alert = RiskAlert.objects.get()
    assert (alert.client, alert.severity, alert.flag) == (client_a, Severity.HIGH, "suicidal_ideation")
    session_page = r.content.decode()
    assert r.redirect_chain == [(reverse("courses:session", args=[session_1.pk]) + "#measures-h", 302)]
    saved = "PHQ-9 saved: total 9 (mild). A risk answer was given: a risk alert is open for this client."
    assert saved in session_page
    assert "risk answer" in session_page
    for html in (session_page, client.get(reverse("clients:detail", args=[client_a.pk])).content.decode()):
        assert "Open risk alert" in html
        assert "Thoughts of being better off dead or of self-harm" in html
        assert reverse("safety:acknowledge", args=[alert.pk]) in html
        # The client's locale (en-gb) of the client's organisation; the emergency number first.
        assert html.index("Emergency services") < html.index("Samaritans")
        assert 'href="tel:116123"' in html
        assert "988 Lifeline" not in html
        assert "Riverside Helpline" not in html
        assert "Your local emergency number" not in html
    caseload = client.get(reverse("courses:caseload"))
    assert [row.client for row in caseload.context["rows"]] == [client_a, client_b]
    html = caseload.content.decode()
    assert html.index("Okafor") < html.index("Abbott")
    assert "1 risk alert" in html


def test_an_alert_without_configured_lines_shows_the_emergency_fallback(
    client: HttpClient, alice: User, session_1: Session
) -> None:
    client.force_login(alice)
    r = client.post(in_session_url(session_1), form_data("phq9", [0] * 8 + [1]), follow=True)
    html = r.content.decode()
    assert "Open risk alert" in html
    assert "Your local emergency number" in html
    assert RiskAlert.objects.get().severity == Severity.MODERATE


def test_an_unanswered_item_redisplays_the_form_and_saves_nothing(
    client: HttpClient, alice: User, session_1: Session
) -> None:
    client.force_login(alice)
    audit_rows = change_events().count()  # the re-shown form is audited as a read

    r = client.post(in_session_url(session_1), form_data("phq9", [*PHQ9_NO_RISK[:8], None]))

    assert r.status_code == 400
    html = r.content.decode()
    item_9 = fieldset_for(html, "phq9-phq9-9")
    assert CHOOSE in item_9
    assert 'aria-invalid="true"' in item_9
    assert CHOOSE not in fieldset_for(html, "phq9-phq9-8")
    assert html.count(CHOOSE) == 1
    # The answers already given are kept.
    assert re.search(r'name="phq9-phq9-4" value="3"[^>]*checked', fieldset_for(html, "phq9-phq9-4"))
    assert not Response.objects.exists()
    assert not Score.objects.exists()
    assert not RiskAlert.objects.exists()
    assert change_events().count() == audit_rows
    # The page says so at its top, with a way to the question (the form sits far down the page).
    notice = html.index("Something needs correcting: it is marked below.")
    assert notice < html.index('<form method="post"')
    assert '<a href="#id_phq9-phq9-9_0">Go to the first one</a>' in html
    assert 'id="id_phq9-phq9-9_0"' in html


def test_a_page_without_errors_has_no_error_notice(
    client: HttpClient, alice: User, session_1: Session
) -> None:
    client.force_login(alice)
    assert "Something needs correcting" not in client.get(f"/sessions/{session_1.pk}/").content.decode()


def test_an_out_of_range_answer_is_refused(client: HttpClient, alice: User, session_1: Session) -> None:
    client.force_login(alice)
    r = client.post(in_session_url(session_1), form_data("phq9", [*PHQ9_NO_RISK[:8], 7]))
    assert r.status_code == 400
    assert "Select a valid choice" in fieldset_for(r.content.decode(), "phq9-phq9-9")
    assert not Response.objects.exists()
    assert not RiskAlert.objects.exists()


def test_a_double_submitted_form_stores_one_response(
    client: HttpClient, alice: User, session_1: Session
) -> None:
    client.force_login(alice)
    data = form_data("phq9", [*PHQ9_NO_RISK[:8], 1])
    first = client.post(in_session_url(session_1), data)
    second = client.post(in_session_url(session_1), data)
    assert first.status_code == second.status_code == 302
    assert Response.objects.count() == 1
    assert RiskAlert.objects.count() == 1


def test_a_form_opened_before_the_client_sent_it_from_the_portal_stores_nothing(
    client: HttpClient, alice: User, session_1: Session
) -> None:
    """The session page was open while the client sent this PHQ-9 from the portal: the clinician's
    copy is refused with what to do, so the session keeps one PHQ-9."""
    from openipt.measures.actions import record_response
    from openipt.measures.models import Channel

    portal = record_response(
        alice,
        session_1.course.client,
        instrument="phq9",
        answers=[1] * 9,
        channel=Channel.PORTAL,
        session=session_1,
    )
    client.force_login(alice)
    refused = client.post(in_session_url(session_1), form_data("phq9", PHQ9_NO_RISK))

    assert refused.status_code == 400
    assert "already recorded for this session (client portal" in refused.content.decode()
    assert list(Response.objects.all()) == [portal]


def test_an_unknown_instrument_is_404(client: HttpClient, alice: User, session_1: Session) -> None:
    client.force_login(alice)
    assert client.post(in_session_url(session_1, "beck"), {}).status_code == 404
    assert client.get(ad_hoc_url(session_1.course.client, "beck")).status_code == 404


def test_the_session_url_takes_posts_only(client: HttpClient, alice: User, session_1: Session) -> None:
    client.force_login(alice)
    assert client.get(in_session_url(session_1)).status_code == 405


def test_the_ad_hoc_page_shows_the_questionnaire(
    client: HttpClient, alice: User, client_a: Client, django_assert_num_queries
) -> None:
    client.force_login(alice)
    client.get(reverse("courses:caseload"))  # warm the session and user caches
    with django_assert_num_queries(10):  # 8, and 2 for the audit row of the read
        r = client.get(ad_hoc_url(client_a))
    assert r.status_code == 200
    html = r.content.decode()
    assert "Generalized Anxiety Disorder-7" in html
    assert "Maya Okafor" in html
    for n in range(1, 8):
        assert f'name="gad7-gad7-{n}"' in html
    assert 'name="gad7-response_uuid"' in html
    assert CHOOSE not in html


def test_an_ad_hoc_measure_is_stored_on_the_active_course(
    client: HttpClient, alice: User, client_a: Client, course_a: Course
) -> None:
    client.force_login(alice)

    r = client.post(ad_hoc_url(client_a), form_data("gad7", [2, 2, 2, 2, 1, 1, 1], source="parent"))

    assert r.status_code == 302
    assert r["Location"] == reverse("clients:detail", args=[client_a.pk])
    response = Response.objects.get()
    assert (response.instrument, response.channel, response.source) == ("gad7", Channel.PAPER, Source.PARENT)
    assert (response.course, response.session, response.entered_by) == (course_a, None, alice)
    assert (response.score.total, response.score.band) == (11, "moderate")
    assert AuditEvent.objects.filter(action="response.record", object_id=str(response.pk)).exists()
    assert "GAD-7 saved: total 11 (moderate)." in client.get(r["Location"]).content.decode()


@pytest.fixture
def earlier_course(alice: User, client_a: Client) -> Course:
    return start_course(alice, client_a, protocol_key="ipt-standard", start_date=date(2026, 2, 16))


def test_a_paper_form_takes_the_date_it_was_completed(
    client: HttpClient, alice: User, client_a: Client, earlier_course: Course
) -> None:
    client.force_login(alice)
    assert 'type="date"' in client.get(ad_hoc_url(client_a)).content.decode()

    data = form_data("gad7", [2, 2, 2, 2, 1, 1, 1]) | {"gad7-completed_at": "2026-02-20"}
    r = client.post(ad_hoc_url(client_a), data)

    assert r.status_code == 302
    response = Response.objects.get()
    assert response.course == earlier_course
    # Midday in the organisation's zone (London: UTC in February); the score carries the same date.
    assert response.completed_at == datetime(2026, 2, 20, 12, 0, tzinfo=UTC)
    assert response.score.completed_at == response.completed_at


@pytest.mark.parametrize(
    ("day", "message"),
    [
        ("2026-03-03", "The date completed cannot be in the future: give the date it was filled in."),
        (
            "2026-02-13",
            "The date completed cannot be before the course started (Mon 16 Feb 2026): check the date on "
            "the form.",
        ),
        ("13/02/2026x", "Give the date the questionnaire was filled in, for example 3 March 2026."),
    ],
)
def test_a_completion_date_in_the_future_or_before_the_course_is_refused(
    client: HttpClient, alice: User, client_a: Client, earlier_course: Course, day: str, message: str
) -> None:
    client.force_login(alice)

    data = form_data("gad7", [2, 2, 2, 2, 1, 1, 1]) | {"gad7-completed_at": day}
    r = client.post(ad_hoc_url(client_a), data)

    assert r.status_code == 400
    assert r.context["form"].errors["completed_at"] == [message]
    html = r.content.decode()
    assert 'aria-invalid="true"' in html
    assert f'value="{day}"' in html  # what was typed is kept
    assert not Response.objects.exists()


def test_a_blank_completion_date_means_today(
    client: HttpClient, alice: User, client_a: Client, earlier_course: Course
) -> None:
    client.force_login(alice)
    data = form_data("gad7", [2, 2, 2, 2, 1, 1, 1]) | {"gad7-completed_at": ""}
    assert client.post(ad_hoc_url(client_a), data).status_code == 302
    assert Response.objects.get().completed_at == NOW


def test_the_saved_message_names_a_triage_level_not_a_total(
    client: HttpClient, alice: User, client_a: Client, erin: User
) -> None:
    from openipt.measures import licensing

    lines = "\n".join(f"Wording {n}" for n in range(1, 8))
    licensing.enable_instrument(
        erin, "cssrs_screen", content=lines.encode(), permission_note="Ref 1", source_file_name="c.txt"
    )
    client.force_login(alice)
    r = client.post(
        ad_hoc_url(client_a, "cssrs_screen"), form_data("cssrs_screen", [0, 0, None, None, None, 0])
    )
    assert r.status_code == 302
    assert "C-SSRS screener saved: no positive answer." in client.get(r["Location"]).content.decode()


def test_an_ad_hoc_measure_without_a_course_belongs_to_the_client(
    client: HttpClient, alice: User, client_a: Client
) -> None:
    client.force_login(alice)
    r = client.post(ad_hoc_url(client_a, "phq9"), form_data("phq9", [0] * 8 + [3]))
    assert r.status_code == 302
    response = Response.objects.get()
    assert (response.client, response.course) == (client_a, None)
    assert RiskAlert.objects.get().response == response


def test_an_invalid_ad_hoc_form_is_redisplayed(client: HttpClient, alice: User, client_a: Client) -> None:
    client.force_login(alice)
    r = client.post(ad_hoc_url(client_a), form_data("gad7", [1, 1, None, 1, 1, 1, 1]))
    assert r.status_code == 400
    html = r.content.decode()
    assert CHOOSE in fieldset_for(html, "gad7-gad7-3")
    assert html.count(CHOOSE) == 1
    assert not Response.objects.exists()


def test_a_supervisor_cannot_record_measures(
    client: HttpClient, bob: User, client_a: Client, session_1: Session
) -> None:
    client.force_login(bob)
    assert client.post(in_session_url(session_1), form_data("phq9", [0] * 8 + [3])).status_code == 403
    assert client.get(ad_hoc_url(client_a)).status_code == 403
    assert client.post(ad_hoc_url(client_a), form_data("gad7", [0] * 7)).status_code == 403
    assert not Response.objects.exists()
    assert not RiskAlert.objects.exists()


def test_a_supervisor_sees_the_score_but_no_questionnaire(
    client: HttpClient, alice: User, bob: User, session_1: Session
) -> None:
    client.force_login(alice)
    client.post(in_session_url(session_1), form_data("phq9", PHQ9_NO_RISK))
    client.force_login(bob)
    html = client.get(reverse("courses:session", args=[session_1.pk])).content.decode()
    assert "Total 7 · Mild" in html
    assert "<form" in html  # sign-out form only
    assert 'class="questionnaire"' not in html


@pytest.mark.parametrize("outsider", ["dave", "charlie"])
def test_outsiders_get_404_on_every_measures_url(
    client: HttpClient, everyone: dict[str, User], client_a: Client, session_1: Session, outsider: str
) -> None:
    client.force_login(everyone[outsider])
    responses = [
        client.post(in_session_url(session_1), form_data("phq9", [0] * 8 + [3])),
        client.post(in_session_url(session_1, "gad7"), form_data("gad7", [0] * 7)),
        client.get(ad_hoc_url(client_a)),
        client.get(ad_hoc_url(client_a, "phq9")),
        client.post(ad_hoc_url(client_a), form_data("gad7", [0] * 7)),
    ]
    for r in responses:
        assert r.status_code == 404
        body = r.content.decode()
        assert "Okafor" not in body and "Maya" not in body
    assert not Response.objects.exists()
    assert not RiskAlert.objects.exists()


def test_an_administrator_has_no_clinical_access(
    client: HttpClient, erin: User, client_a: Client, session_1: Session
) -> None:
    client.force_login(erin)
    assert client.get(ad_hoc_url(client_a)).status_code == 403
    assert client.post(in_session_url(session_1), form_data("phq9", PHQ9_NO_RISK)).status_code == 403
    assert not Response.objects.exists()


def test_anonymous_users_are_sent_to_sign_in(
    client: HttpClient, client_a: Client, session_1: Session
) -> None:
    r = client.get(ad_hoc_url(client_a))
    assert r.status_code == 302
    assert r["Location"].startswith(reverse("account_login"))
    r = client.post(in_session_url(session_1), form_data("phq9", PHQ9_NO_RISK))
    assert r.status_code == 302
    assert not Response.objects.exists()


def test_a_team_colleague_sees_the_alert_too(
    client: HttpClient, alice: User, bob: User, north_team: Team, session_1: Session
) -> None:
    client.force_login(alice)
    client.post(in_session_url(session_1), form_data("phq9", [0] * 8 + [1]))
    client.force_login(bob)
    caseload = client.get(reverse("courses:caseload"))
    assert [len(row.alerts) for row in caseload.context["rows"]] == [1]


# --- IPT-A: the PHQ-A on the session page, its supplementary suicide questions never left blank ---


@pytest.fixture
def teen_session(alice: User, client_a: Client) -> Session:
    client_a.date_of_birth = date(2011, 5, 1)
    client_a.save(update_fields=["date_of_birth"])
    course = start_course(alice, client_a, protocol_key="ipt-adolescent", start_date=date(2026, 3, 2))
    return course.sessions.get(number=1)


def phqa_data(**extra: int) -> dict[str, str]:
    data = {"phqa-response_uuid": str(uuid.uuid4()), "phqa-source": "client"}
    data.update({f"phqa-phqa-{n}": "1" for n in range(1, 10)})
    data.update({f"phqa-phqa-{link_id.replace('_', '-')}": str(v) for link_id, v in extra.items()})
    return data


def test_the_session_page_of_an_ipt_a_course_asks_the_phqa_with_its_suicide_questions(
    client: HttpClient, alice: User, teen_session: Session
) -> None:
    client.force_login(alice)
    page = client.get(reverse("courses:session", args=[teen_session.pk])).content.decode()

    assert 'action="' + in_session_url(teen_session, "phqa") + '"' in page
    assert in_session_url(teen_session, "phq9") not in page
    assert "seriously thought about ending your life" in page
    assert "tried to kill yourself" in page


def test_the_phqa_suicide_questions_cannot_be_left_blank_in_session(
    client: HttpClient, alice: User, teen_session: Session
) -> None:
    client.force_login(alice)

    refused = client.post(in_session_url(teen_session, "phqa"), phqa_data())

    assert refused.status_code == 400
    html = refused.content.decode()
    assert CHOOSE in fieldset_for(html, "phqa-phqa-past-month-thoughts")
    assert CHOOSE in fieldset_for(html, "phqa-phqa-attempt")
    assert CHOOSE not in fieldset_for(html, "phqa-phqa-past-year")  # optional, not a risk question
    assert not Response.objects.exists()

    sent = client.post(in_session_url(teen_session, "phqa"), phqa_data(past_month_thoughts=1, attempt=0))

    assert sent.status_code == 302
    stored = Response.objects.get()
    assert (stored.answers["phqa-past-month-thoughts"], stored.answers["phqa-attempt"]) == (1, 0)
    assert sorted(RiskAlert.objects.values_list("flag", flat=True)) == [
        "suicidal_ideation",
        "suicidal_thoughts_past_month",
    ]

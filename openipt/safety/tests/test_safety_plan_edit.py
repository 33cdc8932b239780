"""The safety plan form: prefilled from the latest version; saving writes the next one."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

import pytest
from django.test import Client as HttpClient
from django.urls import reverse

from conftest import make_user
from openipt.accounts.models import Team, User
from openipt.audit.models import AuditEvent
from openipt.clients.models import Client
from openipt.safety.models import SafetyPlan
from openipt.safety.plans import FIELDS, save_safety_plan

NOW = datetime(2026, 3, 3, 9, 30, tzinfo=UTC)
PLAN: dict[str, Any] = {
    "warning_signs": "Not sleeping; staying in my room.",
    "people_to_ask": "My sister Ada, 07700 900123.",
}


@pytest.fixture(autouse=True)
def frozen(time_machine):
    time_machine.move_to(NOW, tick=False)


def edit_url(client: Client) -> str:
    return reverse("safety:plan-edit", args=[client.pk])


def form_data(version: int | None, **fields: str) -> dict[str, str]:
    data = dict.fromkeys(FIELDS, "")
    data.update(fields)
    data["version"] = "" if version is None else str(version)
    return data


def textarea(html: str, name: str) -> str:
    match = re.search(rf'<textarea name="{name}"[^>]*>(.*?)</textarea>', html, re.S)
    assert match, name
    return match.group(1).strip()


def test_it_shows_an_empty_form_for_the_first_plan(client: HttpClient, alice: User, client_a: Client) -> None:
    client.force_login(alice)

    r = client.get(edit_url(client_a))

    assert r.status_code == 200
    html = r.content.decode()
    assert "<h1>Write a safety plan</h1>" in html
    assert '<button type="submit">Save the plan</button>' in html
    assert "Maya Okafor" in html  # the client banner
    assert '<label for="id_warning_signs">1. Warning signs</label>' in html
    # Help in plain words, tied to its field for screen readers.
    assert (
        '<span class="helptext" id="id_warning_signs_helptext">What tells you a crisis may be coming: '
        "thoughts, images, moods, situations, behaviour.</span>"
    ) in html
    assert 'aria-describedby="id_warning_signs_helptext"' in html
    assert 'name="version" id="id_version"' in html
    assert re.search(r'<input type="hidden" name="version" id="id_version">', html)


def test_it_saves_the_first_version_and_redirects(client: HttpClient, alice: User, client_a: Client) -> None:
    client.force_login(alice)

    r = client.post(edit_url(client_a), form_data(None, **PLAN, shared_with_client="on"))

    assert r.status_code == 302
    assert r["Location"] == reverse("safety:plan", args=[client_a.pk])
    plan = SafetyPlan.objects.get()
    assert (plan.version, plan.created_by, plan.shared_with_client) == (1, alice, True)
    assert plan.warning_signs == PLAN["warning_signs"]
    assert AuditEvent.objects.filter(action="safety_plan.save", client_id=client_a.pk).count() == 1
    assert "Safety plan saved as version 1." in client.get(r["Location"]).content.decode()


def test_it_prefills_from_the_latest_version_and_saves_the_next(
    client: HttpClient, alice: User, client_a: Client
) -> None:
    save_safety_plan(alice, client_a, base_version=None, **PLAN)
    save_safety_plan(
        alice,
        client_a,
        base_version=1,
        shared_with_client=True,
        **{**PLAN, "warning_signs": "Skipping meals."},
    )
    client.force_login(alice)

    html = client.get(edit_url(client_a)).content.decode()

    assert textarea(html, "warning_signs") == "Skipping meals."
    assert textarea(html, "people_to_ask") == PLAN["people_to_ask"]
    assert 'name="version" value="2"' in html
    assert re.search(r'<input type="checkbox" name="shared_with_client"[^>]*checked', html)
    assert "You are editing version 2. Saving keeps version 2 as it is and makes this version 3." in html

    r = client.post(edit_url(client_a), form_data(2, **PLAN, reasons_for_living="My son."))

    assert r.status_code == 302
    latest = SafetyPlan.objects.get(client=client_a, version=3)
    assert (latest.reasons_for_living, latest.shared_with_client) == ("My son.", False)
    assert SafetyPlan.objects.get(client=client_a, version=2).warning_signs == "Skipping meals."


def test_a_stale_version_is_refused_with_the_typed_text_kept(
    client: HttpClient, alice: User, north_team: Team, client_a: Client
) -> None:
    colleague = make_user("carol", alice.organisation, "clinician", north_team)
    save_safety_plan(alice, client_a, base_version=None, **PLAN)
    save_safety_plan(colleague, client_a, base_version=1, **{**PLAN, "internal_coping": "Carol's words."})
    client.force_login(alice)

    r = client.post(edit_url(client_a), form_data(1, **{**PLAN, "warning_signs": "My unsaved words."}))

    assert r.status_code == 400
    html = r.content.decode()
    assert "Someone saved version 2 of this plan after you opened it, so nothing was saved." in html
    assert textarea(html, "warning_signs") == "My unsaved words."  # still on screen
    # Version 2 is shown beneath, the parts that differ from the typed text marked, and the form
    # now builds on it.
    conflict = html[html.index("Version 2, saved after you opened this form") :]
    assert "Carol&#x27;s words." in conflict
    differs = re.findall(
        r"<h3>([^<]*) <span class=\"badge badge-warn\">Differs from your text</span>", conflict
    )
    assert differs == ["1. Warning signs", "2. Things I can do on my own to take my mind off things"]
    assert 'name="version" value="2"' in html
    assert "Save as version 3" in html
    assert SafetyPlan.objects.filter(client=client_a).count() == 2
    assert AuditEvent.objects.filter(action="safety_plan.save").count() == 2

    # Saving again, having seen version 2, is a deliberate choice: it becomes version 3.
    r = client.post(edit_url(client_a), form_data(2, **{**PLAN, "warning_signs": "My unsaved words."}))

    assert r.status_code == 302
    assert SafetyPlan.objects.get(client=client_a, version=3).warning_signs == "My unsaved words."


def test_identical_text_is_refused(client: HttpClient, alice: User, client_a: Client) -> None:
    save_safety_plan(alice, client_a, base_version=None, **PLAN)
    client.force_login(alice)

    r = client.post(edit_url(client_a), form_data(1, **PLAN))

    assert r.status_code == 400
    assert "Nothing changed since version 1." in r.content.decode()
    assert SafetyPlan.objects.count() == 1


def test_an_empty_plan_is_refused(client: HttpClient, alice: User, client_a: Client) -> None:
    client.force_login(alice)

    r = client.post(edit_url(client_a), form_data(None, reasons_for_living="My son."))

    assert r.status_code == 400
    html = r.content.decode()
    assert (
        '<div role="alert"><ul class="errorlist"><li>'
        "Fill in at least one of the six steps before saving the plan.</li></ul></div>" in html
    )
    assert textarea(html, "reasons_for_living") == "My son."
    assert not SafetyPlan.objects.exists()


def test_a_field_too_long_is_refused_beside_the_field(
    client: HttpClient, alice: User, client_a: Client
) -> None:
    client.force_login(alice)
    long_text = "Ring Ada. " * 501  # 5,010 characters

    r = client.post(edit_url(client_a), form_data(None, **{**PLAN, "internal_coping": long_text}))

    assert r.status_code == 400
    html = r.content.decode()
    assert (
        '<ul class="errorlist" id="id_internal_coping_error"><li>'
        "“2. Things I can do on my own to take my mind off things” can be at most 5,000 characters "
        "(you have 5,009). Shorten it, then save again.</li></ul>"
    ) in html
    assert re.search(r'<textarea name="internal_coping"[^>]*aria-invalid="true"', html)
    assert textarea(html, "internal_coping") == long_text.strip()
    assert textarea(html, "warning_signs") == PLAN["warning_signs"]
    assert not SafetyPlan.objects.exists()
    assert not AuditEvent.objects.filter(action="safety_plan.save").exists()

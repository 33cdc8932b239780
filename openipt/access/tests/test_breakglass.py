"""Emergency (break-glass) access: reason, time box, read-only, supervisors told, all audited."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client as HttpClient
from django.urls import reverse
from django.utils import timezone

from conftest import make_user
from openipt.access import breakglass, rules
from openipt.access.models import BreakGlassGrant
from openipt.accounts.models import Organisation, Role, User
from openipt.audit.models import AuditEvent
from openipt.clients.models import Client
from openipt.measures.actions import record_response
from openipt.safety.models import RiskAlert

REASON = "Client's GP called; the care team is unreachable tonight."


@pytest.fixture
def grant(
    erin: User, bob: User, client_a: Client, django_capture_on_commit_callbacks: Any
) -> BreakGlassGrant:
    bob.email = "bob@example.org"
    bob.save()
    with django_capture_on_commit_callbacks(execute=True):
        return breakglass.open_grant(
            erin, clinic_identifier=client_a.clinic_identifier, reason=REASON, minutes=15
        )


def test_opening_needs_a_reason_a_known_client_and_a_short_time(erin: User, client_a: Client) -> None:
    cases: tuple[tuple[dict[str, Any], str], ...] = (
        ({"reason": "because", "minutes": 15, "clinic_identifier": "NS-1"}, "reason"),
        ({"reason": REASON, "minutes": 240, "clinic_identifier": "NS-1"}, "minutes"),
        ({"reason": REASON, "minutes": 15, "clinic_identifier": "NS-999"}, "clinic_identifier"),
    )
    for kwargs, field in cases:
        with pytest.raises(ValidationError) as exc:
            breakglass.open_grant(erin, **kwargs)
        assert field in exc.value.message_dict
    assert not BreakGlassGrant.objects.exists()
    assert not AuditEvent.objects.filter(action="breakglass.open").exists()


def test_only_administrators_open_it_and_only_in_their_organisation(
    alice: User, bob: User, river: Organisation, client_a: Client
) -> None:
    for user in (alice, bob):
        with pytest.raises(PermissionDenied):
            breakglass.open_grant(user, clinic_identifier="NS-1", reason=REASON, minutes=15)
    rhea = make_user("rhea", river, Role.ADMIN)
    with pytest.raises(ValidationError):  # NS-1 is not a Riverside client: as if it did not exist
        breakglass.open_grant(rhea, clinic_identifier="NS-1", reason=REASON, minutes=15)


def test_it_tells_the_teams_supervisors_without_clinical_content(
    grant: BreakGlassGrant, client_a: Client
) -> None:
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["bob@example.org"]
    text = f"{message.subject} {message.body}"
    assert "emergency" in text.lower() and "/reports/supervision/" in text
    for secret in ("Okafor", "Maya", "NS-1", REASON, "GP"):
        assert secret not in text


def test_it_is_audited_when_opened_read_and_ended(
    client: HttpClient, erin: User, grant: BreakGlassGrant
) -> None:
    client.force_login(erin)
    assert client.get(reverse("clients:detail", args=[grant.client_id])).status_code == 200
    breakglass.end_grant(erin, grant)
    actions = list(AuditEvent.objects.filter(client_id=grant.client_id).values_list("action", flat=True))
    assert "breakglass.open" in actions
    assert "breakglass.read:clients:detail" in actions
    assert "breakglass.end" in actions
    assert client.get(reverse("clients:detail", args=[grant.client_id])).status_code == 403


def test_it_is_read_only(
    client: HttpClient, erin: User, alice: User, grant: BreakGlassGrant, course_a
) -> None:
    record_response(alice, grant.client, instrument="phq9", answers=[1, 1, 1, 1, 1, 1, 1, 1, 2])
    alert = RiskAlert.objects.get(client=grant.client)
    client.force_login(erin)
    assert client.get(reverse("clients:detail", args=[grant.client_id])).status_code == 200
    assert client.get(reverse("clients:edit", args=[grant.client_id])).status_code == 403
    assert (
        client.post(reverse("safety:acknowledge", args=[alert.pk]), {"action_taken": "Called."}).status_code
        == 403
    )
    alert.refresh_from_db()
    assert alert.status == "open"
    assert not rules.can_write(erin, grant.client)


def test_it_ends_by_itself(client: HttpClient, erin: User, grant: BreakGlassGrant, time_machine: Any) -> None:
    client.force_login(erin)
    time_machine.move_to(timezone.now() + timedelta(minutes=14), tick=False)
    assert client.get(reverse("clients:detail", args=[grant.client_id])).status_code == 200
    time_machine.move_to(timezone.now() + timedelta(minutes=2), tick=False)
    assert client.get(reverse("clients:detail", args=[grant.client_id])).status_code == 403
    with pytest.raises(ValidationError):
        breakglass.end_grant(erin, grant)


def test_it_reaches_only_the_granted_client(
    client: HttpClient, erin: User, grant: BreakGlassGrant, alice
) -> None:
    from openipt.clients.actions import create_client

    other = create_client(
        alice,
        team=grant.client.team,
        clinic_identifier="NS-2",
        given_name="Other",
        family_name="Person",
        date_of_birth=date(1980, 1, 1),
    )
    client.force_login(erin)
    assert client.get(reverse("clients:detail", args=[other.pk])).status_code == 404
    listing = client.get(reverse("clients:list")).content.decode()
    assert "Okafor" in listing and "Person" not in listing


def test_the_admin_page_opens_and_ends_it(
    client: HttpClient, erin: User, bob: User, client_a: Client
) -> None:
    client.force_login(erin)
    page = reverse("access:emergency")
    assert client.get(page).status_code == 200
    bad = client.post(page, {"clinic_identifier": "NS-1", "reason": "now", "minutes": "15"})
    assert bad.status_code == 400 and "at least 20 characters" in bad.content.decode()
    response = client.post(page, {"clinic_identifier": "NS-1", "reason": REASON, "minutes": "30"})
    assert response.status_code == 302 and response["Location"] == reverse(
        "clients:detail", args=[client_a.pk]
    )
    grant = BreakGlassGrant.objects.get()
    assert timedelta(minutes=29) < grant.expires_at - grant.opened_at <= timedelta(minutes=30)
    body = client.get(reverse("clients:detail", args=[client_a.pk])).content.decode()
    assert "Emergency access in force" in body
    assert client.post(reverse("access:end", args=[grant.pk])).status_code == 302
    grant.refresh_from_db()
    assert grant.ended_at is not None and grant.ended_by == erin


def test_the_supervision_view_lists_it_with_the_reason(
    client: HttpClient, bob: User, grant: BreakGlassGrant
) -> None:
    client.force_login(bob)
    body = client.get(reverse("reports:supervision")).content.decode()
    assert REASON.replace("'", "&#x27;") in body
    assert reverse("audit:client", args=[grant.client_id]) in body
    log = client.get(reverse("audit:client", args=[grant.client_id])).content.decode()
    assert "breakglass.open" in log


def test_without_supervisors_the_other_administrators_are_told(
    erin: User, north, client_a: Client, django_capture_on_commit_callbacks: Any
) -> None:
    ada = make_user("ada", north, Role.ADMIN)
    ada.email = "ada@example.org"
    ada.save()
    with django_capture_on_commit_callbacks(execute=True):
        breakglass.open_grant(erin, clinic_identifier="NS-1", reason=REASON, minutes=15)
    assert [m.to for m in mail.outbox] == [["ada@example.org"]]


@pytest.mark.django_db(transaction=True)  # the e-mails go out on commit, as in production
def test_when_nobody_can_be_told_it_is_audited_and_the_opener_warned(
    client: HttpClient, erin: User, client_a: Client
) -> None:
    client.force_login(erin)
    response = client.post(
        reverse("access:emergency"), {"clinic_identifier": "NS-1", "reason": REASON, "minutes": "15"}
    )
    assert response.status_code == 302
    assert AuditEvent.objects.filter(action="breakglass.unnotified", client_id=client_a.pk).count() == 1
    page = client.get(response["Location"]).content.decode()
    assert "Nobody could be told by e-mail" in page


def test_a_grant_cannot_be_extended_reworded_or_deleted(erin: User, grant: BreakGlassGrant) -> None:
    grant.expires_at += timedelta(hours=5)
    with pytest.raises(ValueError):
        grant.save()
    grant.refresh_from_db()
    grant.reason = "Something else entirely, long enough."
    with pytest.raises(ValueError):
        grant.save()
    with pytest.raises(ValueError):
        grant.delete()
    grant.refresh_from_db()
    breakglass.end_grant(erin, grant)
    grant.refresh_from_db()
    grant.ended_at = None
    with pytest.raises(ValueError):
        grant.save()

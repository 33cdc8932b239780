"""Psychotherapy (private process) notes: only their author ever sees them."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.urls import reverse

from conftest import make_user
from openipt.accounts.models import Role
from openipt.audit.models import AuditEvent
from openipt.notes.actions import private_note_for, save_private_note
from openipt.notes.models import PsychotherapyNote

SECRET = "Countertransference: I felt protective, as with my own father."


@pytest.fixture
def session(course_a):
    return course_a.sessions.order_by("number").first()


@pytest.fixture
def zoe(north, north_team):
    """Another clinician of alice's own care team."""
    return make_user("zoe", north, Role.CLINICIAN, north_team)


def test_it_saves_the_authors_notes_and_shows_them_only_to_the_author(
    client, alice, bob, zoe, session
) -> None:
    client.force_login(alice)
    url = reverse("notes:private", args=[session.pk])
    response = client.post(url, {"body": SECRET, "version": ""})
    assert response.status_code == 302
    assert PsychotherapyNote.objects.get(author=alice).body == SECRET
    assert SECRET in client.get(reverse("courses:session", args=[session.pk])).content.decode()
    for other in (bob, zoe):
        client.force_login(other)
        page = client.get(reverse("courses:session", args=[session.pk])).content.decode()
        assert SECRET not in page
        assert private_note_for(other, session) is None


def test_the_audit_row_names_the_action_but_never_the_text(alice, session) -> None:
    save_private_note(alice, session, body=SECRET, base_version=None)
    event = AuditEvent.objects.get(action="private_note.save")
    assert SECRET not in str(event.__dict__)


def test_a_stale_save_is_refused_and_changes_nothing(alice, session) -> None:
    note = save_private_note(alice, session, body="first", base_version=None)
    save_private_note(alice, session, body="second", base_version=note.version)
    with pytest.raises(ValidationError, match="saved these notes elsewhere"):
        save_private_note(alice, session, body="stale", base_version=note.version)
    assert PsychotherapyNote.objects.get().body == "second"


def test_a_supervisor_cannot_write_them(bob, session) -> None:
    with pytest.raises(PermissionDenied):
        save_private_note(bob, session, body="x", base_version=None)
    assert not PsychotherapyNote.objects.exists()


def test_the_route_refuses_other_teams_and_organisations(client, dave, charlie, session) -> None:
    for outsider in (dave, charlie):
        client.force_login(outsider)
        response = client.post(reverse("notes:private", args=[session.pk]), {"body": "x"})
        assert response.status_code == 404
    assert not PsychotherapyNote.objects.exists()


def test_they_are_never_exported(alice, session, course_a) -> None:
    save_private_note(alice, session, body=SECRET, base_version=None)
    out = StringIO()
    call_command("export", "course", str(course_a.pk), stdout=out)
    assert SECRET not in out.getvalue()
    assert "Countertransference" not in json.dumps(json.loads(out.getvalue()))

"""Breached, common and guessable passwords are refused wherever a password is set."""

from __future__ import annotations

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import Client as HttpClient
from django.urls import reverse

from conftest import PASSWORD
from openipt.accounts.models import Organisation, Role, User
from openipt.accounts.validators import OwnNamesPasswordValidator

from .helpers import sign_in, who

CHANGE = reverse("account_change_password")
OWN_NAME = "Choose one without your username, your organisation's name or “OpenIPT”"


def refusals(password: str, user: User | None = None) -> list[str]:
    try:
        validate_password(password, user)
    except ValidationError as exc:
        return exc.messages
    return []


@pytest.mark.parametrize("password", ["password123456", "qwertyuiop123", "1qaz2wsx3edc", "123456789abc"])
def test_passwords_from_breach_lists_are_refused(password: str, db) -> None:
    assert "This password is too common." in refusals(password)


@pytest.mark.parametrize(
    ("password", "what"),
    [
        ("alice-in-the-garden-42", "the username"),
        ("my ALICE password 2026", "the username"),
        ("Northside rota 2026!", "the organisation's name"),
        ("north-side clinic 2026", "the organisation's name"),
        ("welcome to openipt 2026", "“OpenIPT”"),
        ("Open IPT is great 2026", "“OpenIPT”"),
    ],
)
def test_passwords_with_our_own_names_are_refused(alice: User, password: str, what: str) -> None:
    messages = refusals(password, alice)
    assert any(f"This password contains {what}. {OWN_NAME}" in m for m in messages), messages


def test_the_organisations_short_name_counts_too(db) -> None:
    org = Organisation.objects.create(name="St Mary's Psychological Therapies", slug="stmarys")
    user = User(username="zoe", organisation=org, role=Role.CLINICIAN)
    assert any("short name" in m for m in refusals("stmarys-wellbeing-99", user))


@pytest.mark.parametrize("password", ["correct horse battery staple 42", "a garden of seven lilies"])
def test_a_good_password_passes_every_validator(alice: User, password: str) -> None:
    assert refusals(password, alice) == []


def test_very_short_names_are_not_checked(db) -> None:
    validator = OwnNamesPasswordValidator()
    validator.validate("jo was here in 2026 x", User(username="jo"))  # no error


def test_the_help_text_says_what_is_refused() -> None:
    assert "organisation" in OwnNamesPasswordValidator().get_help_text()


def test_changing_to_a_breached_password_is_refused(client: HttpClient, alice: User) -> None:
    sign_in(client, "alice")
    r = client.post(
        CHANGE, {"oldpassword": PASSWORD, "password1": "password123456", "password2": "password123456"}
    )
    assert r.status_code == 200
    assert "This password is too common." in r.content.decode()
    alice.refresh_from_db()
    assert alice.check_password(PASSWORD)


def test_changing_to_a_password_with_the_username_is_refused(client: HttpClient, alice: User) -> None:
    sign_in(client, "alice")
    new = "alice likes long walks 7"
    r = client.post(CHANGE, {"oldpassword": PASSWORD, "password1": new, "password2": new})
    assert "This password contains the username." in r.content.decode()
    alice.refresh_from_db()
    assert alice.check_password(PASSWORD)
    assert who(client) == alice

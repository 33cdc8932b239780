"""Signing in and out through django-allauth; no self sign-up."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client as HttpClient
from django.urls import reverse

from conftest import PASSWORD
from openipt.accounts.models import User

LOGIN = "/accounts/login/"
LOGOUT = "/accounts/logout/"
SIGNUP = "/accounts/signup/"
WRONG = "The username and/or password you specified are not correct."


@pytest.fixture(autouse=True)
def fresh_rate_limits() -> Iterator[None]:
    # allauth counts failed logins in the cache; start and leave each test with a clean count.
    cache.clear()
    yield
    cache.clear()


def signed_in_user(client: HttpClient) -> Any:
    return client.get(reverse("courses:caseload")).wsgi_request.user


def test_the_login_page_shows_the_form(client: HttpClient, db) -> None:
    r = client.get(LOGIN)
    assert r.status_code == 200
    html = r.content.decode()
    assert 'name="login"' in html
    assert 'name="password"' in html
    assert 'autocomplete="current-password"' in html
    assert "Sign in to OpenIPT" in html


def test_it_signs_in_with_username_and_password(client: HttpClient, alice: User) -> None:
    r = client.post(LOGIN, {"login": "alice", "password": PASSWORD})

    assert r.status_code == 302
    assert r["Location"] == reverse("courses:caseload")
    assert signed_in_user(client) == alice
    alice.refresh_from_db()
    assert alice.last_login is not None


def test_it_returns_to_the_page_asked_for(client: HttpClient, alice: User) -> None:
    wanted = reverse("clients:list")
    r = client.get(wanted)
    assert r.status_code == 302
    assert r["Location"] == f"{LOGIN}?next={wanted}"

    r = client.post(f"{LOGIN}?next={wanted}", {"login": "alice", "password": PASSWORD, "next": wanted})

    assert r.status_code == 302
    assert r["Location"] == wanted


def test_it_never_redirects_off_site_after_signing_in(client: HttpClient, alice: User) -> None:
    r = client.post(LOGIN, {"login": "alice", "password": PASSWORD, "next": "https://evil.example/"})
    assert r.status_code == 302
    assert "evil.example" not in r["Location"]


def test_a_wrong_password_redisplays_the_form_with_an_error(client: HttpClient, alice: User) -> None:
    r = client.post(LOGIN, {"login": "alice", "password": "not the password"})

    assert r.status_code == 200
    html = r.content.decode()
    assert WRONG in html
    assert 'value="alice"' in html  # the username is kept
    assert "not the password" not in html  # the password is not echoed
    assert not signed_in_user(client).is_authenticated


def test_an_unknown_user_gets_the_same_error(client: HttpClient, db) -> None:
    r = client.post(LOGIN, {"login": "mallory", "password": PASSWORD})
    assert r.status_code == 200
    assert WRONG in r.content.decode()


def test_a_deactivated_user_cannot_sign_in(client: HttpClient, alice: User) -> None:
    alice.is_active = False
    alice.save(update_fields=["is_active"])
    client.post(LOGIN, {"login": "alice", "password": PASSWORD})
    assert not signed_in_user(client).is_authenticated


def test_repeated_failures_are_rate_limited(client: HttpClient, alice: User) -> None:
    for _ in range(5):
        client.post(LOGIN, {"login": "alice", "password": "wrong password"})
    r = client.post(LOGIN, {"login": "alice", "password": PASSWORD})
    assert r.status_code == 200
    assert "Too many failed login attempts. Try again later." in r.content.decode()
    assert not signed_in_user(client).is_authenticated


def test_sign_up_is_closed(client: HttpClient, db) -> None:
    r = client.get(SIGNUP)
    assert r.status_code == 200
    assert "Sign Up Closed" in r.content.decode()
    assert 'name="password1"' not in r.content.decode()

    client.post(SIGNUP, {"username": "mallory", "password1": PASSWORD, "password2": PASSWORD})

    assert not User.objects.filter(username="mallory").exists()
    assert not signed_in_user(client).is_authenticated


def test_it_signs_out_by_post(client: HttpClient, alice: User) -> None:
    client.force_login(alice)

    r = client.post(LOGOUT)

    assert r.status_code == 302
    assert r["Location"] == reverse("account_login")
    assert not signed_in_user(client).is_authenticated


def test_a_get_does_not_sign_out(client: HttpClient, alice: User) -> None:
    client.force_login(alice)
    r = client.get(LOGOUT)
    assert r.status_code == 200
    assert f'action="{LOGOUT}"' in r.content.decode()
    assert signed_in_user(client) == alice


def test_every_page_offers_sign_out_by_post(client: HttpClient, alice: User) -> None:
    client.force_login(alice)
    html = client.get(reverse("courses:caseload")).content.decode()
    assert f'<form class="logout" method="post" action="{LOGOUT}">' in html


def test_each_role_lands_where_its_openipt_begins(
    client: HttpClient, alice: User, bob: User, erin: User, settings: Any
) -> None:
    """Regression: an administrator landed on the caseload, which refuses administrators, with no
    way on but typing an address."""
    settings.OPENIPT_REQUIRE_MFA = False
    for user, landing in (
        (alice, reverse("courses:caseload")),
        (bob, reverse("courses:caseload")),
        (erin, reverse("accounts:user-list")),
    ):
        client.logout()
        r = client.post(LOGIN, {"login": user.username, "password": PASSWORD})
        assert r["Location"] == landing
        page = client.get(landing)
        assert page.status_code == 200
        assert f'<a class="brand" href="{landing}">' in page.content.decode()
    refused = client.get(reverse("clients:list")).content.decode()  # erin, still signed in
    assert f'<a href="{reverse("accounts:user-list")}">Back to OpenIPT</a>' in refused

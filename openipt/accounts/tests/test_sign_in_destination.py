"""Everyone lands in their own part of OpenIPT after signing in, whatever `next` said.

A client who opens the site's front page is sent to sign in with `next=/`; the front page is the
staff caseload, which refuses clients. `rules.sign_in_destination` keeps `next` only when it lies
in the user's part of OpenIPT.
"""

from __future__ import annotations

import pytest
from django.test import Client as HttpClient
from django.urls import reverse

from conftest import PASSWORD
from openipt.access.rules import sign_in_destination
from openipt.accounts.models import User
from openipt.clients.models import Client
from openipt.portal import actions

LOGIN = "/accounts/login/"


@pytest.fixture
def maya(alice: User, client_a: Client) -> User:
    """Alice's client, joined to the portal with the house password."""
    return actions.join(code=actions.invite(alice, client_a, kind="code").secret, password=PASSWORD).user


def sign_in(http: HttpClient, user: User, next_url: str | None) -> str:
    data = {"login": user.username, "password": PASSWORD}
    if next_url is not None:
        data["next"] = next_url
    response = http.post(LOGIN if next_url is None else f"{LOGIN}?next={next_url}", data)
    assert response.status_code == 302
    return str(response["Location"])


def test_a_client_signing_in_from_the_front_page_lands_on_the_portal(maya: User) -> None:
    http = HttpClient()
    to_login = http.get("/")
    assert to_login["Location"] == f"{LOGIN}?next=/"

    landed = sign_in(http, maya, "/")

    assert landed == "/portal/"
    assert http.get(landed).status_code == 200


@pytest.mark.parametrize("next_url", ["/", "/caseload/", "/clients/", "/reports/supervision/", "/nowhere/"])
def test_a_client_is_never_sent_to_a_staff_page(maya: User, next_url: str) -> None:
    assert sign_in(HttpClient(), maya, next_url) == "/portal/"


def test_a_client_returns_to_the_portal_page_asked_for(maya: User) -> None:
    wanted = reverse("portal:homework")
    assert sign_in(HttpClient(), maya, wanted) == wanted


def test_staff_keep_their_next_page_but_never_enter_the_portal(alice: User) -> None:
    assert sign_in(HttpClient(), alice, reverse("clients:list")) == reverse("clients:list")
    assert sign_in(HttpClient(), alice, "/") == "/"
    assert sign_in(HttpClient(), alice, reverse("portal:homework")) == "/"


def test_an_administrator_from_the_front_page_lands_on_the_user_list(erin: User) -> None:
    assert sign_in(HttpClient(), erin, "/") == reverse("accounts:user-list")


def test_the_rule_without_a_next_page_is_the_landing_page(maya: User, alice: User, erin: User) -> None:
    assert sign_in_destination(maya, None) == "/portal/"
    assert sign_in_destination(alice, "") == "/"
    assert sign_in_destination(erin, None) == reverse("accounts:user-list")
    assert sign_in_destination(maya, reverse("account_change_password")) == reverse("account_change_password")

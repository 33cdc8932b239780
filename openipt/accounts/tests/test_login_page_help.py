"""The sign-in page offers the other ways in (a sign-in link, a forgotten username) and crisis help."""

from __future__ import annotations

from django.test import Client as HttpClient
from django.urls import reverse


def test_it_offers_a_sign_in_link_and_username_recovery(db: None) -> None:
    body = HttpClient().get("/accounts/login/").content.decode()

    assert f'href="{reverse("portal:sign-in-link")}">E-mail me a sign-in link<' in body
    assert f'href="{reverse("portal:forgotten-username")}">Forgotten your username?<' in body


def test_it_offers_crisis_help_as_a_large_button(db: None) -> None:
    body = HttpClient().get("/accounts/login/").content.decode()

    assert "Need help now?" in body
    assert "call your local emergency number" in body
    assert f'class="portal-button portal-button-danger" href="{reverse("portal:crisis")}"' in body
    assert HttpClient().get(reverse("portal:crisis")).status_code == 200  # open without signing in

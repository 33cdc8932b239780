"""The sign-in page offers the other ways in (a sign-in link, a forgotten username) and crisis help."""

from __future__ import annotations

from django.test import Client as HttpClient
from django.urls import reverse

from openipt.accounts.models import Organisation
from openipt.safety.models import CrisisResource


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


def line(org: Organisation, name: str, phone: str, locale: str = "en-gb") -> CrisisResource:
    return CrisisResource.objects.create(organisation=org, locale=locale, name=name, phone=phone)


def test_it_lists_the_lines_every_organisation_shares_for_the_locale(
    north: Organisation, river: Organisation
) -> None:
    line(north, "Samaritans", "116 123")
    line(north, "Northside duty line", "0161 000 0000")  # one clinic's own: not for everyone
    line(river, "Samaritans", "116 123")
    line(river, "988 Suicide & Crisis Lifeline", "988", locale="en-us")

    body = HttpClient(HTTP_ACCEPT_LANGUAGE="en-GB").get("/accounts/login/").content.decode()

    assert 'href="tel:116123">Call Samaritans: 116 123</a>' in body
    assert "Northside" not in body and "988" not in body
    us = HttpClient(HTTP_ACCEPT_LANGUAGE="en-US").get("/accounts/login/").content.decode()
    assert 'href="tel:988">Call 988 Suicide &amp; Crisis Lifeline: 988</a>' in us and "Samaritans" not in us


def test_a_single_organisation_shows_its_own_lines(north: Organisation) -> None:
    line(north, "Northside duty line", "0161 000 0000")

    body = HttpClient().get("/accounts/login/").content.decode()

    assert 'href="tel:01610000000">Call Northside duty line: 0161 000 0000</a>' in body

"""A POST-only address opened by a link or a reload shows a page with a way back."""

from __future__ import annotations

from django.test import Client as HttpClient

from openipt.accounts.models import User


def test_it_shows_a_page_with_a_way_back_to_staff(alice: User) -> None:
    browser = HttpClient()
    browser.force_login(alice)

    response = browser.get("/portal/clients/1/revoke/")

    assert response.status_code == 405 and response["Allow"] == "POST"
    page = response.content.decode()
    assert "cannot be opened directly" in page and "Nothing was changed" in page
    assert "Back to OpenIPT" in page and 'class="topbar"' in page

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.test import Client as HttpClient

from openipt.accounts.models import User
from openipt.clients.models import Client
from openipt.portal import actions

NEW_PASSWORD = "kettle meadow lantern 318"


@pytest.fixture
def emailed(client_a: Client) -> Client:
    """Alice's client, with an e-mail address."""
    Client.objects.filter(pk=client_a.pk).update(email="maya@example.org")
    client_a.refresh_from_db()
    return client_a


def link_token(message: mail.EmailMessage) -> str:
    found = re.search(r"\?t=([A-Za-z0-9_-]+)", str(message.body))
    assert found is not None, message.body
    return found.group(1)


def joined(alice: User, client: Client, password: str = NEW_PASSWORD) -> User:
    """The client's portal user, after an invitation by printed code and joining with it."""
    invited = actions.invite(alice, client, kind="code")
    return actions.join(code=invited.secret, password=password).user


@pytest.fixture
def portal_user(alice: User, emailed: Client) -> User:
    return joined(alice, emailed)


@pytest.fixture
def portal_http(portal_user: User) -> HttpClient:
    http = HttpClient()
    http.force_login(portal_user)
    return http

"""Administrators manage their organisation's staff accounts (Settings → Users).

Every change is a POST with CSRF, audited as a permission change with the user as the object.
Users of another organisation are 404; administrators cannot lock themselves out.
"""

from __future__ import annotations

import pytest
from allauth.mfa.models import Authenticator
from django.test import Client as HttpClient
from django.urls import reverse

from conftest import make_user
from openipt.accounts.models import Organisation, Role, Team, User, UserSession
from openipt.audit.models import AuditEvent

from .helpers import enrol, sign_in, who

LIST = reverse("accounts:user-list")
CREATE = reverse("accounts:user-create")
STRONG = "a lantern by the harbour wall 31"


def detail(user: User) -> str:
    return reverse("accounts:user-detail", kwargs={"user_id": user.pk})


def url(name: str, user: User) -> str:
    return reverse(f"accounts:user-{name}", kwargs={"user_id": user.pk})


def new_user(team: Team | None = None, /, **overrides: str) -> dict[str, str]:
    data = {
        "username": "fiona",
        "first_name": "Fiona",
        "last_name": "Byrne",
        "email": "fiona@example.org",
        "role": "clinician",
        "password": STRONG,
    }
    if team is not None:
        data["teams"] = str(team.pk)
    data.update(overrides)
    return data


def audit_rows(action: str) -> list[tuple[User | None, str, str]]:
    return [(e.actor, e.object_type, e.object_id) for e in AuditEvent.objects.filter(action=action)]


@pytest.fixture
def admin_client(client: HttpClient, erin: User) -> HttpClient:
    client.force_login(erin)
    return client


# The list


def test_it_lists_the_organisations_staff_only(
    admin_client: HttpClient, everyone: dict[str, User], north: Organisation, django_assert_num_queries
) -> None:
    make_user("portal", north, Role.CLIENT)
    for n in range(5):
        make_user(f"extra{n}", north, Role.CLINICIAN, *north.teams.all())
    admin_client.get(LIST)
    with django_assert_num_queries(6):
        r = admin_client.get(LIST)
    html = r.content.decode()
    assert r.status_code == 200
    for name in ("alice", "bob", "dave", "erin", "extra4"):
        assert f">{name}<" in html, name
    assert "charlie" not in html
    assert "portal" not in html
    assert "Team A" in html and "Team B" in html
    assert "not yet" in html


def test_the_list_shows_who_has_set_up_mfa(admin_client: HttpClient, alice: User) -> None:
    enrol(alice)
    r = admin_client.get(LIST)
    assert r.context["users"].get(pk=alice.pk).has_mfa is True


# Creating a user


def test_it_creates_a_user_in_the_admins_organisation(
    admin_client: HttpClient, erin: User, north: Organisation, north_team: Team
) -> None:
    r = admin_client.post(CREATE, new_user(north_team))

    user = User.objects.get(username="fiona")
    assert r.status_code == 302
    assert r["Location"] == detail(user)
    assert (user.organisation, user.role, user.email, user.get_full_name()) == (
        north,
        Role.CLINICIAN,
        "fiona@example.org",
        "Fiona Byrne",
    )
    assert list(user.teams.all()) == [north_team]
    assert user.check_password(STRONG)
    assert audit_rows("user.create") == [(erin, "accounts.user", str(user.pk))]
    assert STRONG not in str(vars(AuditEvent.objects.get(action="user.create")))
    page = admin_client.get(r["Location"]).content.decode()
    assert "Account Fiona Byrne created." in page
    assert sign_in(HttpClient(), "fiona", STRONG).status_code == 302


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"password": "password123456"}, "password", "This password is too common."),
        ({"password": "fiona by the harbour 31"}, "password", "This password contains the username."),
        ({"password": "northside harbour wall 31"}, "password", "the organisation"),
        ({"password": "short 1"}, "password", "This password is too short."),
        ({"username": "alice"}, "username", "A user with that username already exists."),
        ({"username": "fi ona"}, "username", "Enter a valid username."),
        ({"role": "client"}, "role", "Select a valid choice."),
        ({"first_name": ""}, "first_name", "This field is required."),
    ],
)
def test_an_invalid_user_is_refused_and_nothing_saved(
    admin_client: HttpClient, alice: User, overrides: dict[str, str], field: str, message: str
) -> None:
    r = admin_client.post(CREATE, new_user(**overrides))
    assert r.status_code == 400
    assert message in " ".join(r.context["form"].errors[field])
    assert not User.objects.filter(username=overrides.get("username", "fiona"), first_name="Fiona").exists()
    assert not AuditEvent.objects.filter(action="user.create").exists()


def test_teams_of_another_organisation_cannot_be_given(admin_client: HttpClient, charlie: User) -> None:
    river_team = charlie.teams.get()
    r = admin_client.post(CREATE, new_user(river_team))
    assert r.status_code == 400
    assert "teams" in r.context["form"].errors
    assert not User.objects.filter(username="fiona").exists()


def test_the_create_form_lists_own_teams_and_staff_roles(
    admin_client: HttpClient, north_team: Team, charlie: User
) -> None:
    html = admin_client.get(CREATE).content.decode()
    assert "Team A" in html
    assert "River team" not in html
    assert 'value="client"' not in html
    assert 'autocomplete="new-password"' in html


# Role and teams


def test_it_changes_role_and_teams_each_audited(
    admin_client: HttpClient, erin: User, alice: User, north_team: Team, other_team: Team
) -> None:
    r = admin_client.post(detail(alice), {"role": "supervisor", "teams": [north_team.pk, other_team.pk]})

    assert r.status_code == 302
    alice.refresh_from_db()
    assert alice.role == Role.SUPERVISOR
    assert set(alice.teams.all()) == {north_team, other_team}
    assert audit_rows("user.role") == [(erin, "accounts.user", str(alice.pk))]
    assert audit_rows("user.teams") == [(erin, "accounts.user", str(alice.pk))]
    assert "Role and teams saved." in admin_client.get(detail(alice)).content.decode()


def test_only_what_changed_is_audited(admin_client: HttpClient, alice: User, other_team: Team) -> None:
    admin_client.post(detail(alice), {"role": "clinician", "teams": [other_team.pk]})
    assert not AuditEvent.objects.filter(action="user.role").exists()
    assert AuditEvent.objects.filter(action="user.teams").count() == 1
    admin_client.post(detail(alice), {"role": "clinician", "teams": [other_team.pk]})
    assert AuditEvent.objects.filter(action__startswith="user.").count() == 1


def test_the_detail_page_shows_the_current_role_and_teams(
    admin_client: HttpClient, alice: User, north_team: Team
) -> None:
    html = admin_client.get(detail(alice)).content.decode()
    assert 'value="clinician" id="id_role_0" required checked' in html
    assert f'value="{north_team.pk}" id="id_teams_0" checked' in html


def test_an_admin_cannot_demote_themselves(admin_client: HttpClient, erin: User) -> None:
    r = admin_client.post(detail(erin), {"role": "clinician"})
    assert r.status_code == 400
    assert "You cannot take away your own administrator role." in r.content.decode()
    erin.refresh_from_db()
    assert erin.role == Role.ADMIN
    assert not AuditEvent.objects.filter(action="user.role").exists()


# Deactivation, reactivation, MFA reset


def test_deactivation_ends_the_users_sessions(admin_client: HttpClient, erin: User, alice: User) -> None:
    alices = HttpClient()
    sign_in(alices, "alice")

    refused = admin_client.post(url("deactivate", alice))  # cannot be undone: asks for the tick first
    alice.refresh_from_db()
    assert refused["Location"] == detail(alice) and alice.is_active is True
    assert "Tick the box to confirm" in admin_client.get(detail(alice)).content.decode()
    assert 'name="confirm" value="yes" required' in admin_client.get(detail(alice)).content.decode()

    r = admin_client.post(url("deactivate", alice), {"confirm": "yes"})

    assert r["Location"] == detail(alice)
    alice.refresh_from_db()
    assert alice.is_active is False
    assert not who(alices).is_authenticated
    assert not UserSession.objects.filter(user=alice).exists()
    assert audit_rows("user.deactivate") == [(erin, "accounts.user", str(alice.pk))]
    assert "can no longer sign in" in admin_client.get(detail(alice)).content.decode()


def test_reactivation(admin_client: HttpClient, erin: User, alice: User) -> None:
    admin_client.post(url("deactivate", alice), {"confirm": "yes"})
    admin_client.post(url("reactivate", alice))
    alice.refresh_from_db()
    assert alice.is_active is True
    assert audit_rows("user.reactivate") == [(erin, "accounts.user", str(alice.pk))]
    client = HttpClient()
    sign_in(client, "alice")
    assert who(client) == alice


def test_an_admin_cannot_deactivate_themselves(admin_client: HttpClient, erin: User) -> None:
    r = admin_client.post(url("deactivate", erin), {"confirm": "yes"}, follow=True)
    assert "You cannot deactivate your own account." in r.content.decode()
    erin.refresh_from_db()
    assert erin.is_active is True
    assert who(admin_client) == erin
    assert not AuditEvent.objects.filter(action="user.deactivate").exists()


def test_mfa_reset_removes_the_authenticator_and_ends_sessions(
    admin_client: HttpClient, erin: User, alice: User
) -> None:
    enrol(alice)
    alices = HttpClient()
    alices.force_login(alice)

    admin_client.post(url("mfa-reset", alice))
    assert Authenticator.objects.filter(user=alice).exists()  # not without the tick

    r = admin_client.post(url("mfa-reset", alice), {"confirm": "yes"})

    assert r["Location"] == detail(alice)
    assert not Authenticator.objects.filter(user=alice).exists()
    assert not who(alices).is_authenticated
    assert audit_rows("user.mfa_reset") == [(erin, "accounts.user", str(alice.pk))]


def test_an_admin_cannot_reset_their_own_mfa_here(admin_client: HttpClient, erin: User) -> None:
    enrol(erin)
    admin_client.post(url("mfa-reset", erin), {"confirm": "yes"})
    assert Authenticator.objects.filter(user=erin).exists()
    assert not AuditEvent.objects.filter(action="user.mfa_reset").exists()


# Who may


def test_another_organisations_users_are_404(admin_client: HttpClient, charlie: User) -> None:
    assert admin_client.get(detail(charlie)).status_code == 404
    for name in ("deactivate", "reactivate", "mfa-reset"):
        assert admin_client.post(url(name, charlie)).status_code == 404
    assert admin_client.post(detail(charlie), {"role": "admin"}).status_code == 404
    charlie.refresh_from_db()
    assert (charlie.is_active, charlie.role) == (True, Role.CLINICIAN)
    assert not AuditEvent.objects.filter(action__startswith="user.").exists()


def test_portal_accounts_are_not_managed_here(admin_client: HttpClient, north: Organisation) -> None:
    portal = make_user("portal", north, Role.CLIENT)
    assert admin_client.get(detail(portal)).status_code == 404
    assert admin_client.post(detail(portal), {"role": "admin"}).status_code == 404
    portal.refresh_from_db()
    assert portal.role == Role.CLIENT


def test_the_buttons_take_posts_only(admin_client: HttpClient, alice: User) -> None:
    for name in ("deactivate", "reactivate", "mfa-reset"):
        assert admin_client.get(url(name, alice)).status_code == 405


def test_posts_need_the_csrf_token(erin: User, alice: User) -> None:
    browser = HttpClient(enforce_csrf_checks=True)
    browser.force_login(erin)
    assert browser.post(url("deactivate", alice)).status_code == 403
    assert browser.post(CREATE, new_user()).status_code == 403
    alice.refresh_from_db()
    assert alice.is_active is True


@pytest.mark.parametrize("who_", ["alice", "bob", "dave", "charlie"])
def test_other_roles_get_403(client: HttpClient, everyone: dict[str, User], who_: str) -> None:
    client.force_login(everyone[who_])
    alice = everyone["alice"]
    assert client.get(LIST).status_code == 403
    assert client.post(CREATE, new_user()).status_code == 403
    assert client.post(url("deactivate", alice)).status_code == 403
    assert client.post(detail(alice), {"role": "admin"}).status_code == 403
    alice.refresh_from_db()
    assert (alice.is_active, alice.role) == (True, Role.CLINICIAN)


def test_anonymous_users_are_sent_to_sign_in(client: HttpClient, alice: User) -> None:
    for target in (LIST, CREATE, detail(alice), url("deactivate", alice)):
        r = client.post(target)
        assert r.status_code == 302
        assert r["Location"].startswith(reverse("account_login"))


def test_the_teams_supervisor_is_told_when_someone_gains_access_to_its_clients(
    erin, bob, north_team, django_capture_on_commit_callbacks
) -> None:
    from django.core import mail

    from openipt.accounts.actions import change_access, create_user
    from openipt.accounts.models import Role

    bob.email = "bob@example.org"
    bob.save()
    with django_capture_on_commit_callbacks(execute=True):
        newcomer = create_user(
            erin,
            username="nadia",
            first_name="Nadia",
            last_name="K",
            email="",
            role=Role.CLINICIAN,
            teams=[north_team],
            password="a long and unusual passphrase 93",
        )
    assert [m.to for m in mail.outbox] == [["bob@example.org"]]
    assert "nadia" in mail.outbox[0].body and "erin" in mail.outbox[0].body
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        change_access(erin, newcomer, role=Role.CLINICIAN, teams=[north_team])  # nothing changed
    assert mail.outbox == []
    with django_capture_on_commit_callbacks(execute=True):
        change_access(erin, newcomer, role=Role.SUPERVISOR, teams=[north_team])
    assert len(mail.outbox) == 1

"""Administrators configure their organisation's crisis resources (Settings → Crisis resources)."""

from __future__ import annotations

import pytest
from django.test import Client as HttpClient
from django.urls import reverse

from openipt.accounts.models import Organisation, Role, User
from openipt.audit.models import AuditEvent
from openipt.safety.actions import crisis_resources_for
from openipt.safety.models import CrisisResource

LIST = reverse("accounts:crisis-list")


def delete_url(resource: CrisisResource) -> str:
    return reverse("accounts:crisis-delete", args=[resource.pk])


@pytest.fixture
def samaritans(north: Organisation) -> CrisisResource:
    return CrisisResource.objects.create(
        organisation=north, locale="en-gb", name="Samaritans", phone="116 123"
    )


@pytest.fixture
def riverside_line(river: Organisation) -> CrisisResource:
    return CrisisResource.objects.create(
        organisation=river, locale="en-us", name="Riverside line", phone="988"
    )


def valid_form(**overrides: str) -> dict[str, str]:
    data = {
        "locale": "en-ie",
        "name": "Pieta",
        "phone": "1800 247 247",
        "text": "51444",
        "url": "https://www.pieta.ie/",
        "hours": "24 hours",
        "description": "Suicide and self-harm crisis service",
        "position": "1",
    }
    data.update(overrides)
    return data


@pytest.mark.usefixtures("samaritans", "riverside_line")
def test_it_lists_the_organisations_resources_only(
    client: HttpClient, erin: User, north: Organisation, django_assert_num_queries
) -> None:
    for n in range(5):
        CrisisResource.objects.create(organisation=north, locale="en-us", name=f"Line {n}")
    client.force_login(erin)
    client.get(LIST)
    with django_assert_num_queries(5):
        r = client.get(LIST)
    assert r.status_code == 200
    html = r.content.decode()
    assert "Samaritans" in html and "116 123" in html
    assert "Line 4" in html
    assert "Riverside line" not in html


def test_an_empty_list_says_so(client: HttpClient, erin: User) -> None:
    client.force_login(erin)
    assert "None configured yet." in client.get(LIST).content.decode()


def test_it_adds_a_resource_to_the_admins_organisation(
    client: HttpClient, erin: User, north: Organisation
) -> None:
    client.force_login(erin)

    r = client.post(LIST, valid_form(is_emergency="on"))

    assert r.status_code == 302
    assert r["Location"] == LIST
    resource = CrisisResource.objects.get()
    assert resource.organisation == north
    assert (resource.locale, resource.name, resource.phone, resource.text) == (
        "en-ie",
        "Pieta",
        "+3531800247247",  # read as dialled in Ireland (the line's region), stored in E.164
        "51444",
    )
    assert (resource.url, resource.hours, resource.is_emergency, resource.position) == (
        "https://www.pieta.ie/",
        "24 hours",
        True,
        1,
    )
    event = AuditEvent.objects.get(action="crisis_resource.create")
    assert (event.actor, event.organisation_id, event.object_id) == (erin, north.pk, str(resource.pk))
    page = client.get(LIST).content.decode()
    assert "Crisis resource added." in page
    assert "Pieta" in page and "1800 247 247" in page  # shown as people write it there


def test_an_added_resource_reaches_clients_of_that_locale(
    client: HttpClient, erin: User, north: Organisation
) -> None:
    client.force_login(erin)
    client.post(LIST, valid_form())
    assert [line.name for line in crisis_resources_for(north.pk, "en-ie")] == ["Pieta"]


@pytest.mark.parametrize("typed", ["en-IE", "EN-IE", " en-ie ", "en_IE"])
def test_the_locale_is_stored_the_way_client_locales_are_written(
    client: HttpClient, erin: User, north: Organisation, typed: str
) -> None:
    # Client locales are "en-ie"; a line stored as "en-IE" would never be shown to anyone.
    client.force_login(erin)
    assert client.post(LIST, valid_form(locale=typed)).status_code == 302
    assert CrisisResource.objects.get().locale == "en-ie"
    assert [line.name for line in crisis_resources_for(north.pk, "en-ie")] == ["Pieta"]


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"name": ""}, "name", "This field is required."),
        ({"locale": ""}, "locale", "This field is required."),
        ({"url": "not a web address"}, "url", "Enter a valid URL."),
        ({"position": "-1"}, "position", "Ensure this value is greater than or equal to 0."),
        ({"locale": "Ireland"}, "locale", "language and region"),
    ],
)
def test_an_invalid_form_is_redisplayed_and_nothing_is_saved(
    client: HttpClient, erin: User, overrides: dict[str, str], field: str, message: str
) -> None:
    client.force_login(erin)
    r = client.post(LIST, valid_form(**overrides))
    assert r.status_code == 400
    assert message in str(r.context["form"].errors[field])
    assert message in r.content.decode()
    assert not CrisisResource.objects.exists()
    assert not AuditEvent.objects.filter(action="crisis_resource.create").exists()


def test_it_removes_a_resource(client: HttpClient, erin: User, samaritans: CrisisResource) -> None:
    client.force_login(erin)

    r = client.post(delete_url(samaritans), {"confirm": "yes"})

    assert r.status_code == 302
    assert r["Location"] == LIST
    assert not CrisisResource.objects.exists()
    event = AuditEvent.objects.get(action="crisis_resource.delete")
    assert (event.actor, event.object_type, event.object_id) == (
        erin,
        "safety.crisisresource",
        str(samaritans.pk),
    )
    assert "Crisis resource removed." in client.get(LIST).content.decode()


def test_removing_asks_first_and_changes_nothing_until_confirmed(
    client: HttpClient, erin: User, samaritans: CrisisResource
) -> None:
    client.force_login(erin)
    assert f'href="{delete_url(samaritans)}"' in client.get(LIST).content.decode()  # a link to the question

    for r in (client.get(delete_url(samaritans)), client.post(delete_url(samaritans))):
        assert r.status_code == 200
        page = r.content.decode()
        assert "Remove Samaritans?" in page and "cannot be undone" in page
        assert 'name="confirm" value="yes"' in page and f'href="{LIST}"' in page
    assert CrisisResource.objects.filter(pk=samaritans.pk).exists()
    assert not AuditEvent.objects.filter(action="crisis_resource.delete").exists()


def test_another_organisations_resource_is_404(
    client: HttpClient, erin: User, riverside_line: CrisisResource
) -> None:
    client.force_login(erin)
    r = client.post(delete_url(riverside_line), {"confirm": "yes"})
    assert r.status_code == 404
    assert "Riverside" not in r.content.decode()
    assert CrisisResource.objects.filter(pk=riverside_line.pk).exists()
    assert not AuditEvent.objects.filter(action="crisis_resource.delete").exists()


@pytest.mark.parametrize("who", ["alice", "bob", "dave", "charlie"])
def test_clinical_staff_get_403(
    client: HttpClient, everyone: dict[str, User], samaritans: CrisisResource, who: str
) -> None:
    client.force_login(everyone[who])
    assert client.get(LIST).status_code == 403
    assert client.post(LIST, valid_form()).status_code == 403
    assert client.post(delete_url(samaritans)).status_code == 403
    assert list(CrisisResource.objects.all()) == [samaritans]


def test_an_administrator_without_an_organisation_gets_403(client: HttpClient, db) -> None:
    nobody = User.objects.create_user(username="orphan", password="x" * 20, role=Role.ADMIN)
    client.force_login(nobody)
    assert client.get(LIST).status_code == 403
    assert client.post(LIST, valid_form()).status_code == 403
    assert not CrisisResource.objects.exists()


def test_anonymous_users_are_sent_to_sign_in(client: HttpClient, db) -> None:
    r = client.post(LIST, valid_form())
    assert r.status_code == 302
    assert r["Location"].startswith(reverse("account_login"))
    assert not CrisisResource.objects.exists()


def test_the_admin_link_is_in_the_navigation_for_administrators_only(
    client: HttpClient, erin: User, alice: User
) -> None:
    client.force_login(erin)
    assert f'href="{LIST}"' in client.get(LIST).content.decode()
    client.force_login(alice)
    assert f'href="{LIST}"' not in client.get(reverse("courses:caseload")).content.decode()

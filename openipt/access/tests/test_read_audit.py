"""Every page that showed a client's record writes one audit row; refusals are audited too."""

from __future__ import annotations

from django.test import Client as HttpClient
from django.urls import reverse

from openipt.accounts.models import User
from openipt.audit.models import AuditEvent
from openipt.courses.models import Course


def new_rows(before: int) -> list[tuple[str, int | None, str]]:
    return list(AuditEvent.objects.order_by("id").values_list("action", "client_id", "actor_label")[before:])


def test_each_client_page_read_is_recorded_once(client: HttpClient, alice: User, course_a: Course) -> None:
    client.force_login(alice)
    session = course_a.sessions.order_by("number").first()
    assert session is not None
    pages = [
        ("clients:detail", [course_a.client_id]),
        ("courses:session", [session.pk]),
        ("inventory:timeline", [course_a.client_id]),
        ("formulation:formulation", [course_a.pk]),
        ("safety:plan", [course_a.client_id]),
    ]
    for name, args in pages:
        before = AuditEvent.objects.count()
        assert client.get(reverse(name, args=args)).status_code == 200
        assert new_rows(before) == [(f"read:{name}", course_a.client_id, "alice")], name


def test_a_refused_request_is_recorded_without_the_client(
    client: HttpClient, dave: User, course_a: Course
) -> None:
    client.force_login(dave)
    before = AuditEvent.objects.count()
    assert client.get(reverse("clients:detail", args=[course_a.client_id])).status_code == 404
    assert new_rows(before) == [("access.refused:clients:detail", None, "dave")]


def test_a_list_records_each_client_it_showed(client: HttpClient, alice: User, course_a: Course) -> None:
    from openipt.audit.verify import verify_chain

    client.force_login(alice)
    before = AuditEvent.objects.count()
    client.get(reverse("clients:list"))
    client.get(reverse("courses:caseload"))
    assert new_rows(before) == [
        ("read:clients:list", course_a.client_id, "alice"),
        ("read:courses:caseload", course_a.client_id, "alice"),
    ]
    assert verify_chain().intact


def test_a_form_sent_back_with_errors_counts_as_a_read(
    client: HttpClient, alice: User, course_a: Course
) -> None:
    client.force_login(alice)
    before = AuditEvent.objects.count()
    response = client.post(reverse("clients:edit", args=[course_a.client_id]), {"given_name": ""})
    assert response.status_code == 400
    assert new_rows(before) == [("read:clients:edit", course_a.client_id, "alice")]


def test_anonymous_requests_write_nothing(client: HttpClient, course_a: Course) -> None:
    before = AuditEvent.objects.count()
    client.get(reverse("clients:detail", args=[course_a.client_id]))
    assert AuditEvent.objects.count() == before

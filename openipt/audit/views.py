"""Administrators read the audit log: one client's access history, and the chain check."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render

from openipt.clients.models import Client
from openipt.lib.decorators import admin_view
from openipt.lib.http import AuthedRequest

from .queries import client_events
from .verify import verify_chain

PER_PAGE = 50


@admin_view
def client_audit(request: AuthedRequest, client_id: int) -> HttpResponse:
    """Who looked at or changed this client's record, newest first. Own organisation only (404)."""
    client = get_object_or_404(
        Client.objects.only("pk", "clinic_identifier", "organisation_id"),
        pk=client_id,
        organisation_id=request.user.organisation_id,
    )
    page = Paginator(client_events(client.pk), PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "audit/client.html", {"client": client, "page": page})


@admin_view
def verify(request: AuthedRequest) -> HttpResponse:
    return render(request, "audit/verify.html", {"result": verify_chain()})

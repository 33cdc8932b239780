"""Administrators read the audit log: one client's access history, and the chain check."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render

from openipt.access import rules
from openipt.clients.models import Client
from openipt.lib.decorators import admin_view
from openipt.lib.http import AuthedRequest

from .actions import record
from .queries import client_events
from .verify import verify_chain

PER_PAGE = 50


@login_required
def client_audit(request: AuthedRequest, client_id: int) -> HttpResponse:
    """Who looked at or changed this client's record, newest first.

    Administrators see any client of their organisation; a supervisor sees their teams' clients
    (to review emergency access, among others). Anyone else: 403; another organisation's: 404.
    """
    user = request.user
    if rules.can_administer(user):
        clients = Client.objects.filter(organisation=user.organisation)
    elif rules.can_supervise(user):
        clients = rules.team_clients(user)
    else:
        raise PermissionDenied
    client = get_object_or_404(clients.only("pk", "clinic_identifier", "organisation_id"), pk=client_id)
    record(user, "audit.read", client_id=client.pk, request=request)
    page = Paginator(client_events(client.pk), PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "audit/client.html", {"client": client, "page": page})


@admin_view
def verify(request: AuthedRequest) -> HttpResponse:
    return render(request, "audit/verify.html", {"result": verify_chain()})

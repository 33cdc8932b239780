"""The version history of a client's editable records, for the care team."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render

from openipt.audit.actions import record
from openipt.courses import summary
from openipt.lib.decorators import clinical_view
from openipt.lib.http import AuthedRequest

from . import history
from .access import get_client_for_user

PER_PAGE = 50


@clinical_view
def client_history(request: AuthedRequest, client_id: int) -> HttpResponse:
    """Every change to the client's editable records, newest first: what, old → new, who, when."""
    client = get_client_for_user(request.user, client_id)
    page = Paginator(history.changes_for(client.pk), PER_PAGE).get_page(request.GET.get("page"))
    record(request.user, "history.read", client_id=client.pk, request=request)
    context = {
        "client": client,
        "banner": summary.banner_for(client),
        "page": page,
        "entries": history.entries(list(page.object_list)),
    }
    return render(request, "clients/history.html", context)

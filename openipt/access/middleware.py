"""Audit every page that showed a client's record, and every refused request for a record."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from openipt.audit.actions import record

from . import rules

READ_METHODS = frozenset({"GET", "HEAD"})


def _route(request: HttpRequest) -> str:
    match = getattr(request, "resolver_match", None)
    return match.view_name if match is not None else "?"


def _names_a_record(request: HttpRequest) -> bool:
    match = getattr(request, "resolver_match", None)
    return bool(match is not None and match.kwargs)


class ClientReadAuditMiddleware:
    """Writes `read:<route>` (or `breakglass.read:<route>` under emergency access) once per client
    whose record a successful GET showed, and `access.refused:<route>` when a signed-in user was
    refused (403/404) a route that names a record. The rows carry ids only, never content."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = rules.start_read_tracking()
        try:
            response = self.get_response(request)
        finally:
            seen = rules.stop_read_tracking(token)
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return response
        route = _route(request)
        status = response.status_code
        if request.method in READ_METHODS and status < 400 and seen:
            verb = "breakglass.read" if rules.reads_by_break_glass(user) else "read"
            for client_id in sorted(seen):
                record(user, f"{verb}:{route}"[:64], client_id=client_id, request=request)
        elif status in (403, 404) and _names_a_record(request):
            record(user, f"access.refused:{route}"[:64], request=request)
        return response

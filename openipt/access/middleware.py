"""Audit every page that showed a client's record, and every refused request for a record."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from openipt.audit.actions import record, record_reads

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
    whose record a page showed (a successful GET, a list, or a form re-shown with errors), and
    `access.refused:<route>` when a signed-in user was refused (403/404) a route that names a
    record. The rows carry ids only, never content."""

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
        # A page shown: a successful GET, or a form sent back with its errors (400), which shows
        # the record again.
        shown = (request.method in READ_METHODS and status < 400) or status == 400
        if shown and seen:
            verb = "breakglass.read" if rules.reads_by_break_glass(user) else "read"
            record_reads(user, f"{verb}:{route}"[:64], sorted(seen), request=request)
        elif status in (403, 404) and _names_a_record(request):
            record(user, f"access.refused:{route}"[:64], request=request)
        return response

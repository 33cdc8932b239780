import zoneinfo
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils import timezone


class OrganisationTimezoneMiddleware:
    """Show times in the signed-in user's organisation time zone."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        org = getattr(user, "organisation", None) if user is not None and user.is_authenticated else None
        if org is not None:
            timezone.activate(zoneinfo.ZoneInfo(org.time_zone))
        else:
            timezone.deactivate()
        return self.get_response(request)

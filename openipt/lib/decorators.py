"""View decorators naming who may enter a kind of page; which records they reach inside is
decided by the access gates, and both rest on `openipt.access.rules`."""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect

from openipt.access import rules
from openipt.accounts.models import Role


def clinical_view(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Clinicians and supervisors; an administrator only under emergency (break-glass) access."""

    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not rules.may_enter_clinical_pages(request.user):
            if _client_at_root(request):
                # The site's root is where a bookmark or a typed address lands: a client there
                # is sent to their portal. Every other staff page still refuses them.
                return HttpResponseRedirect(rules.landing_url(request.user))
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


def _client_at_root(request: HttpRequest) -> bool:
    user_role = getattr(request.user, "role", None)
    return request.method in ("GET", "HEAD") and request.path_info == "/" and user_role == Role.CLIENT


def admin_view(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Signed-in organisation administrators only."""

    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not rules.can_administer(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper

"""View decorators naming who may enter a kind of page; which records they reach inside is
decided by the access gates, and both rest on `openipt.access.rules`."""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect

from openipt.access import rules


def clinical_view(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Clinicians and supervisors; an administrator only under emergency (break-glass) access."""

    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not rules.may_enter_clinical_pages(request.user):
            if _at_root(request):
                # The site's root is where a bookmark or a typed address lands: whoever may not
                # enter clinical pages is sent where their OpenIPT begins (a client's portal, an
                # administrator's user list). Every other staff page still refuses them.
                return HttpResponseRedirect(rules.landing_url(request.user))
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


def _at_root(request: HttpRequest) -> bool:
    return request.method in ("GET", "HEAD") and request.path_info == "/"


def admin_view(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Signed-in organisation administrators only."""

    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not rules.can_administer(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper

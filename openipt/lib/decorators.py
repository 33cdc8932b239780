from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse


def clinical_view(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Signed-in clinicians and supervisors only. Which records they reach is decided by access.py."""

    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not getattr(request.user, "has_clinical_access", False):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


def admin_view(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Signed-in organisation administrators only."""

    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        user = request.user
        if not getattr(user, "is_org_admin", False) or getattr(user, "organisation_id", None) is None:
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper

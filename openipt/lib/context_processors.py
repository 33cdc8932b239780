from typing import Any

from django.http import HttpRequest

from openipt.access import rules


def navigation(request: HttpRequest) -> dict[str, Any]:
    """Which sections of the top navigation the signed-in user has."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav": {}, "home_url": "/"}
    clinical = bool(getattr(user, "has_clinical_access", False))
    admin = rules.can_administer(user)
    grants = list(rules.active_grants(user).select_related("client")) if admin else []
    return {
        "emergency_grants": grants,
        "nav": {
            "caseload": clinical,
            "clients": clinical,
            "supervision": getattr(user, "is_supervisor", False),
            "admin": admin,
        },
        "organisation": getattr(user, "organisation", None),
        "home_url": rules.landing_url(user, grants_in_force=bool(grants)),
    }

from typing import Any

from django.http import HttpRequest


def navigation(request: HttpRequest) -> dict[str, Any]:
    """Which sections of the top navigation the signed-in user has."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav": {}}
    clinical = bool(getattr(user, "has_clinical_access", False))
    return {
        "nav": {
            "caseload": clinical,
            "clients": clinical,
            "supervision": getattr(user, "is_supervisor", False),
            "admin": getattr(user, "is_org_admin", False),
        },
        "organisation": getattr(user, "organisation", None),
    }

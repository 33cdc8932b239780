from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.cache import add_never_cache_headers


class ClinicalPagesMiddleware:
    """Never let a browser or proxy keep a copy of a page shown to a signed-in user."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and not request.path.startswith("/static/"):
            add_never_cache_headers(response)
            response["Cache-Control"] = "no-store, no-cache, must-revalidate, private, max-age=0"
        return response


class ContentSecurityPolicyMiddleware:
    """Send the Content-Security-Policy and Permissions-Policy on every response.

    The policy allows no inline script or style and nothing from another origin, so text that a
    user typed can never run as script even if a template forgot to escape it (ASVS 3.4.3/3.4.6).
    It sits just inside SecurityMiddleware, before WhiteNoise, so static files and error pages carry
    it too. A view that sets its own policy keeps it. With DEBUG on, Django's technical 404 and 500
    pages (inline styles and script) are left without one so they stay readable.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.csp: str = settings.OPENIPT_CONTENT_SECURITY_POLICY
        self.permissions: str = settings.OPENIPT_PERMISSIONS_POLICY

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if self.permissions:
            response.headers.setdefault("Permissions-Policy", self.permissions)
        if self.csp and not (settings.DEBUG and response.status_code in (404, 500)):
            response.headers.setdefault("Content-Security-Policy", self.csp)
        return response


class MethodNotAllowedPageMiddleware:
    """Give a bare 405 (e.g. `require_POST` opened by a link or a reload) a page with a way back.

    Only an empty 405 is replaced, so an API answer that explains itself is left alone; the
    Allow header stays."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if response.status_code != 405 or getattr(response, "streaming", False) or response.content:
            return response
        user = getattr(request, "user", None)
        base = "portal/base.html" if getattr(user, "role", "") == "client" else "base.html"
        page = render(request, "405.html", {"base": base}, status=405)
        if "Allow" in response.headers:
            page["Allow"] = response["Allow"]
        return page

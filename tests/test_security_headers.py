"""Security headers on every kind of response, and Django's deployment checks with production settings.

ASVS 5.0 3.4.1 (HSTS), 3.4.3/3.4.6 (CSP with object-src, base-uri and frame-ancestors), 3.4.4/3.4.5
(nosniff, Referrer-Policy), 14.3.2 (no-store on pages with clinical data). The browser leg
(tests/browser/test_xss.py) checks that no page breaks this policy.
"""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.http import HttpRequest, HttpResponse
from django.test import Client as WebClient
from django.urls import path

from openipt.clients.models import Client
from openipt.courses.models import Course

REPO = Path(__file__).resolve().parents[1]
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
    "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'"
)
PERMISSIONS = "camera=(), microphone=(), geolocation=(), payment=(), usb=()"


def broken(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("a bug")


def own_policy(request: HttpRequest) -> HttpResponse:
    response = HttpResponse("ok")
    response["Content-Security-Policy"] = "default-src 'none'"
    return response


urlpatterns = [path("broken/", broken), path("own-policy/", own_policy)]


def assert_security_headers(response: HttpResponse) -> None:
    assert response["Content-Security-Policy"] == CSP
    assert response["Permissions-Policy"] == PERMISSIONS
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"


def test_it_sends_the_headers_on_a_public_page(client: WebClient, db: None) -> None:
    response = client.get("/accounts/login/")
    assert response.status_code == 200
    assert_security_headers(response)


def test_it_sends_the_headers_and_no_store_on_a_signed_in_page(
    client: WebClient, alice, client_a: Client, course_a: Course
) -> None:
    client.force_login(alice)
    response = client.get(f"/clients/{client_a.pk}/")
    assert response.status_code == 200
    assert "Maya Okafor" in response.content.decode()
    assert_security_headers(response)
    assert "no-store" in response["Cache-Control"]


def test_it_sends_the_headers_on_not_found_pages(client: WebClient, alice, client_a: Client) -> None:
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert_security_headers(response)
    client.force_login(alice)
    response = client.get(f"/clients/{client_a.pk + 1000}/")
    assert response.status_code == 404
    assert_security_headers(response)
    assert "no-store" in response["Cache-Control"]


@pytest.mark.urls(__name__)
def test_it_sends_the_headers_on_a_server_error_page(client: WebClient, db: None) -> None:
    client.raise_request_exception = False
    response = client.get("/broken/")
    assert response.status_code == 500
    assert_security_headers(response)


def test_it_sends_the_headers_on_static_files(client: WebClient, db: None) -> None:
    response = client.get("/static/openipt/openipt.css")
    assert response.status_code == 200
    assert response["Content-Security-Policy"] == CSP
    assert response["Permissions-Policy"] == PERMISSIONS
    assert response["X-Content-Type-Options"] == "nosniff"


@pytest.mark.urls(__name__)
def test_it_keeps_a_policy_that_a_view_set_itself(client: WebClient, db: None) -> None:
    response = client.get("/own-policy/")
    assert response["Content-Security-Policy"] == "default-src 'none'"
    assert response["Permissions-Policy"] == PERMISSIONS


def test_it_leaves_debug_pages_readable_but_polices_the_rest(client: WebClient, settings, db) -> None:
    settings.DEBUG = True
    assert "Content-Security-Policy" not in client.get("/no-such-page/")
    assert client.get("/accounts/login/")["Content-Security-Policy"] == CSP


def test_it_sends_hsts_for_a_year_over_https_in_production(client: WebClient, settings, db) -> None:
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SECURE_SSL_REDIRECT = True
    assert client.get("/accounts/login/").status_code == 301  # plain HTTP is sent to HTTPS
    response = client.get("/accounts/login/", secure=True)
    assert response.status_code == 200
    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    assert_security_headers(response)


def test_it_passes_the_deployment_checks_with_production_settings(tmp_path: Path) -> None:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("OPENIPT_") and k not in {"DATABASE_URL", "SECRET_KEY", "DEBUG"}
    }
    env.update(
        DJANGO_SETTINGS_MODULE="openipt.settings",
        OPENIPT_VAR_DIR=str(tmp_path),
        OPENIPT_DEBUG="0",
        OPENIPT_INSECURE_HTTP="0",
        SECRET_KEY=secrets.token_urlsafe(64),
        ALLOWED_HOSTS="openipt.example.org",
    )
    done = subprocess.run(
        [sys.executable, "-m", "django", "check", "--deploy", "--fail-level", "WARNING"],
        capture_output=True,
        text=True,
        env=env,
        cwd=REPO,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "no issues" in done.stdout

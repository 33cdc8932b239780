"""System checks for the authentication and session settings (`openipt check [--deploy]`)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, Tags, Warning, register


@register(Tags.security, deploy=True)
def check_mfa_required(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    if getattr(settings, "OPENIPT_REQUIRE_MFA", True):
        return []
    return [
        Warning(
            "Two-factor authentication is not required for staff accounts.",
            hint="Unset OPENIPT_REQUIRE_MFA (or set it to 1) so every clinician, supervisor and "
            "administrator signs in with an authenticator app.",
            id="accounts.W001",
        )
    ]


@register(Tags.security)
def check_session_limits(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    idle = getattr(settings, "OPENIPT_IDLE_TIMEOUT_MINUTES", 15)
    hours = getattr(settings, "OPENIPT_SESSION_MAX_HOURS", 12)
    problems: list[CheckMessage] = []
    if idle < 1:
        problems.append(
            Error(
                f"OPENIPT_IDLE_TIMEOUT_MINUTES must be at least 1, not {idle}.",
                hint="Use 15 (the default) or another number of minutes.",
                id="accounts.E001",
            )
        )
    if hours < 1:
        problems.append(
            Error(
                f"OPENIPT_SESSION_MAX_HOURS must be at least 1, not {hours}.",
                hint="Use 12 (the default) or another number of hours.",
                id="accounts.E002",
            )
        )
    age = settings.SESSION_COOKIE_AGE
    if idle >= 1 and age < idle * 60:
        problems.append(
            Warning(
                f"SESSION_COOKIE_AGE ({age} s) is shorter than the idle timeout "
                f"({idle} min): sessions would vanish without the message that says why.",
                hint="Set OPENIPT_SESSION_SECONDS to at least OPENIPT_IDLE_TIMEOUT_MINUTES × 60.",
                id="accounts.W002",
            )
        )
    return problems


@register(Tags.security)
def check_shared_cache(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """Lock-out counters and used TOTP codes must be seen by every worker process."""
    backend = settings.CACHES.get("default", {}).get("BACKEND", "")
    if backend.endswith(("LocMemCache", "DummyCache")):
        return [
            Error(
                f"The default cache ({backend.rsplit('.', 1)[-1]}) is not shared between worker processes.",
                hint="Sign-in lock-out and single-use TOTP codes need a shared cache: keep OpenIPT's "
                "DatabaseCache setting (or use Redis/Memcached).",
                id="accounts.E010",
            )
        ]
    return []

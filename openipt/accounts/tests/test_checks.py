"""System checks on the session settings (the MFA deploy check is in test_mfa.py)."""

from __future__ import annotations

from django.test import override_settings

from openipt.accounts.checks import check_session_limits


def test_the_default_settings_pass() -> None:
    assert check_session_limits() == []


def test_limits_below_one_are_errors() -> None:
    with override_settings(OPENIPT_IDLE_TIMEOUT_MINUTES=0, OPENIPT_SESSION_MAX_HOURS=0):
        assert [m.id for m in check_session_limits()] == ["accounts.E001", "accounts.E002"]


def test_a_session_cookie_shorter_than_the_idle_timeout_is_a_warning() -> None:
    with override_settings(SESSION_COOKIE_AGE=600, OPENIPT_IDLE_TIMEOUT_MINUTES=15):
        [warning] = check_session_limits()
    assert warning.id == "accounts.W002"
    assert "OPENIPT_SESSION_SECONDS" in (warning.hint or "")


def test_the_cache_is_shared_between_worker_processes() -> None:
    from django.conf import settings

    from openipt.accounts.checks import check_shared_cache

    assert settings.CACHES["default"]["BACKEND"] == "django.core.cache.backends.db.DatabaseCache"
    assert check_shared_cache() == []


def test_a_per_process_cache_is_an_error(settings) -> None:
    from openipt.accounts.checks import check_shared_cache

    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    assert [m.id for m in check_shared_cache()] == ["accounts.E010"]


def test_a_used_totp_code_is_remembered_in_the_database(db) -> None:
    from django.core.cache import cache
    from django.db import connection

    cache.add("openipt-test-key", 1, 60)
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM openipt_cache")
        assert cursor.fetchone()[0] >= 1

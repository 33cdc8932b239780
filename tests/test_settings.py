"""Settings come from environment variables through strict helpers; production defaults are safe.

The production settings module is checked in fresh processes, since settings are read once at
import and the test run itself uses openipt.test_settings.
"""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings as test_settings
from django.contrib.auth.hashers import Argon2PasswordHasher, make_password
from django.core.exceptions import ImproperlyConfigured

import openipt.settings as production
from openipt.settings import _secret_key, env_bool, env_int, env_list

REPO = Path(__file__).resolve().parents[1]
VAR = "OPENIPT_TEST_VARIABLE"


def production_settings(tmp_path: Path, *names: str, **env: str) -> dict[str, Any]:
    """The named settings as a fresh process with openipt.settings sees them."""
    clean = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("OPENIPT_")
        and k not in {"DATABASE_URL", "SECRET_KEY", "DJANGO_SETTINGS_MODULE", "ALLOWED_HOSTS"}
    }
    clean.update(DJANGO_SETTINGS_MODULE="openipt.settings", OPENIPT_VAR_DIR=str(tmp_path), **env)
    code = (
        "import json, django; from django.conf import settings; django.setup(); "
        f"print(json.dumps({{n: getattr(settings, n) for n in {list(names)!r}}}, default=str))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env=clean,
        cwd=REPO,
        timeout=60,
        check=False,
    )
    if done.returncode != 0:
        raise AssertionError(done.stderr)
    return json.loads(done.stdout)


@pytest.mark.parametrize("raw", ["1", "true", "TRUE", "yes", "on", " On "])
def test_env_bool_reads_true(monkeypatch: pytest.MonkeyPatch, raw: str) -> None:
    monkeypatch.setenv(VAR, raw)
    assert env_bool(VAR) is True


@pytest.mark.parametrize("raw", ["0", "false", "False", "no", "off"])
def test_env_bool_reads_false(monkeypatch: pytest.MonkeyPatch, raw: str) -> None:
    monkeypatch.setenv(VAR, raw)
    assert env_bool(VAR, default=True) is False


def test_env_bool_uses_the_default_when_unset_or_empty(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(VAR, raising=False)
    assert env_bool(VAR) is False
    assert env_bool(VAR, default=True) is True
    monkeypatch.setenv(VAR, "")
    assert env_bool(VAR, default=True) is True


@pytest.mark.parametrize("raw", ["maybe", "2", "y", "tru"])
def test_env_bool_refuses_anything_else_naming_the_variable(
    monkeypatch: pytest.MonkeyPatch, raw: str
) -> None:
    monkeypatch.setenv(VAR, raw)
    with pytest.raises(ImproperlyConfigured, match=f"^{VAR} must be 1/0, true/false, yes/no or on/off"):
        env_bool(VAR)


def test_env_int_reads_whole_numbers(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(VAR, "3600")
    assert env_int(VAR, 7) == 3600
    monkeypatch.setenv(VAR, "")
    assert env_int(VAR, 7) == 7
    monkeypatch.delenv(VAR)
    assert env_int(VAR, 7) == 7


@pytest.mark.parametrize("raw", ["ten", "4.5", "1e3", "8h"])
def test_env_int_refuses_anything_else_naming_the_variable(monkeypatch: pytest.MonkeyPatch, raw: str) -> None:
    monkeypatch.setenv(VAR, raw)
    with pytest.raises(ImproperlyConfigured, match=f"^{VAR} must be a whole number"):
        env_int(VAR, 7)


def test_env_list_splits_on_commas(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(VAR, " openipt.example.org, ,www.openipt.example.org ")
    assert env_list(VAR, ["x"]) == ["openipt.example.org", "www.openipt.example.org"]
    monkeypatch.setenv(VAR, "  ")
    assert env_list(VAR, ["x"]) == ["x"]


def test_the_secret_key_is_generated_once_readable_only_by_the_owner(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    var = tmp_path / "var"  # does not exist yet
    monkeypatch.setattr(production, "VAR_DIR", var)
    monkeypatch.delenv("SECRET_KEY", raising=False)

    key = _secret_key()

    path = var / "secret_key"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert len(key) >= 50
    assert path.read_text().strip() == key
    assert _secret_key() == key  # reused, not regenerated
    assert [p.name for p in var.iterdir()] == ["secret_key"]


def test_a_secret_key_in_the_environment_wins(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(production, "VAR_DIR", tmp_path)
    monkeypatch.setenv("SECRET_KEY", "from-the-environment")
    assert _secret_key() == "from-the-environment"
    assert not (tmp_path / "secret_key").exists()


def test_a_fresh_process_generates_and_then_reuses_the_key(tmp_path: Path) -> None:
    first = production_settings(tmp_path, "SECRET_KEY")["SECRET_KEY"]
    second = production_settings(tmp_path, "SECRET_KEY")["SECRET_KEY"]
    assert first == second == (tmp_path / "secret_key").read_text().strip()
    assert stat.S_IMODE((tmp_path / "secret_key").stat().st_mode) == 0o600


def test_production_defaults_are_secure(tmp_path: Path) -> None:
    values = production_settings(
        tmp_path,
        "DEBUG",
        "SESSION_COOKIE_SECURE",
        "CSRF_COOKIE_SECURE",
        "SECURE_SSL_REDIRECT",
        "SECURE_HSTS_SECONDS",
        "SECURE_PROXY_SSL_HEADER",
        "PASSWORD_HASHERS",
        "ALLOWED_HOSTS",
        "DATABASES",
    )
    assert values["DEBUG"] is False
    assert values["SESSION_COOKIE_SECURE"] is values["CSRF_COOKIE_SECURE"] is True
    assert values["SECURE_SSL_REDIRECT"] is True
    assert values["SECURE_HSTS_SECONDS"] == 31536000
    assert values["SECURE_PROXY_SSL_HEADER"] is None
    assert values["PASSWORD_HASHERS"][0] == "django.contrib.auth.hashers.Argon2PasswordHasher"
    assert values["ALLOWED_HOSTS"] == ["127.0.0.1", "localhost", "[::1]"]
    database = values["DATABASES"]["default"]
    assert database["ENGINE"] == "openipt.lib.db.sqlite3"
    assert database["NAME"] == str(tmp_path / "openipt.sqlite3")


def test_plain_http_for_a_single_machine_is_an_explicit_choice(tmp_path: Path) -> None:
    values = production_settings(
        tmp_path,
        "SESSION_COOKIE_SECURE",
        "SECURE_SSL_REDIRECT",
        "SECURE_HSTS_SECONDS",
        "SECURE_PROXY_SSL_HEADER",
        OPENIPT_INSECURE_HTTP="1",
        OPENIPT_BEHIND_PROXY="yes",
    )
    assert values == {
        "SESSION_COOKIE_SECURE": False,
        "SECURE_SSL_REDIRECT": False,
        "SECURE_HSTS_SECONDS": 0,
        "SECURE_PROXY_SSL_HEADER": ["HTTP_X_FORWARDED_PROTO", "https"],
    }


def test_database_url_switches_the_engine(tmp_path: Path) -> None:
    url = "postgres://openipt:pw@db.internal:5432/openipt"
    database = production_settings(tmp_path, "DATABASES", DATABASE_URL=url)["DATABASES"]["default"]
    assert database["ENGINE"] == "django.db.backends.postgresql"
    assert (database["NAME"], database["HOST"], database["PORT"]) == ("openipt", "db.internal", 5432)
    assert database["ATOMIC_REQUESTS"] is False


def test_a_bad_value_stops_start_up_naming_the_variable(tmp_path: Path) -> None:
    # One real start-up is enough here: the helpers' refusals are tested one by one above.
    with pytest.raises(AssertionError, match="OPENIPT_SESSION_SECONDS must be a whole number, not '8h'"):
        production_settings(tmp_path, "DEBUG", OPENIPT_SESSION_SECONDS="8h")


def test_production_hashes_passwords_with_argon2() -> None:
    assert production.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"
    hasher = Argon2PasswordHasher()  # argon2-cffi is installed, so the first hasher really works
    encoded = make_password("correct horse battery staple", hasher=hasher)
    assert encoded.startswith("argon2$argon2id$")
    assert hasher.verify("correct horse battery staple", encoded)
    assert not hasher.verify("wrong", encoded)


def test_the_test_run_uses_a_fast_hasher_on_purpose() -> None:
    assert test_settings.PASSWORD_HASHERS == ["django.contrib.auth.hashers.MD5PasswordHasher"]


def test_two_processes_starting_at_once_share_one_complete_key(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # Gunicorn workers import the settings side by side: another worker may create the file
    # between this one's look and its write.
    monkeypatch.setattr(production, "VAR_DIR", tmp_path)
    monkeypatch.delenv("SECRET_KEY", raising=False)
    (tmp_path / "secret_key").write_text("written-by-the-other-worker")
    monkeypatch.setattr(Path, "exists", lambda self: False)

    assert _secret_key() == "written-by-the-other-worker"
    assert [p.name for p in tmp_path.iterdir()] == ["secret_key"]

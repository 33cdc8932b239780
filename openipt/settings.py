"""OpenIPT settings, read from environment variables through strict helpers.

Every setting that an operator may change is an environment variable (see README.md).
Nothing here reads the database or the clock.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("OPENIPT_VAR_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool = False) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be 1/0, true/false, yes/no or on/off, not {raw!r}")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {raw!r}") from None


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    return [part.strip() for part in raw.split(",") if part.strip()]


def _secret_key() -> str:
    """SECRET_KEY from the environment, else one generated once into var/secret_key."""
    key = os.environ.get("SECRET_KEY")
    if key:
        return key
    path = VAR_DIR / "secret_key"
    if not path.exists():
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        # Written in full under a private name, then linked into place: server workers starting
        # side by side never read a half-written key, and the first one to link wins.
        draft = VAR_DIR / f".secret_key.{os.getpid()}.{secrets.token_hex(4)}"
        fd = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_urlsafe(64))
        try:
            os.link(draft, path)
        except FileExistsError:
            pass
        finally:
            draft.unlink()
    return path.read_text().strip()


DEBUG = env_bool("OPENIPT_DEBUG")
SECRET_KEY = _secret_key()
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "simple_history",
    "django_tasks",
    "django_tasks_db",
    "openipt.accounts",
    "openipt.access",
    "openipt.audit",
    "openipt.clients",
    "openipt.courses",
    "openipt.inventory",
    "openipt.measures",
    "openipt.safety",
    "openipt.notes",
    "openipt.portal",
    "openipt.diary",
    "openipt.reminders",
    "openipt.reports",
    "openipt.ops",
    "openipt.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "openipt.lib.middleware.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "openipt.lib.middleware.ClinicalPagesMiddleware",
    "openipt.access.middleware.ClientReadAuditMiddleware",
    "openipt.accounts.middleware.SessionLimitsMiddleware",
    "openipt.accounts.middleware.RequireMFAMiddleware",
    "openipt.accounts.middleware.OrganisationTimezoneMiddleware",
    "openipt.lib.middleware.MethodNotAllowedPageMiddleware",
]

ROOT_URLCONF = "openipt.urls"
WSGI_APPLICATION = "openipt.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "openipt" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "openipt.lib.context_processors.navigation",
            ],
            "builtins": ["openipt.lib.form_tags"],
        },
    },
]

# Database: the embedded SQLite under var/ unless DATABASE_URL points elsewhere.
SQLITE_PATH = Path(os.environ.get("OPENIPT_SQLITE_PATH", VAR_DIR / "openipt.sqlite3"))
if os.environ.get("DATABASE_URL"):
    DATABASES = {"default": dj_database_url.parse(os.environ["DATABASE_URL"], conn_max_age=60)}
    DATABASES["default"]["ATOMIC_REQUESTS"] = False
else:
    DATABASES = {
        "default": {
            "ENGINE": "openipt.lib.db.sqlite3",  # Django's, with a trigger-aware flush
            "TEST": {"NAME": ":memory:"},  # Django's default, said out loud for pytest-xdist
            "NAME": str(SQLITE_PATH),
            "OPTIONS": {
                # IMMEDIATE avoids "database is locked" upgrades under concurrent writers;
                # WAL and synchronous=FULL keep every acknowledged write on disk.
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": (
                    "PRAGMA journal_mode=WAL;"
                    "PRAGMA synchronous=FULL;"
                    "PRAGMA foreign_keys=ON;"
                    "PRAGMA busy_timeout=20000;"
                ),
            },
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# One cache shared by every worker process, in the database (table made by accounts migration
# 0005): sign-in lock-out counters, the second-factor attempt limit and the record of TOTP codes
# already used live here, so they must not be per-process (`accounts.E010` refuses that).
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "openipt_cache",
    }
}

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    # No username, organisation name or "OpenIPT" inside a password: the first words an attacker tries.
    {"NAME": "openipt.accounts.validators.OwnNamesPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "courses:caseload"
LOGOUT_REDIRECT_URL = "account_login"

# django-allauth: username login, no self sign-up (accounts are made by an admin).
ACCOUNT_LOGIN_METHODS = {"username"}
ACCOUNT_SIGNUP_FIELDS = ["username*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_ADAPTER = "openipt.accounts.adapter.AccountAdapter"
ACCOUNT_LOGOUT_ON_GET = False
ACCOUNT_SESSION_REMEMBER = False
ACCOUNT_LOGIN_ON_PASSWORD_RESET = False
# Failed sign-ins: 10 a minute from one address, and 5 in 5 minutes for one username from any
# address (the adapter keys on the username alone). Each failure and each refused attempt is audited.
ACCOUNT_RATE_LIMITS = {"login_failed": "10/m/ip,5/5m/key"}
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False  # the current session continues; all others end
# Behind a reverse proxy the client address is the last X-Forwarded-For hop, not the proxy's, so
# one address's failures do not lock everyone out.
ALLAUTH_TRUSTED_PROXY_COUNT = 1 if env_bool("OPENIPT_BEHIND_PROXY") else 0

# Two-factor authentication (allauth.mfa): an authenticator app (TOTP) plus recovery codes.
# Staff (clinicians, supervisors, administrators) must enrol before they reach any page
# (openipt.accounts.middleware.RequireMFAMiddleware); `check --deploy` warns when this is off.
OPENIPT_REQUIRE_MFA = env_bool("OPENIPT_REQUIRE_MFA", default=True)
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "OpenIPT"
MFA_FORMS = {"authenticate": "openipt.accounts.forms.MFAAuthenticateForm"}  # audits lock-outs

# Session limits (openipt.accounts.middleware.SessionLimitsMiddleware): signed out after this many
# minutes without a request, and staff after this many hours signed in however active.
OPENIPT_IDLE_TIMEOUT_MINUTES = env_int("OPENIPT_IDLE_TIMEOUT_MINUTES", 15)
OPENIPT_SESSION_MAX_HOURS = env_int("OPENIPT_SESSION_MAX_HOURS", 12)
# A portal sign-in link request answers no sooner than this (plus jitter), whether or not the
# username exists, so the timing does not reveal which usernames do (openipt.portal.views).
OPENIPT_SIGN_IN_LINK_FLOOR_SECONDS = env_int("OPENIPT_SIGN_IN_LINK_FLOOR_SECONDS", 2)

LANGUAGE_CODE = "en-gb"
LANGUAGES = [("en-gb", "English (UK)"), ("en-us", "English (US)")]
LOCALE_PATHS = [BASE_DIR / "openipt" / "locale"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "openipt" / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG or env_bool("OPENIPT_PLAIN_STATIC")
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = DEBUG or env_bool("OPENIPT_PLAIN_STATIC")

# Background work (e-mail notifications, escalation) goes through Django's tasks API with the
# database backend; `openipt worker` runs the worker beside the web servers.
TASKS = {"default": {"BACKEND": "django_tasks_db.backend.DatabaseBackend"}}

EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "openipt@localhost")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS")
# A hung mail server must not stall the worker (and with it the escalation scan).
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 30)
# The start of links in e-mails (e.g. https://ipt.example.org); never followed by clinical data.
OPENIPT_BASE_URL = os.environ.get("OPENIPT_BASE_URL", "http://127.0.0.1:8000").rstrip("/")

# --- Reminders (openipt.reminders) ----------------------------------------------------------------
# Portal clients are reminded of their next session and of questionnaires due before it, by e-mail
# or text message as they choose on the portal; `openipt worker` sends the reminders. Text messages
# go through OPENIPT_SMS_BACKEND, the dotted path of a class in openipt.reminders.sms (or your own
# gateway's): the default console backend prints them with the number masked and sends nothing.
OPENIPT_SMS_BACKEND = os.environ.get("OPENIPT_SMS_BACKEND", "openipt.reminders.sms.ConsoleBackend")
# Lead times in days before the session (0 = on the day), sent from this hour of the organisation's
# day (0-20); a reminder not sent by 21:00 that day is not sent at all.
OPENIPT_REMINDER_SESSION_DAYS = env_int("OPENIPT_REMINDER_SESSION_DAYS", 1)
OPENIPT_REMINDER_QUESTIONNAIRE_DAYS = env_int("OPENIPT_REMINDER_QUESTIONNAIRE_DAYS", 2)
OPENIPT_REMINDER_HOUR = env_int("OPENIPT_REMINDER_HOUR", 10)

# Security. Secure cookies and HSTS are on unless OPENIPT_INSECURE_HTTP=1, which `make run`
# sets because it serves plain HTTP on loopback for a single machine.
INSECURE_HTTP = env_bool("OPENIPT_INSECURE_HTTP")
SESSION_COOKIE_SECURE = not INSECURE_HTTP
CSRF_COOKIE_SECURE = not INSECURE_HTTP
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = env_int("OPENIPT_SESSION_SECONDS", 8 * 60 * 60)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SECURE_SSL_REDIRECT = env_bool("OPENIPT_SSL_REDIRECT", default=not INSECURE_HTTP)
SECURE_HSTS_SECONDS = 0 if INSECURE_HTTP else env_int("OPENIPT_HSTS_SECONDS", 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = False
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("OPENIPT_BEHIND_PROXY") else None
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# Sent by openipt.lib.middleware.ContentSecurityPolicyMiddleware on every response. No inline
# script or style anywhere: htmx is a static file with eval and indicator styles turned off (see
# base.html), and the SVG charts and diagrams draw with classes and attributes, never `style=`.
OPENIPT_CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
        "base-uri 'none'",
        "object-src 'none'",
    ]
)
OPENIPT_PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=()"
SILENCED_SYSTEM_CHECKS = ["security.W021"]  # HSTS preload is a deliberate opt-in per deployment

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("OPENIPT_LOG_LEVEL", "INFO")},
    "loggers": {"django.request": {"level": "ERROR"}},
}

OPENIPT_DEMO_PASSWORD = os.environ.get("OPENIPT_DEMO_PASSWORD", "")

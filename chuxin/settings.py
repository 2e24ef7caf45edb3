"""Settings: defaults suitable for the embedded demo, everything overridable from the environment.

Environment variables: ``DATABASE_URL`` (``sqlite:///path`` or ``postgres://…``), ``CHUXIN_SECRET_KEY``,
``CHUXIN_DEBUG``, ``CHUXIN_ALLOWED_HOSTS`` (comma-separated), ``CHUXIN_DATA_DIR``, ``CHUXIN_ORIGINALITY_DIR``,
``CHUXIN_EMAIL_HOST`` (+ ``_PORT``, ``_USER``, ``_PASSWORD``, ``_TLS``, ``_FROM``: mail the daily digests),
``CHUXIN_TASKS`` (``thread`` runs background tasks in a worker thread of the server process, ``sync`` runs them inline).
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def envbool(name: str, default: str) -> bool:
    value = os.environ.get(name, default).strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off", ""}:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {value!r}")


DATA_DIR = Path(os.environ.get("CHUXIN_DATA_DIR", BASE_DIR / "var"))


def _secret_key() -> str:
    key = os.environ.get("CHUXIN_SECRET_KEY")
    if key:
        return key
    # A self-hosted install without configuration gets a stable random key kept beside its data.
    path = DATA_DIR / "secret_key"
    if not path.exists():
        DATA_DIR.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = _secret_key()
DEBUG = envbool("CHUXIN_DEBUG", "false")
ALLOWED_HOSTS = [h.strip() for h in os.environ.get("CHUXIN_ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h]
CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("CHUXIN_CSRF_TRUSTED_ORIGINS", "").split(",") if o]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_filters",
    "django_htmx",
    "core",
    "orgs",
    "learning",
    "essays",
    "campaigns",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "core.middleware.RequestContextMiddleware",
]

ROOT_URLCONF = "chuxin.urls"
WSGI_APPLICATION = "chuxin.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "core.context_processors.navigation",
            ],
        },
    },
]

DATABASE_URL = os.environ.get("DATABASE_URL") or f"sqlite:///{DATA_DIR / 'chuxin.sqlite3'}"
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        # WAL lets readers proceed during a long import; IMMEDIATE avoids upgrade deadlocks between writers.
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=20000; "
            # 2 MB (the default) thrashes on the random-keyed indexes of a large import or list.
            "PRAGMA cache_size=-131072; PRAGMA temp_store=MEMORY;"
        ),
        "transaction_mode": "IMMEDIATE",
    }
    if DATABASES["default"]["NAME"] not in ("", ":memory:"):
        Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("简体中文")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
FORMAT_MODULE_PATH = ["chuxin.formats"]
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # WhiteNoise warns about a missing directory otherwise
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Uploads (import files) hold personal data: they are never served as static files.
MEDIA_ROOT = DATA_DIR / "media"
MEDIA_URL = "/media/"
WHITENOISE_USE_FINDERS = True
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
CHUXIN_MAX_IMPORT_BYTES = int(os.environ.get("CHUXIN_MAX_IMPORT_BYTES", str(100 * 1024 * 1024)))
# A gap page of a subtree with more organizations than this first shows how many gaps of each kind there are.
CHUXIN_GAP_SUMMARY_ORGS = int(os.environ.get("CHUXIN_GAP_SUMMARY_ORGS", "1000"))
# A list export of more rows than this runs as a background task with a download link.
CHUXIN_EXPORT_TASK_ROWS = int(os.environ.get("CHUXIN_EXPORT_TASK_ROWS", "20000"))

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

CHUXIN_TASKS = os.environ.get("CHUXIN_TASKS", "thread")
# Reverse proxies in front of the server (nginx: 1): the client's address is then read from X-Forwarded-For.
CHUXIN_PROXY_COUNT = int(os.environ.get("CHUXIN_PROXY_COUNT", "0"))

# Mail (the daily digests): sent only when an SMTP server is configured; the notification centre works without.
EMAIL_HOST = os.environ.get("CHUXIN_EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("CHUXIN_EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("CHUXIN_EMAIL_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("CHUXIN_EMAIL_PASSWORD", "")
EMAIL_USE_TLS = envbool("CHUXIN_EMAIL_TLS", "false")
DEFAULT_FROM_EMAIL = os.environ.get("CHUXIN_EMAIL_FROM", "chuxin@localhost")
CHUXIN_DIGEST_EMAIL = bool(os.environ.get("CHUXIN_EMAIL_HOST"))
# The originality index (memory-mapped files derived from the database; `chuxin essays reindex` rebuilds it).
CHUXIN_ORIGINALITY_DIR = Path(os.environ.get("CHUXIN_ORIGINALITY_DIR", DATA_DIR / "originality"))

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer", "core.api.renderers.BrowsableAPIRenderer"],
    "DEFAULT_PARSER_CLASSES": [
        "core.api.parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_PAGINATION_CLASS": "core.api.pagination.Pagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "core.api.exceptions.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Chuxin API",
    "DESCRIPTION": ("Organizations, members, transfers, grants, import jobs, gaps, study and essays — scoped to "
                    "your grants."),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # Choice sets that share a field name across apps get their own component names.
    "ENUM_NAME_OVERRIDES": {
        "StudyKindEnum": "learning.choices.StudyKind",
        "ActivityAudienceEnum": "learning.choices.Audience",
        "EssayAudienceEnum": "essays.choices.EssayAudience",
        "EssayDecisionEnum": "essays.choices.Decision",
        "ReviewDecisionEnum": "campaigns.choices.ReviewDecision",
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}

"""Every setting GovWatch reads from the environment, in one place.

The defaults are those of the embedded mode: a SQLite file in ./var/, a secret key and a personal
data key generated on first run and kept in ./var/, Asia/Shanghai time. Production sets
DATABASE_URL (PostgreSQL) and the keys in the environment.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent
VAR_DIR = Path(os.environ.get("GOVWATCH_VAR_DIR", Path.cwd() / "var")).resolve()


def _env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _kept_secret(name: str, nbytes: int) -> str:
    """A secret from the environment, else one generated once and kept in VAR_DIR."""
    value = os.environ.get(name)
    if value:
        return value
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    path = VAR_DIR / name.lower()
    if not path.exists():
        tmp = path.with_suffix(".tmp")
        tmp.write_text(secrets.token_hex(nbytes))
        tmp.chmod(0o600)
        # A rename is atomic: two processes starting at once keep the same key.
        try:
            os.link(tmp, path)
        except FileExistsError:
            pass
        tmp.unlink(missing_ok=True)
    return path.read_text().strip()


SECRET_KEY = _kept_secret("GOVWATCH_SECRET_KEY", 32)
# Key for personal data (SM4) and its keyed SM3 hash: 16 bytes, hex.
PII_KEY = _kept_secret("GOVWATCH_PII_KEY", 16)

DEBUG = _env_bool("GOVWATCH_DEBUG", False)
ALLOWED_HOSTS = [h for h in os.environ.get("GOVWATCH_ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]").split(",") if h]
CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("GOVWATCH_CSRF_TRUSTED_ORIGINS", "").split(",") if o]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "govwatch.core",
    "govwatch.audit",
    "govwatch.accounts",
    "govwatch.orgs",
    "govwatch.catalog",
    "govwatch.workcal",
    "govwatch.cases",
    "govwatch.evaluations",
    "govwatch.complaints",
    "govwatch.imports",
    "govwatch.supervision",
    "govwatch.web",
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
]

ROOT_URLCONF = "govwatch.urls"
WSGI_APPLICATION = "govwatch.wsgi.application"

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
            ],
        },
    },
]

DATABASE_URL = os.environ.get("DATABASE_URL", "")
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
else:
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(VAR_DIR / "govwatch.sqlite3"),
        }
    }
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            # WAL lets the web and the worker read while one of them writes; IMMEDIATE takes the
            # write lock at BEGIN so two writers queue instead of failing half-way.
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=30000;",
            "transaction_mode": "IMMEDIATE",
            "timeout": 30,
        }
    )
    DATABASES["default"].setdefault("TEST", {})

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = os.environ.get("GOVWATCH_TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("GOVWATCH_STATIC_ROOT", VAR_DIR / "static"))
# Pages must work with no internet: every asset comes from installed packages and is served here.
WHITENOISE_USE_FINDERS = True

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

SESSION_COOKIE_AGE = int(os.environ.get("GOVWATCH_SESSION_SECONDS", 30 * 60))
SESSION_SAVE_EVERY_REQUEST = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = _env_bool("GOVWATCH_HTTPS", False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_HSTS_SECONDS = 31536000 if SESSION_COOKIE_SECURE else 0
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"

REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "rest_framework.authentication.TokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "GovWatch API",
    "DESCRIPTION": "政务服务效能监督平台 API",
    "VERSION": "1",
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"stderr": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["stderr"], "level": os.environ.get("GOVWATCH_LOG_LEVEL", "WARNING")},
}

# Case import: files with more rows than this are sorted through a temporary on-disk table so
# that memory stays flat at province scale.
IMPORT_MEMORY_ROWS = int(os.environ.get("GOVWATCH_IMPORT_MEMORY_ROWS", 1_000_000))

# Notifications: the SMS transport ("file": var/outbox.log, the embedded default; "http": a JSON
# gateway at GOVWATCH_SMS_URL with an optional bearer token).
SMS_TRANSPORT = os.environ.get("GOVWATCH_SMS_TRANSPORT", "file")
SMS_URL = os.environ.get("GOVWATCH_SMS_URL", "")
SMS_TOKEN = os.environ.get("GOVWATCH_SMS_TOKEN", "")

# Uploaded evidence (reply attachments): kept under var/ in the embedded mode.
MEDIA_ROOT = Path(os.environ.get("GOVWATCH_MEDIA_ROOT", VAR_DIR / "media"))
MEDIA_URL = "/media/"

# Supervision orders: a case red for more than this many working days gets one automatically.
ORDER_AFTER_RED_WORKDAYS = int(os.environ.get("GOVWATCH_ORDER_AFTER_RED_WORKDAYS", 1))
ORDER_REPLY_WORKDAYS = int(os.environ.get("GOVWATCH_ORDER_REPLY_WORKDAYS", 3))

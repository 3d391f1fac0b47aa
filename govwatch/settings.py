"""Every setting GovWatch reads from the environment, in one place.

The defaults are those of the embedded mode: a SQLite file in ./var/, a secret key and a personal
data key generated on first run and kept in ./var/, Asia/Shanghai time. Production sets
DATABASE_URL (PostgreSQL) and the keys in the environment.
"""

from __future__ import annotations

import os
import secrets
from datetime import timedelta
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
# Key of the audit chain's links and checkpoint signatures (HMAC-SM3): 32 bytes, hex, never in the database.
AUDIT_KEY = _kept_secret("GOVWATCH_AUDIT_KEY", 32)

DEBUG = _env_bool("GOVWATCH_DEBUG", False)
ALLOWED_HOSTS = [
    h for h in os.environ.get("GOVWATCH_ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]").split(",") if h
]
CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("GOVWATCH_CSRF_TRUSTED_ORIGINS", "").split(",") if o]

INSTALLED_APPS = [
    # The admin site of GovWatch: who may enter is decided by role (govwatch.web.admin_site).
    "govwatch.web.apps.GovWatchAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "axes",
    "csp",
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
    "govwatch.dispatch",
    "govwatch.complaints",
    "govwatch.projects",
    "govwatch.randomchecks",
    "govwatch.regulation",
    "govwatch.windows",
    "govwatch.kiosks",
    "govwatch.clues",
    "govwatch.rectification",
    "govwatch.hallchecks",
    "govwatch.integrity",
    "govwatch.figures",
    "govwatch.imports",
    "govwatch.api",
    "govwatch.supervision",
    "govwatch.checks",
    "govwatch.inspections",
    "govwatch.accountability",
    "govwatch.prediction",
    "govwatch.reports",
    "govwatch.web",
    "govwatch.public",
]

MIDDLEWARE = [
    # First: every later reader of REMOTE_ADDR (audit, rate limits, lock-out) sees the client.
    "govwatch.core.middleware.TrustedProxies",
    # Second: the requests of LEAN_STACKS leave here for their own shorter stack.
    "govwatch.core.middleware.LeanStacks",
    "django.middleware.security.SecurityMiddleware",
    # Before anything reads the address: a NUL in a path or a query would reach PostgreSQL.
    "govwatch.core.middleware.RefuseControlCharacters",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: it turns a locked-out login into the lock-out page.
    "axes.middleware.AxesMiddleware",
]

# The public evaluation POST (/e/<token>/, govwatch.public; a signed token holds a colon, which the
# complaint and clue forms' words do not): no session, login, messages, static
# files or login lock-out, only the headers, the policy and CSRF (its rate limits are its own).
# The busiest public request; see govwatch.core.middleware.LeanStacks and docs/benchmarks.md.
LEAN_STACKS = [
    (
        "POST",
        r"/e/[^/:]+:[^/]+/",
        [
            "django.middleware.security.SecurityMiddleware",
            "govwatch.core.middleware.RefuseControlCharacters",
            "csp.middleware.CSPMiddleware",
            "django.middleware.csrf.CsrfViewMiddleware",
            "django.middleware.clickjacking.XFrameOptionsMiddleware",
        ],
    )
]

# Requests answered by a WSGI path of their own before Django's handler (govwatch.wsgi): the
# evaluation POST's accepted evaluations (govwatch.public.leanpost; every other outcome is
# Django's). GOVWATCH_LEAN_POST=0 sends them through Django as well.
LEAN_PATHS = (
    [("POST", LEAN_STACKS[0][1], "govwatch.public.leanpost.LeanEvaluationPost")]
    if _env_bool("GOVWATCH_LEAN_POST", True)
    else []
)

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
    # Health checks: a connection kept across requests is tested before reuse, so a restarted
    # PostgreSQL costs no request an error (the worker and the web reconnect by themselves).
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60, conn_health_checks=True)}
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
            # A 64 MiB page cache: the default 2 MiB makes every insert into a large index with
            # random keys (event ids, evaluator hashes) a disk read at province scale.
            "init_command": (
                "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=30000;"
                " PRAGMA cache_size=-65536;"
            ),
            "transaction_mode": "IMMEDIATE",
            "timeout": 30,
        }
    )
    DATABASES["default"].setdefault("TEST", {})
    # Connections kept across requests: opening and closing one cost more than a form's POST. A kept
    # one is closed when another file is moved in under the database's name (govwatch.core.sqlite).
    DATABASES["default"].update(ENGINE="govwatch.core.sqlite", CONN_MAX_AGE=60, CONN_HEALTH_CHECKS=True)
    # Tests: in memory, as Django's own SQLite engine has it (named, since pytest-django only
    # recognises that engine by its name).
    DATABASES["default"]["TEST"].setdefault("NAME", ":memory:")

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
# Thousands grouped in Chinese too (govwatch/web/formats/zh_Hans/formats.py says why).
FORMAT_MODULE_PATH = ["govwatch.web.formats"]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = os.environ.get("GOVWATCH_TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("GOVWATCH_STATIC_ROOT", VAR_DIR / "static"))
# Pages must work with no internet: every asset comes from installed packages and is served here.
WHITENOISE_USE_FINDERS = True
# Browser libraries installed from the npm registry by the project's scripts (package.json): served
# under /static/vendor/<name>/, never copied into the repository nor loaded from a CDN.
NODE_MODULES = Path(os.environ.get("GOVWATCH_NODE_MODULES", BASE_DIR.parent / "node_modules"))
STATICFILES_DIRS = [("vendor/echarts", NODE_MODULES / "echarts" / "dist")]

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

SESSION_COOKIE_AGE = int(os.environ.get("GOVWATCH_SESSION_SECONDS", 30 * 60))
# Saved at every request, the session expires after SESSION_COOKIE_AGE of inactivity, not of use.
SESSION_SAVE_EVERY_REQUEST = True
SESSION_COOKIE_HTTPONLY = True

# Served over HTTPS (directly or behind a proxy that terminates TLS): cookies only over HTTPS, HSTS.
HTTPS = _env_bool("GOVWATCH_HTTPS", False)
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_HSTS_SECONDS = int(os.environ.get("GOVWATCH_HSTS_SECONDS", 31536000)) if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS and _env_bool("GOVWATCH_HSTS_SUBDOMAINS", False)
SECURE_SSL_REDIRECT = HTTPS and _env_bool("GOVWATCH_SSL_REDIRECT", False)
# "X-Forwarded-Proto: https": the header by which the proxy says the request came over HTTPS. Only
# set it behind a proxy that always sets (or strips) that header, or anyone could claim HTTPS.
_proxy_header = os.environ.get("GOVWATCH_PROXY_SSL_HEADER", "")
if _proxy_header:
    _name, _, _value = _proxy_header.partition(":")
    SECURE_PROXY_SSL_HEADER = ("HTTP_" + _name.strip().upper().replace("-", "_"), _value.strip() or "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# A refused form (an expired page, a forged post) is explained in Chinese, not by Django's English page.
CSRF_FAILURE_VIEW = "govwatch.web.views.errors.csrf_failure"

# Nothing inline, nothing from other hosts: every script and style is a file GovWatch serves.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        # Django's admin and Swagger UI draw their icons as data: SVG images.
        "img-src": ["'self'", "data:"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}

# The proxies (addresses or networks, comma-separated) whose X-Forwarded-For is believed: behind the
# nginx of docs/operations.md, 127.0.0.1. From any other address the header is ignored (anyone can
# write it), and REMOTE_ADDR is the client (govwatch.core.middleware.TrustedProxies).
TRUSTED_PROXIES = [p.strip() for p in os.environ.get("GOVWATCH_TRUSTED_PROXIES", "").split(",") if p.strip()]

# Lock-out after repeated failed logins (django-axes): per user name and client address (behind a
# trusted proxy, the client's own), so that a stranger's guesses lock the stranger's address out
# of that account, not the account's owner, and one person mistyping cannot lock a whole office
# behind one NAT address out. An address that fails across many accounts (guessing passwords for
# a list of names) is locked out of all of them (govwatch.accounts.lockout).
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_HANDLER = "govwatch.accounts.lockout.AddressLockoutHandler"
AXES_CLIENT_IP_CALLABLE = "govwatch.accounts.lockout.client_ip"
LOGIN_FAILURES_PER_ADDRESS = int(os.environ.get("GOVWATCH_LOGIN_FAILURES_PER_ADDRESS", 20))

REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "govwatch.api.authentication.SessionAuthentication",
        "govwatch.api.authentication.TokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    # Throttles key on REMOTE_ADDR, the client as TrustedProxies found it, never on X-Forwarded-For.
    "NUM_PROXIES": 0,
    # OPTIONS describes an endpoint without building its serializer (pushes have none to build).
    "DEFAULT_METADATA_CLASS": "govwatch.api.metadata.Metadata",
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
IMPORT_MEMORY_ROWS = int(os.environ.get("GOVWATCH_IMPORT_MEMORY_ROWS", 500_000))

# Notifications: the SMS transport ("file": var/outbox.log, the embedded default; "http": a JSON
# gateway at GOVWATCH_SMS_URL with an optional bearer token; "aliyun", "tencent": the cloud SMS
# services below, each sending the template approved for the kind of message).
SMS_TRANSPORT = os.environ.get("GOVWATCH_SMS_TRANSPORT", "file")
SMS_URL = os.environ.get("GOVWATCH_SMS_URL", "")
SMS_TOKEN = os.environ.get("GOVWATCH_SMS_TOKEN", "")
# Watched deadlines of the areas (complaints, rectification problems ...) and their reminders send
# their own three kinds (a key project's reminder letter: letter), with the variables kind_label,
# label, due_date, unit_name, case_no, remaining; a predicted lateness warning: predicted.
# Every kind of SMS GovWatch sends (supervision.transports.KINDS names them); the cloud providers
# need one approved template per kind.
SMS_MESSAGE_KINDS = (
    "red", "yellow", "order", "watch_yellow", "watch_red", "reminder", "letter", "predicted", "feedback", "complaint",
    "invite", "result",
)  # fmt: skip
ALIYUN_SMS = {
    "endpoint": os.environ.get("GOVWATCH_ALIYUN_SMS_ENDPOINT", "https://dysmsapi.aliyuncs.com/"),
    "access_key_id": os.environ.get("GOVWATCH_ALIYUN_ACCESS_KEY_ID", ""),
    "access_key_secret": os.environ.get("GOVWATCH_ALIYUN_ACCESS_KEY_SECRET", ""),
    "sign_name": os.environ.get("GOVWATCH_ALIYUN_SMS_SIGN_NAME", ""),
    "templates": {k: os.environ.get(f"GOVWATCH_ALIYUN_TEMPLATE_{k.upper()}", "") for k in SMS_MESSAGE_KINDS},
}
TENCENT_SMS = {
    "endpoint": os.environ.get("GOVWATCH_TENCENT_SMS_ENDPOINT", "https://sms.tencentcloudapi.com/"),
    "secret_id": os.environ.get("GOVWATCH_TENCENT_SECRET_ID", ""),
    "secret_key": os.environ.get("GOVWATCH_TENCENT_SECRET_KEY", ""),
    "region": os.environ.get("GOVWATCH_TENCENT_SMS_REGION", "ap-guangzhou"),
    "app_id": os.environ.get("GOVWATCH_TENCENT_SMS_APP_ID", ""),
    "sign_name": os.environ.get("GOVWATCH_TENCENT_SMS_SIGN_NAME", ""),
    "templates": {k: os.environ.get(f"GOVWATCH_TENCENT_TEMPLATE_{k.upper()}", "") for k in SMS_MESSAGE_KINDS},
}
# The "wecom" and "dingtalk" channels: group robots' webhooks (full URLs with their key or token).
WECOM_WEBHOOK = os.environ.get("GOVWATCH_WECOM_WEBHOOK", "")
DINGTALK_WEBHOOK = os.environ.get("GOVWATCH_DINGTALK_WEBHOOK", "")
DINGTALK_SECRET = os.environ.get("GOVWATCH_DINGTALK_SECRET", "")
# The "email" channel: SMTP once GOVWATCH_EMAIL_HOST is set, else printed (the embedded mode).
EMAIL_HOST = os.environ.get("GOVWATCH_EMAIL_HOST", "")
EMAIL_BACKEND = os.environ.get(
    "GOVWATCH_EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if EMAIL_HOST
    else "django.core.mail.backends.console.EmailBackend",
)
EMAIL_PORT = int(os.environ.get("GOVWATCH_EMAIL_PORT", 25))
EMAIL_HOST_USER = os.environ.get("GOVWATCH_EMAIL_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("GOVWATCH_EMAIL_PASSWORD", "")
EMAIL_USE_TLS = _env_bool("GOVWATCH_EMAIL_USE_TLS", False)
EMAIL_USE_SSL = _env_bool("GOVWATCH_EMAIL_USE_SSL", False)
# A mail server that accepts the connection and then says nothing must not hold the worker forever.
EMAIL_TIMEOUT = int(os.environ.get("GOVWATCH_EMAIL_TIMEOUT", 10))
DEFAULT_FROM_EMAIL = os.environ.get("GOVWATCH_EMAIL_FROM", "govwatch@localhost")

# Uploaded evidence (reply attachments): kept under var/ in the embedded mode.
MEDIA_ROOT = Path(os.environ.get("GOVWATCH_MEDIA_ROOT", VAR_DIR / "media"))
MEDIA_URL = "/media/"

# Supervision orders: a case red for more than this many working days gets one automatically.
ORDER_AFTER_RED_WORKDAYS = int(os.environ.get("GOVWATCH_ORDER_AFTER_RED_WORKDAYS", 1))
ORDER_REPLY_WORKDAYS = int(os.environ.get("GOVWATCH_ORDER_REPLY_WORKDAYS", 3))

# Service evaluations (好差评) collected by GovWatch itself: open for this many calendar days after
# completion (to the end of the last local day). Imported and pushed evaluations are facts and take
# no window (contract section 2).
EVALUATION_WINDOW_DAYS = int(os.environ.get("GOVWATCH_EVALUATION_WINDOW_DAYS", 7))
# The levels of a negative review (差评), one rule everywhere (govwatch.evaluations.rules.is_negative):
# they open a rectification (差评整改) and are counted negative in the figures and on the citizen's
# pages. 1 and 2 nationally (contract section 4); a region that also supervises "一般" (Tianqu) sets "1,2,3".
NEGATIVE_LEVELS = tuple(
    sorted({int(v) for v in os.environ.get("GOVWATCH_NEGATIVE_LEVELS", "1,2").split(",") if v.strip()})
)
if not NEGATIVE_LEVELS or not set(NEGATIVE_LEVELS) <= {1, 2, 3}:
    raise ValueError("GOVWATCH_NEGATIVE_LEVELS must be 1,2 or 1,2,3 (levels among 1-3)")
# The levels on the supervisors' special-supervision list (专项督导, seed 004: "一般" and "不满意"),
# govwatch.evaluations.rules.is_supervised; the negative levels are always on it too.
SUPERVISED_LEVELS = tuple(
    sorted({int(v) for v in os.environ.get("GOVWATCH_SUPERVISED_LEVELS", "1,2,3").split(",") if v.strip()})
)
if not set(SUPERVISED_LEVELS) <= {1, 2, 3, 4}:
    raise ValueError("GOVWATCH_SUPERVISED_LEVELS must list levels among 1-4, e.g. 1,2,3")
# The loop's deadlines, in working days from intake: verify, rectify and feed back (Dezhou: 5),
# call the citizen back. A send-back gives the unit the spans that follow verification again, from
# the day of the send-back (3 and 5 working days by default).
NEGATIVE_VERIFY_WORKDAYS = int(os.environ.get("GOVWATCH_NEGATIVE_VERIFY_WORKDAYS", 2))
NEGATIVE_RECTIFY_WORKDAYS = int(os.environ.get("GOVWATCH_NEGATIVE_RECTIFY_WORKDAYS", 5))
NEGATIVE_CALLBACK_WORKDAYS = int(os.environ.get("GOVWATCH_NEGATIVE_CALLBACK_WORKDAYS", 7))
# Letters (纪检监察建议书, 提醒函): the unit's written reply is due this many working days after issue.
LETTER_REPLY_WORKDAYS = int(os.environ.get("GOVWATCH_LETTER_REPLY_WORKDAYS", 15))
# Key projects: reported progress this many percentage points behind plan flags a project (滞后).
PROJECT_LAG_MARGIN = int(os.environ.get("GOVWATCH_PROJECT_LAG_MARGIN", 10))
# Working days a project's owner unit has to answer a reminder letter (提醒函).
PROJECT_REPLY_WORKDAYS = int(os.environ.get("GOVWATCH_PROJECT_REPLY_WORKDAYS", 5))
# Double-random results are published within this many working days of the inspection (一公开).
RANDOM_PUBLISH_WORKDAYS = int(os.environ.get("GOVWATCH_RANDOM_PUBLISH_WORKDAYS", 20))

# Window operations (govwatch.windows, govwatch.kiosks).
# An hour of a hall whose tickets waited longer than this on average is a long-queue hour.
QUEUE_LONG_WAIT_MINUTES = int(os.environ.get("GOVWATCH_QUEUE_LONG_WAIT_MINUTES", 20))
# A window whose first call comes this long after opening, while people wait, was empty at opening.
OPENING_GRACE_MINUTES = int(os.environ.get("GOVWATCH_OPENING_GRACE_MINUTES", 10))
# A kiosk fault is to be repaired by the end of this many working days after it was reported.
KIOSK_REPAIR_WORKDAYS = int(os.environ.get("GOVWATCH_KIOSK_REPAIR_WORKDAYS", 1))

# Public evaluation channels (govwatch.public): QR codes, SMS links and the window flow.
# The address citizens reach GovWatch at (e.g. https://pj.example.gov.cn): QR codes and SMS links
# point there. Unset, a QR code takes the address of the page that shows it, and no SMS invitation
# is queued (a link to an intranet address would be useless).
PUBLIC_BASE_URL = os.environ.get("GOVWATCH_PUBLIC_BASE_URL", "").rstrip("/")
# A signed evaluation link lives EVALUATION_WINDOW_DAYS plus this margin from its issue: the margin
# covers the handling of a case whose link is printed on its acceptance notice, and the citizen
# coming back through the link to follow the rectification of a negative review.
PUBLIC_LINK_MARGIN_DAYS = int(os.environ.get("GOVWATCH_PUBLIC_LINK_MARGIN_DAYS", 60))
# Rate limits of the public pages, counted in the database (shared by every gunicorn worker; no
# cache to set up): submissions per address per minute and per case per hour, window-flow checks
# of the phone's last four digits per case per hour (then locked) and per address per hour.
PUBLIC_SUBMITS_PER_MINUTE = int(os.environ.get("GOVWATCH_PUBLIC_SUBMITS_PER_MINUTE", 10))
PUBLIC_SUBMITS_PER_CASE_HOUR = int(os.environ.get("GOVWATCH_PUBLIC_SUBMITS_PER_CASE_HOUR", 5))
PUBLIC_VERIFY_PER_CASE_HOUR = int(os.environ.get("GOVWATCH_PUBLIC_VERIFY_PER_CASE_HOUR", 5))
PUBLIC_VERIFY_PER_ADDRESS_HOUR = int(os.environ.get("GOVWATCH_PUBLIC_VERIFY_PER_ADDRESS_HOUR", 20))
# All addresses together, for one case: what a crowd of addresses may guess at its last four digits.
PUBLIC_VERIFY_PER_CASE_ALL_HOUR = int(os.environ.get("GOVWATCH_PUBLIC_VERIFY_PER_CASE_ALL_HOUR", 30))
# Complaints and clues sent through the public pages from one address per hour.
PUBLIC_COMPLAINTS_PER_ADDRESS_HOUR = int(os.environ.get("GOVWATCH_PUBLIC_COMPLAINTS_PER_ADDRESS_HOUR", 5))
# A form sent back sooner than this after it was shown is a robot's.
# Off by default: an elderly citizen who taps 非常满意 and sends at once is a person, not a robot
# (the bot guard is the honeypot, the one-use stamp and the rate limits).
PUBLIC_MIN_FILL_SECONDS = float(os.environ.get("GOVWATCH_PUBLIC_MIN_FILL_SECONDS", 0))
# A shown public form is good for one submission (its stamp's nonce, counted like a rate limit).
PUBLIC_STAMP_USES = 1
# Evaluations received through the public pages and still not recorded after this many minutes
# raise an alert (the office's home page, `govwatch health`): the worker records them every 2 s.
PUBLIC_INTAKE_ALERT_MINUTES = int(os.environ.get("GOVWATCH_PUBLIC_INTAKE_ALERT_MINUTES", 10))
# SMS invitations go to cases completed within this many minutes (completions arrive by import, late).
PUBLIC_INVITE_WITHIN_MINUTES = int(os.environ.get("GOVWATCH_PUBLIC_INVITE_WITHIN_MINUTES", 24 * 60))
# Default ratings (默认评价), off unless the region records them: a case whose evaluation window
# closed in silence gets this level with auto=True; only windows closed in the last LOOKBACK days,
# so that turning it on does not rate years of history.
AUTO_DEFAULT_RATING = _env_bool("GOVWATCH_AUTO_DEFAULT_RATING", False)
AUTO_DEFAULT_RATING_LEVEL = int(os.environ.get("GOVWATCH_AUTO_DEFAULT_RATING_LEVEL", 5))
AUTO_DEFAULT_RATING_LOOKBACK_DAYS = int(os.environ.get("GOVWATCH_AUTO_DEFAULT_RATING_LOOKBACK_DAYS", 7))
# Trust under faults (docs/operations.md). A worker that dies holding a lease (a message being sent,
# the scan) is replaced once the lease runs out; a provider that does not answer within the timeout
# is a temporary failure, its message "in doubt" until the provider says whether it took it.
NOTIFY_TIMEOUT_SECONDS = float(os.environ.get("GOVWATCH_NOTIFY_TIMEOUT_SECONDS", 10))
NOTIFY_LEASE_SECONDS = float(os.environ.get("GOVWATCH_NOTIFY_LEASE_SECONDS", 300))
SCAN_LEASE_SECONDS = float(os.environ.get("GOVWATCH_SCAN_LEASE_SECONDS", 600))
# Audit entries older than this many days leave the table for signed archive files (等保 2.0 asks
# for at least 180 days of logs kept online); the chain runs on through the archives.
AUDIT_RETENTION_DAYS = int(os.environ.get("GOVWATCH_AUDIT_RETENTION_DAYS", 180))
if AUDIT_RETENTION_DAYS < 180:
    raise ValueError("GOVWATCH_AUDIT_RETENTION_DAYS must be at least 180 (等保 2.0: 日志保存不少于六个月)")
# Signed checkpoints of the audit chain: how often the worker writes one, and the file each is
# appended to (an auditor copies it away from the server; `govwatch audit verify --checkpoints`).
# An import run on another host with no sign of life for this long is taken as interrupted.
IMPORT_STALE_MINUTES = float(os.environ.get("GOVWATCH_IMPORT_STALE_MINUTES", 10))
AUDIT_CHECKPOINT_HOURS = float(os.environ.get("GOVWATCH_AUDIT_CHECKPOINT_HOURS", 24))
AUDIT_CHECKPOINT_FILE = Path(
    os.environ.get("GOVWATCH_AUDIT_CHECKPOINT_FILE", VAR_DIR / "audit-checkpoints.jsonl")
).resolve()
# A hall's opening hours on working days for every unit that has none of its own or up its tree
# (contract 1.1, units' `hours`): what the evaluation check `off_hours` holds device ratings to.
DEFAULT_HOURS = os.environ.get("GOVWATCH_DEFAULT_HOURS", "08:30-12:00,14:00-17:30")
# Inspection feedback forms (检查反馈表): the unit answers within this many working days of issue.
FEEDBACK_REPLY_WORKDAYS = int(os.environ.get("GOVWATCH_FEEDBACK_REPLY_WORKDAYS", 10))


def _complaint_days(text: str) -> dict[str, int]:
    """`consult=2,help=10,...,urgent=1` as a dict; every kind and `urgent` must be given once."""
    days = {}
    for part in text.split(","):
        name, sep, value = part.partition("=")
        if not sep or not value.strip().isdigit() or int(value) < 1:
            raise ValueError(f"GOVWATCH_COMPLAINT_DAYS: “{part.strip()}” should be name=days (days >= 1)")
        days[name.strip()] = int(value)
    expected = {"consult", "help", "suggest", "complaint", "report", "urgent"}
    if set(days) != expected:
        raise ValueError("GOVWATCH_COMPLAINT_DAYS must name exactly " + ",".join(sorted(expected)))
    return days


# Complaints (contract section 7): working days from the complaint's date to its deadline, by kind;
# an urgent one has `urgent` days whatever its kind. The region may change them.
COMPLAINT_DAYS = _complaint_days(
    os.environ.get("GOVWATCH_COMPLAINT_DAYS", "consult=2,help=10,suggest=10,complaint=15,report=15,urgent=1")
)
# Complaints with the same contact, or about the same case, within this many days of the first are
# its repeats (one matter).
COMPLAINT_REPEAT_DAYS = int(os.environ.get("GOVWATCH_COMPLAINT_REPEAT_DAYS", 30))
# The dispatch suggestion model is retrained by the worker once this many complaints with a unit
# have arrived since it was trained, and at least once a day when any have.
DISPATCH_RETRAIN_AFTER = int(os.environ.get("GOVWATCH_DISPATCH_RETRAIN_AFTER", 200))
# Predictive warning (超时风险预测, contract section 13). The share of the cases that finish on time
# a region accepts being warned about (false alarms); the moments of each working day at which the
# worker warns (local time, comma-separated); how old a stored model may be before `predict` trains
# a new one and how often the worker retrains; how often the worker refreshes the case list's risk
# column; OpenMP threads for fitting and scoring (1: a shared machine's busy cores make more slower).
PREDICT_FALSE_ALARMS = float(os.environ.get("GOVWATCH_PREDICT_FALSE_ALARMS", 0.05))
if not 0 < PREDICT_FALSE_ALARMS < 1:
    raise ValueError("GOVWATCH_PREDICT_FALSE_ALARMS must be a share between 0 and 1, e.g. 0.05")
PREDICT_AT = tuple(
    t.strip() for t in os.environ.get("GOVWATCH_PREDICT_AT", "09:00,16:30").split(",") if t.strip()
)
PREDICT_MODEL_HOURS = float(os.environ.get("GOVWATCH_PREDICT_MODEL_HOURS", 36))
PREDICT_TRAIN_HOURS = float(os.environ.get("GOVWATCH_PREDICT_TRAIN_HOURS", 24))
PREDICT_REFRESH_MINUTES = float(os.environ.get("GOVWATCH_PREDICT_REFRESH_MINUTES", 60))
PREDICT_THREADS = int(os.environ.get("GOVWATCH_PREDICT_THREADS", 1))

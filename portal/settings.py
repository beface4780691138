"""Settings for the portal, read from the environment once (see README, "Configuration")."""

from pathlib import Path

from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

from portal.env import (
    cache_settings,
    database_settings,
    env_bool,
    env_int,
    env_list,
    env_str,
    mailer_settings,
    tasks_settings,
)

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("VAR_DIR", str(BASE_DIR / "var")))

DEBUG = env_bool("DEBUG", False)

SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = "insecure-development-key-only-for-debug-runs-" + "x" * 20

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
# Public address used in links sent by e-mail (invitations, expert confirmations).
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "portal.apps.SecretariatAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    # The roster's full-text search vector (a tsvector on PostgreSQL; SQLite keeps a plain text search).
    "django.contrib.postgres",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "rest_framework_api_key",
    "simple_history",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "django_tasks_db",
    "reference",
    "accounts",
    "audit",
    "roster",
    "needs",
    "matching",
    "feedback",
    "stats",
    "review",
    "dashboard",
    "demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Right below WhiteNoise: static files keep their caching, and every other response, errors and
    # refusals of the middleware below included, passes through it.
    "portal.middleware.NoStoreMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # Inside the session's: keeps a signed-in session going while it is used, writing it once a minute at most.
    "portal.middleware.SessionIdleMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # The device that verified the secretariat member's second factor in this session, if any.
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes asks, so that it sees the outcome of authentication.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "portal.context_processors.kept_work",
            ],
        },
    },
]

if not env_str("DATABASE_URL"):
    # The newcomer's embedded default: a SQLite file under var/, which a fresh clone does not have yet.
    VAR_DIR.mkdir(parents=True, exist_ok=True)
DATABASES = {
    "default": database_settings(
        env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'portal.sqlite3'}"),
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60),
        sqlite_busy_timeout=env_int("SQLITE_BUSY_TIMEOUT_SECONDS", 20),
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

CACHES = {"default": cache_settings(env_str("CACHE_URL", "locmem://"))}

# Long work (assignment runs) is queued in the database and run by `manage.py db_worker`, as many as wanted on
# any machines; PostgreSQL's row locks hand each task to one worker.
TASKS = {"default": tasks_settings(env_str("TASKS_BACKEND", "database"))}

MAILERS = {"default": mailer_settings(env_str("EMAIL_URL", "console://"))}
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "UNCAC expert roster <roster@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# Where people write to the secretariat about the portal: shown on the home page and in the privacy notice.
CONTACT_EMAIL = env_str("CONTACT_EMAIL", "roster@localhost")

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "accounts.backends.AccountLockBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
PASSWORD_RESET_TIMEOUT = env_int("PASSWORD_RESET_TIMEOUT", 3 * 24 * 3600)
# Requests for a password link, per e-mail address and per client address, within the window.
PASSWORD_RESET_MAX_PER_EMAIL = env_int("PASSWORD_RESET_MAX_PER_EMAIL", 3)
PASSWORD_RESET_MAX_PER_CLIENT = env_int("PASSWORD_RESET_MAX_PER_CLIENT", 10)
PASSWORD_RESET_WINDOW_MINUTES = env_int("PASSWORD_RESET_WINDOW_MINUTES", 60)

# Sessions live in the database behind the shared cache, so any app server can serve any request;
# they end after SESSION_IDLE_SECONDS without activity (portal.middleware.SessionIdleMiddleware).
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
SESSION_COOKIE_AGE = env_int("SESSION_IDLE_SECONDS", 30 * 60)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
# A form posted with a stale token (signed in again in another tab) gets the portal's own page, its input kept.
CSRF_FAILURE_VIEW = "portal.views.csrf_failure"
# A session opened by an expert's one-time link ends with the link, and after this long in any case.
EXPERT_SESSION_MAX_HOURS = env_int("EXPERT_SESSION_MAX_HOURS", 4)

# Lockouts must be seen by every app server: in the shared cache when there is one (Redis),
# otherwise in the database, never in one process's memory.
AXES_HANDLER = (
    "axes.handlers.cache.AxesCacheHandler"
    if CACHES["default"]["BACKEND"].endswith("RedisCache")
    else "axes.handlers.database.AxesDatabaseHandler"
)
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
LOGIN_COOLOFF_MINUTES = env_int("AXES_COOLOFF_MINUTES", 30)
AXES_COOLOFF_TIME = LOGIN_COOLOFF_MINUTES / 60
# Failures on one account from any addresses before it locks (accounts.throttles): higher than the
# per-address limit, so that a spray from many addresses stops without one typo locking the owner out.
LOGIN_ACCOUNT_FAILURE_LIMIT = env_int("LOGIN_ACCOUNT_FAILURE_LIMIT", 20)
# The secretariat's second factor (TOTP, django-otp): wrong codes for one account, from any addresses,
# before the second factor refuses every code for AXES_COOLOFF_MINUTES after the last one; django-otp
# itself doubles the wait after each wrong code on a device (1 s, 2 s, 4 s...).
SECOND_FACTOR_FAILURE_LIMIT = env_int("SECOND_FACTOR_FAILURE_LIMIT", 5)
OTP_TOTP_ISSUER = "UNCAC expert roster"
OTP_TOTP_THROTTLE_FACTOR = 1
OTP_STATIC_THROTTLE_FACTOR = 1
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_USERNAME_FORM_FIELD = "username"
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_RESET_ON_SUCCESS = True
# Behind a load balancer every request comes from it; TRUSTED_PROXY_COUNT says how many proxies of
# ours stand in front, so that the client's own address can be read from X-Forwarded-For safely.
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)
AXES_CLIENT_IP_CALLABLE = "portal.client_ip.client_ip"

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("fr", _("French")), ("es", _("Spanish"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = "UTC"
# One date format per language (portal/formats/), used by pages, admin lists and mails alike.
FORMAT_MODULE_PATH = ["portal.formats"]
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
PRIVATE_MEDIA_ROOT = Path(env_str("PRIVATE_MEDIA_ROOT", str(VAR_DIR / "private")))
# Uploaded documents are confidential: no MEDIA_URL serves them; only access-checked views do.
STORAGES = {
    "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": PRIVATE_MEDIA_ROOT, "base_url": None},
    },
    "private": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": PRIVATE_MEDIA_ROOT, "base_url": None},
    },
    "staticfiles": {
        "BACKEND": env_str("STATICFILES_BACKEND", "whitenoise.storage.CompressedManifestStaticFilesStorage"),
    },
}
FILE_UPLOAD_PERMISSIONS = 0o600
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

# The API's clients hold keys stored hashed (stats.ApiClient), sent as `Authorization: Token <key>`.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["stats.authentication.ApiClientAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["stats.authentication.IsApiClient"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    # A query string is the statistics' closed grammar: no parameter of DRF's own may slip into it.
    "URL_FORMAT_OVERRIDE": None,
    # Per client, in the shared cache, so that every app server counts the same requests.
    "DEFAULT_THROTTLE_RATES": {"stats_client": env_str("STATS_CLIENT_RATE", "120/min")},
}
SPECTACULAR_SETTINGS = {
    "TITLE": "UNCAC expert roster: statistics API",
    "DESCRIPTION": (
        "Anonymised aggregates of the roster of experts and of technical assistance needs. Counts are of distinct "
        "experts (or needs); any count below the threshold, zero included, is suppressed; the others are rounded "
        "to a multiple of 5 by the cell-key method. At most one group_by and two filters."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SERVE_AUTHENTICATION": [],
    # Swagger UI is served by the portal itself (drf-spectacular-sidecar), never from a CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

# Disclosure control: counts below the threshold are never published. It may be raised, never lowered below 10.
STATS_THRESHOLD = env_int("STATS_THRESHOLD", 10)
if STATS_THRESHOLD < 10:
    raise ImproperlyConfigured("STATS_THRESHOLD cannot be below 10: smaller groups would identify people.")
# Distinct cells a new API client may be answered on per day (create_api_client --quota overrides it).
STATS_DAILY_CELL_QUOTA = env_int("STATS_DAILY_CELL_QUOTA", 5000)

# Production-safe by default; a developer run over plain HTTP sets DEBUG=1.
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if env_bool("BEHIND_TLS_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {"axes": {"level": "WARNING"}},
}

# A running assignment run whose worker has written no progress for this long is marked failed (the worker died or
# was stopped), so that its page stops waiting and offers to start it again. The longest step without progress is
# the solver's: seconds to a minute at the benchmark's sizes.
ASSIGNMENT_RUN_STALE_MINUTES = env_int("ASSIGNMENT_RUN_STALE_MINUTES", 30)

# Roster rules that operations may tune without a code change.
ROSTER_STALE_AFTER_DAYS = env_int("ROSTER_STALE_AFTER_DAYS", 365)
ROSTER_REMINDER_INTERVAL_DAYS = env_int("ROSTER_REMINDER_INTERVAL_DAYS", 30)
ROSTER_STALE_GRACE_DAYS = env_int("ROSTER_STALE_GRACE_DAYS", 90)
ROSTER_CV_MAX_BYTES = env_int("ROSTER_CV_MAX_BYTES", 5 * 1024 * 1024)
ROSTER_DRAFT_KEEP_DAYS = env_int("ROSTER_DRAFT_KEEP_DAYS", 30)

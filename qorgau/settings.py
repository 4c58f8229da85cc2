"""Qorgau settings. Everything that differs between machines comes from the environment.

Development defaults are safe to run locally (SQLite under var/, console email). Production sets
QORGAU_ENV=production and must then provide SECRET_KEY and ALLOWED_HOSTS.
"""

from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from qorgau.core.env import env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("QORGAU_VAR_DIR", str(BASE_DIR / "var")))

ENV = env_str("QORGAU_ENV", "development")
PRODUCTION = ENV == "production"
DEBUG = env_bool("DEBUG", not PRODUCTION)
if PRODUCTION and DEBUG:
    raise ImproperlyConfigured("DEBUG must be off when QORGAU_ENV=production.")

_DEV_SECRET = "dev-only-not-secret-qorgau"
SECRET_KEY = env_str("SECRET_KEY", "" if PRODUCTION else _DEV_SECRET)
if PRODUCTION and (not SECRET_KEY or SECRET_KEY == _DEV_SECRET):
    raise ImproperlyConfigured("SECRET_KEY must be set to a real secret when QORGAU_ENV=production.")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", [] if PRODUCTION else ["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "ninja",  # the API docs then load Swagger UI from our static files, not a CDN the CSP would block
    "django_tasks",
    "django_tasks_db",
    "qorgau.core",
    "qorgau.accounts",
    "qorgau.registry",
    "qorgau.checklists",
    "qorgau.inspections",
    "qorgau.orders",
    "qorgau.oversight",
    "qorgau.public",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "qorgau.core.middleware.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "qorgau.core.middleware.SlidingSessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "qorgau.accounts.middleware.UserLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "qorgau.core.audit.AuditMiddleware",
    "qorgau.core.middleware.DomainErrorMiddleware",
]

ROOT_URLCONF = "qorgau.urls"
WSGI_APPLICATION = "qorgau.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "qorgau" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "qorgau.core.context_processors.navigation",
                "qorgau.orders.context_processors.unread_notifications",
            ],
        },
    },
]

# SQLite under var/ unless DATABASE_URL says otherwise (e.g. postgres://postgres@127.0.0.1:5432/qorgau).
DATABASE_URL = env_str("DATABASE_URL", "")
# A few indexes carry extra columns with INCLUDE for PostgreSQL's index-only counts; SQLite has no INCLUDE
# and builds them without (its covering indexes list those columns as keys), which Django warned of on every
# command.
SILENCED_SYSTEM_CHECKS = ["models.W040"]
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=env_int("DB_CONN_MAX_AGE", 60))}
else:
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": VAR_DIR / "qorgau.sqlite3",
            "OPTIONS": {
                # WAL lets readers go on while one writer writes; IMMEDIATE avoids lock upgrades failing.
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            },
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Background tasks (django-tasks): queued in the database, run by `qorgau db_worker`.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["qorgau.accounts.backends.ScopedModelBackend"]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "accounts:login"

# Failed-login throttling: this many failures for one username from one IP lock it for the window.
LOGIN_MAX_FAILURES = env_int("LOGIN_MAX_FAILURES", 5)
LOGIN_LOCK_MINUTES = env_int("LOGIN_LOCK_MINUTES", 15)
# ...and this many failures from one IP, whatever the usernames, pause sign-in from that IP for the window.
LOGIN_MAX_FAILURES_PER_IP = env_int("LOGIN_MAX_FAILURES_PER_IP", 30)
# Parents' concerns from the public page: at most this many per hour from one address.
PUBLIC_CONCERNS_PER_HOUR = env_int("PUBLIC_CONCERNS_PER_HOUR", 5)
# Reverse proxies whose X-Forwarded-For is believed (qorgau.core.net.client_ip); comma-separated IPs.
QORGAU_TRUSTED_PROXIES = env_list("QORGAU_TRUSTED_PROXIES", [])
# The audit log (core.AuditEntry) keeps this many days; `qorgau audit-prune` deletes older entries.
AUDIT_RETENTION_DAYS = env_int("AUDIT_RETENTION_DAYS", 365)

# Sessions and cookies: secure by default in production, expire after inactivity.
# A session ends after SESSION_COOKIE_AGE seconds without a request (8 hours: a shift; a phone left in a car
# overnight is signed out by morning). Requests move the expiry on, so working users are never cut off: the
# session is saved again when SESSION_REFRESH_SECONDS have passed since its last save, not on every request
# (core.middleware.SlidingSessionMiddleware).
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 8 * 60 * 60)
SESSION_REFRESH_SECONDS = env_int("SESSION_REFRESH_SECONDS", 5 * 60)
# Pages send the CSRF token to htmx in a header written into base.html, so no script needs the cookie.
CSRF_COOKIE_HTTPONLY = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", PRODUCTION)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", PRODUCTION)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if PRODUCTION:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)

LANGUAGE_CODE = "ru"
LANGUAGES = [("ru", "Русский"), ("kk", "Қазақша"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "qorgau" / "locale"]
LANGUAGE_COOKIE_NAME = "qorgau_language"
TIME_ZONE = "Asia/Almaty"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "qorgau" / "static"]
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
MEDIA_ROOT = VAR_DIR / "files"  # never served directly: downloads go through scoped views
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True

# Uploads: imports are small tables; anything larger is refused before it is parsed.
IMPORT_MAX_BYTES = env_int("IMPORT_MAX_BYTES", 20 * 1024 * 1024)
# Evidence photos: checked by content; larger or bigger ones are refused before they are decoded.
PHOTO_MAX_BYTES = env_int("PHOTO_MAX_BYTES", 15 * 1024 * 1024)
PHOTO_MAX_PIXELS = env_int("PHOTO_MAX_PIXELS", 50_000_000)
PHOTO_MAX_SIDE = env_int("PHOTO_MAX_SIDE", 12_000)
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "qorgau@localhost")

# Rows per page of the lists: 25 cards are a few screens on a phone, and half the server time and HTML of 50
# (measured with bench/oversight.py). The API keeps its own page size, API_PAGE_SIZE.
PAGE_SIZE = env_int("PAGE_SIZE", 25)
# "What to inspect next": points per reason, summed into a school's risk score (README, "Risk ranking").
# Keys left out keep their default (qorgau/oversight/risk.py DEFAULT_WEIGHTS).
QORGAU_RISK_WEIGHTS = {
    "overdue_item": 10,  # per overdue order item
    "gross_finding": 8,  # per gross finding at the last approved inspection
    "month_uninspected": 1.5,  # per month since the last approved inspection (never: the cap)
    "faulty_equipment": 4,  # per panic button, camera or access point that is faulty or missing
    "no_panic_button": 15,  # no panic button at all
    "no_cameras": 10,  # no camera at all
    "guard_contract": 12,  # no current guard contract, or it has expired
    "licence_expired": 12,  # the guarding firm's licence has expired
    "per_1000_pupils": 5,  # more pupils, more at stake
}
# Months without an approved inspection count up to this cap; a school never inspected gets the cap.
QORGAU_RISK_MAX_MONTHS = env_int("QORGAU_RISK_MAX_MONTHS", 36)
# Evidence from schools (photos, PDF contracts and certificates).
EVIDENCE_MAX_BYTES = env_int("EVIDENCE_MAX_BYTES", 15 * 1024 * 1024)
# ...and all files of one report together (ten phone photos fit; a video archive does not).
EVIDENCE_MAX_TOTAL_BYTES = env_int("EVIDENCE_MAX_TOTAL_BYTES", 25 * 1024 * 1024)
# An XLSX is a zip: the sheets it unpacks to may be at most this large in total (no zip bombs).
IMPORT_MAX_UNPACKED_BYTES = env_int("IMPORT_MAX_UNPACKED_BYTES", 100 * 1024 * 1024)
# Days before expiry at which licences and contracts show a warning on the passport page.
EXPIRY_WARNING_DAYS = env_int("EXPIRY_WARNING_DAYS", 30)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "WARNING")},
}

NINJA_PAGINATION_PER_PAGE = env_int("API_PAGE_SIZE", 50)

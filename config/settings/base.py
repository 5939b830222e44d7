"""Jugan settings, read from the environment.

The defaults are safe on a laptop (SQLite in ./var, a generated secret kept in ./var, DEBUG off,
only local host names); production sets DATABASE_URL, REDIS_URL, ALLOWED_HOSTS and friends.
README.md lists every variable.
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.core.management.utils import get_random_secret_key

from config.email import SMTP_BACKEND, email_settings

BASE_DIR = Path(__file__).resolve().parent.parent.parent


def env_bool(name, default=False):
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    if value.lower() in {"1", "true", "yes", "on"}:
        return True
    if value.lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be 1/0, true/false, yes/no or on/off, not {value!r}")


def env_list(name, default):
    value = os.environ.get(name)
    if not value:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


def env_int(name, default):
    value = os.environ.get(name)
    if not value:
        return default
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}") from None


def env_float(name, default):
    value = os.environ.get(name)
    if not value:
        return default
    try:
        return float(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a number of seconds, not {value!r}") from None


# Where the laptop setup keeps its database and generated secret; never inside a tracked folder.
DATA_DIR = Path(os.environ.get("JUGAN_DATA_DIR", BASE_DIR / "var"))


def local_secret_key():
    """A secret generated once per checkout, so sessions survive restarts without any setup."""
    path = DATA_DIR / "secret_key"
    if not path.exists():
        DATA_DIR.mkdir(parents=True, exist_ok=True)
        path.touch(mode=0o600)
        path.write_text(get_random_secret_key())
    return path.read_text().strip()


DEBUG = env_bool("DEBUG", default=False)
SECRET_KEY = os.environ.get("SECRET_KEY") or local_secret_key()
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

# The public address of the site, used where a request is not at hand (feeds' absolute URLs,
# telling internal links from external ones in curator Markdown).
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
SITE_NAME = os.environ.get("SITE_NAME", "Jugan 주간")

INSTALLED_APPS = [
    # Django's admin on Jugan's admin site: sign-in with lockout and a second factor.
    "archive.accounts.apps.CuratorAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "csp",
    "taggit",
    "django_tasks",
    "django_tasks_db",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "archive",
    "digest",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "digest.http_cache.NeverShareCookiesMiddleware",
    "config.middleware.DropNulCharactersFromQueryMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # The pages this process answered last, sent again from here while the content is the same
    # (compressed or not, as the client asks: each is kept as it left the next middleware).
    "digest.recent_pages.RecentPagesMiddleware",
    # Pages and feeds gzipped for the clients that ask (a week page: 26 KB → 6 KB, a phone's
    # first paint about 150 ms sooner); below whitenoise, which sends static files compressed
    # already. Its BREACH defence pads each response, and it makes ETags weak, which If-None-Match
    # compares weakly anyway, so a 304 still costs one query (digest/caching.py).
    "django.middleware.gzip.GZipMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "digest.middleware.LanguageFromAddressMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "archive.accounts.sessions.StaffSessionMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    # Last, as django-axes asks: it turns a sign-in refused by the lockout into a 429.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

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
                "digest.context_processors.site",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{DATA_DIR / 'db.sqlite3'}",
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    # WAL lets readers carry on while a curator saves; IMMEDIATE avoids "database is locked"
    # when two writers race to upgrade a read transaction. Connections are kept between
    # requests (DATABASE_CONN_MAX_AGE), as for PostgreSQL: a new one reads the whole schema
    # before its first query, which costs more than a page served from the cache.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

if os.environ.get("REDIS_URL"):
    # A Redis that is down or slow is a cache miss, not an error page (config/cache.py).
    redis_timeout = env_float("REDIS_TIMEOUT_SECONDS", 0.25)
    CACHES = {
        "default": {
            "BACKEND": "config.cache.ResilientRedisCache",
            "LOCATION": os.environ["REDIS_URL"],
            "KEY_PREFIX": os.environ.get("CACHE_KEY_PREFIX", "jugan"),
            "OPTIONS": {"socket_connect_timeout": redis_timeout, "socket_timeout": redis_timeout},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
CACHE_SECONDS = env_int("CACHE_SECONDS", 600)
# Each app process keeps the reader pages it answered last, whole, up to this many bytes
# (digest/recent_pages.py); 0 turns that off.
RECENT_PAGES_BYTES = env_int("RECENT_PAGES_BYTES", 32 * 1024 * 1024)
# What caches in front may do with reader pages and feeds (digest/http_cache.py): serve a copy
# for SHARED_CACHE_SECONDS, then stale while fetching a new one, or when Django fails or is down.
# Every change is purged at once (FRONT_CACHE_PURGE_URLS); only a scheduled publication coming
# due waits for SHARED_CACHE_SECONDS, so it stays short.
SHARED_CACHE_SECONDS = env_int("SHARED_CACHE_SECONDS", 60)
STALE_WHILE_REVALIDATE_SECONDS = env_int("STALE_WHILE_REVALIDATE_SECONDS", 30)
STALE_IF_ERROR_SECONDS = env_int("STALE_IF_ERROR_SECONDS", 86_400)
# The front caches to purge when content changes (digest/purge.py), e.g. Varnish's address:
# `http://127.0.0.1:8000/` for `make serve-cached`. Empty: no cache in front, nothing to purge.
FRONT_CACHE_PURGE_URLS = env_list("FRONT_CACHE_PURGE_URLS", [])
FRONT_CACHE_PURGE_TIMEOUT = env_float("FRONT_CACHE_PURGE_TIMEOUT", 2.0)

# Background work (archive/tasks.py) through Django's task API. `database` keeps the queue in the
# database: `manage.py db_worker` runs it (`make run` starts one; README.md, "Deployment"), and
# workers claim tasks with SELECT ... FOR UPDATE SKIP LOCKED, so several never run one task
# twice. `immediate` runs each task inside the request that queues it: for debugging only.
TASK_BACKENDS = {
    "database": "django_tasks_db.DatabaseBackend",
    "immediate": "django_tasks.backends.immediate.ImmediateBackend",
}
TASKS_BACKEND = os.environ.get("TASKS_BACKEND", "database")
if TASKS_BACKEND not in TASK_BACKENDS:
    raise ImproperlyConfigured(
        f"TASKS_BACKEND must be one of {', '.join(TASK_BACKENDS)}, not {TASKS_BACKEND!r}"
    )
TASKS = {"default": {"BACKEND": TASK_BACKENDS[TASKS_BACKEND]}}

# Reading each new link's page for its title, description and image (archive/link_metadata.py).
# Off for a site with no way out to the web: links then keep what curators type.
LINK_METADATA_FETCH = env_bool("LINK_METADATA_FETCH", default=True)
# Loopback ports the page reader may connect to. None in production: only the tests' own local
# servers are ever allowed, by the tests that need them.
LINK_FETCH_LOOPBACK_PORTS = frozenset()
# Hosts whose every page is a community thread (e.g. a forum), beside Facebook group posts: the
# bookmarklet files such a page as a post's source, any other page as its first link.
COMMUNITY_HOSTS = [host.lower() for host in env_list("COMMUNITY_HOSTS", [])]

# Outgoing mail (config/email.py): EMAIL_URL such as smtp+tls://user:pass@host:587, or
# console:// to print every mail (as `make run` does); without it, Django's EMAIL_* variables.
EMAIL_URL = os.environ.get("EMAIL_URL", "")
if EMAIL_URL:
    globals().update(email_settings(EMAIL_URL))
else:
    EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", SMTP_BACKEND)
    EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
    EMAIL_PORT = env_int("EMAIL_PORT", 25)
    EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
    EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
    EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS")
    EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL")
    EMAIL_TIMEOUT = env_float("EMAIL_TIMEOUT", 10.0)
# Whether anyone said where mail goes: production without it gets a warning (archive/checks.py).
EMAIL_CONFIGURED = bool(EMAIL_URL or os.environ.get("EMAIL_HOST"))
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Jugan 주간 <jugan@localhost>")
SERVER_EMAIL = os.environ.get("SERVER_EMAIL", DEFAULT_FROM_EMAIL)
# The mailto: half of List-Unsubscribe (the https: half unsubscribes in one click by itself):
# an address someone reads; by default the sender's.
EMAIL_UNSUBSCRIBE_ADDRESS = os.environ.get("EMAIL_UNSUBSCRIBE_ADDRESS", "")
# Email delivery of published weeks (archive/subscriptions.py, archive/delivery.py).
EMAIL_CONFIRM_DAYS = env_int("EMAIL_CONFIRM_DAYS", 3)  # a confirmation link works this long
EMAIL_ERASE_AFTER_DAYS = env_int("EMAIL_ERASE_AFTER_DAYS", 30)  # then a left address is erased
EMAIL_SUBSCRIBE_LIMIT = env_int("EMAIL_SUBSCRIBE_LIMIT", 5)  # subscribe forms per client...
EMAIL_SUBSCRIBE_WINDOW_SECONDS = env_int("EMAIL_SUBSCRIBE_WINDOW_SECONDS", 3600)  # ...per hour
# A week is mailed when it is published only if readers see it within this many days of now:
# importing last year's round-ups mails nobody ("Send" in the admin mails any week).
EMAIL_RECENT_DAYS = env_int("EMAIL_RECENT_DAYS", 7)
# Senders queued per week: each sends until none is left, so a task worker each can work at once.
EMAIL_SENDERS = env_int("EMAIL_SENDERS", 2)
# SMTP connections each sender keeps open at once, each sending one mail at a time: a mail spends
# most of its time waiting for the server. A worker killed mid-way interrupts at most this many
# mails, which are then never sent again (archive/delivery.py).
EMAIL_CONNECTIONS = env_int("EMAIL_CONNECTIONS", 4)
# A refused attempt with a temporary (4xx) answer is tried again this many times, waiting
# EMAIL_RETRY_SECONDS, then twice that, and so on.
EMAIL_MAX_ATTEMPTS = env_int("EMAIL_MAX_ATTEMPTS", 5)
EMAIL_RETRY_SECONDS = env_int("EMAIL_RETRY_SECONDS", 300)

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = os.environ.get("LANGUAGE_CODE", "ko")
LANGUAGES = [("ko", "한국어"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = os.environ.get("TIME_ZONE", "Asia/Seoul")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# `backup` writes fixtures with microseconds (see archive/exact_json.py); `loaddata` reads them.
SERIALIZATION_MODULES = {"json-exact": "archive.exact_json"}

# Tags are topics: "NLP" and "nlp" are one topic, and Korean names keep Korean slugs.
TAGGIT_CASE_INSENSITIVE = True

# Security. Production (DEBUG off) gets the strict defaults that `check --deploy` asks for;
# each can be relaxed by its variable, e.g. HTTPS=0 for a plain-HTTP intranet.
HTTPS = env_bool("HTTPS", default=not DEBUG)
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=HTTPS)
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
# The language cookie: the admin still reads it, and an old English reader's cookie sends them to
# English addresses (digest/languages.py); no script needs to read it.
LANGUAGE_COOKIE_SECURE = HTTPS
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31_536_000 if HTTPS else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=HTTPS)
# `preload` only states consent; nothing is preloaded until the domain is submitted to browsers.
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", default=HTTPS)
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
# Behind a reverse proxy (nginx, Varnish) that sets X-Forwarded-Proto and appends the client's
# address to X-Forwarded-For. Only then are those headers believed: otherwise a client could
# claim HTTPS, or dodge the sign-in lockout with a new address in every request.
# TRUST_X_FORWARDED_PROTO is this setting's earlier name.
BEHIND_TRUSTED_PROXY = env_bool(
    "BEHIND_TRUSTED_PROXY", default=env_bool("TRUST_X_FORWARDED_PROTO", default=False)
)
# How many proxies append to X-Forwarded-For: the client's address is this many from the right.
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 1)
if BEHIND_TRUSTED_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Curator accounts (archive/accounts/). Failed sign-ins are counted by django-axes for an account
# from one address, and for an address over all accounts; past either limit, sign-in from that
# address is refused for the cool-off, before any password is hashed.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5)
LOGIN_ADDRESS_FAILURE_LIMIT = env_int("LOGIN_ADDRESS_FAILURE_LIMIT", 20)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("LOGIN_COOL_OFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]  # the address's own limit: the handler
AXES_HANDLER = "archive.accounts.lockout.AccountAndAddressHandler"
AXES_CLIENT_IP_CALLABLE = "archive.accounts.lockout.client_address"
AXES_LOCKOUT_CALLABLE = "archive.accounts.lockout.lockout_response"
# A refused attempt does not restart the cool-off, so "try again in 15 minutes" holds; a right
# password forgives that account's earlier typos from that address.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_RESET_ON_SUCCESS = True
# Two-factor sign-in (django-otp): required of every staff account in production; a laptop
# (DEBUG, as `make run` sets) signs in with the printed password alone.
TWO_FACTOR_REQUIRED = env_bool("TWO_FACTOR_REQUIRED", default=not DEBUG)
OTP_TOTP_ISSUER = SITE_NAME
# Admins can remove a curator's lost device, but never read its secret.
OTP_ADMIN_HIDE_SENSITIVE_DATA = True
# A staff session ends after this long without a request (sliding); a new password ends every
# other session of its account (Django's session hash, see tests/archive/test_sessions.py).
ADMIN_IDLE_MINUTES = env_int("ADMIN_IDLE_MINUTES", 120)

# A second wall behind the sanitiser: no inline script or style, nothing from other origins.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}

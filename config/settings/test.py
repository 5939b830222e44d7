"""Settings for the test suite: fast and self-contained, whatever the environment holds."""

import os

from config.settings.base import *  # noqa: F403

# A fixed key: tests never depend on the generated local secret.
SECRET_KEY = "test-secret-key-not-for-production-0123456789abcdefghijklmnopqrstuvwxyz"

DEBUG = False

# Plain HTTP from the test client; the production security defaults are tested separately.
HTTPS = False
SECURE_SSL_REDIRECT = False
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
LANGUAGE_COOKIE_SECURE = False
SECURE_HSTS_SECONDS = 0

ALLOWED_HOSTS = ["testserver", "localhost", "127.0.0.1"]
SITE_URL = "http://testserver"

# SQLite in memory unless CI points DATABASE_URL at PostgreSQL for the second run.
if not os.environ.get("DATABASE_URL"):
    DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}}

# Each test process gets its own cache; no Redis is assumed.
if not os.environ.get("REDIS_URL"):
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Tasks run at once, inside the code that queues them (after its transaction commits), so a test
# sees their effect without a worker; tests/archive/test_tasks.py runs a real worker process too.
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}

# No test reaches another host: pages are read only in tests that serve them on loopback, which
# turn this on together with LINK_FETCH_LOOPBACK_PORTS for their server.
LINK_METADATA_FETCH = False

# Password hashing dominates test time with the real hasher; MD5 is fine for throwaway users.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# The manifest needs collectstatic; tests render templates without running it.
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# Tests compare English and Korean output explicitly; start from the project default.
LANGUAGE_CODE = "ko"
TIME_ZONE = "Asia/Seoul"

# Static files come from the app folders (no collectstatic before tests), as `runserver` does.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True

# Most tests sign in with force_login, which passes no second factor; the tests of two-factor
# sign-in turn the requirement on themselves (tests/archive/test_two_factor.py).
TWO_FACTOR_REQUIRED = False

# Mail stays in django.core.mail.outbox (pytest-django's setup); tests that need a real server
# start aiosmtpd on loopback (tests/mail_server.py).
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
DEFAULT_FROM_EMAIL = "Jugan 주간 <jugan@testserver>"
# One connection per sender: the test database is one connection's transaction, which other
# threads cannot see. The worker processes' settings (tests/mail_worker_settings.py) say more.
EMAIL_CONNECTIONS = 1

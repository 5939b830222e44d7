"""`make bench`: production settings on loopback, with the floor view mounted beside the site."""

import os

from config.settings.base import *  # noqa: F403

ROOT_URLCONF = "benchmarks.urls"
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "testserver"]
# Plain HTTP on loopback; everything else stays as production has it.
HTTPS = SECURE_SSL_REDIRECT = SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = False
LANGUAGE_COOKIE_SECURE = False
SECURE_HSTS_SECONDS = 0
# BENCH_CACHE=off measures the uncached pages: every request renders from the database.
if os.environ.get("BENCH_CACHE") == "off":
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
# The seeded links are made up: queueing a page read for each would only slow the seeding.
LINK_METADATA_FETCH = False

"""Settings of the real worker process that tests/archive/test_tasks.py starts: the test
settings, with tasks queued in a database file the test names (which the test process and the
worker both open) and the test's page server allowed."""

import os

from config.settings.test import *  # noqa: F403

DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": os.environ["JUGAN_WORKER_DATABASE"],
        "OPTIONS": {"transaction_mode": "IMMEDIATE"},
    }
}
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
LINK_METADATA_FETCH = True
LINK_FETCH_LOOPBACK_PORTS = frozenset({int(os.environ["JUGAN_WORKER_PAGE_PORT"])})

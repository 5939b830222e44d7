"""Settings of the real worker processes tests/archive/test_email_smtp.py and `make bench-email`
start: the test settings, tasks queued in a database file both processes open, and mail sent to
the SMTP server on loopback they name."""

import os

from config.settings.test import *  # noqa: F403

DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": os.environ["JUGAN_WORKER_DATABASE"],
        "OPTIONS": {
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            "transaction_mode": "IMMEDIATE",
        },
    }
}
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
EMAIL_HOST = "127.0.0.1"
EMAIL_PORT = int(os.environ["JUGAN_SMTP_PORT"])
# As production has it unless the test says otherwise (config/settings/base.py).
EMAIL_CONNECTIONS = int(os.environ.get("JUGAN_EMAIL_CONNECTIONS", 4))

"""Outgoing mail configured from EMAIL_URL (config/email.py), and the check that production
names an SMTP server."""

import pytest
from django.core.exceptions import ImproperlyConfigured

from config.email import CONSOLE_BACKEND, SMTP_BACKEND, email_settings
from tests.config.test_settings import PRODUCTION, read_settings, run_with


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (
            "smtp://relay.internal",
            {"EMAIL_HOST": "relay.internal", "EMAIL_PORT": 25, "EMAIL_USE_TLS": False},
        ),
        (
            "smtp+tls://user:p%40ss@smtp.example.org:2587",
            {
                "EMAIL_HOST": "smtp.example.org",
                "EMAIL_PORT": 2587,
                "EMAIL_HOST_USER": "user",
                "EMAIL_HOST_PASSWORD": "p@ss",
                "EMAIL_USE_TLS": True,
                "EMAIL_USE_SSL": False,
            },
        ),
        (
            "smtp+ssl://me@mail.example.org?timeout=3",
            {"EMAIL_PORT": 465, "EMAIL_USE_SSL": True, "EMAIL_TIMEOUT": 3.0},
        ),
    ],
)
def test_smtp_urls(url, expected):
    values = email_settings(url)
    assert values["EMAIL_BACKEND"] == SMTP_BACKEND
    assert expected.items() <= values.items()


def test_console_url():
    assert email_settings("console://") == {"EMAIL_BACKEND": CONSOLE_BACKEND}


@pytest.mark.parametrize(
    "url", ["http://smtp.example.org", "smtp://", "smtp://host:port", "smtp://h?timeout=x"]
)
def test_bad_urls_say_what_is_wrong(url):
    with pytest.raises(ImproperlyConfigured, match="EMAIL_URL"):
        email_settings(url)


def test_the_settings_read_email_url_and_the_sender(tmp_path):
    env = {"EMAIL_URL": "smtp+tls://u:p@smtp.example.org:587", "DEFAULT_FROM_EMAIL": "x@y.org"}
    values = read_settings(env, tmp_path, "EMAIL_HOST", "EMAIL_PORT", "DEFAULT_FROM_EMAIL")
    assert values == {
        "EMAIL_HOST": "smtp.example.org",
        "EMAIL_PORT": 587,
        "DEFAULT_FROM_EMAIL": "x@y.org",
    }


def test_production_without_smtp_is_warned(tmp_path):
    without = {key: value for key, value in PRODUCTION.items() if key != "EMAIL_URL"}
    result = run_with(without, "manage.py", "check", "--deploy", data_dir=tmp_path)
    assert "jugan.W001" in result.stderr + result.stdout
    printing = {**PRODUCTION, "EMAIL_URL": "console://"}
    result = run_with(printing, "manage.py", "check", "--deploy", data_dir=tmp_path)
    assert "printed, not sent" in result.stderr + result.stdout


def test_a_laptop_in_debug_is_not_warned(tmp_path):
    result = run_with({"DEBUG": "1"}, "manage.py", "check", data_dir=tmp_path)
    assert "jugan.W001" not in result.stderr + result.stdout


def test_make_run_prints_mails_on_the_terminal():
    from pathlib import Path

    from django.conf import settings

    makefile = (Path(settings.BASE_DIR) / "Makefile").read_text()
    run_env = next(line for line in makefile.splitlines() if line.startswith("RUN_ENV :="))
    assert "EMAIL_URL=$${EMAIL_URL:-console://}" in run_env

"""The settings module read under different environments, each in a fresh interpreter."""

import json
import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.template import engines
from django.template.loaders import cached

PRODUCTION = {
    "DEBUG": "0",
    "SECRET_KEY": "k2#Lq9@vT7pZ!fW3mR8xB5nC1hJ6dY4sG0uE-aN+oQ*iK_w8Vt%Hs",
    "ALLOWED_HOSTS": "jugan.example.org",
    "DATABASE_URL": "postgres://jugan:secret@db.internal:5432/jugan",
    "REDIS_URL": "redis://cache.internal:6379/1",
    "EMAIL_URL": "smtp+tls://jugan:secret@smtp.internal:587",
}


def run_with(env, *args, data_dir):
    clean = {key: value for key, value in os.environ.items() if key not in {*PRODUCTION, "HTTPS"}}
    clean.update(env, JUGAN_DATA_DIR=str(data_dir), DJANGO_SETTINGS_MODULE="config.settings.base")
    return subprocess.run(
        [sys.executable, *args], env=clean, cwd=settings.BASE_DIR, capture_output=True, text=True
    )


def read_settings(env, data_dir, *names):
    code = (
        "import json; from django.conf import settings; "
        f"print(json.dumps({{n: getattr(settings, n) for n in {list(names)!r}}}, default=str))"
    )
    result = run_with(env, "-c", f"import django; django.setup(); {code}", data_dir=data_dir)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_the_production_environment_passes_check_deploy(tmp_path):
    result = run_with(
        PRODUCTION, "manage.py", "check", "--deploy", "--fail-level", "WARNING", data_dir=tmp_path
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_production_reads_database_and_cache_from_the_environment(tmp_path):
    values = read_settings(PRODUCTION, tmp_path, "DATABASES", "CACHES", "SESSION_COOKIE_SECURE")
    database = values["DATABASES"]["default"]
    assert (database["ENGINE"], database["HOST"], database["NAME"]) == (
        "django.db.backends.postgresql",
        "db.internal",
        "jugan",
    )
    assert values["CACHES"]["default"]["BACKEND"] == "config.cache.ResilientRedisCache"
    assert values["SESSION_COOKIE_SECURE"] is True


def test_a_laptop_needs_no_configuration_and_keeps_its_generated_secret(tmp_path):
    first = read_settings({}, tmp_path, "SECRET_KEY", "DATABASES", "CACHES", "DEBUG", "TIME_ZONE")
    second = read_settings({}, tmp_path, "SECRET_KEY")

    assert first["SECRET_KEY"] == second["SECRET_KEY"]
    assert len(first["SECRET_KEY"]) >= 50
    assert oct((tmp_path / "secret_key").stat().st_mode & 0o777) == "0o600"
    assert first["DATABASES"]["default"]["NAME"] == str(tmp_path / "db.sqlite3")
    assert first["CACHES"]["default"]["BACKEND"].endswith("LocMemCache")
    assert (first["DEBUG"], first["TIME_ZONE"]) == (False, "Asia/Seoul")


@pytest.mark.parametrize("value", ["maybe", "2"])
def test_a_malformed_boolean_is_refused_with_its_name(tmp_path, value):
    result = run_with({"DEBUG": value}, "manage.py", "check", data_dir=tmp_path)
    assert result.returncode != 0
    assert "DEBUG must be" in result.stderr


def test_templates_are_compiled_once_per_process():
    """Django's cached loader, which it uses unless `loaders` is set: a page's templates are
    parsed on the first request of a worker, not on every one."""
    (loader,) = engines["django"].engine.template_loaders

    assert isinstance(loader, cached.Loader)


def test_tasks_are_queued_in_the_database_unless_the_environment_says_otherwise(tmp_path):
    default = read_settings({}, tmp_path, "TASKS", "LINK_METADATA_FETCH", "COMMUNITY_HOSTS")
    assert default["TASKS"]["default"]["BACKEND"] == "django_tasks_db.DatabaseBackend"
    assert default["LINK_METADATA_FETCH"] is True
    assert default["COMMUNITY_HOSTS"] == []

    configured = read_settings(
        {
            "TASKS_BACKEND": "immediate",
            "LINK_METADATA_FETCH": "0",
            "COMMUNITY_HOSTS": "discuss.pytorch.kr, Forum.Example.org",
        },
        tmp_path,
        "TASKS",
        "LINK_METADATA_FETCH",
        "COMMUNITY_HOSTS",
    )
    assert configured["TASKS"]["default"]["BACKEND"].endswith("ImmediateBackend")
    assert configured["LINK_METADATA_FETCH"] is False
    assert configured["COMMUNITY_HOSTS"] == ["discuss.pytorch.kr", "forum.example.org"]


def test_an_unknown_tasks_backend_is_refused_by_name(tmp_path):
    result = run_with(
        {"TASKS_BACKEND": "celery"}, "-c", "import django; django.setup()", data_dir=tmp_path
    )
    assert result.returncode != 0
    assert "TASKS_BACKEND must be one of database, immediate, not 'celery'" in result.stderr


def test_pages_are_read_from_no_loopback_port_outside_the_tests(tmp_path):
    assert read_settings({}, tmp_path, "LINK_FETCH_LOOPBACK_PORTS") == {
        "LINK_FETCH_LOOPBACK_PORTS": "frozenset()"
    }

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

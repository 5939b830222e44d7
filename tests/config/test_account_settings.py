"""The curator-account settings read from the environment (config/settings/base.py)."""

from tests.config.test_settings import PRODUCTION, read_settings, run_with

ACCOUNT_SETTINGS = [
    "TWO_FACTOR_REQUIRED",
    "AXES_FAILURE_LIMIT",
    "LOGIN_ADDRESS_FAILURE_LIMIT",
    "AXES_COOLOFF_TIME",
    "ADMIN_IDLE_MINUTES",
    "BEHIND_TRUSTED_PROXY",
    "SECURE_PROXY_SSL_HEADER",
]


def test_production_requires_two_factor_sign_in_and_locks_after_five_failures(tmp_path):
    values = read_settings(PRODUCTION, tmp_path, *ACCOUNT_SETTINGS[:5])

    assert values == {
        "TWO_FACTOR_REQUIRED": True,
        "AXES_FAILURE_LIMIT": 5,
        "LOGIN_ADDRESS_FAILURE_LIMIT": 20,
        "AXES_COOLOFF_TIME": "0:15:00",
        "ADMIN_IDLE_MINUTES": 120,
    }


def test_make_run_signs_in_with_the_printed_password_alone(tmp_path):
    """`make run` sets DEBUG=1 (the Makefile's RUN_ENV)."""
    assert read_settings({"DEBUG": "1"}, tmp_path, "TWO_FACTOR_REQUIRED") == {
        "TWO_FACTOR_REQUIRED": False
    }


def test_each_is_set_by_its_variable(tmp_path):
    env = {
        **PRODUCTION,
        "TWO_FACTOR_REQUIRED": "0",
        "LOGIN_FAILURE_LIMIT": "3",
        "LOGIN_ADDRESS_FAILURE_LIMIT": "50",
        "LOGIN_COOL_OFF_MINUTES": "60",
        "ADMIN_IDLE_MINUTES": "30",
    }

    assert read_settings(env, tmp_path, *ACCOUNT_SETTINGS[:5]) == {
        "TWO_FACTOR_REQUIRED": False,
        "AXES_FAILURE_LIMIT": 3,
        "LOGIN_ADDRESS_FAILURE_LIMIT": 50,
        "AXES_COOLOFF_TIME": "1:00:00",
        "ADMIN_IDLE_MINUTES": 30,
    }


def test_a_proxy_is_trusted_only_when_the_deployment_says_so(tmp_path):
    names = ["BEHIND_TRUSTED_PROXY", "SECURE_PROXY_SSL_HEADER"]
    untrusted = read_settings(PRODUCTION, tmp_path, *names[:1])
    trusted = read_settings({**PRODUCTION, "BEHIND_TRUSTED_PROXY": "1"}, tmp_path, *names)
    # The variable's earlier name still works.
    earlier = read_settings({**PRODUCTION, "TRUST_X_FORWARDED_PROTO": "1"}, tmp_path, *names)

    assert untrusted == {"BEHIND_TRUSTED_PROXY": False}
    assert trusted == earlier
    assert trusted == {
        "BEHIND_TRUSTED_PROXY": True,
        "SECURE_PROXY_SSL_HEADER": ["HTTP_X_FORWARDED_PROTO", "https"],
    }


def test_production_with_a_trusted_proxy_passes_check_deploy(tmp_path):
    env = {**PRODUCTION, "BEHIND_TRUSTED_PROXY": "1", "TWO_FACTOR_REQUIRED": "1"}
    result = run_with(
        env, "manage.py", "check", "--deploy", "--fail-level", "WARNING", data_dir=tmp_path
    )

    assert result.returncode == 0, result.stdout + result.stderr

"""The admin login `make run` prints opens the admin, with its password alone where two-factor
sign-in is not required (DEBUG, as `make run` sets it), and says when it is."""

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db


@pytest.fixture
def printed_login(settings, tmp_path, capsys):
    def ensure_admin():
        settings.DATA_DIR = tmp_path
        call_command("ensure_admin")
        output = capsys.readouterr().out
        password = output.split("password: ")[1].split()[0]
        return output, password

    return ensure_admin


def sign_in(password):
    client = Client()
    return client.post(reverse("admin:login"), {"username": "admin", "password": password})


def test_the_printed_login_opens_the_admin_with_its_password_alone(settings, printed_login):
    settings.TWO_FACTOR_REQUIRED = False
    output, password = printed_login()

    assert "two-factor" not in output
    assert sign_in(password).url == reverse("admin:index")


def test_where_two_factor_sign_in_is_required_the_printed_login_says_so(settings, printed_login):
    settings.TWO_FACTOR_REQUIRED = True
    output, password = printed_login()

    assert "two-factor sign-in is required (TWO_FACTOR_REQUIRED)" in output
    assert sign_in(password).url == reverse("admin:two_factor_setup")

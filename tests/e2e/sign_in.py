"""The sign-in and two-factor pages, each reached as a curator reaches it: through the login
form (and, for the code step, a curator who set up two-factor sign-in), or logged in for the
pages of their own account. Used by the quality gates (test_quality.py)."""

import itertools
from base64 import b32decode

from django.test import override_settings
from django.urls import reverse
from django_otp.oath import totp

from tests.e2e.pages import visit
from tests.factories import PASSWORD, make_two_factor, make_user

SIGN_IN_PAGES = [
    "admin login",
    "two-factor code",
    "two-factor setup at first sign-in",
    "two-factor setup",
    "recovery codes",
    "two-factor status",
]
_accounts = itertools.count(1)


def new_curator():
    return make_user(f"curator-{next(_accounts)}", curator=True)


def password_step(page, user):
    page.goto(reverse("admin:login"))
    page.fill("#id_username", user.get_username())
    page.fill("#id_password", PASSWORD)
    with page.expect_navigation():
        page.click("input[type=submit]")


def code_from_page(page):
    """What the curator's authenticator app shows after scanning the page's secret."""
    secret = page.text_content("#two-factor-secret").replace(" ", "")
    return f"{totp(b32decode(secret)):06d}"


def open_sign_in_page(page, name, log_in):
    """Opens the page by name; returns its HTML as served."""
    if name == "admin login":
        return visit(page, reverse("admin:login"))
    if name == "two-factor code":
        user = new_curator()
        make_two_factor(user)
        password_step(page, user)
        return visit(page, reverse("admin:two_factor_code"))
    if name == "two-factor setup at first sign-in":
        with override_settings(TWO_FACTOR_REQUIRED=True):
            password_step(page, new_curator())
            return visit(page, reverse("admin:two_factor_setup"))
    log_in(page.context, new_curator())
    if name == "two-factor setup":
        return visit(page, reverse("admin:two_factor_setup"))
    if name == "recovery codes":
        page.goto(reverse("admin:two_factor_setup"))
        page.fill("#id_code", code_from_page(page))
        with page.expect_navigation() as navigation:
            page.click("#two-factor-setup-form input[type=submit]")
        response = navigation.value
        assert response.url.endswith(reverse("admin:two_factor_recovery_codes")), response.url
        return response.text()
    if name == "two-factor status":
        return visit(page, reverse("admin:two_factor"))
    raise ValueError(name)

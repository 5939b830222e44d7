"""Two-factor sign-in: an authenticator app's codes (TOTP) and single-use recovery codes, kept
by django-otp, and the state of a sign-in between its password and its code.

A sign-in whose password was right but whose second step is still to come is not logged in:
the user's id waits in the session for a few minutes, so nothing a logged-in staff member may
see (drafts on the readers' pages included) is open before the code.
"""

import time
from base64 import b32encode
from binascii import unhexlify

import segno
from django.conf import settings
from django.contrib.auth import get_user_model, login
from django.db import transaction
from django_otp import login as otp_login
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp.util import random_hex

RECOVERY_CODE_COUNT = 10
# An authenticator's code is six digits; a recovery code is eight letters and digits.
TOTP_DIGITS = 6
# Codes from one step (30 s) before or after the server's clock count too: phones drift.
TOTP_TOLERANCE = 1
PENDING_SIGN_IN = "two_factor_pending"
PENDING_SECONDS = 5 * 60
SETUP_SECRET = "two_factor_setup"
NEW_RECOVERY_CODES = "two_factor_new_codes"


def is_verified(user):
    """Whether this session's user passed a second factor (django-otp's OTPMiddleware)."""
    return bool(getattr(user, "otp_device", None))


def authenticator_of(user):
    return TOTPDevice.objects.devices_for_user(user, confirmed=True).first()


def recovery_codes_left(user):
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


# Setting up an authenticator


def new_secret():
    return random_hex(20)


def setup_address(user, secret):
    """The otpauth:// address an authenticator app reads from the QR code."""
    return TOTPDevice(user=user, key=secret).config_url


def qr_code(text):
    """The QR code of `text` as an SVG data: address, drawn here (nothing is fetched), dark on
    white whatever the admin's colour scheme, with the quiet zone scanners need."""
    return segno.make(text, error="m").svg_data_uri(scale=5, border=4, dark="#000", light="#fff")


def readable_secret(secret):
    """The secret as authenticator apps take it typed in: base32, in groups of four."""
    encoded = b32encode(unhexlify(secret)).decode()
    return " ".join(encoded[start : start + 4] for start in range(0, len(encoded), 4))


def time_step_of_code(secret, code):
    """The time step at which `code` is the secret's current code, or None."""
    code = normalize(code)
    if len(code) != TOTP_DIGITS or not code.isdigit():
        return None
    totp = TOTP(unhexlify(secret), digits=TOTP_DIGITS)
    if totp.verify(int(code), tolerance=TOTP_TOLERANCE):
        return totp.t()
    return None


@transaction.atomic
def turn_on(user, secret, time_step):
    """Replace the user's authenticator and recovery codes; returns (device, recovery codes).

    The code that proved the setup counts as used, so it cannot sign in a second time."""
    turn_off(user)
    device = TOTPDevice.objects.create(
        user=user, name="Authenticator", key=secret, confirmed=True, last_t=time_step
    )
    return device, new_recovery_codes(user)


@transaction.atomic
def new_recovery_codes(user):
    """A fresh set of recovery codes; the earlier ones stop working."""
    device, _created = StaticDevice.objects.get_or_create(
        user=user, name="Recovery codes", defaults={"confirmed": True}
    )
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _code in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


def turn_off(user):
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()


# Checking a code


def normalize(code):
    """Codes as people type them: spaces and dashes dropped, any case."""
    return "".join(code.split()).replace("-", "").lower()


def check_code(user, code):
    """The device that accepts `code`, an authenticator's or a recovery code, or None; and,
    when too many wrong codes came too fast (django-otp's exponential back-off), the time until
    which no code of that kind is checked.

    A code is good once: the authenticator refuses a code of a time step it already accepted,
    and a recovery code is deleted when used. Devices are locked while checked, so two requests
    cannot both spend the same code."""
    code = normalize(code)
    model = TOTPDevice if len(code) == TOTP_DIGITS and code.isdigit() else StaticDevice
    with transaction.atomic():
        for device in model.objects.devices_for_user(user, confirmed=True).select_for_update():
            allowed, details = device.verify_is_allowed()
            if not allowed:
                return None, details.get("locked_until")
            if device.verify_token(code):
                return device, None
    return None, None


# A sign-in between its two steps


def begin_sign_in(request, user, next_url):
    """The password was right: remember who is signing in, under a new session key."""
    request.session.cycle_key()
    request.session[PENDING_SIGN_IN] = {
        "user": user.pk,
        "backend": user.backend,
        "since": int(time.time()),
        "next": next_url,
    }


def pending_user(request):
    """The staff member whose password was right a moment ago in this session, or None."""
    state = request.session.get(PENDING_SIGN_IN)
    if not state or time.time() - state["since"] > PENDING_SECONDS:
        return None
    users = get_user_model()._default_manager.filter(is_active=True, is_staff=True)
    user = users.filter(pk=state["user"]).first()
    if user is not None:
        user.backend = state["backend"]
    return user


def finish_sign_in(request, user, device):
    """Log the pending user in, verified by `device`; returns where they were going."""
    next_url = request.session.pop(PENDING_SIGN_IN)["next"]
    login(request, user, backend=user.backend)
    otp_login(request, device)
    return next_url


def required_for(user):
    return settings.TWO_FACTOR_REQUIRED and user.is_staff

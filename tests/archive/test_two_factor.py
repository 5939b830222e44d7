"""Two-factor sign-in (archive/accounts/two_factor.py): an authenticator app set up from the
admin, codes computed here from the enrolled secret as the app would, single-use recovery
codes, and the requirement for staff in production."""

from binascii import unhexlify
from datetime import timedelta

import pytest
import segno
import time_machine
from axes.models import AccessAttempt
from django.contrib.auth import SESSION_KEY
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from archive.accounts import two_factor
from tests.factories import PASSWORD, make_post, make_two_factor, make_user
from tests.html import parse, text, texts

pytestmark = pytest.mark.django_db

LOGIN_URL = reverse("admin:login")
CODE_URL = reverse("admin:two_factor_code")
SETUP_URL = reverse("admin:two_factor_setup")
RECOVERY_CODES_URL = reverse("admin:two_factor_recovery_codes")
STATUS_URL = reverse("admin:two_factor")
INDEX_URL = reverse("admin:index")


def english(**options):
    return Client(HTTP_ACCEPT_LANGUAGE="en", **options)


@pytest.fixture
def curator_client(curator_client):
    curator_client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return curator_client


def code_for(secret):
    """The code an authenticator app shows for this secret now."""
    return f"{totp(unhexlify(secret)):06d}"


def wrong_code_for(secret):
    return f"{(int(code_for(secret)) + 1) % 1_000_000:06d}"


@pytest.fixture
def frozen_clock():
    """Time stands still unless a test moves it: codes stay the same within a test."""
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        yield traveller


@pytest.fixture
def enrolled(db):
    """A curator with two-factor sign-in on: (user, secret, recovery codes)."""
    user = make_user("curator", curator=True)
    secret, codes = make_two_factor(user)
    return user, secret, codes


def password_step(client, user, next_url=None):
    data = {"username": user.get_username(), "password": PASSWORD}
    if next_url:
        data["next"] = next_url
    return client.post(LOGIN_URL, data)


def signed_in(client):
    return client.get(INDEX_URL).status_code == 200


def errors(response):
    return texts(parse(response, status=response.status_code), ".errornote, .errorlist li")


# Setting it up


def test_setting_up_shows_the_secret_as_a_qr_code_drawn_here(curator_client, curator):
    page = parse(curator_client.get(SETUP_URL))

    secret = curator_client.session[two_factor.SETUP_SECRET]["secret"]
    address = two_factor.setup_address(curator, secret)
    assert address.startswith("otpauth://totp/Jugan%20%EC%A3%BC%EA%B0%84%3Acurator?secret=")
    qr_code = page.select_one("img[alt]")
    assert qr_code["src"] == segno.make(address, error="m").svg_data_uri(
        scale=5, border=4, dark="#000", light="#fff"
    )
    assert qr_code["src"].startswith("data:image/svg+xml")
    assert text(page.select_one("#two-factor-secret")).replace(" ", "") in address
    # A reload shows the same secret: the phone may have scanned it already.
    curator_client.get(SETUP_URL)
    assert curator_client.session[two_factor.SETUP_SECRET]["secret"] == secret


def test_the_apps_code_turns_it_on_and_the_recovery_codes_are_shown_once(
    curator_client, curator, frozen_clock
):
    curator_client.get(SETUP_URL)
    secret = curator_client.session[two_factor.SETUP_SECRET]["secret"]

    response = curator_client.post(SETUP_URL, {"code": code_for(secret)})

    assert response.url == RECOVERY_CODES_URL
    shown = texts(parse(curator_client.get(RECOVERY_CODES_URL)), "#recovery-codes code")
    assert len(shown) == 10
    assert set(shown) == set(StaticToken.objects.values_list("token", flat=True))
    assert curator_client.get(RECOVERY_CODES_URL).url == STATUS_URL
    device = TOTPDevice.objects.get(user=curator)
    assert (device.key, device.confirmed) == (secret, True)
    status = parse(curator_client.get(STATUS_URL))
    assert "You have 10 unused recovery codes." in text(status)


def test_a_wrong_code_does_not_turn_it_on(curator_client, curator, frozen_clock):
    curator_client.get(SETUP_URL)
    secret = curator_client.session[two_factor.SETUP_SECRET]["secret"]

    response = curator_client.post(SETUP_URL, {"code": wrong_code_for(secret)})

    assert response.status_code == 200
    assert "This is not the code your app shows now." in errors(response)[-1]
    assert not TOTPDevice.objects.exists()


# Signing in


def test_signing_in_takes_the_password_then_a_code(enrolled, frozen_clock):
    user, secret, _codes = enrolled
    draft = make_post(title="초안")
    client = english()

    assert password_step(client, user).url == CODE_URL
    # Between the two steps nothing is open: not the admin, not a draft's preview.
    assert SESSION_KEY not in client.session
    assert not signed_in(client)
    assert client.get(draft.get_absolute_url()).status_code == 404

    response = client.post(CODE_URL, {"code": code_for(secret)})

    assert response.url == INDEX_URL
    assert signed_in(client)
    assert client.get(draft.get_absolute_url()).status_code == 200


def test_the_code_step_goes_on_to_where_the_curator_was_going(enrolled, frozen_clock):
    user, secret, _codes = enrolled
    client = english()
    password_step(client, user, next_url="/admin/archive/post/")

    assert client.post(CODE_URL, {"code": code_for(secret)}).url == "/admin/archive/post/"


def test_a_wrong_code_is_refused_and_counted_as_a_failed_sign_in(enrolled, frozen_clock):
    user, secret, _codes = enrolled
    client = english()
    password_step(client, user)

    response = client.post(CODE_URL, {"code": wrong_code_for(secret)})

    assert errors(response) == [
        "Please correct the error below.",
        "This code is not right, or it was used already.",
    ]
    assert not signed_in(client)
    assert AccessAttempt.objects.get(username="curator").failures_since_start == 1


def test_a_used_code_is_refused(enrolled, frozen_clock):
    user, secret, _codes = enrolled
    first = english()
    password_step(first, user)
    first.post(CODE_URL, {"code": code_for(secret)})
    assert signed_in(first)

    second = english()
    password_step(second, user)
    response = second.post(CODE_URL, {"code": code_for(secret)})

    assert "This code is not right, or it was used already." in errors(response)
    assert not signed_in(second)
    # The app's next code, thirty seconds on, is good.
    frozen_clock.shift(timedelta(seconds=30))
    assert second.post(CODE_URL, {"code": code_for(secret)}).url == INDEX_URL


def test_a_recovery_code_works_once(enrolled):
    user, _secret, codes = enrolled
    first = english()
    password_step(first, user)
    assert first.post(CODE_URL, {"code": codes[0].upper()}).url == INDEX_URL

    second = english()
    password_step(second, user)
    response = second.post(CODE_URL, {"code": codes[0]})

    assert "This code is not right, or it was used already." in errors(response)
    assert StaticToken.objects.filter(token__in=codes).count() == 9


def test_wrong_codes_must_wait_longer_each_time(enrolled, frozen_clock):
    user, secret, _codes = enrolled
    client = english()
    password_step(client, user)
    client.post(CODE_URL, {"code": wrong_code_for(secret)})

    response = client.post(CODE_URL, {"code": code_for(secret)})

    assert "Too many wrong codes: wait 1 second, then try again." in errors(response)
    frozen_clock.shift(timedelta(seconds=1))
    assert client.post(CODE_URL, {"code": code_for(secret)}).url == INDEX_URL


def test_five_wrong_codes_lock_the_account_from_that_address(enrolled, frozen_clock):
    user, secret, _codes = enrolled
    client = english()
    password_step(client, user)
    for _wrong in range(5):
        frozen_clock.shift(timedelta(seconds=20))  # past django-otp's own back-off
        response = client.post(CODE_URL, {"code": wrong_code_for(secret)})

    assert response.status_code == 429
    frozen_clock.shift(timedelta(seconds=20))
    response = client.post(CODE_URL, {"code": code_for(secret)})
    assert response.status_code == 429
    assert not signed_in(client)


def test_the_code_step_waits_five_minutes_for_the_code(enrolled):
    user, secret, _codes = enrolled
    client = english()
    password_step(client, user)

    with time_machine.travel(timezone.now() + timedelta(minutes=5, seconds=1), tick=False):
        response = client.post(CODE_URL, {"code": code_for(secret)})

    assert response.url == LOGIN_URL
    assert not signed_in(client)


def test_without_a_password_step_there_is_no_code_step(enrolled):
    assert english().get(CODE_URL).url == LOGIN_URL
    assert english().post(SETUP_URL, {"code": "123456"}).url == LOGIN_URL


def test_the_pages_are_in_the_readers_language(enrolled):
    user, _secret, _codes = enrolled
    client = Client(HTTP_ACCEPT_LANGUAGE="ko")
    password_step(client, user)

    page = parse(client.get(CODE_URL))

    assert text(page.select_one("label")) == "인증 앱의 코드 또는 복구 코드:"


# Managing it


def signed_in_with_code(user, secret):
    client = english()
    password_step(client, user)
    client.post(CODE_URL, {"code": code_for(secret)})
    return client


def test_new_recovery_codes_replace_the_old_ones(enrolled, frozen_clock):
    user, secret, old_codes = enrolled
    client = signed_in_with_code(user, secret)

    assert client.post(RECOVERY_CODES_URL).url == RECOVERY_CODES_URL
    new_codes = texts(parse(client.get(RECOVERY_CODES_URL)), "#recovery-codes code")

    assert set(StaticToken.objects.values_list("token", flat=True)) == set(new_codes)
    assert not set(new_codes) & set(old_codes)


def test_a_session_without_the_code_cannot_change_two_factor_sign_in(enrolled, frozen_clock):
    user, _secret, codes = enrolled
    client = english()
    client.force_login(user)  # signed in before two-factor sign-in was turned on

    assert client.get(SETUP_URL).url == STATUS_URL
    assert client.post(RECOVERY_CODES_URL).url == STATUS_URL
    client.post(reverse("admin:two_factor_turn_off"))
    assert set(StaticToken.objects.values_list("token", flat=True)) == set(codes)
    assert TOTPDevice.objects.filter(user=user).exists()


def test_turning_it_off(enrolled, frozen_clock):
    user, secret, _codes = enrolled
    client = signed_in_with_code(user, secret)

    client.post(reverse("admin:two_factor_turn_off"))

    assert not TOTPDevice.objects.exists() and not StaticToken.objects.exists()
    assert password_step(english(), user).url == INDEX_URL


def test_moving_to_another_phone(enrolled, frozen_clock):
    user, secret, _codes = enrolled
    client = signed_in_with_code(user, secret)
    client.get(SETUP_URL)
    new_secret = client.session[two_factor.SETUP_SECRET]["secret"]

    client.post(SETUP_URL, {"code": code_for(new_secret)})

    assert TOTPDevice.objects.get(user=user).key == new_secret
    frozen_clock.shift(timedelta(seconds=30))
    assert signed_in(signed_in_with_code(user, new_secret))
    assert not signed_in(signed_in_with_code(user, secret))


# Required of staff


@override_settings(TWO_FACTOR_REQUIRED=True)
def test_where_required_a_first_sign_in_sets_it_up(frozen_clock):
    user = make_user("newcomer", curator=True)
    client = english()

    assert password_step(client, user).url == SETUP_URL
    assert not signed_in(client)
    page = parse(client.get(SETUP_URL))
    assert "Staff accounts on this site sign in with a code" in text(page)
    secret = client.session[two_factor.SETUP_SECRET]["secret"]

    assert client.post(SETUP_URL, {"code": code_for(secret)}).url == RECOVERY_CODES_URL
    codes_page = parse(client.get(RECOVERY_CODES_URL))
    assert len(codes_page.select("#recovery-codes code")) == 10
    assert codes_page.select_one("a.button")["href"] == INDEX_URL
    assert signed_in(client)


@override_settings(TWO_FACTOR_REQUIRED=True)
def test_where_required_a_session_without_the_second_factor_is_ended(enrolled):
    user, _secret, _codes = enrolled
    client = english()
    client.force_login(user)

    response = client.get(INDEX_URL, follow=True)

    assert response.redirect_chain[-1][0].startswith(LOGIN_URL)
    assert SESSION_KEY not in client.session
    assert "This site requires two-factor sign-in: please sign in again." in texts(
        parse(response), ".messagelist li"
    )


@override_settings(TWO_FACTOR_REQUIRED=True)
def test_where_required_it_cannot_be_turned_off(enrolled, frozen_clock):
    user, secret, _codes = enrolled
    client = signed_in_with_code(user, secret)

    client.post(reverse("admin:two_factor_turn_off"))

    assert TOTPDevice.objects.filter(user=user).exists()


def test_where_not_required_the_password_alone_signs_in_without_it():
    """`make run`: DEBUG, so not required, and the printed login opens the admin."""
    user = make_user("admin", superuser=True)
    client = english()

    assert password_step(client, user).url == INDEX_URL
    assert signed_in(client)


def test_its_forms_refuse_a_post_without_the_csrf_token(enrolled):
    user, _secret, _codes = enrolled
    browser = english(enforce_csrf_checks=True)
    browser.force_login(user)

    for url in [SETUP_URL, RECOVERY_CODES_URL, reverse("admin:two_factor_turn_off")]:
        assert browser.post(url, {"code": "123456"}).status_code == 403, url
    pending = english(enforce_csrf_checks=True)
    pending.get(LOGIN_URL)
    token = pending.cookies["csrftoken"].value
    password_step_data = {"username": "curator", "password": PASSWORD, "csrfmiddlewaretoken": token}
    assert pending.post(LOGIN_URL, password_step_data).url == CODE_URL
    assert pending.post(CODE_URL, {"code": "123456"}).status_code == 403

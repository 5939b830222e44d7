"""Failed sign-ins lock an account from an address, and an address over all accounts
(archive/accounts/lockout.py): refused before any password is hashed, told on the login page,
lifted by the cool-off or by an admin."""

from datetime import timedelta
from unittest import mock

import pytest
import time_machine
from axes.models import AccessAttempt
from django.contrib.auth.hashers import get_hashers
from django.test import Client, RequestFactory, override_settings
from django.urls import reverse
from django.utils import timezone

from archive.accounts.lockout import client_address
from tests.factories import PASSWORD, make_user, sign_in_through_the_form
from tests.html import parse, text, texts

pytestmark = pytest.mark.django_db

LOGIN_URL = reverse("admin:login")
HERE, ELSEWHERE = "203.0.113.10", "203.0.113.20"


@pytest.fixture
def curator(db):
    return make_user("curator", curator=True)


@pytest.fixture
def password_hashing():
    """Every password hashed, by any configured hasher: to check a password (`verify` hashes
    it with `encode`) or to spend the same time on an unknown account (`encode` alone)."""
    hashed = []
    patches = []
    for hasher in get_hashers():
        encode = type(hasher).encode

        def counted(self, password, *args, encode=encode, **kwargs):
            hashed.append(password)
            return encode(self, password, *args, **kwargs)

        patches.append(mock.patch.object(type(hasher), "encode", counted))
    for patch in patches:
        patch.start()
    yield hashed
    for patch in patches:
        patch.stop()


def fail(user, times, address=HERE):
    for _attempt in range(times):
        sign_in_through_the_form(user, address, password="not the password")


def signs_in(user, address=HERE):
    _client, response = sign_in_through_the_form(user, address)
    return response.status_code == 302 and response.url == reverse("admin:index")


def errors_of(response):
    return texts(parse(response, status=response.status_code), ".errornote")


def test_the_fifth_failure_locks_the_account_from_that_address(curator):
    fail(curator, 4)
    _client, fifth = sign_in_through_the_form(curator, HERE, password="still not it")

    assert fifth.status_code == 429
    assert fifth["Retry-After"] == str(15 * 60)
    assert errors_of(fifth) == [
        "Too many failed sign-ins from your address: signing in is paused for 15 minutes. "
        "An administrator can lift the lock sooner."
    ]
    assert not signs_in(curator)
    # The same account from elsewhere, and another account from here, still sign in.
    assert signs_in(curator, ELSEWHERE)
    assert signs_in(make_user("colleague", curator=True), HERE)


def test_four_failures_and_then_the_right_password_forgive_the_typos(curator):
    fail(curator, 4)
    assert signs_in(curator)

    fail(curator, 4)
    assert signs_in(curator)


def test_a_locked_attempt_is_refused_before_any_password_is_hashed(curator, password_hashing):
    colleague = make_user("colleague", curator=True)
    password_hashing.clear()
    fail(curator, 5)
    assert len(password_hashing) == 5  # each failure until the lock checked its password

    password_hashing.clear()
    for password in ["guess", PASSWORD, "another guess"]:
        sign_in_through_the_form(curator, HERE, password=password)
    assert password_hashing == []
    # An account unknown to the lock is still checked, so the count above is not zero by luck.
    sign_in_through_the_form(colleague, HERE)
    assert password_hashing == [PASSWORD]


def test_an_address_guessing_many_accounts_is_locked_for_all_of_them(curator):
    for number in range(20):
        Client(REMOTE_ADDR=HERE).post(
            LOGIN_URL, {"username": f"guess{number}", "password": "123456"}
        )

    assert not signs_in(curator, HERE)
    assert signs_in(curator, ELSEWHERE)


def test_the_lock_lifts_when_the_cool_off_has_passed(curator):
    fail(curator, 5)

    with time_machine.travel(timezone.now() + timedelta(minutes=14)):
        assert not signs_in(curator)
    with time_machine.travel(timezone.now() + timedelta(minutes=15, seconds=1)):
        assert signs_in(curator)


def test_refused_attempts_do_not_restart_the_cool_off(curator):
    fail(curator, 5)
    with time_machine.travel(timezone.now() + timedelta(minutes=10)):
        fail(curator, 3)
    with time_machine.travel(timezone.now() + timedelta(minutes=15, seconds=1)):
        assert signs_in(curator)


@override_settings(AXES_FAILURE_LIMIT=2, AXES_COOLOFF_TIME=timedelta(minutes=1))
def test_the_limit_and_the_cool_off_are_settings(curator):
    fail(curator, 2)
    _client, response = sign_in_through_the_form(curator, HERE)

    assert response.status_code == 429
    assert "paused for 1 minute." in errors_of(response)[0]


def test_the_message_is_in_the_readers_language(curator):
    fail(curator, 5)
    client = Client(REMOTE_ADDR=HERE, HTTP_ACCEPT_LANGUAGE="ko")

    response = client.post(LOGIN_URL, {"username": "curator", "password": PASSWORD})

    assert errors_of(response) == [
        "로그인 실패가 너무 많아 이 주소에서의 로그인을 15분 동안 멈췄습니다. "
        "관리자가 그 전에 풀 수 있습니다."
    ]


# Where a request comes from


def request_from(remote, forwarded=None):
    headers = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded is not None else {}
    return RequestFactory().get("/", REMOTE_ADDR=remote, **headers)


def test_a_client_cannot_dodge_the_count_with_x_forwarded_for(curator):
    for number in range(5):
        Client(REMOTE_ADDR=HERE, HTTP_X_FORWARDED_FOR=f"192.0.2.{number}").post(
            LOGIN_URL, {"username": "curator", "password": "guess"}
        )

    assert not signs_in(curator)
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {HERE}


@pytest.mark.parametrize(
    ("forwarded", "address"),
    [
        ("198.51.100.7", "198.51.100.7"),
        # Whatever the client sent stands to the left of what the proxy appended.
        ("192.0.2.1, 198.51.100.7", "198.51.100.7"),
        ("2001:db8::1", "2001:db8::1"),
        # No header, or one the proxy did not write: the connection's address.
        (None, "10.0.0.2"),
        ("", "10.0.0.2"),
        ("not-an-address", "10.0.0.2"),
        ("198.51.100.7, <script>", "10.0.0.2"),
    ],
)
@override_settings(BEHIND_TRUSTED_PROXY=True)
def test_behind_a_trusted_proxy_the_address_it_appended_counts(forwarded, address):
    assert client_address(request_from("10.0.0.2", forwarded)) == address


@override_settings(BEHIND_TRUSTED_PROXY=True, TRUSTED_PROXY_COUNT=2)
def test_behind_two_proxies_the_address_the_first_appended_counts():
    request = request_from("10.0.0.3", "192.0.2.1, 198.51.100.7, 10.0.0.2")

    assert client_address(request) == "198.51.100.7"


def test_without_a_trusted_proxy_x_forwarded_for_is_ignored():
    assert client_address(request_from("10.0.0.2", "198.51.100.7")) == "10.0.0.2"


# Admins see lockouts and lift them


def test_an_admin_sees_the_lockout_and_lifts_it(curator):
    fail(curator, 5)
    admin = Client(HTTP_ACCEPT_LANGUAGE="en")
    admin.force_login(make_user("boss", superuser=True))
    attempts = reverse("admin:axes_accessattempt_changelist")

    (row,) = parse(admin.get(attempts)).select("#result_list tbody tr")
    assert "curator" in text(row) and HERE in text(row) and "Locked Out" in text(row)
    selected = list(AccessAttempt.objects.values_list("pk", flat=True))
    response = admin.post(attempts, {"action": "unlock", "_selected_action": selected}, follow=True)

    assert texts(parse(response), ".messagelist li") == [
        "1 record of failed sign-ins forgotten: those sign-ins are open again."
    ]
    assert signs_in(curator)


def test_curators_do_not_see_lockouts(curator_client):
    assert curator_client.get(reverse("admin:axes_accessattempt_changelist")).status_code == 403


# A guessing storm


STORM_ADDRESSES = [f"198.51.100.{number}" for number in range(1, 51)]
STORM_ATTEMPTS = 1_000


def storm(user):
    """1,000 guesses at one account from 50 addresses, taking turns, through the login form; the
    very last one from each address is the right password. Returns how each attempt was
    answered."""
    clients = [Client(REMOTE_ADDR=address) for address in STORM_ADDRESSES]
    answers = []
    for number in range(STORM_ATTEMPTS):
        client = clients[number % len(clients)]
        last_round = number >= STORM_ATTEMPTS - len(clients)
        password = PASSWORD if last_round else f"guess-{number}"
        response = client.post(LOGIN_URL, {"username": user.get_username(), "password": password})
        answers.append(response.status_code)
    return answers


def test_a_guessing_storm_ends_locked_until_the_cool_off(curator, password_hashing):
    password_hashing.clear()
    answers = storm(curator)

    # Each address had its five guesses; every other attempt, the right password included, was
    # refused (429) without its password being hashed.
    assert answers.count(200) == 4 * len(STORM_ADDRESSES)
    assert answers.count(429) == STORM_ATTEMPTS - 4 * len(STORM_ADDRESSES)
    assert answers[-len(STORM_ADDRESSES) :] == [429] * len(STORM_ADDRESSES)
    assert len(password_hashing) == 5 * len(STORM_ADDRESSES)
    assert not any(signs_in(curator, address) for address in STORM_ADDRESSES)

    with time_machine.travel(timezone.now() + timedelta(minutes=15, seconds=1)):
        assert all(signs_in(curator, address) for address in STORM_ADDRESSES)


def test_a_guessing_storm_ends_locked_until_an_admin_unlocks(curator):
    storm(curator)
    admin = Client()
    admin.force_login(make_user("boss", superuser=True))

    response = admin.post(
        reverse("admin:axes_accessattempt_changelist"),
        {
            "action": "unlock",
            "_selected_action": list(AccessAttempt.objects.values_list("pk", flat=True)),
        },
    )

    assert response.status_code == 302
    assert all(signs_in(curator, address) for address in STORM_ADDRESSES)


@pytest.mark.parametrize(
    "changelist",
    [
        "axes_accessattempt_changelist",
        "axes_accesslog_changelist",
        "otp_totp_totpdevice_changelist",
        "otp_static_staticdevice_changelist",
    ],
)
def test_the_account_lists_survive_tampered_ids_too(client, changelist):
    client.force_login(make_user("root", superuser=True))

    response = client.post(
        reverse(f"admin:{changelist}"),
        {"action": "delete_selected", "_selected_action": ["abc", "99999999999999999999999"]},
    )

    assert response.status_code == 302

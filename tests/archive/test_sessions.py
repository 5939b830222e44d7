"""Staff sessions (archive/accounts/sessions.py): they end after the idle time, sliding with
each request, and a new password ends every other session of its account."""

from datetime import timedelta

import pytest
import time_machine
from django.conf import settings
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tests.factories import PASSWORD, make_user, sign_in_through_the_form
from tests.html import parse, texts

pytestmark = pytest.mark.django_db

INDEX_URL = reverse("admin:index")


@pytest.fixture
def clock():
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        yield traveller


def signed_in(client):
    return client.get(INDEX_URL).status_code == 200


def test_a_session_ends_after_the_idle_time(clock):
    client, _response = sign_in_through_the_form(make_user("curator", curator=True))

    clock.shift(timedelta(minutes=120))
    assert signed_in(client)
    clock.shift(timedelta(minutes=120, seconds=1))
    response = client.get(INDEX_URL, follow=True)

    assert response.redirect_chain[-1][0].startswith(reverse("admin:login"))
    assert texts(parse(response), ".messagelist li") == [
        "You were signed out after 120 minutes without activity."
    ]
    assert not signed_in(client)


def test_each_request_moves_the_end_on(clock):
    client, _response = sign_in_through_the_form(make_user("curator", curator=True))

    for _evening in range(5):
        clock.shift(timedelta(minutes=100))
        assert signed_in(client)


@override_settings(ADMIN_IDLE_MINUTES=30)
def test_the_idle_time_is_a_setting(clock):
    client, _response = sign_in_through_the_form(make_user("curator", curator=True))
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    # The browser forgets the cookie then too (a minute later: the session is written at most
    # once a minute).
    assert cookie["max-age"] == 31 * 60

    clock.shift(timedelta(minutes=30, seconds=1))
    assert not signed_in(client)


def test_the_session_is_written_at_most_once_a_minute(clock):
    client, _response = sign_in_through_the_form(make_user("curator", curator=True))

    def session_writes():
        with CaptureQueriesContext(connection) as queries:
            assert signed_in(client)
        return [query for query in queries if query["sql"].startswith('UPDATE "django_session"')]

    clock.shift(timedelta(seconds=30))
    assert session_writes() == []
    clock.shift(timedelta(seconds=31))
    assert len(session_writes()) == 1


def test_a_new_password_ends_the_other_sessions_of_the_account():
    curator = make_user("curator", curator=True)
    laptop, _response = sign_in_through_the_form(curator, address="203.0.113.1")
    phone, _response = sign_in_through_the_form(curator, address="203.0.113.2")
    colleague, _response = sign_in_through_the_form(make_user("colleague", curator=True))

    response = laptop.post(
        reverse("admin:password_change"),
        {
            "old_password": PASSWORD,
            "new_password1": "a new and longer passphrase",
            "new_password2": "a new and longer passphrase",
        },
    )

    assert response.url == reverse("admin:password_change_done")
    assert signed_in(laptop)
    assert not signed_in(phone)
    assert signed_in(colleague)


def test_a_password_set_by_an_admin_ends_every_session_of_the_account():
    curator = make_user("curator", curator=True)
    laptop, _response = sign_in_through_the_form(curator)
    admin = Client()
    admin.force_login(make_user("boss", superuser=True))

    admin.post(
        reverse("admin:auth_user_password_change", args=[curator.pk]),
        {
            "password1": "a password the admin chose",
            "password2": "a password the admin chose",
            "usable_password": "true",
        },
    )

    assert not signed_in(laptop)
    assert signed_in(admin)

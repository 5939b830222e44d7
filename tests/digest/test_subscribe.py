"""The subscription form and the pages behind the links in mails: double opt-in, the same
answer for every address, no cookie nor CSRF token, GETs that never write."""

from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.test import Client
from django.utils import timezone

from archive.models import Subscriber, SubscriberStatus
from archive.subscriptions import confirm_token, unsubscribe_token
from tests.factories import make_published_week, make_subscriber
from tests.html import parse

pytestmark = pytest.mark.django_db


@pytest.fixture
def browser():
    """A client that checks CSRF like a real server and holds no cookie."""
    return Client(enforce_csrf_checks=True)


@pytest.fixture(autouse=True)
def clear_rate_limits():
    from django.core.cache import cache

    cache.clear()


def post_form(client, capture, **values):
    values = {"email": "reader@example.org", "language": "ko", **values}
    with capture(execute=True):
        return client.post("/subscribe/", values)


def test_the_subscribe_page_shows_the_form_without_token_or_cookie(client):
    make_published_week()  # topics NLP, 자연어처리
    response = client.get("/subscribe/")
    page = parse(response)
    form = page.select_one("form.subscribe-form")
    assert form["method"] == "post" and form["action"] == "/subscribe/"
    names = {field["name"] for field in form.select("input[name]")}
    assert names == {"email", "language", "topics", "website"}
    assert form.select_one("input[name=csrfmiddlewaretoken]") is None
    assert not response.cookies
    assert "public" in response["Cache-Control"]
    assert {box["value"] for box in form.select("input[name=topics]")} == {"nlp", "자연어처리"}
    english = parse(client.get("/en/subscribe/"))
    assert english.select_one("input[name=language][checked]")["value"] == "en"
    assert english.select_one("form.subscribe-form")["action"] == "/en/subscribe/"


def test_subscribing_sends_one_signed_confirmation_and_subscribes_nobody_yet(
    browser, django_capture_on_commit_callbacks
):
    response = post_form(browser, django_capture_on_commit_callbacks)
    assert response.status_code == 200
    assert not response.cookies
    subscriber = Subscriber.objects.get()
    assert subscriber.status == SubscriberStatus.PENDING
    [message] = mail.outbox
    assert message.to == ["reader@example.org"]
    assert f"/subscribe/confirm/{confirm_token(subscriber)}/" in message.body
    assert "reader@example.org" not in message.body  # the link does not carry the address


def test_the_answer_is_the_same_for_new_waiting_and_subscribed_addresses(
    client, django_capture_on_commit_callbacks
):
    make_subscriber("known@example.org")
    answers = [
        post_form(client, django_capture_on_commit_callbacks, email=address).content
        for address in ["new@example.org", "new@example.org", "known@example.org"]
    ]
    assert answers[0] == answers[1] == answers[2]
    assert [message.to for message in mail.outbox] == [["new@example.org"]]


def test_a_waiting_address_gets_no_second_mail_for_24_hours(
    client, django_capture_on_commit_callbacks
):
    post_form(client, django_capture_on_commit_callbacks)
    post_form(client, django_capture_on_commit_callbacks, email="READER@example.org")
    assert len(mail.outbox) == 1
    with time_machine.travel(timezone.now() + timedelta(hours=23), tick=False):
        post_form(client, django_capture_on_commit_callbacks)
    assert len(mail.outbox) == 1
    with time_machine.travel(timezone.now() + timedelta(hours=25), tick=False):
        post_form(client, django_capture_on_commit_callbacks, language="en")
    assert len(mail.outbox) == 2
    assert Subscriber.objects.get().language == "en"


def test_the_honeypot_gets_the_same_answer_and_nothing_else(
    client, django_capture_on_commit_callbacks
):
    normal = post_form(client, django_capture_on_commit_callbacks, email="a@example.org")
    bot = post_form(client, django_capture_on_commit_callbacks, website="http://spam.example")
    assert bot.status_code == 200
    assert bot.content == normal.content
    assert not Subscriber.objects.filter(email="reader@example.org").exists()


def test_the_form_is_rate_limited_per_client(client, settings, django_capture_on_commit_callbacks):
    settings.EMAIL_SUBSCRIBE_LIMIT = 3
    for number in range(3):
        response = post_form(client, django_capture_on_commit_callbacks, email=f"{number}@x.org")
        assert response.status_code == 200
    response = post_form(client, django_capture_on_commit_callbacks, email="4@x.org")
    assert response.status_code == 429
    assert not Subscriber.objects.filter(email="4@x.org").exists()
    other = Client(REMOTE_ADDR="198.51.100.9")
    assert post_form(other, django_capture_on_commit_callbacks, email="5@x.org").status_code == 200


def test_a_bad_address_is_a_form_error(client):
    page = parse(client.post("/subscribe/", {"email": "not an address", "language": "ko"}))
    assert page.select_one("#subscribe-email-errors") is not None
    assert page.select_one("#subscribe-email")["value"] == "not an address"
    assert not Subscriber.objects.exists()


def test_topics_and_language_are_kept(client, django_capture_on_commit_callbacks):
    make_published_week()
    post_form(client, django_capture_on_commit_callbacks, topics=["nlp"], language="en")
    subscriber = Subscriber.objects.get()
    assert subscriber.language == "en"
    assert [topic.slug for topic in subscriber.topics.all()] == ["nlp"]
    assert "/en/subscribe/confirm/" in mail.outbox[0].body


def test_confirming_takes_the_buttons_post_not_the_link(browser):
    subscriber = make_subscriber(status="pending")
    url = f"/subscribe/confirm/{confirm_token(subscriber)}/"
    page = parse(browser.get(url))
    assert page.select_one("form button") is not None
    subscriber.refresh_from_db()
    assert subscriber.status == SubscriberStatus.PENDING

    response = browser.post(url)
    assert response.status_code == 200
    assert not response.cookies
    subscriber.refresh_from_db()
    assert subscriber.status == SubscriberStatus.ACTIVE
    assert browser.post(url).status_code == 200  # again: still subscribed, no error


def test_an_expired_or_forged_confirmation_link_confirms_nothing(client, settings):
    subscriber = make_subscriber(status="pending")
    token = confirm_token(subscriber)
    later = timezone.now() + timedelta(days=settings.EMAIL_CONFIRM_DAYS, hours=1)
    with time_machine.travel(later, tick=False):
        assert client.post(f"/subscribe/confirm/{token}/").status_code == 404
    assert client.post(f"/subscribe/confirm/{token[:-2]}xx/").status_code == 404
    assert client.post(f"/subscribe/confirm/{unsubscribe_token(subscriber)}/").status_code == 404
    subscriber.refresh_from_db()
    assert subscriber.status == SubscriberStatus.PENDING


def test_unsubscribing_in_one_click_needs_no_cookie_nor_token(browser):
    subscriber = make_subscriber()
    url = f"/unsubscribe/{unsubscribe_token(subscriber)}/"
    assert parse(browser.get(url)).select_one("form button") is not None
    subscriber.refresh_from_db()
    assert subscriber.is_active

    response = browser.post(
        url, "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 200
    subscriber.refresh_from_db()
    assert subscriber.status == SubscriberStatus.UNSUBSCRIBED
    assert subscriber.ended_at is not None
    assert "no-store" in response["Cache-Control"]


def test_an_unknown_unsubscribe_link_is_a_404_page(client):
    assert client.get("/unsubscribe/nothing:here/").status_code == 404
    assert client.post("/unsubscribe/nothing:here/").status_code == 404


def test_an_old_confirmation_link_does_not_bring_back_an_address_that_left(client):
    subscriber = make_subscriber(status="pending")
    url = f"/subscribe/confirm/{confirm_token(subscriber)}/"
    subscriber.status = SubscriberStatus.UNSUBSCRIBED
    subscriber.save()
    page = parse(client.post(url))
    assert page.select_one("form button") is None
    subscriber.refresh_from_db()
    assert subscriber.status == SubscriberStatus.UNSUBSCRIBED

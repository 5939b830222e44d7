"""What a week's mail holds, to whom it goes, and when publishing sends it."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from archive.delivery import WeekSender, plan_deliveries
from archive.mail import message_id, week_edition
from archive.models import Delivery, DeliveryStatus, Topic
from archive.services import publish_week
from archive.tasks import deliver_week
from tests.factories import make_subscriber, make_week_to_publish
from tests.html import parse_html

pytestmark = pytest.mark.django_db


def published(week, capture):
    with capture(execute=True):
        publish_week(week)
    return week


def html_of(message):
    [(html, mimetype)] = message.alternatives
    assert mimetype == "text/html"
    return html


def test_publishing_mails_each_active_subscriber_once_after_commit(
    django_capture_on_commit_callbacks,
):
    make_subscriber("a@example.org")
    make_subscriber("b@example.org", language="en")
    week = make_week_to_publish()
    with django_capture_on_commit_callbacks() as callbacks:
        publish_week(week)
    assert mail.outbox == []  # nothing before the commit
    for callback in callbacks:
        callback()
    assert sorted(message.to[0] for message in mail.outbox) == ["a@example.org", "b@example.org"]
    english = next(message for message in mail.outbox if message.to == ["b@example.org"])
    assert english.subject == "[Jugan 주간] Week 5, 2021 · 1–7 Feb"
    assert set(Delivery.objects.values_list("status", flat=True)) == {DeliveryStatus.SENT}

    deliver_week.call(week.pk)  # a retry of the task, a second click
    assert len(mail.outbox) == 2


def test_topic_subscribers_get_only_their_topics_and_no_mail_without_any(
    django_capture_on_commit_callbacks,
):
    week = make_week_to_publish(topics_per_post=(("NLP",), ("Vision",)))
    Topic.objects.create(name="Robotics")
    make_subscriber("nlp@example.org", topics=["NLP"])
    make_subscriber("robots@example.org", topics=["Robotics"])
    make_subscriber("all@example.org")
    published(week, django_capture_on_commit_callbacks)

    by_address = {message.to[0]: message for message in mail.outbox}
    assert sorted(by_address) == ["all@example.org", "nlp@example.org"]
    assert "글 1: NLP" in by_address["nlp@example.org"].body
    assert "글 2: Vision" not in by_address["nlp@example.org"].body
    assert "글 2: Vision" in by_address["all@example.org"].body
    assert not Delivery.objects.filter(subscriber__email="robots@example.org").exists()


def test_importing_an_old_week_mails_nobody(django_capture_on_commit_callbacks):
    make_subscriber()
    week = make_week_to_publish()
    with django_capture_on_commit_callbacks(execute=True):
        publish_week(week, at=timezone.now() - timedelta(days=365))
    assert mail.outbox == []


def test_the_mail_has_both_parts_absolute_links_inlined_css_and_list_headers(
    django_capture_on_commit_callbacks,
):
    subscriber = make_subscriber("reader@example.org")
    week = published(make_week_to_publish(title="이번 주"), django_capture_on_commit_callbacks)
    [message] = mail.outbox
    assert message.subject == "[Jugan 주간] 2021년 2월 1주차 — 이번 주"
    html = parse_html(html_of(message))
    title = html.select_one("h2 a")
    assert title["href"].startswith("http://testserver/posts/")
    assert "color" in title.get("style", "")  # inlined, for clients that drop <style>
    summary_link = html.find("a", string="관련 글")
    assert summary_link["href"] == "http://testserver/topics/"
    assert html.find("img") is None
    assert html.find("meta", attrs={"name": "color-scheme"})["content"] == "light dark"
    assert "http://testserver/topics/" in message.body  # the text part: same content
    assert "글 1: NLP" in message.body and "큐레이터 한마디" in message.body
    headers = message.extra_headers
    assert headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert headers["List-Unsubscribe"].startswith("<http://testserver/unsubscribe/")
    assert "mailto:jugan@testserver?subject=unsubscribe" in headers["List-Unsubscribe"]
    assert headers["Message-ID"] == message_id(week, subscriber)
    assert message_id(week, subscriber) == message_id(week, subscriber)


def test_one_edition_is_rendered_per_language_and_topic_choice():
    week = make_week_to_publish()
    publish_week(week)
    for _number in range(20):
        make_subscriber()
    plan_deliveries(week)
    sender = WeekSender(week)
    sender.run()
    assert len(sender.editions) == 1
    assert len(mail.outbox) == 20
    assert week_edition(week, "ko", frozenset({-1})) is None


def test_a_subscriber_who_left_after_planning_gets_nothing():
    week = make_week_to_publish()
    publish_week(week)
    leaving = make_subscriber()
    plan_deliveries(week)
    leaving.status = "unsubscribed"
    leaving.save()
    WeekSender(week).run()
    assert mail.outbox == []
    delivery = Delivery.objects.get()
    assert delivery.status == DeliveryStatus.FAILED
    assert delivery.error == "the subscriber left before it was sent"


def test_an_unpublished_week_is_not_sent():
    make_subscriber()
    week = make_week_to_publish()
    assert deliver_week.call(week.pk) == 0
    assert mail.outbox == []


def test_the_confirmation_mail_is_in_the_subscribers_language(
    client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/en/subscribe/", {"email": "x@example.org", "language": "en"})
    [message] = mail.outbox
    assert message.subject == "[Jugan 주간] Confirm your subscription"
    assert "http://testserver/en/subscribe/confirm/" in message.body

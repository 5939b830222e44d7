"""A reader's request never writes to the database: every page and feed the site routes, asked
for in every state the content can be in when a reader arrives."""

import re
from datetime import timedelta
from unittest import mock

import pytest
from django.db import connection
from django.utils import timezone

from archive.models import AboutPage, Post, Subscriber, SubscriberStatus, Topic, Week
from archive.subscriptions import confirm_token, unsubscribe_token
from tests.factories import make_post, make_round_up_week, make_subscriber, make_week
from tests.hostile.routes import PLACEHOLDER, routes

pytestmark = pytest.mark.django_db

WRITE = re.compile(r"^\s*(INSERT|UPDATE|DELETE|REPLACE|CREATE|DROP|ALTER)\b", re.IGNORECASE)
SITEMAP_SECTIONS = ["pages", "weeks", "posts", "topics"]


def reader_urls():
    """One address per reader route, naming published content; more for the routes with
    several kinds of value (a sitemap per section, both languages)."""
    week = Week.objects.published().first()
    post = Post.objects.published().first()
    topic = Topic.objects.published().order_by("name").first()
    values = {
        "year": [str(week.year)],
        "week": [f"{week.number:02d}"],
        "section": SITEMAP_SECTIONS,
        "language": ["en", "ko"],
        # The links in mails: a confirmation waiting, an unsubscribe of a subscriber.
        "token": [
            confirm_token(Subscriber.objects.get(status=SubscriberStatus.PENDING)),
            unsubscribe_token(Subscriber.objects.get(status=SubscriberStatus.ACTIVE)),
        ],
    }
    urls = []
    for route, _pattern in routes():
        if route.startswith("admin/"):
            continue
        names = [match["name"] for match in PLACEHOLDER.finditer(route)]
        if "slug" in names:
            values["slug"] = [post.slug if route.startswith("posts/") else topic.slug]
        filled = [route]
        for name in names:
            filled = [
                PLACEHOLDER.sub(
                    lambda match, v=value, n=name: v if match["name"] == n else match[0], url
                )
                for url in filled
                for value in values[name]
            ]
        urls += ["/" + url for url in filled]
    moved = ["/posts/former-slug/", "/topics/NLP/", "/topics/NLP/feed/", "/topics/former-topic/"]
    return [*urls, *moved, "/search/?q=모델", "/topics/nlp/?page=2", "/no/such/page/"]


def refuse_writes(execute, sql, params, many, context):
    assert not WRITE.match(sql), f"a reader's request wrote: {sql}"
    return execute(sql, params, many, context)


@pytest.fixture
def site():
    make_round_up_week()
    AboutPage(community_name="TensorflowKR", text="**소개**", text_en="About").save()
    # Addresses that answer with a redirect (digest/addresses.py).
    renamed = Post.objects.published().last()
    slug, renamed.slug = renamed.slug, "former-slug"
    renamed.save()
    renamed.slug = slug
    renamed.save()
    topic = Topic.objects.get(name="PyTorch")
    slug, topic.slug = topic.slug, "former-topic"
    topic.save()
    topic.slug = slug
    topic.save()
    make_subscriber("waiting@example.org", status="pending")
    make_subscriber("reader@example.org")
    draft = make_week(number=6)
    make_post(week=draft, topics=["NLP"])
    # Written and not committed: what was derived from the content (topic counts) is stale.
    Post.objects.filter(week=draft).update(title="still a draft")
    return draft


STATES = {
    "as it is": lambda: None,
    "a scheduled post came due": lambda: make_post(
        week=Week.objects.published().first(),
        published=True,
        published_at=timezone.now() + timedelta(minutes=5),
        topics=["예약"],
    ),
}


@pytest.mark.parametrize("state", STATES.values(), ids=STATES.keys())
@pytest.mark.parametrize("cookies", [{}, {"sessionid": "not-a-session", "django_language": "en"}])
def test_no_reader_request_writes(client, site, state, cookies):
    state()
    urls = reader_urls()
    client.cookies.load(cookies)
    later = timezone.now() + timedelta(minutes=10)

    with (
        mock.patch("django.utils.timezone.now", return_value=later),
        connection.execute_wrapper(refuse_writes),
    ):
        for url in urls:
            for method in (client.get, client.head):
                response = method(url)
                assert response.status_code in {200, 301, 302, 404}, url
    assert len(urls) >= 25
    assert {"/about/", "/feeds/"} <= set(urls)

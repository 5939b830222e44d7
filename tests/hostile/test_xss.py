"""Stored XSS: every payload of xss_corpus.txt, typed into every field a curator can write, must
run nothing on any reader page, in any feed, the sitemap or the Markdown export.

Payloads are stored the way the admin stores them (each field's form cleaning, then the models'
own validation and rendering), in batches of BATCH weeks of one post each, so that every page
and feed that lists weeks or posts shows a whole batch at once (lists of 20 on two pages; the
weeks feed is made to hold the batch). Each payload is a week's title, intro and outro, a
post's title, summary, commentary and topic, its source link's title and description, a link's
label, title and description, and the tail of both link addresses; each week, post and topic
page is checked too.
"""

import io
import zipfile
from datetime import timedelta
from urllib.parse import quote
from xml.etree import ElementTree

import pytest
from django import forms
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from archive.forms import LinkURLField
from archive.markdown_limits import markdown_problem
from archive.models import Link, Post, PostLink, Status, Week
from archive.rendering import render_markdown
from digest import feeds
from digest.feeds import TopicFeed
from digest.forms import QUERY_MAX_LENGTH
from tests.factories import make_user
from tests.hostile.corpus import payloads
from tests.hostile.safety import (
    URL_SCHEME,
    assert_feed_runs_nothing,
    assert_only_allowlisted,
    assert_runs_nothing,
    followed_url,
)

pytestmark = pytest.mark.django_db

BATCH = 40
SHARED_TOPIC = "hostile"
PUBLISHED_AT = timezone.now() - timedelta(days=1)


def typed(value, max_length):
    """What an admin text field keeps of a typed value: stripped, or "" when it refuses it."""
    try:
        return forms.CharField(max_length=max_length, required=False).clean(value)
    except ValidationError:
        return ""


def written(value):
    """What an admin Markdown field keeps: also "" when the text would be too costly to render."""
    value = typed(value, None)
    return "" if markdown_problem(value) else value


def pasted_link(address, payload):
    """The Link an admin URL field makes of a pasted address, or None when it refuses it."""
    try:
        url = LinkURLField().clean(address)
    except ValidationError:
        return None
    link = Link.objects.for_url(url)
    link.title = typed(payload, 300)
    link.description = typed(payload, 2000)
    link.save()
    return link


def store_batch(batch):
    """Per payload, one published week (2021-W01, W02…) holding one published post."""
    for number, payload in enumerate(batch, start=1):
        week = Week.objects.create(
            year=2021,
            number=number,
            title=typed(payload, 300),
            intro=written(payload),
            outro=written(payload),
            status=Status.PUBLISHED,
            published_at=PUBLISHED_AT,
        )
        source = pasted_link(f"https://example.com/source/{number}/{payload}", payload)
        post = Post.objects.create(
            title=typed(payload, 300) or f"post {number}",
            summary=written(payload),
            commentary=written(payload),
            source=source or pasted_link(f"https://example.com/source/{number}", payload),
            posted_on=week.start,
            week=week,
            status=Status.PUBLISHED,
            published_at=PUBLISHED_AT,
        )
        # The whole payload as one topic, as typing it in quotes in the topics field gives.
        post.topics.add(SHARED_TOPIC, *filter(None, [typed(payload, 100)]))
        link = pasted_link(f"https://example.com/links/{number}?q={payload}", payload)
        PostLink.objects.create(
            post=post,
            link=link or pasted_link(f"https://example.com/links/{number}", payload),
            label=typed(payload, 200),
        )


BATCHES = [payloads()[start : start + BATCH] for start in range(0, len(payloads()), BATCH)]


def test_the_corpus_is_large_enough():
    assert len(payloads()) >= 300
    assert len(set(payloads())) == len(payloads())


def get(client, url, **extra):
    response = client.get(url, **extra)
    assert response.status_code == 200, (url, response.status_code)
    return response


SHARED_TOPIC_PAGE = f"/topics/{SHARED_TOPIC}/"
# Every page and feed that shows a whole batch at once.
BATCH_PAGES = [
    "/",
    "/weeks/",
    "/weeks/2021/",
    "/topics/",
    SHARED_TOPIC_PAGE,
    f"{SHARED_TOPIC_PAGE}?page=2",
    f"/search/?topic={SHARED_TOPIC}",
    f"/search/?topic={SHARED_TOPIC}&page=2",
    "/feeds/",
]
BATCH_DOCUMENTS = [
    "/feed/",
    "/feed/atom/",
    "/feed.json",
    "/feed/posts/",
    "/feed/posts/atom/",
    f"{SHARED_TOPIC_PAGE}feed/",
    f"{SHARED_TOPIC_PAGE}feed/atom/",
    "/sitemap.xml",
    "/sitemap-pages.xml",
    "/sitemap-weeks.xml",
    "/sitemap-posts.xml",
    "/sitemap-topics.xml",
    "/feeds.opml",
]


def assert_markdown_is_safe(markdown):
    """The export is Markdown for a blog: through our own pipeline it runs nothing."""
    assert_only_allowlisted(render_markdown(markdown))


@pytest.mark.parametrize("batch", BATCHES, ids=lambda batch: str(payloads().index(batch[0])))
def test_no_payload_runs_anywhere_a_reader_looks(client, monkeypatch, batch):
    monkeypatch.setattr(feeds, "LATEST_WEEKS", BATCH)  # the latest 20 would leave half out
    store_batch(batch)

    for url in BATCH_PAGES:
        assert_runs_nothing(get(client, url).content, url)
    for url in BATCH_DOCUMENTS:
        assert_feed_runs_nothing(client.get(url), url)
    assert len(ElementTree.fromstring(client.get("/feed/").content).findall("channel/item")) == len(
        batch
    )
    for post in Post.objects.published().select_related("week").prefetch_related("topics"):
        for url in [post.week.get_absolute_url(), post.get_absolute_url()]:
            assert_runs_nothing(get(client, url).content, url)
        for tag in post.topics.exclude(name=SHARED_TOPIC):
            topic = reverse("digest:topic", kwargs={"slug": tag.slug})
            assert_runs_nothing(get(client, topic).content, topic)
            # A topic's feeds hold the entries checked in the shared topic's feeds above; what
            # is its own is the channel's description, which RSS readers show as HTML.
            assert_runs_nothing(TopicFeed().description(tag), topic)

    public = get(client, "/2021/w01.md")
    assert public["Content-Type"] == "text/markdown; charset=utf-8"
    assert public["X-Content-Type-Options"] == "nosniff"
    curator = Client()
    curator.force_login(make_user("curator", curator=True))
    download = curator.post(
        reverse("admin:archive_week_changelist"),
        {
            "action": "download_markdown",
            "_selected_action": list(Week.objects.values_list("pk", flat=True)),
        },
    )
    assert download["Content-Type"] == "application/zip"
    assert download["X-Content-Type-Options"] == "nosniff"
    with zipfile.ZipFile(io.BytesIO(download.content)) as archive:
        exports = [archive.read(name).decode() for name in archive.namelist()]
    assert len(exports) == len(batch)
    assert exports[0] == public.content.decode()
    for markdown in exports:
        assert_markdown_is_safe(markdown)


def test_a_link_field_takes_a_payload_only_as_an_http_address():
    """Pasted as an address (the source of a post, one of its links, a link), a payload is
    refused with a form error, or it is an http(s) address and stays one once normalised."""
    for payload in payloads():
        try:
            url = LinkURLField().clean(payload)
        except ValidationError:
            continue
        link = Link.objects.for_url(url)
        assert URL_SCHEME.match(followed_url(link.get_absolute_url())).group(1) in {"http", "https"}


def test_search_echoes_every_payload_as_text(client):
    """The query is echoed in the search box and the result count; results are checked above."""
    for payload in payloads():
        url = f"/search/?q={quote(typed(payload, QUERY_MAX_LENGTH))}"
        assert_runs_nothing(get(client, url).content, url)

"""Draft leaks: one matrix over every way content is kept from readers × every place a reader
looks, for anonymous readers and for readers who are logged in but not staff.

Each way of hiding leaves a distinct token ("zqdraftweek"…) in every field it can (titles,
texts, topic, link address and label), so a leak shows as its token anywhere in a response:
page, feed, sitemap, export or OPML, in lists, counts and search results alike.
tests/digest/test_visibility.py and test_feeds.py cover staff previews and each surface's own
details; this is the one place every combination is tried.
"""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from archive.models import Link, Post, PostLink, Status, Week
from tests.factories import make_post, make_user, make_week
from tests.html import parse, texts

pytestmark = pytest.mark.django_db

SHARED_TOPIC = "shared"
LATER = timedelta(days=1)


def hidden_post(token, week, **fields):
    """A post carrying its token in every field a reader could see."""
    post = make_post(
        f"{token} title",
        week=week,
        summary=f"{token} summary, common words",
        commentary=f"{token} comment",
        source=Link.objects.for_url(f"https://example.com/{token}/source"),
        topics=[SHARED_TOPIC, token],
        **fields,
    )
    PostLink.objects.create(
        post=post, link=Link.objects.for_url(f"https://example.com/{token}/link"), label=token
    )
    return post


def hidden_week(token, week, **fields):
    return make_week(
        2021, week, title=f"{token} week", intro=f"{token} intro", outro=f"{token} outro", **fields
    )


def every_way_of_hiding(readable):
    """{token: the pages of its own that must not be found}, for each way content is hidden."""
    now = timezone.now()
    draft_week = hidden_week("zqdraftweek", 6)
    draft_week_post = hidden_post("zqpublishedpostindraftweek", draft_week, published=True)
    draft_post = hidden_post("zqdraftpost", readable)
    future_post = hidden_post(
        "zqfuturepost", readable, status=Status.PUBLISHED, published_at=now + LATER
    )
    future_week = hidden_week("zqfutureweek", 7, status=Status.PUBLISHED, published_at=now + LATER)
    future_week_post = hidden_post("zqpostinfutureweek", future_week, published=True)
    draft_only_year = make_week(2022, 1, title="zqdraftyear week")
    hidden_post("zqdraftyear", draft_only_year)
    return {
        "zqdraftweek": [draft_week],
        "zqpublishedpostindraftweek": [draft_week_post],
        "zqdraftpost": [draft_post],
        "zqfuturepost": [future_post],
        "zqfutureweek": [future_week],
        "zqpostinfutureweek": [future_week_post],
        "zqdraftyear": [draft_only_year, "/weeks/2022/"],
    }


def unpublish_after_readers_saw_it(readable, surfaces):
    """Published, seen (so every cache holds it), then unpublished the way the admin does."""
    week = hidden_week("zqunpublishedweek", 8, published=True)
    week_post = hidden_post("zqpostinunpublishedweek", week, published=True)
    post = hidden_post("zqunpublishedpost", readable, published=True)
    reader = Client()
    for url in surfaces:
        reader.get(url)
    assert "zqunpublishedpost" in reader.get("/feed/posts/").content.decode()
    Week.objects.filter(pk=week.pk).unpublish()
    Post.objects.filter(pk=post.pk).unpublish()
    return {
        "zqunpublishedweek": [week],
        "zqpostinunpublishedweek": [week_post],
        "zqunpublishedpost": [post],
    }


SURFACES = [
    # pages
    "/",
    "/weeks/",
    "/weeks/2021/",
    "/2021/w05/",
    "/topics/",
    f"/topics/{SHARED_TOPIC}/",
    "/search/?q=zq",
    "/search/?q=common",
    f"/search/?topic={SHARED_TOPIC}",
    "/feeds/",
    # feeds
    "/feed/",
    "/feed/atom/",
    "/feed.json",
    "/feed/posts/",
    "/feed/posts/atom/",
    f"/topics/{SHARED_TOPIC}/feed/",
    f"/topics/{SHARED_TOPIC}/feed/atom/",
    "/feeds.opml",
    # sitemaps and the export
    "/sitemap.xml",
    "/sitemap-pages.xml",
    "/sitemap-weeks.xml",
    "/sitemap-posts.xml",
    "/sitemap-topics.xml",
    "/2021/w05.md",
]


def own_urls(thing):
    if isinstance(thing, str):
        return [thing]
    if isinstance(thing, Week):
        return [thing.get_absolute_url(), f"/{thing.year}/w{thing.number:02d}.md"]
    return [thing.get_absolute_url()]


@pytest.fixture
def matrix(db):
    """The readable week 2021-W05 with one readable post, then every way of hiding."""
    readable = make_week(2021, 5, published=True, title="Readable week")
    make_post(
        "Readable post",
        week=readable,
        published=True,
        topics=[SHARED_TOPIC, "readable"],
        summary="common",
    )
    hidden = every_way_of_hiding(readable)
    hidden |= unpublish_after_readers_saw_it(readable, SURFACES)
    return readable, hidden


def anonymous():
    return Client()


def logged_in_reader():
    reader = Client()
    reader.force_login(make_user("reader"))
    return reader


@pytest.mark.parametrize("make_client", [anonymous, logged_in_reader])
def test_nothing_hidden_reaches_any_reader_anywhere(matrix, make_client):
    _readable, hidden = matrix
    reader = make_client()

    for url in SURFACES:
        response = reader.get(url)
        assert response.status_code == 200, url
        body = response.content.decode().lower()
        leaked = [token for token in hidden if token in body]
        assert not leaked, (url, leaked)
        if url not in {"/search/?q=zq", "/sitemap.xml", "/sitemap-pages.xml"}:
            # The surface does list what readers may see: the readable post, topic or week.
            assert "readable" in body or "/2021/w05/" in body, url

    for token, things in hidden.items():
        topic = f"/topics/{token}/"
        for url in [topic, f"{topic}feed/", f"{topic}feed/atom/"] + [
            url for thing in things for url in own_urls(thing)
        ]:
            assert reader.get(url).status_code == 404, (token, url)


@pytest.mark.parametrize("make_client", [anonymous, logged_in_reader])
def test_every_count_counts_only_what_readers_may_see(matrix, make_client):
    reader = make_client()

    archive = parse(reader.get("/en/weeks/"))
    assert texts(archive, ".week-row .post-count") == ["1 post"]
    assert texts(archive, ".year-nav a") == ["2021 1 week"]
    assert texts(parse(reader.get("/en/topics/")), ".cloud a") == [
        "readable 1",
        f"{SHARED_TOPIC} 1",
    ]
    assert texts(parse(reader.get("/en/")), ".chips-counted a") == [
        "readable 1",
        f"{SHARED_TOPIC} 1",
    ]
    search = parse(reader.get("/en/search/", {"topic": SHARED_TOPIC}))
    options = texts(search, "select[name=topic] option")
    assert options == ["All topics", "readable (1)", f"{SHARED_TOPIC} (1)"]
    assert len(search.select("ol.cards > li")) == 1

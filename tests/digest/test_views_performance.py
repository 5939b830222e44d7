"""Each reader page runs a fixed number of SQL queries, however many posts, links and topics
it shows: the same count for a week of 5 posts as for a week of 50, under a fixed cap."""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from archive.models import Post
from archive.versioning import refresh_topic_counts
from digest import fragments
from digest.recent_pages import recent_pages
from tests.factories import make_busy_week, make_published_years
from tests.html import parse

pytestmark = pytest.mark.django_db

# The brief's cap for the heaviest page; each of the others has its own below.
WEEK_PAGE_MAX_QUERIES = 8


@pytest.fixture
def small_and_big_weeks(db):
    """2021-W04: 5 posts (작은, topic small); 2021-W05: 50 posts (큰, topic big);
    every post with 5 links and 3 topics."""
    small = make_busy_week(2021, 4, posts=5, title_prefix="작은", topic="small")
    big = make_busy_week(2021, 5, posts=50, title_prefix="큰", topic="big")
    # Topic counts are counted again when a write commits (tests/digest/test_topics.py), which
    # the test's transaction never does: these tests count a page's queries after that.
    refresh_topic_counts()
    return small, big


def first_post_url(week):
    return week.posts.first().get_absolute_url()


def queries_for(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(queries)


def test_the_week_page_with_50_posts_5_links_and_3_topics_each_stays_under_8_queries(
    client, small_and_big_weeks, django_assert_max_num_queries
):
    with django_assert_max_num_queries(WEEK_PAGE_MAX_QUERIES):
        page = parse(client.get("/2021/w05/"))

    assert len(page.select("ol.posts > li")) == 50
    assert len(page.select("ol.posts ul.links > li")) == 250
    assert len(page.select("ol.posts .chips li")) == 150
    # The contents list, its topics and reading time come from the same queries.
    assert len(page.select("nav.week-contents ol.contents-list > li")) == 50
    assert len(page.select("nav.week-contents .contents-topic")) == 150
    assert page.select_one("nav.week-contents .reading-time")
    assert page.select_one("script[type='application/ld+json']")


def test_the_week_page_with_5_posts_stays_under_the_same_cap(
    client, small_and_big_weeks, django_assert_max_num_queries
):
    with django_assert_max_num_queries(WEEK_PAGE_MAX_QUERIES):
        page = parse(client.get("/2021/w04/"))

    assert len(page.select("ol.posts > li")) == 5


@pytest.mark.parametrize(
    ("page", "small_url", "big_url", "cap"),
    [
        ("week", "/2021/w04/", "/2021/w05/", WEEK_PAGE_MAX_QUERIES),
        ("post", "SMALL_POST", "BIG_POST", 5),
        ("topic", "/topics/small/", "/topics/big/", 6),
        # Search reads its index's posting rows, then the documents they name.
        ("search", "/search/?q=%EC%9E%91%EC%9D%80", "/search/?q=%ED%81%B0", 7),
        (
            "search in a topic",
            "/search/?q=%EC%9E%91%EC%9D%80&topic=small",
            "/search/?q=%ED%81%B0&topic=big",
            8,
        ),
    ],
)
def test_pages_run_as_many_queries_for_50_posts_as_for_5(
    client, small_and_big_weeks, page, small_url, big_url, cap
):
    small, big = small_and_big_weeks
    small_url = first_post_url(small) if small_url == "SMALL_POST" else small_url
    big_url = first_post_url(big) if big_url == "BIG_POST" else big_url

    small_count = queries_for(client, small_url)
    big_count = queries_for(client, big_url)

    assert small_count == big_count, page
    assert big_count <= cap, page


# One test walks them all: building 55 posts with their links once is most of its cost.
# (Home and the week page as a post's first reader after a change sees them: rendered from the
# database, its fragment not yet stored; test_stored_fragments_spare_queries says what they
# cost otherwise.)
OTHER_PAGE_CAPS = {
    "/": 8,
    "/weeks/": 4,
    "/weeks/2021/": 4,
    "/topics/": 2,
    "/about/": 2,
    "/feeds/": 2,
    "/search/": 2,
    "/sitemap.xml": 6,
    "/sitemap-posts.xml": 3,
    "/sitemap-weeks.xml": 3,
    "/sitemap-topics.xml": 3,
    "/robots.txt": 0,
    "/no/such/page/": 0,
}


def test_every_other_page_stays_under_its_cap(
    client, small_and_big_weeks, django_assert_max_num_queries
):
    for url, cap in OTHER_PAGE_CAPS.items():
        with django_assert_max_num_queries(cap, info=url):
            response = client.get(url)
        assert response.status_code == (404 if url == "/no/such/page/" else 200), url


def test_staff_previews_cost_only_the_session_and_user_lookups(
    staff_client, small_and_big_weeks, django_assert_max_num_queries
):
    with django_assert_max_num_queries(WEEK_PAGE_MAX_QUERIES + 2):
        week = staff_client.get("/2021/w05/")
    with django_assert_max_num_queries(5 + 2):
        post = staff_client.get(first_post_url(small_and_big_weeks[1]))
    assert (week.status_code, post.status_code) == (200, 200)


def test_the_archive_stays_small_with_20_years_of_weeks(
    client, small_and_big_weeks, django_assert_max_num_queries
):
    make_published_years(2001, 2020)

    with django_assert_max_num_queries(4):
        response = client.get("/weeks/")
    page = parse(response)

    assert len(page.select(".year-nav a")) == 21
    assert len(page.select(".week-row")) == 2  # 2021 only: the newest year
    with django_assert_max_num_queries(4):
        year = parse(client.get("/weeks/2020/"))
    assert len(year.select(".week-row")) == 53
    assert len(response.content) < 20_000
    assert len(client.get("/weeks/2020/").content) < 80_000


def test_topic_and_search_lists_are_paginated(client, small_and_big_weeks):
    assert Post.objects.filter(topics__name="big").count() == 50

    topic = parse(client.get("/topics/big/"))
    search = parse(client.get("/search/?q=%ED%81%B0"))

    assert len(topic.select("ol.cards > li")) == 20
    assert len(search.select("ol.cards > li")) == 20


def test_stored_fragments_spare_the_links_query_and_give_the_same_page(client, small_and_big_weeks):
    """digest/fragments.py: once stored, a post's links are not read again (its topics still
    are: the week's contents list names them beside each title)."""
    urls = ("/", "/2021/w05/")
    rendered = {url: uncached(client, url) for url in urls}
    counts = {url: uncached_queries(client, url) for url in urls}

    fragments.refresh()

    for url in urls:
        assert uncached_queries(client, url) == counts[url] - 1, url
        assert uncached(client, url) == rendered[url], url


def uncached(client, url):
    forget_pages()
    return client.get(url).content


def uncached_queries(client, url):
    forget_pages()
    return queries_for(client, url)


def forget_pages():
    cache.clear()
    recent_pages.clear()

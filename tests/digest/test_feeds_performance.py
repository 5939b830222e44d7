"""Feeds are polled every few minutes: their query counts are pinned here.

A full response runs the same queries for one entry as for many; a cached response and a 304
run the one query that asks how fresh the content is.
"""

import pytest

from archive.versioning import refresh_topic_counts
from digest import fragments
from tests.factories import make_link, make_post, make_user, make_week

pytestmark = pytest.mark.django_db

# With every post's fragments stored (digest/fragments.py), as after a write commits:
# state + weeks + their posts + fragments; state + posts + fragments;
# state + topic + posts + fragments; state + topics + the posts each topic's feed carries.
FULL_RESPONSE_QUERIES = {
    "/feed/": 4,
    "/feed/atom/": 4,
    "/feed.json": 4,
    "/feed/posts/": 3,
    "/feed/posts/atom/": 3,
    "/topics/자연어처리/feed/": 4,
    "/topics/자연어처리/feed/atom/": 4,
    "/feeds.opml": 3,
}
# Without them, the posts are rendered now: their links and topics too (and the weeks feed,
# which reads only what a fragment leaves out, reads the posts again whole).
WITHOUT_FRAGMENTS = {"/feed/": 3, "/feed/atom/": 3, "/feed.json": 3, "/feeds.opml": 0}
FEEDS = list(FULL_RESPONSE_QUERIES)


def publish(weeks, posts_per_week, links_per_post=3):
    curator = make_user("curator", curator=True)
    for number in range(1, weeks + 1):
        week = make_week(number=number, published=True, intro="[이전 주](/2021/w01/)")
        for position in range(posts_per_week):
            make_post(
                week=week,
                published=True,
                position=position,
                curator=curator,
                source=make_link(),
                summary="> 한국어 모델 [링크](/posts/x/)",
                topics=["NLP", "자연어처리", f"topic-{position}"],
                links=[make_link().url for _ in range(links_per_post)],
            )
    refresh_topic_counts()  # as the commit of a curator's write does (tests/digest/test_topics.py)


@pytest.mark.parametrize("size", [(1, 1), (4, 8)], ids=["one entry", "32 posts in 4 weeks"])
@pytest.mark.parametrize("url", FEEDS)
@pytest.mark.parametrize("stored", [True, False], ids=["fragments stored", "rendered now"])
def test_a_full_response_runs_the_same_queries_whatever_the_number_of_entries(
    client, django_assert_num_queries, url, size, stored
):
    publish(*size)  # a new state, so nothing is cached for it yet
    if stored:
        fragments.refresh()  # as the commit of the writes does
    queries = FULL_RESPONSE_QUERIES[url] + (0 if stored else WITHOUT_FRAGMENTS.get(url, 2))

    with django_assert_num_queries(queries):
        response = client.get(url)
    assert response.status_code == 200


@pytest.mark.parametrize("url", FEEDS)
def test_a_cached_response_runs_one_query(client, django_assert_max_num_queries, url):
    publish(2, 5)
    first = client.get(url)

    with django_assert_max_num_queries(1):
        again = client.get(url)
    assert again.status_code == 200
    assert again.content == first.content


@pytest.mark.parametrize("header", ["if-none-match", "if-modified-since"])
@pytest.mark.parametrize("url", FEEDS)
def test_not_modified_runs_one_query_and_sends_no_body(
    client, django_assert_max_num_queries, url, header
):
    publish(2, 5)
    first = client.get(url)
    validator = first["ETag"] if header == "if-none-match" else first["Last-Modified"]

    with django_assert_max_num_queries(1):
        response = client.get(url, headers={header: validator})
    assert (response.status_code, response.content) == (304, b"")
    assert response["ETag"] == first["ETag"]
    assert response["Last-Modified"] == first["Last-Modified"]

"""The pages a process answered last are sent again from the top of the middleware chain
(digest/recent_pages.py): the same bytes and headers, in the same content state only, never to
staff, never past the language middleware's redirect, never where the site has no cache."""

import gzip
from unittest import mock

import pytest
from django.core.cache import cache

from archive.models import Post
from digest.recent_pages import recent_pages
from tests.factories import make_post, make_published_week, make_user

pytestmark = pytest.mark.django_db

WEEK = "/2021/w05/"


@pytest.fixture
def week(db):
    return make_published_week(2021, 5, posts=2)


def test_the_second_request_is_answered_before_the_rest_of_the_chain(
    client, week, django_assert_num_queries
):
    first = client.get(WEEK)

    with mock.patch.object(cache, "get") as shared_cache, django_assert_num_queries(1):
        again = client.get(WEEK)  # one query: the content's state

    shared_cache.assert_not_called()
    assert again.status_code == 200
    assert again.content == first.content
    assert dict(again.items()) == dict(first.items())  # security policy, keys, validators


def test_a_304_from_the_top_of_the_chain(client, week, django_assert_num_queries):
    first = client.get(WEEK)

    with django_assert_num_queries(1):
        response = client.get(WEEK, headers={"if-none-match": first["ETag"]})

    assert response.status_code == 304
    assert response["ETag"] == first["ETag"]
    assert response["Cache-Control"] == first["Cache-Control"]
    assert not response.content


def test_pages_are_gzipped_for_clients_that_ask_and_still_revalidate(
    client, week, django_assert_num_queries
):
    plain = client.get(WEEK)
    rendered = client.get(WEEK, headers={"accept-encoding": "gzip, deflate, br"})
    kept = client.get(WEEK, headers={"accept-encoding": "gzip"})  # from the top of the chain

    for response in (rendered, kept):
        assert response["Content-Encoding"] == "gzip"
        assert gzip.decompress(response.content) == plain.content
        assert len(response.content) < len(plain.content) / 2
        assert response["Vary"] == "Accept-Encoding"
        assert response["ETag"] == f"W/{plain['ETag']}"  # another body, the same content
    assert kept.content == rendered.content  # compressed once (each compression pads anew)
    assert "Content-Encoding" not in plain
    with django_assert_num_queries(1):
        again = client.get(WEEK, headers={"accept-encoding": "gzip", "if-none-match": kept["ETag"]})
    assert (again.status_code, again.content) == (304, b"")


def test_a_change_is_seen_at_once(client, week):
    client.get(WEEK)
    Post.objects.filter(week=week).update(title="고친 제목")

    assert "고친 제목" in client.get(WEEK).content.decode()


def test_staff_never_get_a_readers_copy(client, week):
    make_post(week=week, title="초안 글")
    readers = client.get(WEEK).content.decode()
    client.force_login(make_user("editor", staff=True))

    preview = client.get(WEEK)

    assert "초안 글" not in readers
    assert "초안 글" in preview.content.decode()
    assert "no-store" in preview["Cache-Control"]


def test_an_arriving_english_reader_is_still_sent_to_the_english_page(client, week):
    client.get(WEEK)

    response = client.get(WEEK, headers={"accept-language": "en"})

    assert response.status_code == 302
    assert response["Location"] == f"/en{WEEK}"


def test_the_home_page_is_not_sent_again_once_a_new_week_begins(client, week):
    client.get("/")
    with mock.patch.object(cache, "get") as shared_cache:
        client.get("/")
    shared_cache.assert_not_called()  # from memory, during the week it says is this week

    with (
        mock.patch("digest.recent_pages.current_week_label", return_value="2099-W01"),
        mock.patch.object(cache, "get", return_value=None) as shared_cache,
    ):
        response = client.get("/")

    shared_cache.assert_called()  # past the top of the chain, to the view
    assert response.status_code == 200


def test_nothing_is_kept_without_a_cache(client, week, settings):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}

    client.get(WEEK)

    assert recent_pages.get(WEEK) is None


def test_memory_is_bounded_the_least_recently_used_going_first(client, settings):
    for number in (4, 5, 6):
        make_published_week(2021, number, posts=1)
    sizes = {}
    for number in (4, 5):
        sizes[number] = len(client.get(f"/2021/w0{number}/").content)
    settings.RECENT_PAGES_BYTES = sizes[4] + sizes[5] + 100
    recent_pages.clear()
    client.get("/2021/w04/")
    client.get("/2021/w05/")
    client.get("/2021/w04/")  # now the more recently used

    client.get("/2021/w06/")

    assert recent_pages.get("/2021/w04/") is not None
    assert recent_pages.get("/2021/w05/") is None
    assert recent_pages.get("/2021/w06/") is not None

from datetime import timedelta
from unittest import mock

import pytest
from django.http import HttpResponse, HttpResponseNotFound
from django.test import RequestFactory
from django.utils import timezone

from archive.models import Post
from digest import freshness
from digest.models import ContentVersion, WeeklyDigest
from digest.services import move_posts_to_week
from digest.weeks import IsoWeek
from tests.factories import make_digest, make_post

pytestmark = pytest.mark.django_db


def test_the_state_is_one_query(django_assert_num_queries):
    make_post(published=True, digest=make_digest(published=True))

    with django_assert_num_queries(1):
        state = freshness.current()
    assert state.version == ContentVersion.objects.get().number


def test_a_database_never_bumped_gets_its_version_row():
    assert not ContentVersion.objects.exists()

    state = freshness.current()

    assert state.version == 1
    assert freshness.current() == state


WRITES = {
    "a week": lambda post: post.digest.save(),
    "a post": lambda post: post.save(),
    "a link": lambda post: post.links.get().save(),
    "a post's links": lambda post: post.links.clear(),
    "a topic": lambda post: post.tags.get().save(),
    "a post's topics": lambda post: post.tags.clear(),
    "a deletion": lambda post: post.delete(),
    "publishing in bulk": lambda post: Post.objects.filter(pk=post.pk).publish(),
    "unpublishing a week in bulk": lambda post: WeeklyDigest.objects.all().unpublish(),
    "moving posts to a week": lambda post: move_posts_to_week(
        Post.objects.filter(pk=post.pk), IsoWeek(2021, 9)
    ),
}


@pytest.mark.parametrize("write", WRITES.values(), ids=WRITES.keys())
def test_writing_what_readers_see_bumps_the_version(write):
    post = make_post(tags=["NLP"], links=["https://example.com/a"])
    before = freshness.current()

    write(post)

    after = freshness.current()
    assert after.version > before.version
    assert after.changed_at >= before.changed_at
    assert after.fingerprint("ko") != before.fingerprint("ko")


def test_a_publication_time_passing_changes_the_state_without_any_write():
    week = make_digest(published=True)
    later = timezone.now() + timedelta(hours=1)
    make_post(digest=week, published=True, published_at=later)
    before = freshness.current()

    with mock.patch("django.utils.timezone.now", return_value=later):
        after = freshness.current()

    assert after.version == before.version
    assert after.latest_publication == later
    assert after.last_modified == later
    assert after.fingerprint("ko") != before.fingerprint("ko")


def test_each_language_is_its_own_rendering():
    state = freshness.current()

    assert state.fingerprint("ko") != state.fingerprint("en")


def test_only_successful_responses_are_cached_and_each_url_separately():
    calls = []

    @freshness.cached_until_changed
    def view(request):
        calls.append(request.get_full_path())
        if request.GET.get("missing"):
            return HttpResponseNotFound("no")
        return HttpResponse(request.get_full_path(), content_type="text/plain")

    requests = RequestFactory()
    for _ in range(2):
        assert view(requests.get("/a/")).content == b"/a/"
        assert view(requests.get("/a/?page=2")).content == b"/a/?page=2"
        assert view(requests.get("/a/?missing=1")).status_code == 404
    assert calls == ["/a/", "/a/?page=2", "/a/?missing=1", "/a/?missing=1"]
    assert "ETag" not in view(requests.get("/a/?missing=1"))

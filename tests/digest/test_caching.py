"""Reader pages come from the cache until anything a reader could see changes, with the real
cache backends: local memory always, Redis too when REDIS_URL names one (CI's PostgreSQL run).
A staff preview is never stored, and never served to anyone else."""

import os
import uuid
from datetime import timedelta
from unittest import mock

import pytest
from django.core.cache import caches
from django.http import HttpResponse, HttpResponseNotFound
from django.test import RequestFactory
from django.utils import timezone

from archive.models import Post, Status
from archive.versioning import current_state
from digest.caching import cached_until_changed, fingerprint
from tests.factories import make_post, make_user, make_week
from tests.html import parse, texts

pytestmark = pytest.mark.django_db

BACKENDS = {
    "locmem": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "jugan-caching-tests",
    },
    "redis": {
        "BACKEND": "config.cache.ResilientRedisCache",
        "LOCATION": os.environ.get("REDIS_URL", ""),
        # Its own keys: entries are named by content state, and test databases repeat states.
        "KEY_PREFIX": f"jugan-test-{uuid.uuid4().hex}",
    },
}
WEEK = "/2021/w05/"


@pytest.fixture(params=BACKENDS)
def cache_backend(request, settings):
    if request.param == "redis" and not os.environ.get("REDIS_URL"):
        pytest.skip("REDIS_URL is not set; CI sets it for the run on PostgreSQL and Redis")
    settings.CACHES = {"default": BACKENDS[request.param]}
    return caches["default"]


@pytest.fixture
def week(db):
    week = make_week(published=True)
    make_post("첫 글", week=week, published=True, position=0, topics=["NLP"])
    make_post("둘째 글", week=week, published=True, position=1, topics=["NLP"])
    make_post("초안 글", week=week, position=2, topics=["NLP"])
    return week


def post_titles(response):
    return texts(parse(response), "ol.posts .post-title")


def test_a_page_is_rendered_once_then_served_from_the_cache(
    client, cache_backend, week, django_assert_num_queries
):
    first = client.get(WEEK)

    with django_assert_num_queries(1):  # the content's state, which names the cached copy
        again = client.get(WEEK)
    assert again.status_code == 200
    assert again.content == first.content
    assert post_titles(again) == ["첫 글", "둘째 글"]


def test_a_browser_that_kept_the_page_gets_a_304(client, cache_backend, week):
    first = client.get(WEEK)

    again = client.get(WEEK, headers={"if-none-match": first["ETag"]})

    assert (again.status_code, again.content) == (304, b"")
    # Kept, but asked for again every time (max-age=0); the same for every reader, in each
    # encoding (which shared caches normalise).
    assert first["Cache-Control"].startswith("public, max-age=0,")
    assert again["Cache-Control"] == first["Cache-Control"]
    assert first["Vary"] == "Accept-Encoding"


def publish_the_draft():
    Post.objects.filter(title="초안 글").publish()


def edit_the_first_post():
    post = Post.objects.get(title="첫 글")
    post.title = "고친 글"
    post.save()


def unpublish_the_first_post():
    Post.objects.filter(title="첫 글").unpublish()


def delete_the_second_post():
    Post.objects.get(title="둘째 글").delete()


CHANGES = {
    "publish": (publish_the_draft, {"첫 글", "둘째 글", "초안 글"}),
    "edit": (edit_the_first_post, {"고친 글", "둘째 글"}),
    "unpublish": (unpublish_the_first_post, {"둘째 글"}),
    "delete": (delete_the_second_post, {"첫 글"}),
}


@pytest.mark.parametrize(("change", "titles"), CHANGES.values(), ids=CHANGES.keys())
@pytest.mark.parametrize("url", [WEEK, "/", "/topics/nlp/", "/search/?q=%EA%B8%80"])
def test_every_change_a_reader_could_see_reaches_the_cached_pages(
    client, cache_backend, week, change, titles, url
):
    client.get(url)
    client.get(url)  # now from the cache

    change()

    page = parse(client.get(url))
    assert set(texts(page, "ol.posts .post-title, ol.cards .card-title")) == titles


def test_unpublishing_the_week_takes_its_cached_page_away(client, cache_backend, week):
    client.get(WEEK)
    week.status = Status.DRAFT
    week.save()

    assert client.get(WEEK).status_code == 404


def test_a_scheduled_post_appears_when_its_time_comes(client, cache_backend, week):
    later = timezone.now() + timedelta(hours=1)
    make_post("예약 글", week=week, published=True, published_at=later, position=3)
    assert post_titles(client.get(WEEK)) == ["첫 글", "둘째 글"]

    with mock.patch("django.utils.timezone.now", return_value=later + timedelta(seconds=1)):
        assert post_titles(client.get(WEEK)) == ["첫 글", "둘째 글", "예약 글"]


def test_each_language_has_its_own_copy(client, cache_backend, week):
    korean = client.get(WEEK)
    english = client.get(f"/en{WEEK}")

    assert parse(korean).html["lang"] == "ko"
    assert parse(english).html["lang"] == "en"
    assert parse(client.get(WEEK)).html["lang"] == "ko"
    assert parse(client.get(f"/en{WEEK}")).html["lang"] == "en"


# Staff previews: drafts are shown to staff only, so their pages never enter the cache.


@pytest.fixture
def staff(db):
    return make_user("editor", staff=True)


def test_a_staff_preview_is_never_stored(client, cache_backend, week, staff):
    client.force_login(staff)
    with mock.patch.object(cache_backend, "set") as store:
        preview = client.get(WEEK)

    assert post_titles(preview) == ["첫 글", "둘째 글", "초안 글"]
    assert store.call_count == 0
    assert "no-store" in preview["Cache-Control"]
    assert "ETag" not in preview


def test_a_reader_after_a_staff_preview_never_receives_it(client, cache_backend, week, staff):
    client.force_login(staff)
    client.get(WEEK)
    client.logout()

    assert post_titles(client.get(WEEK)) == ["첫 글", "둘째 글"]


def test_a_preview_of_a_draft_week_stays_with_staff(client, cache_backend, week, staff):
    draft = make_week(number=6)
    make_post("다음 주 초안", week=draft)
    client.force_login(staff)
    assert client.get("/2021/w06/").status_code == 200
    client.logout()

    assert client.get("/2021/w06/").status_code == 404


def test_staff_see_their_preview_even_with_the_readers_copy_cached(
    client, cache_backend, week, staff
):
    readers = client.get(WEEK)
    client.force_login(staff)

    preview = client.get(WEEK, headers={"if-none-match": readers["ETag"]})

    assert post_titles(preview) == ["첫 글", "둘째 글", "초안 글"]


def test_each_language_is_its_own_rendering():
    state = current_state()

    assert fingerprint(state, "ko") != fingerprint(state, "en")


def test_only_successful_responses_are_cached_and_each_url_separately():
    calls = []

    @cached_until_changed
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

"""Reader pages and feeds are fit for any shared cache and name what they show; previews, the
admin and anything setting a cookie are private (digest/http_cache.py)."""

import pytest
from django.conf import settings

from archive.models import Post
from tests.factories import make_post, make_user, make_week

pytestmark = pytest.mark.django_db

WEEK = "/2021/w05/"


@pytest.fixture
def weeks(db):
    """Weeks 4, 5 and 6 published; week 5 holds two published posts and a draft."""
    before = make_week(number=4, published=True)
    week = make_week(number=5, published=True)
    after = make_week(number=6, published=True)
    first = make_post("첫 글", week=week, published=True, position=0, topics=["NLP"])
    second = make_post("둘째 글", week=week, published=True, position=1, topics=["비전"])
    make_post("초안 글", week=week, position=2, topics=["NLP"])
    make_post("지난 주 글", week=before, published=True, topics=["NLP"])
    return before, week, after, first, second


def keys(response):
    return set(response["Surrogate-Key"].split())


def test_reader_pages_are_public_for_shared_caches(client, weeks, settings):
    settings.SHARED_CACHE_SECONDS = 42
    settings.STALE_WHILE_REVALIDATE_SECONDS = 7
    settings.STALE_IF_ERROR_SECONDS = 3600

    response = client.get(WEEK)

    assert response["Cache-Control"] == (
        "public, max-age=0, s-maxage=42, stale-while-revalidate=7, stale-if-error=3600"
    )
    assert response["ETag"].startswith('"')  # strong: the same bytes for the same ETag
    assert response["Vary"] == "Accept-Encoding"  # one copy per encoding, not per reader
    assert response.cookies == {}


def test_a_304_is_public_too_and_names_nothing(client, weeks):
    first = client.get(WEEK)

    again = client.get(WEEK, headers={"if-none-match": first["ETag"]})

    assert again.status_code == 304
    assert again["Cache-Control"] == first["Cache-Control"]
    assert "Surrogate-Key" not in again  # a cache revalidating keeps its copy's keys


def test_the_week_page_names_the_week_and_its_posts(client, weeks):
    _before, week, _after, first, second = weeks

    assert keys(client.get(WEEK)) == {
        "all",
        f"week-{week.pk}",
        f"post-{first.pk}",
        f"post-{second.pk}",
    }
    # The same keys when the page comes from Django's own cache.
    assert keys(client.get(WEEK)) == keys(client.get(WEEK))
    assert keys(client.get(f"/en{WEEK}")) == keys(client.get(WEEK))
    assert keys(client.get("/2021/w05.md")) == {"all", f"week-{week.pk}"}


def test_a_post_page_names_the_post_and_its_week(client, weeks):
    _before, week, _after, first, _second = weeks

    assert keys(client.get(first.get_absolute_url())) == {
        "all",
        f"post-{first.pk}",
        f"week-{week.pk}",
    }


@pytest.mark.parametrize("path", ["/topics/nlp/", "/topics/nlp/feed/", "/topics/nlp/feed/atom/"])
def test_a_topic_page_and_its_feeds_name_the_topic(client, weeks, path):
    topic = Post.objects.get(title="첫 글").topics.get()

    assert keys(client.get(path)) == {"all", f"topic-{topic.pk}"}
    assert keys(client.get(path)) == {"all", f"topic-{topic.pk}"}  # from Django's cache


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/weeks/",
        "/weeks/2021/",
        "/topics/",
        "/search/?q=%EA%B8%80",
        "/feed/",
        "/feed/atom/",
        "/feed.json",
        "/feed/posts/",
        "/feed/posts/atom/",
        "/feeds/",
        "/feeds.opml",
        "/sitemap.xml",
        "/sitemap-posts.xml",
    ],
)
def test_every_other_page_and_feed_is_a_site_wide_list(client, weeks, path):
    response = client.get(path)

    assert response.status_code == 200
    assert keys(response) == {"all", "lists"}
    assert response["Cache-Control"].startswith("public, ")


@pytest.fixture
def staff_member(client, db):
    client.force_login(make_user("editor", staff=True))
    return client


@pytest.mark.parametrize("path", [WEEK, "/", "/topics/nlp/", "/feed/"])
def test_whatever_staff_see_is_private(staff_member, weeks, path):
    response = staff_member.get(path)

    assert "private" in response["Cache-Control"]
    assert "no-store" in response["Cache-Control"]
    assert "Surrogate-Key" not in response


def test_a_preview_of_a_draft_is_private(staff_member, weeks):
    draft = make_post("미리보기", week=make_week(number=7))

    response = staff_member.get(draft.get_absolute_url())

    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    assert "Surrogate-Key" not in response


def test_the_admin_is_private(staff_member):
    response = staff_member.get("/admin/")

    assert "private" in response["Cache-Control"]
    assert "no-store" in response["Cache-Control"]


def test_a_response_setting_a_cookie_is_private(client, db):
    response = client.get("/admin/login/")  # sets the CSRF cookie for its form

    assert settings.CSRF_COOKIE_NAME in response.cookies
    assert "private" in response["Cache-Control"]
    assert "no-store" in response["Cache-Control"]


def test_a_page_never_names_more_than_a_front_cache_accepts(client, db):
    """Past the limit a page is named a list, which every change purges: never too little."""
    week = make_week(number=5, published=True)
    for position in range(600):
        make_post(week=week, published=True, position=position)

    assert keys(client.get(WEEK)) == {"all", "lists"}

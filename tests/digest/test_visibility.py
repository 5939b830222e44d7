"""Readers see only published posts in published weeks whose time has come, on every page,
list, count, search and sitemap; staff may preview the rest on the week and post pages."""

from datetime import timedelta

import pytest
from django.utils import timezone

from archive.models import Post, Status, Week
from tests.factories import make_post, make_week
from tests.html import parse, text, texts

pytestmark = pytest.mark.django_db

HIDDEN_TITLES = ["초안 글", "예약된 글", "초안 주간의 글", "예약 주간의 글"]


@pytest.fixture
def visibility_matrix(db):
    """One readable post, and one of each kind of post a reader must not see. Every post is
    tagged 공통 (so counts show whether hidden posts leak in) and holds the word 모델."""
    future = timezone.now() + timedelta(days=1)
    live = make_week(2021, 5, published=True, title="공개 주간")
    make_post("공개 글", week=live, published=True, topics=["공통"], summary="모델")
    make_post("초안 글", week=live, topics=["공통", "비밀"], summary="모델")
    make_post(
        "예약된 글",
        week=live,
        status=Status.PUBLISHED,
        published_at=future,
        topics=["공통", "비밀"],
        summary="모델",
    )
    draft_week = make_week(2021, 6, title="초안 주간")
    make_post("초안 주간의 글", week=draft_week, published=True, topics=["공통", "비밀"])
    future_week = make_week(
        2021, 7, status=Status.PUBLISHED, published_at=future, title="예약 주간"
    )
    make_post("예약 주간의 글", week=future_week, published=True, topics=["공통", "비밀"])
    make_week(2022, 1, title="초안 주간 2022")


def hidden_post_urls():
    return [post.get_absolute_url() for post in Post.objects.filter(title__in=HIDDEN_TITLES)]


@pytest.mark.parametrize(
    "url",
    [
        "/",
        "/2021/w05/",
        "/weeks/",
        "/weeks/2021/",
        "/topics/",
        "/topics/%EA%B3%B5%ED%86%B5/",  # 공통
        "/search/?q=%EB%AA%A8%EB%8D%B8",  # 모델
        "/search/?q=%EA%B8%80",  # 글: in every title
        "/posts/%EA%B3%B5%EA%B0%9C-%EA%B8%80/",  # 공개 글
    ],
)
def test_no_reader_page_shows_or_links_anything_unpublished(client, visibility_matrix, url):
    page = parse(client.get(url))

    main = text(page.select_one("main"))
    for title in [*HIDDEN_TITLES, "초안 주간", "예약 주간", "비밀"]:
        assert title not in main
    links = {a["href"] for a in page.select("a[href]")}
    assert not links & {*hidden_post_urls(), "/2021/w06/", "/2021/w07/", "/topics/비밀/"}


def test_counts_include_only_what_readers_can_see(client, visibility_matrix):
    archive = parse(client.get("/weeks/"))
    assert texts(archive, ".week-row .post-count") == ["글 1개"]
    assert texts(archive, ".year-nav a") == ["2021 1주"]

    topics = parse(client.get("/topics/"))
    assert texts(topics, ".cloud a") == ["공통 1"]

    home = parse(client.get("/"))
    assert texts(home, ".chips-counted a") == ["공통 1"]

    topic = parse(client.get("/topics/%EA%B3%B5%ED%86%B5/"))
    assert text(topic.select_one(".lede")) == "글 1개, 최신순."

    search = parse(client.get("/search/", {"q": "글"}))
    assert text(search.select_one(".result-count")) == "“글”에 맞는 결과 1개"
    assert texts(search, "select[name=topic] option") == ["모든 주제", "공통 (1)"]


@pytest.mark.parametrize(
    "url",
    [
        "/2021/w06/",
        "/2021/w07/",
        "/topics/%EB%B9%84%EB%B0%80/",  # 비밀: only hidden posts carry it
        "/weeks/2022/",
        "/search/?topic=%EB%B9%84%EB%B0%80",
    ],
)
def test_unpublished_weeks_and_topics_are_not_found(client, visibility_matrix, url):
    response = client.get(url)

    if url.startswith("/search/"):
        # An unknown topic is a form error on the search page, not a list of its posts.
        page = parse(response)
        assert page.select(".form-errors li")
        assert page.select("ol.cards") == []
    else:
        assert response.status_code == 404


def test_unpublished_posts_are_not_found(client, visibility_matrix):
    for url in hidden_post_urls():
        assert client.get(url).status_code == 404


def test_a_week_page_never_links_an_unpublished_neighbour(client, visibility_matrix):
    page = parse(client.get("/2021/w05/"))

    assert page.select_one("nav.week-nav") is None


def test_the_sitemap_holds_only_published_pages(client, visibility_matrix):
    xml = "".join(
        client.get(f"/sitemap-{section}.xml").content.decode()
        for section in ("pages", "weeks", "posts", "topics")
    )

    assert "/2021/w05/" in xml
    for hidden in ["/2021/w06/", "/2021/w07/", "%EB%B9%84%EB%B0%80"]:
        assert hidden not in xml
    assert xml.count("<loc>http://testserver/posts/") == 1


def test_a_scheduled_week_appears_once_its_time_has_come(client, visibility_matrix):
    """Published means published by the time of the request, not by start-up."""
    assert client.get("/2021/w07/").status_code == 404

    past = timezone.now() - timedelta(seconds=1)
    Week.objects.filter(number=7).update(published_at=past)

    assert texts(parse(client.get("/2021/w07/")), "ol.posts h2") == ["예약 주간의 글"]


def test_staff_preview_draft_and_scheduled_weeks_with_a_notice(staff_client, visibility_matrix):
    for url, title in [("/2021/w06/", "초안 주간"), ("/2021/w07/", "예약 주간")]:
        response = staff_client.get(url)
        page = parse(response)

        assert texts(page, "h1") == [title]
        assert page.select_one(".notice")
        assert "no-store" in response["Cache-Control"]
        assert "private" in response["Cache-Control"]


def test_staff_see_draft_posts_of_a_week_marked_as_drafts(staff_client, visibility_matrix):
    page = parse(staff_client.get("/2021/w05/"))

    titles = texts(page, "ol.posts h2")
    assert titles == ["공개 글", "초안 글", "예약된 글"]
    badges = [bool(post.select_one(".badge")) for post in page.select("ol.posts > li")]
    assert badges == [False, True, True]


def test_staff_preview_every_unpublished_post(staff_client, visibility_matrix):
    for url in hidden_post_urls():
        page = parse(staff_client.get(url))
        assert page.select_one("h1")


def test_lists_show_staff_exactly_what_readers_see(staff_client, visibility_matrix):
    archive = parse(staff_client.get("/weeks/"))
    assert texts(archive, ".week-row .post-count") == ["글 1개"]
    topics = parse(staff_client.get("/topics/"))
    assert texts(topics, ".cloud a") == ["공통 1"]
    search = parse(staff_client.get("/search/", {"q": "글"}))
    assert texts(search, "ol.cards .card-title") == ["공개 글"]


def test_readers_pages_are_not_marked_private(client, visibility_matrix):
    # Any cache may keep them; browsers ask again (a 304) before showing them.
    assert client.get("/2021/w05/")["Cache-Control"].startswith("public, max-age=0, s-maxage=")

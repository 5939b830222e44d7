"""A week page shows what is inside before the reading starts: a numbered contents list
(titles linking to each post, their topics), the number of posts and the reading time; long
summaries fold after their first paragraph; the weeks before and after at top and bottom."""

import math

import pytest

from archive.models import Week
from tests.factories import make_post, make_published_week, make_round_up_week, make_week
from tests.html import parse, text, texts

pytestmark = pytest.mark.django_db

LONG_SUMMARY = (
    "첫 문단은 짧게 요점을 말합니다.\n\n"
    + "둘째 문단이 길게 이어집니다. " * 20
    + ("\n\n> 인용도 있습니다.\n\n- 목록 하나\n- 목록 둘")
)


@pytest.fixture
def week():
    week = make_round_up_week()
    make_post(
        "긴 요약의 글",
        week=week,
        published=True,
        summary=LONG_SUMMARY,
        topics=["긴글"],
        position=week.next_position(),
    )
    make_post(
        "초안인 글", week=week, summary=LONG_SUMMARY, position=week.next_position()
    )  # readers never see it
    return week


def test_the_contents_list_comes_before_the_intro_and_links_to_every_post(client, week):
    page = parse(client.get("/2021/w05/"))

    contents = page.select_one("article.week nav.week-contents")
    # Before the intro and the first post, in the page's reading order.
    blocks = page.select("nav.week-contents, .week-intro, ol.posts")
    assert [block.name for block in blocks] == ["nav", "div", "ol"]
    assert text(contents.select_one("h2")) == "이번 주 목차"
    entries = contents.select("ol.contents-list > li")
    assert [text(entry.a) for entry in entries] == [
        "한국어 문장 임베딩 모델 공개",
        "머신러닝 데이터셋 목록 사이트 오픈",
        "Transformer를 PyTorch로 처음부터 구현하기",
        "긴 요약의 글",
    ]
    # Each title leads to its post on the page, at an anchor that is the post's slug.
    posts = page.select("ol.posts > li")
    assert [entry.a["href"] for entry in entries] == [f"#{post['id']}" for post in posts]
    assert [post["id"] for post in posts] == [
        post.slug for post in week.posts.published().in_reading_order()
    ]
    # Numbered as the posts are.
    assert texts(page, "ol.posts .post-number") == ["1", "2", "3", "4"]
    assert texts(entries[0], ".contents-topic") == ["NLP", "임베딩", "자연어처리"]
    assert texts(entries[3], ".contents-topic") == ["긴글"]


def test_the_contents_say_how_many_posts_and_how_long_the_week_reads(client, week):
    page = parse(client.get("/2021/w05/"))

    facts = page.select_one("nav.week-contents .week-facts")
    published = list(week.posts.published())
    seconds = week.reading_seconds + sum(post.reading_seconds for post in published)
    minutes = math.ceil(seconds / 60)
    assert week.reading_seconds > 0 and all(post.reading_seconds > 0 for post in published)
    assert text(facts.select_one(".post-count")) == "글 4개"
    assert text(facts.select_one(".reading-time")) == f"약 {minutes}분 읽기"

    english = parse(client.get("/en/2021/w05/")).select_one("nav.week-contents")
    assert text(english.select_one("h2")) == "In this week"
    assert text(english.select_one(".post-count")) == "4 posts"
    assert text(english.select_one(".reading-time")) == f"about {minutes} minutes of reading"


def test_the_home_page_opens_the_latest_week_with_its_contents(client, week):
    page = parse(client.get("/"))

    entries = page.select("article.week nav.week-contents ol.contents-list > li")
    assert len(entries) == 4
    assert entries[0].a["href"] == "#한국어-문장-임베딩-모델-공개"
    assert page.select_one("#한국어-문장-임베딩-모델-공개")


def test_a_long_summary_shows_its_first_paragraph_and_folds_the_rest(client, week):
    page = parse(client.get("/2021/w05/"))

    long_post = page.select("ol.posts > li")[3]
    summary = long_post.select_one(".post-summary")
    lead = summary.find("div", class_="prose", recursive=False)
    assert text(lead) == "첫 문단은 짧게 요점을 말합니다."
    folded = summary.select_one("details.summary-more")
    assert not folded.has_attr("open")
    assert text(folded.select_one("summary")) == "요약 모두 보기"
    assert text(folded.select_one(".prose")).startswith("둘째 문단이 길게 이어집니다.")
    assert folded.select_one(".prose blockquote") and folded.select(".prose li")

    # Short summaries stay whole, with nothing to open.
    first = page.select("ol.posts > li")[0]
    assert first.select_one(".post-summary details") is None
    assert first.select(".post-summary blockquote li")


def test_a_post_page_shows_its_long_summary_whole(client, week):
    post = week.posts.get(title="긴 요약의 글")
    page = parse(client.get(post.get_absolute_url()))

    summary = page.select_one("main .post-summary")
    assert summary.select_one("details") is None
    assert text(summary).startswith("첫 문단은 짧게 요점을 말합니다. 둘째 문단이")
    assert summary.select_one("blockquote")


def test_the_weeks_before_and_after_are_linked_at_the_top_and_the_bottom(client, week):
    make_published_week(2020, 53, posts=1)
    make_week(2021, 6)  # a draft in between is skipped
    make_published_week(2021, 8, posts=1)

    page = parse(client.get("/2021/w05/"))

    top = page.select_one("article.week .week-header nav.week-nav")
    bottom = page.select("main > nav.week-nav")[-1]
    for nav in (top, bottom):
        assert nav.select_one("a[rel=prev]")["href"] == "/2020/w53/"
        assert nav.select_one("a[rel=next]")["href"] == "/2021/w08/"
    # Two navigation landmarks, told apart by their names.
    assert top["aria-label"] != bottom["aria-label"]
    # The bottom one after the last post.
    navs_and_posts = page.select("ol.posts, main > nav.week-nav")
    assert navs_and_posts[-1] is bottom


def test_the_first_and_only_week_has_no_week_navigation(client):
    make_published_week(2021, 5, posts=2)

    page = parse(client.get("/2021/w05/"))

    assert page.select("nav.week-nav") == []
    assert len(page.select("nav.week-contents ol.contents-list > li")) == 2


def test_a_curators_preview_lists_the_drafts_it_shows(staff_client, week):
    Week.objects.filter(pk=week.pk).update(status="draft")

    page = parse(staff_client.get("/2021/w05/"))

    entries = page.select("nav.week-contents ol.contents-list > li")
    assert len(entries) == len(page.select("ol.posts > li")) == 5
    assert text(page.select_one(".week-facts .post-count")) == "글 5개"

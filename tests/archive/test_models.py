from datetime import date

import pytest

from archive.models import Link, Post, Status
from digest.models import WeeklyDigest
from tests.factories import make_digest, make_link, make_post

pytestmark = pytest.mark.django_db


def test_a_post_without_a_week_goes_last_into_the_draft_week_of_its_original_date():
    first = make_post(posted_on=date(2021, 2, 1))
    second = make_post(posted_on=date(2021, 2, 7))

    digest = WeeklyDigest.objects.get()
    assert (digest.year, digest.week, digest.status) == (2021, 5, Status.DRAFT)
    assert [first.digest, second.digest] == [digest, digest]
    assert [first.position, second.position] == [0, 1]


def test_korean_titles_give_readable_unique_slugs():
    first = make_post(title="카카오브레인 자연어처리 라이브러리 Pororo 공개")
    second = make_post(title="카카오브레인 자연어처리 라이브러리 Pororo 공개")

    assert first.slug == "카카오브레인-자연어처리-라이브러리-pororo-공개"
    assert second.slug == "카카오브레인-자연어처리-라이브러리-pororo-공개-2"


def test_markdown_is_rendered_into_html_fields_when_saved():
    post = make_post(summary="> **Pororo** 공개", commentary="<script>x()</script>좋네요")

    assert post.summary_html == "<blockquote>\n<p><strong>Pororo</strong> 공개</p>\n</blockquote>"
    assert "<script" not in post.commentary_html
    assert "<p>좋네요</p>" in post.commentary_html


def test_pasting_the_same_target_twice_gives_one_link():
    first = Link.objects.for_url("https://github.com/kakaobrain/pororo?fbclid=abc")
    second = Link.objects.for_url("HTTPS://GitHub.com:443/kakaobrain/pororo#readme")

    assert first == second
    assert first.url == "https://github.com/kakaobrain/pororo?fbclid=abc"
    assert (first.domain, first.kind) == ("github.com", "repository")


def test_published_means_the_post_and_its_week_are_both_published():
    draft_week = make_digest(week=6)
    live_week = make_digest(week=7, published=True)
    visible = make_post(digest=live_week, published=True)
    make_post(digest=live_week)
    make_post(digest=draft_week, published=True)

    assert list(Post.objects.published()) == [visible]


def test_an_explicit_kind_is_kept():
    link = make_link("https://github.com/kakaobrain/pororo", kind="article")
    assert link.kind == "article"

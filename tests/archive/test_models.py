from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from archive.content import PostContent, WeekContent
from archive.models import Link, Post, Status, Week
from archive.services import write_weeks
from archive.weeks import IsoWeek
from tests.factories import make_link, make_post, make_week

pytestmark = pytest.mark.django_db


def test_a_post_without_a_week_goes_last_into_the_draft_week_of_its_original_date():
    first = make_post(posted_on=date(2021, 2, 1))
    second = make_post(posted_on=date(2021, 2, 7))

    week = Week.objects.get()
    assert (week.year, week.number, week.status) == (2021, 5, Status.DRAFT)
    assert [first.week, second.week] == [week, week]
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
    draft_week = make_week(number=6)
    live_week = make_week(number=7, published=True)
    visible = make_post(week=live_week, published=True)
    make_post(week=live_week)
    make_post(week=draft_week, published=True)

    assert list(Post.objects.published()) == [visible]


def test_an_explicit_kind_is_kept():
    link = make_link("https://github.com/kakaobrain/pororo", kind="article")
    assert link.kind == "article"


def test_a_second_link_to_the_same_target_fails_validation_with_the_first_named():
    first = make_link("https://github.com/kakaobrain/pororo")
    second = Link(url="https://GitHub.com/kakaobrain/pororo?utm_source=facebook")

    with translation.override("en"), pytest.raises(ValidationError) as error:
        second.full_clean()

    [message] = error.value.message_dict["url"]
    assert str(first) in message and "already saved" in message
    first.full_clean()  # a link never collides with itself


def test_for_url_keeps_the_address_as_pasted_without_surrounding_space():
    link = Link.objects.for_url(
        "  https://m.facebook.com/groups/TensorFlowKR/permalink/1/?fbclid=x\n"
    )

    assert link.url == "https://m.facebook.com/groups/TensorFlowKR/permalink/1/?fbclid=x"
    assert link.normalized_url == "https://www.facebook.com/groups/TensorFlowKR/permalink/1/"
    assert Link.objects.for_url("https://www.facebook.com/groups/TensorFlowKR/permalink/1/") == link


def test_post_count_counts_each_post_using_a_link_once_as_source_or_link():
    link = make_link("https://github.com/kakaobrain/pororo")
    make_post(source=link)
    make_post(links=[link.url])
    make_post(source=link, links=[link.url, "https://github.com/other/repo"])
    unused = make_link("https://example.com/unused")

    counts = dict(Link.objects.with_post_count().values_list("pk", "post_count"))

    assert counts[link.pk] == 3
    assert counts[unused.pk] == 0


@pytest.mark.parametrize(
    "name, slug",
    [("🔥", "u1f525"), ("'>", "u27-u3e"), ("C++", "c"), ("자연어처리", "자연어처리")],
)
def test_every_topic_gets_an_address_even_without_letters(client, name, slug):
    """An empty slug had no page, so every page listing the topic failed to link it."""
    post = make_post(week=make_week(published=True), published=True, topics=[name], summary="x")

    assert post.topics.get().slug == slug
    assert client.get("/topics/").status_code == 200
    assert client.get(f"/topics/{slug}/").status_code == 200


DIRTY = (
    "[저장소](https://github.com/a/b?fbclid=IwAR1) 그리고 https://youtu.be/x?si=abc\n\n"
    "```\ncurl 'https://example.com/api?utm_source=docs'\n```"
)
CLEAN = (
    "[저장소](https://github.com/a/b) 그리고 https://youtu.be/x\n\n"
    "```\ncurl 'https://example.com/api?utm_source=docs'\n```"
)


def saved_with_create():
    week = make_week(intro=DIRTY, outro=DIRTY)
    return week, make_post(week=week, summary=DIRTY, commentary=DIRTY)


def saved_with_update_fields():
    week, post = saved_with_create()
    Week.objects.filter(pk=week.pk).update(intro=DIRTY)
    Post.objects.filter(pk=post.pk).update(summary=DIRTY)
    week.refresh_from_db()
    post.refresh_from_db()
    week.save(update_fields=["status"])
    post.save(update_fields=["status"])
    return week, post


def written_in_bulk():
    [content] = [
        WeekContent(
            week=IsoWeek(2021, 5),
            intro=DIRTY,
            outro=DIRTY,
            posts=[PostContent("글", date(2021, 2, 1), summary=DIRTY, commentary=DIRTY)],
        )
    ]
    write_weeks([content])
    week = Week.objects.get()
    return week, week.posts.get()


@pytest.mark.parametrize("write", [saved_with_create, saved_with_update_fields, written_in_bulk])
def test_addresses_in_markdown_are_stored_clean_whatever_writes_them(write):
    week, post = write()

    week.refresh_from_db()
    post.refresh_from_db()
    for text in (week.intro, post.summary, post.commentary):
        assert text == CLEAN
    for html in (week.intro_html, post.summary_html):
        assert 'href="https://github.com/a/b"' in html and "fbclid" not in html
        assert "utm_source=docs" in html  # the code block is left as written


def test_markdown_that_would_grow_too_long_once_its_addresses_are_encoded_is_refused():
    post = Post(title="긴 글", posted_on=date(2021, 2, 1))
    # 3,700 characters as written, 28,000 once each Korean letter is three escapes.
    post.summary = f"[위키](https://ko.wikipedia.org/wiki/{'가' * 200})\n\n" * 15

    with pytest.raises(ValidationError) as raised:
        post.full_clean()

    assert "summary" in raised.value.message_dict

"""Each post's reader HTML, stored per language when it changes (digest/fragments.py): stored
once a write commits, deleted by the database with any write to what it shows, and pages and
feeds made of stored fragments are the pages and feeds rendered from the database."""

from types import SimpleNamespace

import pytest
from django.core.cache import cache
from django.db import connection, transaction
from django.utils import translation

from archive.models import Link, Post, PostLink, Topic, Week
from digest import fragments
from digest.models import PostFragment
from digest.recent_pages import recent_pages
from digest.tasks import render_fragments
from tests.factories import make_link, make_post, make_published_week
from tests.html import parse

pytestmark = pytest.mark.django_db

LANGUAGES = {"ko", "en"}


@pytest.fixture
def week(db):
    week = make_published_week(2021, 5, posts=3, title="다섯째 주")
    fragments.refresh()
    return week


def stored(post):
    return set(PostFragment.objects.filter(post=post).values_list("language", flat=True))


def uncached(client, url):
    cache.clear()
    recent_pages.clear()
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_write_stores_its_posts_fragments_in_every_language_when_it_commits():
    week = make_published_week(2021, 5, posts=1)
    post = make_post(week=week, published=True, title="새 글", topics=["NLP"])

    assert stored(post) == LANGUAGES
    english = PostFragment.objects.get(post=post, language="en")
    with translation.override("en"):
        assert f'href="{post.get_absolute_url()}"' in english.page_html
    assert "새 글" in english.page_html


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_change_too_large_to_render_at_once_goes_to_the_background_task(monkeypatch):
    monkeypatch.setattr(fragments, "AT_ONCE", 1)
    queued = []
    monkeypatch.setattr(
        "digest.tasks.render_fragments", SimpleNamespace(enqueue=lambda: queued.append(1))
    )
    with transaction.atomic():
        make_published_week(2021, 5, posts=3)

    assert queued == [1]
    assert PostFragment.objects.count() == 2  # one post in each language
    render_fragments.call()
    assert PostFragment.objects.count() == 3 * 2


WRITES = {
    "the post saved": lambda post: Post.objects.get(pk=post.pk).save(),
    "the post updated in bulk": lambda post: Post.objects.filter(pk=post.pk).update(title="새"),
    "a link's page title": lambda post: Link.objects.filter(
        pk=post.post_links.first().link_id
    ).update(title="Read by the worker"),
    "its source's address": lambda post: Link.objects.filter(pk=post.source_id).update(
        domain="example.org"
    ),
    "a link added": lambda post: PostLink.objects.create(post=post, link=make_link(), position=9),
    "a link taken off": lambda post: post.post_links.first().delete(),
    "a topic added": lambda post: post.topics.add("새주제"),
    "a topic taken off": lambda post: post.topics.remove("NLP"),
    "a topic renamed": lambda post: Topic.objects.filter(name="NLP").update(name_en="NLP!"),
    "its week's title": lambda post: Week.objects.filter(pk=post.week_id).update(title="새 제목"),
    "raw SQL": lambda post: connection.cursor().execute(
        "UPDATE archive_post SET title = 'raw' WHERE id = %s", [post.pk]
    ),
}


@pytest.mark.parametrize("write", WRITES.values(), ids=WRITES.keys())
def test_every_write_to_what_a_fragment_shows_deletes_it_in_the_same_transaction(week, write):
    post, other = week.posts.order_by("position")[:2]
    untouched = make_post(week=make_published_week(2021, 6, posts=0), published=True)
    fragments.refresh()
    assert stored(post) == LANGUAGES

    write(post)

    assert stored(post) == set()
    assert stored(untouched) == LANGUAGES
    if write not in (WRITES["a topic renamed"], WRITES["its week's title"]):
        assert stored(other) == LANGUAGES  # only what showed the change


def test_a_fragment_rendered_by_other_templates_is_not_shown(client, week):
    page = uncached(client, "/2021/w05/")
    PostFragment.objects.update(fingerprint="an earlier release", page_html="<p>stale</p>")

    assert uncached(client, "/2021/w05/") == page
    assert fragments.stale("ko").count() == 3
    fragments.refresh()
    assert not PostFragment.objects.filter(fingerprint="an earlier release").exists()


URLS = [
    "/2021/w05/",
    "/en/2021/w05/",
    "/",
    "/en/",
    "/feed/",
    "/feed/atom/",
    "/feed.json",
    "/en/feed/",
    "/feed/posts/",
    "/en/feed/posts/atom/",
    "/topics/nlp/feed/",
]


def test_pages_and_feeds_of_stored_fragments_are_those_rendered_from_the_database(client):
    week = make_published_week(2021, 5, posts=3, intro="[지난 주](/2021/w04/)")
    make_post(
        week=week,
        published=True,
        title='<b>제목</b> & 따옴표"',
        summary="[상대 주소](../w04/) 와 [절대](https://example.com/a?b=1&c=2)",
        topics=["NLP", "자연어처리"],
        links=[("https://arxiv.org/abs/2101.00001", "논문 <1>")],
    )
    rendered = {url: uncached(client, url) for url in URLS}

    fragments.refresh()

    assert PostFragment.objects.count() == 2 * 4
    for url in URLS:
        assert uncached(client, url) == rendered[url], url


def test_the_week_page_numbers_stored_posts_in_reading_order(client, week):
    page = parse(client.get("/2021/w05/"))

    assert [a.text for a in page.select("ol.posts .post-number")] == ["1", "2", "3"]


def test_a_preview_shows_drafts_with_their_badge_never_a_stored_fragment(staff_client):
    week = make_published_week(2021, 5, posts=1)
    draft = make_post(week=week, title="초안")
    fragments.refresh()
    assert stored(draft) == LANGUAGES

    page = parse(staff_client.get("/2021/w05/"))

    assert len(page.select("ol.posts .badge")) == 1  # the draft's, from its rendering now


def test_the_command_renders_every_missing_fragment(week):
    from django.core.management import call_command

    PostFragment.objects.all().delete()
    call_command("render_fragments", verbosity=0)

    assert PostFragment.objects.count() == 3 * 2

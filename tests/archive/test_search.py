"""PostQuerySet.search and the topic counts: the reading queries every page and, later, the
search index must agree with."""

import pytest

from archive.models import Post
from tests.factories import make_digest, make_link, make_post

pytestmark = pytest.mark.django_db


@pytest.fixture
def posts(db):
    digest = make_digest(published=True)
    return {
        "title": make_post("한국어 모델을 공개했습니다", digest=digest),
        "summary": make_post("요약", digest=digest, summary="**Pororo** 라이브러리"),
        "comment": make_post("한마디", digest=digest, commentary="정말 반가운 소식"),
        "link": make_post("링크", digest=digest, links=["https://github.com/kakaobrain/pororo"]),
        "label": make_post("라벨", digest=digest, links=[("https://example.com/a", "데모 영상")]),
        "source": make_post(
            "원문", digest=digest, source=make_link("https://facebook.com/groups/tfkr/1")
        ),
    }


@pytest.mark.parametrize(
    ("query", "found"),
    [
        ("모델", {"title"}),  # a substring of 모델을
        ("pororo", {"summary", "link"}),  # any case, Markdown or link address
        ("반가운", {"comment"}),
        ("데모", {"label"}),
        ("groups/tfkr", {"source"}),
        ("한국어 공개", {"title"}),  # every word, in any order
        ("한국어 반가운", set()),  # …in the same post
        ("", {"title", "summary", "comment", "link", "label", "source"}),
    ],
)
def test_search_matches_every_word_somewhere_in_a_post(posts, query, found):
    assert set(Post.objects.search(query)) == {posts[name] for name in found}


def test_search_lists_a_post_once_however_many_links_match(db):
    post = make_post(links=["https://github.com/a/model", "https://github.com/b/model"])
    make_link("https://github.com/c/model").post_links.create(post=post, position=2)

    assert list(Post.objects.search("model github")) == [post]


def test_a_korean_address_is_found_as_it_was_pasted(db):
    post = make_post(links=["https://ko.wikipedia.org/wiki/자연어_처리"])

    assert list(Post.objects.search("자연어_처리")) == [post]


def test_a_link_title_is_searched(db):
    post = make_post(links=["https://example.com/x"])
    post.links.update(title="Attention Is All You Need")

    assert list(Post.objects.search("attention")) == [post]


def test_topics_count_only_the_posts_asked_about(db):
    live = make_digest(week=5, published=True)
    make_post(digest=live, published=True, tags=["NLP", "비전"])
    make_post(digest=live, published=True, tags=["NLP"])
    make_post(digest=live, tags=["NLP", "초안만"])

    counts = {tag.name: tag.post_count for tag in Post.objects.published().topics()}

    assert counts == {"NLP": 2, "비전": 1}


def test_topic_counts_by_digest_put_the_most_used_first(db):
    week5 = make_digest(week=5, published=True)
    week6 = make_digest(week=6, published=True)
    make_post(digest=week5, published=True, tags=["b", "a"])
    make_post(digest=week5, published=True, tags=["b"])
    make_post(digest=week6, published=True, tags=["c"])

    counts = Post.objects.published().topic_counts_by_digest()

    assert counts == {
        week5.pk: [
            {"name": "b", "slug": "b", "post_count": 2},
            {"name": "a", "slug": "a", "post_count": 1},
        ],
        week6.pk: [{"name": "c", "slug": "c", "post_count": 1}],
    }

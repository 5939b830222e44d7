"""PostQuerySet.search and the topic counts: the reading queries every page and, later, the
search index must agree with."""

import pytest
from django.db import connection
from django.utils import translation

from archive.models import Link, Post, PostLink, Topic
from archive.search import TRIGRAM
from tests.factories import make_link, make_post, make_week

pytestmark = pytest.mark.django_db


@pytest.fixture
def posts(db):
    week = make_week(published=True)
    return {
        "title": make_post("한국어 모델을 공개했습니다", week=week),
        "summary": make_post("요약", week=week, summary="**Pororo** 라이브러리"),
        "comment": make_post("한마디", week=week, commentary="정말 반가운 소식"),
        "link": make_post("링크", week=week, links=["https://github.com/kakaobrain/pororo"]),
        "label": make_post("라벨", week=week, links=[("https://example.com/a", "데모 영상")]),
        "source": make_post(
            "원문", week=week, source=make_link("https://facebook.com/groups/tfkr/1")
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
    live = make_week(number=5, published=True)
    make_post(week=live, published=True, topics=["NLP", "비전"])
    make_post(week=live, published=True, topics=["NLP"])
    make_post(week=live, topics=["NLP", "초안만"])

    counts = {tag.name: tag.post_count for tag in Post.objects.published().topics()}

    assert counts == {"NLP": 2, "비전": 1}


def test_topic_counts_by_digest_put_the_most_used_first(db):
    week5 = make_week(number=5, published=True)
    week6 = make_week(number=6, published=True)
    make_post(week=week5, published=True, topics=["b", "a"])
    make_post(week=week5, published=True, topics=["b"])
    make_post(week=week6, published=True, topics=["c"])
    Topic.objects.filter(name="c").update(name_en="C, in English")

    with translation.override("en"):
        counts = Post.objects.published().topic_counts_by_week()

    assert counts == {
        week5.pk: [
            {"name": "b", "label": "b", "slug": "b", "post_count": 2},
            {"name": "a", "label": "a", "slug": "a", "post_count": 1},
        ],
        week6.pk: [{"name": "c", "label": "C, in English", "slug": "c", "post_count": 1}],
    }


# The same answers from every database: CI runs this file on SQLite (FTS5 trigram tables) and on
# PostgreSQL (pg_trgm indexes), against this one fixed table of expected results.


@pytest.fixture
def library(db):
    week = make_week(published=True)
    return {
        "llm": make_post(
            "한국어 언어모델 공개",
            week=week,
            summary="KoGPT **Transformer** 기반",
            commentary="정말 모델",  # two characters at the very end of a value
        ),
        "rl": make_post(
            "강화학습 튜토리얼",
            week=week,
            summary="100% 무료 강의, C++ 예제",
            links=[("https://github.com/example/rl-course", "예제 코드")],
        ),
        "dataset": make_post(
            "데이터셋 모음",
            week=week,
            summary='"quoted" words, a_b and NEAR(x y) OR z*',
            source=make_link("https://www.facebook.com/groups/TensorFlowKR/permalink/42/"),
        ),
        "paper": make_post(
            "Attention 논문 리뷰",
            week=week,
            links=["https://arxiv.org/abs/1706.03762", "https://ko.wikipedia.org/wiki/자연어_처리"],
        ),
    }


PARITY = [
    ("모델", {"llm"}),  # two characters, inside a word and at the end of a value
    ("언어모델", {"llm"}),
    ("모", {"llm", "dataset"}),  # one character
    ("transformer", {"llm"}),  # case-insensitive
    ("TRANSFORMER kogpt", {"llm"}),
    ("강화", {"rl"}),
    ("예제", {"rl"}),  # the summary and a link label
    ("코드", {"rl"}),  # a link label only
    ("rl-course", {"rl"}),  # a link address
    ("100%", {"rl"}),  # LIKE's wildcards are plain characters
    ("0%", {"rl", "paper"}),  # …and so is the percent-encoded Korean address
    ("C++", {"rl"}),
    ("a_b", {"dataset"}),
    ("a%b", set()),
    ('"quoted"', {"dataset"}),  # FTS5's syntax is plain characters too
    ("NEAR(x", {"dataset"}),
    ("z*", {"dataset"}),
    ("OR", {"llm", "dataset", "paper"}),  # "Transformer", "OR", "ko.wikipedia.org"
    ("tensorflowkr", {"dataset"}),  # the source's address
    ("permalink/42", {"dataset"}),
    ("1706.03762", {"paper"}),
    ("자연어_처리", {"paper"}),  # the Korean address as pasted
    ("attention 논문", {"paper"}),
    ("모음 리뷰", set()),  # every word, in the same post
    ("공개모델", set()),  # no match across the end of one field and the start of the next
    ("모델KoGPT", set()),
    ("github", {"rl"}),
    ("https", {"rl", "dataset", "paper"}),
    ("없는말", set()),
    ("zz", set()),
]


@pytest.mark.parametrize(("query", "found"), PARITY, ids=[query for query, _found in PARITY])
def test_every_database_finds_the_same_posts(library, query, found):
    assert set(Post.objects.search(query)) == {library[name] for name in found}


WRITES = {
    "a title updated in bulk": (lambda post: Post.objects.update(title="새 제목"), "새 제목"),
    "a summary saved": (
        lambda post: setattr(post, "summary", "바뀐 요약") or post.save(),
        "바뀐 요약",
    ),
    "a link added": (
        lambda post: PostLink.objects.create(post=post, link=make_link("https://new.example/")),
        "new.example",
    ),
    "a label changed": (lambda post: PostLink.objects.update(label="발표 자료"), "발표 자료"),
    "a link retitled in bulk": (lambda post: Link.objects.update(title="Retitled"), "retitled"),
}


@pytest.mark.parametrize(("write", "query"), WRITES.values(), ids=WRITES.keys())
def test_the_index_follows_every_write(db, write, query):
    post = make_post("옛 제목", summary="옛 요약", links=[("https://old.example/", "옛 라벨")])

    write(post)

    assert list(Post.objects.search(query)) == [post]


def test_a_deleted_link_of_a_post_is_no_longer_found(db):
    post = make_post("제목", links=["https://gone.example/"])
    PostLink.objects.filter(post=post).delete()

    assert list(Post.objects.search("gone.example")) == []


@pytest.mark.parametrize("query", ["언어모델", "모델"])
def test_search_can_be_answered_from_an_index(library, query):
    """On SQLite from the FTS5 tables, words of two characters included; on PostgreSQL from
    the trigram indexes (the planner is told to avoid scans, which win on a table this small)."""
    sql, params = Post.objects.search(query).query.sql_with_params()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            if len(query) < TRIGRAM:
                pytest.skip("pg_trgm cannot look up two characters; PostgreSQL scans for them")
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute(f"EXPLAIN {sql}", params)
            assert "archive_post_title_trgm" in str(cursor.fetchall())
        else:
            cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
            plan = str(cursor.fetchall())
            assert "VIRTUAL TABLE" in plan
            assert "LIKE" not in sql

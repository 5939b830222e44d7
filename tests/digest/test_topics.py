from datetime import timedelta
from types import SimpleNamespace
from unittest import mock

import pytest
from django.utils import timezone
from taggit.models import Tag

from archive.models import Post, Status
from digest.models import WeeklyDigest
from digest.topics import initial_of, published_topics, topic_index, weight
from tests.factories import make_digest, make_post


@pytest.mark.parametrize(
    ("name", "initial"),
    [
        ("자연어처리", "ㅈ"),
        ("강화학습", "ㄱ"),
        ("꿀팁", "ㄱ"),  # doubled consonants are filed under the single one
        ("힣", "ㅎ"),
        ("NLP", "N"),
        ("pytorch", "P"),
        ("3D", "0–9"),
        ("Ébauche", "#"),
        ("#태그", "#"),
        ("", "#"),
    ],
)
def test_topics_are_filed_under_their_first_letter(name, initial):
    assert initial_of(name) == initial


def test_weights_grow_on_a_log_scale_from_1_to_4():
    assert [weight(count, 100) for count in (1, 5, 20, 100)] == [1, 2, 3, 4]
    assert weight(1, 1) == 1


def test_the_index_puts_hangul_first_then_latin_then_the_rest():
    names = ["zeta", "3D", "나무", "Alpha", "가지", "까치", "#x", "beta"]
    topics = [SimpleNamespace(name=name, post_count=1) for name in names]

    index = [(initial, [topic.name for topic in group]) for initial, group in topic_index(topics)]

    assert index == [
        ("ㄱ", ["가지", "까치"]),
        ("ㄴ", ["나무"]),
        ("A", ["Alpha"]),
        ("B", ["beta"]),
        ("Z", ["zeta"]),
        ("0–9", ["3D"]),
        ("#", ["#x"]),
    ]


# Published topic counts: kept in TopicCount, counted again once per state of the content.


def counts():
    return {topic.name: topic.post_count for topic in published_topics()}


@pytest.fixture
def week(db):
    week = make_digest(published=True)
    make_post(digest=week, published=True, tags=["NLP", "비전"])
    make_post(digest=week, published=True, tags=["NLP"])
    make_post(digest=week, tags=["NLP", "초안만"])  # a draft
    return week


def test_topics_count_only_published_posts_of_published_weeks(week):
    make_post(digest=make_digest(week=6), published=True, tags=["NLP", "초안주"])

    assert counts() == {"NLP": 2, "비전": 1}


def test_topics_are_counted_once_per_state_of_the_content(week, django_assert_num_queries):
    counts()

    with django_assert_num_queries(2):  # the state, then the stored counts
        assert counts() == {"NLP": 2, "비전": 1}


def test_a_request_asks_for_the_state_once(week, rf, django_assert_num_queries):
    request = rf.get("/")
    counts()

    with django_assert_num_queries(1 + 3):  # the state once, then each list of topics
        for _page_part in range(3):
            list(published_topics(request))


CHANGES = {
    "publishing a post": (
        lambda week: Post.objects.filter(status=Status.DRAFT).publish(),
        {"NLP": 3, "비전": 1, "초안만": 1},
    ),
    "unpublishing a post": (
        lambda week: Post.objects.filter(tags__name="비전").unpublish(),
        {"NLP": 1},
    ),
    "unpublishing the week": (lambda week: WeeklyDigest.objects.all().unpublish(), {}),
    "deleting a post": (lambda week: Post.objects.filter(tags__name="비전").delete(), {"NLP": 1}),
    "retagging a post": (
        lambda week: Post.objects.get(tags__name="비전").tags.set(["RL"]),
        {"NLP": 1, "RL": 1},
    ),
    "renaming a topic": (
        lambda week: (
            Tag.objects.filter(name="비전").update(name="Vision")
            or Tag.objects.get(name="Vision").save()
        ),
        {"NLP": 2, "Vision": 1},
    ),
}


@pytest.mark.parametrize(("change", "expected"), CHANGES.values(), ids=CHANGES.keys())
def test_any_change_is_counted_by_the_next_reader(week, change, expected):
    counts()

    change(week)

    assert counts() == expected


def test_a_scheduled_post_is_counted_when_its_time_comes(week):
    later = timezone.now() + timedelta(hours=1)
    make_post(digest=week, published=True, published_at=later, tags=["예약"])
    assert counts() == {"NLP": 2, "비전": 1}

    with mock.patch("django.utils.timezone.now", return_value=later):
        assert counts() == {"NLP": 2, "비전": 1, "예약": 1}

from datetime import timedelta
from types import SimpleNamespace
from unittest import mock

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from archive.models import Post, Status, Topic, TopicCount, Week
from digest.topics import initial_of, published_topics, topic_index, weight
from tests.factories import make_post, make_week


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
    topics = [SimpleNamespace(name=name, label=name, post_count=1) for name in names]

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


# Published topic counts: kept in TopicCount, counted again after every write commits; a reader
# counts them in its own query while they are stale, and never writes.


def counts():
    return {topic.name: topic.post_count for topic in Topic.objects.published()}


@pytest.fixture
def week(db, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        week = make_week(published=True)
        make_post(week=week, published=True, topics=["NLP", "비전"])
        make_post(week=week, published=True, topics=["NLP"])
        make_post(week=week, topics=["NLP", "초안만"])  # a draft
    return week


def test_topics_count_only_published_posts_of_published_weeks(week):
    make_post(week=make_week(number=6), published=True, topics=["NLP", "초안주"])

    assert counts() == {"NLP": 2, "비전": 1}


def test_the_counts_kept_since_the_last_write_are_read_in_one_query(
    week, django_assert_num_queries
):
    with django_assert_num_queries(2):  # the state, then the stored counts
        assert counts() == {"NLP": 2, "비전": 1}
    assert TopicCount.objects.count() == 2


def test_a_request_asks_for_the_state_once(week, rf, django_assert_num_queries):
    request = rf.get("/")

    with django_assert_num_queries(1 + 3):  # the state once, then each list of topics
        for _page_part in range(3):
            list(published_topics(request))


CHANGES = {
    "publishing a post": (
        lambda week: Post.objects.filter(status=Status.DRAFT).publish(),
        {"NLP": 3, "비전": 1, "초안만": 1},
    ),
    "unpublishing a post": (
        lambda week: Post.objects.filter(topics__name="비전").unpublish(),
        {"NLP": 1},
    ),
    "unpublishing the week": (lambda week: Week.objects.all().unpublish(), {}),
    "deleting a post": (lambda week: Post.objects.filter(topics__name="비전").delete(), {"NLP": 1}),
    "retagging a post": (
        lambda week: Post.objects.get(topics__name="비전").topics.set(["RL"]),
        {"NLP": 1, "RL": 1},
    ),
    "renaming a topic": (
        lambda week: (
            Topic.objects.filter(name="비전").update(name="Vision")
            or Topic.objects.get(name="Vision").save()
        ),
        {"NLP": 2, "Vision": 1},
    ),
}


@pytest.mark.parametrize(("change", "expected"), CHANGES.values(), ids=CHANGES.keys())
def test_any_change_is_counted_again_when_it_commits(
    week, change, expected, django_capture_on_commit_callbacks, django_assert_num_queries
):
    with django_capture_on_commit_callbacks(execute=True):
        change(week)

    with django_assert_num_queries(2):  # the state, then the stored counts
        assert counts() == expected
    assert dict(TopicCount.objects.values_list("topic__name", "post_count")) == expected


@pytest.mark.parametrize(("change", "expected"), CHANGES.values(), ids=CHANGES.keys())
def test_a_reader_counts_stale_topics_itself_without_writing(
    week, change, expected, django_assert_num_queries
):
    change(week)  # not committed yet: the kept counts are stale
    stored = list(TopicCount.objects.values_list("topic__name", "post_count"))

    with CaptureQueriesContext(connection) as queries:
        assert counts() == expected
    assert all(query["sql"].lstrip().upper().startswith("SELECT") for query in queries)
    assert list(TopicCount.objects.values_list("topic__name", "post_count")) == stored


def test_a_scheduled_post_is_counted_when_its_time_comes(week, django_capture_on_commit_callbacks):
    later = timezone.now() + timedelta(hours=1)
    with django_capture_on_commit_callbacks(execute=True):
        make_post(week=week, published=True, published_at=later, topics=["예약"])
    assert counts() == {"NLP": 2, "비전": 1}

    with mock.patch("django.utils.timezone.now", return_value=later):
        assert counts() == {"NLP": 2, "비전": 1, "예약": 1}

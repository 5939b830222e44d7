from datetime import timedelta

import pytest
from django.utils import timezone

from archive.models import Post, Status, Week
from archive.services import move_posts_to_week, publish_with_posts
from archive.weeks import IsoWeek
from tests.factories import make_post, make_week

pytestmark = pytest.mark.django_db


def test_publish_with_posts_publishes_the_weeks_and_every_post_in_them():
    week = make_week(2021, 5)
    other = make_week(2021, 6)
    make_post(week=week)
    make_post(week=week)
    untouched = make_post(week=other)

    assert publish_with_posts(Week.objects.filter(status=Status.DRAFT, number=5)) == (1, 2)

    assert list(Post.objects.published()) == list(week.posts.all())
    untouched.refresh_from_db()
    assert untouched.status == Status.DRAFT


def test_publishing_keeps_the_first_publication_time_and_schedules():
    earlier = timezone.now() - timedelta(days=3)
    later = timezone.now() + timedelta(days=1)
    make_week(2021, 5, published_at=earlier)
    make_week(2021, 6, published_at=later)
    make_week(2021, 7)

    Week.objects.publish()

    times = dict(Week.objects.values_list("number", "published_at"))
    assert times[5] == earlier and times[6] == later and times[7] is not None
    assert sorted(Week.objects.published().values_list("number", flat=True)) == [5, 7]

    Week.objects.unpublish()
    assert not Week.objects.published().exists()
    assert Week.objects.get(number=5).published_at == earlier


def test_moving_appends_in_order_and_leaves_posts_already_there():
    source = make_week(2021, 5)
    target = make_week(2021, 6)
    staying = make_post("staying", week=target)
    first = make_post("first", week=source)
    second = make_post("second", week=source)

    week, moved = move_posts_to_week(Post.objects.all(), IsoWeek(2021, 6))

    assert (week, moved) == (target, 2)
    assert [(post.title, post.position) for post in target.posts.in_reading_order()] == [
        ("staying", staying.position),
        ("first", 1),
        ("second", 2),
    ]
    assert not source.posts.exists()
    first.refresh_from_db()
    assert first.updated > second.created


def test_moving_to_a_new_week_creates_it_as_a_draft():
    post = make_post(week=make_week(2021, 5, published=True), published=True)

    week, moved = move_posts_to_week(Post.objects.filter(pk=post.pk), IsoWeek(2020, 53))

    assert (week.iso_label, week.status, moved) == ("2020-W53", Status.DRAFT, 1)
    assert not Post.objects.published().exists()

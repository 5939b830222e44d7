from datetime import timedelta

import pytest
from django.utils import timezone

from archive.models import Post, Status
from archive.services import move_posts_to_week, publish_week
from archive.weeks import IsoWeek
from tests.factories import make_post, make_week

pytestmark = pytest.mark.django_db


def test_publish_week_publishes_the_week_and_its_posts_and_no_other():
    week = make_week(2021, 5)
    other = make_week(2021, 6)
    make_post(week=week, summary="요약")
    make_post(week=week, summary="요약")
    untouched = make_post(week=other, summary="요약")

    publish_week(week)

    assert list(Post.objects.published()) == list(week.posts.all())
    untouched.refresh_from_db()
    assert untouched.status == Status.DRAFT


def test_publishing_posts_keeps_their_first_publication_time_and_schedules():
    week = make_week(2021, 5, published=True)
    earlier = timezone.now() - timedelta(days=3)
    later = timezone.now() + timedelta(days=1)
    make_post("earlier", week=week, published_at=earlier)
    make_post("later", week=week, published_at=later)
    make_post("now", week=week)

    Post.objects.publish()

    times = dict(Post.objects.values_list("title", "published_at"))
    assert times["earlier"] == earlier and times["later"] == later and times["now"] is not None
    assert sorted(Post.objects.published().values_list("title", flat=True)) == ["earlier", "now"]

    Post.objects.unpublish()
    assert not Post.objects.published().exists()
    assert Post.objects.get(title="earlier").published_at == earlier


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
    post = make_post(week=make_week(2021, 5))

    week, moved = move_posts_to_week(Post.objects.filter(pk=post.pk), IsoWeek(2020, 53))

    assert (week.iso_label, week.status, moved) == ("2020-W53", Status.DRAFT, 1)
    assert not Post.objects.published().exists()

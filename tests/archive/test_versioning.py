"""Every way of writing what readers see bumps the content version; reading never writes."""

from datetime import timedelta
from unittest import mock

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.utils import timezone

from archive import versioning
from archive.models import AboutPage, ContentVersion, Link, Post, PostLink, PostTopic, Topic, Week
from archive.services import move_posts_to_week, publish_week
from archive.weeks import IsoWeek
from tests.factories import make_post, make_user, make_week

pytestmark = pytest.mark.django_db


def test_the_state_is_one_query(django_assert_num_queries):
    make_post(published=True, week=make_week(published=True))

    with django_assert_num_queries(1):
        state = versioning.current_state()
    assert state.version == ContentVersion.objects.get().number


def test_reading_the_state_of_a_database_never_written_writes_nothing(
    django_assert_num_queries,
):
    ContentVersion.objects.all().delete()  # as a flushed database has it

    with django_assert_num_queries(1):
        state = versioning.current_state()

    assert state.version == 0
    assert not ContentVersion.objects.exists()
    make_week()
    assert versioning.current_state().version > 0


def a_post():
    post = make_post(
        topics=["NLP"], links=["https://example.com/a"], curator=make_user("c"), summary="요약"
    )
    return post


# Every model whose rows a reader sees, each written every way the ORM or SQL can write it.
# The lambdas get a post with a week, a source-less link, a topic and a curator.
WRITES = {
    # Weeks
    "week save": lambda post: post.week.save(),
    "week delete": lambda post: post.week.delete(),
    "week update": lambda post: Week.objects.update(title="x"),
    "week bulk_update": lambda post: Week.objects.bulk_update([post.week], ["title"]),
    "week bulk_create": lambda post: Week.objects.bulk_create([Week(year=2030, number=1)]),
    "week publish": lambda post: publish_week(post.week),
    "week unpublish": lambda post: Week.objects.all().unpublish(),
    # Posts
    "post save": lambda post: post.save(),
    "post delete": lambda post: post.delete(),
    "post update": lambda post: Post.objects.update(title="x"),
    "post bulk_update": lambda post: Post.objects.bulk_update([post], ["title"]),
    "post bulk_create": lambda post: Post.objects.bulk_create(
        [Post(title="x", slug="x", posted_on=post.posted_on, week=post.week)]
    ),
    "post publish": lambda post: Post.objects.filter(pk=post.pk).publish(),
    "post moved to a week": lambda post: move_posts_to_week(
        Post.objects.filter(pk=post.pk), IsoWeek(2021, 9)
    ),
    # Links, and a post's links
    "link save": lambda post: post.links.get().save(),
    "link edit": lambda post: Link.objects.filter(pk=post.links.get().pk).update(title="x"),
    "link bulk_create": lambda post: Link.objects.bulk_create(
        [Link(url="https://example.com/b", normalized_url="https://example.com/b")]
    ),
    "link delete": lambda post: (post.post_links.all().delete(), Link.objects.all().delete()),
    "post's links clear": lambda post: post.links.clear(),
    "post's links add": lambda post: post.links.add(Link.objects.for_url("https://x.org/")),
    "post link update": lambda post: PostLink.objects.update(label="x"),
    "post link bulk_create": lambda post: PostLink.objects.bulk_create(
        [PostLink(post=post, link=Link.objects.for_url("https://y.org/"))]
    ),
    # Topics, and a post's topics
    "topic save": lambda post: post.topics.get().save(),
    "topic rename": lambda post: Topic.objects.update(name="renamed"),
    "topic delete": lambda post: Topic.objects.all().delete(),
    "topic bulk_create": lambda post: Topic.objects.bulk_create([Topic(name="t", slug="t")]),
    "post's topics add": lambda post: post.topics.add("vision"),
    "post's topics set": lambda post: post.topics.set(["vision"]),
    "post's topics clear": lambda post: post.topics.clear(),
    "post topic update": lambda post: PostTopic.objects.update(tag=Topic.objects.create(name="z")),
    # The about page
    "about page saved": lambda post: AboutPage(text="소개").save(),
    # A curator's name, shown in feeds
    "curator renamed": lambda post: post.curator.save(),
    "curator renamed in bulk": lambda post: get_user_model().objects.update(first_name="Ji"),
    "curator deleted": lambda post: post.curator.delete(),
    # Raw SQL, as a script might
    "raw SQL": lambda post: connection.cursor().execute(
        f"UPDATE {Post._meta.db_table} SET title = 'raw'"
    ),
}


@pytest.mark.parametrize("write", WRITES.values(), ids=WRITES.keys())
def test_every_write_to_what_readers_see_bumps_the_version(write):
    post = a_post()
    before = versioning.current_state()

    write(post)

    after = versioning.current_state()
    assert after.version > before.version
    assert after.changed_at >= before.changed_at
    assert after.key != before.key


def test_every_model_readers_see_is_versioned():
    """The list above covers them all: a model readers see is one the triggers watch."""
    written = {AboutPage, Week, Post, Link, PostLink, PostTopic, Topic, get_user_model()}
    assert set(versioning.VERSIONED) == written


def test_logging_in_is_not_a_change_readers_see(client):
    user = make_user("curator", curator=True)
    before = versioning.current_state()

    user.last_login = timezone.now()
    user.save(update_fields=["last_login"])

    assert versioning.current_state().version == before.version


def test_a_publication_time_passing_changes_the_state_without_any_write():
    week = make_week(published=True)
    later = timezone.now() + timedelta(hours=1)
    make_post(week=week, published=True, published_at=later)
    before = versioning.current_state()

    with mock.patch("django.utils.timezone.now", return_value=later):
        after = versioning.current_state()

    assert after.version == before.version
    assert after.latest_publication == later
    assert after.last_modified == later
    assert after.key != before.key


def test_the_triggers_are_there_after_migrating():
    """SQLite drops a table's triggers when a migration rebuilds it; `migrate` puts them back."""
    expected = {name for model in versioning.VERSIONED for name in versioning.trigger_names(model)}
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
        else:
            cursor.execute("SELECT tgname FROM pg_trigger WHERE NOT tgisinternal")
        present = {name for (name,) in cursor.fetchall()}
    assert expected <= present

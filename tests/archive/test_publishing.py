"""Publishing never surprises: a week goes out with its readable posts through one service, or
is refused with the reason, and readers never see a week without a readable post."""

from datetime import UTC, date, datetime, timedelta
from io import StringIO

import pytest
from django.contrib.admin.models import CHANGE, LogEntry
from django.core.management import CommandError, call_command
from django.utils import timezone, translation

from archive.content import ContentError, PostContent, WeekContent
from archive.models import Post, Status, Week
from archive.services import (
    PublishingRefused,
    move_posts_to_week,
    plan_publication,
    publish_week,
    unpublish_posts,
    unpublish_week,
    write_weeks,
)
from archive.weeks import IsoWeek
from tests.factories import make_post, make_user, make_week

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    """Messages are asserted in English; the Korean catalogue is checked on its own."""
    with translation.override("en"):
        yield


def statuses(week):
    week.refresh_from_db()
    return week.status, dict(week.posts.values_list("title", "status"))


def history(obj):
    return list(
        LogEntry.objects.filter(object_id=str(obj.pk), content_type__model=obj._meta.model_name)
        .order_by("pk")
        .values_list("user__username", "action_flag", "change_message")
    )


@pytest.fixture
def draft_week(db):
    """A draft week: two drafts ready to go out, one draft without a summary."""
    week = make_week(2021, 5)
    make_post("ready", week=week, position=0, summary="요약", topics=["NLP"])
    make_post("also ready", week=week, position=1, summary="요약 둘", topics=["비전"])
    make_post("unfinished", week=week, position=2, summary="  ")
    return week


# The service and its readiness rule


def test_a_week_goes_out_with_its_ready_drafts_and_the_others_stay_drafts(draft_week):
    publication = publish_week(draft_week)

    assert statuses(draft_week) == (
        Status.PUBLISHED,
        {"ready": "published", "also ready": "published", "unfinished": "draft"},
    )
    assert [post.title for post in publication.with_week] == ["ready", "also ready"]
    assert [(post.title, str(reason)) for post, reason in publication.staying] == [
        ("unfinished", "a draft without a summary")
    ]
    assert [topic.name for topic in publication.topics] == ["NLP", "비전"]
    assert list(Week.objects.published()) == [draft_week]
    assert Post.objects.published().count() == 2
    # The posts go out at the week's time.
    assert set(Post.objects.published().values_list("published_at", flat=True)) == {
        draft_week.published_at
    }


def test_a_week_without_posts_is_refused_and_stays_a_draft():
    week = make_week(2021, 5)

    with pytest.raises(PublishingRefused, match="2021-W05 cannot be published: it has no posts"):
        publish_week(week)

    assert statuses(week) == (Status.DRAFT, {})
    assert week.published_at is None


def test_a_week_whose_posts_are_not_ready_is_refused_naming_each_and_why():
    week = make_week(2021, 5)
    make_post("no text yet", week=week)
    later = make_post(
        "tomorrow's",
        week=week,
        published=True,
        published_at=timezone.now() + timedelta(days=1),
        summary="요약",
    )

    with pytest.raises(PublishingRefused) as refusal:
        publish_week(week)

    message = str(refusal.value)
    assert message.startswith("2021-W05 cannot be published: none of its posts would be readable")
    assert "“no text yet” is a draft without a summary" in message
    assert "“tomorrow's” is scheduled for" in message
    assert statuses(week) == (
        Status.DRAFT,
        {"no text yet": "draft", "tomorrow's": "published"},
    )
    assert [post.pk for post in plan_publication(week).later] == [later.pk]


def test_publishing_only_the_posts_already_published(draft_week):
    with pytest.raises(PublishingRefused, match="only the posts already published go out"):
        publish_week(draft_week, drafts=False)

    make_post("published before", week=draft_week, published=True)
    publish_week(draft_week, drafts=False)

    assert statuses(draft_week)[1] == {
        "ready": "draft",
        "also ready": "draft",
        "unfinished": "draft",
        "published before": "published",
    }


def test_a_week_is_published_at_its_own_time_and_posts_keep_theirs():
    own_time = datetime(2021, 2, 9, 12, 0, tzinfo=UTC)
    first_publication = datetime(2021, 2, 8, 12, 0, tzinfo=UTC)
    week = make_week(2021, 5, published_at=own_time)
    fresh = make_post("fresh", week=week, summary="요약")
    returning = make_post("back", week=week, summary="요약", published_at=first_publication)

    publish_week(week)

    week.refresh_from_db()
    fresh.refresh_from_db()
    returning.refresh_from_db()
    assert week.published_at == fresh.published_at == own_time
    assert returning.published_at == first_publication


def test_publishing_again_keeps_the_first_publication_time(draft_week):
    first = publish_week(draft_week).at
    unpublish_week(draft_week)

    publish_week(draft_week)

    draft_week.refresh_from_db()
    assert draft_week.published_at == first


def test_publishing_a_published_week_again_changes_nothing_and_records_nothing(draft_week):
    curator = make_user("curator", curator=True)
    publish_week(draft_week, user=curator)
    draft_week.refresh_from_db()
    updated = draft_week.updated

    publication = publish_week(draft_week, user=curator)

    assert not publication.changes_anything
    draft_week.refresh_from_db()
    assert draft_week.updated == updated
    assert len(history(draft_week)) == 1


def test_who_published_and_unpublished_is_in_the_admins_history(draft_week):
    curator = make_user("curator", curator=True)
    ready = draft_week.posts.get(title="ready")

    publish_week(draft_week, user=curator)
    unpublish_week(draft_week, user=curator)
    publish_week(draft_week)  # by a command: nobody to record

    assert history(draft_week) == [
        ("curator", CHANGE, "Published."),
        ("curator", CHANGE, "Unpublished."),
    ]
    assert history(ready) == [("curator", CHANGE, "Published.")]


def test_unpublishing_a_week_keeps_its_posts_and_time(draft_week):
    publish_week(draft_week)
    draft_week.refresh_from_db()
    published_at = draft_week.published_at

    assert unpublish_week(draft_week) is True
    assert unpublish_week(draft_week) is False

    draft_week.refresh_from_db()
    assert (draft_week.status, draft_week.published_at) == (Status.DRAFT, published_at)
    assert draft_week.posts.filter(status=Status.PUBLISHED).count() == 2
    assert not Week.objects.published().exists()


# Taking posts out of a published week


@pytest.fixture
def live_week(db):
    week = make_week(2021, 5, published=True)
    make_post("only one", week=week, published=True)
    make_post("a draft", week=week)
    return week


def test_unpublishing_the_last_readable_post_of_a_published_week_is_refused(live_week):
    only = live_week.posts.get(title="only one")

    with pytest.raises(PublishingRefused, match="2021-W05 is published and these are its only"):
        unpublish_posts(Post.objects.filter(pk=only.pk))

    assert statuses(live_week) == (Status.PUBLISHED, {"only one": "published", "a draft": "draft"})

    make_post("another", week=live_week, published=True)
    assert unpublish_posts(Post.objects.filter(pk=only.pk)) == 1
    assert list(Week.objects.published()) == [live_week]


def test_moving_the_last_readable_post_away_is_refused_and_creates_no_week(live_week):
    only = Post.objects.filter(title="only one")

    with pytest.raises(PublishingRefused, match="2021-W05"):
        move_posts_to_week(only, IsoWeek(2021, 9))

    assert only.get().week == live_week
    assert not Week.objects.filter(number=9).exists()


def test_a_post_scheduled_later_is_not_what_keeps_a_week_readable(live_week):
    make_post(
        "scheduled",
        week=live_week,
        published=True,
        published_at=timezone.now() + timedelta(days=2),
    )

    with pytest.raises(PublishingRefused):
        unpublish_posts(Post.objects.filter(title="only one"))


# The readers' side: whatever happens to its posts, no empty week is shown


@pytest.mark.parametrize(
    "empty_it",
    [
        pytest.param(lambda post: post.delete(), id="deleted"),
        pytest.param(
            lambda post: Post.objects.filter(pk=post.pk).update(status=Status.DRAFT),
            id="unpublished in bulk",
        ),
        pytest.param(
            lambda post: Post.objects.filter(pk=post.pk).update(
                published_at=timezone.now() + timedelta(days=1)
            ),
            id="rescheduled",
        ),
        pytest.param(
            lambda post: Post.objects.filter(pk=post.pk).update(week=None), id="taken out"
        ),
    ],
)
def test_a_published_week_left_without_a_readable_post_is_not_published(
    client, live_week, empty_it
):
    assert client.get("/2021/w05/").status_code == 200

    empty_it(live_week.posts.get(title="only one"))

    assert not Week.objects.published().exists()
    assert client.get("/2021/w05/").status_code == 404
    assert b"2021-W05" not in client.get("/feed/").content
    assert client.get("/weeks/").context["weeks"] == []


def test_the_feeds_spelling_of_published_weeks_selects_the_same_weeks(live_week):
    tomorrow = timezone.now() + timedelta(days=1)
    make_post(week=make_week(2021, 6), published=True)  # a draft week
    make_post(week=make_week(2021, 7, published=True, published_at=tomorrow), published=True)
    make_week(2021, 8, published=True)  # no post at all
    make_post(week=make_week(2021, 9, published=True), published=True, published_at=tomorrow)
    earlier = make_week(
        2021, 4, published=True, published_at=live_week.published_at - timedelta(days=1)
    )
    make_post(week=earlier, published=True)

    assert list(Week.objects.latest_published()) == [live_week, earlier]
    assert set(Week.objects.published()) == {live_week, earlier}


# Writing weeks (importer, demo, seeder) publishes through the same service


def content(*posts, published_at=None):
    return WeekContent(
        week=IsoWeek(2021, 5), posts=list(posts), published_at=published_at, name="w05.md"
    )


def item(title, summary="요약", day=1):
    return PostContent(title=title, posted_on=date(2021, 2, day), summary=summary, line=day * 10)


def test_written_weeks_are_published_at_their_own_time_and_dated_then():
    written_at = datetime(2021, 2, 9, 12, 0, tzinfo=UTC)

    [written] = write_weeks(
        [content(item("one"), item("two", day=2), published_at=written_at)], publish=True
    )

    week = Week.objects.get()
    assert (week.status, week.published_at, week.updated) == (
        Status.PUBLISHED,
        written_at,
        written_at,
    )
    assert set(Post.objects.values_list("status", "published_at", "updated")) == {
        (Status.PUBLISHED, written_at, written_at)
    }
    assert [post.title for post in written.publication.with_week] == ["one", "two"]


def test_written_drafts_keep_their_time_for_when_a_curator_publishes_them():
    written_at = datetime(2021, 2, 9, 12, 0, tzinfo=UTC)
    write_weeks([content(item("one"), published_at=written_at)])
    week = Week.objects.get()
    assert (week.status, week.published_at) == (Status.DRAFT, written_at)

    publish_week(week)

    week.refresh_from_db()
    assert week.published_at == written_at
    assert Post.objects.get().published_at == written_at


def test_writing_a_week_none_of_whose_posts_is_ready_writes_nothing():
    with pytest.raises(ContentError) as error:
        write_weeks([content(item("no text", summary=""))], publish=True)

    assert str(error.value).startswith("w05.md:1: 2021-W05 cannot be published")
    assert "“no text” is a draft without a summary" in str(error.value)
    assert not Week.objects.exists() and not Post.objects.exists()


def test_writing_publishes_the_ready_posts_and_leaves_the_others_drafts():
    [written] = write_weeks([content(item("ready"), item("bare", summary="", day=2))], publish=True)

    assert dict(Post.objects.values_list("title", "status")) == {
        "ready": Status.PUBLISHED,
        "bare": Status.DRAFT,
    }
    assert [post.title for post, _reason in written.publication.staying] == ["bare"]


def test_writing_again_keeps_the_weeks_time_and_publishes_nothing_else():
    first_time = datetime(2021, 2, 9, 12, 0, tzinfo=UTC)
    write_weeks([content(item("one"), published_at=first_time)], publish=True)
    week = Week.objects.get()
    curators_draft = make_post("curator's own draft", week=week, summary="요약")

    write_weeks([content(item("one"), published_at=first_time + timedelta(days=30))], publish=True)

    week.refresh_from_db()
    assert week.published_at == first_time
    curators_draft.refresh_from_db()
    assert curators_draft.status == Status.DRAFT


def test_import_digest_publish_says_which_posts_stay_drafts_and_refuses_an_empty_week(tmp_path):
    round_up = tmp_path / "w05.md"
    round_up.write_text(
        "### 1. 글\n\n2021년 2월 1일\n\n요약.\n\n### 2. 제목만\n\n2021년 2월 2일\n", "utf-8"
    )
    output = StringIO()

    call_command("import_digest", str(round_up), "--publish", stdout=output)

    assert "  ! 제목만: stays a draft without a summary" in output.getvalue()
    assert dict(Post.objects.values_list("title", "status")) == {
        "글": Status.PUBLISHED,
        "제목만": Status.DRAFT,
    }

    bare = tmp_path / "w06.md"
    bare.write_text("### 1. 제목만\n\n2021년 2월 8일\n", "utf-8")
    with pytest.raises(CommandError) as error:
        call_command("import_digest", str(bare), "--publish", stdout=StringIO())
    assert f"{bare}:1: 2021-W06 cannot be published" in str(error.value)
    assert not Week.objects.filter(number=6).exists()

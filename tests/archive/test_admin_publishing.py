"""Publishing in the admin: every way a curator publishes a week (its form, the list's actions)
shows what goes out first and goes through the publishing service; the post actions and forms
that would leave a published week without a readable post are refused."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.contrib.admin.models import LogEntry
from django.urls import reverse

from archive.models import Post, Status, Week
from tests.factories import make_post, make_week
from tests.html import admin_form_values, error_messages, form_values, parse, parse_html, text

pytestmark = pytest.mark.django_db

SEOUL = ZoneInfo("Asia/Seoul")
WEEKS = reverse("admin:archive_week_changelist")
POSTS = reverse("admin:archive_post_changelist")


@pytest.fixture(autouse=True)
def english(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


def change_url(obj):
    return reverse(f"admin:archive_{obj._meta.model_name}_change", args=[obj.pk])


def publish_url(week):
    return reverse("admin:archive_week_publish", args=[week.pk])


def messages_of(response):
    return [str(message) for message in response.wsgi_request._messages]


def history(obj):
    entries = LogEntry.objects.filter(
        object_id=str(obj.pk), content_type__model=obj._meta.model_name
    )
    return list(entries.order_by("pk").values_list("user__username", "change_message"))


@pytest.fixture
def week(db):
    """A draft week as a curator leaves it on Sunday: two posts ready, one not yet written."""
    week = make_week(2021, 5, title="이번 주 소식")
    make_post("Pororo 공개", week=week, position=0, summary="요약", topics=["NLP", "자연어처리"])
    make_post("KcBERT 학습기", week=week, position=1, summary="요약", topics=["NLP"])
    make_post("쓰다 만 글", week=week, position=2)
    return week


def status_of(week):
    week.refresh_from_db()
    return week.status


# The week's change form


def test_saving_the_form_as_published_shows_what_goes_out_before_publishing(curator_client, week):
    values = admin_form_values(curator_client.get(change_url(week)))
    values.update(status="published", title="고친 제목")

    response = curator_client.post(change_url(week), values)

    # Saved as a draft, with the other change, then to the confirmation page.
    assert (response.status_code, response.url) == (302, publish_url(week))
    week.refresh_from_db()
    assert (week.status, week.title) == (Status.DRAFT, "고친 제목")
    assert not Week.objects.published().exists()

    page = parse(curator_client.get(publish_url(week)))
    section = page.select_one("section.publication")
    assert [li.get_text() for li in section.select("ol.going-out li")] == [
        "Pororo 공개 (a draft, published now)",
        "KcBERT 학습기 (a draft, published now)",
    ]
    assert [li.get_text() for li in section.select("ul.staying li")] == [
        "쓰다 만 글: a draft without a summary"
    ]
    # The feeds in the admin's language (English, under /en/).
    feeds = [a["href"].removeprefix("/en") for a in section.select("ul.feeds a")]
    assert feeds[:5] == ["/feed/", "/feed/atom/", "/feed.json", "/feed/posts/", "/feed/posts/atom/"]
    topics = [
        reverse("digest:topic_feed", args=[slug]).removeprefix("/en")
        for slug in ("nlp", "자연어처리")
    ]
    assert feeds[5:] == topics
    form = page.select_one("#content form")
    assert form.select_one("input[type=submit]")["value"] == "Yes, publish"

    confirmed = curator_client.post(publish_url(week), form_values(form))

    assert (confirmed.status_code, confirmed.url) == (302, change_url(week))
    assert messages_of(confirmed)[-1] == "2021-W05 is published with 2 posts. 1 post stays a draft."
    assert status_of(week) == Status.PUBLISHED
    assert dict(week.posts.values_list("title", "status")) == {
        "Pororo 공개": "published",
        "KcBERT 학습기": "published",
        "쓰다 만 글": "draft",
    }
    assert history(week)[-1] == ("curator", "Published.")
    # Saving only to publish is not recorded as an edit: the title change is.
    assert [message for _user, message in history(week)][:-1] == [
        '[{"changed": {"fields": ["Title"]}}]'
    ]


def test_the_form_refuses_a_week_no_post_of_which_is_ready(curator_client):
    week = make_week(2021, 5)
    make_post("빈 글", week=week)
    values = admin_form_values(curator_client.get(change_url(week)))
    values["status"] = "published"

    response = curator_client.post(change_url(week), values)

    assert response.status_code == 200
    assert any(
        "2021-W05 cannot be published" in error and "“빈 글” is a draft without a summary" in error
        for error in error_messages(response)
    )
    assert status_of(week) == Status.DRAFT
    assert not LogEntry.objects.exists()


def test_a_new_week_cannot_be_added_as_published(curator_client):
    values = admin_form_values(curator_client.get(reverse("admin:archive_week_add")))
    values.update(year="2021", number="7", status="published")

    response = curator_client.post(reverse("admin:archive_week_add"), values)

    assert response.status_code == 200
    assert any("A new week has no posts yet" in error for error in error_messages(response))
    assert not Week.objects.exists()


def test_a_past_time_given_in_the_form_is_the_weeks_and_its_posts_time(curator_client, week):
    values = admin_form_values(curator_client.get(change_url(week)))
    values.update(status="published", published_at_0="2021-02-09", published_at_1="21:00:00")
    curator_client.post(change_url(week), values)

    page = parse(curator_client.get(publish_url(week)))
    assert "Dated" in text(page.select_one(".publication-time"))
    curator_client.post(publish_url(week))

    by_hand = datetime(2021, 2, 9, 21, 0, tzinfo=SEOUL)
    week.refresh_from_db()
    assert (week.status, week.published_at) == (Status.PUBLISHED, by_hand)
    assert set(Post.objects.published().values_list("published_at", flat=True)) == {by_hand}


def test_unpublishing_in_the_form_goes_through_the_service(curator_client, week):
    curator_client.post(publish_url(week))
    values = admin_form_values(curator_client.get(change_url(week)))
    values["status"] = "draft"

    response = curator_client.post(change_url(week), values)

    assert (response.status_code, response.url) == (302, WEEKS)
    assert status_of(week) == Status.DRAFT
    assert history(week) == [("curator", "Published."), ("curator", "Unpublished.")]


def test_the_confirmation_page_of_a_week_that_cannot_go_out_offers_no_button(curator_client):
    week = make_week(2021, 5)

    page = parse(curator_client.get(publish_url(week)))

    assert text(page.select_one(".errornote")) == "2021-W05 cannot be published: it has no posts."
    assert page.select_one("#content form input[type=submit]") is None
    # A forged confirmation is refused the same way.
    response = curator_client.post(publish_url(week))
    assert response.status_code == 200
    assert "2021-W05 cannot be published: it has no posts." in messages_of(response)
    assert status_of(week) == Status.DRAFT


@pytest.mark.parametrize("object_id", ["999999", "abc"])
def test_the_confirmation_page_of_no_week_goes_back_to_the_list(curator_client, object_id):
    response = curator_client.get(f"/admin/archive/week/{object_id}/publish/")

    assert (response.status_code, response.url) == (302, reverse("admin:index"))


# The list's actions


def run_week_action(client, action, weeks, **extra):
    return client.post(
        WEEKS, {"action": action, "_selected_action": [week.pk for week in weeks], **extra}
    )


def test_the_publish_actions_ask_first_then_publish_each_week_or_say_why_not(curator_client, week):
    empty = make_week(2021, 6)

    page = parse(run_week_action(curator_client, "publish_with_posts", [week, empty]))

    sections = page.select("section.publication")
    assert [text(section.h2).rsplit(" ", 1)[1] for section in sections] == [
        "(2021-W06)",
        "(2021-W05)",
    ]
    assert text(sections[0].select_one(".errornote")).endswith("it has no posts.")
    assert len(sections[1].select("ol.going-out li")) == 2
    assert status_of(week) == Status.DRAFT
    values = form_values(page.select_one("#content form"))
    assert values["action"] == "publish_with_posts" and values["confirmed"] == "yes"

    response = curator_client.post(WEEKS, values)

    assert response.status_code == 302
    assert (status_of(week), status_of(empty)) == (Status.PUBLISHED, Status.DRAFT)
    assert messages_of(response) == [
        "2021-W06 cannot be published: it has no posts.",
        "2021-W05 is published with 2 posts. 1 post stays a draft.",
    ]
    assert history(week) == [("curator", "Published.")]


def test_publishing_with_the_posts_already_published_leaves_drafts_alone(curator_client, week):
    page = parse(run_week_action(curator_client, "publish", [week]))
    assert "only the posts already published go out" in text(page.select_one(".errornote"))

    make_post("먼저 공개한 글", week=week, summary="요약", published=True)
    values = form_values(
        parse(run_week_action(curator_client, "publish", [week])).select_one("#content form")
    )
    curator_client.post(WEEKS, values)

    assert status_of(week) == Status.PUBLISHED
    assert list(Post.objects.published().values_list("title", flat=True)) == ["먼저 공개한 글"]


def test_the_unpublish_action_records_who(curator_client, week):
    curator_client.post(publish_url(week))

    response = run_week_action(curator_client, "unpublish", [week])

    assert response.status_code == 302
    assert status_of(week) == Status.DRAFT
    assert history(week)[-1] == ("curator", "Unpublished.")


# Posts: what would leave a published week empty is refused


@pytest.fixture
def live_week(curator_client, week):
    curator_client.post(publish_url(week))
    Post.objects.filter(title="KcBERT 학습기").update(status=Status.DRAFT)
    return week


def test_unpublishing_the_last_readable_post_of_a_published_week_is_refused(
    curator_client, live_week
):
    last = Post.objects.filter(title="Pororo 공개")

    response = curator_client.post(
        POSTS, {"action": "unpublish", "_selected_action": [post.pk for post in last]}
    )

    assert response.status_code == 302
    assert "Unpublish the week first" in messages_of(response)[-1]
    assert last.get().status == Status.PUBLISHED


def test_moving_the_last_readable_post_away_is_refused(curator_client, live_week):
    last = Post.objects.get(title="Pororo 공개")

    response = curator_client.post(
        POSTS,
        {"action": "move_to_week", "_selected_action": [last.pk], "week": "2021-W09", "apply": "1"},
    )

    assert response.status_code == 302
    assert "2021-W05 is published" in messages_of(response)[-1]
    last.refresh_from_db()
    assert last.week == live_week
    assert not Week.objects.filter(number=9).exists()


@pytest.mark.parametrize(
    "change",
    [{"status": "draft"}, {"week": ""}, {"published_at_0": "2099-01-01"}],
    ids=["made a draft", "moved to the week of its date", "scheduled later"],
)
def test_the_post_form_refuses_to_take_the_last_readable_post_out(
    curator_client, live_week, change
):
    last = Post.objects.get(title="Pororo 공개")
    values = admin_form_values(curator_client.get(change_url(last)))
    values["posted_on"] = "2021-03-02"  # a post without a week goes to the week of its date

    response = curator_client.post(change_url(last), values | change)

    assert response.status_code == 200
    assert any(
        "This is the only readable post of 2021-W05" in error for error in error_messages(response)
    )
    last.refresh_from_db()
    assert (last.status, last.week) == (Status.PUBLISHED, live_week)


def test_deleting_the_last_readable_post_is_refused_naming_the_week(curator_client, live_week):
    last = Post.objects.get(title="Pororo 공개")
    delete_url = reverse("admin:archive_post_delete", args=[last.pk])

    page = parse_html(curator_client.get(delete_url).content)

    assert "2021-W05" in text(page.select_one("#content"))
    assert "unpublish it first" in text(page.select_one("#content"))
    assert curator_client.post(delete_url, {"post": "yes"}).status_code == 200
    assert Post.objects.filter(pk=last.pk).exists()


def test_a_post_that_is_not_the_last_one_can_go(curator_client, live_week):
    Post.objects.filter(title="KcBERT 학습기").update(status=Status.PUBLISHED)
    last = Post.objects.get(title="Pororo 공개")
    values = admin_form_values(curator_client.get(change_url(last)))

    response = curator_client.post(change_url(last), values | {"status": "draft"})

    assert response.status_code == 302
    assert list(Week.objects.published()) == [live_week]

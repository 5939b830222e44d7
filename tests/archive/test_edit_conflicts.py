"""Two curators editing the same post or week: the second save does not silently replace the
first one's changes. It is refused with a message, and saving again after it replaces them."""

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from archive.models import Post, Week
from tests.factories import make_post, make_user, make_week
from tests.html import admin_form_values, error_messages

pytestmark = pytest.mark.django_db


def curator(name):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(make_user(name, curator=True))
    return client


def opened_form(client, url):
    """What the change form submits as it stands when the curator opened it."""
    return admin_form_values(client.get(url))


def post_url(post):
    return reverse("admin:archive_post_change", args=[post.pk])


def week_url(week):
    return reverse("admin:archive_week_change", args=[week.pk])


@pytest.fixture
def post(db):
    return make_post("원래 제목", week=make_week(), summary="원래 요약", topics=["NLP"])


def test_the_second_of_two_curators_is_told_and_nothing_of_theirs_is_saved(post):
    jimin, seoyeon = curator("jimin"), curator("seoyeon")
    jimins = opened_form(jimin, post_url(post))
    seoyeons = opened_form(seoyeon, post_url(post))

    first = jimin.post(post_url(post), jimins | {"summary": "지민의 요약"})
    second = seoyeon.post(post_url(post), seoyeons | {"title": "서연의 제목"})

    assert first.status_code == 302
    assert second.status_code == 200
    saved_at = timezone.localtime(Post.objects.get().updated).strftime("%H:%M")
    [message] = [error for error in error_messages(second) if "Someone else" in error]
    assert f"Someone else saved this post at {saved_at}, after you opened it" in message
    assert "save again" in message
    post.refresh_from_db()
    assert (post.title, post.summary) == ("원래 제목", "지민의 요약")


def test_saving_again_after_being_told_replaces_the_other_version(post):
    jimin, seoyeon = curator("jimin"), curator("seoyeon")
    jimins = opened_form(jimin, post_url(post))
    seoyeons = opened_form(seoyeon, post_url(post))
    jimin.post(post_url(post), jimins | {"summary": "지민의 요약"})
    refused = seoyeon.post(post_url(post), seoyeons | {"title": "서연의 제목"})

    again = admin_form_values(refused)
    response = seoyeon.post(post_url(post), again)

    assert response.status_code == 302
    post.refresh_from_db()
    assert (post.title, post.summary) == ("서연의 제목", "원래 요약")


def test_a_bulk_action_since_the_form_opened_counts_as_a_save(post):
    jimin, seoyeon = curator("jimin"), curator("seoyeon")
    form = opened_form(seoyeon, post_url(post))
    jimin.post(
        reverse("admin:archive_post_changelist"),
        {"action": "publish", "_selected_action": [post.pk]},
    )

    response = seoyeon.post(post_url(post), form | {"status": "draft"})

    assert response.status_code == 200
    assert Post.objects.get().status == "published"


def test_one_curator_saving_twice_in_a_row_meets_no_conflict(post):
    jimin = curator("jimin")
    url = post_url(post)

    for title in ["첫 번째", "두 번째"]:
        response = jimin.post(url, opened_form(jimin, url) | {"title": title, "_continue": "1"})
        assert response.status_code == 302, error_messages(response)

    assert Post.objects.get().title == "두 번째"


def test_two_curators_editing_one_week_are_told_too(db):
    week = make_week(title="원래 주간", intro="원래 소개")
    make_post(week=week)
    jimin, seoyeon = curator("jimin"), curator("seoyeon")
    jimins = opened_form(jimin, week_url(week))
    seoyeons = opened_form(seoyeon, week_url(week))

    assert jimin.post(week_url(week), jimins | {"intro": "지민의 소개"}).status_code == 302
    refused = seoyeon.post(week_url(week), seoyeons | {"title": "서연의 주간"})

    assert refused.status_code == 200
    assert any("Someone else saved this week" in error for error in error_messages(refused))
    week.refresh_from_db()
    assert (week.title, week.intro) == ("원래 주간", "지민의 소개")
    again = admin_form_values(refused)
    assert seoyeon.post(week_url(week), again).status_code == 302
    assert Week.objects.get().title == "서연의 주간"


def test_reordering_a_weeks_posts_conflicts_with_editing_one_of_them(db):
    """The week's inline saves its posts: a curator editing one of them is told as well."""
    week = make_week()
    post = make_post(week=week)
    jimin, seoyeon = curator("jimin"), curator("seoyeon")
    editing = opened_form(seoyeon, post_url(post))
    form = opened_form(jimin, week_url(week))
    form["posts-0-position"] = "5"

    assert jimin.post(week_url(week), form).status_code == 302
    assert seoyeon.post(post_url(post), editing | {"title": "바뀐 제목"}).status_code == 200

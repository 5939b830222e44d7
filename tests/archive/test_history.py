"""Who did what (archive/history.py): a post's and a week's change pages and history pages
show who added, edited, published and unpublished them, and when."""

from datetime import UTC, datetime

import pytest
from django.contrib.admin.models import LogEntry
from django.test import Client
from django.urls import reverse
from django.utils import formats, timezone

from archive.history import PUBLISHED, record_action, record_of
from archive.models import Post
from tests.factories import make_post, make_user, make_week
from tests.html import admin_form_values, error_messages, parse, text

pytestmark = pytest.mark.django_db


def signed_in(username, language="en"):
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(make_user(username, curator=True))
    return client


def record(client, obj):
    """The rows of the "who did what" panel at the top of the object's change page."""
    info = obj._meta.app_label, obj._meta.model_name
    page = parse(client.get(reverse("admin:{}_{}_change".format(*info), args=[obj.pk])))
    return {
        text(row.select_one("th")): text(row.select_one("td"))
        for row in page.select("#object-record tr")
    }


def history(client, obj):
    info = obj._meta.app_label, obj._meta.model_name
    page = parse(client.get(reverse("admin:{}_{}_history".format(*info), args=[obj.pk])))
    return [
        (text(row.select_one("td")), text(row.select("td")[1]))
        for row in page.select("#change-history tbody tr")
    ]


def when(entry):
    return formats.date_format(timezone.localtime(entry.action_time), "DATETIME_FORMAT")


def test_the_change_page_shows_who_added_and_who_last_edited_a_post():
    author, editor = signed_in("author"), signed_in("editor")
    add = reverse("admin:archive_post_add")
    values = admin_form_values(author.get(add)) | {"title": "Pororo", "posted_on": "2021-02-02"}
    assert author.post(add, values).status_code == 302, error_messages(author.post(add, values))
    post = Post.objects.get(title="Pororo")
    change = reverse("admin:archive_post_change", args=[post.pk])
    edited = admin_form_values(editor.get(change)) | {"title": "Pororo 1.0"}
    assert editor.post(change, edited).status_code == 302

    added, last_edit = LogEntry.objects.order_by("action_time")
    assert record(editor, post) == {
        "Added": f"{when(added)} by author",
        "Last edited": f"{when(last_edit)} by editor",
    }


def test_publishing_and_unpublishing_from_the_list_are_in_the_history():
    curator = signed_in("curator")
    post = make_post(title="초안")
    changelist = reverse("admin:archive_post_changelist")

    for action in ["publish", "unpublish"]:
        curator.post(changelist, {"action": action, "_selected_action": [post.pk]})

    assert history(curator, post) == [("curator", "Published."), ("curator", "Unpublished.")]
    last = LogEntry.objects.latest("action_time")
    assert record(curator, post)["Unpublished"] == f"{when(last)} by curator"


def test_only_rows_whose_status_changes_are_recorded():
    curator = signed_in("curator")
    draft, published = make_post(title="draft"), make_post(title="live", published=True)

    curator.post(
        reverse("admin:archive_post_changelist"),
        {"action": "publish", "_selected_action": [draft.pk, published.pk]},
    )

    assert history(curator, draft) == [("curator", "Published.")]
    assert history(curator, published) == []


def test_a_week_published_with_its_posts_records_each():
    curator = signed_in("curator")
    week = make_week()
    posts = [make_post(week=week, summary="요약"), make_post(week=week, published=True)]

    curator.post(
        reverse("admin:archive_week_changelist"),
        {"action": "publish_with_posts", "_selected_action": [week.pk], "confirmed": "yes"},
    )

    assert history(curator, week) == [("curator", "Published.")]
    assert [history(curator, post) for post in posts] == [[("curator", "Published.")], []]
    assert record(curator, week)["Published"].endswith("by curator")


def test_a_post_from_outside_the_admin_says_so():
    curator = signed_in("curator")
    post = make_post(title="imported")
    created = formats.date_format(timezone.localtime(post.created), "DATETIME_FORMAT")

    assert record(curator, post) == {
        "Added": f"{created}, outside the admin (imported or loaded)",
        "Last edited": "Not edited since it was added",
    }


def test_a_service_records_with_record_action_and_readers_of_either_language_read_it():
    editor = make_user("editor", curator=True)
    week = make_week()

    record_action(editor, week, PUBLISHED)

    assert history(signed_in("reader-en"), week) == [("editor", "Published.")]
    assert history(signed_in("reader-ko", language="ko"), week) == [("editor", "게시했습니다.")]


def test_the_record_is_read_in_one_query(django_assert_num_queries):
    post = make_post()
    for message in ["first", "second", PUBLISHED]:
        record_action(make_user(f"user-{message}"), post, message)

    with django_assert_num_queries(1):
        found = record_of(post)

    assert (found.added, found.edited.change_message, found.last_published) == (
        None,
        "second",
        True,
    )


def test_an_entry_time_is_shown_in_the_sites_time_zone():
    curator = signed_in("curator")
    post = make_post()
    record_action(make_user("night-owl"), post, PUBLISHED)
    LogEntry.objects.update(action_time=datetime(2021, 2, 1, 15, 30, tzinfo=UTC))

    assert record(curator, post)["Published"] == "Feb. 2, 2021, 12:30 a.m. by night-owl"

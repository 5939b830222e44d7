"""Nothing a curator deletes takes more with it than they were told: a deleted week keeps its
posts (and says so), a link still in use cannot be deleted however it is tried."""

import pytest
from django.test import Client
from django.urls import reverse

from archive.models import Link, Post, PostLink, Week
from tests.factories import make_link, make_post, make_published_week, make_user, make_week
from tests.html import form_values, parse, parse_html, text

pytestmark = pytest.mark.django_db


@pytest.fixture
def curator():
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(make_user("curator", curator=True))
    return client


def contents(post):
    return (
        post.title,
        post.summary_html,
        post.source_id,
        post.position,
        sorted(post.topics.names()),
        list(post.post_links.values_list("link", "label", "position")),
    )


def test_deleting_a_week_keeps_its_posts_out_of_sight_until_they_have_a_week_again(curator):
    week = make_published_week()
    before = {post.pk: contents(post) for post in week.posts.all()}
    url = reverse("admin:archive_week_delete", args=[week.pk])

    confirmation = parse(curator.get(url))
    assert "Its 3 posts are kept, without a week" in text(confirmation.select_one(".kept-posts"))
    assert curator.post(url, {"post": "yes"}).status_code == 302

    assert not Week.objects.exists()
    posts = Post.objects.all()
    assert {post.pk: contents(post) for post in posts} == before
    assert all(post.week is None for post in posts)
    reader = Client()
    assert not Post.objects.published().exists()
    for post in posts:
        assert reader.get(post.get_absolute_url()).status_code == 404
    assert "<item>" not in reader.get("/feed/posts/").content.decode()
    listed = curator.get(reverse("admin:archive_post_changelist"), {"week__isnull": "True"})
    assert len(listed.context["cl"].result_list) == 3

    post = posts.first()
    change = reverse("admin:archive_post_change", args=[post.pk])
    form = form_values(parse_html(curator.get(change).content).find("form", id="post_form"))
    assert curator.post(change, form).status_code == 302
    post.refresh_from_db()
    assert (post.week.iso_label, post.week.status) == ("2021-W05", "draft")


def test_deleting_weeks_in_bulk_keeps_their_posts_and_says_so(curator):
    weeks = [make_published_week(number=5), make_published_week(number=6)]
    changelist = reverse("admin:archive_week_changelist")
    chosen = {"action": "delete_selected", "_selected_action": [week.pk for week in weeks]}

    confirmation = parse(curator.post(changelist, chosen))
    assert "posts of these weeks are kept" in text(confirmation.select_one(".kept-posts"))
    assert curator.post(changelist, chosen | {"post": "yes"}).status_code == 302

    assert not Week.objects.exists()
    assert Post.objects.filter(week=None).count() == 6


def uses(link, how):
    week = make_week()
    if how in {"source", "both"}:
        make_post(week=week, source=link)
    if how in {"links", "both"}:
        post = make_post(week=week)
        PostLink.objects.create(post=post, link=link)


@pytest.mark.parametrize("how", ["source", "links", "both"])
@pytest.mark.parametrize("way", ["delete page", "delete action"])
def test_a_link_in_use_is_never_deleted(curator, how, way):
    link = make_link("https://github.com/kakaobrain/pororo")
    unused = make_link("https://example.com/unused")
    uses(link, how)
    if way == "delete page":
        url = reverse("admin:archive_link_delete", args=[link.pk])
        response = curator.post(url, {"post": "yes"})
    else:
        response = curator.post(
            reverse("admin:archive_link_changelist"),
            {"action": "delete_selected", "_selected_action": [link.pk, unused.pk], "post": "yes"},
        )

    assert response.status_code == 200  # the page naming the posts that use it
    assert "cannot be deleted" in response.content.decode()
    assert Link.objects.filter(pk__in=[link.pk, unused.pk]).count() == 2

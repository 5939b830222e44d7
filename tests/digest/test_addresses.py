"""Addresses that last: old post and topic slugs, and topic slugs in another case, answer with a
permanent redirect to the current address; a post moved to another week keeps its address."""

import pytest
from django.test import Client
from django.urls import reverse

from archive.models import Post, PostSlug, Topic, TopicSlug
from archive.services import move_posts_to_week
from archive.weeks import IsoWeek
from tests.factories import make_post, make_week

pytestmark = pytest.mark.django_db


@pytest.fixture
def week():
    return make_week(published=True)


def rename(obj, slug):
    obj.slug = slug
    obj.save()
    return obj


def assert_moved(client, old, new):
    response = client.get(old)
    assert response.status_code == 301, old
    assert response["Location"] == new
    assert client.get(new).status_code == 200, new


def test_every_former_slug_of_a_post_answers_with_its_current_address(client, week):
    post = make_post("처음 제목", week=week, published=True, slug="a")
    rename(post, "b")
    rename(post, "c")

    assert_moved(client, "/posts/a/", "/posts/c/")
    assert_moved(client, "/posts/b/", "/posts/c/")
    assert sorted(post.former_slugs.values_list("slug", flat=True)) == ["a", "b"]


def test_renaming_back_to_a_former_slug_never_loops(client, week):
    post = make_post(week=week, published=True, slug="a")
    for slug in ("b", "a", "c", "a"):
        rename(post, slug)

    assert client.get("/posts/a/").status_code == 200
    assert_moved(client, "/posts/b/", "/posts/a/")
    assert_moved(client, "/posts/c/", "/posts/a/")
    assert PostSlug.objects.count() == 3  # a, b and c, each once


def test_a_new_post_taking_a_former_slug_wins_over_the_history(client, week):
    old = rename(make_post("옛 글", week=week, published=True, slug="a"), "b")
    new = make_post("새 글", week=week, published=True, slug="a")

    response = client.get("/posts/a/")

    assert response.status_code == 200
    assert response.context["object"] == new
    assert client.get("/posts/b/").context["object"] == old
    # When the new one moves on too, the address follows its latest owner.
    rename(new, "new-a")
    assert_moved(client, "/posts/a/", "/posts/new-a/")


def test_only_a_slug_change_writes_history(week):
    post = make_post(week=week, slug="a")
    post.title = "고친 제목"
    post.save()
    post.save(update_fields=["title"])
    Post.objects.filter(pk=post.pk).update(slug="b")  # a bulk update bypasses the model

    assert not PostSlug.objects.exists()


def test_a_draft_s_former_slug_is_not_found_by_readers_and_not_kept_by_caches(staff_client, week):
    rename(make_post(week=week, slug="draft-a"), "draft-b")

    assert Client().get("/posts/draft-a/").status_code == 404
    response = staff_client.get("/posts/draft-a/")
    assert (response.status_code, response["Location"]) == (301, "/posts/draft-b/")
    assert "no-cache" in response["Cache-Control"] and "private" in response["Cache-Control"]


def test_a_deleted_post_s_former_slugs_go_with_it(client, week):
    post = rename(make_post(week=week, published=True, slug="a"), "b")

    post.delete()

    assert client.get("/posts/a/").status_code == 404
    assert not PostSlug.objects.exists()


def test_a_post_moved_to_another_week_keeps_its_address(client, week):
    post = make_post("옮길 글", week=week, published=True)
    make_post("남는 글", week=week, published=True)  # a published week keeps a readable post
    address = post.get_absolute_url()
    other = make_week(number=6, published=True)

    move_posts_to_week(Post.objects.filter(pk=post.pk), IsoWeek(2021, 6))

    post.refresh_from_db()
    assert (post.week, post.get_absolute_url()) == (other, address)
    response = client.get(address)
    assert response.status_code == 200
    assert response.context["object"].week == other
    assert address in client.get("/2021/w06/").content.decode()
    assert address not in client.get("/2021/w05/").content.decode()


TOPIC_ADDRESSES = ["/topics/{}/", "/topics/{}/feed/", "/topics/{}/feed/atom/"]


@pytest.mark.parametrize("address", TOPIC_ADDRESSES)
def test_topic_addresses_match_in_any_case(client, week, address):
    make_post(week=week, published=True, topics=["NLP"])

    assert_moved(client, address.format("NLP"), address.format("nlp"))
    assert_moved(client, address.format("Nlp"), address.format("nlp"))


@pytest.mark.parametrize("address", TOPIC_ADDRESSES)
def test_every_former_slug_of_a_topic_answers_with_its_current_address(client, week, address):
    make_post(week=week, published=True, topics=["자연어처리"])
    topic = Topic.objects.get()
    rename(topic, "nlp-ko")
    rename(topic, "korean-nlp")

    for old in ("자연어처리", "nlp-ko", "NLP-KO"):
        assert_moved(client, address.format(old), address.format("korean-nlp"))
    assert TopicSlug.objects.count() == 2


def test_a_topic_redirect_keeps_the_page_asked_for(client, week):
    for number in range(25):
        make_post(f"글 {number}", week=week, published=True, topics=["NLP"])

    assert_moved(client, "/topics/NLP/?page=2", "/topics/nlp/?page=2")


def test_a_topic_renamed_in_the_admin_keeps_its_old_address(client, curator, week):
    make_post(week=week, published=True, topics=["Vision"])
    topic = Topic.objects.get()
    client.force_login(curator)
    change = reverse("admin:archive_topic_change", args=[topic.pk])

    response = client.post(change, {"name": "컴퓨터비전", "slug": "computer-vision"})

    assert response.status_code == 302
    client.logout()
    assert_moved(client, "/topics/vision/", "/topics/computer-vision/")


@pytest.mark.parametrize(
    "address",
    ["/posts/nothing/", "/topics/nothing/", "/topics/nothing/feed/", "/topics/NOTHING/feed/atom/"],
)
def test_an_address_nothing_ever_had_is_not_found(client, week, address):
    make_post(week=week, published=True, slug="something", topics=["NLP"])

    assert client.get(address).status_code == 404


def test_a_post_read_without_its_slug_still_keeps_the_former_one(client, week):
    make_post(week=week, published=True, slug="a")
    post = Post.objects.defer("slug").get()

    rename(post, "b")

    assert_moved(client, "/posts/a/", "/posts/b/")


def test_saving_a_renamed_post_costs_no_query_for_its_history(week, django_assert_num_queries):
    post = Post.objects.get(pk=make_post(week=week, slug="a").pk)
    post.slug = "b"

    # The save in its savepoint; the former slug kept (an update finding none, an insert);
    # nothing read to find it. Then search reads what it indexes of the post (its document,
    # the post, its links and topics; archive/search.py) and, nothing it reads having
    # changed, writes nothing.
    with django_assert_num_queries(11):
        post.save()
    assert list(PostSlug.objects.values_list("slug", flat=True)) == ["a"]

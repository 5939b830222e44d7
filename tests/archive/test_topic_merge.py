"""Topics that stay one: curators merge topics in the admin; the posts move without duplicates,
the merged topics' addresses answer with a permanent redirect, and the history says who did it."""

import feedparser
import pytest
from django.contrib.admin.models import DELETION, LogEntry
from django.test import Client
from django.urls import reverse
from django.utils import translation

from archive import versioning
from archive.history import message_of
from archive.models import Post, PostTopic, Topic, TopicSlug
from archive.services import merge_topics
from tests.factories import make_post, make_user, make_week
from tests.html import parse, text

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:archive_topic_changelist")


@pytest.fixture
def week():
    return make_week(published=True)


@pytest.fixture
def topics(week):
    """자연어처리 and NLP hold the same kind of posts; one post has both, one has nlp too."""
    both = make_post("둘 다", week=week, published=True, topics=["자연어처리", "NLP"])
    korean = make_post("한국어만", week=week, published=True, topics=["자연어처리"])
    english = make_post("영어만", week=week, published=True, topics=["NLP", "nlp-ko"])
    other = make_post("다른 주제", week=week, published=True, topics=["비전"])
    return {
        "posts": (both, korean, english, other),
        "ko": Topic.objects.get(name="자연어처리"),
        "en": Topic.objects.get(name="NLP"),
        "en2": Topic.objects.get(name="nlp-ko"),
        "vision": Topic.objects.get(name="비전"),
    }


def topic_names(post):
    return sorted(post.topics.names())


def test_merging_moves_every_post_once_and_deletes_the_merged_topics(topics):
    both, korean, english, other = topics["posts"]
    curator = make_user("curator", curator=True)

    merge = merge_topics(topics["ko"], [topics["en"], topics["en2"], topics["ko"]], user=curator)

    assert merge.kept == topics["ko"]
    assert {topic.name for topic in merge.merged} == {"NLP", "nlp-ko"}
    assert merge.posts_moved == 1  # "영어만"; "둘 다" had the kept topic already
    assert topic_names(both) == ["자연어처리"]
    assert topic_names(korean) == ["자연어처리"]
    assert topic_names(english) == ["자연어처리"]
    assert topic_names(other) == ["비전"]
    assert sorted(Topic.objects.values_list("name", flat=True)) == ["비전", "자연어처리"]
    assert PostTopic.objects.filter(tag=topics["ko"]).count() == 3


def test_the_kept_topic_learns_its_english_name_from_a_merged_one(topics):
    merge_topics(topics["ko"], [topics["en"]])

    kept = Topic.objects.get(pk=topics["ko"].pk)
    assert kept.name_en == "NLP"
    with translation.override("ko"):
        assert kept.names == "자연어처리 (NLP)"


def test_a_kept_english_name_is_never_replaced(topics):
    Topic.objects.filter(pk=topics["ko"].pk).update(name_en="Natural language processing")

    merge_topics(topics["ko"], [topics["en"]])

    assert Topic.objects.get(pk=topics["ko"].pk).name_en == "Natural language processing"


def test_a_latin_named_topic_kept_takes_no_english_name(topics):
    merge_topics(topics["en"], [topics["en2"]])

    assert Topic.objects.get(pk=topics["en"].pk).name_en == ""


def test_the_merged_topics_addresses_and_their_former_ones_lead_to_the_kept_topic(topics):
    merged = topics["en"]
    old_slug = merged.slug
    merged.slug = "natural-language"
    merged.save()  # "nlp" is now its former slug

    merge_topics(topics["ko"], [merged])

    kept = topics["ko"]
    assert set(TopicSlug.objects.filter(topic=kept).values_list("slug", flat=True)) == {
        old_slug,
        "natural-language",
    }
    client = Client()
    for slug in (old_slug, "natural-language"):
        for suffix in ("", "feed/", "feed/atom/"):
            response = client.get(f"/topics/{slug}/{suffix}")
            assert response.status_code == 301, (slug, suffix)
            assert response["Location"] == f"{kept.get_absolute_url()}{suffix}"
    page = client.get(kept.get_absolute_url())
    assert page.status_code == 200
    assert "영어만" in text(parse(page))
    feed = feedparser.parse(client.get(f"{kept.get_absolute_url()}feed/").content)
    assert {entry.title for entry in feed.entries} == {"둘 다", "한국어만", "영어만"}


def test_merging_changes_the_content_version_and_the_topic_counts(
    topics, django_capture_on_commit_callbacks
):
    before = versioning.current_state()

    with django_capture_on_commit_callbacks(execute=True):
        merge_topics(topics["ko"], [topics["en"], topics["en2"]])

    assert versioning.current_state().version > before.version
    published = {topic.name: topic.post_count for topic in Topic.objects.published()}
    assert published == {"자연어처리": 3, "비전": 1}


def test_the_history_says_who_merged_what(topics, client):
    curator = make_user("curator", curator=True)

    merge_topics(topics["ko"], [topics["en"], topics["en2"]], user=curator)

    kept_entry = LogEntry.objects.get(object_id=str(topics["ko"].pk))
    assert kept_entry.user == curator
    with translation.override("en"):
        assert message_of(kept_entry) == (
            "Merged “NLP”, “nlp-ko” into this topic (posts that took this topic: 1)."
        )
    with translation.override("ko"):
        assert "“NLP”, “nlp-ko”" in message_of(kept_entry)
        assert message_of(kept_entry) != kept_entry.change_message
    deleted = LogEntry.objects.filter(action_flag=DELETION).order_by("object_repr")
    assert [entry.object_repr for entry in deleted] == ["NLP", "nlp-ko"]
    with translation.override("en"):
        assert message_of(deleted[0]) == "Merged into “자연어처리”."
    client.force_login(curator)
    history = client.get(reverse("admin:archive_topic_history", args=[topics["ko"].pk]))
    assert "“NLP”, “nlp-ko”" in text(parse(history))


def test_merging_nothing_but_the_kept_topic_changes_nothing(topics):
    before = versioning.current_state()

    merge = merge_topics(topics["ko"], [topics["ko"]])

    assert merge.merged == () and merge.posts_moved == 0
    assert Topic.objects.count() == 4
    assert versioning.current_state().version == before.version


# The admin action


def test_curators_merge_topics_choosing_the_one_kept(topics, curator_client):
    chosen = [topics["ko"].pk, topics["en"].pk, topics["en2"].pk]

    page = curator_client.post(CHANGELIST, {"action": "merge", "_selected_action": chosen})

    root = parse(page)
    choices = root.select("input[name=keep]")
    assert sorted(int(choice["value"]) for choice in choices) == sorted(chosen)
    checked = [int(choice["value"]) for choice in choices if choice.has_attr("checked")]
    assert checked == [topics["ko"].pk]  # the most used is offered first
    labels = [text(label) for label in root.select("label[for^=id_keep_]")]
    assert "자연어처리, 글 2개 (/자연어처리/)" in labels
    assert Topic.objects.count() == 4  # nothing merged before the choice is confirmed

    done = curator_client.post(
        CHANGELIST,
        {"action": "merge", "_selected_action": chosen, "keep": topics["en"].pk, "apply": "1"},
        follow=True,
    )

    assert done.status_code == 200
    assert "“NLP” 주제로 합쳤습니다" in text(parse(done))
    assert sorted(Topic.objects.values_list("name", flat=True)) == ["NLP", "비전"]
    assert all("NLP" in topic_names(post) for post in topics["posts"][:3])
    assert Post.objects.filter(topics__name="NLP").count() == 3


def test_the_topic_kept_must_be_one_of_those_chosen(topics, curator_client):
    chosen = [topics["ko"].pk, topics["en"].pk]

    page = curator_client.post(
        CHANGELIST,
        {"action": "merge", "_selected_action": chosen, "keep": topics["vision"].pk, "apply": "1"},
    )

    root = parse(page)
    assert root.select(".errorlist")
    assert Topic.objects.count() == 4


def test_one_topic_alone_is_not_merged(topics, curator_client):
    response = curator_client.post(
        CHANGELIST, {"action": "merge", "_selected_action": [topics["ko"].pk]}, follow=True
    )

    assert "합칠 주제를 두 개 이상 고르세요" in text(parse(response))
    assert Topic.objects.count() == 4


def test_staff_who_cannot_delete_topics_cannot_merge_them(topics, client):
    from django.contrib.auth.models import Permission

    user = make_user("viewer", staff=True)
    user.user_permissions.add(
        *Permission.objects.filter(codename__in=["view_topic", "change_topic"])
    )
    client.force_login(user)
    chosen = [topics["ko"].pk, topics["en"].pk]

    response = client.post(
        CHANGELIST,
        {"action": "merge", "_selected_action": chosen, "keep": topics["ko"].pk, "apply": "1"},
    )

    assert response.status_code == 403
    assert Topic.objects.count() == 4

"""Topics with two names: readers see their language's, search and feeds know both, addresses
stay; the post form's topic field suggests existing topics from Jugan's own endpoint."""

import feedparser
import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from archive.models import Post, Topic
from tests.factories import make_post, make_published_week, make_user
from tests.html import parse, text

pytestmark = pytest.mark.django_db

SUGGEST_URL = reverse("admin:archive_topic_suggest")


@pytest.fixture
def nlp(db):
    """A published week whose posts are about 자연어처리, known in English as NLP."""
    make_published_week()  # its posts are on "NLP" and "자연어처리": one topic from now on
    Topic.objects.filter(name="NLP").delete()
    topic = Topic.objects.get(name="자연어처리")
    topic.name_en = "NLP"
    topic.save()
    return topic


def address(language, name, **kwargs):
    """A reader page's or feed's address in a language: Korean at the plain address, English
    under /en/."""
    with translation.override(language):
        return reverse(name, kwargs=kwargs or None)


def test_readers_see_the_name_of_their_language():
    topic = Topic(name="컴퓨터비전", name_en="Computer vision")
    unnamed = Topic(name="KoGPT")
    with translation.override("ko"):
        assert (topic.label, topic.names, unnamed.label) == (
            "컴퓨터비전",
            "컴퓨터비전 (Computer vision)",
            "KoGPT",
        )
    with translation.override("en"):
        assert (topic.label, topic.names, unnamed.label, unnamed.names) == (
            "Computer vision",
            "Computer vision (컴퓨터비전)",
            "KoGPT",
            "KoGPT",
        )


def test_the_english_name_leaves_the_address_as_it_was(client):
    topic = Topic.objects.create(name="자연어처리")
    slug = topic.slug
    topic.name_en = "NLP"
    topic.save()
    assert Topic.objects.get(pk=topic.pk).slug == slug


def test_the_topic_page_is_named_in_the_readers_language(client, nlp):
    korean = parse(client.get(address("ko", "digest:topic", slug=nlp.slug)))
    english = parse(client.get(address("en", "digest:topic", slug=nlp.slug)))

    assert text(korean.find("h1")) == "자연어처리"
    assert text(english.find("h1")) == "NLP"
    assert "NLP" in text(english.find("title"))


def test_topic_chips_and_the_topic_index_use_the_readers_language(client, nlp):
    english = parse(client.get(address("en", "digest:topics")))
    korean = parse(client.get(address("ko", "digest:topics")))
    assert "NLP" in text(english.find("main"))
    assert "자연어처리" in text(korean.find("main"))

    week = parse(client.get(address("en", "digest:week", year=2021, week=5)))
    assert "NLP" in [text(chip) for chip in week.select(".chips a")]


@pytest.mark.parametrize("word", ["NLP", "nlp", "자연어", "자연어처리", "어처"])
def test_search_finds_posts_by_either_name_of_their_topics(nlp, word):
    other = make_post("Unrelated", topics=["vision"])
    found = set(Post.objects.search(word))
    assert found == set(Post.objects.filter(topics=nlp))
    assert other not in found


def test_a_topics_new_english_name_is_searchable_at_once(nlp):
    nlp.name_en = "Natural language processing"
    nlp.save()
    assert set(Post.objects.search("language")) == set(Post.objects.filter(topics=nlp))
    assert not Post.objects.search("NLP")


def test_feeds_carry_both_names(client, nlp):
    entries = feedparser.parse(client.get(address("ko", "digest:post_feed")).content).entries
    assert {"자연어처리", "NLP"} <= {tag.term for tag in entries[0].tags}

    english = feedparser.parse(
        client.get(address("en", "digest:topic_feed", slug=nlp.slug)).content
    )
    assert english.feed.title.endswith(": NLP (자연어처리)")
    korean = feedparser.parse(client.get(address("ko", "digest:topic_feed", slug=nlp.slug)).content)
    assert korean.feed.title.endswith(": 자연어처리 (NLP)")


def test_the_opml_names_topics_by_both_names(client, nlp):
    response = client.get(address("en", "digest:feeds_opml"))
    assert 'text="NLP (자연어처리)"' in response.content.decode()


# Suggestions in the post form


def test_suggestions_match_either_name_starting_matches_first_then_the_most_used(
    curator_client, nlp
):
    Topic.objects.create(name="NLP 도구")  # starts with "nl", used by no post
    Topic.objects.create(name="토큰화", name_en="Tokenization")  # holds "n", no prefix
    response = curator_client.get(SUGGEST_URL, {"q": "nl"})

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.json()["topics"] == [
        {"name": "자연어처리", "name_en": "NLP"},
        {"name": "NLP 도구", "name_en": ""},
    ]
    assert [
        topic["name"] for topic in curator_client.get(SUGGEST_URL, {"q": "자연"}).json()["topics"]
    ] == ["자연어처리"]


@pytest.mark.parametrize("query", [{}, {"q": ""}, {"q": "   "}, {"q": "x" * 10000}, {"q": "%_'\""}])
def test_odd_suggestion_queries_answer_an_empty_or_short_list(curator_client, nlp, query):
    response = curator_client.get(SUGGEST_URL, query)
    assert response.status_code == 200
    assert response.json()["topics"] == []


def test_suggestions_are_for_staff_only(client, nlp):
    anonymous = client.get(SUGGEST_URL, {"q": "nl"})
    assert anonymous.status_code == 302
    assert reverse("admin:login") in anonymous["Location"]

    reader = Client()
    reader.force_login(make_user("reader"))
    assert reader.get(SUGGEST_URL, {"q": "nl"}).status_code == 302

    staff_without_topics = Client()
    staff_without_topics.force_login(make_user("helper", staff=True))
    assert staff_without_topics.get(SUGGEST_URL, {"q": "nl"}).status_code == 403


def test_suggesting_writes_nothing(curator_client, nlp, django_assert_max_num_queries):
    with django_assert_max_num_queries(5) as queries:
        response = curator_client.get(SUGGEST_URL, {"q": "nl"})
    assert response.status_code == 200
    assert not any(
        query["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))
        for query in queries.captured_queries
        if "django_session" not in query["sql"]
    )


def test_the_topic_field_stays_a_text_field_that_asks_for_suggestions(curator_client):
    page = parse(curator_client.get(reverse("admin:archive_post_add"), HTTP_ACCEPT_LANGUAGE="ko"))
    field = page.find("input", attrs={"name": "topics"})

    assert field["type"] == "text"
    assert field["data-suggestions"] == SUGGEST_URL
    assert field["autocomplete"] == "off"
    assert page.find("script", src=lambda src: src and "topic-suggestions" in src) is not None
    help_text = text(page.find(id="id_topics_helptext"))
    assert help_text == "주제는 쉼표로 구분합니다. 두 단어로 된 주제는 따옴표로 묶어 씁니다."


def test_curators_give_a_topic_its_english_name_in_the_admin(curator_client):
    topic = Topic.objects.create(name="컴퓨터비전")
    change = reverse("admin:archive_topic_change", args=[topic.pk])
    response = curator_client.post(
        change, {"name": "컴퓨터비전", "name_en": "Computer vision", "slug": topic.slug}
    )
    assert response.status_code == 302
    assert Topic.objects.get(pk=topic.pk).name_en == "Computer vision"

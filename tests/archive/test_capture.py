"""The bookmarklet files things right (archive/capture.py): a community thread is the source,
any other page the first link, the selection a quote; an address already featured is said
before saving, with a way to add the new words to that post instead."""

from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse

from archive.capture import is_community_thread
from archive.models import Link, Post
from tests.factories import make_post, make_week
from tests.html import admin_form_values, error_messages, parse

pytestmark = pytest.mark.django_db

ADD_URL = reverse("admin:archive_post_add")
THREAD = "https://www.facebook.com/groups/TensorFlowKR/permalink/1234567890/?fbclid=IwAR0x"
REPOSITORY = "https://github.com/Beomi/KcBERT?utm_source=facebook"


@pytest.fixture(autouse=True)
def english(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


def bookmarklet(client, url, title="Captured page", text=""):
    return client.get(ADD_URL, {"url": url, "title": title, "text": text})


@pytest.mark.parametrize(
    ("url", "thread"),
    [
        (THREAD, True),
        ("https://m.facebook.com/groups/TensorFlowKR/posts/1234/", True),
        ("https://www.reddit.com/r/MachineLearning/comments/abc/title/", True),
        (REPOSITORY, False),
        ("https://arxiv.org/abs/2101.00001", False),
        ("https://www.facebook.com/TensorFlowKR/", False),  # a page, not a group post
        ("https://discuss.pytorch.kr/t/topic/123", False),
        ("not an address", False),
    ],
)
def test_what_counts_as_a_community_thread(url, thread):
    assert is_community_thread(url) is thread


def test_a_configured_hosts_pages_are_community_threads(settings):
    settings.COMMUNITY_HOSTS = ["discuss.pytorch.kr"]
    assert is_community_thread("https://discuss.pytorch.kr/t/topic/123")
    assert is_community_thread("https://www.discuss.pytorch.kr/t/topic/123")
    assert not is_community_thread("https://pytorch.kr/")


def test_on_a_community_thread_the_bookmarklet_fills_the_source(curator_client):
    values = admin_form_values(bookmarklet(curator_client, THREAD, "한국어 LLM 평가", "표를\n공유"))

    assert values["source_url"] == THREAD
    assert values["post_links-0-url"] == ""
    assert values["title"] == "한국어 LLM 평가"
    assert values["summary"] == "> 표를\n> 공유"


def test_on_any_other_page_the_bookmarklet_makes_the_first_link(curator_client):
    values = admin_form_values(bookmarklet(curator_client, REPOSITORY, "Beomi/KcBERT"))

    assert values["source_url"] == ""
    assert values["post_links-0-url"] == REPOSITORY
    assert values["post_links-1-url"] == ""
    assert values["title"] == "Beomi/KcBERT"


def test_saving_the_captured_page_as_it_stands_files_it_as_the_first_link(curator_client):
    values = admin_form_values(bookmarklet(curator_client, REPOSITORY, "Beomi/KcBERT"))
    response = curator_client.post(ADD_URL, values)

    assert response.status_code == 302
    post = Post.objects.get()
    assert post.source is None
    assert [link.normalized_url for link in post.links.all()] == ["https://github.com/Beomi/KcBERT"]


def test_a_configured_forum_page_is_filed_as_the_source(curator_client, settings):
    settings.COMMUNITY_HOSTS = ["discuss.pytorch.kr"]
    values = admin_form_values(bookmarklet(curator_client, "https://discuss.pytorch.kr/t/x/1"))
    assert values["source_url"] == "https://discuss.pytorch.kr/t/x/1"
    assert values["post_links-0-url"] == ""


@pytest.fixture
def featured(db):
    """A post of 2021-W47 that already features the repository."""
    return make_post(
        "KcBERT 공개", week=make_week(2021, 47), links=["https://github.com/Beomi/KcBERT"]
    )


def test_the_add_form_says_the_page_is_already_featured(curator_client, featured):
    response = bookmarklet(curator_client, REPOSITORY, "Beomi/KcBERT", "새 댓글입니다")
    notice = parse(response).select_one(".already-featured li")

    assert notice.get_text(" ", strip=True).startswith("Already in 2021-W47: KcBERT 공개")
    post_link, add_there = notice.find_all("a")
    assert post_link["href"] == reverse("admin:archive_post_change", args=[featured.pk])
    address = urlsplit(add_there["href"])
    assert address.path == post_link["href"]
    assert parse_qs(address.query) == {"text": ["새 댓글입니다"]}


def test_the_warned_add_form_saves_at_once_when_the_curator_wants_a_new_post(
    curator_client, featured
):
    values = admin_form_values(bookmarklet(curator_client, REPOSITORY, "Beomi/KcBERT"))
    response = curator_client.post(ADD_URL, values)

    assert response.status_code == 302
    assert Post.objects.count() == 2


def test_a_new_page_gets_no_warning(curator_client, featured):
    response = bookmarklet(curator_client, "https://github.com/other/repo", "Other")
    assert parse(response).select(".already-featured") == []


def test_typing_a_featured_address_warns_on_save_and_a_second_save_confirms(
    curator_client, featured
):
    values = admin_form_values(curator_client.get(ADD_URL))
    values.update(
        {
            "title": "KcBERT again",
            "posted_on": "2021-12-01",
            "commentary": "이번에는 v2입니다.",
            "post_links-0-url": "https://github.com/Beomi/KcBERT?fbclid=x",
        }
    )
    first = curator_client.post(ADD_URL, values)

    assert first.status_code == 200
    assert Post.objects.count() == 1
    errors = error_messages(first)
    assert errors[0].startswith("Already in 2021-W47: KcBERT 공개")
    assert "save again" in errors[-1]
    add_there = parse(first).select("ul.errorlist a")[1]["href"]
    assert parse_qs(urlsplit(add_there).query) == {"comment": ["이번에는 v2입니다."]}

    second = curator_client.post(ADD_URL, admin_form_values(first))
    assert second.status_code == 302
    assert Post.objects.count() == 2


def test_a_featured_source_warns_too(curator_client):
    make_post("Thread", week=make_week(2021, 47), source=Link.objects.for_url(THREAD))
    values = admin_form_values(curator_client.get(ADD_URL))
    values.update({"title": "Same thread", "posted_on": "2021-12-01", "source_url": THREAD})
    response = curator_client.post(ADD_URL, values)

    assert response.status_code == 200
    assert error_messages(response)[0].startswith("Already in 2021-W47: Thread")


def test_editing_a_post_does_not_warn_about_links_it_already_had(curator_client, featured):
    other = make_post("Other", links=["https://github.com/Beomi/KcBERT"])
    change = reverse("admin:archive_post_change", args=[other.pk])
    values = admin_form_values(curator_client.get(change))
    values["title"] = "Other, renamed"

    response = curator_client.post(change, values)
    assert response.status_code == 302
    assert Post.objects.get(pk=other.pk).title == "Other, renamed"


def test_add_this_there_instead_fills_the_quote_and_comment_without_saving(
    curator_client, featured
):
    featured.summary = "> 첫 인용"
    featured.save()
    change = reverse("admin:archive_post_change", args=[featured.pk])
    response = curator_client.get(change, {"text": "새 인용\n둘째 줄", "comment": "좋네요"})

    values = admin_form_values(response)
    assert values["summary"] == "> 첫 인용\n\n> 새 인용\n> 둘째 줄"
    assert values["commentary"] == "좋네요"
    featured.refresh_from_db()
    assert featured.summary == "> 첫 인용"

    assert curator_client.post(change, values).status_code == 302
    featured.refresh_from_db()
    assert featured.commentary == "좋네요"


@pytest.mark.parametrize(
    "query",
    [
        {"url": "javascript:alert(1)"},
        {"url": "http://" + "a" * 5000 + ".com/"},
        {"url": "http://[::1"},
        {"url": "\x00", "title": "\x00" * 10, "text": "\x00"},
        {"url": THREAD, "title": "t" * 5000},
        {"url": ["a", "b"]},
    ],
)
def test_bad_bookmarklet_input_never_fails(curator_client, query):
    assert curator_client.get(ADD_URL, query).status_code == 200


@pytest.mark.parametrize(
    "tampered",
    [
        {"post_links-TOTAL_FORMS": "x"},
        {"post_links-TOTAL_FORMS": "99999999999999999999"},
        {"post_links-TOTAL_FORMS": "-5"},
        {"confirmed_featured": "1,2,3' OR 1=1"},
    ],
)
def test_tampered_form_data_is_never_a_server_error(curator_client, featured, tampered):
    values = admin_form_values(curator_client.get(ADD_URL))
    values.update({"title": "x", "posted_on": "2021-12-01", **tampered})
    values["post_links-0-url"] = "https://github.com/Beomi/KcBERT"
    assert curator_client.post(ADD_URL, values).status_code in (200, 302)

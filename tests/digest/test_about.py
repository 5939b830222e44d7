"""What this site is: an about page whose text, community name and community link the curators
edit in the admin (Markdown rendered at save through the sanitiser), in Korean and English,
linked from every page."""

import pytest
from django.urls import reverse

from archive.models import AboutPage
from tests.factories import make_round_up_week
from tests.html import admin_form_values, error_messages, parse, text, texts

pytestmark = pytest.mark.django_db

CHANGELIST_URL = reverse("admin:archive_aboutpage_changelist")
ADD_URL = reverse("admin:archive_aboutpage_add")
CHANGE_URL = reverse("admin:archive_aboutpage_change", args=[AboutPage.ONLY])


def write_about_page(curator_client, **fields):
    """Writes the about page through the admin, as a curator would; returns the response."""
    url = CHANGE_URL if AboutPage.objects.exists() else ADD_URL
    values = admin_form_values(curator_client.get(url))
    values.update(fields)
    return curator_client.post(url, values)


def test_a_curator_writes_the_about_page_in_the_admin_and_readers_see_it(curator_client, client):
    # Before anyone writes it: the changelist leads to writing it.
    assert curator_client.get(CHANGELIST_URL)["Location"] == ADD_URL
    response = write_about_page(
        curator_client,
        community_name="TensorflowKR",
        community_url="https://www.facebook.com/groups/TensorFlowKR/",
        text="**주간**은 TensorflowKR의 한 주를 모읍니다.\n\n<script>alert(1)</script>",
        text_en="*Jugan* keeps TensorflowKR's weeks.",
    )
    assert response.status_code == 302, error_messages(response)

    page = parse(client.get("/about/"))
    assert texts(page, "h1") == ["Jugan 주간 소개"]
    community = page.select_one("a.community-link")
    assert text(community) == "TensorflowKR"
    assert community["href"] == "https://www.facebook.com/groups/TensorFlowKR/"
    about = page.select_one(".about-text")
    assert about.select_one("strong").get_text() == "주간"
    # Rendered at save by the one sanitiser: no script, its text kept as text.
    assert page.select("main script") == []
    assert "alert(1)" in text(about)
    assert AboutPage.objects.get().text_html.startswith("<p><strong>주간</strong>")

    english = parse(client.get("/en/about/"))
    assert texts(english, "h1") == ["About Jugan 주간"]
    assert text(english.select_one(".about-text")) == "Jugan keeps TensorflowKR's weeks."
    assert english.select_one(".about-text em")
    assert not english.select_one(".about-text").has_attr("lang")


def test_the_english_page_shows_the_korean_text_marked_korean_when_there_is_no_english(
    curator_client, client
):
    write_about_page(curator_client, text="한국어 소개만 있습니다.")

    about = parse(client.get("/en/about/")).select_one(".about-text")

    assert text(about) == "한국어 소개만 있습니다."
    assert about["lang"] == "ko"


def test_there_is_one_about_page_edited_and_never_deleted(curator_client):
    write_about_page(curator_client, community_name="TensorflowKR")

    assert curator_client.get(CHANGELIST_URL)["Location"] == CHANGE_URL
    assert curator_client.get(ADD_URL)["Location"] == CHANGE_URL
    assert curator_client.post(ADD_URL, {"text": "둘째"})["Location"] == CHANGE_URL
    assert curator_client.get(CHANGE_URL.replace("change/", "delete/")).status_code == 403
    response = write_about_page(curator_client, community_name="텐서플로우 코리아")
    assert response.status_code == 302, error_messages(response)
    assert AboutPage.objects.get().community_name == "텐서플로우 코리아"
    assert AboutPage.objects.count() == 1


def test_a_community_link_must_be_a_web_address(curator_client):
    response = write_about_page(curator_client, community_url="javascript:alert(1)")

    assert response.status_code == 200
    assert error_messages(response)
    assert not AboutPage.objects.exists()


def test_two_curators_editing_at_once_do_not_overwrite_each_other(curator_client):
    write_about_page(curator_client, text="처음")
    stale = admin_form_values(curator_client.get(CHANGE_URL))
    write_about_page(curator_client, text="다른 큐레이터가 고침")

    stale["text"] = "내 수정"
    response = curator_client.post(CHANGE_URL, stale)

    assert response.status_code == 200
    assert error_messages(response)
    assert AboutPage.objects.get().text == "다른 큐레이터가 고침"


def test_before_anyone_writes_it_the_page_says_what_the_site_is_without_writing(
    client, django_assert_max_num_queries
):
    with django_assert_max_num_queries(2):
        page = parse(client.get("/about/"))

    assert "큐레이터가 다시 읽을 만한 글을 골라" in text(page.select_one(".about-text"))
    assert page.select_one("a.community-link") is None
    assert not AboutPage.objects.exists()


@pytest.mark.parametrize(
    "url", ["/", "/2021/w05/", "/weeks/", "/topics/", "/feeds/", "/search/", "/no/such/page/"]
)
def test_every_page_links_to_the_about_page(client, url):
    make_round_up_week()
    response = client.get(url)
    page = parse(response, status=response.status_code)

    link = page.select_one("footer a[href='/about/']")
    assert text(link) == "소개"
    english = client.get("/en" + url)
    english_page = parse(english, status=english.status_code)
    assert text(english_page.select_one("footer a[href='/en/about/']")) == "About"

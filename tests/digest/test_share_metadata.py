"""A shared week or post shows a preview card (Open Graph and Twitter card tags with the site's
image) and tells search engines what it is (schema.org JSON-LD): read with the HTML parser and
json.loads, every address absolute."""

import json
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders

from tests.factories import make_round_up_week
from tests.html import parse

pytestmark = pytest.mark.django_db

SITE = "http://testserver"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@pytest.fixture
def week():
    return make_round_up_week()


def meta(page):
    """{property or name: content} of the page's meta tags."""
    tags = page.select("head meta[property], head meta[name]")
    return {tag.get("property") or tag["name"]: tag["content"] for tag in tags}


def json_ld(page):
    (script,) = page.select("head script[type='application/ld+json']")
    return json.loads(script.string)


def png_size(path):
    header = Path(path).read_bytes()[:24]
    assert header[:8] == PNG_SIGNATURE
    return int.from_bytes(header[16:20], "big"), int.from_bytes(header[20:24], "big")


def test_the_share_image_ships_in_static_at_the_size_cards_want():
    path = finders.find("img/share-card.png")

    assert path and png_size(path) == (1200, 630)


def test_a_week_page_carries_a_preview_card(client, week):
    tags = meta(parse(client.get("/2021/w05/")))

    assert tags["og:type"] == "article"
    assert tags["og:title"] == tags["twitter:title"] == "이번 주의 TensorflowKR 소식"
    # The intro as one line of plain text.
    assert tags["og:description"].startswith(
        "이번 주도 커뮤니티에 좋은 글이 많이 올라왔습니다. 고르는"
    )
    assert tags["twitter:description"] == tags["og:description"]
    assert tags["og:url"] == f"{SITE}/2021/w05/"
    assert tags["twitter:card"] == "summary_large_image"
    assert tags["og:image"] == tags["twitter:image"] == f"{SITE}/static/img/share-card.png"
    assert (tags["og:image:width"], tags["og:image:height"]) == ("1200", "630")
    assert tags["og:image:alt"] and tags["twitter:image:alt"]
    assert tags["article:published_time"] == week.published_at.astimezone().isoformat()


def test_a_post_page_carries_a_preview_card(client, week):
    post = week.posts.published().in_reading_order().first()
    tags = meta(parse(client.get(post.get_absolute_url())))

    assert tags["og:type"] == "article"
    assert tags["og:title"] == "한국어 문장 임베딩 모델 공개"
    assert tags["og:url"] == SITE + post.get_absolute_url()
    assert tags["og:image"] == f"{SITE}/static/img/share-card.png"
    assert tags["twitter:card"] == "summary_large_image"


def test_a_week_page_describes_itself_as_a_collection_of_its_posts(client, week):
    data = json_ld(parse(client.get("/2021/w05/")))

    assert data["@context"] == "https://schema.org"
    assert data["@type"] == "CollectionPage"
    assert data["url"] == data["@id"] == f"{SITE}/2021/w05/"
    assert data["name"] == "이번 주의 TensorflowKR 소식"
    assert data["inLanguage"] == "ko"
    assert data["datePublished"] == week.published_at.astimezone().isoformat()
    assert data["isPartOf"] == {"@type": "WebSite", "name": settings.SITE_NAME, "url": f"{SITE}/"}
    assert data["timeRequired"].startswith("PT") and data["timeRequired"].endswith("M")
    items = data["mainEntity"]["itemListElement"]
    posts = list(week.posts.published().in_reading_order())
    assert data["mainEntity"]["numberOfItems"] == len(posts) == 3
    assert [item["position"] for item in items] == [1, 2, 3]
    assert [item["name"] for item in items] == [post.title for post in posts]
    assert [item["url"] for item in items] == [SITE + post.get_absolute_url() for post in posts]


def test_a_post_page_describes_itself_as_an_article_in_its_week(client, week):
    post = week.posts.published().in_reading_order().first()
    data = json_ld(parse(client.get(post.get_absolute_url())))

    assert data["@type"] == "Article"
    assert data["url"] == data["mainEntityOfPage"] == SITE + post.get_absolute_url()
    assert data["headline"] == "한국어 문장 임베딩 모델 공개"
    assert data["description"].startswith("한국어 문장 임베딩을 위한 사전학습 모델이")
    assert sorted(data["keywords"]) == ["NLP", "임베딩", "자연어처리"]
    assert data["isBasedOn"] == post.source.normalized_url
    assert data["isPartOf"] == {
        "@type": "CollectionPage",
        "name": "이번 주의 TensorflowKR 소식",
        "url": f"{SITE}/2021/w05/",
    }
    assert data["publisher"]["name"] == settings.SITE_NAME
    assert data["image"] == f"{SITE}/static/img/share-card.png"


def test_every_address_in_the_structured_data_is_absolute_and_served(client, week):
    urls = []

    def collect(value):
        if isinstance(value, dict):
            for key, item in value.items():
                if key in {"url", "@id", "image", "mainEntityOfPage"}:
                    urls.append(item)
                collect(item)
        elif isinstance(value, list):
            for item in value:
                collect(item)

    post = week.posts.published().first()
    collect(json_ld(parse(client.get("/2021/w05/"))))
    collect(json_ld(parse(client.get(post.get_absolute_url()))))

    assert len(urls) > 10
    for url in urls:
        parts = urlsplit(url)
        assert f"{parts.scheme}://{parts.netloc}" == SITE, url
        if not parts.path.startswith("/static/"):
            assert client.get(parts.path).status_code == 200, url


def test_english_pages_say_so_in_their_structured_data(client, week):
    data = json_ld(parse(client.get("/en/2021/w05/")))

    assert data["inLanguage"] == "en"
    assert data["url"] == f"{SITE}/en/2021/w05/"
    assert meta(parse(client.get("/en/2021/w05/")))["og:locale"] == "en_US"


def test_text_that_looks_like_markup_stays_data(client):
    week = make_round_up_week(title="</script><script>alert(1)</script>")

    page = parse(client.get(week.get_absolute_url()))

    assert json_ld(page)["name"] == "</script><script>alert(1)</script>"
    assert [script.get("type") for script in page.select("script")] == [
        "application/ld+json",
        None,
    ]

"""Whatever a reader or a crawler types into the address bar gets a 404 or a clean page,
never a 500; whatever a curator types is shown as text, never run as markup."""

import json

import pytest

from archive.models import Link, PostLink
from tests.factories import make_post, make_week
from tests.html import parse, text, texts

pytestmark = pytest.mark.django_db

LONG_QUERY = "모델 " * 2048  # 10 KB


@pytest.mark.parametrize(
    "url",
    [
        "/2021/w54/",
        "/2021/w00/",
        "/2020/w53/",  # a real ISO week with nothing published
        "/99999/w01/",
        "/0/w01/",
        "/0000/w01/",
        "/9999/w99/",
        "/2021/w5/",
        "/abc/",
        "/weeks/abc/",
        "/weeks/0000/",
        "/weeks/1999/",
        "/posts/no-such-post/",
        "/posts/%ED%95%9C/",  # 한
        "/posts/" + "a" * 3000 + "/",
        "/topics/no-such-topic/",
        "/topics/%EC%97%86%EC%9D%8C/",  # 없음
        "/topics/nlp/?page=-1",
        "/topics/nlp/?page=abc",
        "/topics/nlp/?page=999999",
        "/topics/nlp/?page=0",
        "/topics/nlp/?page=1.5",
        "/topics/nlp/?page=" + "9" * 400,
        "/search/?q=%EB%AA%A8%EB%8D%B8&page=-1",
        "/search/?q=%EB%AA%A8%EB%8D%B8&page=abc",
        "/search/?q=%EB%AA%A8%EB%8D%B8&page=999999",
        "/sitemap-nothing.xml",
        "/sitemap-posts.xml?p=abc",
        "/sitemap-posts.xml?p=99",
    ],
)
def test_bad_addresses_are_not_found(client, published_week, url):
    response = client.get(url)

    assert response.status_code == 404
    if not url.startswith("/sitemap"):
        assert texts(parse(response, status=404), "h1") == ["페이지를 찾을 수 없습니다"]


@pytest.mark.parametrize(
    "params",
    [
        {"q": LONG_QUERY},
        {"q": "<script>alert(1)</script>"},
        {"q": "모델\x00<script>"},
        {"q": "\x00"},
        {"q": "%00"},
        {"q": "' OR 1=1 --"},
        {"q": "%_%"},
        {"q": "   "},
        {"q": "모델", "topic": "<script>alert(1)</script>"},
        {"q": "모델", "topic": "no-such-topic"},
        {"q": "모델", "page": "1"},
        {"q": ["모델", "두 번"]},
    ],
)
def test_any_search_gets_a_clean_page(client, published_week, params):
    page = parse(client.get("/search/", params))

    assert page.select("main script") == []
    assert "\x00" not in str(page)
    assert len(page.select("h1")) == 1


def test_a_long_query_is_refused_with_a_clear_message(client, published_week):
    page = parse(client.get("/search/", {"q": LONG_QUERY}))

    assert "200" in text(page.select_one(".form-errors"))
    assert page.select("ol.cards") == []


def test_markup_in_a_query_is_echoed_as_text(client, published_week):
    query = '<script>alert(1)</script>"><img src=x onerror=alert(2)>'

    page = parse(client.get("/search/", {"q": query}))

    assert page.select_one("input[name=q]")["value"] == query
    assert query in text(page.select_one(".result-count"))
    assert page.select("img") == []
    assert page.select("main script") == []


def test_nul_bytes_are_dropped_from_a_query(client, published_week):
    page = parse(client.get("/search/", {"q": "한국어\x00 모델"}))

    assert page.select_one("input[name=q]")["value"] == "한국어 모델"
    assert len(page.select("ol.cards > li")) == 3


def test_like_wildcards_in_a_query_match_only_themselves(client, published_week):
    page = parse(client.get("/search/", {"q": "%_%"}))

    assert page.select("ol.cards > li") == []


# Whatever a curator or a pasted page puts in a title, label, topic or address shows as text.
PAYLOADS = [
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "</title><script>alert(1)</script>",
    "' onmouseover='alert(1)",
    "<a href='javascript:alert(1)'>x</a>",
]


@pytest.fixture(params=PAYLOADS)
def hostile_week(request, db):
    payload = request.param
    week = make_week(published=True, title=f"주간 {payload}")
    post = make_post(
        f"글 {payload}",
        week=week,
        published=True,
        topics=[f"tag {payload}"],
        summary=payload,
        commentary=payload,
        links=[("https://example.com/page", f"라벨 {payload}")],
    )
    Link.objects.filter(post_links__post=post).update(title=f"제목 {payload}")
    PostLink.objects.filter(post=post).update(label="")
    post.save()
    return payload, post


@pytest.mark.parametrize(
    "url", ["/", "/2021/w05/", "/weeks/", "/topics/", "/search/?q=%EA%B8%80", "POST", "TOPIC"]
)
def test_curator_text_is_never_markup(client, hostile_week, url):
    payload, post = hostile_week
    if url == "POST":
        url = post.get_absolute_url()
    elif url == "TOPIC":
        url = f"/topics/{post.topics.get().slug}/"

    page = parse(client.get(url))

    assert payload in text(page.select_one("main"))  # shown, as text
    # The only scripts: the site's own file, and structured data that stays data.
    for script in page.select("script"):
        if script.get("type") == "application/ld+json":
            assert "<" not in script.string
            assert payload in json.dumps(json.loads(script.string), ensure_ascii=False)
        else:
            assert script.attrs == {"src": "/static/js/copy-address.js", "defer": ""}
    assert page.select("img") == []
    assert page.select("[onerror], [onmouseover]") == []
    assert all(not a["href"].startswith("javascript:") for a in page.select("a[href]"))

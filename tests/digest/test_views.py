"""Each reader page shows what it promises, checked on the parsed page."""

from urllib.parse import urlencode

import pytest
from django.urls import reverse

from archive import search
from archive.models import Post, Topic
from tests.factories import make_post, make_published_week, make_round_up_week, make_week
from tests.html import parse, text, texts

pytestmark = pytest.mark.django_db


def test_the_week_page_is_laid_out_like_the_round_ups(client, round_up_week):
    page = parse(client.get("/2021/w05/"))

    assert texts(page, "h1") == ["이번 주의 TensorflowKR 소식"]
    labels = text(page.select_one(".week-labels"))
    assert "2021년 2월 1주차" in labels
    assert page.select_one(".week-labels time")["datetime"] == "2021-W05"
    assert text(page.select_one(".week-labels .date-range")) == "2월 1일 – 7일"
    assert "커뮤니티에 좋은 글이 많이" in text(page.select_one(".week-intro"))
    assert page.select_one(".week-intro blockquote")
    assert "다음 주에도" in text(page.select_one(".week-outro"))

    posts = page.select("ol.posts > li")
    assert [post["id"] for post in posts] == [
        "한국어-문장-임베딩-모델-공개",
        "머신러닝-데이터셋-목록-사이트-오픈",
        "transformer를-pytorch로-처음부터-구현하기",
    ]
    assert texts(page, "ol.posts .post-number") == ["1", "2", "3"]
    assert page.select_one("ol.posts .post-number")["href"] == "#한국어-문장-임베딩-모델-공개"


def test_each_post_in_a_week_shows_its_date_source_summary_links_comment_and_topics(
    client, round_up_week
):
    post = parse(client.get("/2021/w05/")).select_one("ol.posts > li")

    title = post.select_one("h2 a")
    assert text(title) == "한국어 문장 임베딩 모델 공개"
    assert title["href"] == reverse("digest:post", kwargs={"slug": "한국어-문장-임베딩-모델-공개"})
    assert post.select_one(".post-meta time")["datetime"] == "2021-02-01"
    assert text(post.select_one(".post-meta time")) == "2021년 2월 1일"
    source = post.select_one(".post-meta a.source")
    assert source["href"] == (
        "https://www.facebook.com/groups/TensorFlowKR/permalink/2000000000000001/"
    )
    assert text(post.select_one(".post-meta .domain")) == "facebook.com"
    assert [text(li) for li in post.select(".post-summary blockquote li")] == [
        "대조 학습으로 문장 유사도 과제에서 좋은 성능을 냈습니다.",
        "pip install 한 줄로 바로 써 볼 수 있습니다.",
    ]

    links = post.select("ul.links > li")
    # The tracking parameter is gone from the address readers follow.
    assert links[0].a["href"] == "https://github.com/example-lab/ko-sentence-embedding"
    assert text(links[0].a) == "GitHub"
    assert text(links[0].select_one(".kind")) == "저장소"
    assert text(links[0].select_one(".domain")) == "github.com"
    assert text(links[1].a) == "https://arxiv.org/abs/2104.08821"
    assert text(links[1].select_one(".kind")) == "논문"

    assert "검색 서비스를 만드시는 분들께" in text(post.select_one(".comment .prose"))
    chips = post.select(".chips a")
    assert [text(chip) for chip in chips] == ["NLP", "임베딩", "자연어처리"]
    assert chips[2]["href"] == reverse("digest:topic", kwargs={"slug": "자연어처리"})


def test_the_week_page_links_the_nearest_published_weeks_around_it(client, round_up_week):
    make_published_week(2020, 53, posts=1)
    make_week(2021, 6)  # a draft in between is skipped
    make_published_week(2021, 8, posts=1)

    nav = parse(client.get("/2021/w05/")).select_one("nav.week-nav")

    assert nav.select_one("a[rel=prev]")["href"] == "/2020/w53/"
    assert nav.select_one("a[rel=next]")["href"] == "/2021/w08/"


def test_home_shows_the_latest_week_in_full_earlier_weeks_and_topics(client, round_up_week):
    for week in (1, 2, 3):
        make_published_week(2021, week, posts=2)

    page = parse(client.get("/"))

    assert texts(page, "h1") == ["이번 주의 TensorflowKR 소식"]
    assert len(page.select("ol.posts > li")) == 3
    assert page.select_one(".week-outro")
    assert [a["href"] for a in page.select(".week-list .week-row-title")] == [
        "/2021/w03/",
        "/2021/w02/",
        "/2021/w01/",
    ]
    assert texts(page, ".week-list .post-count") == ["글 2개"] * 3
    topics = {
        a.contents[0].strip(): text(a.select_one(".count")) for a in page.select(".chips-counted a")
    }
    assert topics["NLP"] == "8"
    assert topics["데이터셋"] == "1"


def test_home_before_anything_is_published_says_so(client, db):
    make_round_up_week(status="draft")

    page = parse(client.get("/"))

    assert texts(page, "h1") == ["Jugan 주간"]
    assert "아직 공개된 주간 정리가 없습니다" in text(page.select_one("main"))


def test_the_archive_groups_weeks_by_year_with_counts_and_top_topics(client, round_up_week):
    make_published_week(2020, 52, posts=4)
    make_published_week(2021, 6, posts=2)

    page = parse(client.get("/weeks/"))

    assert texts(page, "h1") == ["전체 주간"]
    assert texts(page, ".year-nav a") == ["2021 2주", "2020 1주"]
    assert page.select_one(".year-nav a[aria-current=page]")["href"] == "/weeks/2021/"
    rows = page.select(".week-list .week-row")
    assert [row.a["href"] for row in rows] == ["/2021/w06/", "/2021/w05/"]
    round_up = rows[1]
    assert "2021년 2월 1주차" in text(round_up)
    assert text(round_up.select_one(".iso-week")) == "2021-W05"
    assert text(round_up.select_one(".post-count")) == "글 3개"
    # NLP tags two posts of the week; the others one each, alphabetically.
    assert texts(round_up, ".chips a") == ["NLP", "PyTorch", "데이터셋"]

    earlier = parse(client.get("/weeks/2020/"))
    assert [row.a["href"] for row in earlier.select(".week-row")] == ["/2020/w52/"]
    assert text(earlier.select_one(".week-row .post-count")) == "글 4개"


def test_the_post_page_shows_the_post_and_the_week_it_belongs_to(client, round_up_week):
    page = parse(client.get("/posts/머신러닝-데이터셋-목록-사이트-오픈/"))

    assert texts(page, "h1") == ["머신러닝 데이터셋 목록 사이트 오픈"]
    assert text(page.select_one(".post-summary blockquote")).startswith("과제와 언어별로")
    assert texts(page, "ul.links a") == ["Papers with Code"]
    assert texts(page, ".chips a") == ["데이터셋"]
    week = page.select_one(".in-week")
    assert week.h2.a["href"] == "/2021/w05/"
    assert text(week.select_one("[aria-current=page]")) == "머신러닝 데이터셋 목록 사이트 오픈"
    assert week.select("li a")[0]["href"] == "/2021/w05/#한국어-문장-임베딩-모델-공개"


def test_the_topic_index_lists_every_topic_with_its_post_count_by_first_letter(
    client, round_up_week
):
    page = parse(client.get("/topics/"))

    groups = {text(group.h2): texts(group, ".cloud a") for group in page.select(".topic-group")}
    assert groups == {
        "ㄷ": ["데이터셋 1"],
        "ㅇ": ["임베딩 1"],
        "ㅈ": ["자연어처리 1"],
        "N": ["NLP 2"],
        "P": ["PyTorch 1"],
    }
    assert texts(page, ".index-nav a") == ["ㄷ", "ㅇ", "ㅈ", "N", "P"]
    assert page.select_one(".cloud a")["href"] == reverse(
        "digest:topic", kwargs={"slug": "데이터셋"}
    )


def test_a_korean_topic_page_lists_its_posts_newest_first(client, round_up_week):
    make_published_week(2021, 6, posts=1)  # tagged NLP and 자연어처리 too

    page = parse(client.get(reverse("digest:topic", kwargs={"slug": "자연어처리"})))

    assert texts(page, "h1") == ["자연어처리"]
    assert text(page.select_one(".lede")) == "글 2개, 최신순."
    cards = page.select("ol.cards .card")
    assert texts(page, "ol.cards .card-title") == [
        Post.objects.get(week__number=6).title,
        "한국어 문장 임베딩 모델 공개",
    ]
    assert cards[1].select_one(".post-meta a")["href"] == "/2021/w05/#한국어-문장-임베딩-모델-공개"
    assert texts(cards[1], ".card-domains .domain") == ["github.com", "arxiv.org"]


def test_topic_pages_are_paginated(client, db):
    week = make_week(published=True)
    for _ in range(25):
        make_post(week=week, published=True, topics=["NLP"])

    first = parse(client.get("/topics/nlp/"))
    second = parse(client.get("/topics/nlp/?page=2"))

    assert len(first.select("ol.cards > li")) == 20
    assert first.select_one(".pagination a[rel=next]")["href"] == "?page=2"
    assert len(second.select("ol.cards > li")) == 5
    assert second.select_one(".pagination a[rel=prev]")["href"] == "?"
    assert (
        second.select_one("link[rel=canonical]")["href"] == "http://testserver/topics/nlp/?page=2"
    )


@pytest.mark.parametrize(
    ("query", "titles"),
    [
        ("모델", ["한국어 문장 임베딩 모델 공개"]),  # 모델 inside 모델을… and titles
        ("데이터셋 목록", ["머신러닝 데이터셋 목록 사이트 오픈"]),  # every word must match
        ("반가운", ["한국어 문장 임베딩 모델 공개"]),  # the curator's comment
        ("paperswithcode.com", ["머신러닝 데이터셋 목록 사이트 오픈"]),  # a link's address
        ("세미나 영상", ["Transformer를 PyTorch로 처음부터 구현하기"]),  # a link's label
        ("permalink/2000000000000002", ["머신러닝 데이터셋 목록 사이트 오픈"]),  # the source
        ("pytorch", ["Transformer를 PyTorch로 처음부터 구현하기"]),  # any case
        ("없는단어", []),
    ],
)
def test_search_finds_posts_by_title_summary_comment_and_links(
    client, round_up_week, query, titles
):
    page = parse(client.get("/search/", {"q": query}))

    assert titles_found(page) == titles
    assert page.select_one("input[name=q]")["value"] == query
    assert f"“{query}”" in text(page.select_one(".result-count"))


def titles_found(page):
    """The results' titles as read: the marks inside a title are part of its words."""
    return [" ".join(title.get_text().split()) for title in page.select("ol.cards .card-title")]


def test_search_marks_the_matches_in_titles_and_excerpts(client, round_up_week):
    page = parse(client.get("/search/", {"q": "install 임베딩을"}))

    [card] = page.select("ol.cards > li")
    assert [mark.get_text() for mark in card.select(".card-title mark")] == ["임베딩"]
    excerpt = card.select_one(".excerpt")
    assert [mark.get_text() for mark in excerpt.select("mark")] == ["임베딩", "install"]
    assert "pip install" in excerpt.get_text()  # cut between words, never inside one


def test_a_week_is_a_search_result(client, round_up_week):
    page = parse(client.get("/search/", {"q": "관심사"}))  # in the week's intro only

    [title] = page.select("ol.cards .card-title a")
    assert title["href"] == "/2021/w05/"
    assert text(title) == "이번 주의 TensorflowKR 소식"
    assert "관심사" in text(page.select_one("ol.cards .excerpt mark"))
    assert text(page.select_one(".result-count")) == "“관심사”에 맞는 결과 1개"


def test_what_a_search_shows_of_the_content_is_escaped(client, db):
    week = make_week(published=True)
    make_post(
        '<script>alert("모델")</script>',
        week=week,
        published=True,
        summary='<img src=x onerror=alert(1)> 모델 <b onclick="x()">굵게</b>',
    )

    response = client.get("/search/", {"q": "모델 <script>"})
    page = parse(response)

    assert (
        page.select("ol.cards script, ol.cards img, ol.cards [onclick], ol.cards [onerror]") == []
    )
    assert [mark.get_text() for mark in page.select(".card-title mark")] == ["<script>", "모델"]
    assert "&lt;script&gt;" in response.content.decode()
    assert not page.select(".result-count script")


def test_a_search_finding_more_than_it_lists_says_so(client, db, monkeypatch):
    monkeypatch.setattr(search, "RESULTS_LIMIT", 3)
    week = make_week(published=True)
    for number in range(5):
        make_post(f"모델 {number}", week=week, published=True)

    page = parse(client.get("/search/", {"q": "모델"}))

    assert len(page.select("ol.cards > li")) == 3
    assert text(page.select_one(".result-count")) == (
        "“모델”에 맞는 결과가 3개를 넘습니다. 단어를 더해 좁혀 보세요."
    )


def test_search_can_be_narrowed_to_a_topic(client, round_up_week):
    page = parse(client.get("/search/", {"q": "공개", "topic": "nlp"}))

    assert titles_found(page) == ["한국어 문장 임베딩 모델 공개"]
    assert page.select_one("select[name=topic] option[selected]")["value"] == "nlp"
    assert text(page.select_one(".result-count")) == "NLP 주제에서 “공개”에 맞는 글 1개"


def test_a_topic_alone_lists_its_posts(client, round_up_week):
    page = parse(client.get("/search/", {"topic": "데이터셋"}))

    assert texts(page, "ol.cards .card-title") == ["머신러닝 데이터셋 목록 사이트 오픈"]


def test_the_search_page_without_a_query_shows_only_the_form(client, round_up_week):
    page = parse(client.get("/search/"))

    assert page.select_one("form[role=search] input[name=q]")
    assert page.select_one(".result-count") is None
    assert page.select("ol.cards") == []
    assert page.select_one("meta[name=robots]")["content"] == "noindex"


def test_a_page_of_search_results_may_be_indexed_at_its_own_address(client, round_up_week):
    topic = Topic.objects.get(name="데이터셋")
    page = parse(client.get("/search/", {"q": " 데이터셋 ", "topic": topic.slug, "page": 1}))

    assert page.select("ol.cards > li")
    assert page.select_one("meta[name=robots]") is None
    canonical = f"http://testserver/search/?{urlencode({'q': '데이터셋', 'topic': topic.slug})}"
    assert page.select_one("link[rel=canonical]")["href"] == canonical
    assert page.select_one("meta[property='og:url']")["content"] == canonical
    english = page.select_one("link[rel=alternate][hreflang=en]")["href"]
    assert english == canonical.replace("/search/", "/en/search/")
    assert text(page.select_one("title")).startswith("“데이터셋” 검색 결과 · ")


@pytest.mark.parametrize(
    "query",
    [{"q": "없는낱말zzz"}, {"q": "x" * 500}, {"topic": "no-such-topic"}],
    ids=["no results", "invalid query", "unknown topic"],
)
def test_search_pages_without_results_are_kept_out_of_search_engines(client, round_up_week, query):
    page = parse(client.get("/search/", query))

    assert page.select("ol.cards > li") == []
    assert page.select_one("meta[name=robots]")["content"] == "noindex"
    assert page.select_one("link[rel=canonical]")["href"] == "http://testserver/search/"


def test_search_results_are_paginated_keeping_the_query(client, db):
    week = make_week(published=True)
    for number in range(23):
        make_post(title=f"모델 {number}", week=week, published=True)

    page = parse(client.get("/search/", {"q": "모델"}))

    assert len(page.select("ol.cards > li")) == 20
    next_page = page.select_one(".pagination a[rel=next]")["href"]
    assert next_page == "?q=%EB%AA%A8%EB%8D%B8&page=2"
    assert len(parse(client.get("/search/" + next_page)).select("ol.cards > li")) == 3


@pytest.mark.parametrize(
    ("url", "title", "og_type"),
    [
        ("/", "Jugan 주간", "website"),
        ("/2021/w05/", "이번 주의 TensorflowKR 소식 · Jugan 주간", "article"),
        ("/weeks/", "전체 주간 · Jugan 주간", "website"),
        (
            "/posts/한국어-문장-임베딩-모델-공개/",
            "한국어 문장 임베딩 모델 공개 · Jugan 주간",
            "article",
        ),
        ("/topics/", "주제 · Jugan 주간", "website"),
        ("/topics/nlp/", "NLP · Jugan 주간", "website"),
        ("/search/?q=%EB%AA%A8%EB%8D%B8", "“모델” 검색 결과 · Jugan 주간", "website"),
    ],
)
def test_every_page_has_its_title_description_canonical_url_and_open_graph_tags(
    client, round_up_week, url, title, og_type
):
    response = client.get(url)
    page = parse(response)

    assert text(page.title) == title
    description = page.select_one("meta[name=description]")["content"]
    assert description
    assert "<" not in description
    canonical = page.select_one("link[rel=canonical]")["href"]
    assert canonical == "http://testserver" + response.wsgi_request.get_full_path()
    og = {meta["property"]: meta["content"] for meta in page.select("meta[property]")}
    assert og["og:url"] == canonical
    assert og["og:type"] == og_type
    assert og["og:description"] == description
    assert og["og:site_name"] == "Jugan 주간"
    assert og["og:locale"] == "ko_KR"


def test_the_canonical_url_comes_from_site_url_not_the_host_asked(client, round_up_week, settings):
    settings.SITE_URL = "https://jugan.example.org"
    settings.ALLOWED_HOSTS = ["internal.example"]

    page = parse(client.get("/2021/w05/", HTTP_HOST="internal.example"))

    assert page.select_one("link[rel=canonical]")["href"] == "https://jugan.example.org/2021/w05/"


def test_a_week_description_is_its_intro_as_plain_text(client, db):
    make_post(week=make_week(published=True, intro="**굵게** 쓴 머리말 & 기호"), published=True)

    page = parse(client.get("/2021/w05/"))

    assert page.select_one("meta[name=description]")["content"] == "굵게 쓴 머리말 & 기호"


READER_PAGES = [
    "/",
    "/2021/w05/",
    "/weeks/",
    "/posts/한국어-문장-임베딩-모델-공개/",
    "/topics/",
    "/topics/nlp/",
    "/search/?q=%EB%AA%A8%EB%8D%B8",
    "/no/such/page/",
]


@pytest.mark.parametrize("url", READER_PAGES)
def test_every_page_is_one_accessible_document(client, round_up_week, url):
    """One h1, the landmarks, a working skip link, labelled forms, and nothing that the
    strict Content-Security-Policy would block (inline script or style)."""
    response = client.get(url)
    page = parse(response, status=response.status_code)

    assert page.html["lang"] == "ko"
    assert len(page.select("h1")) == 1
    assert page.select_one("body > header.site-header nav[aria-label]")
    assert page.select_one("body > main") and page.select_one("body > footer")
    skip = page.select_one("body > a.skip-link")
    assert page.select_one(skip["href"])
    ids = [element["id"] for element in page.select("[id]")]
    assert len(ids) == len(set(ids))
    for field in page.select("input:not([type=hidden]), select, textarea"):
        labelled_by_id = field.get("id") and page.select_one(f"label[for='{field['id']}']")
        assert labelled_by_id or field.find_parent("label"), field
    assert page.select("[style]") == []
    assert page.select("style") == []
    # Scripts are files, or structured data (JSON-LD), which no browser runs.
    for script in page.select("script"):
        assert script.get("src") or script["type"] == "application/ld+json"
    assert page.select("[onclick], [onload], [onerror]") == []
    stylesheets = [link["href"] for link in page.select("link[rel=stylesheet]")]
    assert stylesheets == ["/static/css/site.css"]


def test_the_sitemap_lists_weeks_posts_and_topics_at_site_url(client, round_up_week):
    index = client.get("/sitemap.xml")
    assert index.status_code == 200
    sections = client.get("/sitemap-weeks.xml").content.decode()
    posts = client.get("/sitemap-posts.xml").content.decode()
    topics = client.get("/sitemap-topics.xml").content.decode()
    pages = client.get("/sitemap-pages.xml").content.decode()

    assert "http://testserver/sitemap-posts.xml" in index.content.decode()
    assert "<loc>http://testserver/2021/w05/</loc>" in sections
    assert "<loc>http://testserver/en/2021/w05/</loc>" in sections
    # Each page in both languages, each naming the other and Korean as the default.
    assert posts.count("<loc>") == 6
    assert (
        '<xhtml:link rel="alternate" hreflang="en" href="http://testserver/en/2021/w05/"/>'
        in sections
    )
    assert (
        '<xhtml:link rel="alternate" hreflang="x-default" href="http://testserver/2021/w05/"/>'
        in sections
    )
    assert "<lastmod>" in posts
    assert "http://testserver/topics/%EC%9E%90%EC%97%B0%EC%96%B4%EC%B2%98%EB%A6%AC/" in topics
    assert "<loc>http://testserver/weeks/</loc>" in pages
    assert "<loc>http://testserver/about/</loc>" in pages
    assert "<loc>http://testserver/en/about/</loc>" in pages


def test_robots_txt_points_at_the_sitemap_and_lets_crawlers_read_searchs_noindex(client, db):
    response = client.get("/robots.txt")

    assert response["Content-Type"] == "text/plain; charset=utf-8"
    lines = response.content.decode().splitlines()
    assert lines[0] == "User-agent: *"
    assert not any(line.startswith("Disallow: /search") for line in lines)
    assert "Disallow: /admin/" in lines
    assert "Sitemap: http://testserver/sitemap.xml" in lines


def test_the_404_page_is_the_sites_own(client, db):
    page = parse(client.get("/2021/w05/"), status=404)

    assert texts(page, "h1") == ["페이지를 찾을 수 없습니다"]
    assert page.select_one("link[rel=stylesheet]")["href"] == "/static/css/site.css"
    assert page.select_one("meta[name=robots]")["content"] == "noindex"
    assert page.select_one(".language-switcher a[lang=en]")["href"] == "/en/2021/w05/"


@pytest.mark.urls("tests.digest.urls_with_error")
def test_the_500_page_is_the_sites_own_with_a_working_language_switcher(client, db):
    client.raise_request_exception = False

    page = parse(client.get("/broken/"), status=500)

    assert texts(page, "h1") == ["문제가 생겼습니다"]
    assert page.select_one("link[rel=stylesheet]")["href"] == "/static/css/site.css"
    english = page.select_one(".language-switcher a[lang=en]")
    assert english["href"] == "/en/broken/"

"""Korean and English, each at its own address (Korean at today's, English under /en/),
switched with plain links, with dates and week labels in the page's language; old English
links still reach English pages."""

import gettext
import shutil
import subprocess
from pathlib import Path

import feedparser
import pytest
from django.conf import settings
from django.test import Client

from tests.html import parse, text, texts

pytestmark = pytest.mark.django_db

CATALOGUE = Path(settings.BASE_DIR) / "locale" / "ko" / "LC_MESSAGES"

PAGES = [
    "/",
    "/2021/w05/",
    "/weeks/",
    "/weeks/2021/",
    "/posts/한국어-문장-임베딩-모델-공개/",
    "/topics/",
    "/topics/nlp/",
    "/search/?q=%EB%AA%A8%EB%8D%B8&topic=nlp",
    "/no/such/page/",
]


def test_korean_is_at_todays_addresses(client, round_up_week):
    # Whatever the browser prefers: the address says Korean (a reader clicking a link inside
    # the site, so the Referer is the site's own).
    page = parse(
        client.get("/2021/w05/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.8", HTTP_REFERER=INSIDE)
    )

    assert page.html["lang"] == "ko"
    assert texts(page, "nav.site-nav a") == ["주간 목록", "주제", "검색"]
    assert text(page.select_one(".week-labels .date-range")) == "2월 1일 – 7일"
    assert texts(page, ".post-meta time")[0] == "2021년 2월 1일"
    assert texts(page, ".kind")[0] == "저장소"
    assert page.select_one("meta[property='og:locale']")["content"] == "ko_KR"


def test_english_is_under_en(client, round_up_week):
    page = parse(client.get("/en/2021/w05/", HTTP_ACCEPT_LANGUAGE="ko-KR,ko;q=0.9"))

    assert page.html["lang"] == "en"
    assert texts(page, "nav.site-nav a") == ["Weeks", "Topics", "Search"]
    assert [a["href"] for a in page.select("nav.site-nav a")] == [
        "/en/weeks/",
        "/en/topics/",
        "/en/search/",
    ]
    # The community's own name for the week stays, marked as Korean for screen readers.
    assert page.select_one(".week-labels .week-label[lang=ko]").string == "2021년 2월 1주차"
    assert text(page.select_one(".week-labels .date-range")) == "1–7 Feb"
    assert texts(page, ".post-meta time")[0] == "Feb. 1, 2021"
    assert texts(page, ".kind")[0] == "Repository"
    assert page.select_one("meta[property='og:locale']")["content"] == "en_US"
    assert page.select_one("link[rel=canonical]")["href"] == "http://testserver/en/2021/w05/"


def test_an_untitled_week_is_named_in_the_pages_language(client, round_up_week):
    round_up_week.title = ""
    round_up_week.save()

    korean = parse(client.get("/weeks/"))
    english = parse(client.get("/en/weeks/"))

    assert texts(korean, ".week-row-title") == ["2021년 2월 1주차"]
    assert texts(english, ".week-row-title") == ["Week 5, 2021 · 1–7 Feb"]
    assert texts(english, ".week-row .post-count") == ["3 posts"]


def test_there_is_no_korean_prefix(client, round_up_week):
    assert client.get("/ko/2021/w05/").status_code == 404


@pytest.mark.parametrize("url", PAGES)
def test_reader_responses_vary_by_address_only(client, round_up_week, url):
    korean = client.get(url, HTTP_REFERER=INSIDE)
    english = client.get(f"/en{url}", HTTP_REFERER=INSIDE)

    for response in (korean, english):
        assert not set(vary(response)) & {"cookie", "accept-language"}, response["Vary"]
    assert (korean["Content-Language"], english["Content-Language"]) == ("ko", "en")


@pytest.mark.parametrize("url", PAGES)
def test_the_language_switcher_links_to_the_same_page_in_the_other_language(round_up_week, url):
    """A plain link, followed as a browser without JavaScript follows it."""
    browser = Client(HTTP_ACCEPT_LANGUAGE="ko")
    response = browser.get(url)
    switcher = parse(response, status=response.status_code).select_one("nav.language-switcher")
    english = switcher.select_one("a[lang=en]")
    assert (text(english), english["hreflang"]) == ("English", "en")
    assert switcher.select_one("a[lang=ko]")["aria-current"] == "true"
    assert english["href"] == "/en" + response.wsgi_request.get_full_path()

    switched = browser.get(english["href"], HTTP_REFERER=f"http://testserver{url}")

    page = parse(switched, status=response.status_code)
    assert page.html["lang"] == "en"
    korean = page.select_one("nav.language-switcher a[lang=ko]")
    assert korean["href"] == response.wsgi_request.get_full_path()
    assert page.select_one("nav.language-switcher a[lang=en]")["aria-current"] == "true"
    back = browser.get(korean["href"], HTTP_REFERER=f"http://testserver/en{url}")
    assert parse(back, status=response.status_code).html["lang"] == "ko"


def test_the_switcher_keeps_the_search(client, round_up_week):
    page = parse(client.get("/search/", {"q": "모델"}))

    english = page.select_one(".language-switcher a[lang=en]")["href"]

    assert english == "/en/search/?q=%EB%AA%A8%EB%8D%B8"


@pytest.mark.parametrize(
    ("url", "path"),
    [
        ("/", "/"),
        ("/2021/w05/", "/2021/w05/"),
        ("/weeks/2021/", "/weeks/2021/"),
        ("/topics/nlp/", "/topics/nlp/"),
        # A page of results is at its words' address; the first page needs no number.
        ("/search/?q=%EB%AA%A8%EB%8D%B8&page=1", "/search/?q=%EB%AA%A8%EB%8D%B8"),
    ],
)
def test_every_page_names_its_languages_for_search_engines(client, round_up_week, url, path):
    page = parse(client.get(url))

    alternates = {
        link["hreflang"]: link["href"] for link in page.select("head link[rel=alternate][hreflang]")
    }
    assert alternates == {
        "ko": f"http://testserver{path}",
        "en": f"http://testserver/en{path}",
        "x-default": f"http://testserver{path}",
    }


def test_feeds_are_in_both_languages_with_the_same_entry_ids(client, round_up_week):
    korean = feedparser.parse(client.get("/feed/").content)
    english = feedparser.parse(client.get("/en/feed/").content)

    assert (korean.feed.language, english.feed.language) == ("ko", "en")
    assert english.entries[0].link == "http://testserver/en/2021/w05/"
    assert korean.entries[0].link == "http://testserver/2021/w05/"
    assert [entry.id for entry in english.entries] == [entry.id for entry in korean.entries]


# Old links: the switcher used to set a cookie, and browsers chose by Accept-Language, both
# at today's addresses.

INSIDE = "http://testserver/weeks/"


@pytest.mark.parametrize(
    "headers",
    [
        {"HTTP_COOKIE": f"{settings.LANGUAGE_COOKIE_NAME}=en"},
        {"HTTP_ACCEPT_LANGUAGE": "en-US,en;q=0.9,ko;q=0.8"},
        {"HTTP_ACCEPT_LANGUAGE": "en", "HTTP_REFERER": "https://news.example/"},
    ],
    ids=["cookie", "browser", "link elsewhere"],
)
def test_an_english_reader_arriving_at_a_korean_address_reaches_the_english_page(
    client, round_up_week, headers
):
    response = client.get("/2021/w05/?utm=x", **headers)

    assert (response.status_code, response["Location"]) == (302, "/en/2021/w05/?utm=x")


def test_the_redirect_for_old_english_links_is_never_kept_by_a_shared_cache(client, round_up_week):
    """The redirect depends on request headers while the page at the address does not: kept by
    a shared cache, it would send every Korean reader to the English page. It must not be stored
    (and the front cache hands such requests to Django uncached: tests/digest/test_front_cache.py),
    while the Korean page at the same address stays public and varies by nothing."""
    redirect = client.get("/2021/w05/", HTTP_ACCEPT_LANGUAGE="en")
    korean = client.get("/2021/w05/", HTTP_ACCEPT_LANGUAGE="ko")

    assert "private" in redirect["Cache-Control"]
    assert "no-store" in redirect["Cache-Control"]
    assert {"cookie", "accept-language", "referer"} <= set(vary(redirect))
    assert korean.status_code == 200
    assert "public" in korean["Cache-Control"]
    assert not set(vary(korean)) & {"cookie", "accept-language", "referer"}


@pytest.mark.parametrize(
    "headers",
    [
        {"HTTP_ACCEPT_LANGUAGE": "ko-KR,ko;q=0.9,en-US;q=0.8,en;q=0.7"},
        {"HTTP_ACCEPT_LANGUAGE": "fr-FR,fr;q=0.9"},
        {"HTTP_ACCEPT_LANGUAGE": "*"},
        {"HTTP_ACCEPT_LANGUAGE": "en", "HTTP_REFERER": INSIDE},
        {"HTTP_COOKIE": f"{settings.LANGUAGE_COOKIE_NAME}=en", "HTTP_REFERER": INSIDE},
        {"HTTP_COOKIE": f"{settings.LANGUAGE_COOKIE_NAME}=ko", "HTTP_ACCEPT_LANGUAGE": "en"},
        {},
    ],
    ids=["korean", "unsupported", "any", "inside", "cookie inside", "korean cookie", "none"],
)
def test_everyone_else_reads_the_address_they_asked_for(client, round_up_week, headers):
    """A reader who follows a link inside the site chose its language: an English browser
    can read Korean by following the switcher."""
    response = client.get("/2021/w05/", **headers)

    assert response.status_code == 200
    assert parse(response).html["lang"] == "ko"


@pytest.mark.parametrize("url", ["/sitemap.xml", "/robots.txt", "/no/such/page/", "/admin/"])
def test_only_reader_pages_are_redirected(client, round_up_week, url):
    response = client.get(url, HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code != 302 or "/en/" not in response["Location"]


def test_the_old_switcher_links_lead_to_the_address_in_that_language(client, round_up_week):
    english = client.get("/language/en/", {"next": "/search/?q=모델"})
    korean = client.get("/language/ko/", {"next": "/en/2021/w05/"})

    assert (english.status_code, english["Location"]) == (302, "/en/search/?q=%EB%AA%A8%EB%8D%B8")
    assert (korean.status_code, korean["Location"]) == (302, "/2021/w05/")
    assert english.cookies == {}


@pytest.mark.parametrize(
    "next_url", ["https://evil.example/", "//evil.example/", "javascript:alert(1)", ""]
)
def test_the_old_switcher_never_sends_a_reader_off_the_site(client, db, next_url):
    response = client.get("/language/en/", {"next": next_url})

    assert (response.status_code, response["Location"]) == (302, "/en/")


def test_an_unknown_language_is_not_found(client, db):
    response = client.get("/language/fr/", {"next": "/"})

    assert response.status_code == 404
    assert client.get("/fr/2021/w05/").status_code == 404


def test_the_admin_follows_the_curators_browser(curator_client):
    english = curator_client.get("/admin/", HTTP_ACCEPT_LANGUAGE="en")
    korean = curator_client.get("/admin/", HTTP_ACCEPT_LANGUAGE="ko")

    assert parse(english).html["lang"] == "en"
    assert parse(korean).html["lang"] == "ko"
    assert "accept-language" in vary(english)


def vary(response):
    return [value.strip().lower() for value in response.get("Vary", "").split(",") if value]


@pytest.mark.parametrize("url", PAGES[:-1])
def test_reader_pages_give_no_cookie_and_hold_no_form_token(client, round_up_week, url):
    """Nothing personal in a page, so one copy of it can be cached for every reader."""
    response = client.get(url)

    assert response.cookies == {}
    assert b"csrfmiddlewaretoken" not in response.content


def test_the_korean_catalogue_is_complete():
    """Every message has a Korean translation; none is waiting as fuzzy."""
    source = (CATALOGUE / "django.po").read_text()
    assert "#, fuzzy" not in source
    entries = source.split("\n\n")[1:]
    untranslated = [
        entry for entry in entries if entry.rstrip().endswith(('msgstr ""', 'msgstr[0] ""'))
    ]
    assert untranslated == []


@pytest.mark.skipif(not shutil.which("msgfmt"), reason="gettext's msgfmt is not installed")
def test_the_committed_catalogue_is_compiled_from_the_current_po(tmp_path):
    compiled = tmp_path / "django.mo"
    subprocess.run(["msgfmt", "-o", compiled, CATALOGUE / "django.po"], check=True)

    with compiled.open("rb") as fresh, (CATALOGUE / "django.mo").open("rb") as committed:
        assert (
            gettext.GNUTranslations(committed)._catalog == gettext.GNUTranslations(fresh)._catalog
        )

"""Korean and English: chosen from Accept-Language, switched with links that work on every
page without JavaScript, with dates and week labels in the reader's language."""

import gettext
import shutil
import subprocess
from pathlib import Path

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


def test_korean_readers_get_korean(client, round_up_week):
    page = parse(client.get("/2021/w05/", HTTP_ACCEPT_LANGUAGE="ko-KR,ko;q=0.9,en;q=0.5"))

    assert page.html["lang"] == "ko"
    assert texts(page, "nav.site-nav a") == ["주간 목록", "주제", "검색"]
    assert text(page.select_one(".week-labels .date-range")) == "2월 1일 – 7일"
    assert texts(page, ".post-meta time")[0] == "2021년 2월 1일"
    assert texts(page, ".kind")[0] == "저장소"
    assert page.select_one("meta[property='og:locale']")["content"] == "ko_KR"


def test_english_readers_get_english(client, round_up_week):
    page = parse(client.get("/2021/w05/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.8"))

    assert page.html["lang"] == "en"
    assert texts(page, "nav.site-nav a") == ["Weeks", "Topics", "Search"]
    # The community's own name for the week stays, marked as Korean for screen readers.
    assert page.select_one(".week-labels .week-label[lang=ko]").string == "2021년 2월 1주차"
    assert text(page.select_one(".week-labels .date-range")) == "1–7 Feb"
    assert texts(page, ".post-meta time")[0] == "Feb. 1, 2021"
    assert texts(page, ".kind")[0] == "Repository"
    assert page.select_one("meta[property='og:locale']")["content"] == "en_US"


def test_an_untitled_week_is_named_in_the_readers_language(client, round_up_week):
    round_up_week.title = ""
    round_up_week.save()

    korean = parse(client.get("/weeks/", HTTP_ACCEPT_LANGUAGE="ko"))
    english = parse(client.get("/weeks/", HTTP_ACCEPT_LANGUAGE="en"))

    assert texts(korean, ".week-row-title") == ["2021년 2월 1주차"]
    assert texts(english, ".week-row-title") == ["Week 5, 2021 · 1–7 Feb"]
    assert texts(english, ".week-row .post-count") == ["3 posts"]


def test_an_unsupported_language_falls_back_to_korean(client, round_up_week):
    page = parse(client.get("/", HTTP_ACCEPT_LANGUAGE="fr-FR,fr;q=0.9"))

    assert page.html["lang"] == "ko"


@pytest.mark.parametrize("url", PAGES)
def test_the_language_switcher_works_on_every_page(round_up_week, url):
    """A plain link, followed as a browser without JavaScript follows it; the page comes back
    in English although its Korean copy is in the cache."""
    browser = Client(HTTP_ACCEPT_LANGUAGE="ko")
    response = browser.get(url)
    switcher = parse(response, status=response.status_code).select_one("nav.language-switcher")
    english = switcher.select_one("a[lang=en]")
    assert (text(english), english["hreflang"]) == ("English", "en")
    assert switcher.select_one("a[lang=ko]")["aria-current"] == "true"

    switched = browser.get(english["href"])

    assert switched.status_code == 302
    assert switched["Location"] == response.wsgi_request.get_full_path()
    assert switched.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    again = browser.get(switched["Location"])
    assert parse(again, status=again.status_code).html["lang"] == "en"


def test_the_switcher_returns_to_the_same_search(round_up_week):
    browser = Client()
    page = parse(browser.get("/search/", {"q": "모델"}))

    switched = browser.get(page.select_one(".language-switcher a[lang=en]")["href"])

    assert switched["Location"] == "/search/?q=%EB%AA%A8%EB%8D%B8"


@pytest.mark.parametrize(
    "next_url", ["https://evil.example/", "//evil.example/", "javascript:alert(1)", ""]
)
def test_the_switcher_never_sends_a_reader_off_the_site(client, db, next_url):
    response = client.get("/language/en/", {"next": next_url})

    assert (response.status_code, response["Location"]) == (302, "/")
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"


def test_an_unknown_language_is_not_found(client, db):
    response = client.get("/language/fr/", {"next": "/"})

    assert response.status_code == 404
    assert settings.LANGUAGE_COOKIE_NAME not in response.cookies


def test_the_language_cookie_is_for_this_site_only(client, db):
    cookie = client.get("/language/en/", {"next": "/"}).cookies[settings.LANGUAGE_COOKIE_NAME]

    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Lax"


def test_switching_language_never_writes_a_session(round_up_week):
    browser = Client()

    browser.get("/language/en/", {"next": "/"})

    assert settings.SESSION_COOKIE_NAME not in browser.cookies


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

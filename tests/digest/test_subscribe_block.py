"""Subscribing in one click: a subscribe block on the home, week and topic pages with the
feeds that page's content comes in, every address readable (Korean as Korean), a link, and
copyable; and the email form."""

from urllib.parse import quote

import pytest

from tests.factories import make_round_up_week
from tests.html import parse, text, texts

pytestmark = pytest.mark.django_db

SITE = "http://testserver"


@pytest.fixture
def week():
    return make_round_up_week()


def subscribe_block(client, url):
    page = parse(client.get(url))
    (block,) = page.select("main section.subscribe")
    return page, block


def addresses(block):
    return [
        (text(row.select_one(".feed-format")), row.select_one("a.feed-address")["href"])
        for row in block.select(".feed-address-row")
    ]


@pytest.mark.parametrize("url", ["/", "/2021/w05/"])
def test_the_home_and_week_pages_offer_the_weeks_feed(client, week, url):
    _page, block = subscribe_block(client, url)

    assert text(block.select_one("h2")) == "주간 구독하기"
    assert addresses(block) == [("RSS", f"{SITE}/feed/"), ("Atom", f"{SITE}/feed/atom/")]
    assert block.select_one("a[href='/feeds/']")


def test_a_topic_page_offers_its_own_feeds_visibly(client, week):
    page, block = subscribe_block(client, quote("/topics/자연어처리/"))

    assert text(block.select_one("h2")) == "자연어처리 구독하기"
    rss = SITE + quote("/topics/자연어처리/feed/")
    atom = SITE + quote("/topics/자연어처리/feed/atom/")
    assert addresses(block) == [("RSS", rss), ("Atom", atom)]
    # Shown as Korean (wrapping after a slash), linked as a valid address.
    assert [link.get_text() for link in block.select("a.feed-address")] == [
        f"{SITE}/topics/자연어처리/feed/",
        f"{SITE}/topics/자연어처리/feed/atom/",
    ]
    # Above the topic's posts, not only in the page's head.
    assert page.select("main section.subscribe, main ol.cards")[0] is block
    for _format, href in addresses(block):
        response = client.get(href.removeprefix(SITE))
        assert response.status_code == 200
        assert response["Content-Type"].startswith(("application/rss+xml", "application/atom+xml"))


def test_english_pages_offer_the_english_feeds(client, week):
    _page, block = subscribe_block(client, "/en/2021/w05/")

    assert text(block.select_one("h2")) == "Follow the weeks"
    assert addresses(block) == [("RSS", f"{SITE}/en/feed/"), ("Atom", f"{SITE}/en/feed/atom/")]


def test_every_address_has_a_copy_button_the_script_reveals(client, week):
    _page, block = subscribe_block(client, "/")

    for row in block.select(".feed-address-row"):
        button = row.select_one("button.copy-address")
        assert button["data-address"] == row.select_one("a.feed-address")["href"]
        assert button.has_attr("hidden")  # shown by static/js/copy-address.js
        assert text(button).startswith("복사")
        assert button["data-copied"] == "복사됨"
    # Each button names which address it copies, for a screen reader.
    assert texts(block, "button .visually-hidden") == ["RSS 주소", "Atom 주소"]


@pytest.mark.parametrize("url", ["/", "/2021/w05/", "/en/"])
def test_the_subscribe_block_offers_email_too(client, week, url):
    """Beside the feeds, the block holds the email form, posting to the subscribe page with no
    CSRF token (the page is cached for every reader), before the link to every feed."""
    _, block = subscribe_block(client, url)
    (form,) = block.select("form.subscribe-form")
    assert form["action"] == ("/en/subscribe/" if url.startswith("/en/") else "/subscribe/")
    assert form.select_one("input[name=email][type=email][required]")
    assert not form.select("input[name=csrfmiddlewaretoken]")
    assert [child.name for child in block.find_all(recursive=False)][-2:] == ["form", "p"]


def test_a_topic_pages_email_form_offers_only_that_topic(client, week):
    topic = week.posts.first().topics.first()
    _, block = subscribe_block(client, topic.get_absolute_url())
    (choice,) = block.select("form.subscribe-form input[name=topics]")
    assert choice["value"] == topic.slug

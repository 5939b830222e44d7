"""The curator's week in a real browser: two posts from the bookmarklet to the public page and
the feed, counting every click, keystroke-filled field and page opened along the way."""

import re
from urllib.parse import urlencode

import feedparser
import pytest
from django.utils import timezone
from playwright.sync_api import expect

from archive.weeks import IsoWeek
from tests import factories

pytestmark = pytest.mark.browser

# What the bookmarklet sends from two community threads, tracking parameters and all.
THREADS = [
    {
        "url": "https://www.facebook.com/groups/TensorFlowKR/permalink/101/"
        "?fbclid=IwAR0abc&utm_source=facebook&utm_medium=social",
        "title": "한국어 LLM 평가 모음",
        "text": "한국어 모델을 비교한 표를 공유합니다.",
    },
    {
        "url": "https://www.facebook.com/groups/TensorFlowKR/permalink/102/?utm_campaign=share",
        "title": "Diffusion models explained, in Korean",
        "text": "",
    },
]
CLEAN_SOURCE = "https://www.facebook.com/groups/TensorFlowKR/permalink/101/"
INTRO = "이번 주는 평가와 생성 모델 이야기입니다."
SECOND_SUMMARY = "확산 모델의 원리를 한국어로 차근차근 풀어 쓴 글입니다."


class CountedSteps:
    """Drives the page as the curator does, counting each action: a page opened, a click, a
    field filled, an option chosen. The count is the journey's cost, and we want it small."""

    def __init__(self, page):
        self.page = page
        self.actions = 0

    def open(self, path):
        self.actions += 1
        return self.page.goto(path)

    def click(self, locator):
        self.actions += 1
        locator.click()

    def fill(self, locator, text):
        self.actions += 1
        locator.fill(text)

    def choose(self, locator, value):
        self.actions += 1
        locator.select_option(value)

    def fetch(self, path):
        """What a feed reader does: Chromium would download a feed rather than show it."""
        self.actions += 1
        return self.page.request.get(path).body()


def bookmarklet_path(thread):
    """The address the bookmarklet opens (see archive/templatetags/curator_tools.py)."""
    return f"/admin/archive/post/add/?{urlencode(thread)}"


def test_two_posts_from_bookmarklet_to_public_week_and_feed(new_context, site, curator, capsys):
    week = IsoWeek.of(timezone.localdate())
    page = new_context(locale="en-US").new_page()
    steps = CountedSteps(page)

    # Clicked while logged out: the admin asks who it is, then shows the prefilled form.
    steps.open(bookmarklet_path(THREADS[0]))
    steps.fill(page.get_by_label("Username"), curator.username)
    steps.fill(page.get_by_label("Password"), factories.PASSWORD)
    steps.click(page.get_by_role("button", name="Log in"))
    expect(page.get_by_label("Title")).to_have_value(THREADS[0]["title"])
    expect(page.get_by_label("Source")).to_have_value(THREADS[0]["url"])
    expect(page.get_by_label("Summary")).to_have_value(f"> {THREADS[0]['text']}")
    steps.fill(page.get_by_label("Topics"), "NLP, 한국어, 평가")
    steps.click(page.get_by_role("button", name="Save", exact=True))
    expect(page.locator(".messagelist .success")).to_have_count(1)

    # Nothing was selected on the second thread: the curator writes its summary.
    steps.open(bookmarklet_path(THREADS[1]))
    steps.fill(page.get_by_label("Summary"), SECOND_SUMMARY)
    steps.click(page.get_by_role("button", name="Save", exact=True))
    expect(page.locator(".messagelist .success")).to_have_count(1)

    # Both landed in this week's draft week in the order saved; the first moves to the end.
    steps.click(page.locator("#nav-sidebar .model-week th a"))
    steps.click(page.locator("#result_list tr", has_text=week.iso_label).locator("th a"))
    rows = page.locator("#posts-group tr.form-row")
    expect(rows.locator("td.field-title")).to_have_text([t["title"] for t in THREADS])
    steps.fill(rows.filter(has_text=THREADS[0]["title"]).get_by_label("Position"), "2")
    steps.fill(page.get_by_label("Intro"), INTRO)
    steps.choose(page.get_by_label("Status"), "published")
    steps.click(page.get_by_role("button", name="Save", exact=True))

    # Before anything goes out, the admin shows what will: both posts, and the feeds.
    expect(page.locator(".publication ol.going-out li")).to_have_count(2)
    expect(page.locator(".publication ul.feeds")).to_contain_text("평가")
    steps.click(page.get_by_role("button", name="Yes, publish"))
    expect(page.locator(".messagelist .success")).to_have_count(1)

    # Readers see the week in the new order, with the intro, the topics and a clean source.
    steps.click(page.locator(".object-tools").get_by_role("link", name="View on site"))
    expect(page).to_have_url(re.compile(f"/{week.year}/w{week.number:02d}/$"))
    expect(page.locator(".week-intro")).to_have_text(INTRO)
    expect(page.locator(".posts .post-title")).to_have_text(
        [THREADS[1]["title"], THREADS[0]["title"]]
    )
    korean_post = page.locator(".posts > li").nth(1)
    # The browser asks for English, so "View on site" lands on the English page, where the
    # demo's 한국어 topic goes by its English name.
    expect(page).to_have_url(re.compile(f"/en/{week.year}/w{week.number:02d}/$"))
    expect(korean_post.locator(".chips a")).to_have_text(["NLP", "평가", "Korean"])
    expect(korean_post.locator("a.source")).to_have_attribute("href", CLEAN_SOURCE)

    # And so does a feed reader, newest week first.
    feed = feedparser.parse(steps.fetch("/feed/"))
    assert feed.bozo == 0
    newest = feed.entries[0]
    assert newest.link.endswith(f"/{week.year}/w{week.number:02d}/")
    content = newest.content[0].value
    assert INTRO in content
    assert content.index(THREADS[1]["title"]) < content.index(THREADS[0]["title"])

    with capsys.disabled():
        print(f"\nCurator journey, bookmarklet to feed: {steps.actions} browser actions")
    # The path as it stands; a change that makes the same week cost more steps fails here.
    assert steps.actions <= 18


def test_the_topic_field_suggests_existing_topics_as_the_curator_types(
    new_context, log_in, site, curator
):
    page = new_context(locale="ko-KR").new_page()
    log_in(page.context, curator)
    page.goto("/admin/archive/post/add/")
    field = page.locator("#id_topics")
    expect(field).to_have_attribute("list", "id_topics-suggestions")

    field.press_sequentially("NLP, 자연")

    options = page.locator("#id_topics-suggestions option")
    expect(options.first).to_have_attribute("value", "NLP, 자연어처리")
    field.fill("NLP, 자연어처리")
    expect(field).to_have_value("NLP, 자연어처리")  # still a plain text field

"""A reader's visit in a real browser: the pages on a phone, in dark mode, by keyboard alone."""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from tests.e2e.pages import (
    BACKGROUND,
    DESKTOP,
    OVERFLOWING,
    PHONE,
    READER_PAGES,
    VISIBLE_LINKS,
    screenshot_folder,
    tab_through,
    visit,
)

pytestmark = pytest.mark.browser


def test_reader_journey_on_a_phone(new_context, site):
    """Home → week → post → topic → search → English → archive, by tapping links, on a
    375 px phone that arrives speaking Korean; no page needs scrolling sideways."""
    page = new_context(viewport=PHONE, is_mobile=True, has_touch=True, locale="ko-KR").new_page()

    def arrived(path, heading):
        expect(page).to_have_url(re.compile(re.escape(path) + "$"))
        expect(page.locator("h1")).to_have_text(heading)
        assert page.evaluate(OVERFLOWING) == []

    visit(page, "/")
    expect(page.locator("html")).to_have_attribute("lang", "ko")
    page.locator(".week-title").get_by_role("link").click()
    arrived(site.week.get_absolute_url(), site.week.display_title)

    page.locator(".posts .post-title").get_by_role("link").first.click()
    arrived(site.post.get_absolute_url(), site.post.title)

    # Not exact: a chip's accessible name starts with the "#" its stylesheet draws.
    page.locator(".post .chips").get_by_role("link", name=site.topic.name).click()
    arrived(reverse("digest:topic", args=[site.topic.slug]), site.topic.name)
    expect(page.locator(".card-title").filter(has_text=site.post.title)).to_have_count(1)

    page.locator(".site-nav").get_by_role("link", name="검색").click()
    page.get_by_role("searchbox").fill("모델")
    page.get_by_role("searchbox").press("Enter")
    arrived("/search/?q=%EB%AA%A8%EB%8D%B8&topic=", "검색")
    expect(page.locator(".card-title").filter(has_text=site.post.title)).to_have_count(1)

    page.locator(".language-switcher").get_by_role("link", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    arrived("/search/?q=%EB%AA%A8%EB%8D%B8&topic=", "Search")

    page.locator(".site-nav").get_by_role("link", name="Weeks").click()
    arrived("/weeks/", "All weeks")
    expect(page.locator(".week-list > li")).to_have_count(2)


def test_week_page_screenshots(new_context, site):
    """Desktop, phone and dark renderings of the week page, for people to look at (the files go
    to JUGAN_SCREENSHOTS; CI keeps them)."""
    folder = screenshot_folder()
    for name, options in [
        ("week-desktop", {"viewport": DESKTOP}),
        ("week-mobile", {"viewport": PHONE, "is_mobile": True, "has_touch": True}),
        ("week-dark", {"viewport": DESKTOP, "color_scheme": "dark"}),
    ]:
        page = new_context(**options).new_page()
        visit(page, site.week.get_absolute_url())
        image = page.screenshot(full_page=True, path=folder / f"{name}.png" if folder else None)
        assert image.startswith(b"\x89PNG")


@pytest.mark.parametrize("name", READER_PAGES)
def test_no_horizontal_scrolling_on_a_phone(new_context, site, name):
    page = new_context(viewport=PHONE, is_mobile=True, has_touch=True).new_page()
    visit(page, READER_PAGES[name](site))
    assert page.evaluate(OVERFLOWING) == []


@pytest.mark.parametrize("name", READER_PAGES)
def test_dark_mode_changes_the_background(new_context, site, name):
    backgrounds = {}
    for scheme in ["light", "dark"]:
        page = new_context(color_scheme=scheme).new_page()
        visit(page, READER_PAGES[name](site))
        backgrounds[scheme] = page.evaluate(BACKGROUND)
    assert backgrounds["dark"] != backgrounds["light"], backgrounds


@pytest.mark.parametrize("name", READER_PAGES)
def test_keyboard_reaches_every_link_with_a_visible_focus(page, site, name):
    visit(page, READER_PAGES[name](site))
    links = page.evaluate(VISIBLE_LINKS)
    stops = tab_through(page)
    reached = {stop["link"] for stop in stops}
    assert [link for link in links if link["index"] not in reached] == []
    assert [stop for stop in stops if not (stop["focusVisible"] and stop["drawn"])] == []

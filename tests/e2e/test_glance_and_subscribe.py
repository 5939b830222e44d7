"""In a real browser: a week page's first screen shows its contents, whose links lead to the
posts; a folded summary opens; a feed address is copied with one click and still selectable
without the script."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from tests.e2e.pages import DESKTOP, PHONE, visit

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_the_first_screen_of_a_week_shows_what_is_inside(new_context, site, viewport):
    page = new_context(viewport=viewport).new_page()
    visit(page, site.week.get_absolute_url())

    contents = page.locator("nav.week-contents")
    entries = contents.locator("ol.contents-list > li")
    expect(entries).to_have_count(site.week.posts.published().count())
    # The title, the post count and reading time and the first entries, before any scrolling.
    height = viewport["height"]
    for element in (contents.locator(".week-facts"), entries.first):
        box = element.bounding_box()
        assert box["y"] + box["height"] <= height, (element, box)

    # A title in the contents leads to its post.
    entries.nth(1).get_by_role("link").click()
    second = page.locator("ol.posts > li").nth(1)
    expect(page).to_have_url(f"{page.url.split('#')[0]}#{second.get_attribute('id')}")
    expect(second).to_be_in_viewport()


def test_a_folded_summary_opens_in_place(page, site):
    visit(page, site.week.get_absolute_url())

    folded = page.locator("ol.posts details.summary-more").first
    rest = folded.locator(".prose")
    expect(rest).to_be_hidden()
    folded.locator("summary").click()
    expect(rest).to_be_visible()
    expect(folded).to_have_attribute("open", "")


def test_a_feed_address_is_copied_with_one_click(new_context, site):
    context = new_context(locale="ko-KR", permissions=["clipboard-read", "clipboard-write"])
    page = context.new_page()
    visit(page, f"/topics/{site.topic.slug}/")

    row = page.locator("section.subscribe .feed-address-row").first
    address = row.locator("a.feed-address")
    # Readable: the topic's Korean name, not percent-encoding.
    expect(address).to_contain_text(f"/topics/{site.topic.slug}/feed/")
    button = row.get_by_role("button")
    expect(button).to_be_visible()
    button.click()

    expected = page.evaluate("(link) => link.href", address.element_handle())
    assert page.evaluate("() => navigator.clipboard.readText()") == expected
    expect(button).to_contain_text("복사됨")
    expect(page.get_by_role("status")).to_have_text("복사됨")


def test_without_the_script_addresses_are_selectable_text(new_context, site):
    page = new_context(java_script_enabled=False).new_page()
    visit(page, reverse("digest:feeds"))

    expect(page.locator("button.copy-address").first).to_be_hidden()
    address = page.locator(".feed-address").first
    expect(address).to_be_visible()
    assert address.evaluate("(link) => getComputedStyle(link).userSelect") != "none"

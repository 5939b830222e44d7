"""A reader's visit in a real browser: the pages on a phone, in dark mode, by keyboard alone."""

import pytest

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

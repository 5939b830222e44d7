"""The curator's new admin pages in a real browser: the week board reordered by dragging and by
the keyboard, the Markdown preview, and axe-core on every new page (the board, a week started by
a day, merging topics, the post form with its preview shown)."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from archive.models import Topic, Week
from tests.factories import make_post, make_week

pytestmark = pytest.mark.browser


@pytest.fixture
def week(transactional_db):
    week = make_week(2021, 5, intro="")
    for position, title in enumerate(["첫째 글", "둘째 글", "셋째 글"]):
        make_post(title, week=week, position=position, summary="요약", topics=["NLP"])
    make_post("다른 글", week=make_week(2021, 6), topics=["자연어처리"])
    return week


@pytest.fixture
def curator_page(new_context, log_in, week, curator):
    """A curator's page, CSP off only for axe (see the `axe` fixture)."""

    def open_page(bypass_csp=False):
        context = new_context(locale="en-US", bypass_csp=bypass_csp)
        log_in(context, curator)
        return context.new_page()

    return open_page


def titles(week):
    return list(week.posts.in_reading_order().values_list("title", flat=True))


def board_url(week):
    return reverse("admin:archive_week_board", args=[week.pk])


def test_a_post_dragged_to_its_place_is_saved_there(curator_page, week):
    page = curator_page()
    page.goto(board_url(week))
    posts = page.locator(".board-post")

    posts.nth(2).drag_to(posts.nth(0), target_position={"x": 10, "y": 3})

    expect(page.locator(".board-title")).to_have_text(["셋째 글", "첫째 글", "둘째 글"])
    expect(page.locator("#board-announce")).to_have_text("“셋째 글” is now number 1.")
    expect(page.locator(".board-position")).to_have_text(["1.", "2.", "3."])
    assert titles(week) == ["셋째 글", "첫째 글", "둘째 글"]
    page.reload()
    expect(page.locator(".board-title")).to_have_text(["셋째 글", "첫째 글", "둘째 글"])


def test_the_move_buttons_work_from_the_keyboard(curator_page, week):
    page = curator_page()
    page.goto(board_url(week))

    page.get_by_role("button", name="Move “첫째 글” down").focus()
    page.keyboard.press("Enter")

    expect(page.locator(".board-title")).to_have_text(["둘째 글", "첫째 글", "셋째 글"])
    # Focus is back on the same button after the round trip: Enter again moves it again.
    expect(page.get_by_role("button", name="Move “첫째 글” down")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator(".board-title")).to_have_text(["둘째 글", "셋째 글", "첫째 글"])
    assert titles(week) == ["둘째 글", "셋째 글", "첫째 글"]


def test_the_markdown_preview_shows_the_text_as_readers_will(curator_page, week):
    page = curator_page()
    page.goto(reverse("admin:archive_post_add"))

    page.get_by_label("Summary").fill(
        "**굵게** 쓴 요약과 [링크](https://example.com/?utm_source=x)"
    )
    page.locator("#id_summary").locator("xpath=following-sibling::button[1]").click()

    preview = page.locator("#id_summary-preview")
    expect(preview.locator("strong")).to_have_text("굵게")
    expect(preview.locator("a")).to_have_attribute("href", "https://example.com/")


def test_every_new_admin_page_is_clean_for_axe(curator_page, week, axe):
    page = curator_page(bypass_csp=True)
    Topic.objects.create(name="nlp-ko")
    pages = {}

    page.goto(board_url(week))
    pages["week board"] = axe(page)

    page.goto(reverse("admin:archive_week_add"))
    expect(page.get_by_label("A day of the week")).to_be_visible()
    pages["new week"] = axe(page)

    page.goto(reverse("admin:archive_week_change", args=[week.pk]))
    page.locator("#id_intro").locator("xpath=following-sibling::button[1]").click()
    expect(page.locator("#id_intro-preview")).to_be_visible()
    pages["week with a preview"] = axe(page)

    page.goto(reverse("admin:archive_post_add"))
    page.get_by_label("Summary").fill("> 인용과 **강조**")
    page.locator("#id_summary").locator("xpath=following-sibling::button[1]").click()
    expect(page.locator("#id_summary-preview blockquote")).to_be_visible()
    pages["post with a preview"] = axe(page)

    page.goto(reverse("admin:archive_topic_changelist"))
    for name in ("NLP", "nlp-ko"):
        page.get_by_role(
            "checkbox", name=f"Select this object for an action - {name}", exact=True
        ).check()
    page.get_by_label("Action:").select_option("merge")
    page.get_by_role("button", name="Go").click()
    expect(page.get_by_role("button", name="Merge")).to_be_visible()
    pages["merge topics"] = axe(page)

    page.goto(reverse("admin:index"))
    pages["home with week boards"] = axe(page)

    assert {name: found for name, found in pages.items() if found} == {}
    assert Week.objects.count() == 2

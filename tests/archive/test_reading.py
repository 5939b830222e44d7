"""Reading time and the fold of a long summary, worked out from rendered HTML when saved."""

import pytest

from archive.models import Post
from archive.reading import (
    LONG_SUMMARY_CHARACTERS,
    reading_minutes,
    reading_seconds,
    split_summary,
)
from archive.rendering import render_markdown
from tests.factories import make_post, make_week

LONG_PARAGRAPH = "긴 문단입니다. " * 40  # well past LONG_SUMMARY_CHARACTERS


def test_korean_reads_by_characters_and_english_by_words():
    # 500 Korean syllables and 230 English words: a minute each.
    assert reading_seconds("<p>" + "가" * 500 + "</p>") == 60
    assert reading_seconds("<p>" + "word " * 230 + "</p>") == 60
    assert reading_seconds("<p>" + "가" * 250 + "</p>", "<p>" + "word " * 115 + "</p>") == 60
    assert reading_seconds("") == 0
    # Markup and escapes are not read.
    assert reading_seconds('<p><a href="https://example.com/very/long">a</a> &amp;</p>') == 1


def test_any_text_reads_in_at_least_a_minute():
    assert reading_minutes(0) == 0
    assert reading_minutes(1) == 1
    assert reading_minutes(61) == 2


def test_a_short_summary_is_shown_whole():
    html = render_markdown("첫 문단.\n\n둘째 문단.")
    assert split_summary(html) == (html, "")


def test_a_long_summary_of_one_block_is_shown_whole():
    html = render_markdown(LONG_PARAGRAPH)
    assert split_summary(html) == (html, "")


def test_a_long_summary_folds_after_its_first_paragraph():
    html = render_markdown(
        f"First paragraph with a [link](https://example.com/).\n\n{LONG_PARAGRAPH}\n\n"
        "> a quote\n\n- one\n- two"
    )
    lead, rest = split_summary(html)

    assert (
        lead
        == '<p>First paragraph with a <a href="https://example.com/" rel="nofollow noopener">link</a>.</p>'
    )
    assert rest.startswith("<p>긴 문단입니다.") and rest.endswith("</ul>")
    assert lead + "\n" + rest == html


def test_a_heading_stays_with_the_paragraph_after_it():
    html = render_markdown(f"## 요약\n\n첫 문단.\n\n{LONG_PARAGRAPH}")
    lead, rest = split_summary(html)

    assert lead == "<h2>요약</h2>\n<p>첫 문단.</p>"
    assert rest.startswith("<p>긴 문단")


def test_nested_blocks_and_line_breaks_split_only_at_the_top_level():
    html = render_markdown(
        "> quote one  \n> still the quote\n>\n> - nested\n\n"
        + "```\ncode <b>kept</b>\n```\n\n"
        + LONG_PARAGRAPH
    )
    lead, rest = split_summary(html)

    assert lead.startswith("<blockquote>") and lead.endswith("</blockquote>")
    assert "<br>" in lead and "<li>nested</li>" in lead
    assert rest.startswith("<pre><code>code &lt;b&gt;kept&lt;/b&gt;")


@pytest.mark.django_db
def test_saving_a_post_stores_its_fold_and_reading_time():
    post = make_post(summary=f"첫 문단.\n\n{LONG_PARAGRAPH}", commentary="word " * 230)

    post.refresh_from_db()
    assert post.summary_lead_html == "<p>첫 문단.</p>"
    assert post.summary_more_html.startswith("<p>긴 문단")
    assert post.reading_seconds == reading_seconds(post.summary_html, post.commentary_html)
    long_read = post.reading_seconds
    assert long_read > 60

    # Any save keeps them true, one naming only the summary too.
    post.summary = "짧아졌습니다."
    post.save(update_fields=["summary"])
    post.refresh_from_db()
    assert (post.summary_lead_html, post.summary_more_html) == ("<p>짧아졌습니다.</p>", "")
    assert post.reading_seconds == reading_seconds(post.summary_html, post.commentary_html)
    assert post.reading_seconds < long_read


@pytest.mark.django_db
def test_saving_a_week_stores_the_reading_time_of_its_intro_and_outro():
    week = make_week(intro="가" * 500, outro="가" * 250)
    week.refresh_from_db()
    assert week.reading_seconds == 90


def test_the_threshold_is_the_summary_as_read():
    # Markup does not count towards the length: only what a reader reads.
    short = "<p>" + "가" * (LONG_SUMMARY_CHARACTERS // 2) + "</p>"
    html = short + '\n<p><a href="https://example.com/' + "x" * 500 + '">짧음</a></p>'
    assert split_summary(html) == (html, "")
    assert Post._meta.get_field("summary_more_html").editable is False

import pytest

from archive.markdown_urls import normalize_markdown_urls
from archive.rendering import render_markdown
from tests.html import parse_html

FACEBOOK = "https://www.facebook.com/groups/TensorFlowKR/permalink/1/"


@pytest.mark.parametrize(
    "written, saved",
    [
        # Every place a reader follows an address from.
        (
            "공개([github link](https://github.com/a/b?fbclid=IwAR2))",
            "공개([github link](https://github.com/a/b))",
        ),
        (
            '[논문](https://arxiv.org/abs/1?utm_source=x "제목")',
            '[논문](https://arxiv.org/abs/1 "제목")',
        ),
        ("[x](<https://example.com/a?gclid=1>)", "[x](<https://example.com/a>)"),
        ("<https://youtu.be/abc?si=Xy&t=42>", "<https://youtu.be/abc?t=42>"),
        ('[id]: https://example.com/?fbclid=1 "t"', '[id]: https://example.com/ "t"'),
        ('<a href="https://example.com/?fbclid=1">x</a>', '<a href="https://example.com/">x</a>'),
        ("<a href='https://example.com/?fbclid=1'>x</a>", "<a href='https://example.com/'>x</a>"),
        (
            "see https://m.facebook.com/groups/TensorFlowKR/permalink/1/?fbclid=x.",
            f"see {FACEBOOK}.",
        ),
        ("[https://x.com/a?s=20](https://x.com/a?s=20)", "[https://x.com/a](https://x.com/a)"),
        # The same normalisation as a Link's: scheme and host case, host aliases, encoding.
        ("[a](HTTPS://GitHub.COM/A/B)", "[a](https://github.com/A/B)"),
        (
            "[위키](https://ko.wikipedia.org/wiki/자연어)",
            "[위키](https://ko.wikipedia.org/wiki/%EC%9E%90%EC%97%B0%EC%96%B4)",
        ),
        # A fragment says where on the page: kept.
        (
            "[설치](https://github.com/a/b?utm_source=x#installation)",
            "[설치](https://github.com/a/b#installation)",
        ),
        # A bare address ends where an address cannot go on, and before trailing punctuation.
        ("**https://x.com/a?fbclid=1**", "**https://x.com/a**"),
        ("(https://en.wikipedia.org/wiki/A_(b)?fbclid=2)", "(https://en.wikipedia.org/wiki/A_(b))"),
        ("https://example.com/a?fbclid=1에서 확인", "https://example.com/a에서 확인"),
        ("https://example.com?fbclid=1, 그리고", "https://example.com, 그리고"),
        ("https://exa\u200bmple.com/", "https://exa\u200bmple.com/"),
        # Line endings stay as they were.
        ("첫 줄\r\nhttps://x.com/?fbclid=1\r\n", "첫 줄\r\nhttps://x.com/\r\n"),
    ],
)
def test_addresses_are_saved_in_their_normal_form(written, saved):
    assert normalize_markdown_urls(written) == saved
    assert normalize_markdown_urls(saved) == saved


@pytest.mark.parametrize(
    "text",
    [
        # Code, as Python-Markdown reads it.
        "`https://x.com/?fbclid=1`",
        "``a ` https://x.com/?fbclid=1``",
        "```\nhttps://x.com/?fbclid=1\n```",
        "~~~python\nurl = 'https://x.com/?fbclid=1'\n~~~",
        "```\r\nhttps://x.com/?fbclid=1\r\n```\r\n",
        "문단\n\n    curl https://x.com/?fbclid=1\n\n    https://x.com/?utm_source=a",
        "    https://x.com/?fbclid=1",
        "> 인용\n\n    https://x.com/?fbclid=1",
        # Other schemes, relative links, addresses that are not valid.
        "[메일](mailto:a@example.com?subject=fbclid) [글](/posts/a/?fbclid=1) [앵커](#top)",
        "[잘림](https://example.com:99999/?fbclid=1) https://[::1/?fbclid=1 http://",
        "ftp://example.com/?fbclid=1 javascript:alert(1)",
        # Clean already.
        "https://example.com/ [a](https://github.com/a/b) 그리고 <https://arxiv.org/abs/1>",
        "",
    ],
)
def test_code_other_links_and_clean_addresses_stay_as_written(text):
    assert normalize_markdown_urls(text) == text


@pytest.mark.parametrize(
    "text, cleaned",
    [
        ("- 항목\n\n    https://x.com/?fbclid=1", "- 항목\n\n    https://x.com/"),
        ("`코드` https://x.com/?fbclid=1 `코드`", "`코드` https://x.com/ `코드`"),
        ("\\`https://x.com/?fbclid=1`", "\\`https://x.com/`"),
        (
            "```\nhttps://x.com/?fbclid=1\n```\n\nhttps://x.com/?fbclid=1",
            "```\nhttps://x.com/?fbclid=1\n```\n\nhttps://x.com/",
        ),
        ("``` unclosed\nhttps://x.com/?fbclid=1", "``` unclosed\nhttps://x.com/"),
    ],
)
def test_text_around_code_is_prose(text, cleaned):
    """A list item's indented paragraph, a run of backticks with no partner and an unclosed
    fence are text to Python-Markdown, so their addresses are links."""
    assert normalize_markdown_urls(text) == cleaned


def test_what_is_left_as_code_is_what_the_renderer_shows_as_code():
    text = (
        "문단 `https://a.example.com/?fbclid=1`\n\n"
        "```\nhttps://b.example.com/?fbclid=1\n```\n\n"
        "    https://c.example.com/?fbclid=1\n\n"
        "[링크](https://d.example.com/?fbclid=1) https://e.example.com/?fbclid=1"
    )

    html = parse_html(render_markdown(normalize_markdown_urls(text)))

    codes = [code.text.strip() for code in html.find_all("code")]
    assert codes == [
        "https://a.example.com/?fbclid=1",
        "https://b.example.com/?fbclid=1",
        "https://c.example.com/?fbclid=1",
    ]
    assert [a["href"] for a in html.find_all("a")] == [
        "https://d.example.com/",
        "https://e.example.com/",
    ]

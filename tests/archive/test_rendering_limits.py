"""Markdown that would make Python-Markdown recurse too deep or read the same text over and over
is refused with a message saying what to change, and whatever is stored still renders, fast.

Before these limits, 2,000 nested list markers raised RecursionError (a 500 on save) and 20 KB
of `[` took over a minute to render. The table of accepted texts below is the measurement of the
worst cases each limit lets through: on the 2-core machine they were written on, each renders in
at most ~0.6 s, against a generous budget here so that a slow CI runner does not fail them.
"""

import sys
import time

import pytest
from django.utils import translation

from archive.markdown_limits import (
    MARKDOWN_MAX_LENGTH,
    MAX_ANGLE_BRACKETS,
    MAX_LINES,
    MAX_NESTING,
    markdown_problem,
)
from archive.rendering import render_markdown
from tests.factories import ROUND_UP_INTRO, ROUND_UP_OUTRO, ROUND_UP_POSTS
from tests.html import parse_html

RENDER_BUDGET_SECONDS = 3.0
CHECK_BUDGET_SECONDS = 0.25


@pytest.fixture(autouse=True)
def english():
    """The messages below are quoted in English; the Korean catalogue is tested on its own."""
    with translation.override("en"):
        yield


def filled(unit, length=MARKDOWN_MAX_LENGTH):
    """`unit` repeated up to `length` characters."""
    return (unit * (length // len(unit) + 1))[:length]


def timed(function, *args):
    start = time.perf_counter()
    result = function(*args)
    return result, time.perf_counter() - start


REFUSED = [
    # Nesting: Python-Markdown recurses once per level of lists (quotes stop near the limit).
    pytest.param("- " * 2000 + "x", "Line 1 nests", id="2000 nested list markers"),
    pytest.param("* " * 2000 + "x", "Line 1 nests", id="2000 nested bullets"),
    pytest.param("1. " * 1000 + "x", "Line 1 nests", id="1000 nested numbered lists"),
    pytest.param("> " * 2000 + "x", "Line 1 nests", id="2000 nested quotes"),
    pytest.param("> - " * 600 + "x", "Line 1 nests", id="quotes and lists"),
    pytest.param(
        "".join("    " * level + "- " * 10 + "x\n" for level in range(15)),
        "Line 12 nests",
        id="indented markers continue outer items",
    ),
    # Brackets: every unclosed `[` is read to the end of its paragraph, by three patterns.
    pytest.param("[" * 20_000, "“[” on line 1", id="20 KB of ["),
    pytest.param("[a](" * 1000, "on line 1", id="1000 unclosed link addresses"),
    pytest.param("![" * 10_000, "“[” on line 1", id="unclosed images"),
    pytest.param('[a]("x) ' * 2500, "“(” on line 1", id="titles that never close"),
    pytest.param("[" * 10_000 + "]" * 10_000, "“[” on line 1", id="10,000 nested brackets"),
    pytest.param("http://[" * 2500, "“[” on line 1", id="bare addresses with ["),
    pytest.param("x\n" * 5 + "- [" * 2000, "“[” on line 6", id="the line is counted"),
    pytest.param("[\\\\" * 2000, "“[” on line 1", id="escapes lengthen what is read"),
    pytest.param(filled("`["), "on line 1", id="backticks and brackets"),
    # Backticks: each run looks for its closing run, at worst to the end.
    pytest.param(filled("```(" + "`" * 9), "“`” on line 1", id="misaligned backtick runs"),
    pytest.param(filled("`a"), "“`” on line 1", id="unclosed code spans"),
    pytest.param("```x\n" * (MAX_LINES - 1), "“`” on line 1", id="fences that never close"),
    # Many lines or tags: the tables extension and html5lib are quadratic in them.
    pytest.param("a\n" * MAX_LINES + "a", "1001 lines", id="too many lines"),
    pytest.param("|\n" * 10_000, "lines", id="a table of 10,000 rows"),
    pytest.param("<a " * (MAX_ANGLE_BRACKETS + 1), "501 “<”", id="unclosed tags"),
    pytest.param("<ol><li>" * 2500, "“<”", id="deeply nested HTML"),
    pytest.param("x" * (MARKDOWN_MAX_LENGTH + 1), "20001 characters", id="over-long"),
]


@pytest.mark.parametrize("text, words", REFUSED)
def test_costly_markdown_is_refused_saying_where(text, words):
    problem, seconds = timed(markdown_problem, text)

    assert problem and words in problem, problem
    assert seconds < CHECK_BUDGET_SECONDS


@pytest.mark.parametrize("text, words", REFUSED)
def test_refused_markdown_still_renders_at_once_as_plain_text(text, words):
    html, seconds = timed(render_markdown, text)

    assert seconds < CHECK_BUDGET_SECONDS * 4
    assert {element.name for element in parse_html(html).find_all(True)} <= {"p", "br"}
    assert parse_html(html).text.replace("\n", "") == text.strip().replace("\n", "")


def largest_accepted(unit):
    """`unit` repeated as often as markdown_problem accepts, up to the length limit."""
    low, high = 0, MARKDOWN_MAX_LENGTH // len(unit)
    while low < high:
        middle = (low + high + 1) // 2
        if markdown_problem(unit * middle):
            high = middle - 1
        else:
            low = middle
    return unit * low


# The costliest shapes found by measuring each limit and by a random search over repeated
# Markdown punctuation; each at the largest size the limits accept.
COSTLIEST_ACCEPTED = [
    "[",
    "`[",
    "[`",
    "[a][",
    '[a]("x) ',
    "```(`````````",
    "***a",
    "*a* ",
    "&",
    "_](_)",
    "|\n",
    "<ol><li>",
    "```\nx\n```\n",
]


@pytest.mark.parametrize("unit", COSTLIEST_ACCEPTED)
def test_the_costliest_accepted_markdown_renders_within_budget(unit):
    text = largest_accepted(unit)
    assert len(text) > 500  # the limits leave room for real text of this kind

    _html, seconds = timed(render_markdown, text)

    assert seconds < RENDER_BUDGET_SECONDS, f"{len(text)} characters took {seconds:.2f} s"


def test_real_weeks_are_far_from_every_limit():
    texts = [ROUND_UP_INTRO, ROUND_UP_OUTRO] + [
        post[field] for post in ROUND_UP_POSTS for field in ("summary", "commentary")
    ]
    links = "\n".join(
        f"- [링크 {number} (설명)](https://example.com/{number}?a=1&b=2) `code {number}`"
        for number in range(150)
    )
    quotes = "\n".join("> " * depth + f"인용 {depth}" for depth in range(1, 6))
    code = "```python\n" + "\n".join(f"x[{n}] = y[{n}] + '`'" for n in range(300)) + "\n```"
    assert len(links + quotes + code) < MARKDOWN_MAX_LENGTH

    for text in [*texts, links, quotes, code, "\n\n".join([links, quotes, code])]:
        assert markdown_problem(text) is None


def test_the_imported_sample_week_is_far_from_every_limit(tensorflowkr_sample):
    assert markdown_problem(tensorflowkr_sample.read_text()) is None


def test_nesting_up_to_the_limit_renders_as_markdown():
    html = render_markdown("- " * MAX_NESTING + "x")

    assert len(parse_html(html).find_all("ul")) == MAX_NESTING


def test_rendering_never_raises_however_deep_the_caller_already_is():
    def at_depth(levels):
        if levels:
            return at_depth(levels - 1)
        return render_markdown("- " * MAX_NESTING + "x")

    depth = sys.getrecursionlimit() - 60

    html = at_depth(depth)

    assert "x" in html


def test_windows_line_ends_are_lines_once():
    assert markdown_problem("a\r\n" * (MAX_LINES - 1) + "a") is None

"""Markdown that would cost Python-Markdown too much to render, found before it is rendered.

Python-Markdown recurses once per level of nested lists, and on some shapes of text it and
html5lib do work that grows with the square of the text's length: a run of unclosed `[` makes
every one of them read to the end of its paragraph. `markdown_problem` finds those shapes in one
pass with limits no real week comes near (tests/archive/test_rendering_limits.py measures the
worst text each limit lets through), so the admin and the importer refuse such a text with a
message saying what to change, and `archive.rendering.render_markdown` shows it as plain text
instead of letting one save pin a worker for minutes.

This module mirrors how Python-Markdown reads a text (which patterns read how far, what it sets
aside before its inline patterns run, which placeholders it swaps in): it depends on that
library's internals. Checked against Python-Markdown 3.11 (3.11.3, the version constraints.txt
installs), which pyproject.toml's bound `Markdown>=3.11,<3.12` holds to; a new Markdown release
means running tests/archive/test_rendering_limits.py against it before widening the bound.
"""

import re
from bisect import bisect_left

from django.utils.translation import gettext as _
from markdown.extensions.fenced_code import FencedBlockPreprocessor

# Long enough for any real week (the longest hand-written item we have seen is ~2,000
# characters), short enough that a runaway paste is a form error rather than a slow page.
MARKDOWN_MAX_LENGTH = 20_000
# Real weeks nest quotes and lists three or four deep, have a few hundred lines at most, a
# handful of `<br/>` or `<https://…>`, and close their brackets.
MAX_NESTING = 20
MAX_LINES = 1_000
MAX_ANGLE_BRACKETS = 500
# Characters Markdown's link and code-span patterns may read in all (see _costly_scan). A real
# week reads a few thousand; the largest budgets render in about 0.2 s each.
MAX_LINK_READS = 300_000
MAX_CODE_READS = 2_000_000
PLACEHOLDER_LENGTH = 14

BLANK_LINE = re.compile(r"\n[ \t]*\n")
# Quote and list markers opening a line, with the whitespace before each.
CONTAINER_MARKER = re.compile(r"([ \t]*)(?:>|[-*+](?=[ \t]|$)|\d{1,9}[.)](?=[ \t]|$))")
LINK_SYNTAX = re.compile(r"[][()\"']")
CODE_RUN = re.compile(r"`+")
NOT_NEWLINE = re.compile(r"[^\n]")
# What Markdown swaps for a placeholder before its link patterns run: escapes, entities, tags.
PLACEHOLDER_SOURCE = re.compile(r"[\\&<]")


def markdown_problem(text: str) -> str | None:
    """Why this text would be too costly to render, in words for its writer; None when it is fine.

    One linear pass: it runs on every save and every form validation.
    """
    if len(text) > MARKDOWN_MAX_LENGTH:
        return _("This text has %(length)d characters; at most %(max)d can be shown.") % {
            "length": len(text),
            "max": MARKDOWN_MAX_LENGTH,
        }
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    lines = text.count("\n") + 1
    if lines > MAX_LINES:
        return _("This text has %(lines)d lines; at most %(max)d can be shown.") % {
            "lines": lines,
            "max": MAX_LINES,
        }
    angles = text.count("<")
    if angles > MAX_ANGLE_BRACKETS:
        return _(
            "This text has %(count)d “<” (HTML tags or <addresses>); at most %(max)d can be "
            "shown. Write a lone one as &lt;."
        ) % {"count": angles, "max": MAX_ANGLE_BRACKETS}
    for number, line in enumerate(text.split("\n"), start=1):
        if _nesting(line) > MAX_NESTING:
            return _("Line %(line)d nests quotes or lists more than %(max)d deep; flatten it.") % {
                "line": number,
                "max": MAX_NESTING,
            }
    if costly := _costly_scan(text):
        position, character = costly
        return _(
            "Too many brackets or backticks are left open or nested deep, such as the "
            "“%(character)s” on line %(line)d: Markdown would read on from each of them. Close "
            "them, or write a lone one as \\%(character)s."
        ) % {"line": text.count("\n", 0, position) + 1, "character": character}
    return None


def _nesting(line):
    """How deep the line's leading markers nest it: one level per marker, and one per four
    columns of indentation before them (an indented marker continues an outer item)."""
    depth = position = 0
    while depth <= MAX_NESTING and (marker := CONTAINER_MARKER.match(line, position)):
        if not depth:
            depth = len(marker.group(1).expandtabs(4)) // 4
        depth += 1
        position = marker.end()
    return depth


def _without_fenced_code(text):
    """The text with the inside of its fenced code blocks blanked (newlines kept): Markdown sets
    code aside before any inline pattern runs. The blocks are found with the fenced-code
    extension's own pattern, so what is blanked is exactly what it sets aside."""
    blocks = [
        block.span("code")
        for block in FencedBlockPreprocessor.FENCED_BLOCK_RE.finditer(text)
        if not block.group("attrs")  # braces it may refuse, leaving the text to the inline patterns
    ]
    for start, end in blocks:
        text = text[:start] + NOT_NEWLINE.sub(" ", text[start:end]) + text[end:]
    return text


def _costly_scan(text):
    """(position, character) of the bracket or backtick that reads the most, once the
    characters Python-Markdown would read from them pass their budget; None while they do not.

    Each `[` makes its link patterns read to the matching `]`, or to the end of the paragraph
    when there is none; each `(` right after a `]` to its matching `)`, or to the end when there
    is none or a quote comes first (a link title, whose parentheses they stop counting). Each run
    of backticks makes the code-span pattern look for a closing run, at worst to the end.
    Paragraphs (the text between blank lines) bound every read. What Markdown reads is longer
    than the text: each escape, entity, tag or autolink becomes a placeholder of up to
    PLACEHOLDER_LENGTH characters first.
    """
    text = _without_fenced_code(text)
    inflating = [match.start() for match in PLACEHOLDER_SOURCE.finditer(text)]

    def read(start, end):
        placeholders = bisect_left(inflating, end) - bisect_left(inflating, start)
        return end - start + placeholders * (PLACEHOLDER_LENGTH - 1)

    link_reads, code_reads, worst = 0, 0, (0, 0, "[")
    start = 0
    for separator in [*BLANK_LINE.finditer(text), None]:
        end = separator.start() if separator else len(text)
        reads = []  # (characters read, where from, which character)
        squares, parens, quotes = [], [], 0
        for match in LINK_SYNTAX.finditer(text, start, end):
            char, position = match.group(), match.start()
            if char == "[":
                squares.append(position)
            elif char == "]" and squares:
                opened = squares.pop()
                reads.append((read(opened, position), opened, "["))
            elif char == "(":
                # Only a `(` right after `]` starts a link's address; others just nest in one.
                after_bracket = position > start and text[position - 1] == "]"
                parens.append((position, quotes if after_bracket else None))
            elif char == ")" and parens:
                opened, quotes_before = parens.pop()
                if quotes_before is not None:
                    closed = position if quotes == quotes_before else end
                    reads.append((read(opened, closed), opened, "("))
            elif char in "\"'":
                quotes += 1
        reads += [(read(opened, end), opened, "[") for opened in squares]
        reads += [
            (read(opened, end), opened, "(") for opened, quotes in parens if quotes is not None
        ]
        link_reads += sum(length for length, _position, _char in reads)
        runs = [
            (read(run.start(), end), run.start(), "`")
            for run in CODE_RUN.finditer(text, start, end)
        ]
        code_reads += sum(length for length, _position, _char in runs)
        worst = max([worst, *reads, *runs])
        if link_reads > MAX_LINK_READS or code_reads > MAX_CODE_READS:
            return worst[1], worst[2]
        start = separator.end() if separator else end
    return None

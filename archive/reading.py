"""How much reading a text is, and where a long summary folds: worked out from the rendered HTML
when it is saved (`Post.prepare_to_save`), so a week page only shows stored fields.

A week page shows every post's summary; the long ones would make every post as heavy as the
heaviest. So a summary longer than LONG_SUMMARY_CHARACTERS that has more than one block
(paragraph, quote, list, code) is split after its first block: the lead is shown, the rest folds
behind a `<details>` on the week page. The post's own page and the feeds show it whole.
"""

import html
import math
import re
from html.parser import HTMLParser

from django.utils.html import strip_tags

LONG_SUMMARY_CHARACTERS = 200
# Reading speeds for screen text: Korean in characters a minute (Hangul syllables and CJK
# characters), everything else in words a minute.
KOREAN_CHARACTERS_PER_MINUTE = 500
WORDS_PER_MINUTE = 230

HANGUL_OR_HAN = re.compile(r"[\u1100-\u11ff\u3130-\u318f\uac00-\ud7af\u4e00-\u9fff]")
WORD = re.compile(r"[^\s\u1100-\u11ff\u3130-\u318f\uac00-\ud7af\u4e00-\u9fff]+")
HEADINGS = {"h2", "h3", "h4", "h5", "h6"}
VOID_ELEMENTS = {"br", "hr", "img", "wbr"}


def plain_text(rendered_html):
    """Rendered HTML as the text a reader reads, on one line."""
    return " ".join(html.unescape(strip_tags(rendered_html)).split())


def reading_seconds(*rendered_html):
    """Seconds an average reader takes over these texts (rendered HTML), Korean and English."""
    text = " ".join(plain_text(part) for part in rendered_html)
    korean = len(HANGUL_OR_HAN.findall(text))
    words = len(WORD.findall(text))
    minutes = korean / KOREAN_CHARACTERS_PER_MINUTE + words / WORDS_PER_MINUTE
    return math.ceil(minutes * 60)


def reading_minutes(seconds):
    """Whole minutes to show a reader: at least one for any text."""
    return max(1, math.ceil(seconds / 60)) if seconds else 0


class _TopLevelBlocks(HTMLParser):
    """Finds where each top-level element of a fragment ends, as offsets into its text."""

    def __init__(self, fragment):
        super().__init__(convert_charrefs=False)
        # HTMLParser counts lines by "\n" alone.
        self.line_starts = [0]
        for line in fragment.split("\n"):
            self.line_starts.append(self.line_starts[-1] + len(line) + 1)
        self.depth = 0
        self.blocks = []  # (tag, end offset)
        self.feed(fragment)
        self.close()

    def position(self):
        line, column = self.getpos()
        return self.line_starts[line - 1] + column

    def handle_starttag(self, tag, attrs):
        if tag in VOID_ELEMENTS:
            if self.depth == 0:
                self.blocks.append((tag, self.position() + len(self.get_starttag_text())))
            return
        if self.depth == 0:
            self.opening = tag
        self.depth += 1

    def handle_endtag(self, tag):
        if tag in VOID_ELEMENTS:
            return
        self.depth -= 1
        if self.depth == 0:
            end = self.position() + len(f"</{tag}>")
            self.blocks.append((self.opening, end))


def split_summary(rendered_html):
    """(lead, rest) of a rendered summary: rest is empty when the summary is short enough to
    show whole. The lead is the first block, with the block after it when it is a heading."""
    if len(plain_text(rendered_html)) <= LONG_SUMMARY_CHARACTERS:
        return rendered_html, ""
    blocks = _TopLevelBlocks(rendered_html).blocks
    lead_blocks = 2 if blocks and blocks[0][0] in HEADINGS else 1
    if len(blocks) <= lead_blocks:
        return rendered_html, ""
    cut = blocks[lead_blocks - 1][1]
    lead, rest = rendered_html[:cut].strip(), rendered_html[cut:].strip()
    if not plain_text(rest).strip():
        return rendered_html, ""
    return lead, rest

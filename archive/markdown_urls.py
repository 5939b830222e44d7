"""The addresses inside curator Markdown, normalised as a Link's are (`archive.normalize`).

A curator pastes the same addresses into a summary as into a post's links, tracking parameters
and all. Saving a post or week cleans every http(s) address its Markdown holds
(`Curated.prepare_to_save` calls `normalize_markdown_urls`), so pages, feeds and exports show
the clean one, whatever wrote the text: the admin, the importer, the demo, a script.

Only the addresses change, and only where a reader follows them: a link's destination
(`[text](…)`, `[id]: …`), an autolink (`<…>`), an `href` in raw HTML, and a bare address (which
the renderer turns into a link). Code is left exactly as written, found the way Python-Markdown
finds it: fenced blocks (with the fenced-code extension's own pattern), indented blocks and code
spans. So are other schemes (`mailto:`, relative links), addresses that are not valid, and a
link's fragment (`#section`): in a text, it says where on the page the curator points. A bare
address ends at the first character an address cannot hold unencoded (so Korean text written
right after it stays text) and leaves out trailing punctuation, as the renderer does.
"""

import re
from bisect import bisect_left
from urllib.parse import urlsplit, urlunsplit

from markdown.extensions.fenced_code import FencedBlockPreprocessor

from archive.normalize import InvalidURL, normalize_url

HTTP = r"(?i:https?)://"
ADDRESSES = re.compile(
    # A link's destination: no spaces, parentheses only in balanced pairs.
    rf"\]\([ \t]*(?P<destination>{HTTP}(?:[^\s()<>]|\([^\s()<>]*\))+)"
    # An autolink, or a destination in angle brackets.
    rf"|<(?P<angled>{HTTP}[^\s<>]+)>"
    # A reference definition: `[id]: https://…`
    rf"|^ {{0,3}}\[[^\]\n]+\]:[ \t]*(?P<reference>{HTTP}[^\s<>]+)"
    # An address in raw HTML.
    rf"|\bhref[ \t]*=[ \t]*(?P<quote>[\"'])(?P<href>{HTTP}[^\"'\s<>]+)(?P=quote)"
    # A bare address: the characters a URL holds unencoded, but no brackets (a link's text ends
    # at `]`).
    rf"|(?P<bare>{HTTP}[A-Za-z0-9\-._~:/?#@!$&'()*+,;=%]+)",
    re.MULTILINE,
)
URL_GROUPS = ("destination", "angled", "reference", "href", "bare")
# What ends a sentence or closes emphasis rather than an address.
TRAILING = ".,;:!?'*_~"
BLANK_LINE = re.compile(r"\n[ \t]*\n")
CODE_RUN = re.compile(r"`+")
LIST_ITEM = re.compile(r" {0,3}(?:[-*+]|\d{1,9}[.)])(?:[ \t]|$)")


def normalize_markdown_urls(text: str) -> str:
    """The text with each http(s) address outside code in its normal form, fragment kept."""
    if "://" not in text:
        return text
    # Python-Markdown reads any line ending as "\n"; found on a copy with the same offsets.
    layout = text.replace("\r\n", " \n").replace("\r", "\n")
    pieces, position = [], 0
    for start, end in _code(layout):
        pieces += [_normalize_prose(text[position:start]), text[start:end]]
        position = end
    pieces.append(_normalize_prose(text[position:]))
    return "".join(pieces)


def _normalize_prose(text):
    return ADDRESSES.sub(_normalized, text) if "://" in text else text


def _normalized(match):
    group = next(name for name in URL_GROUPS if match[name])
    url, after = match[group], ""
    if group == "bare":
        url, after = _without_trailing(url)
    address, hash_mark, fragment = url.partition("#")
    try:
        clean = normalize_url(address)
    except InvalidURL:
        return match[0]
    if not urlsplit(address).path:  # `https://example.com` keeps its writer's form
        clean = urlunsplit(urlsplit(clean)._replace(path=""))
    clean += hash_mark + fragment
    start, end = match.start(group) - match.start(), match.end(group) - match.start()
    return match[0][:start] + clean + after + match[0][end:]


def _without_trailing(url):
    """(the address, what follows it): trailing punctuation and an unbalanced `)` are text."""
    end = len(url)
    while end and (
        url[end - 1] in TRAILING
        or (url[end - 1] == ")" and url.count("(", 0, end) < url.count(")", 0, end))
    ):
        end -= 1
    return url[:end], url[end:]


def _code(text):
    """The (start, end) spans of the text's code, in order and not overlapping."""
    fenced = [
        block.span()
        for block in FencedBlockPreprocessor.FENCED_BLOCK_RE.finditer(text)
        if not block.group("attrs")  # braces the extension may refuse: then it is no block
    ]
    spans, position = [], 0
    for start, end in [*fenced, (len(text), len(text))]:
        spans += _code_outside_fences(text, position, start)
        if start < end:
            spans.append((start, end))
        position = end
    return spans


def _code_outside_fences(text, start, end):
    """Indented code blocks, and the code spans of the paragraphs, between `start` and `end`."""
    spans, line_start = [], start
    paragraph = None  # where the current run of prose lines starts
    previous_blank, in_list, in_code = True, False, False
    for line in text[start:end].split("\n"):
        line_end = line_start + len(line)
        blank = not line.strip()
        expanded = line.expandtabs(4)
        indented = len(expanded) - len(expanded.lstrip(" ")) >= 4
        if blank or (indented and (in_code or (previous_blank and not in_list))):
            if paragraph is not None:
                spans += _code_spans(text, paragraph, line_start)
                paragraph = None
            if not blank:
                # Indented by four after a blank line, and not continuing a list item: code,
                # up to the next line that is neither indented nor blank.
                in_code = True
                spans.append((line_start, line_end))
        else:
            in_code = False
            if paragraph is None:
                paragraph = line_start
            if LIST_ITEM.match(line):
                in_list = True
            elif previous_blank and not indented:
                in_list = False
        previous_blank = blank
        line_start = line_end + 1
    if paragraph is not None:
        spans += _code_spans(text, paragraph, end)
    return spans


def _code_spans(text, start, end):
    """The code spans of one paragraph: a run of backticks up to the next run of the same
    length (a run with none is text, and so is one escaped by a backslash)."""
    runs = [run.span() for run in CODE_RUN.finditer(text, start, end)]
    by_length = {}
    for index, (run_start, run_end) in enumerate(runs):
        by_length.setdefault(run_end - run_start, []).append(index)
    spans, index = [], 0
    while index < len(runs):
        run_start, run_end = runs[index]
        same = by_length[run_end - run_start]
        following = bisect_left(same, index + 1)
        escaped = run_start > 0 and text[run_start - 1] == "\\"
        if escaped or following == len(same):
            index += 1
            continue
        closing = same[following]
        spans.append((run_start, runs[closing][1]))
        index = closing + 1
    return spans

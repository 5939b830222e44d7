"""Hand-written weekly round-ups read into plain data; no database access here.

The shape is the one TensorflowKR curators have written by hand as blog posts for a year, and the
one `digest.export` writes back:

    # 오늘도 흥미로운 TensorflowKR 뉴스(2021년 2월 1주차)   ← the week's title
    > the curator's intro …                               ← intro: the text before the first item
    ---
    ### 1. Pororo 공개                                      ← one Post per numbered heading
    2021년 2월 2일/ [게시물 링크](https://facebook.com/…)    ← posted_on and source
    summary: paragraphs, quotes, lists (Markdown)
    <!-- commentary -->                                   ← optional; the export writes it
    the curator's comment
    링크: [GitHub](https://…) · <https://arxiv.org/…>       ← optional: the post's links, in order
    주제: NLP, 자연어처리                                     ← optional: its topics
    ---
    closing words                                         ← outro: after the rule ending the last item

Decisions, so that the hand-written archive comes in cleanly and exports read back the same:

- Blog scaffolding. When the text before the first item has two or more `#` headings, the first is
  the blog page's own title (`# [210209 TIL] …`): it and the lines under it up to the first
  horizontal rule (tagline, `_written by …_` byline) are dropped. The last `#` heading is the
  week's title; one that is nothing but a week label (`# 2021년 2월 1주차`) leaves the title empty,
  so the site shows its own label. Everything else before the first item is the intro.
- The week. `--week` when given; otherwise the ISO week most items are dated in. A
  `2021년 2월 1주차` label in the title must agree, so a typo in either stops the import rather
  than filing posts under the wrong week.
- Its publication time: the round-up's own, so that an old round-up imported years later is
  dated (and placed in the feeds) when it came out, not when it was imported. That is 21:00 in
  the site's time zone (the evening the curator writes it) of the day the round-up was written:
  the latest date in its `#` headings (a blog title's `[210209 TIL]`, read as yymmdd, or a date
  written as below) when that is not before its latest item; otherwise the later of the last
  day (Sunday) of its ISO week and its latest item's date. Never later than the import itself.
- Dates: `2021년 2월 1일`, `2021-02-01`, `Feb 1, 2021`, `February 1, 2021`, `1 Feb 2021`. An
  item's date line is the first line under its heading: the date, an optional separator
  (`/ · | -`) and the source link, whatever its text says (`게시물 링크`, `post link`).
- Sub-items. An item without a date line of its own may hold sub-items: a bold numbered line
  (`**1. Attention**`) followed by a date line. They stay in the post's summary as written, so
  one `###` heading is always one Post (the 2021-W05 sample gives five); the post takes the date
  and source of its first sub-item, and the other sub-items' source links become its links. The
  export leaves out the item's own date line when its first sub-item already says the same.
- Commentary: the curator's comment is what the format marks as such. Explicitly: the text after
  a `<!-- commentary -->` line (the export writes one whenever the rule below would not find the
  same comment). Hand-written items have no marker; there the last paragraph is the comment when
  it is plain prose (not a quote, list, heading or code), not the item's only block, and in the
  curator's own words: at least one of its sentences neither points to a link nor reports what
  others said. A sentence points when a link's text only points ("깃허브 저장소는 [여기](…)"),
  when it ends pointing ("더 자세한 정보는 [저장소](…)를 참고해주시기 바랍니다", "…에서 확인하실 수
  있습니다", "바로가기") or opens so and holds a link ("자세한 내용은 …", "See [the paper](…)",
  "More details: …"), or when the paragraph is nothing but links; it reports when it ends in
  hearsay ("…공개했다고 합니다"). Such a last paragraph stays in the summary, where it was, and
  the item has no comment. Everything else is the summary.
- Links: every `[text](url)` and `<url>` of the item except its source, in order, the link
  text being the label, except a text that only points ("여기", "링크", "here", "github link")
  or is the address itself: such a link is labelled after its target ("GitHub: Beomi/KcBERT",
  "arXiv: 2010.11929", `archive.normalize.link_label`). Or, when the item ends with a
  `링크:`/`Links:` line, exactly the links listed there, labels as written (`링크: 없음` for
  none). Links are normalised (`archive.normalize`), and so is every address in the text once
  it is saved (`archive.markdown_urls`), so tracking parameters such as `fbclid` are gone
  everywhere; a link no Link could hold stops the import.
- Layout leftovers: `<br/>`, `</br>` and `<br>` are dropped, horizontal rules only separate
  (they are never content) and runs of blank lines become one. Fenced code stays as written.

Anything else the reader cannot follow (an empty or non-UTF-8 file, an item with no date, a date
that does not exist, a cut-off link, an unclosed code block, a skipped item number) raises
DigestFormatError naming the file and line.
"""

import re
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, time

from django.utils import timezone
from taggit.utils import parse_tags

from archive.content import ContentError, LinkContent, PostContent, WeekContent
from archive.models import Link, PostLink, Topic
from archive.normalize import InvalidURL, is_pointer_word, link_label, normalize_url
from archive.weeks import ENGLISH_MONTHS, KOREAN_LABEL, IsoWeek

COMMENTARY_MARKER = "<!-- commentary -->"
URL_MAX_LENGTH = Link._meta.get_field("url").max_length
LABEL_MAX_LENGTH = PostLink._meta.get_field("label").max_length
TAG_MAX_LENGTH = Topic._meta.get_field("name").max_length

CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
FENCE = re.compile(r" {0,3}(`{3,}|~{3,})")
LINE_BREAK_TAG = re.compile(r"</?br\s*/?>", re.IGNORECASE)
RULE = re.compile(r" {0,3}(?:(?:-[ \t]*){3,}|(?:\*[ \t]*){3,}|(?:_[ \t]*){3,})")
TITLE_HEADING = re.compile(r" {0,3}#[ \t]+(?P<text>.+?)(?:[ \t]+#+)?[ \t]*")
ITEM_HEADING = re.compile(
    r" {0,3}#{2,4}[ \t]+(?P<number>\d+)[.)][ \t]+(?P<title>.+?)(?:[ \t]+#+)?[ \t]*"
)
SUBITEM_HEADING = re.compile(r"\s*\*\*(?P<number>\d+)[.)]\s*(?P<title>.+?)\*\*\s*")
# Blocks that are not the curator's prose: quotes, lists, headings, tables, HTML, code, sub-items.
NOT_PROSE = re.compile(r"\s*(?:>|[-*+][ \t]|\d+[.)][ \t]|#|\||<|!\[|\*\*\d+[.)])|(?: {4}|\t)")
# A label holds no bracket (as in Markdown, where `[a[b](url)` links only `b`) and an autolink
# no `<`: so the pattern never reads a whole line again from each `[` or `<` of a run, which
# took seconds on 20 KB of them.
LINK = re.compile(
    r"(?<!!)\[(?P<label>[^\[\]\n]*)\]\((?P<url>(?:[^()\s]|\([^()\s]*\))+)(?:[ \t]+\"[^\"\n]*\")?\)"
    r"|<(?P<autolink>https?://[^<>\s]+)>"
)
# What makes a last paragraph something other than the curator's comment (_in_own_words).
SENTENCE_BREAK = re.compile(r"(?<=[.!?…])[\"'”’)\]]*\s+")
POINTING_VERB = re.compile(r"참고|참조|확인|바로\s*가기|방문해|다운로드")
POINTING_OPENING = re.compile(
    r"(?:더\s*)?자세한\s*(?:정보|내용|사항|설명)|원문|출처|관련\s*링크|링크\s*:"
    r"|(?:see|read more|check (?:it )?out|more (?:info|information|details)|details"
    r"|for (?:more )?(?:info|information|details)|source|via|available (?:at|on|from|here)"
    r"|find (?:it|them|more|out more))\b",
    re.IGNORECASE,
)
REPORTED = re.compile(r"[다라]고\s*(?:합니다|해요|하네요|한다|하더라고요|하더군요)$")
LINKS_LINE = re.compile(r"\s*(?:링크|links)\s*:\s*(?P<links>.+?)\s*", re.IGNORECASE)
NO_LINKS = {"없음", "none"}
LINK_SEPARATORS = re.compile(r"[\s·,|]*")
TAGS_LINE = re.compile(r"\s*(?:주제|topics)\s*:\s*(?P<tags>.+?)\s*", re.IGNORECASE)

MONTH_NUMBERS = {
    name.lower(): number
    for number, names in enumerate(
        zip(
            ENGLISH_MONTHS,
            ("January", "February", "March", "April", "May", "June", "July", "August",
             "September", "October", "November", "December"),
            strict=True,
        ),
        start=1,
    )
    for name in names
} | {"sept": 9}  # fmt: skip
DATE = (
    r"(?P<ko_year>\d{4})\s*년\s*(?P<ko_month>\d{1,2})\s*월\s*(?P<ko_day>\d{1,2})\s*일"
    r"|(?P<iso_year>\d{4})-(?P<iso_month>\d{1,2})-(?P<iso_day>\d{1,2})"
    r"|(?P<mdy_month>[A-Za-z]{3,9})\.?\s+(?P<mdy_day>\d{1,2}),?\s+(?P<mdy_year>\d{4})"
    r"|(?P<dmy_day>\d{1,2})\s+(?P<dmy_month>[A-Za-z]{3,9})\.?,?\s+(?P<dmy_year>\d{4})"
)
DATE_LINE = re.compile(rf"\s*(?P<date>{DATE})\s*(?:[/·|–—-]\s*)?(?P<rest>.*?)\s*")
HEADING_DATE = re.compile(rf"(?P<date>{DATE})")
# A blog title that starts with the day it was written, as yymmdd: `# [210209 TIL] …`.
BLOG_TITLE_DATE = re.compile(r"\[(?P<year>\d{2})(?P<month>\d{2})(?P<day>\d{2})(?!\d)")
# The hour a round-up comes out on the day it is written.
PUBLICATION_HOUR = 21


class DigestFormatError(ContentError):
    """A round-up the importer cannot read."""


@dataclass(frozen=True)
class ParsedSubItem:
    number: int
    title: str
    posted_on: date
    source_url: str | None
    line: int


@dataclass(frozen=True)
class _Line:
    number: int
    text: str
    code: bool  # inside fenced code: taken literally
    links: tuple[tuple[str, str], ...] = ()  # (text, normalised URL) of its http(s) links

    @property
    def blank(self):
        return not self.code and not self.text.strip()

    def matches(self, pattern):
        return None if self.code else pattern.fullmatch(self.text)


@dataclass(frozen=True)
class _DateLine:
    posted_on: date
    source_url: str | None


def decode(data: bytes, name: str) -> str:
    """A file's bytes as text, or DigestFormatError at the line where it stops being UTF-8."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        raise DigestFormatError(
            line, "this is not UTF-8 text; is it a Markdown file?", name
        ) from None


def parse_digest(text: str, name: str = "<text>", week: IsoWeek | None = None) -> WeekContent:
    """Read one round-up; `week` overrides the week its dates and heading give."""
    try:
        return _parse(text.removeprefix("\ufeff"), name, week)
    except DigestFormatError as error:
        error.name = name
        raise


# What the export asks, so that it writes out only what the importer would not infer by itself.
# Text the importer would stop at (control characters, an unclosed fence) gives None: "write it all".


def first_subitem(summary: str) -> ParsedSubItem | None:
    """The sub-item an item without a date line of its own would take its date and source from."""
    lines = _lines_or_none(summary)
    try:
        lines = _without_blank_edges(lines or [])
        if lines and _date_line(lines[0]):
            return None
        subitems = _subitems(lines)
    except DigestFormatError:
        return None
    return subitems[0] if subitems else None


def split_commentary(text: str) -> tuple[str, str] | None:
    """(summary, commentary) as the importer splits an item's text."""
    lines = _lines_or_none(text)
    if lines is None:
        return None
    summary, commentary = _split_commentary(_without_blank_edges(lines))
    return _markdown(summary), _markdown(commentary)


def links_in(text: str, source_url: str | None) -> list[LinkContent] | None:
    """The links the importer finds in an item's text, without a `링크:` line."""
    lines = _lines_or_none(text)
    if lines is None:
        return None
    return _unique_links([link for line in lines for link in _links_in(line)], source_url)


def _lines_or_none(text):
    try:
        return _read_lines(text)
    except DigestFormatError:
        return None


def _parse(text, name, week):
    lines = _read_lines(text)
    if all(line.blank for line in lines):
        raise DigestFormatError(1, "the file is empty")
    starts = [index for index, line in enumerate(lines) if line.matches(ITEM_HEADING)]
    if not starts:
        last = next(line for line in reversed(lines) if not line.blank)
        raise DigestFormatError(
            last.number, "no numbered item headings such as `### 1. Title` were found"
        )
    title, title_line, intro = _read_prelude(lines[: starts[0]])
    bodies = [
        lines[start:end] for start, end in zip(starts, [*starts[1:], len(lines)], strict=True)
    ]
    last = bodies[-1]
    end = next((index for index, line in enumerate(last) if line.matches(RULE)), len(last))
    bodies[-1], outro = last[:end], last[end + 1 :]
    items = [_read_item(body, number) for number, body in enumerate(bodies, start=1)]
    week = week or _week_of(items, title, title_line)
    return WeekContent(
        name=name,
        week=week,
        title="" if KOREAN_LABEL.fullmatch(title) else title,
        intro=intro,
        outro=_markdown(line for line in outro if not line.matches(RULE)),
        posts=items,
        published_at=_publication_time(week, items, lines[: starts[0]]),
        line=title_line.number if title_line else 1,
    )


def _read_lines(text):
    lines, fence, fence_line = [], None, 0
    for number, raw in enumerate(text.replace("\r\n", "\n").replace("\r", "\n").split("\n"), 1):
        if CONTROL_CHARACTERS.search(raw):
            raise DigestFormatError(
                number, "this line holds control characters; is this a Markdown text file?"
            )
        if fence:
            if re.fullmatch(rf" {{0,3}}{re.escape(fence[0])}{{{len(fence)},}}\s*", raw):
                fence = None
            lines.append(_Line(number, raw, code=True))
            continue
        if opening := FENCE.match(raw):
            fence, fence_line = opening.group(1), number
            lines.append(_Line(number, raw, code=True))
            continue
        text = _drop_line_breaks(raw)
        lines.append(_Line(number, text, code=False, links=_links_of(text, number)))
    if fence:
        raise DigestFormatError(fence_line, "this code block is never closed")
    return lines


def _drop_line_breaks(text):
    if not LINE_BREAK_TAG.search(text):
        return text
    text = LINE_BREAK_TAG.sub(" ", text).rstrip()
    return ">" if text.strip() == ">" else text  # a `> </br>` spacer inside a quote


def _links_of(text, number):
    """(text, normalised URL) of each http(s) link of a line, each one a Link could hold; the
    text itself is cleaned when it is saved (`archive.markdown_urls`)."""
    links = (
        (match["label"] or "", match["url"] or match["autolink"]) for match in LINK.finditer(text)
    )
    return tuple(
        (label.strip(), url) for label, address in links if (url := _link_url(address, number))
    )


def _link_url(url, number):
    """The normal form of a link's http(s) address (None for other links, which stay text);
    DigestFormatError when no Link could hold it."""
    if not url.lower().startswith(("http://", "https://")):
        return None  # mailto:, #anchors and relative links stay text, not Links
    try:
        normalised = normalize_url(url)
    except InvalidURL as error:
        raise DigestFormatError(number, f"the link {url} is not valid: {error}") from None
    if len(normalised) > URL_MAX_LENGTH:
        raise DigestFormatError(number, f"a link is longer than {URL_MAX_LENGTH} characters")
    return normalised


def _read_prelude(lines):
    headings = [index for index, line in enumerate(lines) if line.matches(TITLE_HEADING)]
    dropped = set()
    if len(headings) >= 2:
        first, second = headings[:2]
        rule = next((i for i in range(first + 1, second) if lines[i].matches(RULE)), first)
        dropped.update(range(first, rule + 1))
    title, title_line = "", None
    if headings:
        dropped.add(headings[-1])
        title_line = lines[headings[-1]]
        title = title_line.matches(TITLE_HEADING)["text"]
    intro = _markdown(
        line for index, line in enumerate(lines) if index not in dropped and not line.matches(RULE)
    )
    return title, title_line, intro


def _read_item(lines, expected_number):
    heading = lines[0]
    match = heading.matches(ITEM_HEADING)
    number = int(match["number"])
    if number != expected_number:
        raise DigestFormatError(
            heading.number,
            f"this is item {number} where item {expected_number} was expected; "
            "is an item missing or misnumbered?",
        )
    body = _without_blank_edges([line for line in lines[1:] if not line.matches(RULE)])
    own_date = _date_line(body[0]) if body else None
    if own_date:
        body = _without_blank_edges(body[1:])
    body, listed_links, tags = _read_trailing_lists(body)
    summary, commentary = _split_commentary(body)
    subitems = _subitems(body)
    dated = own_date or (subitems[0] if subitems else None)
    if dated is None:
        raise DigestFormatError(
            heading.number,
            f"item {number} has no date line such as `2021년 2월 1일/ [게시물 링크](https://…)` "
            "under its heading",
        )
    return PostContent(
        title=match["title"].strip(),
        line=heading.number,
        posted_on=dated.posted_on,
        source_url=dated.source_url,
        summary=_markdown(summary),
        commentary=_markdown(commentary),
        links=_unique_links(
            (link for line in body for link in _links_in(line))
            if listed_links is None
            else listed_links,
            dated.source_url,
        ),
        topics=tags,
    )


def _date_line(line):
    match = line.matches(DATE_LINE)
    if not match:
        return None
    rest = match["rest"]
    link = LINK.fullmatch(rest) if rest else None
    if rest and not link:
        if rest.startswith(("[", "<")):
            raise DigestFormatError(
                line.number,
                "the link after the date is incomplete: expected `[게시물 링크](https://…)`",
            )
        return None  # a paragraph that happens to start with a date
    posted_on = _date(match, line.number)
    if posted_on is None:
        return None
    source_url = None
    if link:
        source_url = _link_url(link["url"] or link["autolink"], line.number)
        if source_url is None:
            raise DigestFormatError(line.number, "the source link must be an http(s) address")
    return _DateLine(posted_on, source_url)


def _date(match, number):
    if match["ko_year"]:
        year, month, day = match["ko_year"], match["ko_month"], match["ko_day"]
    elif match["iso_year"]:
        year, month, day = match["iso_year"], match["iso_month"], match["iso_day"]
    else:
        style = "mdy" if match["mdy_year"] else "dmy"
        year, day = match[f"{style}_year"], match[f"{style}_day"]
        month = MONTH_NUMBERS.get(match[f"{style}_month"].lower())
        if month is None:
            return None  # "Today 1, 2021" is prose, not a date
    try:
        return date(int(year), int(month), int(day))
    except ValueError:
        raise DigestFormatError(number, f"{match['date']} is not a date that exists") from None


def _publication_time(week, items, prelude):
    """When the round-up came out (the module's docstring says how that is read)."""
    latest_item = max(item.posted_on for item in items)
    written = [day for day in _heading_dates(prelude) if day >= latest_item]
    day = max(written) if written else max(week.end, latest_item)
    moment = datetime.combine(day, time(PUBLICATION_HOUR), timezone.get_default_timezone())
    return min(moment, timezone.now())


def _heading_dates(lines):
    for line in lines:
        if not (heading := line.matches(TITLE_HEADING)):
            continue
        text = heading["text"]
        if (blog := BLOG_TITLE_DATE.match(text)) and (day := _blog_date(blog)):
            yield day
        for match in HEADING_DATE.finditer(text):
            if (day := _date(match, line.number)) is not None:
                yield day


def _blog_date(match):
    try:
        return date(2000 + int(match["year"]), int(match["month"]), int(match["day"]))
    except ValueError:
        return None  # six digits that are no date: part of a title, not a date


def _read_trailing_lists(body):
    """Peel the optional `주제:` and `링크:` lines off the end of an item (no list: None)."""
    tags, listed = [], None
    if body and (match := body[-1].matches(TAGS_LINE)):
        tags = _tags(match["tags"], body[-1].number)
        body = _without_blank_edges(body[:-1])
    match = body[-1].matches(LINKS_LINE) if body else None
    if match and (
        match["links"].lower() in NO_LINKS
        or LINK_SEPARATORS.fullmatch(LINK.sub("", match["links"]))
    ):
        listed = list(_links_in(body[-1], listed=True))
        body = _without_blank_edges(body[:-1])
    return body, listed, tags


def _tags(text, number):
    names, seen = [], set()
    for name in (tag.lstrip("#").strip() for tag in parse_tags(text)):
        if len(name) > TAG_MAX_LENGTH:
            raise DigestFormatError(number, f"a topic is longer than {TAG_MAX_LENGTH} characters")
        if name and name.casefold() not in seen:
            seen.add(name.casefold())
            names.append(name)
    return names


def _split_commentary(body):
    for index, line in enumerate(body):
        if not line.code and line.text.strip() == COMMENTARY_MARKER:
            return body[:index], body[index + 1 :]
    blocks = _blocks(body)
    if len(blocks) >= 2 and _is_prose(blocks[-1]) and _in_own_words(blocks[-1]):
        start = body.index(blocks[-1][0])
        return body[:start], body[start:]
    return body, []


def _blocks(lines):
    blocks, current = [], []
    for line in lines:
        if line.blank:
            if current:
                blocks.append(current)
            current = []
        else:
            current.append(line)
    if current:
        blocks.append(current)
    return blocks


def _is_prose(block):
    first = block[0]
    return not first.code and not NOT_PROSE.match(first.text) and _date_line(first) is None


def _in_own_words(block):
    """Whether a paragraph says something of the curator's own: a sentence that neither points
    to a link nor reports what others said."""
    text = " ".join(line.text.strip() for line in block)
    if not any(character.isalnum() for character in LINK.sub("", text)):
        return False  # nothing but links
    return not all(
        _points_to_a_link(sentence) or REPORTED.search(_without_trailing_decoration(sentence))
        for sentence in SENTENCE_BREAK.split(text)
    )


def _points_to_a_link(sentence):
    links = list(LINK.finditer(sentence))
    if any(is_pointer_word(link["label"] or "") for link in links):
        return True  # "깃허브 저장소는 [여기](…)"
    words = LINK.sub(lambda link: link["label"] or "", sentence).split()
    if POINTING_VERB.search(" ".join(words[-3:])):
        return True  # "… 참고해주시기 바랍니다", "…에서 확인하실 수 있습니다"
    return bool(links) and bool(POINTING_OPENING.match(sentence.lstrip("*_ ")))


def _without_trailing_decoration(sentence):
    """The sentence without the punctuation and emoticons after its last word."""
    end = len(sentence)
    while end and not sentence[end - 1].isalnum():
        end -= 1
    return sentence[:end]


def _subitems(lines):
    subitems = []
    for index, line in enumerate(lines):
        if not (match := line.matches(SUBITEM_HEADING)):
            continue
        following = next((other for other in lines[index + 1 :] if not other.blank), None)
        if following and (dated := _date_line(following)):
            subitems.append(
                ParsedSubItem(
                    number=int(match["number"]),
                    title=match["title"].strip(),
                    posted_on=dated.posted_on,
                    source_url=dated.source_url,
                    line=line.number,
                )
            )
    return subitems


def _links_in(line, listed=False):
    """The line's http(s) links. In the text, a link whose text only points ("여기") is
    labelled after its target; a `링크:` line's labels are taken as they are written."""
    for label, url in line.links:
        if label and not listed:
            label = link_label(label, url)
        if len(label) > LABEL_MAX_LENGTH:
            label = label[: LABEL_MAX_LENGTH - 1] + "…"
        yield LinkContent(url=url, label=label)


def _unique_links(links, source_url):
    seen, unique = {source_url}, []
    for link in links:
        if link.url not in seen:
            seen.add(link.url)
            unique.append(link)
    return unique


def _week_of(items, title, title_line):
    counts = Counter(IsoWeek.of(item.posted_on) for item in items)
    dated = min(counts, key=lambda week: (-counts[week], week))
    label = KOREAN_LABEL.search(title)
    if label:
        try:
            named = IsoWeek.from_korean_label(label[0])
        except ValueError:
            raise DigestFormatError(
                title_line.number, f"{label[0]} is not a week that exists"
            ) from None
        if named != dated:
            raise DigestFormatError(
                title_line.number,
                f"the heading says {label[0]} ({named.iso_label}) but most items are dated in "
                f"{dated.iso_label} ({dated.korean_label}); correct one or pass --week",
            )
    return dated


def _without_blank_edges(lines):
    start = next((index for index, line in enumerate(lines) if not line.blank), len(lines))
    end = len(lines)
    while end > start and lines[end - 1].blank:
        end -= 1
    return lines[start:end]


def _markdown(lines):
    """Lines back to Markdown text, blank runs collapsed (fenced code kept exactly)."""
    text, previous_blank = [], True
    for line in lines:
        if line.blank:
            if not previous_blank:
                text.append("")
            previous_blank = True
        else:
            text.append(line.text)
            previous_blank = False
    while text and text[-1] == "":
        text.pop()
    return "\n".join(text)

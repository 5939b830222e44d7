"""The hand-written round-up our users start from fits the models without losing anything.

The week is rebuilt here from the sample file itself (never copied into the repository):
intro, five numbered items (one with two sub-items), quotes, the curator's comments, every
link and the outro.
"""

import re
from datetime import date

import pytest

from archive.markdown_urls import normalize_markdown_urls
from archive.models import Link, Post, PostLink, Status, Week
from archive.weeks import IsoWeek
from tests.html import parse_html

pytestmark = pytest.mark.django_db

TITLE = re.compile(r"^# (\[.+)$", re.MULTILINE)
ITEM = re.compile(r"^### (?P<number>\d)\. (?P<title>.+)$", re.MULTILINE)
SUB_ITEM = re.compile(r"^\*\*(?P<number>\d)\. (?P<title>.+)\*\*$", re.MULTILINE)
DATE_LINE = re.compile(
    r"^ *(?P<year>\d{4})년 (?P<month>\d{1,2})월 (?P<day>\d{1,2})일/ \[게시물 링크\]\((?P<url>\S+)\) *\n",
    re.MULTILINE,
)
MARKDOWN_LINK = re.compile(r"\[(?P<label>[^\]]+)\]\((?P<url>https?://[^)\s]+)\)")
OUTRO_START = "이것으로 "


def quote_blocks(markdown):
    """How many quotes the Markdown holds: runs of consecutive `>` lines."""
    blocks, inside = 0, False
    for line in markdown.splitlines():
        quoted = line.lstrip().startswith(">")
        blocks += quoted and not inside
        inside = quoted
    return blocks


def split_comment(body):
    """The item's quoted material, and the curator's own words after the last quote."""
    lines = body.splitlines(keepends=True)
    last_quote = max((i for i, line in enumerate(lines) if line.startswith(">")), default=-1)
    return "".join(lines[: last_quote + 1]), "".join(lines[last_quote + 1 :])


def build_week(text):
    title = TITLE.search(text).group(1)
    items = list(ITEM.finditer(text))
    outro_at = text.index(OUTRO_START)
    week = Week.objects.create(
        year=2021,
        number=5,
        title=title,
        intro=text[TITLE.search(text).end() : items[0].start()].strip(),
        outro=text[outro_at:].strip(),
        status=Status.PUBLISHED,
    )
    for position, item in enumerate(items):
        end = items[position + 1].start() if position + 1 < len(items) else outro_at
        body = text[item.end() : end].strip("\n")
        dates = list(DATE_LINE.finditer(body))
        first = dates[0]
        has_sub_items = bool(SUB_ITEM.search(body[: first.start()]))
        if not has_sub_items:  # the item's own thread and date come first
            body = body[: first.start()] + body[first.end() :]
        summary, commentary = split_comment(body.strip("\n"))
        post = Post.objects.create(
            week=week,
            position=position,
            title=item["title"],
            posted_on=date(int(first["year"]), int(first["month"]), int(first["day"])),
            source=None if has_sub_items else Link.objects.for_url(first["url"]),
            summary=summary,
            commentary=commentary,
            status=Status.PUBLISHED,
        )
        in_text = [(match["url"], match["label"]) for match in MARKDOWN_LINK.finditer(body)]
        for order, (url, label) in enumerate(in_text):
            PostLink.objects.create(
                post=post, link=Link.objects.for_url(url), label=label, position=order
            )
    return week


@pytest.fixture
def sample_text(tensorflowkr_sample):
    return tensorflowkr_sample.read_text(encoding="utf-8")


@pytest.fixture
def sample_week(sample_text):
    return build_week(sample_text)


def test_the_week_and_its_five_items(sample_week, sample_text):
    assert sample_week.korean_label == "2021년 2월 1주차"
    assert f"({sample_week.korean_label})" in sample_text
    posts = list(sample_week.posts.in_reading_order())
    assert [post.title for post in posts] == [item["title"] for item in ITEM.finditer(sample_text)]
    assert len(posts) == 5
    assert all(IsoWeek.of(post.posted_on) == IsoWeek(2021, 5) for post in posts)
    assert [post.posted_on.day for post in posts] == [1, 2, 3, 3, 5]
    assert list(Post.objects.published()) == list(Post.objects.filter(week=sample_week))


def test_the_item_with_two_sub_items(sample_week):
    walkthroughs = sample_week.posts.get(position=3)

    assert walkthroughs.source is None
    assert [
        match["title"]
        for match in SUB_ITEM.finditer(walkthroughs.summary + walkthroughs.commentary)
    ] == [
        "Attention",
        "Transformer",
    ]
    threads = walkthroughs.post_links.filter(link__kind="community")
    assert [row.link.normalized_url.rstrip("/").rsplit("/", 1)[1] for row in threads] == [
        "1414198208921233",
        "1414269342247453",
    ]


def test_every_link_of_the_sample_is_held_once(sample_week, sample_text):
    pasted = [match["url"] for match in MARKDOWN_LINK.finditer(sample_text)]
    assert len(pasted) == 12  # five threads, two sub-item threads, five links in the text

    for url in pasted:
        link = Link.objects.get(normalized_url=Link.objects.for_url(url).normalized_url)
        assert link.posts.exists() or link.sourced_posts.exists(), url
    assert Link.objects.count() == len({Link.objects.for_url(url).pk for url in pasted})
    assert not Link.objects.filter(normalized_url__contains="fbclid").exists()


def test_nothing_of_the_text_is_lost(sample_week, sample_text):
    # Only the tracking parameters of its addresses are gone.
    assert "fbclid" in sample_text
    cleaned = normalize_markdown_urls(sample_text)
    for post in sample_week.posts.all():
        held = post.summary + post.commentary
        assert "fbclid" not in held
        for line in held.splitlines():
            assert line in cleaned
    comments = [post.commentary for post in sample_week.posts.in_reading_order()]
    assert "감사하고 좋은 소식이네요!" in comments[0]
    assert "`pip install pororo`" in comments[1]
    assert sample_week.intro.count(">") >= 9
    assert sample_week.outro.startswith(OUTRO_START)


def test_the_rendered_week_keeps_quotes_and_links(sample_week):
    intro = parse_html(sample_week.intro_html)
    assert len(intro.find_all("blockquote")) == quote_blocks(sample_week.intro) == 1
    assert intro.find("blockquote").find("strong").text == "TensorflowKR"
    assert "TensorflowKR 아카이빙" in parse_html(sample_week.outro_html).find("strong").text

    for post in sample_week.posts.all():
        html = post.summary_html + post.commentary_html
        root = parse_html(html)
        top_level = [
            quote
            for quote in root.find_all("blockquote")
            if not any(parent.name == "blockquote" for parent in quote.parents)
        ]
        assert len(top_level) == quote_blocks(post.summary + post.commentary), post.title
        hrefs = [a.attrs["href"] for a in root.find_all("a")]
        in_markdown = [
            match["url"] for match in MARKDOWN_LINK.finditer(post.summary + post.commentary)
        ]
        assert hrefs == in_markdown, post.title
        assert all(a["rel"] == ["nofollow", "noopener"] for a in root.find_all("a")), post.title
        assert "<br>\n<br>" not in html  # the layout spacers are gone


def test_the_reader_page_shows_the_whole_week(client, sample_week):
    response = client.get(sample_week.get_absolute_url())

    assert response.status_code == 200
    main = parse_html(response.content).find("main")
    quotes = quote_blocks(sample_week.intro) + sum(
        quote_blocks(post.summary + post.commentary) for post in sample_week.posts.all()
    )
    assert len(main.find_all("blockquote")) == quotes == 6
    for post in sample_week.posts.all():
        assert post.title in main.text

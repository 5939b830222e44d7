import json
import re
from datetime import timedelta
from html.parser import HTMLParser
from unittest import mock
from urllib.parse import quote
from xml.etree import ElementTree

import feedparser
import pytest
from django.template import Context, Template
from django.urls import reverse
from django.utils import timezone

from archive.models import Link, Post, Status, Topic
from digest.feeds import AtomFeed, RssFeed, xml_text
from tests.factories import make_link, make_post, make_user, make_week
from tests.html import parse, text

pytestmark = pytest.mark.django_db

SITE = "http://testserver"
SITE_FEEDS = ["/feed/", "/feed/atom/", "/feed/posts/", "/feed/posts/atom/"]
TOPIC_FEEDS = [
    "/topics/nlp/feed/",
    "/topics/nlp/feed/atom/",
    "/topics/자연어처리/feed/",
    "/topics/자연어처리/feed/atom/",
]
XML_FEEDS = SITE_FEEDS + TOPIC_FEEDS
POST_FEEDS = [url for url in XML_FEEDS if url not in ("/feed/", "/feed/atom/")]
ENTRY_ID = re.compile(r"^tag:testserver,\d{4}-\d{2}-\d{2}:/(posts|weeks)/\d+$")
VOID_ELEMENTS = {"br", "hr", "img", "input", "link", "meta"}
CONTENT_NS = "{http://purl.org/rss/1.0/modules/content/}"
ATOM_NS = "{http://www.w3.org/2005/Atom}"


class Elements(HTMLParser):
    """The start tags of an HTML fragment with their attributes, and the text inside each tag."""

    def __init__(self, html):
        super().__init__()
        self.tags, self.texts, self._open = [], [], []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        if tag not in VOID_ELEMENTS:
            self._open.append(tag)

    def handle_endtag(self, tag):
        while tag in self._open and self._open.pop() != tag:
            pass

    def handle_data(self, data):
        if self._open:
            self.texts.append((self._open[-1], data))

    def attrs(self, tag):
        return [attrs for name, attrs in self.tags if name == tag]

    def text_of(self, tag):
        return [data.strip() for name, data in self.texts if name == tag and data.strip()]


def fetch(client, url):
    """A feed as a feed reader sees it; it must be well-formed and of the expected kind."""
    response = client.get(url)
    assert response.status_code == 200, url
    parsed = feedparser.parse(response.content, resolve_relative_uris=False, sanitize_html=False)
    assert parsed.bozo == 0, (url, parsed.get("bozo_exception"))
    assert parsed.version == ("atom10" if "atom" in url else "rss20")
    return parsed


def reader_text(parsed):
    """Everything a subscriber could read in a feed, as one string."""
    parts = [parsed.feed.get("title", "")]
    for entry in parsed.entries:
        parts += [entry.title, entry.get("summary", ""), entry.get("author", "")]
        parts += [content.value for content in entry.get("content", [])]
        parts += [tag.term for tag in entry.get("tags", [])]
    return "\n".join(parts)


def json_feed(client):
    response = client.get("/feed.json")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/feed+json; charset=utf-8"
    return json.loads(response.content)


@pytest.fixture
def curator(db):
    user = make_user("jimin", curator=True)
    user.first_name, user.last_name = "Jimin", "Kim"
    user.save()
    return user


@pytest.fixture
def week(curator):
    """A published week as curators make it, plus a draft post waiting in it."""
    week = make_week(
        published=True, intro="이번 주에는 [지난주](/2021/w04/)에 이어 한국어 모델 소식."
    )
    make_post(
        title="GPT3, T5 한국어 사전학습모델 공개",
        slug="lmkor",
        week=week,
        published=True,
        curator=curator,
        source=make_link(
            "https://www.facebook.com/groups/TensorFlowKR/permalink/1411658372508550/"
        ),
        summary="> 한국어로 학습된 최신 언어모델들을 공개합니다.\n\n[저장소](/posts/pororo/) 참고",
        commentary="토크나이저는 wordpiece로 통일되었다고 합니다. [앞 글](#pororo)",
        topics=["NLP", "자연어처리"],
        links=["https://github.com/kiyoungkim1/LMkor"],
        position=0,
    )
    make_post(
        title="카카오브레인 Pororo 공개",
        slug="pororo",
        week=week,
        published=True,
        curator=curator,
        summary="자연어처리 라이브러리 **Pororo** 공개",
        topics=["NLP"],
        links=["https://github.com/kakaobrain/pororo", "https://arxiv.org/abs/2101.00001"],
        position=1,
    )
    make_post(title="Waiting in drafts", week=week, topics=["NLP", "자연어처리"], position=2)
    make_link("https://example.org/not-in-any-post")
    return week


# Every feed, every entry.


@pytest.mark.parametrize("url", XML_FEEDS)
def test_every_feed_parses_and_every_entry_is_complete(client, week, url):
    parsed = fetch(client, url)

    assert parsed.entries
    for entry in parsed.entries:
        assert entry.title
        assert entry.link.startswith(f"{SITE}/")
        assert ENTRY_ID.match(entry.id)
        assert entry.published_parsed
        if "atom" in url:  # RSS 2.0 has no date of update for an item
            assert entry.updated_parsed >= entry.published_parsed
        assert entry.author == "Jimin Kim"
        assert {tag.term for tag in entry.tags} <= {"NLP", "자연어처리"} and entry.tags
        assert entry.content[0].type == "text/html" and entry.content[0].value
        assert "summary" in entry


@pytest.mark.parametrize("url", XML_FEEDS)
def test_every_feed_leaves_in_one_piece(client, week, url):
    # A WSGI server sends each piece of a response with a system call of its own; the XML
    # writer's tags and texts, a piece each, made a 650 KB weeks feed cost 20 ms more to send.
    response = client.get(url)

    assert [len(piece) for piece in response if piece] == [len(response.content)]


@pytest.mark.parametrize("url", XML_FEEDS)
def test_every_feed_describes_itself(client, week, url):
    feed = fetch(client, url).feed

    assert feed.title.startswith("Jugan 주간")
    assert feed.subtitle
    assert feed.language == "ko"
    assert feed.updated_parsed
    self_links = [link.href for link in feed.links if link.rel == "self"]
    assert self_links == [SITE + quote(url)]
    [alternate] = [link.href for link in feed.links if link.rel == "alternate"]
    assert alternate.startswith(f"{SITE}/")


def test_the_weeks_feed_has_one_entry_per_week_with_the_whole_week_in_it(client, week):
    parsed = fetch(client, "/feed/")

    [entry] = parsed.entries
    assert entry.title == "2021년 2월 1주차"
    assert entry.link == f"{SITE}/2021/w05/"
    headings = Elements(entry.content[0].value).text_of("a")
    assert "GPT3, T5 한국어 사전학습모델 공개" in headings
    assert "카카오브레인 Pororo 공개" in headings
    assert "https://github.com/kakaobrain/pororo" in headings
    assert "Waiting in drafts" not in reader_text(parsed)
    # The description is the short version: the intro and the list of titles.
    summary_links = [a["href"] for a in Elements(entry.summary).attrs("a")]
    assert f"{SITE}/posts/lmkor/" in summary_links


def test_rss_carries_description_and_content_encoded_and_atom_carries_html_content(client, week):
    rss = ElementTree.fromstring(client.get("/feed/posts/").content)
    items = list(rss.iter("item"))
    assert items
    for item in items:
        assert item.findtext("description")
        assert item.findtext("description") in item.findtext(f"{CONTENT_NS}encoded")
        assert item.find("guid").get("isPermaLink") == "false"

    atom = ElementTree.fromstring(client.get("/feed/posts/atom/").content)
    entries = atom.findall(f"{ATOM_NS}entry")
    assert entries
    for entry in entries:
        assert entry.find(f"{ATOM_NS}content").get("type") == "html"
        assert entry.find(f"{ATOM_NS}summary").get("type") == "html"


@pytest.mark.parametrize("url", ["/feed/", "/feed/posts/", "/feed/atom/", "/feed/posts/atom/"])
def test_relative_links_in_the_content_are_made_absolute(client, week, url):
    for entry in fetch(client, url).entries:
        html = entry.content[0].value + entry.summary
        hrefs = [a["href"] for a in Elements(html).attrs("a")]
        assert hrefs
        assert all(href.startswith(("http://", "https://")) for href in hrefs), hrefs


def test_a_fragment_resolves_against_the_entry_it_appears_in(client, week):
    entries = {entry.link: entry for entry in fetch(client, "/feed/posts/").entries}

    html = entries[f"{SITE}/posts/lmkor/"].content[0].value
    hrefs = [a["href"] for a in Elements(html).attrs("a")]
    assert f"{SITE}/posts/lmkor/#pororo" in hrefs
    assert f"{SITE}/posts/pororo/" in hrefs
    assert f"{SITE}/2021/w05/#lmkor" in hrefs


def test_ids_survive_editing_titles_and_slugs(client, week):
    before = {entry.link: entry.id for entry in fetch(client, "/feed/posts/").entries}
    week_id = fetch(client, "/feed/").entries[0].id

    post = Post.objects.get(slug="lmkor")
    post.title, post.slug = "한국어 언어모델 LMkor", "lmkor-renamed"
    post.save()
    week.title = "2월 첫째 주: 한국어 모델"
    week.save()

    after = {entry.link: entry.id for entry in fetch(client, "/feed/posts/").entries}
    assert f"{SITE}/posts/lmkor-renamed/" in after
    assert sorted(after.values()) == sorted(before.values())
    assert after[f"{SITE}/posts/lmkor-renamed/"] == before[f"{SITE}/posts/lmkor/"]
    [renamed_week] = fetch(client, "/feed/").entries
    assert (renamed_week.title, renamed_week.id) == ("2월 첫째 주: 한국어 모델", week_id)


def test_a_post_is_dated_from_when_readers_could_first_see_it(client, curator):
    week = make_week(published=True, published_at=timezone.now() - timedelta(hours=1))
    make_post(week=week, published=True, published_at=timezone.now() - timedelta(days=3))

    [entry] = fetch(client, "/feed/posts/atom/").entries
    assert entry.published_parsed == week.published_at.utctimetuple()


def test_the_author_is_the_curators_full_name_or_the_site(client, week):
    make_post(title="No curator", week=week, published=True)
    make_post(
        title="Nameless curator",
        week=week,
        published=True,
        curator=make_user("login-name", curator=True),
    )

    authors = {entry.title: entry.author for entry in fetch(client, "/feed/posts/").entries}
    assert authors["카카오브레인 Pororo 공개"] == "Jimin Kim"
    assert authors["No curator"] == authors["Nameless curator"] == "Jugan 주간"
    [weekly] = fetch(client, "/feed/atom/").entries
    assert weekly.author == "Jimin Kim"
    assert "login-name" not in client.get("/feed/posts/").content.decode()


def test_the_latest_20_weeks_and_50_posts(client):
    for number in range(1, 22):
        make_post(week=make_week(number=number, published=True), published=True)
    week = make_week(year=2022, number=1, published=True)
    for _ in range(51):
        make_post(week=week, published=True)

    weeks = fetch(client, "/feed/").entries
    assert len(weeks) == 20
    assert weeks[0].link == f"{SITE}/2022/w01/"
    assert weeks[-1].link == f"{SITE}/2021/w03/"
    assert len(fetch(client, "/feed/posts/").entries) == 50


def test_a_feed_is_in_the_language_of_its_address_and_says_so(client, week):
    korean = client.get("/feed/", headers={"accept-language": "en", "referer": f"{SITE}/"})
    english = client.get("/en/feed/")

    assert feedparser.parse(korean.content).entries[0].title == "2021년 2월 1주차"
    parsed = feedparser.parse(english.content)
    assert (parsed.feed.language, parsed.entries[0].title) == ("en", "Week 5, 2021 · 1–7 Feb")
    assert parsed.entries[0].link == f"{SITE}/en/2021/w05/"
    assert english["ETag"] != korean["ETag"]
    assert english["Vary"] == korean["Vary"] == "Accept-Encoding"
    revalidated = client.get("/en/feed/", headers={"if-none-match": korean["ETag"]})
    assert revalidated.status_code == 200


# What a curator pastes.


def test_korean_emoji_and_right_to_left_text_survive(client, week):
    title = "مرحبا بالعالم 🎉 안녕하세요 ✨"
    make_post(title=title, week=week, published=True, topics=["자연어처리", "🤖 로봇"])

    for url in [*POST_FEEDS, "/topics/로봇/feed/atom/"]:
        entries = {entry.title: entry for entry in fetch(client, url).entries}
        if "/nlp/" not in url:
            assert {tag.term for tag in entries[title].tags} == {"자연어처리", "🤖 로봇"}
    for url in ["/feed/", "/feed/atom/"]:
        [weekly] = fetch(client, url).entries
        assert title in Elements(weekly.content[0].value).text_of("a")
        assert "🤖 로봇" in {tag.term for tag in weekly.tags}
    [item] = json_feed(client)["items"]
    assert title in Elements(item["content_html"]).text_of("a")


def test_a_korean_topic_has_its_own_feed(client, week):
    parsed = fetch(client, "/topics/자연어처리/feed/")

    assert parsed.feed.title == "Jugan 주간: 자연어처리"
    assert parsed.feed.link == SITE + quote("/topics/자연어처리/")
    assert [entry.title for entry in parsed.entries] == ["GPT3, T5 한국어 사전학습모델 공개"]


CONTROL = "\x01\x02\x07\x08\x0b\x0c\x0e\x1b\x1f\ufffe\uffff"


def test_control_characters_a_curator_pasted_never_break_a_feed(client, curator):
    curator.first_name = f"Ji{CONTROL}min"
    curator.save()
    week = make_week(published=True, title=f"Week{CONTROL} title", intro=f"In{CONTROL}tro")
    make_post(
        title=f"Con{CONTROL}trol",
        week=week,
        published=True,
        curator=curator,
        summary=f"Sum{CONTROL}mary",
        commentary=f"Com{CONTROL}ment",
        topics=[f"Ta{CONTROL}g"],
        links=["https://example.com/pasted"],
    )
    link = Link.objects.get(url="https://example.com/pasted")
    link.title = f"Li{CONTROL}nk"
    link.save()
    slug = Topic.objects.get().slug

    for url in [*SITE_FEEDS, f"/topics/{slug}/feed/", f"/topics/{slug}/feed/atom/"]:
        parsed = fetch(client, url)
        [entry] = parsed.entries
        assert entry.title in ("Control", "Week title")
        assert [tag.term for tag in entry.tags] == ["Tag"]
        assert entry.author == "Jimin Kim"
        assert not re.search("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]", reader_text(parsed))
    assert json_feed(client)["items"][0]["title"] == "Week title"
    opml = ElementTree.fromstring(client.get("/feeds.opml").content)
    assert "Tag" in [outline.get("text") for outline in opml.iter("outline")]


def test_xml_text_drops_exactly_what_xml_cannot_carry():
    text = "a\x00b\x1fc\ud800d\udfffe\ufffef\uffffg"
    kept = "\t\n\r 한국어 🎉 \u200f\ufffd\U0010ffff"

    assert xml_text(text + kept) == "abcdefg" + kept


@pytest.mark.parametrize("feed_type", [RssFeed, AtomFeed])
def test_no_field_of_a_feed_document_can_carry_an_illegal_character(feed_type):
    bad = "x\x00\ud800\uffff\x08y"
    feed = feed_type(
        title=bad, link="http://testserver/", description=bad, author_name=bad, subtitle=bad
    )
    feed.feed["updated"] = timezone.now()
    feed.add_item(
        title=bad,
        link="http://testserver/posts/x/",
        description=bad,
        content=bad,
        author_name=bad,
        categories=[bad],
        unique_id="tag:testserver,2021-02-01:/posts/1",
        pubdate=timezone.now(),
        updateddate=timezone.now(),
    )

    parsed = feedparser.parse(feed.writeString("utf-8").encode())
    assert parsed.bozo == 0
    assert parsed.feed.title == parsed.entries[0].title == parsed.entries[0].author == "xy"
    assert parsed.entries[0].tags[0].term == "xy"


# What readers must never see, and what they must see once it is due.


def hide_a_draft_week(client, week):
    week = make_week(number=6, title="Hidden week", intro="Hidden intro")
    make_post(title="Hidden post", week=week, published=True, topics=["숨은주제"])


def hide_a_draft_post_in_a_published_week(client, week):
    make_post(title="Hidden post", week=week, topics=["숨은주제"])


def hide_a_published_post_in_a_draft_week(client, week):
    make_post(title="Hidden post", week=make_week(number=6), published=True, topics=["숨은주제"])


def hide_a_post_scheduled_for_later(client, week):
    later = timezone.now() + timedelta(hours=1)
    make_post(
        title="Hidden post", week=week, published=True, published_at=later, topics=["숨은주제"]
    )


def hide_a_week_scheduled_for_later(client, week):
    later = timezone.now() + timedelta(hours=1)
    week = make_week(number=6, published=True, published_at=later, title="Hidden week")
    make_post(title="Hidden post", week=week, published=True, topics=["숨은주제"])


def hide_a_post_after_publishing_it(client, week):
    post = make_post(title="Hidden post", week=week, published=True, topics=["숨은주제"])
    # Readers have seen it, and the feeds are in the cache.
    for url in [*SITE_FEEDS, "/topics/숨은주제/feed/"]:
        assert "Hidden post" in reader_text(fetch(client, url))
    assert "숨은주제" in client.get("/feeds.opml").content.decode()
    post.status = Status.DRAFT
    post.save()


@pytest.mark.parametrize(
    "hide",
    [
        hide_a_draft_week,
        hide_a_draft_post_in_a_published_week,
        hide_a_published_post_in_a_draft_week,
        hide_a_post_scheduled_for_later,
        hide_a_week_scheduled_for_later,
        hide_a_post_after_publishing_it,
    ],
)
def test_drafts_and_scheduled_content_never_appear(client, staff_client, week, hide):
    hide(client, week)

    for reader in (client, staff_client):
        for url in [*SITE_FEEDS, *TOPIC_FEEDS]:
            assert "Hidden" not in reader_text(fetch(reader, url))
        assert "Hidden" not in reader.get("/feed.json").content.decode()
        # The topic exists, but only drafts use it: its feed is not found, like its page.
        assert reader.get("/topics/숨은주제/feed/").status_code == 404
        assert "숨은주제" not in reader.get("/feeds.opml").content.decode()
        assert "숨은주제" not in reader.get("/feeds/").content.decode()


def test_a_scheduled_post_appears_once_its_time_comes(client, week):
    later = timezone.now() + timedelta(hours=1)
    make_post(title="Scheduled post", week=week, published=True, published_at=later)
    before = client.get("/feed/posts/")
    assert "Scheduled post" not in reader_text(feedparser.parse(before.content))

    with mock.patch("django.utils.timezone.now", return_value=later + timedelta(seconds=1)):
        after = client.get("/feed/posts/", headers={"if-none-match": before["ETag"]})

    assert after.status_code == 200
    assert after["ETag"] != before["ETag"]
    assert "Scheduled post" in reader_text(feedparser.parse(after.content))


# Empty places.


@pytest.mark.parametrize("url", SITE_FEEDS)
def test_an_empty_site_serves_valid_feeds(client, db, url):
    parsed = fetch(client, url)

    assert parsed.entries == []
    assert parsed.feed.title and parsed.feed.updated_parsed


def test_an_empty_site_serves_the_json_feed_the_opml_and_the_feeds_page(client, db):
    assert json_feed(client)["items"] == []
    opml = ElementTree.fromstring(client.get("/feeds.opml").content)
    assert opml.get("version") == "2.0"
    assert client.get("/feeds/").status_code == 200


def test_a_topic_without_published_posts_has_no_feed_like_an_unknown_one(client, week):
    Topic.objects.create(name="강화학습")

    for url in [
        "/topics/강화학습/feed/",
        "/topics/강화학습/feed/atom/",
        "/topics/no-such-topic/feed/",
        "/topics/없는주제/feed/atom/",
    ]:
        assert client.get(url).status_code == 404


# Conditional GETs and the cache, as a feed reader polling every few minutes sees them.


@pytest.mark.parametrize("url", [*XML_FEEDS, "/feed.json", "/feeds.opml"])
def test_every_feed_sends_validators_and_honours_them(client, week, url):
    response = client.get(url)
    etag, last_modified = response["ETag"], response["Last-Modified"]

    by_etag = client.get(url, headers={"if-none-match": etag})
    by_date = client.get(url, headers={"if-modified-since": last_modified})
    assert (by_etag.status_code, by_etag.content, by_etag["ETag"]) == (304, b"", etag)
    assert (by_date.status_code, by_date.content) == (304, b"")
    stale = client.get(url, headers={"if-modified-since": "Mon, 01 Feb 2021 00:00:00 GMT"})
    assert stale.status_code == 200 and stale.content == response.content


def retitle_a_post(week):
    post = Post.objects.get(slug="pororo")
    post.title = "Retitled post"
    post.save()
    return "Retitled post", True


def publish_the_draft(week):
    post = Post.objects.get(title="Waiting in drafts")
    post.status = Status.PUBLISHED
    post.save()
    return "Waiting in drafts", True


def unpublish_a_post(week):
    post = Post.objects.get(slug="pororo")
    post.status = Status.DRAFT
    post.save()
    return "카카오브레인 Pororo 공개", False


def delete_a_post(week):
    Post.objects.get(slug="pororo").delete()
    return "카카오브레인 Pororo 공개", False


def edit_the_weeks_intro(week):
    week.intro = "A brand new intro"
    week.save()
    return "A brand new intro", True


def rename_a_link(week):
    link = Link.objects.get(url="https://github.com/kakaobrain/pororo")
    link.title = "Pororo on GitHub"
    link.save()
    return "Pororo on GitHub", True


def add_a_link_to_a_post(week):
    link = Link.objects.get(url="https://example.org/not-in-any-post")
    Post.objects.get(slug="pororo").links.add(link)
    return "https://example.org/not-in-any-post", True


def rename_a_topic(week):
    tag = Topic.objects.get(name="NLP")
    tag.name = "Natural language"
    tag.save()
    return "Natural language", True


def retag_a_post(week):
    Post.objects.get(slug="lmkor").topics.set(["강화학습"])
    return "강화학습", True


def rename_the_curator(week):
    user = Post.objects.get(slug="pororo").curator
    user.first_name = "Minji"
    user.save()
    return "Minji Kim", True


@pytest.mark.parametrize(
    "change",
    [
        retitle_a_post,
        publish_the_draft,
        unpublish_a_post,
        delete_a_post,
        edit_the_weeks_intro,
        rename_a_link,
        add_a_link_to_a_post,
        rename_a_topic,
        retag_a_post,
        rename_the_curator,
    ],
)
def test_any_change_a_reader_could_see_refreshes_the_cached_feed(client, week, change):
    before = client.get("/feed/")
    assert client.get("/feed/").content == before.content

    text, visible = change(week)

    after = client.get("/feed/", headers={"if-none-match": before["ETag"]})
    assert after.status_code == 200
    assert (text in reader_text(feedparser.parse(before.content))) is not visible
    assert (text in reader_text(feedparser.parse(after.content))) is visible


def test_logging_in_changes_nothing_a_reader_sees(client, week, curator):
    before = client.get("/feed/")

    client.force_login(curator)
    client.logout()

    assert client.get("/feed/", headers={"if-none-match": before["ETag"]}).status_code == 304


# Discovery.


def alternate_links(html):
    return [
        attrs
        for attrs in Elements(html).attrs("link")
        if attrs.get("rel") == "alternate" and attrs.get("type", "").endswith("+xml")
    ]


def test_every_page_links_to_the_site_feeds(client, week):
    links = alternate_links(client.get("/").content.decode())

    assert {(link["type"], link["href"]) for link in links} == {
        ("application/rss+xml", "/feed/"),
        ("application/atom+xml", "/feed/atom/"),
        ("application/rss+xml", "/feed/posts/"),
        ("application/atom+xml", "/feed/posts/atom/"),
    }
    for link in links:
        assert link["title"]
        assert fetch(client, link["href"]).entries


def test_a_topic_page_can_link_to_its_topic_feed(client, week):
    template = Template('{% include "includes/topic_feed_links.html" %}')
    html = template.render(Context({"tag": Topic.objects.get(name="자연어처리")}))

    links = alternate_links(html)
    assert [link["type"] for link in links] == ["application/rss+xml", "application/atom+xml"]
    for link in links:
        assert "자연어처리" in link["title"]
        assert fetch(client, link["href"]).feed.title == "Jugan 주간: 자연어처리"


def test_a_topic_page_advertises_its_own_feed_beside_the_site_feeds(client, week):
    response = client.get(reverse("digest:topic", kwargs={"slug": "자연어처리"}))

    hrefs = [link["href"] for link in alternate_links(response.content.decode())]
    assert reverse("digest:feed") in hrefs
    assert quote("/topics/자연어처리/feed/") in hrefs
    assert quote("/topics/자연어처리/feed/atom/") in hrefs


def test_every_page_links_to_the_feeds_page(client, week):
    page = Elements(client.get("/").content.decode())

    assert reverse("digest:feeds") in [a["href"] for a in page.attrs("a")]


def test_the_feeds_page_lists_every_feed_with_a_readable_link_and_a_copy_button(client, week):
    page = parse(client.get("/feeds/"))

    rows = page.select(".feeds .feed-address-row")
    hrefs = [row.select_one("a.feed-address")["href"] for row in rows]
    assert hrefs == [
        f"{SITE}/feed/",
        f"{SITE}/feed/atom/",
        f"{SITE}/feed.json",
        f"{SITE}/feed/posts/",
        f"{SITE}/feed/posts/atom/",
        f"{SITE}/topics/nlp/feed/",
        f"{SITE}/topics/nlp/feed/atom/",
        SITE + quote("/topics/자연어처리/feed/"),
        SITE + quote("/topics/자연어처리/feed/atom/"),
    ]
    # Korean slugs read as Korean; the link and the copied address stay valid URIs.
    shown = [row.select_one("a.feed-address").get_text() for row in rows]
    assert str(rows[0].select_one("a.feed-address")) == (
        '<a class="feed-address" href="http://testserver/feed/" translate="no">'
        "http:/<wbr/>/<wbr/>testserver/<wbr/>feed/<wbr/></a>"
    )
    assert shown[-2:] == [f"{SITE}/topics/자연어처리/feed/", f"{SITE}/topics/자연어처리/feed/atom/"]
    assert [text(row.select_one(".feed-format")) for row in rows[:3]] == [
        "RSS",
        "Atom",
        "JSON Feed",
    ]
    for row, href in zip(rows, hrefs, strict=True):
        button = row.select_one("button.copy-address")
        assert button["data-address"] == href
        assert button["type"] == "button"
        # Shown by the script; without it the address is plain text to select.
        assert button.has_attr("hidden")
    for href in hrefs:
        path = href.removeprefix(SITE)
        if path != "/feed.json":
            assert fetch(client, path).entries
    assert [a["href"] for a in page.select("a[href$='.opml']")] == [f"{SITE}/feeds.opml"]
    # No input boxes that cut addresses off.
    assert page.select("main input") == []
    # A strict CSP allows no inline script or style: the copy script is a file of its own.
    assert [script.attrs for script in page.select("script")] == [
        {"src": "/static/js/copy-address.js", "defer": ""}
    ]
    assert page.select("style, [style], [onclick]") == []


def test_the_opml_file_lists_the_weeks_feed_and_the_topic_feeds(client, week):
    response = client.get("/en/feeds.opml")

    assert response["Content-Type"] == "text/x-opml; charset=utf-8"
    opml = ElementTree.fromstring(response.content)
    assert opml.tag == "opml" and opml.get("version") == "2.0"
    assert opml.findtext("head/title") == "Jugan 주간"
    assert opml.findtext("head/dateModified")
    feeds = {
        outline.get("text"): outline.get("xmlUrl")
        for outline in opml.iter("outline")
        if outline.get("type") == "rss"
    }
    # One format per feed, and no two feeds carrying the same entries: the posts feed's posts
    # are the topics' (and of two topics with the same posts, one is enough).
    assert feeds == {"Weeks": f"{SITE}/en/feed/", "NLP": f"{SITE}/en/topics/nlp/feed/"}
    for url in feeds.values():
        assert fetch(client, url.removeprefix(SITE)).entries


def test_the_json_feed_carries_the_same_entries(client, week):
    document = json_feed(client)

    assert document["version"] == "https://jsonfeed.org/version/1.1"
    assert document["feed_url"] == f"{SITE}/feed.json"
    [item] = document["items"]
    [entry] = fetch(client, "/feed/").entries
    assert (item["id"], item["url"], item["title"]) == (entry.id, entry.link, entry.title)
    assert item["tags"] == ["NLP", "자연어처리"]
    assert item["authors"] == [{"name": "Jimin Kim"}]
    assert item["date_published"] and item["date_modified"]
    assert "카카오브레인 Pororo 공개" in Elements(item["content_html"]).text_of("a")


def test_a_topic_feed_describes_a_topic_named_like_markup_as_text(client, week):
    make_post(week=week, published=True, topics=["<b>굵게</b> & co"])
    slug = Topic.objects.get(name="<b>굵게</b> & co").slug

    rss = ElementTree.fromstring(client.get(f"/topics/{slug}/feed/").content)
    atom = ElementTree.fromstring(client.get(f"/topics/{slug}/feed/atom/").content)

    # RSS readers show the channel's description as HTML; Atom's subtitle is text.
    description = rss.find("channel/description").text
    assert "&lt;b&gt;굵게&lt;/b&gt; &amp; co" in description
    assert "<b>굵게</b> & co" in atom.find(f"{ATOM_NS}subtitle").text


def opml_topics(client):
    opml = ElementTree.fromstring(client.get("/feeds.opml").content)
    return [
        outline.get("text")
        for outline in opml.iter("outline")
        if (outline.get("xmlUrl") or "").endswith("/feed/") and "/topics/" in outline.get("xmlUrl")
    ]


@pytest.mark.parametrize(
    "posts, listed",
    [
        pytest.param([["a", "b"], ["a", "b"]], ["a"], id="the same posts: one is enough"),
        pytest.param([["NLP", "한국어"], ["NLP", "한국어"], ["NLP"]], ["NLP"], id="a subset"),
        pytest.param([["a", "c"], ["a", "b"], ["b", "c"]], ["a", "b"], id="each pair shares one"),
        pytest.param([["a"], ["b"], ["a", "b"]], ["a", "b"], id="each has its own"),
        pytest.param([["a"], []], ["a"], id="a post without topics"),
    ],
)
def test_the_opml_file_lists_topic_feeds_that_each_carry_a_post_of_their_own(client, posts, listed):
    week = make_week(published=True)
    for topics in posts:
        make_post(week=week, published=True, topics=topics)

    assert opml_topics(client) == listed


def test_a_topic_is_listed_for_the_posts_its_feed_carries_not_for_older_ones(client):
    """The feed of a topic with more than 50 posts carries its latest 50: a topic holding only
    an older one of them has a post of its own in the feeds."""
    week = make_week(published=True)
    oldest = timezone.now() - timedelta(days=100)
    make_post("오래된 글", week=week, published=True, published_at=oldest, topics=["big", "old"])
    for number in range(50):
        make_post(f"글 {number}", week=week, published=True, topics=["big"])

    assert opml_topics(client) == ["big", "old"]

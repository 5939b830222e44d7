"""A real feed reader subscribed through `/feeds.opml` shows every feed whole.

newsboat (Debian's) keeps an entry once, by its id, whichever feed brought it first: feeds
listed together that carry the same entries show as one full feed and empty ones, depending on
the order it happens to fetch them in. Here it imports the OPML file from a live server and
fetches every feed once, in the order the file gives and in the reverse order; each time its own
cache (SQLite) must hold every published week and post, and an entry for every listed feed the
server serves with entries.
"""

import shutil
import sqlite3
import subprocess
import urllib.request
from io import StringIO
from xml.etree import ElementTree

import feedparser
import pytest
from django.core.cache import cache
from django.core.management import call_command

from archive.models import Post, Week
from digest.feeds import entry_id
from tests.factories import make_post, make_week
from tests.real_parts import unavailable

# The live server needs committed rows; the rows data migrations made are put back afterwards.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def newsboat(tmp_path):
    """Runs newsboat with its own home folder; the urls and cache files are the caller's."""
    program = shutil.which("newsboat")
    if program is None:
        unavailable("newsboat is not installed (apt-get install newsboat)")
    home = tmp_path / "home"
    home.mkdir()
    environment = {"HOME": str(home), "PATH": "/usr/bin:/bin", "LANG": "C.UTF-8"}

    def run(urls, cache_file, *arguments):
        finished = subprocess.run(
            [program, "-u", str(urls), "-c", str(cache_file), *arguments],
            env=environment,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert finished.returncode == 0, finished.stdout + finished.stderr

    return run


@pytest.fixture
def site(live_server, settings):
    """The demo weeks (whose topics overlap: "vision" and "컴퓨터비전" tag the same posts, all of
    "한국어" is in "NLP"), a post without a topic, and a draft that must stay out; served under the
    live server's name."""
    settings.SITE_URL = live_server.url
    cache.clear()  # responses cached by earlier tests name another server
    call_command("loaddemo", stdout=StringIO())
    week = make_week(2021, 48, published=True, intro="한 주 더")
    make_post("주제 없는 글", week=week, published=True, summary="주제가 없습니다.")
    make_post("아직 초안인 글", week=week, summary="초안입니다.", topics=["NLP"])
    return live_server


def fetch(url):
    with urllib.request.urlopen(url, timeout=30) as response:
        return response.read()


def reload_all(newsboat, tmp_path, name, subscriptions):
    """Every feed fetched once into a new cache, in this order: [(guid, title, url, feed)]."""
    urls = tmp_path / f"{name}.urls"
    urls.write_text("".join(subscriptions), encoding="utf-8")
    cache_file = tmp_path / f"{name}.db"
    newsboat(urls, cache_file, "-x", "reload")
    with sqlite3.connect(cache_file) as database:
        return database.execute(
            "SELECT guid, title, url, feedurl, content FROM rss_item"
        ).fetchall()


def test_newsboat_shows_every_week_and_post_and_no_listed_feed_empty(newsboat, site, tmp_path):
    opml = fetch(f"{site.url}/feeds.opml")
    (tmp_path / "feeds.opml").write_bytes(opml)
    listed = [
        outline.get("xmlUrl")
        for outline in ElementTree.fromstring(opml).iter("outline")
        if outline.get("xmlUrl")
    ]
    served = {feed: len(feedparser.parse(fetch(feed)).entries) for feed in listed}
    newsboat(tmp_path / "imported.urls", tmp_path / "import.db", "-i", tmp_path / "feeds.opml")
    subscriptions = (tmp_path / "imported.urls").read_text(encoding="utf-8").splitlines(True)
    assert [line.split()[0] for line in subscriptions] == listed

    for order, lines in [("as listed", subscriptions), ("reversed", subscriptions[::-1])]:
        items = reload_all(newsboat, tmp_path, order.replace(" ", "-"), lines)

        # Every published week, under the entry id the weeks feed has always given it.
        weeks_feed = f"{site.url}/feed/"
        weeks = {guid: content for guid, _t, _u, feed, content in items if feed == weeks_feed}
        assert set(weeks) == {entry_id(week, "weeks") for week in Week.objects.published()}
        # Every published post: as an entry of a topic feed, or in its week's entry.
        entries = {url for _g, _t, url, _f, _c in items}
        for post in Post.objects.published():
            address = site.url + post.get_absolute_url()
            in_its_week = address in weeks[entry_id(post.week, "weeks")]
            assert address in entries or in_its_week, (order, post.title)
        assert "아직 초안인 글" not in {title for _g, title, _u, _f, _c in items}
        # No listed feed the server serves with entries shows none.
        for feed in listed:
            shown = sum(1 for item in items if item[3] == feed)
            assert shown or not served[feed], f"{order}: {feed} is empty, it serves {served[feed]}"
    assert all(served.values()) and len(listed) >= 4

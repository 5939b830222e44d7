"""Faithful dates: a round-up of February 2021 imported in December 2026 is dated February 2021
in its page, every feed and the sitemap, and placed there among the other weeks."""

from datetime import UTC, datetime, timedelta
from io import StringIO
from pathlib import Path
from unittest import mock
from zoneinfo import ZoneInfo

import feedparser
import pytest
from django.core.management import call_command
from django.utils import timezone

from archive.demo import WEEKS as DEMO_WEEKS
from archive.models import Post, Status, Week
from archive.services import publish_week
from tests.factories import make_post, make_week
from tests.html import parse, text

pytestmark = pytest.mark.django_db

SEOUL = ZoneInfo("Asia/Seoul")
ROUND_UP = Path(__file__).parents[1] / "fixtures" / "round-up-2021-w05.md"
# The round-up's blog title is `[210209 TIL]`: written on 9 February 2021, out that evening.
WRITTEN = datetime(2021, 2, 9, 21, 0, tzinfo=SEOUL)
DECEMBER_2026 = datetime(2026, 12, 10, 12, 0, tzinfo=SEOUL)


def frozen(moment):
    return mock.patch("django.utils.timezone.now", return_value=moment)


def import_round_up(*options):
    call_command("import_digest", str(ROUND_UP), *options, stdout=StringIO())


@pytest.fixture
def imported_late(db):
    """The demo weeks (November 2021), then the February 2021 round-up, imported and
    published in December 2026."""
    call_command("loaddemo", stdout=StringIO())
    with frozen(DECEMBER_2026):
        import_round_up("--publish")
    return Week.objects.get(year=2021, number=5)


def get(client, url):
    with frozen(DECEMBER_2026):
        response = client.get(url)
    assert response.status_code == 200, url
    return response


def test_an_old_round_up_imported_late_is_published_at_its_own_time(imported_late):
    assert imported_late.published_at == WRITTEN
    assert imported_late.updated == WRITTEN
    posts = imported_late.posts.all()
    assert {(post.status, post.published_at, post.updated) for post in posts} == {
        (Status.PUBLISHED, WRITTEN, WRITTEN)
    }


def test_the_feeds_place_it_below_newer_weeks_with_its_2021_date(client, imported_late):
    demo_weeks = sorted(DEMO_WEEKS, key=lambda week: week.published_at, reverse=True)

    rss = feedparser.parse(get(client, "/feed/").content)

    assert [entry.link.rsplit("/", 2)[1] for entry in rss.entries] == [
        *(f"w{week.week.number:02d}" for week in demo_weeks),
        "w05",
    ]
    old = rss.entries[-1]
    assert old.published_parsed[:6] == WRITTEN.astimezone(UTC).timetuple()[:6]

    atom = feedparser.parse(get(client, "/feed/atom/").content).entries[-1]
    assert atom.published_parsed.tm_year == atom.updated_parsed.tm_year == 2021
    json_feed = get(client, "/feed.json").json()["items"][-1]
    assert datetime.fromisoformat(json_feed["date_published"]) == WRITTEN
    assert datetime.fromisoformat(json_feed["date_modified"]) == WRITTEN

    posts = feedparser.parse(get(client, "/feed/posts/").content).entries
    # The round-up's three posts are the oldest entries, after November's.
    assert [entry.published_parsed[:2] for entry in posts[-3:]] == [(2021, 2)] * 3
    assert {entry.published_parsed[:2] for entry in posts[:-3]} == {(2021, 11)}


def test_the_week_page_and_the_sitemap_date_it_in_2021(client, imported_late):
    page = parse(get(client, "/2021/w05/"))
    published = page.select_one(".week-labels .published-on time")
    assert datetime.fromisoformat(published["datetime"]) == WRITTEN
    assert text(published) == "2021년 2월 9일"

    sitemap = get(client, "/sitemap-weeks.xml").content.decode()
    entry = sitemap.split("/2021/w05/</loc>")[1].split("</url>")[0]
    assert "<lastmod>2021-02-09" in entry


def test_the_archive_and_home_keep_the_calendar_order(client, imported_late):
    archive = parse(get(client, "/weeks/2021/"))
    assert [row.a["href"] for row in archive.select(".week-row")] == [
        "/2021/w47/",
        "/2021/w46/",
        "/2021/w05/",
    ]
    home = parse(get(client, "/"))
    assert home.select_one(".week-title a")["href"] == "/2021/w47/"


def test_a_week_published_late_is_news_in_the_feeds_and_keeps_its_place_in_the_archive(client):
    november = make_week(2021, 47, published=True, published_at=datetime(2021, 11, 28, tzinfo=UTC))
    make_post(week=november, published=True, published_at=november.published_at)
    march = make_week(2021, 10, published=True, published_at=datetime(2021, 12, 1, tzinfo=UTC))
    make_post(week=march, published=True, published_at=march.published_at)

    feed = feedparser.parse(client.get("/feed/").content)
    archive = parse(client.get("/weeks/2021/"))

    assert [entry.link.rsplit("/", 2)[1] for entry in feed.entries] == ["w10", "w47"]
    assert [row.a["href"] for row in archive.select(".week-row")] == ["/2021/w47/", "/2021/w10/"]


def test_the_sitemap_dates_a_page_from_its_publication_when_it_was_edited_before(client):
    week = make_week(2021, 5, published=True)
    post = make_post(week=week, published=True)
    edited_before = week.published_at - timedelta(days=2)
    Week.objects.filter(pk=week.pk).update(updated=edited_before)
    Post.objects.filter(pk=post.pk).update(updated=edited_before)

    weeks = client.get("/sitemap-weeks.xml").content.decode()
    posts = client.get("/sitemap-posts.xml").content.decode()

    published_on = timezone.localtime(week.published_at).date()
    assert f"<lastmod>{published_on}</lastmod>" in weeks
    assert f"<lastmod>{published_on}</lastmod>" in posts


def test_importing_again_keeps_the_weeks_time(imported_late):
    curators_time = datetime(2021, 2, 10, 8, 0, tzinfo=SEOUL)
    Week.objects.filter(pk=imported_late.pk).update(published_at=curators_time)

    with frozen(DECEMBER_2026 + timedelta(days=3)):
        import_round_up("--publish")

    imported_late.refresh_from_db()
    assert imported_late.published_at == curators_time


def test_a_round_up_imported_as_a_draft_keeps_its_time_when_a_curator_publishes_it():
    with frozen(DECEMBER_2026):
        import_round_up()
    week = Week.objects.get()
    assert (week.status, week.published_at) == (Status.DRAFT, WRITTEN)

    with frozen(DECEMBER_2026 + timedelta(days=1)):
        publish_week(week)

    week.refresh_from_db()
    assert (week.status, week.published_at) == (Status.PUBLISHED, WRITTEN)
    assert set(Post.objects.values_list("published_at", flat=True)) == {WRITTEN}

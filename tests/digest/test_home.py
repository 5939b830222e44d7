"""The home page calls its week "this week" (이번 주) only during that ISO week, in the site's
time zone, and "latest week" (최신 주간) after it, even when nothing else changed."""

from datetime import datetime, timedelta
from unittest import mock
from zoneinfo import ZoneInfo

import pytest

from archive.models import ContentVersion
from tests.factories import make_post, make_week
from tests.html import parse, text

pytestmark = pytest.mark.django_db

SEOUL = ZoneInfo("Asia/Seoul")


def frozen(moment):
    return mock.patch("django.utils.timezone.now", return_value=moment)


@pytest.mark.parametrize(
    ("today", "kicker"),
    [
        (datetime(2021, 11, 24, 10, 0, tzinfo=SEOUL), "이번 주"),  # Wednesday of 2021-W47
        (datetime(2021, 11, 28, 23, 59, tzinfo=SEOUL), "이번 주"),  # its Sunday night
        (datetime(2021, 11, 29, 0, 0, tzinfo=SEOUL), "최신 주간"),  # the next Monday
        (datetime(2026, 12, 10, 12, 0, tzinfo=SEOUL), "최신 주간"),
    ],
)
def test_the_home_page_says_this_week_only_during_that_week(client, today, kicker):
    week = make_week(2021, 47, published=True, published_at=datetime(2021, 11, 22, tzinfo=SEOUL))
    make_post(week=week, published=True, published_at=week.published_at)

    with frozen(today):
        page = parse(client.get("/"))

    assert text(page.select_one("article.week .kicker")) == kicker


def test_the_home_pages_label_turns_with_the_week_though_nothing_changed(client):
    week = make_week(2021, 47, published=True, published_at=datetime(2021, 11, 22, tzinfo=SEOUL))
    make_post(week=week, published=True, published_at=week.published_at)
    sunday = datetime(2021, 11, 28, 23, 0, tzinfo=SEOUL)
    # As if the content last changed then (the database stamps changes with its own clock).
    ContentVersion.objects.update(changed_at=week.published_at)

    with frozen(sunday):
        first = client.get("/en/")
    with frozen(sunday + timedelta(hours=2)):
        revalidated = client.get("/en/", HTTP_IF_NONE_MATCH=first["ETag"])
        since = client.get("/en/", HTTP_IF_MODIFIED_SINCE=first["Last-Modified"])

    assert text(parse(first).select_one(".kicker")) == "This week"
    assert text(parse(revalidated).select_one(".kicker")) == "Latest week"
    assert since.status_code == 200

"""A published week as Markdown at its own address (`/2021/w05.md`), for readers who cross-post
it; archive/export.py writes it and tests/archive/test_export.py tests the format."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from archive.export import week_markdown
from archive.models import Status
from tests.factories import make_post, make_published_week, make_week

pytestmark = pytest.mark.django_db


def test_a_published_week_is_public_as_markdown(client):
    week = make_published_week()
    hidden = make_post(title="아직 초안인 글", week=week)

    response = client.get("/2021/w05.md")

    assert response.status_code == 200
    assert response["Content-Type"] == "text/markdown; charset=utf-8"
    text = response.content.decode("utf-8")
    assert text == week_markdown(week, week.posts.published())
    assert text.count("\n### ") == 3
    assert hidden.title not in text
    assert reverse("digest:week_markdown", kwargs={"year": 2021, "week": 5}) == "/2021/w05.md"


@pytest.mark.parametrize(
    "week",
    [
        pytest.param({}, id="draft"),
        pytest.param(
            {"status": Status.PUBLISHED, "published_at": timezone.now() + timedelta(days=1)},
            id="scheduled",
        ),
    ],
)
def test_weeks_readers_cannot_see_are_not_public_as_markdown(client, week):
    make_week(**week)

    assert client.get("/2021/w05.md").status_code == 404


def test_a_staff_member_does_not_see_drafts_through_the_public_markdown(staff_client):
    make_week()

    assert staff_client.get("/2021/w05.md").status_code == 404


def test_weeks_that_do_not_exist_are_not_found(client):
    assert client.get("/2021/w54.md").status_code == 404
    assert client.get("/2021/w07.md").status_code == 404

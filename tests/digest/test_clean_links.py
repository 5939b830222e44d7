"""What a curator pastes keeps no tracking parameter on its way to any reader."""

import pytest

from tests.factories import make_post, make_week

pytestmark = pytest.mark.django_db

# Every page, feed and export that shows a post's text.
READER_ADDRESSES = [
    "/",
    "/2021/w05/",
    "/posts/{slug}/",
    "/feed/",
    "/feed/atom/",
    "/feed.json",
    "/feed/posts/",
    "/feed/posts/atom/",
    "/topics/nlp/feed/",
    "/topics/nlp/feed/atom/",
    "/2021/w05.md",
]


def test_a_tracking_parameter_pasted_into_the_text_reaches_no_page_feed_or_export(client):
    week = make_week(published=True, intro="소개: https://example.com/?utm_source=fb 참고")
    post = make_post(
        "저장소 공개",
        week=week,
        published=True,
        summary="[저장소](https://github.com/a/b?fbclid=IwAR1)",
        commentary="영상은 <https://youtu.be/x?si=AbC&t=3> 에서.",
        topics=["NLP"],
    )

    for address in READER_ADDRESSES:
        response = client.get(address.format(slug=post.slug))
        text = response.content.decode()
        assert response.status_code == 200, address
        assert "github.com/a/b" in text, address
        assert "fbclid" not in text and "utm_source" not in text and "si=AbC" not in text, address

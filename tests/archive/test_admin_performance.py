"""The curator's lists cost the same number of queries however many rows they show."""

import pytest
from django.urls import reverse

from tests.factories import make_link, make_post, make_published_week

pytestmark = pytest.mark.django_db

# Session, user, permissions, the count, the rows and their topics, the filters' choices.
POST_CHANGELIST_QUERIES = 12
LINK_CHANGELIST_QUERIES = 7
WEEK_CHANGELIST_QUERIES = 8
# The change form also reads who added, edited and published the post (archive/history.py).
POST_CHANGE_FORM_QUERIES = 13


@pytest.mark.parametrize("posts", [2, 40])
def test_the_post_changelist(curator_client, django_assert_max_num_queries, posts):
    make_published_week(posts=posts)
    url = reverse("admin:archive_post_changelist")

    with django_assert_max_num_queries(POST_CHANGELIST_QUERIES):
        response = curator_client.get(url)

    assert response.status_code == 200
    assert len(response.context["cl"].result_list) == posts


@pytest.mark.parametrize("weeks", [1, 12])
def test_the_link_and_week_changelists(curator_client, django_assert_max_num_queries, weeks):
    for week in range(1, weeks + 1):
        make_published_week(number=week, posts=3)

    with django_assert_max_num_queries(LINK_CHANGELIST_QUERIES):
        links = curator_client.get(reverse("admin:archive_link_changelist"))
    with django_assert_max_num_queries(WEEK_CHANGELIST_QUERIES):
        response = curator_client.get(reverse("admin:archive_week_changelist"))

    assert (links.status_code, response.status_code) == (200, 200)
    assert [week.post_count for week in response.context["cl"].result_list] == [3] * weeks


@pytest.mark.parametrize("links", [0, 20])
def test_the_post_change_form(curator_client, django_assert_max_num_queries, links):
    post = make_post(
        source=make_link(),
        topics=["NLP", "자연어처리"],
        links=[make_link().url for _ in range(links)],
    )

    with django_assert_max_num_queries(POST_CHANGE_FORM_QUERIES):
        response = curator_client.get(reverse("admin:archive_post_change", args=[post.pk]))

    assert response.status_code == 200

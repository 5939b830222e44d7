"""The Markdown export costs the same few queries however many posts a week holds."""

import pytest
from django.urls import reverse

from tests.factories import make_published_week, make_user

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("posts", [1, 12])
def test_the_public_markdown_of_a_week(client, django_assert_max_num_queries, posts):
    make_published_week(posts=posts)

    # The content's state (archive.versioning), the week, its posts, and their topics, post links
    # and links.
    with django_assert_max_num_queries(6):
        assert client.get("/2021/w05.md").status_code == 200


@pytest.mark.parametrize("posts", [1, 12])
def test_the_admin_download_of_a_week(client, django_assert_max_num_queries, posts):
    client.force_login(make_user("admin", superuser=True))
    week = make_published_week(posts=posts)

    # Session and user, the changelist's selection and count, then the export's five.
    with django_assert_max_num_queries(10):
        response = client.post(
            reverse("admin:archive_week_changelist"),
            {"action": "download_markdown", "_selected_action": [week.pk]},
        )
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="2021-W05.md"'

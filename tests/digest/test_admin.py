"""The weeks in the admin, driven as a Curators member through the test client."""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from archive.models import Post, Status, Week
from tests.factories import make_post, make_week
from tests.html import form_values, parse_html

pytestmark = pytest.mark.django_db

CHANGELIST_URL = reverse("admin:archive_week_changelist")
ADD_URL = reverse("admin:archive_week_add")


def change_url(week):
    return reverse("admin:archive_week_change", args=[week.pk])


def page_form(response):
    assert response.status_code == 200
    return form_values(parse_html(response.content).find("form", id="week_form"))


@pytest.fixture
def draft_week(db):
    week = make_week(2021, 5, intro="이번 주의 소식")
    for position, title in enumerate(["first", "second", "third"]):
        make_post(title, week=week, position=position)
    return week


def test_the_changelist_shows_each_weeks_post_count_and_page(curator_client, draft_week):
    make_week(2021, 6, published=True)

    root = parse_html(curator_client.get(CHANGELIST_URL).content)

    rows = root.find("table", id="result_list").find("tbody").find_all("tr")
    cells = {row.find_all("td")[1].text: row for row in rows}
    assert cells["2021-W05"].find("td", class_="field-post_count").text == "3"
    assert cells["2021-W06"].find("td", class_="field-post_count").text == "0"
    with translation.override("ko"):
        preview_label, view = _("Preview"), _("View")
    preview = cells["2021-W05"].find("td", class_="field-page").find("a")
    assert (preview.text, preview.attrs["href"]) == (preview_label, "/2021/w05/")
    assert cells["2021-W06"].find("td", class_="field-page").find("a").text == view


def test_the_inline_reorders_the_weeks_posts(curator_client, draft_week):
    values = page_form(curator_client.get(change_url(draft_week)))
    titles = [values[f"posts-{number}-id"] for number in range(3)]
    assert titles == [str(post.pk) for post in draft_week.posts.in_reading_order()]
    values["posts-0-position"], values["posts-2-position"] = "5", "0"

    response = curator_client.post(change_url(draft_week), values)

    assert response.status_code == 302
    assert [post.title for post in draft_week.posts.in_reading_order()] == [
        "third",
        "second",
        "first",
    ]


def test_the_inline_shows_title_and_status_and_adds_or_deletes_nothing(curator_client, draft_week):
    root = parse_html(curator_client.get(change_url(draft_week)).content)

    inline = root.find("div", id="posts-group")
    assert [cell.text.strip() for cell in inline.find_all("td", class_="field-title")] == [
        "first",
        "second",
        "third",
    ]
    assert len(inline.find_all("td", class_="field-status")) == 3
    assert not inline.find_all("input", type="checkbox")  # no delete boxes
    assert inline.find("tr", class_="empty-form") is None


def test_publish_actions(curator_client, draft_week):
    """Each publish action shows what goes out, then publishes once confirmed
    (tests/archive/test_admin_publishing.py has the details)."""
    Post.objects.filter(title="first").update(status=Status.PUBLISHED, summary="요약")
    Post.objects.filter(title="second").update(summary="요약")

    def run(action, **confirmed):
        return curator_client.post(
            CHANGELIST_URL, {"action": action, "_selected_action": [draft_week.pk], **confirmed}
        )

    assert run("publish").status_code == 200  # the confirmation page
    assert Week.objects.get().status == Status.DRAFT
    assert run("publish", confirmed="yes").status_code == 302
    draft_week.refresh_from_db()
    assert draft_week.is_published
    assert list(Post.objects.published().values_list("title", flat=True)) == ["first"]

    assert run("publish_with_posts", confirmed="yes").status_code == 302
    assert Post.objects.published().count() == 2  # "third" has no summary

    assert run("unpublish").status_code == 302
    draft_week.refresh_from_db()
    assert draft_week.status == Status.DRAFT
    assert not Post.objects.published().exists()


def test_a_draft_is_previewed_by_staff_and_hidden_from_readers(client, curator, draft_week):
    week_page = draft_week.get_absolute_url()
    assert client.get(week_page).status_code == 404

    client.force_login(curator)
    view_on_site = reverse(
        "admin:view_on_site",
        args=[ContentType.objects.get_for_model(Week).pk, draft_week.pk],
    )
    response = client.get(view_on_site)
    assert (response.status_code, response.url) == (302, f"http://testserver{week_page}")
    page = client.get(week_page)
    assert page.status_code == 200
    assert "이번 주의 소식" in parse_html(page.content).find("main").text

    change_page = parse_html(client.get(change_url(draft_week)).content)
    assert change_page.find("a", href=view_on_site) is not None


@pytest.mark.parametrize("day", ["2021-02-30", "someday", "", "2021-02-03", "2021-02-07"])
def test_a_day_that_is_no_day_or_in_a_week_that_exists_already_is_a_form_error(
    curator_client, draft_week, day
):
    values = page_form(curator_client.get(ADD_URL))
    values.update(day=day)

    response = curator_client.post(ADD_URL, values)

    assert response.status_code == 200
    assert "day" in response.context["adminform"].form.errors
    assert Week.objects.count() == 1


def test_an_over_long_intro_is_a_form_error(curator_client):
    values = page_form(curator_client.get(ADD_URL))
    values.update(year="2021", number="7", intro="> 인용 " * 20_000)

    response = curator_client.post(ADD_URL, values)

    assert response.status_code == 200
    assert "intro" in response.context["adminform"].form.errors
    assert not Week.objects.exists()

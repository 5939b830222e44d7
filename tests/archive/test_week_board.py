"""The week board: the week in progress on one admin page, its posts reordered with buttons that
work without JavaScript (and by dragging, tests/e2e), what each post lacks, the preview and the
way to publishing; a new week chosen by a day; Markdown fields previewed as readers see them."""

from datetime import date

import pytest
from django.contrib.admin.models import LogEntry
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from archive import versioning
from archive.history import message_of
from archive.models import Post, Status, Week
from archive.services import OrderOutdated, move_within_week, order_week
from tests.factories import make_post, make_user, make_week
from tests.html import admin_form_values, form_values, parse, text, texts

pytestmark = pytest.mark.django_db


@pytest.fixture
def week():
    week = make_week(2021, 5, intro="")
    make_post("첫째", week=week, position=0, summary="요약", links=["https://a.example/"])
    make_post("둘째", week=week, position=1, topics=["NLP"])
    make_post(
        "셋째",
        week=week,
        position=2,
        summary="요약",
        topics=["NLP"],
        links=["https://c.example/"],
        published=True,
    )
    return week


def board_url(week):
    return reverse("admin:archive_week_board", args=[week.pk])


def titles(week):
    return list(week.posts.in_reading_order().values_list("title", flat=True))


def post(title):
    return Post.objects.get(title=title)


# The service


def test_a_week_is_put_in_the_order_given(week):
    curator = make_user("curator", curator=True)
    third, first, second = post("셋째"), post("첫째"), post("둘째")
    before = second.updated

    moved = order_week(week, [third.pk, first.pk, second.pk], user=curator)

    assert moved == 3
    assert titles(week) == ["셋째", "첫째", "둘째"]
    assert list(week.posts.in_reading_order().values_list("position", flat=True)) == [0, 1, 2]
    second.refresh_from_db()
    assert second.updated > before  # a post form opened before sees the change
    entry = LogEntry.objects.get(object_id=str(week.pk))
    assert entry.user == curator
    assert message_of(entry) in {"Put its posts in a new order.", "글의 순서를 바꿨습니다."}


@pytest.mark.parametrize("change", ["missing", "extra", "twice"])
def test_an_order_that_is_not_of_the_weeks_posts_changes_nothing(week, change):
    ids = list(week.posts.in_reading_order().values_list("pk", flat=True))
    other = make_post("다른 주간", week=make_week(2021, 6))
    given = {
        "missing": ids[:2],
        "extra": [*ids, other.pk],
        "twice": [ids[0], ids[0], ids[1]],
    }[change]

    with pytest.raises(OrderOutdated):
        order_week(week, given[::-1])

    assert titles(week) == ["첫째", "둘째", "셋째"]
    assert not LogEntry.objects.exists()


def test_moving_a_post_stops_at_the_ends(week):
    move_within_week(week, post("첫째").pk, -1)
    assert titles(week) == ["첫째", "둘째", "셋째"]

    move_within_week(week, post("첫째").pk, 1)
    assert titles(week) == ["둘째", "첫째", "셋째"]

    move_within_week(week, post("셋째").pk, -5)
    assert titles(week) == ["셋째", "둘째", "첫째"]


# The page


def test_the_board_shows_the_posts_in_reading_order_with_what_each_lacks(
    week, curator_client, django_assert_max_num_queries
):
    with django_assert_max_num_queries(12):
        response = curator_client.get(board_url(week))

    page = parse(response)
    assert texts(page, ".board-title") == ["첫째", "둘째", "셋째"]
    rows = page.select(".board-post")
    assert text(rows[0].select_one(".board-missing")) == "아직 필요한 것: 주제, 게시 (지금은 초안)"
    assert text(rows[1].select_one(".board-missing")) == (
        "아직 필요한 것: 요약, 링크, 게시 (지금은 초안)"
    )
    assert rows[2].select_one(".board-ready") is not None
    readiness = texts(page, "#readiness .readiness li")
    assert readiness[0].startswith("이 주간에는 아직 소개 글이 없습니다")
    assert "3개 중 1개" in readiness[1]
    assert page.select_one("a.board-preview")["href"] == week.get_absolute_url()
    publish = page.select_one(".board-publish a")
    assert publish["href"] == reverse("admin:archive_week_publish", args=[week.pk])
    assert rows[0].select_one(".board-up").has_attr("disabled")
    assert rows[2].select_one(".board-down").has_attr("disabled")


def test_the_queries_do_not_grow_with_the_posts(week, curator_client, django_assert_num_queries):
    with CaptureQueriesContext(connection) as few:
        curator_client.get(board_url(week))
    for number in range(10):
        make_post(f"더 {number}", week=week, topics=["NLP"], links=[f"https://x.example/{number}"])
    with django_assert_num_queries(len(few.captured_queries)):
        response = curator_client.get(board_url(week))
    assert len(parse(response).select(".board-post")) == 13


def test_a_ready_week_says_so(curator_client):
    week = make_week(2021, 7, intro="이번 주 소개")
    make_post(
        "준비됨",
        week=week,
        summary="요약",
        topics=["NLP"],
        links=["https://a.example/"],
        published=True,
    )

    page = parse(curator_client.get(board_url(week)))

    assert [item["class"] for item in page.select("#readiness .readiness li")] == [
        ["ready"],
        ["ready"],
    ]


def test_the_move_buttons_work_without_javascript(week, curator_client):
    second = post("둘째")
    form = parse(curator_client.get(board_url(week))).select_one("#board-form")
    button = form.select_one(f"#board-post-{second.pk} .board-up")
    values = {**form_values(form), button["name"]: button["value"]}

    response = curator_client.post(board_url(week), values)

    assert response.status_code == 302
    assert titles(week) == ["둘째", "첫째", "셋째"]
    back = parse(curator_client.get(response["Location"]))
    # The keyboard is back where it was: the post reached the top, so on its other button.
    focused = back.select("[autofocus]")
    assert len(focused) == 1
    assert focused[0]["value"] == f"down-{second.pk}"


def test_the_script_saves_a_dragged_order_as_json(week, curator_client):
    ids = [post("셋째").pk, post("첫째").pk, post("둘째").pk]

    response = curator_client.post(
        board_url(week), {"order": ids}, headers={"Accept": "application/json"}
    )

    assert (response.status_code, response.json()) == (200, {"saved": True})
    assert titles(week) == ["셋째", "첫째", "둘째"]


def test_an_outdated_order_is_refused_and_the_board_says_why(week, curator_client):
    ids = [post("셋째").pk, post("첫째").pk]

    refused = curator_client.post(
        board_url(week), {"order": ids}, headers={"Accept": "application/json"}
    )
    assert refused.status_code == 409
    assert "2021-W05" in refused.json()["error"]

    shown = curator_client.post(board_url(week), {"order": ids}, follow=True)
    assert "2021-W05" in text(parse(shown).select_one(".messagelist"))
    assert titles(week) == ["첫째", "둘째", "셋째"]


@pytest.mark.parametrize(
    "values", [{"move": "sideways-1"}, {"move": "up-abc"}, {"move": ""}, {"order": ["x"]}, {}]
)
def test_a_tampered_move_is_a_message_not_an_error(week, curator_client, values):
    response = curator_client.post(board_url(week), values, follow=True)

    assert response.status_code == 200
    assert parse(response).select_one(".messagelist .error") is not None
    assert titles(week) == ["첫째", "둘째", "셋째"]


def test_staff_who_may_only_view_see_the_board_without_moving(week, client):
    from django.contrib.auth.models import Permission

    viewer = make_user("viewer", staff=True)
    viewer.user_permissions.add(*Permission.objects.filter(codename__in=["view_week", "view_post"]))
    client.force_login(viewer)

    page = parse(client.get(board_url(week)))
    assert page.select(".board-post")
    assert not page.select(".board-up, [draggable], .board-publish")
    refused = client.post(board_url(week), {"move": f"down-{post('첫째').pk}"})
    assert refused.status_code == 403
    assert titles(week) == ["첫째", "둘째", "셋째"]


def test_a_board_of_no_week_goes_back_to_the_list(curator_client):
    response = curator_client.get(reverse("admin:archive_week_board", args=[999]))
    assert response.status_code == 302


def test_the_board_is_linked_from_the_week_and_the_admins_home(week, curator_client):
    change = parse(curator_client.get(reverse("admin:archive_week_change", args=[week.pk])))
    assert change.select_one("a.week-board-link")["href"] == board_url(week)

    home = parse(curator_client.get(reverse("admin:index")))
    assert board_url(week) in [a["href"] for a in home.select("#weeks-in-progress a")]


def test_the_admins_home_lists_this_week_and_the_drafts(curator_client, week):
    published = make_week(2021, 3, published=True)

    home = parse(curator_client.get(reverse("admin:index")))

    links = [a["href"] for a in home.select("#weeks-in-progress li a")]
    assert board_url(week) in links
    assert board_url(published) not in links


# A new week, by a day


def test_a_new_week_is_chosen_by_a_day_and_opens_on_its_board(curator_client):
    add = reverse("admin:archive_week_add")
    form = parse(curator_client.get(add))
    assert form.select_one("input[name=day]") is not None
    assert form.select_one("input[name=year], input[name=number]") is None
    values = admin_form_values(curator_client.get(add))
    values.update(day="2021-01-03", title="새해")  # a Sunday: the last day of 2020-W53

    response = curator_client.post(add, values)

    week = Week.objects.get()
    assert (week.year, week.number, week.title, week.status) == (2020, 53, "새해", Status.DRAFT)
    assert response.status_code == 302
    assert response["Location"] == board_url(week)


def test_a_typed_iso_week_is_never_taken(curator_client):
    add = reverse("admin:archive_week_add")
    values = admin_form_values(curator_client.get(add))
    values.update(day="2021-02-03", year="1999", number="7")

    curator_client.post(add, values)

    week = Week.objects.get()
    assert (week.year, week.number) == (2021, 5)


def test_a_day_of_a_week_that_exists_names_its_board(week, curator_client):
    add = reverse("admin:archive_week_add")
    values = admin_form_values(curator_client.get(add))
    values.update(day=date(2021, 2, 7).isoformat())

    response = curator_client.post(add, values)

    errors = parse(response).select_one(".field-day .errorlist")
    assert errors.select_one("a")["href"] == board_url(week)
    assert Week.objects.count() == 1


def test_a_weeks_dates_show_on_its_form_and_cannot_be_typed(week, curator_client):
    page = parse(curator_client.get(reverse("admin:archive_week_change", args=[week.pk])))

    assert "2021-W05" in text(page.select_one(".field-dates"))
    assert page.select_one("input[name=number]") is None


# Markdown previews


PREVIEW_URL = reverse("admin:archive_markdown_preview")


def test_the_preview_renders_as_saving_renders(curator_client):
    text_ = "**굵게** <script>alert(1)</script> [링크](https://example.com/?utm_source=x)"
    saved = make_post(summary=text_)

    response = curator_client.post(PREVIEW_URL, {"text": text_})

    assert response.status_code == 200
    assert response.json()["html"] == saved.summary_html
    assert "<script" not in response.json()["html"]


def test_the_preview_is_for_staff_and_writes_nothing(curator_client):
    reader = Client()
    reader.force_login(make_user("reader"))
    for visitor in (Client(), reader):
        refused = visitor.post(PREVIEW_URL, {"text": "x"})
        assert refused.status_code == 302  # to the sign-in page
        assert "html" not in refused.content.decode()
    before = versioning.current_state()

    assert curator_client.post(PREVIEW_URL, {"text": "**x**"}).status_code == 200
    assert curator_client.get(PREVIEW_URL).status_code == 405
    assert versioning.current_state() == before
    assert not LogEntry.objects.exists()


def test_the_preview_refuses_text_too_costly_to_render(curator_client):
    response = curator_client.post(PREVIEW_URL, {"text": "[" * 100_000})

    assert response.status_code == 422
    assert response.json()["error"]


def test_the_markdown_fields_offer_the_preview(week, curator_client):
    post_form = parse(curator_client.get(reverse("admin:archive_post_add")))
    week_form = parse(curator_client.get(reverse("admin:archive_week_change", args=[week.pk])))

    for form, names in ((post_form, ["summary", "commentary"]), (week_form, ["intro", "outro"])):
        for name in names:
            assert form.select_one(f"textarea[name={name}]")["data-preview"] == PREVIEW_URL
    scripts = [script.get("src", "") for script in post_form.select("script")]
    assert any(src.endswith("js/markdown-preview.js") for src in scripts)


def test_a_post_saved_with_save_and_open_the_week_board_goes_there(curator_client):
    add = reverse("admin:archive_post_add")
    values = admin_form_values(curator_client.get(add))
    values.update(title="보드로", posted_on="2021-02-03", _board="1")
    values.pop("_save", None)

    response = curator_client.post(add, values)

    post = Post.objects.get(title="보드로")
    assert (post.week.year, post.week.number) == (2021, 5)
    assert response.status_code == 302
    assert response["Location"] == board_url(post.week)
    board = parse(curator_client.get(response["Location"]))
    assert texts(board, ".board-title") == ["보드로"]
    assert board.select_one(".messagelist .success") is not None

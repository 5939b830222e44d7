import stat
from io import StringIO
from urllib.parse import urlsplit

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db.models import Q

from archive import search
from archive.demo import DEMO_WEEK, WEEKS
from archive.markdown_urls import normalize_markdown_urls
from archive.models import Link, Post, PostLink, Status, Topic, Week
from archive.normalize import normalize_url
from tests.html import parse_html

pytestmark = pytest.mark.django_db


def run(command):
    output = StringIO()
    call_command(command, stdout=output)
    return output.getvalue()


# loaddemo


def test_loaddemo_installs_published_weeks_of_curated_posts():
    run("loaddemo")

    assert [week.iso_label for week in Week.objects.published().newest_first()] == [
        "2021-W47",
        "2021-W46",
    ]
    week = Week.objects.at(DEMO_WEEK.week).get()
    assert week.intro_html and week.outro_html
    assert week.published_at == DEMO_WEEK.published_at
    posts = list(week.posts.published().in_reading_order())
    assert len(posts) == 5
    assert [post.title for post in posts] == [post.title for post in DEMO_WEEK.posts]
    assert all(week.start <= post.posted_on <= week.end for post in posts)
    assert all(post.commentary_html for post in posts)
    assert any(post.title.isascii() for post in posts), "an English post"
    assert any(not post.title.isascii() for post in posts), "a Korean post"
    for post in posts:
        uses = Link.objects.filter(Q(sourced_posts=post) | Q(post_links__post=post)).distinct()
        assert uses.count() >= 2, post.title


def test_the_demo_covers_topics_kinds_and_cleans_its_links():
    run("loaddemo")

    topics = set(Post.objects.values_list("topics__name", flat=True))
    assert {"NLP", "vision", "datasets", "자연어처리", "컴퓨터비전", "데이터셋"} <= topics
    kinds = set(Link.objects.values_list("kind", flat=True))
    assert {"repository", "package", "paper", "model", "dataset", "video", "community"} <= kinds
    assert Link.objects.filter(url__contains="m.facebook.com").count() >= 2
    assert not Link.objects.filter(normalized_url__contains="m.facebook.com").exists()
    walkthrough = Post.objects.get(title__contains="ViT")
    assert walkthrough.summary_html.count("<strong>") == 2  # two sub-items
    assert PostLink.objects.filter(post=walkthrough, link__kind="community").count() == 2


def test_the_demo_content_has_no_tracking_parameters():
    texts = [text for week in WEEKS for text in (week.intro, week.outro)] + [
        text for week in WEEKS for post in week.posts for text in (post.summary, post.commentary)
    ]
    urls = [post.source_url for week in WEEKS for post in week.posts if post.source_url] + [
        link.url for week in WEEKS for post in week.posts for link in post.links
    ]

    assert [text for text in texts if normalize_markdown_urls(text) != text] == []
    assert [url for url in urls if urlsplit(normalize_url(url)).query != urlsplit(url).query] == []


def test_the_demo_topics_have_english_names_that_search_finds():
    run("loaddemo")

    assert Topic.objects.get(name="트랜스포머").name_en == "Transformer"
    assert not Topic.objects.filter(name__regex=r"[가-힣]", name_en="").exists()
    found = {post.title for post in Post.objects.published().search("transformer")}
    assert {
        "코드로 읽는 비전 트랜스포머 (ViT, CLIP)",
        "Transformers로 한국어 문장 분류 따라 하기",
    } <= found
    week = Week.objects.at(DEMO_WEEK.week).get()
    assert ("week", week.pk) in search.find(
        "형태소를", Post.objects.published(), Week.objects.published()
    ).results


def test_loaddemo_twice_creates_nothing_new():
    first = run("loaddemo")
    counts = [model.objects.count() for model in (Week, Post, Link, PostLink)]

    second = run("loaddemo")

    assert [model.objects.count() for model in (Week, Post, Link, PostLink)] == counts
    assert first.count("installed") == len(WEEKS)
    assert second.count("already there") == len(WEEKS)


def test_loaddemo_leaves_a_curators_changes_alone():
    run("loaddemo")
    week = Week.objects.at(DEMO_WEEK.week).get()
    week.posts.first().delete()
    Week.objects.filter(pk=week.pk).unpublish()

    run("loaddemo")

    week.refresh_from_db()
    assert (week.status, week.posts.count()) == (Status.DRAFT, 4)


def test_the_demo_week_page_is_public(client):
    run("loaddemo")
    week = Week.objects.at(DEMO_WEEK.week).get()

    response = client.get(week.get_absolute_url())

    assert response.status_code == 200
    main = parse_html(response.content).find("main")
    assert all(post.title in main.text for post in DEMO_WEEK.posts)
    assert main.find("blockquote") is not None


# ensure_admin


@pytest.fixture
def data_dir(settings, tmp_path):
    settings.DATA_DIR = tmp_path
    return tmp_path


def saved_password(data_dir):
    user_line, password_line = (data_dir / "admin-login.txt").read_text().splitlines()
    assert user_line == "user: admin"
    return password_line.removeprefix("password: ")


def test_ensure_admin_creates_a_superuser_and_keeps_its_login_private(data_dir):
    output = run("ensure_admin")

    password = saved_password(data_dir)
    admin = get_user_model().objects.get(username="admin")
    assert admin.is_superuser and admin.is_staff and admin.check_password(password)
    assert len(password) >= 20
    assert f"password: {password}" in output and "/admin/" in output
    assert stat.S_IMODE((data_dir / "admin-login.txt").stat().st_mode) == 0o600


def test_ensure_admin_prints_the_same_login_while_it_works(data_dir):
    run("ensure_admin")
    password = saved_password(data_dir)

    output = run("ensure_admin")

    assert f"password: {password}" in output
    assert get_user_model().objects.count() == 1


@pytest.mark.parametrize("lose_the_file", [False, True])
def test_ensure_admin_leaves_a_changed_password_alone(data_dir, lose_the_file):
    run("ensure_admin")
    saved = saved_password(data_dir)
    admin = get_user_model().objects.get(username="admin")
    admin.set_password("the curator's own choice")
    admin.save()
    if lose_the_file:
        (data_dir / "admin-login.txt").unlink()

    output = run("ensure_admin")

    assert "manage.py changepassword admin" in output
    assert saved not in output
    admin.refresh_from_db()
    assert admin.check_password("the curator's own choice")
    if not lose_the_file:
        assert saved_password(data_dir) == saved


def test_ensure_admin_replaces_a_stale_world_readable_file(data_dir):
    stale = data_dir / "admin-login.txt"
    stale.write_text("user: admin\npassword: from an old database\n")
    stale.chmod(0o644)

    run("ensure_admin")

    assert saved_password(data_dir) != "from an old database"
    assert stat.S_IMODE(stale.stat().st_mode) == 0o600

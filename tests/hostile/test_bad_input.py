"""Bad input in every admin form (posts with their links, links, weeks, topics) and the import
command: Korean, emoji, zero-width and right-to-left text is saved exactly; NUL characters,
1 MB values, malformed or enormous addresses and duplicates are refused with a message on the
field; nothing is half-written, nothing is a 500, and every page and feed still renders.

Each form gets every value in every field, in one database, so the pages rendered at the end
hold everything the forms accepted."""

from datetime import date

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from taggit.utils import parse_tags

from archive.models import Link, Post, PostLink, Topic, Week
from archive.services import publish_week
from archive.weeks import IsoWeek
from tests.factories import make_post, make_user, make_week
from tests.hostile.safety import assert_feed_runs_nothing, assert_runs_nothing
from tests.html import form_values, parse_html

pytestmark = pytest.mark.django_db

TEXT = {
    "korean": "자연어처리 모델을 공개했습니다",
    "emoji": "🤖 모델 🚀 👩‍💻 🇰🇷",
    "zero-width": "모\u200b델\u200c공\u200d개\ufeff",
    "right-to-left": "\u202eلدوم\u202c مرحبا עברית",
    "combining": "e\u0301\u0300 각",
    "markup": "<b>굵게</b> & \"따옴표\" 'x'",
}
REFUSED_TEXT = {
    "NUL": "모델\x00공개",
    "1 MB": "x" * 1_000_000,
}
URLS = {
    "Korean path": "https://ko.wikipedia.org/wiki/자연어처리",
    "Korean domain": "https://한국어.kr/경로?질문=답",
    "emoji path": "https://example.com/🤖",
    # Mapped to nothing by IDNA, as browsers do: the link is https://example.com/.
    "zero-width host": "https://exa\u200bmple.com/",
}
REFUSED_URLS = {
    "NUL": "https://example.com/\x00",
    "1 MB": "https://example.com/" + "a" * 1_000_000,
    "no scheme host": "https://",
    "space": "https://exa mple.com/",
    "bad port": "https://example.com:99999/",
    "broken IPv6": "https://[::1/",
    "script": "javascript:alert(1)",
    "data": "data:text/html,x",
    "other scheme": "ftp://example.com/",
    "too long once encoded": "https://example.com/" + "가" * 700,
}


def counts():
    return tuple(model.objects.count() for model in (Post, Link, PostLink, Week, Topic))


@pytest.fixture
def curator():
    client = Client(HTTP_ACCEPT_LANGUAGE="en", raise_request_exception=False)
    client.force_login(make_user("curator", curator=True))
    return client


def opened(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    return form_values(parse_html(response.content).find("form", id=lambda _id: True) or {})


def admin_form(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    model_name = response.context["opts"].model_name
    return form_values(parse_html(response.content).find("form", id=f"{model_name}_form"))


def field_errors(response, field):
    """The messages shown on the field (or on the row of an inline field) after a refusal."""
    errors = list(response.context["adminform"].form.errors.get(field, []))
    for formset in response.context["inline_admin_formsets"]:
        for form in formset.formset.forms:
            errors += form.errors.get(field.rsplit("-", 1)[-1], [])
        errors += formset.formset.non_form_errors()
    return errors


def submit(client, url, values, field, value, *, refused, stored):
    """Post the form with the field set to the value: saved exactly, or refused with a message
    on that field and nothing written."""
    before = counts()
    response = client.post(url, {**values, field: value})

    assert response.status_code in {200, 302}, (field, value[:40], response.status_code)
    if response.status_code == 302:
        assert not refused, f"{field} accepted {value[:40]!r}"
        assert stored() == expected(field, value), (field, value[:40])
    else:
        assert field_errors(response, field), (field, value[:40])
        assert counts() == before, (field, value[:40])
    return response


def expected(field, value):
    if field == "topics":
        return sorted(parse_tags(value))
    return value.strip()


def everything_renders():
    """Every reader page and feed, with all that was saved, still renders and runs nothing."""
    reader = Client(raise_request_exception=False)
    Post.objects.publish()
    for week in Week.objects.filter(posts__isnull=False).distinct():
        publish_week(week)
    urls = ["/", "/weeks/", "/topics/", "/search/?q=%EB%AA%A8%EB%8D%B8", "/feeds/"]
    urls += [week.get_absolute_url() for week in Week.objects.published()]
    urls += [post.get_absolute_url() for post in Post.objects.all()]
    urls += [f"/topics/{tag.slug}/" for tag in Post.objects.published().topics()]
    for url in urls:
        response = reader.get(url)
        assert response.status_code == 200, url
        assert_runs_nothing(response.content, url)
    for url in ["/feed/", "/feed/atom/", "/feed.json", "/feed/posts/", "/feeds.opml"]:
        assert_feed_runs_nothing(reader.get(url), url)


POST_ADD = reverse("admin:archive_post_add")


def newest_post():
    return Post.objects.latest("id")


def post_value(field):
    def stored():
        post = newest_post()
        if field == "topics":
            return sorted(post.topics.names())
        if field == "post_links-0-label":
            return post.post_links.get().label
        return getattr(post, field)

    return stored


@pytest.mark.parametrize(
    "field", ["title", "summary", "commentary", "topics", "slug", "post_links-0-label"]
)
def test_the_post_form_takes_any_text_and_refuses_what_cannot_be_kept(curator, field):
    values = admin_form(curator, POST_ADD) | {"title": "기본 제목", "posted_on": "2021-02-02"}
    values["post_links-0-url"] = "https://github.com/kakaobrain/pororo"
    slug_like = field == "slug"
    for number, (name, value) in enumerate({**TEXT, **REFUSED_TEXT}.items()):
        if field != "title":
            values["title"] = f"기본 제목 {number}"
        # Each post its own link: a link another post features asks for a second save.
        values["post_links-0-url"] = f"https://github.com/kakaobrain/pororo-{number}"
        values["slug"] = "" if not slug_like else values.get("slug", "")
        refused = name in REFUSED_TEXT or (slug_like and not value.replace("-", "").isalnum())
        if slug_like and not refused:
            value = value.replace(" ", "-")
        submit(curator, POST_ADD, values, field, value, refused=refused, stored=post_value(field))
    everything_renders()


@pytest.mark.parametrize("field", ["source_url", "post_links-0-url"])
def test_the_post_form_keeps_addresses_as_pasted_or_refuses_them(curator, field):
    values = admin_form(curator, POST_ADD) | {"posted_on": "2021-02-02"}

    def stored():
        post = newest_post()
        return post.source.url if field == "source_url" else post.post_links.get().link.url

    for number, (name, url) in enumerate({**URLS, **REFUSED_URLS}.items()):
        values["title"] = f"주소 {number}"
        submit(curator, POST_ADD, values, field, url, refused=name in REFUSED_URLS, stored=stored)
    everything_renders()


def test_the_link_form_keeps_text_and_addresses_or_refuses_them(curator):
    add = reverse("admin:archive_link_add")
    values = admin_form(curator, add)

    def stored(field):
        return lambda: getattr(Link.objects.latest("id"), field)

    for name, url in {**URLS, **REFUSED_URLS}.items():
        refused = name in REFUSED_URLS
        submit(curator, add, values, "url", url, refused=refused, stored=stored("url"))
    for field in ["title", "description"]:
        for number, (name, value) in enumerate({**TEXT, **REFUSED_TEXT}.items()):
            values["url"] = f"https://example.com/{field}/{number}"
            refused = name in REFUSED_TEXT
            submit(curator, add, values, field, value, refused=refused, stored=stored(field))
    everything_renders()


def test_the_week_form_keeps_text_or_refuses_it(curator):
    add = reverse("admin:archive_week_add")
    values = admin_form(curator, add)
    week = iter(range(1, 53))

    for field in ["title", "intro", "outro"]:
        for name, value in {**TEXT, **REFUSED_TEXT}.items():
            values |= {"day": IsoWeek(2021, next(week)).start.isoformat()}
            refused = name in REFUSED_TEXT
            stored = lambda field=field: getattr(Week.objects.latest("id"), field)  # noqa: E731
            submit(curator, add, values, field, value, refused=refused, stored=stored)
    everything_renders()


def test_the_topic_form_keeps_names_or_refuses_them(curator):
    add = reverse("admin:archive_topic_add")
    values = admin_form(curator, add)

    for number, (name, value) in enumerate({**TEXT, **REFUSED_TEXT}.items()):
        values["slug"] = f"topic-{number}"
        stored = lambda: Topic.objects.latest("id").name  # noqa: E731
        submit(curator, add, values, "name", value, refused=name in REFUSED_TEXT, stored=stored)
    everything_renders()


# Duplicates


def test_a_duplicate_title_gets_its_own_address_and_a_duplicate_slug_is_refused(curator):
    first = make_post("같은 제목", week=make_week())
    values = admin_form(curator, POST_ADD) | {"title": "같은 제목", "posted_on": "2021-02-02"}

    assert curator.post(POST_ADD, values).status_code == 302
    assert newest_post().slug == f"{first.slug}-2"
    refused = submit(curator, POST_ADD, values, "slug", first.slug, refused=True, stored=None)
    assert "already exists" in str(field_errors(refused, "slug"))


def test_a_duplicate_week_link_or_topic_is_refused_on_its_field(curator):
    make_week(2021, 5)
    make_post(topics=["자연어처리"])
    Link.objects.for_url("https://github.com/kakaobrain/pororo")
    cases = [
        ("admin:archive_week_add", {"day": "2021-02-03"}, "day"),
        ("admin:archive_link_add", {"url": "https://GitHub.com/kakaobrain/pororo?fbclid=1"}, "url"),
        ("admin:archive_topic_add", {"name": "자연어처리", "slug": "nlp-2"}, "name"),
    ]
    for name, fields, field in cases:
        url = reverse(name)
        before = counts()
        response = curator.post(url, admin_form(curator, url) | fields)
        assert response.status_code == 200, name
        assert response.context["adminform"].form.errors.get(field), name
        assert counts() == before


def test_a_change_form_refusing_one_value_changes_nothing(curator):
    post = make_post("원래", week=make_week(), summary="원래 요약", links=["https://a.example/"])
    change = reverse("admin:archive_post_change", args=[post.pk])
    values = admin_form(curator, change)
    values |= {"title": "바뀜", "post_links-0-label": "바뀐 라벨", "summary": "- " * 2000 + "x"}

    response = curator.post(change, values)

    assert response.status_code == 200
    assert "nests quotes or lists" in str(response.context["adminform"].form.errors["summary"])
    post.refresh_from_db()
    assert (post.title, post.post_links.get().label) == ("원래", "")


# The bookmarklet's prefill, which comes from any page's address bar


def test_the_bookmarklet_prefill_keeps_text_and_drops_nul(curator):
    response = curator.get(
        POST_ADD, {"title": "🤖 모델\x00", "url": "https://example.com/\x00x", "text": "인용\x00문"}
    )

    form = response.context["adminform"].form
    assert form.initial["title"] == "🤖 모델"
    [links] = response.context["inline_admin_formsets"]
    assert links.formset.forms[0].initial["url"] == "https://example.com/x"  # a page: a link
    assert form.initial["summary"] == "> 인용문"


# The import command


def round_up(title="한국어 제목", summary="요약", source="https://example.com/post/1", extra=""):
    source_line = f"/ [게시물 링크]({source})" if source else ""
    return (
        f"# 이번 주\n\n인사말\n\n---\n\n### 1. {title}\n\n2021년 2월 1일{source_line}\n\n"
        f"{summary}\n{extra}"
    )


@pytest.mark.parametrize("name", list(TEXT))
def test_the_import_keeps_any_text_exactly(tmp_path, name):
    text = TEXT[name]
    path = tmp_path / "week.md"
    path.write_text(round_up(title=text, summary=text), encoding="utf-8")

    call_command("import_digest", str(path), stdout=open("/dev/null", "w"))  # noqa: SIM115

    post = Post.objects.get()
    assert (post.title, post.summary, post.posted_on) == (
        text.strip(),
        text.strip(),
        date(2021, 2, 1),
    )


@pytest.mark.parametrize(
    "text, line_holding, message",
    [
        pytest.param(round_up(summary="모델\x00공개"), "모델", "control", id="NUL"),
        pytest.param(round_up(title="가" * 1_000_000), "### 1.", "title", id="1 MB title"),
        pytest.param(round_up(summary="가" * 1_000_000), "### 1.", "summary", id="1 MB summary"),
        pytest.param(
            round_up(source="https://example.com:99999/"), "2021년", "not valid", id="bad port"
        ),
        pytest.param(
            round_up(source="https://example.com/" + "가" * 700),
            "2021년",
            "too long",
            id="long URL",
        ),
        pytest.param(round_up(summary="- " * 2000 + "x"), "### 1.", "nests", id="deep nesting"),
        pytest.param(round_up(summary="[" * 20_000), "### 1.", "brackets", id="20 KB of ["),
    ],
)
def test_the_import_refuses_what_it_cannot_keep_with_file_and_line(
    tmp_path, text, line_holding, message
):
    line = text[: text.index(line_holding)].count("\n") + 1
    path = tmp_path / "week.md"
    path.write_text(text, encoding="utf-8")
    before = counts()

    with pytest.raises(CommandError) as raised:
        call_command("import_digest", str(path), stdout=open("/dev/null", "w"))  # noqa: SIM115

    assert f"{path}:{line}:" in str(raised.value)
    assert message in str(raised.value)
    assert counts() == before


def test_a_form_sending_megabytes_gets_a_page_saying_why_and_saves_nothing(curator):
    values = admin_form(curator, POST_ADD) | {"title": "큰 글", "posted_on": "2021-02-02"}

    response = curator.post(POST_ADD, values | {"summary": "가" * 1_000_000})  # 9 MB encoded

    assert response.status_code == 400
    page = parse_html(response.content)
    assert "more than the site takes at once (2.5\xa0MB)" in page.find("main").text
    assert counts() == (0, 0, 0, 0, 0)

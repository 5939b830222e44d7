"""The curator's admin, driven as a Curators member (not a superuser) through the test client."""

import pytest
from django.urls import NoReverseMatch, reverse
from django.utils import translation

from archive.models import MARKDOWN_MAX_LENGTH, Link, Post, Status, Topic, Week
from archive.services import unpublish_week
from tests.factories import make_link, make_post, make_user, make_week
from tests.html import admin_form_values, error_messages, form_values, parse_html

pytestmark = pytest.mark.django_db

ADD_URL = reverse("admin:archive_post_add")
CHANGELIST_URL = reverse("admin:archive_post_changelist")


@pytest.fixture(autouse=True)
def english(client):
    """Assertions below quote the English messages; the Korean catalogue is tested on its own."""
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


def change_url(post):
    return reverse("admin:archive_post_change", args=[post.pk])


def link_rows(values, rows):
    """Fill the links inline's first rows with (url, label, position)."""
    for number, (url, label, position) in enumerate(rows):
        values[f"post_links-{number}-url"] = url
        values[f"post_links-{number}-label"] = label
        values[f"post_links-{number}-position"] = str(position)
    return values


def new_post_form(client, **fields):
    values = admin_form_values(client.get(ADD_URL))
    values.update({"title": "Pororo 공개", "posted_on": "2021-02-02", **fields})
    return values


def result_titles(response):
    assert response.status_code == 200
    return sorted(post.title for post in response.context["cl"].result_list)


# Permissions


def test_curators_get_the_admin_and_nothing_on_users_or_groups(curator_client):
    assert curator_client.get(reverse("admin:index")).status_code == 200
    for name in ["auth_user_changelist", "auth_user_add", "auth_group_changelist"]:
        assert curator_client.get(reverse(f"admin:{name}")).status_code == 403


# The add form, the inline links and link reuse


def test_adding_a_post_reuses_links_whatever_tracking_the_paste_carries(curator_client, curator):
    thread = make_link("https://www.facebook.com/groups/TensorFlowKR/permalink/1413385785669142/")
    repository = make_link("https://github.com/kakaobrain/pororo")
    values = new_post_form(
        curator_client,
        source_url="https://m.facebook.com/groups/TensorFlowKR/permalink/1413385785669142/?fbclid=IwAR0",
        summary="> 여러 언어의 자연어처리 모델을 담은 라이브러리",
        topics="자연어처리, NLP",
    )
    link_rows(
        values,
        [
            ("https://GitHub.com/kakaobrain/pororo?utm_source=facebook#readme", "GitHub", 0),
            ("https://kakaobrain.github.io/pororo/", "문서", 1),
        ],
    )

    response = curator_client.post(ADD_URL, values)

    assert response.status_code == 302, error_messages(response)
    post = Post.objects.get()
    assert post.source == thread
    assert [(row.link, row.label) for row in post.post_links.all()] == [
        (repository, "GitHub"),
        (Link.objects.get(normalized_url="https://kakaobrain.github.io/pororo/"), "문서"),
    ]
    assert Link.objects.count() == 3
    assert post.curator == curator
    assert post.summary_html.startswith("<blockquote>")
    assert post.week.iso_label == "2021-W05"


def test_korean_topics_work_end_to_end(curator_client):
    response = curator_client.post(ADD_URL, new_post_form(curator_client, topics="자연어처리, NLP"))

    assert response.status_code == 302, error_messages(response)
    korean = Topic.objects.get(name="자연어처리")
    assert korean.slug == "자연어처리"
    post = Post.objects.get()
    assert sorted(post.topics.names()) == ["NLP", "자연어처리"]

    filtered = curator_client.get(CHANGELIST_URL, {"topics__id__exact": korean.pk})
    assert result_titles(filtered) == ["Pororo 공개"]
    form = admin_form_values(curator_client.get(change_url(post)))
    assert sorted(name.strip() for name in form["topics"].split(",")) == ["NLP", "자연어처리"]


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        "ftp://example.com/file",
        "not a url",
        "https://exa mple.com/",
        "https://" + "a" * 64 + ".com/",
        "https://example.com/" + "x" * 2000,
        "https://ko.wikipedia.org/wiki/" + "자연어처리" * 140,
    ],
)
def test_a_bad_link_address_is_a_form_error_and_saves_nothing(curator_client, url):
    values = link_rows(new_post_form(curator_client), [(url, "", 0)])

    response = curator_client.post(ADD_URL, values)

    assert response.status_code == 200
    assert error_messages(response)
    assert not Post.objects.exists()
    assert not Link.objects.exists()


def test_a_bad_source_address_is_a_form_error(curator_client):
    response = curator_client.post(
        ADD_URL, new_post_form(curator_client, source_url="javascript:alert(1)")
    )

    assert response.status_code == 200
    assert "source_url" in response.context["adminform"].form.errors
    assert not Post.objects.exists()


def test_the_same_target_twice_in_one_post_is_a_form_error(curator_client):
    values = link_rows(
        new_post_form(curator_client),
        [
            ("https://github.com/kakaobrain/pororo", "", 0),
            ("https://GitHub.com/kakaobrain/pororo?fbclid=x", "", 1),
        ],
    )

    response = curator_client.post(ADD_URL, values)

    assert response.status_code == 200
    assert any("same address as link 1" in error for error in error_messages(response))
    assert not Post.objects.exists()


def test_links_can_swap_addresses_or_take_over_a_deleted_rows_link(curator_client):
    post = make_post(links=["https://github.com/a/one", "https://github.com/b/two"])
    values = admin_form_values(curator_client.get(change_url(post)))
    values["post_links-0-url"], values["post_links-1-url"] = (
        values["post_links-1-url"],
        values["post_links-0-url"],
    )

    response = curator_client.post(change_url(post), values)

    assert response.status_code == 302, error_messages(response)
    assert [row.link.url for row in post.post_links.all()] == [
        "https://github.com/b/two",
        "https://github.com/a/one",
    ]

    values = admin_form_values(curator_client.get(change_url(post)))
    values["post_links-0-url"] = values["post_links-1-url"]
    values["post_links-1-DELETE"] = "on"
    response = curator_client.post(change_url(post), values)

    assert response.status_code == 302, error_messages(response)
    assert [row.link.url for row in post.post_links.all()] == ["https://github.com/a/one"]


def test_pasting_a_links_address_again_with_tracking_changes_nothing(curator_client):
    post = make_post(links=["https://github.com/a/one"])
    row = post.post_links.get()
    values = admin_form_values(curator_client.get(change_url(post)))
    values["post_links-0-url"] = "https://github.com/a/one?fbclid=abc"

    response = curator_client.post(change_url(post), values)

    assert response.status_code == 302, error_messages(response)
    assert list(post.post_links.all()) == [row]
    assert Link.objects.get().url == "https://github.com/a/one"


def test_changing_a_post_keeps_its_source_and_links(curator_client):
    source = make_link("https://www.facebook.com/groups/TensorFlowKR/permalink/1/")
    post = make_post(source=source, links=["https://github.com/a/one"], topics=["NLP"])
    values = admin_form_values(curator_client.get(change_url(post)))
    assert values["source_url"] == source.url
    values["title"] = "A better title"

    response = curator_client.post(change_url(post), values)

    assert response.status_code == 302, error_messages(response)
    post.refresh_from_db()
    assert (post.title, post.source, post.post_links.count()) == ("A better title", source, 1)
    assert list(post.topics.names()) == ["NLP"]


# Over-long input is a form error, never a crash


@pytest.mark.parametrize(
    "field, value",
    [
        ("summary", "긴 글 " * 25_000),  # 100 KB of Markdown
        ("commentary", "x" * (MARKDOWN_MAX_LENGTH + 1)),
        ("title", "제목" * 151),
        ("topics", "t" * 101),
        ("slug", "s" * 101),
    ],
)
def test_over_long_input_is_a_form_error(curator_client, field, value):
    response = curator_client.post(ADD_URL, new_post_form(curator_client, **{field: value}))

    assert response.status_code == 200
    assert field in response.context["adminform"].form.errors
    assert not Post.objects.exists()


def test_an_over_long_link_label_is_a_form_error(curator_client):
    values = link_rows(new_post_form(curator_client), [("https://github.com/a/b", "L" * 201, 0)])

    response = curator_client.post(ADD_URL, values)

    assert response.status_code == 200
    assert error_messages(response)
    assert not Post.objects.exists()


# The bookmarklet


def test_the_add_form_is_prefilled_from_the_bookmarklet(curator_client, curator):
    response = curator_client.get(
        ADD_URL,
        {
            "url": "https://github.com/kakaobrain/pororo?fbclid=x",
            "title": "kakaobrain/pororo: PORORO",
            "text": "A library for\nmany NLP tasks",
        },
    )

    values = admin_form_values(response)
    assert values["source_url"] == ""  # a repository is a link, not a community thread
    assert values["post_links-0-url"] == "https://github.com/kakaobrain/pororo?fbclid=x"
    assert values["title"] == "kakaobrain/pororo: PORORO"
    assert values["summary"] == "> A library for\n> many NLP tasks"
    assert values["curator"] == str(curator.pk)
    assert not Post.objects.exists()


def test_the_admin_index_offers_the_bookmarklet_for_the_add_form(curator_client):
    root = parse_html(curator_client.get(reverse("admin:index")).content)

    module = root.find("div", id="bookmarklet-module")
    href = module.find("a", class_="bookmarklet").attrs["href"]
    assert href.startswith("javascript:")
    assert '"http://testserver/admin/archive/post/add/"' in href
    assert "location.href" in href and "document.title" in href and "getSelection" in href
    assert module.find("p", class_="help").text.strip()


# The changelist: columns, filters, search


@pytest.fixture
def two_weeks(db):
    live = make_week(number=5, published=True)
    draft = make_week(number=6)
    make_post(
        "Korean language models",
        week=live,
        published=True,
        topics=["NLP"],
        source=make_link("https://www.facebook.com/groups/TensorFlowKR/permalink/10/"),
        links=["https://github.com/kiyoungkim1/LMkor"],
        summary="한국어로 사전학습한 모델",
    )
    make_post(
        "Dataset catalogue",
        week=live,
        topics=["datasets"],
        links=["https://paperswithcode.com/datasets"],
    )
    make_post("Attention walkthrough", week=draft, links=["https://arxiv.org/abs/1706.03762"])
    return live, draft


def test_the_changelist_shows_status_week_topics_and_source_domain(curator_client, two_weeks):
    root = parse_html(curator_client.get(CHANGELIST_URL, HTTP_ACCEPT_LANGUAGE="ko").content)

    rows = {
        row.find("th").text: [cell.text for cell in row.find_all("td")[1:]]
        for row in root.find("table", id="result_list").find("tbody").find_all("tr")
    }
    status, week, _posted_on, topics, source, _curator = rows["Korean language models"]
    with translation.override("ko"):
        published, draft = str(Status.PUBLISHED.label), str(Status.DRAFT.label)
    assert (status, week, topics, source) == (published, "2021년 2월 1주차", "NLP", "facebook.com")
    assert rows["Attention walkthrough"][:2] == [draft, "2021년 2월 2주차"]


@pytest.mark.parametrize(
    "query, titles",
    [
        ({"status__exact": "published"}, ["Korean language models"]),
        ({"status__exact": "draft"}, ["Attention walkthrough", "Dataset catalogue"]),
        ({"link_kind": "repository"}, ["Korean language models"]),
        ({"link_kind": "community"}, ["Korean language models"]),
        ({"link_kind": "dataset"}, ["Dataset catalogue"]),
        ({"link_kind": "paper"}, ["Attention walkthrough"]),
        ({"link_kind": "video"}, []),
        (
            {"posted_on__year": "2021", "posted_on__month": "2"},
            ["Attention walkthrough", "Dataset catalogue", "Korean language models"],
        ),
        ({"q": "walkthrough"}, ["Attention walkthrough"]),
        ({"q": "사전학습"}, ["Korean language models"]),
        ({"q": "LMkor"}, ["Korean language models"]),
        ({"q": "https://paperswithcode.com/datasets?fbclid=x"}, ["Dataset catalogue"]),
        ({"q": "facebook.com/groups/TensorFlowKR/permalink/10"}, ["Korean language models"]),
    ],
)
def test_changelist_filters_and_search(curator_client, two_weeks, query, titles):
    assert result_titles(curator_client.get(CHANGELIST_URL, query)) == titles


def test_the_week_and_topic_filters(curator_client, two_weeks):
    live, draft = two_weeks

    assert result_titles(curator_client.get(CHANGELIST_URL, {"week__id__exact": draft.pk})) == [
        "Attention walkthrough"
    ]
    assert len(result_titles(curator_client.get(CHANGELIST_URL, {"week__id__exact": live.pk}))) == 2
    datasets = Topic.objects.get(name="datasets")
    assert result_titles(
        curator_client.get(CHANGELIST_URL, {"topics__id__exact": datasets.pk})
    ) == ["Dataset catalogue"]


# Bulk actions


def run_action(client, action, posts, **extra):
    return client.post(
        CHANGELIST_URL,
        {"action": action, "_selected_action": [post.pk for post in posts], **extra},
    )


def test_publish_and_unpublish_actions(curator_client, two_weeks):
    drafts = list(Post.objects.filter(status=Status.DRAFT))

    response = run_action(curator_client, "publish", drafts)
    assert response.status_code == 302
    assert set(Post.objects.values_list("status", flat=True)) == {Status.PUBLISHED}
    assert all(post.published_at for post in Post.objects.all())
    messages = [str(message) for message in response.wsgi_request._messages]
    assert any("not published yet" in message for message in messages)

    # The last readable post of a published week stays (tests/archive/test_admin_publishing.py).
    response = run_action(
        curator_client, "unpublish", Post.objects.exclude(title="Korean language models")
    )
    assert response.status_code == 302
    assert dict(Post.objects.values_list("title", "status")) == {
        "Korean language models": Status.PUBLISHED,
        "Dataset catalogue": Status.DRAFT,
        "Attention walkthrough": Status.DRAFT,
    }


def test_move_to_week_asks_for_the_week_then_appends_the_posts(curator_client, two_weeks):
    live, draft = two_weeks
    unpublish_week(live)  # a published week keeps its last readable post
    moving = list(live.posts.in_reading_order())

    page = run_action(curator_client, "move_to_week", moving)
    assert page.status_code == 200
    root = parse_html(page.content)
    values = form_values(root.find("div", id="content").find("form"))
    assert values["action"] == "move_to_week"
    assert sorted(values["_selected_action"]) == sorted(str(post.pk) for post in moving)
    assert not Post.objects.filter(week=draft).exclude(title="Attention walkthrough").exists()

    values.update(week="2021-W06", apply="Move")
    response = curator_client.post(CHANGELIST_URL, values)

    assert response.status_code == 302
    assert [(post.title, post.position) for post in draft.posts.in_reading_order()] == [
        ("Attention walkthrough", 0),
        ("Korean language models", 1),
        ("Dataset catalogue", 2),
    ]


@pytest.mark.parametrize("week", ["2027-W53", "2021-W00", "next week", ""])
def test_moving_to_a_week_that_does_not_exist_is_a_form_error(curator_client, two_weeks, week):
    live, _draft = two_weeks
    posts = list(live.posts.all())

    response = run_action(curator_client, "move_to_week", posts, week=week, apply="Move")

    assert response.status_code == 200
    assert response.context["form"].errors["week"]
    assert set(
        Post.objects.filter(pk__in=[post.pk for post in posts]).values_list("week", flat=True)
    ) == {live.pk}
    assert not Week.objects.filter(year=2027).exists()


def test_moving_creates_the_week_as_a_draft(curator_client, two_weeks):
    live, _draft = two_weeks
    unpublish_week(live)  # a published week keeps its last readable post

    run_action(curator_client, "move_to_week", live.posts.all(), week="2026-W53", apply="Move")

    week = Week.objects.get(year=2026, number=53)
    assert (week.status, week.posts.count()) == (Status.DRAFT, 2)


# The content security policy holds on every admin page a curator uses


def test_admin_pages_run_no_inline_script_under_the_csp(curator_client, two_weeks):
    live, _draft = two_weeks
    post = live.posts.first()
    link = Link.objects.first()
    pages = [
        curator_client.get(reverse("admin:index")),
        curator_client.get(CHANGELIST_URL),
        curator_client.get(ADD_URL),
        curator_client.get(change_url(post)),
        curator_client.get(reverse("admin:archive_post_delete", args=[post.pk])),
        curator_client.get(reverse("admin:archive_link_changelist")),
        curator_client.get(reverse("admin:archive_link_delete", args=[link.pk])),
        curator_client.get(reverse("admin:archive_week_change", args=[live.pk])),
        run_action(curator_client, "move_to_week", [post]),
    ]

    for response in pages:
        assert response.status_code == 200, response.request["PATH_INFO"]
        policy = response.headers["Content-Security-Policy"]
        assert "script-src 'self'" in policy
        root = parse_html(response.content)
        for script in root.find_all("script"):
            assert script.attrs.get("src"), script
        for element in root.find_all(True):
            assert not any(name.startswith("on") for name in element.attrs), element
            href = element.attrs.get("href", "")
            if href.startswith("javascript:"):
                assert "bookmarklet" in element.get("class", [])


# Links: one per target, counted, protected while used


LINK_ADD_URL = reverse("admin:archive_link_add")


def test_the_link_list_counts_the_posts_using_each_link(curator_client):
    shared = make_link("https://github.com/kakaobrain/pororo")
    make_post(source=shared)
    make_post(links=[shared.url])
    make_post(source=shared, links=[shared.url])
    make_link("https://unused.example.com/")

    response = curator_client.get(reverse("admin:archive_link_changelist"))

    counts = {link.normalized_url: link.post_count for link in response.context["cl"].result_list}
    assert counts == {"https://github.com/kakaobrain/pororo": 3, "https://unused.example.com/": 0}


def test_a_second_link_to_the_same_target_is_a_form_error(curator_client):
    existing = make_link("https://github.com/kakaobrain/pororo")
    values = admin_form_values(curator_client.get(LINK_ADD_URL))
    values["url"] = "HTTPS://GitHub.com:443/kakaobrain/pororo?fbclid=1#top"

    response = curator_client.post(LINK_ADD_URL, values)

    assert response.status_code == 200
    [error] = response.context["adminform"].form.errors["url"]
    assert "already saved" in error and str(existing) in error
    assert Link.objects.count() == 1


def test_editing_a_link_into_another_links_target_is_a_form_error(curator_client):
    make_link("https://github.com/a/one")
    other = make_link("https://github.com/b/two")
    url = reverse("admin:archive_link_change", args=[other.pk])
    values = admin_form_values(curator_client.get(url))
    values["url"] = "https://github.com/a/one?utm_source=x"

    response = curator_client.post(url, values)

    assert response.status_code == 200
    assert "url" in response.context["adminform"].form.errors
    other.refresh_from_db()
    assert other.url == "https://github.com/b/two"


def test_adding_a_link_detects_its_kind(curator_client):
    values = admin_form_values(curator_client.get(LINK_ADD_URL))
    values.update(url="https://huggingface.co/datasets/klue", kind="")

    response = curator_client.post(LINK_ADD_URL, values)

    assert response.status_code == 302, error_messages(response)
    assert Link.objects.get().kind == "dataset"


def test_deleting_a_link_still_in_use_is_refused_with_the_posts_named(curator_client):
    link = make_link("https://github.com/kakaobrain/pororo")
    post = make_post("Pororo 공개", links=[link.url])
    url = reverse("admin:archive_link_delete", args=[link.pk])

    page = curator_client.get(url)
    assert page.status_code == 200
    root = parse_html(page.content)
    assert "cannot be deleted while posts use it" in root.find("div", id="content").text
    [item] = root.find("ul", id="deleted-objects").find_all("a")
    assert (item.text, item.attrs["href"]) == ("Pororo 공개", change_url(post))
    assert root.find("div", id="content").find("form") is None

    refused = curator_client.post(url, {"post": "yes"})
    assert refused.status_code == 200
    assert Link.objects.filter(pk=link.pk).exists()


def test_bulk_deleting_links_in_use_is_refused_and_unused_ones_go(curator_client):
    used = make_link("https://github.com/kakaobrain/pororo")
    make_post("Pororo 공개", source=used)
    unused = make_link("https://unused.example.com/")
    changelist = reverse("admin:archive_link_changelist")

    refused = curator_client.post(
        changelist,
        {"action": "delete_selected", "_selected_action": [used.pk, unused.pk], "post": "yes"},
    )
    assert refused.status_code == 200
    root = parse_html(refused.content)
    assert "cannot be deleted while posts use them" in root.find("div", id="content").text
    assert [a.text for a in root.find("ul", id="deleted-objects").find_all("a")] == ["Pororo 공개"]
    assert Link.objects.count() == 2

    deleted = curator_client.post(
        changelist, {"action": "delete_selected", "_selected_action": [unused.pk], "post": "yes"}
    )
    assert deleted.status_code == 302
    assert list(Link.objects.all()) == [used]


# Topics


def test_topics_are_edited_without_taggits_merge_that_changed_no_post(curator_client):
    post = make_post(topics=["NLP", "자연어처리"])
    changelist = reverse("admin:archive_topic_changelist")

    page = curator_client.get(changelist)

    assert page.status_code == 200
    assert "render_tag_form" not in page.content.decode()
    with pytest.raises(NoReverseMatch):
        reverse("admin:archive_topic_merge_tags")
    tag = Topic.objects.get(name="NLP")
    renamed = admin_form_values(
        curator_client.get(reverse("admin:archive_topic_change", args=[tag.pk]))
    )
    renamed["name"] = "자연어 처리(NLP)"
    response = curator_client.post(reverse("admin:archive_topic_change", args=[tag.pk]), renamed)
    assert response.status_code == 302
    assert sorted(post.topics.names()) == ["자연어 처리(NLP)", "자연어처리"]


@pytest.mark.parametrize("selected", [["abc"], ["\x00"], ["1.5", "x"], ["9" * 22]])
def test_an_action_on_ids_that_are_no_ids_selects_nothing(curator_client, selected):
    """A tampered form's ids reached the database unchecked: a 500."""
    post = make_post(published=False)

    response = curator_client.post(
        CHANGELIST_URL, {"action": "publish", "_selected_action": selected}, follow=True
    )

    assert response.status_code == 200
    assert "Items must be selected" in response.content.decode()
    post.refresh_from_db()
    assert post.status == Status.DRAFT


@pytest.mark.parametrize("lookup", [{"taggedpost": "9" * 22}, {"created__year": "0"}])
def test_a_lookup_value_the_database_cannot_take_is_a_bad_lookup(curator_client, lookup):
    """Counting the list was a 500: SQLite cannot take the number, Python has no year 0.
    (PostgreSQL compares the number and finds nothing.)"""
    make_post()

    response = curator_client.get(CHANGELIST_URL, lookup)

    assert response.status_code in {200, 302}
    if response.status_code == 302:
        assert response["Location"] == f"{CHANGELIST_URL}?e=1"


@pytest.mark.parametrize(
    "tampered", ["abc", "%00", "99999999999999999999999", "-99999999999999999999999"]
)
def test_an_action_on_tampered_ids_acts_on_the_real_ones_only(curator_client, tampered):
    post = make_post(week=make_week(published=True))

    response = curator_client.post(
        CHANGELIST_URL, {"action": "publish", "_selected_action": [tampered, str(post.pk)]}
    )

    assert response.status_code == 302
    post.refresh_from_db()
    assert post.status == Status.PUBLISHED


@pytest.mark.parametrize("model", ["user", "group"])
def test_the_user_and_group_lists_survive_tampered_ids_too(client, model):
    client.force_login(make_user("root", superuser=True))

    response = client.post(
        reverse(f"admin:auth_{model}_changelist"),
        {"action": "delete_selected", "_selected_action": ["abc", "99999999999999999999999"]},
    )

    assert response.status_code == 302

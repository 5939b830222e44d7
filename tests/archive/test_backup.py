import io
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.core.management import CommandError, call_command

from archive.models import (
    AboutPage,
    Link,
    Post,
    PostLink,
    PostSlug,
    PostTopic,
    Topic,
    TopicSlug,
    Week,
)
from tests.factories import make_post, make_published_week, make_user

pytestmark = pytest.mark.django_db

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
User = get_user_model()
MODELS = (Group, User, Topic, Week, Link, Post, PostLink, PostTopic, PostSlug, TopicSlug, AboutPage)


def every_row():
    """Every row of every backed-up model, and the memberships between them."""
    rows = {model.__name__: list(model.objects.order_by("pk").values()) for model in MODELS}
    for through in (User.groups.through, User.user_permissions.through):
        rows[through.__name__] = sorted(through.objects.values_list(*_fk_names(through)))
    rows["Group_permissions"] = sorted(
        Group.permissions.through.objects.values_list(
            "group__name", "permission__content_type__app_label", "permission__codename"
        )
    )
    return rows


def _fk_names(through):
    return [field.attname for field in through._meta.fields if field.is_relation]


def make_site():
    curator = make_user("curator", curator=True)
    make_user("admin", superuser=True)
    editors = Group.objects.create(name="Editors")
    editors.permissions.add(Permission.objects.get(codename="change_post"))
    curator.user_permissions.add(Permission.objects.get(codename="view_link"))
    week = make_published_week(intro="소개", outro="끝")
    AboutPage(community_name="TensorflowKR", text="**소개**").save()
    post = make_post(title="큐레이터의 글", week=week, curator=curator, position=7, topics=["비전"])
    call_command("import_digest", str(FIXTURES / "round-up-ko.md"), stdout=io.StringIO())
    # Former addresses move with the site.
    post.slug = "curators-post"
    post.save()
    topic = post.topics.get()
    topic.slug = "vision"
    topic.save()


def empty_the_site():
    """The database as `migrate` leaves it: only the Curators group from the data migration."""
    for model in (Post, Link, Week, Topic, User, AboutPage):
        model.objects.all().delete()
    Group.objects.exclude(name="Curators").delete()


def test_backup_then_restore_into_an_empty_database_gives_identical_rows(tmp_path):
    make_site()
    before = every_row()
    backup = tmp_path / "site.json"
    call_command("backup", str(backup), stdout=io.StringIO())
    empty_the_site()

    output = io.StringIO()
    call_command("restore", str(backup), stdout=output)

    assert every_row() == before
    assert before["PostTopic"] and before["PostLink"] and before["User_groups"]
    assert before["PostSlug"] and before["TopicSlug"]
    assert "Restored 2 users, 2 weeks, 7 posts" in output.getvalue()


def test_restore_refuses_a_database_with_content_and_changes_nothing(tmp_path):
    make_site()
    backup = tmp_path / "site.json"
    call_command("backup", str(backup), stdout=io.StringIO())
    Post.objects.first().delete()
    before = every_row()

    with pytest.raises(CommandError, match="already holds 2 users, 2 weeks, 6 posts"):
        call_command("restore", str(backup))

    assert every_row() == before


def test_restore_force_replaces_the_content(tmp_path):
    make_site()
    expected = every_row()
    backup = tmp_path / "site.json"
    call_command("backup", str(backup), stdout=io.StringIO())
    make_post(title="백업 뒤에 쓴 글", topics=["새 주제"])
    AboutPage.objects.update(community_name="백업 뒤의 이름")
    make_user("newcomer")
    Group.objects.create(name="Newcomers")

    call_command("restore", str(backup), "--force", stdout=io.StringIO())

    assert every_row() == expected


def test_restore_force_replaces_the_about_page_with_the_backups_none(tmp_path):
    make_site()
    AboutPage.objects.all().delete()
    backup = tmp_path / "site.json"
    call_command("backup", str(backup), stdout=io.StringIO())
    AboutPage(community_name="다른 사이트").save()

    call_command("restore", str(backup), "--force", stdout=io.StringIO())

    assert not AboutPage.objects.exists()


@pytest.mark.parametrize(
    "content",
    [
        pytest.param("[{", id="cut-off JSON"),
        pytest.param("not json at all", id="garbage"),
        pytest.param(
            '[{"model": "archive.post", "pk": 1, "fields": {"title": "x", "week": 999}}]',
            id="a post in a week that does not exist",
        ),
    ],
)
def test_a_broken_backup_restores_nothing_and_loses_nothing(tmp_path, content):
    make_site()
    before = every_row()
    broken = tmp_path / "broken.json"
    broken.write_text(content, encoding="utf-8")

    with pytest.raises(CommandError, match="nothing was changed"):
        call_command("restore", str(broken), "--force")

    assert every_row() == before


def test_backup_and_restore_insist_on_json_files(tmp_path):
    with pytest.raises(CommandError, match=r"\.json"):
        call_command("backup", str(tmp_path / "site.txt"))
    with pytest.raises(CommandError, match="not a backup file"):
        call_command("restore", str(tmp_path / "missing.json"))

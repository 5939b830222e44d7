"""Every migration of Jugan's apps runs backwards and forwards on a database holding a site's
rows, and the rows of every table that exists on both sides come back identical.

The apps and their migrations are read from the migration graph, so a new migration is
covered as soon as it exists.
"""

import pytest
from django.apps import apps
from django.core.management.sql import emit_post_migrate_signal, emit_pre_migrate_signal
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from tests.factories import make_link, make_round_up_week, make_user

PROJECT_APPS = [
    config.label for config in apps.get_app_configs() if config.name in {"archive", "digest"}
]


# Tables of pairs (a group's permissions, a user's groups): a pair is the row; the surrogate id a
# database gives it again when a migration grants it again carries no meaning.
MEMBERSHIPS = {"auth_group_permissions", "auth_user_groups", "auth_user_user_permissions"}


def snapshot():
    """{table: its rows as {column: value}, in primary-key order} for every table but the
    migration log."""
    rows = {}
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            if table == "django_migrations":
                continue
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)} ORDER BY 1")
            columns = [column[0] for column in cursor.description]
            rows[table] = [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]
            if table in MEMBERSHIPS:
                rows[table] = sorted(
                    ({**row, "id": None} for row in rows[table]),
                    key=lambda row: sorted(row.items()),
                )
    return rows


def migrate(targets):
    """What `manage.py migrate` does: its signals around the plan (the triggers come off before
    and go back after; content types and permissions follow renamed models)."""
    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(targets)
    state = executor._create_project_state(with_applied_migrations=True)
    emit_pre_migrate_signal(0, False, connection.alias, apps=state.apps, plan=plan)
    state = executor.migrate(targets, plan=plan, state=state.clone())
    state.clear_delayed_apps_cache()
    emit_post_migrate_signal(0, False, connection.alias, apps=state.apps, plan=plan)


def initial_migrations(graph):
    """Each project app's first migration: its node with no parent in the same app."""
    return [
        node
        for node in graph.nodes
        if node[0] in PROJECT_APPS
        and not any(parent[0] == node[0] for parent in graph.node_map[node].parents)
    ]


# Migrations change the schema, which needs a test outside a transaction; the rows data
# migrations made (the Curators group) are put back afterwards for the tests that follow.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def site_with_rows():
    make_round_up_week()
    make_link("https://example.com/unused")
    make_user("curator", curator=True)
    make_user("admin", superuser=True)


# What the migrations rename on purpose (archive 0006: one name per concept). Unapplied, the rows
# of each table are back under its old name, and the names of models written in rows (content
# types, permissions) are the old ones: compared here under the names the latest state uses.
RENAMED_TABLES = {
    "digest_weeklydigest": "archive_week",
    "digest_contentversion": "archive_contentversion",
    "digest_topiccount": "archive_topiccount",
    "archive_taggedpost": "archive_posttopic",
    "taggit_tag": "archive_topic",
}
RENAMED_COLUMNS = {
    "archive_week": {"week": "number"},
    "archive_post": {"digest_id": "week_id"},
    "archive_topiccount": {"tag_id": "topic_id"},
}
RENAMED_MODELS = {
    ("digest", "weeklydigest"): ("archive", "week", "weekly digest", "week"),
    ("digest", "contentversion"): ("archive", "contentversion", None, None),
    ("digest", "topiccount"): ("archive", "topiccount", None, None),
    ("archive", "taggedpost"): ("archive", "posttopic", None, None),
}


def named_as_latest(table, rows, content_types):
    """Rows of the unapplied state, with renamed models and columns under their new names."""
    table = RENAMED_TABLES.get(table, table)
    columns = RENAMED_COLUMNS.get(table, {})
    rows = [{columns.get(column, column): value for column, value in row.items()} for row in rows]
    if table == "django_content_type":
        for row in rows:
            renamed = RENAMED_MODELS.get((row["app_label"], row["model"]))
            if renamed:
                row["app_label"], row["model"] = renamed[:2]
    if table == "auth_permission":
        for row in rows:
            old = content_types[row["content_type_id"]]
            if old in RENAMED_MODELS:
                _app, model, old_name, new_name = RENAMED_MODELS[old]
                row["codename"] = row["codename"].replace(f"_{old[1]}", f"_{model}")
                if old_name:
                    row["name"] = row["name"].replace(old_name, new_name)
    return rows


def test_every_later_migration_unapplies_and_reapplies_keeping_the_rows(site_with_rows):
    graph = MigrationExecutor(connection).loader.graph
    latest = graph.leaf_nodes()
    initial = initial_migrations(graph)
    later = [node for node in graph.nodes if node[0] in PROJECT_APPS and node not in initial]
    before = snapshot()

    try:
        migrate(initial)
        between = snapshot()
    finally:
        migrate(latest)
    after = snapshot()

    assert len(initial) == len(PROJECT_APPS) and later  # there is something to unapply
    kept = set(before) & set(between)
    assert kept, "every table disappeared"
    content_types = {
        row["id"]: (row["app_label"], row["model"]) for row in between["django_content_type"]
    }
    for table in kept - set(RENAMED_TABLES):
        unapplied = named_as_latest(table, between[table], content_types)
        assert unapplied == before[table], f"unapplying changed {table}"
    for old, new in RENAMED_TABLES.items():
        if old not in between:  # created by a later migration: nothing to compare
            continue
        unapplied = named_as_latest(old, between[old], content_types)
        assert unapplied == before[new], f"unapplying lost rows of {new}"
        assert not before.get(old), f"{old} kept rows that moved to {new}"
    compared = kept | {new for old, new in RENAMED_TABLES.items() if old in between}
    for table in compared:
        assert after[table] == before[table], f"reapplying changed {table}"
    assert set(after) == set(before)


def test_jugans_apps_unapply_to_nothing_and_apply_again_beside_other_apps_rows(site_with_rows):
    latest = MigrationExecutor(connection).loader.graph.leaf_nodes()
    ours = {
        model._meta.db_table
        for app in PROJECT_APPS
        for model in apps.get_app_config(app).get_models()
    }
    users_before = snapshot()["auth_user"]

    try:
        migrate([(app, None) for app in PROJECT_APPS])
        assert not ours & set(snapshot())
    finally:
        migrate(latest)

    tables = snapshot()
    assert ours <= set(tables)
    assert tables["auth_user"] == users_before
    assert any(row["name"] == "Curators" for row in tables["auth_group"])


def test_links_and_texts_saved_before_their_rules_are_brought_up_to_them():
    """archive 0008: fallback kinds detected again (a curator's choice kept), tracking parameters
    gone from the Markdown saved before saving cleaned it, its HTML rendered again."""
    latest = MigrationExecutor(connection).loader.graph.leaf_nodes()
    migrate([("archive", "0007_slug_history")])
    try:
        old = (
            MigrationExecutor(connection)
            .loader.project_state(("archive", "0007_slug_history"))
            .apps
        )
        Link, Week, Post = (old.get_model("archive", name) for name in ("Link", "Week", "Post"))
        links = {
            url: Link.objects.create(url=url, normalized_url=url, domain="x", kind=kind)
            for url, kind in [
                ("https://pypi.org/project/kiwipiepy/", "article"),
                ("https://huggingface.co/spaces/a/b", "repository"),
                ("https://www.npmjs.com/package/x", "video"),  # a curator's choice
                ("https://example.com/", "other"),
            ]
        }
        pasted = "[저장소](https://github.com/a/b?fbclid=1)\n\n`https://x.com/?fbclid=1`"
        week = Week.objects.create(year=2021, number=5, intro=pasted, intro_html="old")
        post = Post.objects.create(
            title="글", slug="a", posted_on="2021-02-01", week=week, summary="깨끗한 글",
            summary_html="<p>깨끗한 글</p>", commentary=pasted, commentary_html="old",
        )  # fmt: skip
    finally:
        migrate(latest)

    kinds = [Link.objects.get(pk=link.pk).kind for link in links.values()]
    assert kinds == ["package", "demo", "video", "other"]
    week.refresh_from_db()
    post.refresh_from_db()
    cleaned = "[저장소](https://github.com/a/b)\n\n`https://x.com/?fbclid=1`"
    assert (week.intro, post.commentary, post.summary) == (cleaned, cleaned, "깨끗한 글")
    assert 'href="https://github.com/a/b"' in week.intro_html
    assert 'href="https://github.com/a/b"' in post.commentary_html
    assert post.summary_html == "<p>깨끗한 글</p>"

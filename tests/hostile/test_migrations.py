"""Every migration of Jugan's apps runs backwards and forwards on a database holding a site's
rows, and the rows of every table that exists on both sides come back identical.

The apps and their migrations are read from the migration graph, so a new migration is
covered as soon as it exists.
"""

import pytest
from django.apps import apps
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from tests.factories import make_link, make_round_up_week, make_user

PROJECT_APPS = [
    config.label for config in apps.get_app_configs() if config.name in {"archive", "digest"}
]


def snapshot():
    """{table: its rows, in primary-key order} for every table but the migration log."""
    rows = {}
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            if table == "django_migrations":
                continue
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)} ORDER BY 1")
            rows[table] = cursor.fetchall()
    return rows


def migrate(targets):
    MigrationExecutor(connection).migrate(targets)


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
    for table in kept:
        assert between[table] == before[table], f"unapplying changed {table}"
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
    assert any(row for row in tables["auth_group"] if "Curators" in row)

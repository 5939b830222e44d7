"""Indexes for search (archive/search.py explains how each engine uses them).

SQLite: an FTS5 trigram table per searched table, filled from the existing rows and kept in
step by triggers; each value is stored with a newline after it, so that every two characters
of it begin some trigram. PostgreSQL: the pg_trgm extension and a GIN trigram index on each
upper-cased searched column. Other engines get nothing and search by scanning.
"""

from django.db import migrations

# A copy, not an import: a migration must keep doing what it did when the app code changes.
SEARCHED = {
    "archive_post": ("title", "summary", "commentary"),
    "archive_link": ("title", "normalized_url", "url"),
    "archive_postlink": ("label",),
}


def sqlite_forwards(table, columns):
    index = f"{table}_search"
    names = ", ".join(columns)

    def padded(row):
        return ", ".join(f"{row}.{column} || char(10)" for column in columns)

    def insert(row):
        return f"INSERT INTO {index} (rowid, {names}) VALUES ({row}.id, {padded(row)});"

    return [
        f"CREATE VIRTUAL TABLE {index} USING fts5({names}, tokenize = 'trigram')",
        # The index's vocabulary: the trigrams a two-character word is looked up by.
        f"CREATE VIRTUAL TABLE {index}_terms USING fts5vocab({index}, 'row')",
        f"INSERT INTO {index} (rowid, {names}) SELECT id, {padded(table)} FROM {table}",
        f"CREATE TRIGGER {index}_insert AFTER INSERT ON {table} BEGIN {insert('new')} END",
        f"CREATE TRIGGER {index}_update AFTER UPDATE OF {names} ON {table} BEGIN "
        f"DELETE FROM {index} WHERE rowid = old.id; {insert('new')} END",
        f"CREATE TRIGGER {index}_delete AFTER DELETE ON {table} BEGIN "
        f"DELETE FROM {index} WHERE rowid = old.id; END",
    ]


def sqlite_backwards(table, columns):
    index = f"{table}_search"
    return [
        *(f"DROP TRIGGER IF EXISTS {index}_{event}" for event in ("insert", "update", "delete")),
        f"DROP TABLE IF EXISTS {index}_terms",
        f"DROP TABLE IF EXISTS {index}",
    ]


def postgresql_forwards(table, columns):
    return [
        f"CREATE INDEX IF NOT EXISTS {table}_{column}_trgm "
        f"ON {table} USING gin (UPPER({column}) gin_trgm_ops)"
        for column in columns
    ]


def postgresql_backwards(table, columns):
    return [f"DROP INDEX IF EXISTS {table}_{column}_trgm" for column in columns]


FORWARDS = {"sqlite": sqlite_forwards, "postgresql": postgresql_forwards}
BACKWARDS = {"sqlite": sqlite_backwards, "postgresql": postgresql_backwards}


def run(statements_for):
    def operation(apps, schema_editor):
        statements = statements_for.get(schema_editor.connection.vendor)
        for table, columns in SEARCHED.items() if statements else ():
            for statement in statements(table, columns):
                schema_editor.execute(statement)

    return operation


def create_pg_trgm(apps, schema_editor):
    # Left in place on the way back: other objects may have come to use it.
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")


class Migration(migrations.Migration):
    dependencies = [
        ("archive", "0003_reader_indexes"),
    ]

    operations = [
        migrations.RunPython(create_pg_trgm, migrations.RunPython.noop),
        migrations.RunPython(run(FORWARDS), run(BACKWARDS)),
    ]

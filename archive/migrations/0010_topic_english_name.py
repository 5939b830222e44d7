"""Topics get an English name, and search finds posts by either name of their topics.

The topic table gets a search index like the others (archive/migrations/0004_search_indexes.py
explains them): SQLite an FTS5 trigram table kept in step by triggers, PostgreSQL a GIN trigram
index per upper-cased column.
"""

from django.db import migrations, models

# A copy, not an import: a migration must keep doing what it did when the app code changes.
TABLE = "archive_topic"
COLUMNS = ("name", "name_en")
INDEX = f"{TABLE}_search"


def sqlite_forwards():
    names = ", ".join(COLUMNS)

    def padded(row):
        return ", ".join(f"{row}.{column} || char(10)" for column in COLUMNS)

    def insert(row):
        return f"INSERT INTO {INDEX} (rowid, {names}) VALUES ({row}.id, {padded(row)});"

    return [
        f"CREATE VIRTUAL TABLE {INDEX} USING fts5({names}, tokenize = 'trigram')",
        f"CREATE VIRTUAL TABLE {INDEX}_terms USING fts5vocab({INDEX}, 'row')",
        f"INSERT INTO {INDEX} (rowid, {names}) SELECT id, {padded(TABLE)} FROM {TABLE}",
        f"CREATE TRIGGER {INDEX}_insert AFTER INSERT ON {TABLE} BEGIN {insert('new')} END",
        f"CREATE TRIGGER {INDEX}_update AFTER UPDATE OF {names} ON {TABLE} BEGIN "
        f"DELETE FROM {INDEX} WHERE rowid = old.id; {insert('new')} END",
        f"CREATE TRIGGER {INDEX}_delete AFTER DELETE ON {TABLE} BEGIN "
        f"DELETE FROM {INDEX} WHERE rowid = old.id; END",
    ]


def sqlite_backwards():
    return [
        *(f"DROP TRIGGER IF EXISTS {INDEX}_{event}" for event in ("insert", "update", "delete")),
        f"DROP TABLE IF EXISTS {INDEX}_terms",
        f"DROP TABLE IF EXISTS {INDEX}",
    ]


def postgresql_forwards():
    return [
        f"CREATE INDEX IF NOT EXISTS {TABLE}_{column}_trgm "
        f"ON {TABLE} USING gin (UPPER({column}) gin_trgm_ops)"
        for column in COLUMNS
    ]


def postgresql_backwards():
    return [f"DROP INDEX IF EXISTS {TABLE}_{column}_trgm" for column in COLUMNS]


def run(statements_for):
    def operation(apps, schema_editor):
        statements = statements_for.get(schema_editor.connection.vendor)
        for statement in statements() if statements else ():
            schema_editor.execute(statement)

    return operation


class Migration(migrations.Migration):
    dependencies = [
        ("archive", "0009_link_metadata"),
    ]

    operations = [
        migrations.AddField(
            model_name="topic",
            name="name_en",
            field=models.CharField(
                blank=True,
                help_text="Shown to readers of the English pages; leave empty to use the name.",
                max_length=100,
                verbose_name="English name",
            ),
        ),
        migrations.RunPython(
            run({"sqlite": sqlite_forwards, "postgresql": postgresql_forwards}),
            run({"sqlite": sqlite_backwards, "postgresql": postgresql_backwards}),
        ),
    ]

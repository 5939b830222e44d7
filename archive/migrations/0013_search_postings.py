"""Search's own index (archive/search.py): documents and posting lists of characters and pairs
of characters, the same on every engine. The engine-specific indexes it replaces go: SQLite's
FTS5 trigram tables and their triggers, PostgreSQL's pg_trgm indexes (the extension stays, as
0004 left it on the way back). The new index is written after `migrate` (archive.apps), by
the code that keeps it, since a migration cannot import that code and stay as it was.
"""

import importlib

import django.db.models.deletion
from django.db import migrations, models


# The tables 0004 and 0010 indexed, and their modules, to build those indexes again on the way back.
OLD_INDEXES = {
    "0004_search_indexes": ("archive_post", "archive_link", "archive_postlink"),
    "0010_topic_english_name": ("archive_topic",),
}


def drop_old_indexes(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for module_name, tables in OLD_INDEXES.items():
        module = importlib.import_module(f"archive.migrations.{module_name}")
        if module_name.startswith("0004"):
            statements = module.BACKWARDS.get(vendor)
            for table in tables if statements else ():
                for statement in statements(table, module.SEARCHED[table]):
                    schema_editor.execute(statement)
        else:
            statements = {"sqlite": module.sqlite_backwards, "postgresql": module.postgresql_backwards}
            for statement in statements[vendor]() if vendor in statements else ():
                schema_editor.execute(statement)


def build_old_indexes(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for module_name, tables in OLD_INDEXES.items():
        module = importlib.import_module(f"archive.migrations.{module_name}")
        if module_name.startswith("0004"):
            statements = module.FORWARDS.get(vendor)
            for table in tables if statements else ():
                for statement in statements(table, module.SEARCHED[table]):
                    schema_editor.execute(statement)
        else:
            statements = {"sqlite": module.sqlite_forwards, "postgresql": module.postgresql_forwards}
            for statement in statements[vendor]() if vendor in statements else ():
                schema_editor.execute(statement)


class Migration(migrations.Migration):

    dependencies = [
        ('archive', '0012_subscribers_and_deliveries'),
    ]

    operations = [
        migrations.RunPython(drop_old_indexes, build_old_indexes),
        migrations.CreateModel(
            name='SearchPosting',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('gram', models.CharField(max_length=2, verbose_name='gram')),
                ('tier', models.PositiveSmallIntegerField(verbose_name='tier')),
                ('bucket', models.IntegerField(verbose_name='calendar week')),
                ('documents', models.TextField(verbose_name='documents')),
            ],
            options={
                'verbose_name': 'search posting',
                'verbose_name_plural': 'search postings',
                'indexes': [models.Index(fields=['bucket'], name='search_posting_bucket')],
                'constraints': [models.UniqueConstraint(fields=('gram', 'tier', 'bucket'), name='search_posting_key')],
            },
        ),
        migrations.CreateModel(
            name='SearchDocument',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('day', models.DateField(verbose_name='day')),
                ('bucket', models.IntegerField(verbose_name='calendar week')),
                ('title', models.TextField(blank=True, verbose_name='title')),
                ('summary', models.TextField(blank=True, verbose_name='summary')),
                ('rest', models.TextField(blank=True, verbose_name='rest')),
                ('post', models.OneToOneField(null=True, on_delete=django.db.models.deletion.CASCADE, related_name='search_document', to='archive.post')),
                ('week', models.OneToOneField(null=True, on_delete=django.db.models.deletion.CASCADE, related_name='search_document', to='archive.week')),
            ],
            options={
                'verbose_name': 'search document',
                'verbose_name_plural': 'search documents',
                'indexes': [models.Index(fields=['bucket'], name='search_document_bucket')],
                'constraints': [models.CheckConstraint(condition=models.Q(models.Q(('post__isnull', False), ('week__isnull', True)), models.Q(('post__isnull', True), ('week__isnull', False)), _connector='OR'), name='search_document_of_one')],
            },
        ),
    ]

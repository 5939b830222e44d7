"""Weeks, the content version and the topic counts now belong to `archive` (its 0005 and
0006): forgotten here without touching their tables."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("digest", "0003_reader_indexes_and_topic_counts"),
        ("archive", "0005_weeks_move_in"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name="TopicCount"),
                migrations.DeleteModel(name="ContentVersion"),
                migrations.DeleteModel(name="WeeklyDigest"),
            ],
            database_operations=[],
        ),
    ]

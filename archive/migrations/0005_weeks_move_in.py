"""Weeks, the content version and the topic counts join the archive (they were in `digest`).

State only: the tables stay where they are until 0006 renames them, so no row is copied. The
matching 0004 of `digest` forgets them there.
"""

import django.core.validators
import django.db.models.deletion
from django.db import migrations, models

WEEK_FIELDS = [
    ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
    ("status", models.CharField(choices=[("draft", "Draft"), ("published", "Published")], default="draft", max_length=10, verbose_name="status")),
    ("published_at", models.DateTimeField(blank=True, help_text="Set when first published; a time in the future schedules it.", null=True, verbose_name="published at")),
    ("created", models.DateTimeField(auto_now_add=True, verbose_name="created")),
    ("updated", models.DateTimeField(auto_now=True, verbose_name="updated")),
    ("year", models.PositiveSmallIntegerField(validators=[django.core.validators.MinValueValidator(1), django.core.validators.MaxValueValidator(9999)], verbose_name="year")),
    ("week", models.PositiveSmallIntegerField(validators=[django.core.validators.MinValueValidator(1), django.core.validators.MaxValueValidator(53)], verbose_name="week")),
    ("title", models.CharField(blank=True, help_text="Leave empty to use the week's label.", max_length=300, verbose_name="title")),
    ("intro", models.TextField(blank=True, help_text="Markdown. Quotes with >, lists, links, ``` code blocks.", max_length=20000, validators=[django.core.validators.MaxLengthValidator(20000)], verbose_name="intro")),
    ("intro_html", models.TextField(blank=True, editable=False)),
    ("outro", models.TextField(blank=True, help_text="Markdown. Quotes with >, lists, links, ``` code blocks.", max_length=20000, validators=[django.core.validators.MaxLengthValidator(20000)], verbose_name="outro")),
    ("outro_html", models.TextField(blank=True, editable=False)),
]  # fmt: skip


class Migration(migrations.Migration):
    dependencies = [
        ("archive", "0004_search_indexes"),
        ("digest", "0003_reader_indexes_and_topic_counts"),
        ("taggit", "0006_rename_taggeditem_content_type_object_id_taggit_tagg_content_8fc721_idx"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="Week",
                    fields=WEEK_FIELDS,
                    options={
                        "db_table": "digest_weeklydigest",
                        "verbose_name": "week",
                        "verbose_name_plural": "weeks",
                        "ordering": ["-year", "-week"],
                        "indexes": [
                            models.Index(fields=["status", "year", "week"], name="digest_status_week"),
                            models.Index(fields=["published_at", "status"], name="digest_published_at"),
                        ],
                        "constraints": [
                            models.UniqueConstraint(fields=("year", "week"), name="unique_iso_week"),
                            models.CheckConstraint(condition=models.Q(("week__gte", 1), ("week__lte", 53)), name="week_in_range"),
                        ],
                    },
                ),
                migrations.CreateModel(
                    name="ContentVersion",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("number", models.PositiveBigIntegerField(default=0, verbose_name="number")),
                        ("changed_at", models.DateTimeField(verbose_name="changed at")),
                        ("topics_counted_in", models.CharField(blank=True, max_length=100, verbose_name="topics counted in")),
                    ],
                    options={
                        "db_table": "digest_contentversion",
                        "verbose_name": "content version",
                        "verbose_name_plural": "content versions",
                    },
                ),
                migrations.CreateModel(
                    name="TopicCount",
                    fields=[
                        ("tag", models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, primary_key=True, related_name="published_count", serialize=False, to="taggit.tag")),
                        ("post_count", models.PositiveIntegerField(verbose_name="published posts")),
                    ],
                    options={
                        "db_table": "digest_topiccount",
                        "verbose_name": "topic count",
                        "verbose_name_plural": "topic counts",
                    },
                ),
                migrations.AlterField(
                    model_name="post",
                    name="digest",
                    field=models.ForeignKey(blank=True, help_text="Leave empty to use the week of the original post.", null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="posts", to="archive.week", verbose_name="week"),
                ),
            ],
            database_operations=[],
        ),
    ]  # fmt: skip

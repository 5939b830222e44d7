"""Readers' pages: how long each post and week takes to read, long summaries split where a week
page folds them (archive/reading.py), and the about page the curators edit.

The derived fields of the posts and weeks already saved are filled in as saving fills them: with
the code's own functions, since they are derived data that any later save derives again.
"""

import django.core.validators
from django.contrib.auth.management import create_permissions
from django.db import migrations, models

from archive.reading import reading_seconds, split_summary

BATCH = 500
CURATORS = "Curators"
# The about page is edited, never deleted: there is one.
ABOUT_PAGE_PERMISSIONS = ["add_aboutpage", "change_aboutpage", "view_aboutpage"]


def fill_derived_fields(apps, schema_editor):
    db = schema_editor.connection.alias
    Post = apps.get_model("archive", "Post")
    Week = apps.get_model("archive", "Week")
    posts = []
    for post in Post.objects.using(db).only("summary_html", "commentary_html").iterator(BATCH):
        post.summary_lead_html, post.summary_more_html = split_summary(post.summary_html)
        post.reading_seconds = reading_seconds(post.summary_html, post.commentary_html)
        posts.append(post)
    fields = ["summary_lead_html", "summary_more_html", "reading_seconds"]
    Post.objects.using(db).bulk_update(posts, fields, batch_size=BATCH)
    weeks = []
    for week in Week.objects.using(db).only("intro_html", "outro_html").iterator(BATCH):
        week.reading_seconds = reading_seconds(week.intro_html, week.outro_html)
        weeks.append(week)
    Week.objects.using(db).bulk_update(weeks, ["reading_seconds"], batch_size=BATCH)


def let_curators_edit_the_about_page(apps, schema_editor):
    db = schema_editor.connection.alias
    # Permissions are normally created after all migrations; make sure these exist now.
    app_config = apps.get_app_config("archive")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0, using=db)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group = Group.objects.using(db).filter(name=CURATORS).first()
    if group is not None:
        group.permissions.add(
            *Permission.objects.using(db).filter(
                content_type__app_label="archive", codename__in=ABOUT_PAGE_PERMISSIONS
            )
        )


class Migration(migrations.Migration):
    dependencies = [
        ("archive", "0010_topic_english_name"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.AddField(
            model_name="post",
            name="reading_seconds",
            field=models.PositiveIntegerField(
                default=0, editable=False, verbose_name="reading time"
            ),
        ),
        migrations.AddField(
            model_name="post",
            name="summary_lead_html",
            field=models.TextField(blank=True, editable=False),
        ),
        migrations.AddField(
            model_name="post",
            name="summary_more_html",
            field=models.TextField(blank=True, editable=False),
        ),
        migrations.AddField(
            model_name="week",
            name="reading_seconds",
            field=models.PositiveIntegerField(
                default=0, editable=False, verbose_name="reading time"
            ),
        ),
        migrations.CreateModel(
            name="AboutPage",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "community_name",
                    models.CharField(
                        blank=True,
                        help_text="E.g. “TensorflowKR”.",
                        max_length=100,
                        verbose_name="community name",
                    ),
                ),
                (
                    "community_url",
                    models.URLField(
                        blank=True,
                        help_text="Where readers find the community, e.g. its group page.",
                        max_length=2000,
                        verbose_name="community link",
                    ),
                ),
                (
                    "text",
                    models.TextField(
                        blank=True,
                        help_text="Markdown. Quotes with >, lists, links, ``` code blocks.",
                        max_length=20000,
                        validators=[django.core.validators.MaxLengthValidator(20000)],
                        verbose_name="text (Korean)",
                    ),
                ),
                ("text_html", models.TextField(blank=True, editable=False)),
                (
                    "text_en",
                    models.TextField(
                        blank=True,
                        help_text="Markdown, for the English pages; leave empty to show the Korean.",
                        max_length=20000,
                        validators=[django.core.validators.MaxLengthValidator(20000)],
                        verbose_name="text (English)",
                    ),
                ),
                ("text_en_html", models.TextField(blank=True, editable=False)),
                ("updated", models.DateTimeField(auto_now=True, verbose_name="updated")),
            ],
            options={
                "verbose_name": "about page",
                "verbose_name_plural": "about page",
                "constraints": [
                    models.CheckConstraint(condition=models.Q(("id", 1)), name="one_about_page")
                ],
            },
        ),
        migrations.RunPython(fill_derived_fields, migrations.RunPython.noop),
        migrations.RunPython(let_curators_edit_the_about_page, migrations.RunPython.noop),
    ]

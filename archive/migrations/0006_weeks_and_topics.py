"""One name per concept: a week is `Week` (year and `number`), a post's topics are `Topic`s.

* The tables 0005 took over from `digest` get the archive's names; `Week.week` becomes
  `number`, `Post.digest` becomes `week`.
* Topics move out of taggit's shared `taggit_tag` into `archive_topic`, keeping their ids, so
  every post keeps its topics; `TaggedPost` becomes `PostTopic`.
* Content types follow the models, so curators keep their permissions and the admin's history
  keeps its entries; permissions on taggit's tags are granted on topics too.

Every step runs backwards as well, rows included.
"""

import django.core.validators
import django.db.models.deletion
import taggit.managers
from django.db import migrations, models

# (old app label, old model) → (new app label, new model, its verbose name)
RENAMED_CONTENT_TYPES = {
    ("digest", "weeklydigest"): ("archive", "week", "week"),
    ("digest", "contentversion"): ("archive", "contentversion", "content version"),
    ("digest", "topiccount"): ("archive", "topiccount", "topic count"),
    ("archive", "taggedpost"): ("archive", "posttopic", "topic of a post"),
}
ACTIONS = ["add", "change", "delete", "view"]


def rename_content_types(apps, schema_editor, renames):
    """Rename each content type in place (its permissions and admin history follow it), and
    each permission's codename and name with it. A content type already renamed (Django does
    that for a RenameModel) only has its permissions renamed."""
    db = schema_editor.connection.alias
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    for (old_app, old_model), (new_app, new_model, verbose_name) in renames.items():
        content_type = ContentType.objects.using(db).filter(app_label=old_app, model=old_model)
        renamed = ContentType.objects.using(db).filter(app_label=new_app, model=new_model)
        if content_type.exists() and not renamed.exists():
            content_type.update(app_label=new_app, model=new_model)
        for permission in Permission.objects.using(db).filter(content_type__in=renamed):
            action = permission.codename.removesuffix(f"_{old_model}")
            if action in ACTIONS:
                permission.codename = f"{action}_{new_model}"
                permission.name = f"Can {action} {verbose_name}"
                permission.save(update_fields=["codename", "name"])
    ContentType.objects.clear_cache()


def forwards_content_types(apps, schema_editor):
    rename_content_types(apps, schema_editor, RENAMED_CONTENT_TYPES)


def backwards_content_types(apps, schema_editor):
    reverse = {
        (new_app, new_model): (old_app, old_model, old_model)
        for (old_app, old_model), (new_app, new_model, _name) in RENAMED_CONTENT_TYPES.items()
    }
    rename_content_types(apps, schema_editor, reverse)
    # The old verbose names, as Django wrote them.
    Permission = apps.get_model("auth", "Permission")
    names = {"weeklydigest": "weekly digest", "contentversion": "content version",
             "topiccount": "topic count", "taggedpost": "topic of a post"}  # fmt: skip
    for model, name in names.items():
        for action in ACTIONS:
            Permission.objects.using(schema_editor.connection.alias).filter(
                codename=f"{action}_{model}"
            ).update(name=f"Can {action} {name}")


def copy_topics(apps, schema_editor):
    """Every taggit tag becomes a topic with the same id, name and slug."""
    db = schema_editor.connection.alias
    Tag = apps.get_model("taggit", "Tag")
    Topic = apps.get_model("archive", "Topic")
    Topic.objects.using(db).bulk_create(
        Topic(id=tag.id, name=tag.name, slug=tag.slug) for tag in Tag.objects.using(db).all()
    )
    reset_sequence(schema_editor, Topic)


def copy_topics_back(apps, schema_editor):
    db = schema_editor.connection.alias
    Tag = apps.get_model("taggit", "Tag")
    Topic = apps.get_model("archive", "Topic")
    Tag.objects.using(db).bulk_create(
        Tag(id=topic.id, name=topic.name, slug=topic.slug)
        for topic in Topic.objects.using(db).all()
    )
    reset_sequence(schema_editor, Tag)


def reset_sequence(schema_editor, model):
    """PostgreSQL hands out ids from a sequence, which explicit ids do not advance."""
    from django.core.management.color import no_style

    connection = schema_editor.connection
    for statement in connection.ops.sequence_reset_sql(no_style(), [model]):
        schema_editor.execute(statement)


def forget_tags(apps, schema_editor):
    """The tags now live on as topics: nothing is left behind in taggit's table, and the admin's
    history of each tag becomes its topic's; whoever could edit tags can edit topics."""
    db = schema_editor.connection.alias
    Tag = apps.get_model("taggit", "Tag")
    Topic = apps.get_model("archive", "Topic")
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    LogEntry = apps.get_model("admin", "LogEntry")
    Tag.objects.using(db).filter(id__in=Topic.objects.using(db).values("id")).delete()
    tag_type = ContentType.objects.using(db).filter(app_label="taggit", model="tag").first()
    if tag_type is None:  # a database that never had the admin or permissions set up
        return
    topic_type, _created = ContentType.objects.using(db).get_or_create(
        app_label="archive", model="topic"
    )
    LogEntry.objects.using(db).filter(content_type=tag_type).update(content_type=topic_type)
    for action in ACTIONS:
        topic_permission, _created = Permission.objects.using(db).get_or_create(
            content_type=topic_type,
            codename=f"{action}_topic",
            defaults={"name": f"Can {action} topic"},
        )
        tag_permission = Permission.objects.using(db).filter(
            content_type=tag_type, codename=f"{action}_tag"
        ).first()
        if tag_permission:
            topic_permission.group_set.add(*tag_permission.group_set.all())
            topic_permission.user_set.add(*tag_permission.user_set.all())


def remember_tags(apps, schema_editor):
    """Backwards: the admin's history of topics becomes their tags' again (the tags themselves
    come back from `copy_topics_back`)."""
    db = schema_editor.connection.alias
    ContentType = apps.get_model("contenttypes", "ContentType")
    LogEntry = apps.get_model("admin", "LogEntry")
    tag_type = ContentType.objects.using(db).filter(app_label="taggit", model="tag").first()
    topic_type = ContentType.objects.using(db).filter(app_label="archive", model="topic").first()
    if tag_type and topic_type:
        LogEntry.objects.using(db).filter(content_type=topic_type).update(content_type=tag_type)


class Migration(migrations.Migration):
    dependencies = [
        ("archive", "0005_weeks_move_in"),
        ("digest", "0004_weeks_move_to_archive"),
        ("admin", "0003_logentry_add_action_flag_choices"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("taggit", "0006_rename_taggeditem_content_type_object_id_taggit_tagg_content_8fc721_idx"),
    ]

    operations = [
        # The moved tables get the archive's names.
        migrations.AlterModelTable(name="week", table=None),
        migrations.AlterModelTable(name="contentversion", table=None),
        migrations.AlterModelTable(name="topiccount", table=None),
        # Week.week → number, with the indexes and constraints that name it.
        migrations.RemoveIndex(model_name="week", name="digest_status_week"),
        migrations.RemoveConstraint(model_name="week", name="unique_iso_week"),
        migrations.RemoveConstraint(model_name="week", name="week_in_range"),
        migrations.RenameField(model_name="week", old_name="week", new_name="number"),
        migrations.AlterField(
            model_name="week",
            name="number",
            field=models.PositiveSmallIntegerField(validators=[django.core.validators.MinValueValidator(1), django.core.validators.MaxValueValidator(53)], verbose_name="week number"),
        ),
        migrations.AlterModelOptions(
            name="week",
            options={"ordering": ["-year", "-number"], "verbose_name": "week", "verbose_name_plural": "weeks"},
        ),
        migrations.AddIndex(
            model_name="week",
            index=models.Index(fields=["status", "year", "number"], name="week_status_number"),
        ),
        migrations.RenameIndex(
            model_name="week", new_name="week_published_at", old_name="digest_published_at"
        ),
        migrations.AddConstraint(
            model_name="week",
            constraint=models.UniqueConstraint(fields=("year", "number"), name="unique_iso_week"),
        ),
        migrations.AddConstraint(
            model_name="week",
            constraint=models.CheckConstraint(condition=models.Q(("number__gte", 1), ("number__lte", 53)), name="week_in_range"),
        ),
        # Post.digest → week.
        migrations.RemoveIndex(model_name="post", name="post_digest_position"),
        migrations.RenameField(model_name="post", old_name="digest", new_name="week"),
        migrations.AddIndex(
            model_name="post",
            index=models.Index(fields=["week", "position"], name="post_week_position"),
        ),
        # Topics of their own.
        migrations.CreateModel(
            name="Topic",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("name", models.CharField(max_length=100, unique=True, verbose_name="name")),
                ("slug", models.SlugField(allow_unicode=True, max_length=100, unique=True, verbose_name="slug")),
            ],
            options={"verbose_name": "topic", "verbose_name_plural": "topics"},
        ),
        migrations.RunPython(copy_topics, migrations.RunPython.noop),
        migrations.RenameModel(old_name="TaggedPost", new_name="PostTopic"),
        migrations.AlterField(
            model_name="posttopic",
            name="tag",
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="post_topics", to="archive.topic", verbose_name="topic"),
        ),
        migrations.AlterField(
            model_name="posttopic",
            name="content_object",
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="post_topics", to="archive.post", verbose_name="post"),
        ),
        migrations.RenameField(model_name="post", old_name="tags", new_name="topics"),
        migrations.AlterField(
            model_name="post",
            name="topics",
            field=taggit.managers.TaggableManager(blank=True, help_text="Separate topics with commas; a topic of two words is written in quotes.", through="archive.PostTopic", to="archive.Topic", verbose_name="topics"),
        ),
        migrations.AlterField(
            model_name="topiccount",
            name="tag",
            field=models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, primary_key=True, related_name="published_count", serialize=False, to="archive.topic"),
        ),
        migrations.RenameField(model_name="topiccount", old_name="tag", new_name="topic"),
        migrations.RunPython(forget_tags, copy_topics_back),
        migrations.RunPython(forwards_content_types, backwards_content_types),
        migrations.RunPython(migrations.RunPython.noop, remember_tags),
    ]  # fmt: skip

from django.contrib.auth.management import create_permissions
from django.db import migrations

CURATORS = "Curators"
# Everything a curator touches, and nothing on users or groups.
CURATED_MODELS = {
    "archive": ["link", "post", "postlink", "taggedpost"],
    "digest": ["weeklydigest"],
    "taggit": ["tag"],
}
ACTIONS = ["add", "change", "delete", "view"]


def create_curators(apps, schema_editor):
    # Permissions are normally created after all migrations; make sure these exist now.
    for label in CURATED_MODELS:
        app_config = apps.get_app_config(label)
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _created = Group.objects.get_or_create(name=CURATORS)
    codenames = [f"{action}_{model}" for models in CURATED_MODELS.values() for model in models for action in ACTIONS]
    permissions = Permission.objects.filter(
        content_type__app_label__in=CURATED_MODELS, codename__in=codenames
    )
    group.permissions.set(permissions)


class Migration(migrations.Migration):
    dependencies = [
        ("archive", "0001_initial"),
        ("digest", "0001_initial"),
        ("taggit", "0006_rename_taggeditem_content_type_object_id_taggit_tagg_content_8fc721_idx"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    # Unapplying keeps the group: who is in it is the site's data, not the migration's, and
    # applying again finds it and resets its permissions.
    operations = [migrations.RunPython(create_curators, migrations.RunPython.noop)]

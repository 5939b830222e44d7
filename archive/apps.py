from django.apps import AppConfig
from django.db.models.signals import post_migrate, pre_migrate
from django.utils.translation import gettext_lazy as _


class ArchiveConfig(AppConfig):
    name = "archive"
    verbose_name = _("Archive")

    def ready(self):
        from django.db.models.signals import post_save

        from archive import checks, search, tasks, versioning  # noqa: F401 (checks register themselves)

        versioning.watch_content()
        search.watch_content()
        post_save.connect(tasks.link_saved, sender="archive.Link", dispatch_uid="link-metadata")
        pre_migrate.connect(uninstall_database_triggers, sender=self, dispatch_uid="triggers")
        post_migrate.connect(install_database_triggers, sender=self, dispatch_uid="triggers")


def uninstall_database_triggers(using, **kwargs):
    from django.db import connections

    from archive import versioning

    versioning.uninstall_triggers(connections[using])


def install_database_triggers(using, plan=None, **kwargs):
    """Triggers are derived from the code, like permissions: (re)installed after every migrate,
    since SQLite drops a table's triggers whenever a migration rebuilds the table. Then, the
    database being as this code expects it, what readers see is marked changed (a new release
    may render it differently), the topics are counted, and the search index is written when
    it does not hold the content (a database from before it)."""
    from django.db import connections
    from django.db.migrations.executor import MigrationExecutor

    from archive import search, versioning

    connection = connections[using]
    versioning.install_triggers(connection)
    if plan is not None:  # `migrate`, maybe to an earlier state (`flush` keeps the schema)
        executor = MigrationExecutor(connection)
        if executor.migration_plan(executor.loader.graph.leaf_nodes()):
            return
    if versioning.VERSION_TABLE in connection.introspection.table_names():
        versioning.bump()
        versioning.refresh_topic_counts()
        if search.is_missing(connection):
            search.rebuild()

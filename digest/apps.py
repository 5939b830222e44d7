from django.apps import AppConfig
from django.db.models.signals import post_migrate, pre_migrate
from django.utils.translation import gettext_lazy as _


class DigestConfig(AppConfig):
    name = "digest"
    verbose_name = _("Readers' site")

    def ready(self):
        from digest import fragments, purge

        purge.watch_content()
        fragments.watch_content()
        pre_migrate.connect(
            uninstall_fragment_triggers, sender=self, dispatch_uid="fragment-triggers"
        )
        post_migrate.connect(
            install_fragment_triggers, sender=self, dispatch_uid="fragment-triggers"
        )


def uninstall_fragment_triggers(using, **kwargs):
    """Before the migrations run: they may rebuild a table the triggers name (SQLite)."""
    from django.db import connections

    from digest import fragments

    fragments.uninstall_triggers(connections[using])


def install_fragment_triggers(using, plan=None, **kwargs):
    """Like the version triggers (archive.apps): installed after every migrate; then the posts
    a new release renders differently are rendered again (a background task when many)."""
    from django.db import connections
    from django.db.migrations.executor import MigrationExecutor

    from digest import fragments

    connection = connections[using]
    fragments.install_triggers(connection)
    if plan is not None:
        executor = MigrationExecutor(connection)
        if executor.migration_plan(executor.loader.graph.leaf_nodes()):
            return
    fragments.refresh_after_commit()

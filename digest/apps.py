from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DigestConfig(AppConfig):
    name = "digest"
    verbose_name = _("Weekly digests")

    def ready(self):
        from digest import freshness, purge

        freshness.watch_content()
        purge.watch_content()

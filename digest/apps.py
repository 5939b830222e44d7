from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DigestConfig(AppConfig):
    name = "digest"
    verbose_name = _("Readers' site")

    def ready(self):
        from digest import purge

        purge.watch_content()

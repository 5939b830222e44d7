from django.apps import AppConfig
from django.db.models.signals import pre_save
from django.utils.translation import gettext_lazy as _


class ArchiveConfig(AppConfig):
    name = "archive"
    verbose_name = _("Archive")

    def ready(self):
        from taggit.models import Tag

        from archive.signals import give_topic_an_address

        pre_save.connect(give_topic_an_address, sender=Tag, dispatch_uid="topic_address")

from django.contrib.admin.apps import AdminConfig
from django.contrib.auth.signals import user_logged_in


class CuratorAdminConfig(AdminConfig):
    """Django's admin, with `admin.site` an instance of Jugan's site (archive.accounts.site)."""

    default_site = "archive.accounts.site.CuratorAdminSite"

    def ready(self):
        super().ready()  # imports every app's admin module, django-axes' among them
        from archive.accounts import admin  # noqa: F401 (lockouts listed Jugan's way)
        from archive.accounts.sessions import start_idle_clock

        user_logged_in.connect(start_idle_clock, dispatch_uid="staff-idle-clock")

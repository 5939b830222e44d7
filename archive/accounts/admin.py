"""Lockouts in the admin: django-axes' list of failed sign-ins, with an action that lifts them,
and its list of sign-ins. Only superusers see them (the Curators group holds no permission on
them). Axes' log of every failure is off (AXES_ENABLE_ACCESS_FAILURE_LOG), so is its list."""

from axes.admin import AccessAttemptAdmin
from axes.models import AccessAttempt, AccessFailureLog
from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

admin.site.unregister(AccessFailureLog)
admin.site.unregister(AccessAttempt)


@admin.register(AccessAttempt)
class LockoutAdmin(AccessAttemptAdmin):
    actions = ["unlock", *AccessAttemptAdmin.actions]

    @admin.action(
        description=_("Unlock: forget the selected failed sign-ins"), permissions=["delete"]
    )
    def unlock(self, request, queryset):
        count = queryset.count()
        queryset.delete()
        self.message_user(
            request,
            ngettext(
                "%(count)d record of failed sign-ins forgotten: those sign-ins are open again.",
                "%(count)d records of failed sign-ins forgotten: those sign-ins are open again.",
                count,
            )
            % {"count": count},
            messages.SUCCESS,
        )

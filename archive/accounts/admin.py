"""Account security in the admin, for superusers only (the Curators group holds no permission
on it): django-axes' failed sign-ins, with an action that lifts a lock, and its log of
sign-ins; django-otp's devices, where a lost phone is removed. Each list drops tampered action
ids like Jugan's own (archive.admin.TamperedListInputMixin). Axes' log of every failure is off
(AXES_ENABLE_ACCESS_FAILURE_LOG), so is its list."""

from axes.admin import AccessAttemptAdmin, AccessLogAdmin
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django_otp.plugins.otp_static.admin import StaticDeviceAdmin
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.admin import TOTPDeviceAdmin
from django_otp.plugins.otp_totp.models import TOTPDevice

from archive.admin import TamperedListInputMixin

for model in (AccessFailureLog, AccessAttempt, AccessLog, TOTPDevice, StaticDevice):
    admin.site.unregister(model)


@admin.register(AccessAttempt)
class LockoutAdmin(TamperedListInputMixin, AccessAttemptAdmin):
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


@admin.register(AccessLog)
class SignInLogAdmin(TamperedListInputMixin, AccessLogAdmin):
    pass


@admin.register(TOTPDevice)
class AuthenticatorAdmin(TamperedListInputMixin, TOTPDeviceAdmin):
    pass


@admin.register(StaticDevice)
class RecoveryCodesAdmin(TamperedListInputMixin, StaticDeviceAdmin):
    pass

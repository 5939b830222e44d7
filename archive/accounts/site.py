from django.conf import settings
from django.contrib import admin
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.views import LoginView
from django.http import HttpResponseRedirect
from django.urls import path, reverse
from django.utils.decorators import method_decorator
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache

from archive.accounts import two_factor, views
from archive.accounts.forms import SignInForm


class PasswordStepView(LoginView):
    """Django's login view, stopping after the password when a second factor is to come."""

    def form_valid(self, form):
        user = form.get_user()
        if two_factor.authenticator_of(user) is not None:
            step = "admin:two_factor_code"
        elif two_factor.required_for(user):
            step = "admin:two_factor_setup"
        else:
            return super().form_valid(form)
        two_factor.begin_sign_in(self.request, user, self.get_success_url())
        return HttpResponseRedirect(reverse(step))

    def get_default_redirect_url(self):
        return reverse("admin:index")


class CuratorAdminSite(admin.AdminSite):
    """The admin site: a password step that django-axes guards, then a second factor for
    staff who set one up (or must: TWO_FACTOR_REQUIRED), and each staff member's own
    two-factor pages. `admin.site` is this site (archive.accounts.apps)."""

    login_form = SignInForm

    def has_permission(self, request):
        return super().has_permission(request) and (
            not settings.TWO_FACTOR_REQUIRED or two_factor.is_verified(request.user)
        )

    @method_decorator(never_cache)
    @login_not_required
    def login(self, request, extra_context=None):
        """AdminSite.login, with the password step above."""
        if request.method == "GET" and self.has_permission(request):
            return HttpResponseRedirect(reverse("admin:index", current_app=self.name))
        context = {
            **self.each_context(request),
            "title": _("Log in"),
            "subtitle": None,
            "app_path": request.get_full_path(),
            "username": request.user.get_username(),
        }
        if REDIRECT_FIELD_NAME not in request.GET and REDIRECT_FIELD_NAME not in request.POST:
            context[REDIRECT_FIELD_NAME] = reverse("admin:index", current_app=self.name)
        context.update(extra_context or {})
        request.current_app = self.name
        return PasswordStepView.as_view(
            extra_context=context,
            authentication_form=self.login_form,
            template_name=self.login_template or "admin/login.html",
        )(request)

    def get_urls(self):
        def before_sign_in(view):
            return login_not_required(view.as_view(admin_site=self))

        def for_staff(view):
            return self.admin_view(view.as_view(admin_site=self))

        return [
            path("two-factor/code/", before_sign_in(views.SignInCodeView), name="two_factor_code"),
            path("two-factor/setup/", before_sign_in(views.SetupView), name="two_factor_setup"),
            path("two-factor/", for_staff(views.StatusView), name="two_factor"),
            path(
                "two-factor/recovery-codes/",
                for_staff(views.RecoveryCodesView),
                name="two_factor_recovery_codes",
            ),
            path("two-factor/turn-off/", for_staff(views.TurnOffView), name="two_factor_turn_off"),
            *super().get_urls(),
        ]

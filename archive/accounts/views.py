"""The two-factor pages of the admin: the code step of a sign-in, setting up an authenticator,
recovery codes, and each staff member's own two-factor page. Routed by the admin site
(archive.accounts.site), which also makes the password step lead here."""

import math

from axes.handlers.proxy import AxesProxyHandler
from django.contrib import messages
from django.contrib.auth.signals import user_login_failed
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views import View
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django_otp import login as otp_login

from archive.accounts import two_factor
from archive.accounts.forms import CodeForm
from archive.accounts.lockout import lockout_message

SIGN_IN_CODE_LABEL = gettext_lazy("Code from your authenticator app, or a recovery code")
SETUP_CODE_LABEL = gettext_lazy("The six-digit code your app shows now")


class AdminSiteView(View):
    """A page of the admin site, with its header, colours and language."""

    admin_site = None
    title = ""
    template_name = ""

    def render(self, request, status=200, **context):
        context = {**self.admin_site.each_context(request), "title": self.title, **context}
        return TemplateResponse(request, self.template_name, context, status=status)


@method_decorator([sensitive_post_parameters("code"), csrf_protect, never_cache], name="dispatch")
class SignInCodeView(AdminSiteView):
    """The second step of a sign-in: a code from the authenticator app, or a recovery code.

    A wrong code counts as a failed sign-in of the account from this address (django-axes),
    so the lockout that guards passwords guards codes too; django-otp also makes each wrong
    code wait twice as long as the one before."""

    title = gettext_lazy("Two-factor sign-in")
    template_name = "admin/two_factor/sign_in_code.html"

    def dispatch(self, request, *args, **kwargs):
        self.user = two_factor.pending_user(request)
        if self.user is None:
            return HttpResponseRedirect(reverse("admin:login"))
        if two_factor.authenticator_of(self.user) is None:  # required, and not set up yet
            return HttpResponseRedirect(reverse("admin:two_factor_setup"))
        return super().dispatch(request, *args, **kwargs)

    def get(self, request):
        return self.render(request, form=CodeForm(label=SIGN_IN_CODE_LABEL))

    def post(self, request):
        form = CodeForm(request.POST, label=SIGN_IN_CODE_LABEL)
        if not form.is_valid():
            return self.render(request, form=form)
        credentials = {"username": self.user.get_username()}
        if not AxesProxyHandler.is_allowed(request, credentials):
            form.add_error(None, lockout_message())
            return self.render(request, form=form, status=429)
        device, wait_until = two_factor.check_code(self.user, form.cleaned_data["code"])
        if device is not None:
            return HttpResponseRedirect(two_factor.finish_sign_in(request, self.user, device))
        if wait_until is not None:
            seconds = max(math.ceil((wait_until - timezone.now()).total_seconds()), 1)
            form.add_error(
                "code",
                ngettext(
                    "Too many wrong codes: wait %(seconds)d second, then try again.",
                    "Too many wrong codes: wait %(seconds)d seconds, then try again.",
                    seconds,
                )
                % {"seconds": seconds},
            )
            return self.render(request, form=form)
        form.add_error("code", _("This code is not right, or it was used already."))
        user_login_failed.send(sender=__name__, credentials=credentials, request=request)
        if getattr(request, "axes_locked_out", False):  # that was the last try: axes says 429
            form.add_error(None, lockout_message())
        return self.render(request, form=form)


@method_decorator([sensitive_post_parameters("code"), csrf_protect, never_cache], name="dispatch")
class SetupView(AdminSiteView):
    """Setting up an authenticator app: its secret as a QR code (and typed out), confirmed by
    the code the app then shows. Open to staff who are signed in, and, where two-factor sign-in
    is required, to a sign-in whose password was right and who has no authenticator yet: their
    sign-in ends here. Replacing an authenticator takes a session that passed the old one."""

    title = gettext_lazy("Set up two-factor sign-in")
    template_name = "admin/two_factor/setup.html"

    def dispatch(self, request, *args, **kwargs):
        pending = two_factor.pending_user(request)
        if pending is not None and two_factor.authenticator_of(pending) is None:
            self.user, self.signing_in = pending, True
        elif self.admin_site.has_permission(request):
            self.user, self.signing_in = request.user, False
            if two_factor.authenticator_of(self.user) and not two_factor.is_verified(self.user):
                messages.error(request, _("Sign in with your code to change two-factor sign-in."))
                return HttpResponseRedirect(reverse("admin:two_factor"))
        else:
            return HttpResponseRedirect(reverse("admin:login"))
        return super().dispatch(request, *args, **kwargs)

    def secret(self, request):
        """The secret on offer, kept in the session until confirmed, so a reloaded page shows
        the QR code the phone may already have scanned."""
        offered = request.session.get(two_factor.SETUP_SECRET)
        if not offered or offered["user"] != self.user.pk:
            offered = {"user": self.user.pk, "secret": two_factor.new_secret()}
            request.session[two_factor.SETUP_SECRET] = offered
        return offered["secret"]

    def get(self, request):
        return self.page(request, CodeForm(label=SETUP_CODE_LABEL, numeric=True))

    def post(self, request):
        form = CodeForm(request.POST, label=SETUP_CODE_LABEL, numeric=True)
        secret = self.secret(request)
        if form.is_valid():
            time_step = two_factor.time_step_of_code(secret, form.cleaned_data["code"])
            if time_step is not None:
                return self.turn_on(request, secret, time_step)
            form.add_error(
                "code",
                _(
                    "This is not the code your app shows now. Check that the phone sets its "
                    "clock automatically, then type the newest code."
                ),
            )
        return self.page(request, form)

    def page(self, request, form):
        secret = self.secret(request)
        return self.render(
            request,
            form=form,
            signing_in=self.signing_in,
            qr_code=two_factor.qr_code(two_factor.setup_address(self.user, secret)),
            readable_secret=two_factor.readable_secret(secret),
            account=self.user.get_username(),
        )

    def turn_on(self, request, secret, time_step):
        device, codes = two_factor.turn_on(self.user, secret, time_step)
        del request.session[two_factor.SETUP_SECRET]
        if self.signing_in:
            next_url = two_factor.finish_sign_in(request, self.user, device)
        else:
            otp_login(request, device)
            next_url = reverse("admin:two_factor")
        request.session[two_factor.NEW_RECOVERY_CODES] = {"codes": codes, "next": next_url}
        return HttpResponseRedirect(reverse("admin:two_factor_recovery_codes"))


class RecoveryCodesView(AdminSiteView):
    """New recovery codes, shown once: right after setup, or when asked for (POST)."""

    title = gettext_lazy("Your recovery codes")
    template_name = "admin/two_factor/recovery_codes.html"

    def get(self, request):
        new = request.session.pop(two_factor.NEW_RECOVERY_CODES, None)
        if new is None:
            return HttpResponseRedirect(reverse("admin:two_factor"))
        return self.render(request, codes=new["codes"], next_url=new["next"])

    def post(self, request):
        if not (two_factor.authenticator_of(request.user) and two_factor.is_verified(request.user)):
            messages.error(request, _("Sign in with your code to get new recovery codes."))
            return HttpResponseRedirect(reverse("admin:two_factor"))
        request.session[two_factor.NEW_RECOVERY_CODES] = {
            "codes": two_factor.new_recovery_codes(request.user),
            "next": reverse("admin:two_factor"),
        }
        return HttpResponseRedirect(reverse("admin:two_factor_recovery_codes"))


class StatusView(AdminSiteView):
    """A staff member's own two-factor sign-in: on or off, and what they can do about it."""

    title = gettext_lazy("Two-factor sign-in")
    template_name = "admin/two_factor/status.html"

    def get(self, request):
        user = request.user
        return self.render(
            request,
            authenticator=two_factor.authenticator_of(user),
            recovery_codes_left=two_factor.recovery_codes_left(user),
            verified=two_factor.is_verified(user),
            required=two_factor.required_for(user),
        )


class TurnOffView(AdminSiteView):
    """Two-factor sign-in off, where it is not required, from a session that passed it."""

    http_method_names = ["post"]

    def post(self, request):
        user = request.user
        if two_factor.required_for(user):
            messages.error(request, _("Two-factor sign-in is required on this site."))
        elif two_factor.authenticator_of(user) and not two_factor.is_verified(user):
            messages.error(request, _("Sign in with your code to change two-factor sign-in."))
        else:
            two_factor.turn_off(user)
            messages.success(request, _("Two-factor sign-in is off."))
        return HttpResponseRedirect(reverse("admin:two_factor"))

from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.core.exceptions import ValidationError

from archive.accounts.lockout import lockout_message


class SignInForm(AdminAuthenticationForm):
    """The admin's password step; a sign-in the lockout refused says so, not "wrong password"."""

    def clean(self):
        try:
            return super().clean()
        except ValidationError:
            if getattr(self.request, "axes_locked_out", False):
                raise ValidationError(lockout_message(), code="locked_out") from None
            raise


class CodeForm(forms.Form):
    """One code, as typed: an authenticator's six digits or, where `numeric` is off, a recovery
    code too."""

    code = forms.CharField(
        max_length=32,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "autocapitalize": "none", "autofocus": True}
        ),
    )

    def __init__(self, *args, label, numeric=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["code"].label = label
        if numeric:
            self.fields["code"].widget.attrs["inputmode"] = "numeric"

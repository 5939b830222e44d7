"""System checks of the site's configuration."""

from django.conf import settings
from django.core import checks

from config.email import CONSOLE_BACKEND, SMTP_BACKEND


@checks.register(checks.Tags.compatibility)
def mail_server_configured(app_configs, **kwargs):
    """Production (DEBUG off) that would print its mails, or send them to an SMTP server
    nobody named, silently mails no subscriber."""
    if settings.DEBUG:
        return []
    backend = settings.EMAIL_BACKEND
    unconfigured = backend == SMTP_BACKEND and not getattr(settings, "EMAIL_CONFIGURED", True)
    if backend == CONSOLE_BACKEND or unconfigured:
        return [
            checks.Warning(
                "No SMTP server is configured: confirmation mails and published weeks would "
                + ("be printed, not sent." if backend == CONSOLE_BACKEND else "not arrive."),
                hint="Set EMAIL_URL, e.g. smtp+tls://user:password@smtp.example.org:587 "
                "(README.md, 'Email delivery').",
                id="jugan.W001",
            )
        ]
    return []

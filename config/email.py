"""Outgoing mail from one variable, EMAIL_URL, read by config/settings/base.py.

    smtp://user:password@host:25        plain SMTP (a relay on the same machine or network)
    smtp+tls://user:password@host:587   SMTP upgraded with STARTTLS (submission)
    smtp+ssl://user:password@host:465   SMTP over TLS from the first byte
    console://                          every mail printed on the terminal (`make run`)

User name and password are percent-decoded (an `@` in a password is written `%40`); `?timeout=`
sets the seconds to wait for the server (10 by default). Without EMAIL_URL, Django's own
EMAIL_HOST / EMAIL_PORT / EMAIL_HOST_USER / ... variables are read, as in any Django project.
"""

from urllib.parse import parse_qs, unquote, urlsplit

from django.core.exceptions import ImproperlyConfigured

SMTP_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
CONSOLE_BACKEND = "django.core.mail.backends.console.EmailBackend"
DEFAULT_PORTS = {"smtp": 25, "smtp+tls": 587, "smtp+ssl": 465}
DEFAULT_TIMEOUT = 10


def email_settings(url):
    """The Django settings (EMAIL_BACKEND, EMAIL_HOST, ...) that EMAIL_URL stands for."""
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    if scheme == "console":
        return {"EMAIL_BACKEND": CONSOLE_BACKEND}
    if scheme not in DEFAULT_PORTS:
        raise ImproperlyConfigured(
            f"EMAIL_URL must start with smtp://, smtp+tls://, smtp+ssl:// or console://, "
            f"not {parts.scheme or url!r}"
        )
    if not parts.hostname:
        raise ImproperlyConfigured("EMAIL_URL names no host, e.g. smtp+tls://user:pass@host:587")
    try:
        port = parts.port or DEFAULT_PORTS[scheme]
    except ValueError:
        raise ImproperlyConfigured(f"EMAIL_URL's port is not a number: {parts.netloc!r}") from None
    query = parse_qs(parts.query)
    try:
        timeout = float(query.get("timeout", [DEFAULT_TIMEOUT])[0])
    except ValueError:
        raise ImproperlyConfigured("EMAIL_URL's timeout must be a number of seconds") from None
    return {
        "EMAIL_BACKEND": SMTP_BACKEND,
        "EMAIL_HOST": parts.hostname,
        "EMAIL_PORT": port,
        "EMAIL_HOST_USER": unquote(parts.username or ""),
        "EMAIL_HOST_PASSWORD": unquote(parts.password or ""),
        "EMAIL_USE_TLS": scheme == "smtp+tls",
        "EMAIL_USE_SSL": scheme == "smtp+ssl",
        "EMAIL_TIMEOUT": timeout,
    }

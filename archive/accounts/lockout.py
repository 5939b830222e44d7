"""Failed sign-ins, counted by django-axes: for an account from one address, and for an address
over all accounts. Past either limit, sign-in from that address is refused for the cool-off by
axes' authentication backend, which stands before Django's: a refused attempt never reaches
the password hasher. Admins see the counts under "Access attempts" and lift a lock there."""

import ipaddress

from axes.attempts import get_cool_off_threshold
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username, get_cool_off, get_failure_limit
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Q, Sum
from django.http import HttpResponse
from django.utils.translation import ngettext


def client_address(request):
    """Where a request comes from: the connection's address, or, behind a trusted proxy, the
    address that proxy appended to X-Forwarded-For. Anything to the left of it was written by
    the client, who could otherwise start a fresh count with every request."""
    remote = request.META.get("REMOTE_ADDR")
    if not settings.BEHIND_TRUSTED_PROXY:
        return remote
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
    hops = settings.TRUSTED_PROXY_COUNT
    if hops < 1 or len(forwarded) < hops:
        return remote
    try:
        return str(ipaddress.ip_address(forwarded[-hops].strip()))
    except ValueError:
        return remote


class AccountAndAddressHandler(AxesDatabaseHandler):
    """django-axes' database handler with two limits where axes has one.

    Axes compares one count of failures with one limit (AXES_FAILURE_LIMIT). Here that limit
    locks an account from one address, and LOGIN_ADDRESS_FAILURE_LIMIT locks an address over
    all the accounts it tried. `get_failures` answers the account's count, or at least the
    limit once its address is over the address's own limit, so every part of axes that compares
    the two (refusing a sign-in, marking the request locked, the lockout response) sees both
    locks. Both counts come from one query.
    """

    def get_failures(self, request, credentials=None):
        username = get_client_username(request, credentials)
        recent = AccessAttempt.objects.filter(
            ip_address=request.axes_ip_address,
            attempt_time__gte=get_cool_off_threshold(request),
        )
        counts = recent.aggregate(
            address=Sum("failures_since_start"),
            account=Sum("failures_since_start", filter=Q(username=username)),
        )
        account, address = counts["account"] or 0, counts["address"] or 0
        if address >= settings.LOGIN_ADDRESS_FAILURE_LIMIT:
            return max(account, get_failure_limit(request, credentials))
        return account


def cool_off_minutes():
    return max(1, round(settings.AXES_COOLOFF_TIME.total_seconds() / 60))


def lockout_message():
    minutes = cool_off_minutes()
    return ngettext(
        "Too many failed sign-ins from your address: signing in is paused for %(minutes)d "
        "minute. An administrator can lift the lock sooner.",
        "Too many failed sign-ins from your address: signing in is paused for %(minutes)d "
        "minutes. An administrator can lift the lock sooner.",
        minutes,
    ) % {"minutes": minutes}


def lockout_response(request, original_response=None, credentials=None):
    """The page that refused the sign-in (its form says why), as 429 Too Many Requests with the
    cool-off in Retry-After (axes' AXES_LOCKOUT_CALLABLE)."""
    response = original_response or HttpResponse(
        lockout_message(), content_type="text/plain; charset=utf-8"
    )
    response.status_code = 429
    response["Retry-After"] = str(int(get_cool_off(request).total_seconds()))
    return response

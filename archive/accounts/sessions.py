"""Staff sessions: they end after ADMIN_IDLE_MINUTES without a request, and, where two-factor
sign-in is required, a staff session that did not pass it ends at once.

A new password ends every other session of its account without any code here: Django keeps a
hash of the password in each session and ends a session whose hash no longer matches, and the
admin's password change keeps only the session that made it (update_session_auth_hash).
"""

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from archive.accounts.two_factor import is_verified

LAST_SEEN = "staff_last_seen"
# The session is written at most this often (each write moves its expiry on); a session
# seen within the idle time but not written since still ends on time, by LAST_SEEN.
WRITE_EVERY_SECONDS = 60


def idle_seconds():
    return settings.ADMIN_IDLE_MINUTES * 60


def start_idle_clock(sender, request, user, **kwargs):
    """On login (user_logged_in): the session lives until the idle time passes unused."""
    if request is not None and hasattr(request, "session"):
        request.session[LAST_SEEN] = int(time.time())
        # The cookie and the stored session expire too; LAST_SEEN ends it to the minute.
        request.session.set_expiry(idle_seconds() + WRITE_EVERY_SECONDS)


class StaffSessionMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        # Without a session cookie there is no one to ask about (nor a session to load).
        if settings.SESSION_COOKIE_NAME in request.COOKIES and request.user.is_staff:
            if reason := self.reason_to_end(request):
                logout(request)
                messages.info(request, reason)
            else:
                self.touch(request)
        return self.get_response(request)

    def reason_to_end(self, request):
        last_seen = request.session.get(LAST_SEEN)
        if last_seen is not None and int(time.time()) - last_seen > idle_seconds():
            minutes = settings.ADMIN_IDLE_MINUTES
            return ngettext(
                "You were signed out after %(minutes)d minute without activity.",
                "You were signed out after %(minutes)d minutes without activity.",
                minutes,
            ) % {"minutes": minutes}
        if settings.TWO_FACTOR_REQUIRED and not is_verified(request.user):
            return _("This site requires two-factor sign-in: please sign in again.")
        return None

    def touch(self, request):
        last_seen = request.session.get(LAST_SEEN)
        now = int(time.time())
        if last_seen is None or now - last_seen >= WRITE_EVERY_SECONDS:
            request.session[LAST_SEEN] = now
            request.session.set_expiry(idle_seconds() + WRITE_EVERY_SECONDS)

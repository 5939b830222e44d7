"""Subscribing to the weekly mail, confirming, and leaving it: the readers' side of
archive/subscriptions.py.

No cookie, no session, no CSRF token. Reader pages are cached publicly, by us and by any cache
in front (digest/caching.py), so a form shown on them cannot carry a per-reader CSRF token, and
a mail client's one-click unsubscribe (RFC 8058) posts with no token at all. The views that take
posts are therefore csrf_exempt, which is safe here because a forged post can do no harm:
- subscribing only ever sends a confirmation mail (double opt-in): nobody is subscribed without
  clicking the signed link sent to their own address; an address gets at most one such mail per
  RESEND_AFTER, each client only EMAIL_SUBSCRIBE_LIMIT posts per window, and bots that fill the
  hidden `website` field get the usual answer and nothing else;
- confirming and unsubscribing need a token signed with the site's secret, which only the
  address's owner received.
GET requests never write (tests/digest/test_read_only.py): the links in mails lead to a page
whose button posts, and mail clients post by themselves.
"""

from django.conf import settings
from django.core.cache import cache
from django.shortcuts import render
from django.views.decorators.csrf import csrf_exempt
from django.views.generic import FormView, View

from archive.accounts.lockout import client_address
from archive.subscriptions import (
    confirm,
    subscribe,
    subscriber_to_confirm,
    subscriber_to_unsubscribe,
    unsubscribe,
)
from digest import http_cache
from digest.forms import SubscribeForm
from digest.topics import published_topics

RATE_KEY = "subscribe-rate:{}"


def over_the_limit(request):
    """Count this client's post; True past EMAIL_SUBSCRIBE_LIMIT in the window. Kept in the
    cache: shared by every app server with Redis, and it never writes to the database."""
    key = RATE_KEY.format(client_address(request) or "unknown")
    cache.add(key, 0, timeout=settings.EMAIL_SUBSCRIBE_WINDOW_SECONDS)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=settings.EMAIL_SUBSCRIBE_WINDOW_SECONDS)
        count = 1
    return count > settings.EMAIL_SUBSCRIBE_LIMIT


class SubscribeView(FormView):
    template_name = "digest/subscribe.html"
    form_class = SubscribeForm

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "topics": published_topics(self.request)}

    def get_initial(self):
        return {"language": self.request.LANGUAGE_CODE}

    def post(self, request, *args, **kwargs):
        if over_the_limit(request):
            response = render(request, "digest/subscribe_limited.html", status=429)
            response.headers["Retry-After"] = str(settings.EMAIL_SUBSCRIBE_WINDOW_SECONDS)
            return response
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        if not form.is_bot():
            data = form.cleaned_data
            subscribe(data["email"], language=data["language"], topics=data["topics"])
        # The same answer whatever the address: new, waiting, subscribed, or a bot's.
        return render(self.request, "digest/subscribe_sent.html")


class TokenView(View):
    """A page with one button for the link in a mail (GET), the button's post doing the work."""

    template_name = ""
    find = None  # token → subscriber or None

    def get(self, request, token):
        subscriber = type(self).find(token)
        status = 200 if subscriber is not None else 404
        response = render(request, self.template_name, {"subscriber": subscriber}, status=status)
        return http_cache.private(response)

    def post(self, request, token):
        subscriber = type(self).find(token)
        if subscriber is None:
            response = render(request, self.template_name, {"subscriber": None}, status=404)
        else:
            response = render(request, self.template_name, self.act(subscriber))
        return http_cache.private(response)


class ConfirmView(TokenView):
    template_name = "digest/subscribe_confirm.html"
    find = staticmethod(subscriber_to_confirm)

    def act(self, subscriber):
        return {"subscriber": subscriber, "confirmed": confirm(subscriber)}


class UnsubscribeView(TokenView):
    """Also the target of List-Unsubscribe-Post (RFC 8058): a mail client posts
    `List-Unsubscribe=One-Click` here, without a cookie or token, and gets a 200."""

    template_name = "digest/unsubscribe.html"
    find = staticmethod(subscriber_to_unsubscribe)

    def act(self, subscriber):
        unsubscribe(subscriber)
        return {"subscriber": subscriber, "unsubscribed": True}


subscribe_view = csrf_exempt(SubscribeView.as_view())
confirm_view = csrf_exempt(ConfirmView.as_view())
unsubscribe_view = csrf_exempt(UnsubscribeView.as_view())

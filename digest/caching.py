"""HTTP conditional caching of readers' pages and feeds, named after the content's state.

Readers' pages and feeds are read and polled far more often than the content changes, so a view
wrapped in `cached_until_changed` first asks for the content's state (`archive.versioning`:
one indexed query) and derives an ETag and a Last-Modified date from it. A request whose
`If-None-Match`/`If-Modified-Since` matches gets a 304 with no body after that single query.
Any other request looks the full response up in Django's cache under a key made of the URL and
the ETag, so a change (or a publication time passing) simply makes the old entries unreachable:
nothing is deleted, no cached response can outlive the state it was rendered from, and the cache
timeout (`CACHE_SECONDS`) only bounds memory. The state is read before the content, and both
only move forward, so a response is never older than the key it is stored under.

Responses must depend on nothing but the URL (which holds the language) and the public content,
so reader pages carry no CSRF token and no cookie, and caches in front may keep them for every
reader (digest.http_cache says how long, and names what each shows for exact purging).
A staff member's request goes straight to the view, uncached: it may be a preview of drafts
(digest.views.PreviewMixin), which must never be stored nor answer anyone's validators.
"""

import hashlib
from datetime import datetime, time
from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse
from django.utils import timezone, translation
from django.utils.cache import get_conditional_response
from django.utils.http import http_date

from archive.versioning import current_state
from archive.weeks import IsoWeek
from digest import http_cache, recent_pages

CACHE_PREFIX = "fresh:v2"  # v2: entries hold their surrogate keys (digest.http_cache)


def state_for(request):
    """The content's state once per request, so a view reuses what its decorator asked."""
    if not hasattr(request, "_content_state"):
        request._content_state = current_state()
    return request._content_state


def fingerprint(state, language, week=None):
    """Names one rendering of the content (in the current ISO week, for a page that says which
    week it is): the ETag, and part of the cache key."""
    named = f"{state.key}|{language}" + (f"|{week.iso_label}" if week else "")
    return hashlib.md5(named.encode(), usedforsecurity=False).hexdigest()


def cached_until_changed(view, *, weekly=False):
    """ETag, Last-Modified, 304s and a shared response cache for a public GET view.

    `weekly`: the view also shows which week it is now (the home page calls the newest week
    "this week" only during it), so its responses change when a new ISO week begins, in the
    site's time zone, as well as with the content.
    """

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.method not in ("GET", "HEAD") or may_preview(request):
            return http_cache.private(view(request, *args, **kwargs))
        state = state_for(request)
        last_modified = state.last_modified
        week = None
        if weekly:
            week = IsoWeek.of(timezone.localdate())
            week_began = datetime.combine(week.start, time(), timezone.get_current_timezone())
            last_modified = max(last_modified, week_began)
        name = fingerprint(state, translation.get_language(), week)
        etag = f'"{name}"'
        last_modified = int(last_modified.timestamp())
        response = get_conditional_response(request, etag=etag, last_modified=last_modified)
        if response is None:
            response = _cached_response(request, name, view, args, kwargs)
        if response.status_code in (200, 304):
            response.headers["ETag"] = etag
            response.headers["Last-Modified"] = http_date(last_modified)
            http_cache.share(request, response)
            recent_pages.remember(request, etag, last_modified, week and week.iso_label)
        return response

    return wrapper


def may_preview(request):
    # Without a session there is no staff member to ask about (nor a session to load).
    if settings.SESSION_COOKIE_NAME not in request.COOKIES:
        return False
    user = getattr(request, "user", None)
    return bool(user and user.is_staff)


def _cached_response(request, name, view, args, kwargs):
    url = hashlib.md5(request.get_full_path().encode(), usedforsecurity=False).hexdigest()
    key = f"{CACHE_PREFIX}:{url}:{name}"
    cached = cache.get(key)
    if cached is not None:
        content, content_type, keys = cached
        return http_cache.restored(HttpResponse(content, content_type=content_type), keys)
    response = view(request, *args, **kwargs)
    if response.status_code == 200 and not response.streaming:

        def store(response):
            keys = http_cache.keys_of(request, response)
            cache.set(
                key, (response.content, response["Content-Type"], keys), settings.CACHE_SECONDS
            )

        if getattr(response, "is_rendered", True):
            store(response)
        else:  # a TemplateResponse, rendered on its way out
            response.add_post_render_callback(store)
    return response

"""The reader pages and feeds each app process answered last, kept whole in its own memory and
sent again before any other middleware runs, while the content stays in the same state.

A cached page otherwise costs nearly as much as the cheapest response Django can give: the
whole middleware chain (sessions, CSRF, authentication, the security policy…) runs for it,
then the state query, a cache lookup and the response's headers. A static file from whitenoise
skips all that, and a reader's page, between two changes, is no different. So the response
`digest.caching.cached_until_changed` let any cache keep (200, public, no cookie) is kept here
once it has passed every middleware, with all its headers, under its address and the content's
state. The next request for the address without a session cookie asks for the state (the one
query) and, if it is the same (and, for the home page, the same week), gets those bytes, or a
304 for matching validators, from the top of the chain. A page is kept as each client took it,
gzipped or not (GZipMiddleware runs below this one), so it is compressed once, not per request.

Nothing here can be stale: an entry is used only in the state it was rendered in, which a
write or a publication time passing changes (archive.versioning), in every process at once.
A staff member (any session cookie) goes the whole way, and so does a reader the language
middleware may redirect (digest.middleware). Memory is bounded (RECENT_PAGES_BYTES per
process, the least recently used pages go first), and this is off where the site has no cache
(Django's DummyCache, as `make bench` measures pages rendered from the database). It also keeps
pages fast while a shared cache (Redis) is down.
"""

import threading
from collections import OrderedDict
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.dummy import DummyCache
from django.http import HttpResponse
from django.middleware.gzip import re_accepts_gzip
from django.utils import timezone
from django.utils.cache import get_conditional_response

from archive.weeks import IsoWeek
from digest import caching
from digest.languages import language_arriving_reader_prefers, split_address


@dataclass(frozen=True)
class Page:
    state: str
    etag: str
    last_modified: int
    # The ISO week the page says is "this week" (None for a page that says no such thing).
    week: str | None
    headers: tuple
    content: bytes


class RecentPages:
    def __init__(self):
        self._pages = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    def get(self, address):
        with self._lock:
            page = self._pages.get(address)
            if page is not None:
                self._pages.move_to_end(address)
            return page

    def put(self, address, page, limit):
        size = len(page.content)
        if size > limit:
            return
        with self._lock:
            old = self._pages.pop(address, None)
            if old is not None:
                self._bytes -= len(old.content)
            self._pages[address] = page
            self._bytes += size
            while self._bytes > limit:
                _address, oldest = self._pages.popitem(last=False)
                self._bytes -= len(oldest.content)

    def clear(self):
        with self._lock:
            self._pages.clear()
            self._bytes = 0


recent_pages = RecentPages()


def enabled():
    return settings.RECENT_PAGES_BYTES > 0 and not isinstance(caches["default"], DummyCache)


def remember(request, etag, last_modified, week):
    """Called by cached_until_changed for a response any cache may keep: kept here once the
    response has passed every middleware, if it is still that (RecentPagesMiddleware)."""
    request._recent_page = (etag, last_modified, week)


class RecentPagesMiddleware:
    """Right after whitenoise, before sessions: see the module's docstring."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method in ("GET", "HEAD") and enabled():
            response = self.recent(request)
            if response is not None:
                return response
        response = self.get_response(request)
        if enabled():
            self.keep(request, response)
        return response

    def recent(self, request):
        page = recent_pages.get(address(request))
        if page is None or settings.SESSION_COOKIE_NAME in request.COOKIES:
            return None
        request.get_host()  # ALLOWED_HOSTS, as the rest of the chain would check it
        language, _bare = split_address(request.path_info)
        if language == settings.LANGUAGE_CODE and language_arriving_reader_prefers(request):
            return None  # maybe an old English link: digest.middleware decides
        if caching.state_for(request).key != page.state:
            return None
        if page.week is not None and page.week != current_week_label():
            return None
        response = HttpResponse(page.content)
        for name, value in page.headers:
            response.headers[name] = value
        return (
            get_conditional_response(
                request, etag=page.etag, last_modified=page.last_modified, response=response
            )
            or response
        )

    def keep(self, request, response):
        validators = getattr(request, "_recent_page", None)
        if (
            validators is None
            or request.method != "GET"
            or response.status_code != 200
            or response.streaming
            or response.cookies
            or not response.get("Cache-Control", "").startswith("public")
        ):
            return
        etag, last_modified, week = validators
        page = Page(
            state=caching.state_for(request).key,
            etag=etag,
            last_modified=last_modified,
            week=week,
            headers=tuple(response.items()),
            content=response.content,
        )
        recent_pages.put(address(request), page, settings.RECENT_PAGES_BYTES)


def address(request):
    """Where a page is kept: its address, and whether the client takes it gzipped (read as
    GZipMiddleware reads it)."""
    gzipped = re_accepts_gzip.search(request.META.get("HTTP_ACCEPT_ENCODING", ""))
    return f"{request.get_full_path()} gzip" if gzipped else request.get_full_path()


def current_week_label():
    return IsoWeek.of(timezone.localdate()).iso_label

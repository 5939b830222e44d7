"""How fresh the public content is: one small query that answers conditional GETs and names caches.

Readers' pages and feeds are read and polled far more often than the content changes, so a view
wrapped in `cached_until_changed` first asks one question, in ONE indexed SQL query:

* `ContentVersion` — a single row whose number goes up on every change a reader could see.
  Signal receivers (connected in `DigestConfig.ready()`) bump it on save and delete of posts,
  weeks, links, a post's links and topics, topics themselves and users (a curator's name is shown
  as the author). It lives in the database, not the cache, so that every app server agrees on it
  whatever cache it runs (local memory included), and the bump commits or rolls back together
  with the change. `update()` and `bulk_update()` on posts and weeks send `bulk_content_written`,
  which bumps too; other bulk writes (`bulk_create()` in a seeding script) must call `bump()`.
* The latest publication time that has come (`published_at <= now` among published posts and
  weeks). It catches what no signal can: a scheduled post or week becoming visible as time
  passes. (The "post AND its week" rule needs no join here: whenever any item becomes visible
  through time, the item whose time has just come raises this maximum.)

From those two the view derives an ETag and a Last-Modified date. A request whose
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
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache as once
from functools import wraps

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db import connections, router
from django.db.models import F, Subquery
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.http import HttpResponse
from django.utils import timezone, translation
from django.utils.cache import get_conditional_response
from django.utils.dateparse import parse_datetime
from django.utils.http import http_date
from taggit.models import Tag

from archive.models import CuratedQuerySet, Link, Post, PostLink, TaggedPost
from archive.signals import bulk_content_written
from digest import http_cache
from digest.models import ContentVersion, WeeklyDigest

VERSION_ROW = 1
CACHE_PREFIX = "fresh:v2"  # v2: entries hold their surrogate keys (digest.http_cache)


def bump():
    """Record that something a reader could see has changed."""
    now = timezone.now()
    rows = ContentVersion.objects.filter(pk=VERSION_ROW).update(
        number=F("number") + 1, changed_at=now
    )
    if not rows:
        ContentVersion.objects.get_or_create(
            pk=VERSION_ROW, defaults={"number": 1, "changed_at": now}
        )


@dataclass(frozen=True)
class Freshness:
    version: int
    changed_at: datetime
    latest_publication: datetime | None
    # The state digest.topics last counted the topics in (blank: never).
    topics_counted_in: str = ""

    @property
    def last_modified(self) -> datetime:
        if self.latest_publication is None:
            return self.changed_at
        return max(self.changed_at, self.latest_publication)

    @property
    def state(self) -> str:
        """Names the content as readers see it now: any change or publication gives a new name."""
        return f"{self.version}|{self.changed_at.isoformat()}|{self.latest_publication}"

    def fingerprint(self, language: str) -> str:
        """Names one rendering of the content: the ETag, and part of the cache key."""
        return hashlib.md5(f"{self.state}|{language}".encode(), usedforsecurity=False).hexdigest()


def _latest_publication(model, now):
    # The published rows, written as "published_at <= now, and not unpublished": the same rows
    # as published_q() alone, but a planner without statistics (SQLite's) would take
    # `status = …` for a selective lookup in the week's status index and sort every published
    # week; this way it reads a single entry of the publication-time index.
    due = (
        model.objects.filter(published_at__lte=now)
        .exclude(~CuratedQuerySet.published_q(now=now))
        .order_by("-published_at")
    )
    return Subquery(due.values("published_at")[:1])


# Stands for "now" in the compiled state query, and is replaced by it on every call.
_NOW = datetime(1900, 1, 2, 3, 4, 5, 678901, tzinfo=UTC)


@once
def _state_query(alias):
    """The state query's SQL, parameters, and which parameters are "now", compiled once.

    Building a query through the ORM costs about a millisecond; running this one, tens of
    microseconds. A conditional GET or a cached page does little else, so it runs precompiled.
    """
    query = (
        ContentVersion.objects.using(alias)
        .filter(pk=VERSION_ROW)
        .annotate(
            latest_post=_latest_publication(Post, _NOW),
            latest_week=_latest_publication(WeeklyDigest, _NOW),
        )
        .values_list("number", "changed_at", "topics_counted_in", "latest_post", "latest_week")
        .query
    )
    sql, params = query.get_compiler(alias).as_sql()
    placeholder = connections[alias].ops.adapt_datetimefield_value(_NOW)
    return sql, params, [index for index, value in enumerate(params) if value == placeholder]


def _aware(value):
    """A datetime as the ORM would give it: SQLite hands back text in UTC from a subquery."""
    if isinstance(value, str):
        value = parse_datetime(value)
    if value is not None and timezone.is_naive(value):
        value = timezone.make_aware(value, UTC)
    return value


def current() -> Freshness:
    """The content's state, in one query (two plus a write only on a database never bumped)."""
    alias = router.db_for_read(ContentVersion)
    connection = connections[alias]
    sql, params, now_at = _state_query(alias)
    params = list(params)
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    for index in now_at:
        params[index] = now
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    if row is None:
        bump()
        return current()
    number, changed_at, topics_counted_in, *publications = row
    due = [_aware(moment) for moment in publications if moment is not None]
    return Freshness(number, _aware(changed_at), max(due, default=None), topics_counted_in)


def for_request(request) -> Freshness:
    """The state once per request, so a view can reuse what its decorator already asked."""
    if not hasattr(request, "_freshness"):
        request._freshness = current()
    return request._freshness


def cached_until_changed(view):
    """ETag, Last-Modified, 304s and a shared response cache for a public GET view."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.method not in ("GET", "HEAD") or may_preview(request):
            return http_cache.private(view(request, *args, **kwargs))
        state = for_request(request)
        fingerprint = state.fingerprint(translation.get_language())
        etag = f'"{fingerprint}"'
        last_modified = int(state.last_modified.timestamp())
        response = get_conditional_response(request, etag=etag, last_modified=last_modified)
        if response is None:
            response = _cached_response(request, fingerprint, view, args, kwargs)
        if response.status_code in (200, 304):
            response.headers["ETag"] = etag
            response.headers["Last-Modified"] = http_date(last_modified)
            http_cache.share(request, response)
        return response

    return wrapper


def may_preview(request):
    # Without a session there is no staff member to ask about (nor a session to load).
    if settings.SESSION_COOKIE_NAME not in request.COOKIES:
        return False
    user = getattr(request, "user", None)
    return bool(user and user.is_staff)


def _cached_response(request, fingerprint, view, args, kwargs):
    url = hashlib.md5(request.get_full_path().encode(), usedforsecurity=False).hexdigest()
    key = f"{CACHE_PREFIX}:{url}:{fingerprint}"
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


def _content_changed(sender, **kwargs):
    bump()


def _links_changed(sender, action, **kwargs):
    if action.startswith("post_"):
        bump()


def _user_changed(sender, update_fields=None, **kwargs):
    # Logging in saves last_login, which no reader sees; anything else may rename a curator.
    if update_fields is None or set(update_fields) - {"last_login"}:
        bump()


def watch_content():
    """Bump the version whenever a model a reader sees is written. Called once, at startup."""
    for model in (Post, WeeklyDigest, Link, PostLink, TaggedPost, Tag):
        for signal in (post_save, post_delete):
            signal.connect(
                _content_changed, sender=model, dispatch_uid=f"freshness-{model.__name__}"
            )
    # Admin actions and services publish, unpublish and move posts with QuerySet.update().
    bulk_content_written.connect(_content_changed, dispatch_uid="freshness-bulk")
    # post.links.add() writes PostLink rows in bulk, without post_save; taggit sends post_save.
    m2m_changed.connect(_links_changed, sender=Post.links.through, dispatch_uid="freshness-links")
    user = get_user_model()
    post_save.connect(_user_changed, sender=user, dispatch_uid="freshness-user")
    post_delete.connect(_content_changed, sender=user, dispatch_uid="freshness-user")

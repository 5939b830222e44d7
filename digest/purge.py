"""Purging the cache in front when content changes: exactly the responses that show it.

Receivers of the same signals that bump the content version (connected in DigestConfig.ready())
turn each write into the surrogate keys of the responses that showed, or will show, what was
written (digest/http_cache.py lists them). The keys of one transaction are gathered and sent
once it commits (`transaction.on_commit`): a change rolled back purges nothing, and a reader
whose request the purge lets through to Django reads the committed content.

`purge(keys)` is the one function that reaches the front caches (FRONT_CACHE_PURGE_URLS). Today
it runs in the curator's request, after the commit; once the project has django-tasks, a task
can wrap it unchanged. A cache that cannot be reached is logged (once per outage) and never
fails the curator's request: its copies then age out within SHARED_CACHE_SECONDS.

Without FRONT_CACHE_PURGE_URLS nothing here runs a query.
"""

import logging
import threading
import urllib.error
import urllib.request

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete, pre_save

from archive.models import Link, Post, PostLink, PostTopic, Topic, Week
from archive.signals import bulk_content_written
from digest.http_cache import EVERYTHING, LISTS, post_key, topic_key, week_key
from digest.outage import Outage

logger = logging.getLogger(__name__)
outage = Outage(logger, "The front cache")

# Varnish refuses request headers over 8 KiB: keys go in batches well under it.
KEYS_PER_REQUEST = 200
# A change naming more keys than this (a restore, an import of years) reaches most pages anyway:
# one ban of everything costs the cache less than thousands of precise ones.
MAX_KEYS = 2000

_pending = threading.local()
# Straight to the cache, whatever proxy the environment names for the outside world.
_opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def enabled():
    return bool(settings.FRONT_CACHE_PURGE_URLS)


def purge(keys):
    """Ban every response naming one of `keys` from each front cache. Never raises."""
    keys = sorted(keys) if len(keys) <= MAX_KEYS else [EVERYTHING]
    for url in settings.FRONT_CACHE_PURGE_URLS:
        for start in range(0, len(keys), KEYS_PER_REQUEST):
            batch = " ".join(keys[start : start + KEYS_PER_REQUEST])
            request = urllib.request.Request(url, method="BAN", headers={"Surrogate-Key": batch})
            try:
                with _opener.open(request, timeout=settings.FRONT_CACHE_PURGE_TIMEOUT):
                    pass
            except (OSError, urllib.error.URLError) as error:
                outage.failed(error, f"{len(keys)} keys were not purged from {url}")
                break
            outage.succeeded()


def changed(keys):
    """Purge these keys (and the lists) once the current transaction commits, at once outside of
    one. The keys of a transaction go in one batch: the first callback sends them all."""
    if not keys:
        return
    _pending.__dict__.setdefault("keys", set()).update(keys, {LISTS})
    # A rolled-back transaction drops its callbacks, and its keys go with the next batch:
    # purged once too often, never once too few.
    transaction.on_commit(_send, robust=True)


def _send():
    keys = _pending.__dict__.pop("keys", None)
    if keys:
        purge(keys)


# What a change shows up in.


def posts_keys(posts):
    """Keys of the pages showing these posts: theirs, their weeks', their topics'."""
    rows = list(posts.values_list("pk", "week_id"))
    keys = {post_key(pk) for pk, _week in rows} | {week_key(week) for _pk, week in rows if week}
    topics = PostTopic.objects.filter(content_object__in=[pk for pk, _week in rows])
    return keys | {topic_key(tag) for tag in topics.values_list("tag_id", flat=True).distinct()}


def week_keys(week):
    """The week's own key, the neighbours' that link to it, and the topic pages of its posts
    (whose cards show the week)."""
    published = Week.objects.published()
    neighbours = [published.before(week), published.after(week)]
    keys = {week_key(week.pk)} | {week_key(other.pk) for other in neighbours if other}
    topics = PostTopic.objects.filter(content_object__week=week).values_list("tag_id", flat=True)
    return keys | {topic_key(tag) for tag in topics.distinct()}


# Signal receivers: each only when a front cache is configured.


def _post_before_save(sender, instance, **kwargs):
    if enabled() and instance.pk:
        # A post moved to another week leaves the page of the one it was in.
        instance._week_before = (
            Post.objects.filter(pk=instance.pk).values_list("week_id", flat=True).first()
        )


def _post_saved(sender, instance, **kwargs):
    if enabled():
        before = getattr(instance, "_week_before", None)
        changed(
            posts_keys(Post.objects.filter(pk=instance.pk))
            | ({week_key(before)} if before else set())
        )


def _post_deleted(sender, instance, **kwargs):
    if enabled():
        week = {week_key(instance.week_id)} if instance.week_id else set()
        changed({post_key(instance.pk)} | week)


def _week_saved(sender, instance, **kwargs):
    if enabled():
        changed(week_keys(instance))


def _bulk_written(sender, pks=(), **kwargs):
    if not enabled():
        return
    if sender is Post:
        changed(posts_keys(Post.objects.filter(pk__in=pks)))
    elif sender is Week:
        for week in Week.objects.filter(pk__in=pks):
            changed(week_keys(week))
    elif sender is PostLink:
        changed(posts_keys(Post.objects.filter(post_links__in=pks).distinct()))
    elif sender is PostTopic:
        topics = PostTopic.objects.filter(pk__in=pks).values_list("tag_id", flat=True)
        changed(
            {topic_key(tag) for tag in topics}
            | posts_keys(Post.objects.filter(post_topics__in=pks).distinct())
        )
    elif sender is Link:
        using = Q(source__in=pks) | Q(post_links__link__in=pks)
        changed(posts_keys(Post.objects.filter(using).distinct()))
    elif sender is Topic:
        changed(
            {topic_key(pk) for pk in pks}
            | posts_keys(Post.objects.filter(topics__in=pks).distinct())
        )
    else:
        changed({EVERYTHING})


def _link_changed(sender, instance, **kwargs):
    if enabled():
        using = Q(source=instance) | Q(post_links__link=instance)
        changed(posts_keys(Post.objects.filter(using).distinct()))


def _post_link_changed(sender, instance, **kwargs):
    if enabled():
        changed(posts_keys(Post.objects.filter(pk=instance.post_id)))


def _links_added(sender, instance, action, **kwargs):
    if enabled() and action.startswith("post_") and isinstance(instance, Post):
        changed(posts_keys(Post.objects.filter(pk=instance.pk)))


def _topic_of_post_changed(sender, instance, **kwargs):
    if enabled():
        changed(
            {topic_key(instance.tag_id)}
            | posts_keys(Post.objects.filter(pk=instance.content_object_id))
        )


def _topic_changed(sender, instance, **kwargs):
    if enabled():
        changed({topic_key(instance.pk)} | posts_keys(Post.objects.filter(topics=instance)))


def _user_before_save(sender, instance, **kwargs):
    if enabled() and instance.pk:
        names = sender.objects.filter(pk=instance.pk).values_list("first_name", "last_name")
        instance._names_before = names.first()


def _user_saved(sender, instance, created=False, **kwargs):
    # A curator's name is on the pages and feeds of every post they curated: purge everything
    # rather than list thousands of posts (it hardly ever changes). Nothing else of a user (a
    # login, a password) is shown, and a new user has curated nothing yet.
    before = getattr(instance, "_names_before", None)
    if enabled() and not created and before != (instance.first_name, instance.last_name):
        changed({EVERYTHING})


def _user_deleted(sender, **kwargs):
    if enabled():
        changed({EVERYTHING})


def watch_content():
    """Connect the receivers. Called once, at startup (digest.apps)."""
    receivers = [
        (pre_save, Post, _post_before_save),
        (post_save, Post, _post_saved),
        (post_delete, Post, _post_deleted),
        (post_save, Week, _week_saved),
        # A week's delete leaves its posts without a week: its keys are known only before.
        (pre_delete, Week, _week_saved),
        (post_save, Link, _link_changed),
        (post_delete, Link, _link_changed),
        (post_save, PostLink, _post_link_changed),
        (post_delete, PostLink, _post_link_changed),
        (post_save, PostTopic, _topic_of_post_changed),
        (post_delete, PostTopic, _topic_of_post_changed),
        (post_save, Topic, _topic_changed),
        (pre_delete, Topic, _topic_changed),
        (pre_save, get_user_model(), _user_before_save),
        (post_save, get_user_model(), _user_saved),
        (post_delete, get_user_model(), _user_deleted),
    ]
    for signal, model, receiver in receivers:
        signal.connect(
            receiver, sender=model, dispatch_uid=f"purge-{receiver.__name__}-{model.__name__}"
        )
    bulk_content_written.connect(_bulk_written, dispatch_uid="purge-bulk")
    m2m_changed.connect(_links_added, sender=Post.links.through, dispatch_uid="purge-links")

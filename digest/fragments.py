"""Each post as readers see it, rendered once per language when it changes, not per request.

A purge makes the next reader of a page pay its whole rendering, at the moment a week goes out
and everyone comes to read it. Most of that work is the posts: their links, topics and
templates, the same for every page and feed that shows them. So each post's HTML is kept in
`PostFragment`, one row per language, and the week page, home and the feeds put stored rows
together (`attach`), rendering only a post that has none.

A stored row is never stale:

* Database triggers (`install_triggers`, after every `migrate`) delete a post's rows in the same
  transaction as any write to what they show: the post, its links and their pages, its topics
  and their names, its week. Whatever writes (a save, a bulk update, raw SQL), a changed post
  has no row, and readers get it rendered from the database until a new one is stored.
* A row names the templates, translations, addresses and settings it was rendered with
  (`fingerprint`): rows from another release are ignored, as if missing.
* `refresh` stores what is missing, under the content version's row lock, which every writer's
  trigger takes too (PostgreSQL), so a write cannot slip between reading a post and storing it.

Missing rows are rendered when a transaction that wrote content commits (`watch_content`): a
curator's save renders its few posts at once; a larger change (an import, a topic on thousands
of posts, a new release) goes to a background task (`tasks.render_fragments`, or
`manage.py render_fragments`). A reader's request only reads them.
"""

import hashlib
from functools import cache

import django
from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef, Prefetch, QuerySet, prefetch_related_objects
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.template.loader import get_template, render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.safestring import mark_safe

from archive.models import ContentVersion, Link, Post, PostLink, PostTopic, Topic, Week
from archive.signals import bulk_content_written
from archive.versioning import VERSION_ROW
from digest.models import PostFragment

# Stands for the post's number in the week in a stored page fragment (digest/includes/post.html
# shows it first, before anything a curator wrote; sanitised HTML holds no comments).
NUMBER = "<!--number-->"
TEMPLATES = (
    "digest/includes/post.html",
    "digest/includes/topic_chips.html",
    "digest/feeds/post.html",
    "digest/feeds/week_post.html",
    "digest/feeds/week_summary_post.html",
)
# What the week page and home show of a fragment.
PAGE = ("page_html",)
# Posts rendered in one transaction, and at most after a commit in the writer's own process;
# more go to a background task.
BATCH = 200
AT_ONCE = 200


@cache
def fingerprint(language):
    """Names what a fragment in `language` was rendered with: the templates, the project's
    translations, the addresses, the site's URL and Django's version."""
    from django.utils.translation import trans_real

    with translation.override(language):
        parts = [
            django.get_version(),
            settings.SITE_URL,
            language,
            reverse("digest:post", kwargs={"slug": "s"}),
            reverse("digest:week", kwargs={"year": 2000, "week": 1}),
            reverse("digest:topic", kwargs={"slug": "s"}),
            *(get_template(name).template.source for name in TEMPLATES),
        ]
        catalog = trans_real.translation(language)._catalog
        parts += sorted(f"{key!r}={value!r}" for key, value in catalog.items())
    return hashlib.md5("\x00".join(parts).encode(), usedforsecurity=False).hexdigest()


def render(post, language):
    """The post's fragments in `language`, from a post fetched with `for_display()`."""
    from digest.feeds import topic_categories

    with translation.override(language):
        return PostFragment(
            post=post,
            language=language,
            fingerprint=fingerprint(language),
            page_html=render_to_string(
                "digest/includes/post.html",
                {"post": post, "number": mark_safe(NUMBER), "heading": "h2", "stored": True},
            ),
            week_entry_html=_week_entry(post),
            summary_item_html=_summary_item(post),
            entry_html=_entry(post),
            categories=list(
                dict.fromkeys(
                    name for topic in post.topics.all() for name in topic_categories(topic)
                )
            ),
        )


def numbered(html, number):
    return html.replace(NUMBER, str(number), 1)


# A post's parts of feed entries, from its fragment or rendered now; links absolute.


def week_entry(post, number):
    """Its part of its week's entry in the weeks feed: heading, then digest/feeds/post.html."""
    return numbered(post.fragment.week_entry_html if post.fragment else _week_entry(post), number)


def summary_item(post):
    """Its item in the list of posts that is its week's summary in the weeks feed."""
    return post.fragment.summary_item_html if post.fragment else _summary_item(post)


def entry(post):
    """Its own entry's content in the posts and topic feeds."""
    return post.fragment.entry_html if post.fragment else _entry(post)


def _in_week(post, template, context):
    from digest.feeds import absolute_url, absolutize_links

    html = render_to_string(template, {"post": post, **context})
    return absolutize_links(html, absolute_url(post.week.get_absolute_url()))


def _week_entry(post):
    return _in_week(post, "digest/feeds/week_post.html", {"number": mark_safe(NUMBER)})


def _summary_item(post):
    return _in_week(post, "digest/feeds/week_summary_post.html", {})


def _entry(post):
    from digest.feeds import absolute_url, absolutize_links

    html = render_to_string("digest/feeds/post.html", {"post": post, "with_week": True})
    return absolutize_links(html, absolute_url(post.get_absolute_url()))


def attach(posts, only=None):
    """The posts, each with `fragment`: its stored row in the current language, or None.

    `only`: the fragment's fields the caller shows (all by default). A post without a fragment
    is completed with all it needs to be rendered now (its fields, source, week, links and
    topics), so the posts may come with only what a fragment leaves out (`Post.objects.only`).
    Two queries at most, three if any fragment is missing, beside the posts' own.
    """
    if isinstance(posts, QuerySet):
        posts = posts.select_related("source", "week")
    posts = list(posts)
    language = translation.get_language()
    stored = PostFragment.objects.filter(
        post__in=[post.pk for post in posts],
        language=language,
        fingerprint=fingerprint(language),
    )
    if only is not None:
        stored = stored.only("post_id", *only)
    stored = {fragment.post_id: fragment for fragment in stored}
    missing = []
    for post in posts:
        post.fragment = stored.get(post.pk)
        if post.fragment is None:
            missing.append(post)
    if missing:
        _complete(missing)
    return posts


def _complete(posts):
    """Give the posts all that rendering them needs: their links and topics (two queries), and
    if they were fetched with only some fields, the rest too (one more)."""
    if not any(post.get_deferred_fields() for post in posts):
        prefetch_related_objects(
            posts, Prefetch("post_links", PostLink.objects.select_related("link")), "topics"
        )
        return
    complete = Post.objects.for_display().in_bulk([post.pk for post in posts])
    for post in posts:
        full = complete[post.pk]
        for field in Post._meta.concrete_fields:
            post.__dict__[field.attname] = full.__dict__[field.attname]
        post._state.fields_cache.update(full._state.fields_cache)
        post._prefetched_objects_cache = full._prefetched_objects_cache


def stale(language):
    """The posts without a current fragment in `language`."""
    current = PostFragment.objects.filter(
        post=OuterRef("pk"), language=language, fingerprint=fingerprint(language)
    )
    return Post.objects.filter(~Exists(current))


def refresh(at_most=None, languages=None):
    """Render and store the missing fragments, `at_most` posts per language (None: all), in
    `languages` (None: the site's). Returns True when none is missing any more."""
    done = True
    for language in languages or [code for code, _name in settings.LANGUAGES]:
        rendered = 0
        while at_most is None or rendered < at_most:
            size = BATCH if at_most is None else min(BATCH, at_most - rendered)
            with transaction.atomic():
                # Writers take this lock in their triggers (PostgreSQL): none can change a
                # post between its reading here and the commit of its fragment.
                ContentVersion.objects.select_for_update().filter(pk=VERSION_ROW).exists()
                posts = list(stale(language).for_display().order_by("pk")[:size])
                if not posts:
                    break
                PostFragment.objects.filter(post__in=posts, language=language).delete()
                PostFragment.objects.bulk_create(render(post, language) for post in posts)
            rendered += len(posts)
        else:
            done = done and not stale(language).exists()
    return done


class _RefreshAfterCommit:
    """One refresh per transaction, however many writes it holds."""

    def __init__(self):
        self.done = False

    def __call__(self):
        self.done = True
        if not refresh(at_most=AT_ONCE):
            from digest.tasks import render_fragments

            render_fragments.enqueue()


def refresh_after_commit(sender=None, **kwargs):
    pending = transaction.get_connection().run_on_commit
    if not any(
        isinstance(callback, _RefreshAfterCommit) and not callback.done
        for _savepoints, callback, _robust in pending
    ):
        # Robust: the content is committed; a fragment not stored is rendered when read.
        transaction.on_commit(_RefreshAfterCommit(), robust=True)


WATCHED = (Week, Post, Link, PostLink, PostTopic, Topic)


def watch_content():
    """Store the fragments of what a transaction changed once it commits. Called once, at
    startup (digest.apps)."""
    for model in WATCHED:
        for signal in (post_save, post_delete):
            signal.connect(
                refresh_after_commit, sender=model, dispatch_uid=f"fragments-{model.__name__}"
            )
    bulk_content_written.connect(refresh_after_commit, dispatch_uid="fragments-bulk")
    for through in (Post.links.through, Post.topics.through):
        m2m_changed.connect(
            refresh_after_commit, sender=through, dispatch_uid=f"fragments-{through.__name__}"
        )


# The triggers: which rows of which tables a post's fragments show, as SQL naming the posts of
# a written row (`{row}`: NEW or OLD).


def _shown_by():
    post, post_link, post_topic = (model._meta.db_table for model in (Post, PostLink, PostTopic))
    return {
        post: ("{row}.id", ("UPDATE", "DELETE")),
        post_link: ("{row}.post_id", ("INSERT", "UPDATE", "DELETE")),
        post_topic: ("{row}.content_object_id", ("INSERT", "UPDATE", "DELETE")),
        Link._meta.db_table: (
            f"SELECT post_id FROM {post_link} WHERE link_id = {{row}}.id "
            f"UNION SELECT id FROM {post} WHERE source_id = {{row}}.id",
            ("UPDATE",),
        ),
        Topic._meta.db_table: (
            f"SELECT content_object_id FROM {post_topic} WHERE tag_id = {{row}}.id",
            ("UPDATE",),
        ),
        Week._meta.db_table: (f"SELECT id FROM {post} WHERE week_id = {{row}}.id", ("UPDATE",)),
    }


def _trigger_name(table, event):
    return f"{table}_fragments_{event.lower()}"


def _deletes(posts, event):
    rows = {"INSERT": ["NEW"], "UPDATE": ["OLD", "NEW"], "DELETE": ["OLD"]}[event]
    fragments = PostFragment._meta.db_table
    return " ".join(
        f"DELETE FROM {fragments} WHERE post_id IN ({posts.format(row=row)});" for row in rows
    )


def install_triggers(connection):
    """Create the triggers that delete a post's fragments with any write to what they show."""
    tables = set(connection.introspection.table_names())
    if (
        connection.vendor not in ("sqlite", "postgresql")
        or PostFragment._meta.db_table not in tables
    ):
        return
    version = ContentVersion._meta.db_table
    with connection.cursor() as cursor:
        for table, (posts, events) in _shown_by().items():
            if table not in tables:
                continue
            for event in events:
                name = _trigger_name(table, event)
                deletes = _deletes(posts, event)
                if connection.vendor == "sqlite":
                    cursor.execute(
                        f"CREATE TRIGGER IF NOT EXISTS {name} AFTER {event} ON {table} "
                        f"BEGIN {deletes} END"
                    )
                    continue
                # The version row's lock first: a refresh storing fragments holds it, and
                # these rows are deleted only once it has committed them.
                cursor.execute(
                    f"CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$ "
                    f"BEGIN PERFORM 1 FROM {version} WHERE id = {VERSION_ROW} FOR UPDATE; "
                    f"{deletes} RETURN NULL; END $$"
                )
                cursor.execute(f"DROP TRIGGER IF EXISTS {name} ON {table}")
                cursor.execute(
                    f"CREATE TRIGGER {name} AFTER {event} ON {table} "
                    f"FOR EACH ROW EXECUTE FUNCTION {name}()"
                )


def uninstall_triggers(connection):
    """Drop them before `migrate` changes the tables they name."""
    if connection.vendor not in ("sqlite", "postgresql"):
        return
    tables = set(connection.introspection.table_names())
    with connection.cursor() as cursor:
        for table, (_posts, events) in _shown_by().items():
            for event in events:
                name = _trigger_name(table, event)
                if connection.vendor == "sqlite":
                    cursor.execute(f"DROP TRIGGER IF EXISTS {name}")
                elif table in tables:
                    cursor.execute(f"DROP TRIGGER IF EXISTS {name} ON {table}")

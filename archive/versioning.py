"""Content versioning: which writes change what readers see, and the state the content is in.

Readers' pages and feeds are read far more often than the content changes, so the reader side
(`digest/caching.py`) names every cached response and every validator after the content's
state, which this module reads in ONE indexed query:

* `ContentVersion`: a single row whose number goes up with every write to a table whose rows a
  reader can see (`VERSIONED_TABLES`). Database triggers bump it, installed after every
  `migrate` (`install_triggers`), so no write path can forget it: a save, a delete, a
  QuerySet `update()` or `bulk_create()`, a topic added to a post, raw SQL in a seeding
  script. The bump commits or rolls back with the change, and every app server, whatever
  cache it has, reads the same row.
* The latest publication time that has come (`published_at <= now` among published posts and
  weeks). It catches what no write does: a scheduled post or week becoming visible as time
  passes. (The "post AND its week" rule needs no join here: whenever any item becomes visible
  through time, the item whose time has just come raises this maximum.)

The topic counts (`TopicCount`) are derived from the content too: they are counted again after
every transaction that wrote content (`watch_content`), and are used only while the content is
in the state they were counted in.
"""

from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache as once

from django.contrib.auth import get_user_model
from django.db import connections, router, transaction
from django.db.models import F, Subquery
from django.db.models.signals import post_delete, post_save
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from archive.models import (
    AboutPage,
    ContentVersion,
    CuratedQuerySet,
    Link,
    Post,
    PostLink,
    PostTopic,
    Topic,
    TopicCount,
    Week,
)
from archive.signals import bulk_content_written

VERSION_ROW = 1
VERSION_TABLE = ContentVersion._meta.db_table
# Every model whose rows a reader sees, and the columns of each that show (None: all of them).
# A curator's name is shown as the author in feeds; logging in, which saves `last_login`, is not.
# Former slugs (PostSlug, TopicSlug) are not shown: they are written with a change of a post's or
# topic's slug, which bumps the version itself, and the redirects they give are never cached.
VERSIONED = {
    AboutPage: None,
    Week: None,
    Post: None,
    Link: None,
    PostLink: None,
    PostTopic: None,
    Topic: None,
    get_user_model(): ("first_name", "last_name"),
}


@dataclass(frozen=True)
class ContentState:
    version: int
    changed_at: datetime
    latest_publication: datetime | None
    # The state TopicCount was counted in (blank: never).
    topics_counted_in: str = ""

    @property
    def last_modified(self) -> datetime:
        if self.latest_publication is None:
            return self.changed_at
        return max(self.changed_at, self.latest_publication)

    @property
    def key(self) -> str:
        """Names the content as readers see it now: any change or publication gives a new key."""
        return f"{self.version}|{self.changed_at.isoformat()}|{self.latest_publication}"


# The state of a database no content was ever written to.
NEVER_CHANGED = datetime(2000, 1, 1, tzinfo=UTC)


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
            latest_week=_latest_publication(Week, _NOW),
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


def current_state() -> ContentState:
    """The content's state, in one query; it never writes."""
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
    if row is None:  # no content was ever written (the first write creates the row)
        return ContentState(0, NEVER_CHANGED, None)
    number, changed_at, topics_counted_in, *publications = row
    due = [_aware(moment) for moment in publications if moment is not None]
    return ContentState(number, _aware(changed_at), max(due, default=None), topics_counted_in)


def bump():
    """Mark everything readers see as changed, without a write to it: after `migrate`, since a
    new release may render the same content differently."""
    now = timezone.now()
    rows = ContentVersion.objects.filter(pk=VERSION_ROW).update(
        number=F("number") + 1, changed_at=now
    )
    if not rows:
        ContentVersion.objects.get_or_create(
            pk=VERSION_ROW, defaults={"number": 1, "changed_at": now}
        )


# The triggers. Each upserts the version row: a flushed database (tests) has none until the
# next write. SQLite runs a trigger per row, PostgreSQL once per statement.

_SQLITE_BUMP = (
    "INSERT INTO {version} (id, number, changed_at, topics_counted_in) "
    "VALUES ({row}, 1, strftime('%Y-%m-%d %H:%M:%f', 'now'), '') "
    "ON CONFLICT (id) DO UPDATE SET number = number + 1, changed_at = excluded.changed_at;"
)
_POSTGRESQL_FUNCTION = """
CREATE OR REPLACE FUNCTION {function}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO {version} (id, number, changed_at, topics_counted_in)
    VALUES ({row}, 1, clock_timestamp(), '')
    ON CONFLICT (id) DO UPDATE
    SET number = {version}.number + 1, changed_at = EXCLUDED.changed_at;
    RETURN NULL;
END $$
"""
_FUNCTION = "archive_bump_content_version"


def trigger_names(model):
    """{trigger name: the event it answers} for one versioned model."""
    columns = VERSIONED[model]
    table = model._meta.db_table
    update = f"UPDATE OF {', '.join(columns)}" if columns else "UPDATE"
    events = {"update": update} if columns else {"insert": "INSERT", "update": update}
    events["delete"] = "DELETE"
    return {f"{table}_version_{name}": event for name, event in events.items()}


def install_triggers(connection):
    """Create the version triggers that are missing; safe to run any number of times.

    Run after every `migrate` (archive.apps), which drops them first (`uninstall_triggers`): a
    migration may rename or rebuild the tables they name (SQLite rebuilds a table, dropping its
    triggers, for most changes of a column).
    """
    vendor = connection.vendor
    tables = set(connection.introspection.table_names())
    watched = [model for model in VERSIONED if model._meta.db_table in tables]
    version = VERSION_TABLE
    if vendor not in ("sqlite", "postgresql") or version not in tables:
        return  # not migrated that far
    statements = []
    if vendor == "postgresql":
        statements.append(
            _POSTGRESQL_FUNCTION.format(function=_FUNCTION, version=version, row=VERSION_ROW)
        )
    bump = _SQLITE_BUMP.format(version=version, row=VERSION_ROW)
    for model in watched:
        table = model._meta.db_table
        for name, event in trigger_names(model).items():
            if vendor == "sqlite":
                statements.append(
                    f"CREATE TRIGGER IF NOT EXISTS {name} AFTER {event} ON {table} BEGIN {bump} END"
                )
            else:
                statements += [
                    f"DROP TRIGGER IF EXISTS {name} ON {table}",
                    f"CREATE TRIGGER {name} AFTER {event} ON {table} "
                    f"FOR EACH STATEMENT EXECUTE FUNCTION {_FUNCTION}()",
                ]
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


def uninstall_triggers(connection):
    """Drop the version triggers, before `migrate` changes the tables they name."""
    if connection.vendor not in ("sqlite", "postgresql"):
        return
    tables = set(connection.introspection.table_names())
    with connection.cursor() as cursor:
        for model in VERSIONED:
            table = model._meta.db_table
            for name in trigger_names(model):
                if connection.vendor == "sqlite":
                    cursor.execute(f"DROP TRIGGER IF EXISTS {name}")
                elif table in tables:
                    cursor.execute(f"DROP TRIGGER IF EXISTS {name} ON {table}")


# Topic counts, counted again after each transaction that wrote content.


def refresh_topic_counts():
    """Count every topic's published posts again, in the state the content is in now."""
    with transaction.atomic():
        # Writers racing here count one after the other; the row lock orders them.
        ContentVersion.objects.select_for_update().filter(pk=VERSION_ROW).exists()
        state = current_state()
        TopicCount.objects.all().delete()
        TopicCount.objects.bulk_create(
            TopicCount(topic=topic, post_count=topic.post_count)
            for topic in Post.objects.published().topics()
        )
        ContentVersion.objects.filter(pk=VERSION_ROW).update(topics_counted_in=state.key)


class _RefreshAfterCommit:
    """One refresh of the topic counts per transaction, however many writes it holds."""

    def __init__(self):
        self.done = False

    def __call__(self):
        self.done = True
        refresh_topic_counts()


def _refresh_topic_counts_after_commit(sender, **kwargs):
    if sender not in COUNTED:
        return
    pending = transaction.get_connection().run_on_commit
    if not any(
        isinstance(callback, _RefreshAfterCommit) and not callback.done
        for _savepoints, callback, _robust in pending
    ):
        transaction.on_commit(_RefreshAfterCommit())


# What a topic's count depends on: which posts are published, in which weeks, with which topics.
COUNTED = (Week, Post, PostTopic, Topic)


def watch_content():
    """Count the topics again after any write that may change their counts. Called once, at
    startup. Bulk writes through the ORM announce themselves (`bulk_content_written`); one that
    does not (raw SQL) leaves the counts stale, so readers count the topics themselves until the
    next write."""
    for model in COUNTED:
        for signal in (post_save, post_delete):
            signal.connect(
                _refresh_topic_counts_after_commit,
                sender=model,
                dispatch_uid=f"topic-counts-{model._meta.label}",
            )
    bulk_content_written.connect(_refresh_topic_counts_after_commit, dispatch_uid="topic-counts")

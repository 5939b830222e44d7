"""Writes that span models: weeks written with their posts, published together, posts moved
between weeks, a whole site backed up and restored."""

from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import connection, transaction
from django.db.models import Q, Value
from django.db.models.functions import Coalesce, Lower
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from archive import history, search
from archive.content import ContentError, PostContent, WeekContent
from archive.delivery import mails_week_when_published, queue_week_delivery
from archive.models import (
    AboutPage,
    Link,
    Post,
    PostLink,
    PostTopic,
    Status,
    Subscriber,
    Topic,
    TopicSlug,
    Week,
)
from archive.normalize import normalize_url
from archive.rendering import render_markdown
from archive.signals import bulk_content_written
from archive.tasks import fetch_metadata_after_commit
from archive.weeks import IsoWeek

# A site is its content, topics and people. Content types and permissions are rebuilt by migrate
# and written as natural keys, so their ids may differ between databases; every other row keeps
# its id, so posts keep their positions, links their order and topics their posts. The content
# version and the topic counts are derived from the rest, and made again by the restore.
BACKUP_LABELS = ["auth.group", "auth.user", "archive"]
# Derived from the content, and written again from it when restored.
BACKUP_EXCLUDED = [
    "archive.contentversion",
    "archive.topiccount",
    "archive.searchdocument",
    "archive.searchposting",
]


@dataclass(frozen=True)
class WrittenPost:
    title: str
    posted_on: date
    links: int
    created: bool


@dataclass(frozen=True)
class WrittenWeek:
    week: IsoWeek
    week_created: bool
    posts: list[WrittenPost]
    links_created: int
    publication: "Publication | None" = None  # what publishing it did, when asked to

    @property
    def posts_created(self):
        return sum(post.created for post in self.posts)


def write_weeks(contents, *, publish=False) -> list[WrittenWeek]:
    """Write weeks with their posts, links and topics, in one transaction: all, or nothing.

    A week is found by its ISO year and number, a post by its source link (or, when it has none,
    by its title within the week). What exists is kept as it is, because curators may have edited
    it since: only a week's empty title, intro, outro and publication time are filled in, and
    only missing posts are created, so writing the same content twice creates nothing the second
    time. Posts are written in bulk, so that years of weeks (the benchmark's) take seconds.
    Content that fails the models' validation raises ContentError at its line.

    The content's `published_at` is the week's own time, as for an imported round-up the day it
    was written: the week and the posts created take it even as drafts, so that publishing them
    later (in the admin) keeps it, and the rows created are dated then (`updated`), since the
    content was last changed when it was written, not when it was copied in. `publish` publishes
    each week with the posts of its content that are ready, through publish_week (which says
    what ready is); a week it refuses raises ContentError, and nothing is written.
    """
    rendered = {}  # identical Markdown in one call (the seeder's) is rendered once

    def render(text):
        if text not in rendered:
            rendered[text] = render_markdown(text)
        return rendered[text]

    # The search index is written once, for everything written (archive.search).
    with transaction.atomic(), search.deferred():
        return [_write_week(content, publish, render) for content in contents]


def import_week(content: WeekContent, *, publish=False, dry_run=False) -> WrittenWeek:
    """One imported round-up. A dry run does the same work and rolls it back, so its report
    says exactly what a real run would create."""
    with transaction.atomic():
        [written] = write_weeks([content], publish=publish)
        if dry_run:
            transaction.set_rollback(True)
    return written


def _write_week(content: WeekContent, publish, render):
    week = Week.objects.at(content.week).first()
    created = changed = week is None
    if created:
        week = Week(year=content.week.year, number=content.week.number)
    for field in ("title", "intro", "outro", "published_at"):
        if getattr(week, field) in ("", None) and getattr(content, field):
            setattr(week, field, getattr(content, field))
            changed = True
    if changed:
        _validate(week, content.name, content.line)
        week.save()

    posts, new = [], []
    claimed = set()  # posts this content's earlier items already are
    for position, item in enumerate(content.posts):
        post = None if created else _existing_post(week, item, claimed)
        if post is not None:
            claimed.add(post.pk)
            posts.append(WrittenPost(item.title, item.posted_on, post.post_links.count(), False))
        else:
            new.append((position, item))
            posts.append(WrittenPost(item.title, item.posted_on, len(item.links), True))
    new_posts, links_created = _create_posts(week, new, content, render)
    publication = None
    if publish:
        try:
            publication = publish_week(week, drafts=[*claimed, *(post.pk for post in new_posts)])
        except PublishingRefused as refusal:
            raise ContentError(content.line, str(refusal), content.name) from None
    if content.published_at is not None:
        _date_as_written(week if created else None, new_posts, content.published_at)
    return WrittenWeek(content.week, created, posts, links_created, publication)


def _date_as_written(week, posts, written_at):
    """Date rows just created from content at the time it was written (never in the future)."""
    written_at = min(written_at, timezone.now())
    if week is not None:
        Week.objects.filter(pk=week.pk).update(updated=written_at)
    if posts:
        Post.objects.filter(pk__in=[post.pk for post in posts]).update(updated=written_at)


def _existing_post(week, item, claimed):
    if item.source_url:
        return Post.objects.filter(source__normalized_url=normalize_url(item.source_url)).first()
    # Two items of one round-up may share a title: each is its own post, matched in order.
    same_title = week.posts.filter(source=None, title=item.title).exclude(pk__in=claimed)
    return same_title.order_by("position", "pk").first()


def _create_posts(week, items: list[tuple[int, PostContent]], content, render):
    """The new posts of a week, as drafts, with their links and topics, in a few queries however
    many; returns them and how many links were new."""
    if not items:
        return [], 0
    links, links_created = _links_for(
        [url for _position, item in items for url in _link_urls(item)],
        kinds={link.url: link.kind for _position, item in items for link in item.links},
    )
    posts = []
    for position, item in items:
        post = Post(
            title=item.title,
            posted_on=item.posted_on,
            source=links[item.source_url] if item.source_url else None,
            summary=item.summary,
            commentary=item.commentary,
            week=week,
            position=position,
            published_at=content.published_at,
        )
        # The week and source are this function's own; the slug is made below.
        _validate(post, content.name, item.line, exclude=["slug", "week", "source"])
        post.prepare_to_save(render=render)
        posts.append(post)
    _give_unique_slugs(posts)
    Post.objects.bulk_create(posts)

    PostLink.objects.bulk_create(
        PostLink(post=post, link=links[link.url], label=link.label, position=index)
        for post, (_position, item) in zip(posts, items, strict=True)
        for index, link in enumerate(item.links)
    )
    topics = _topics_named([name for _position, item in items for name in item.topics])
    PostTopic.objects.bulk_create(
        PostTopic(content_object=post, tag=topics[name])
        for post, (_position, item) in zip(posts, items, strict=True)
        for name in dict.fromkeys(name.casefold() for name in item.topics)
    )
    return posts, links_created


def _link_urls(item):
    return [url for url in [item.source_url, *(link.url for link in item.links)] if url]


def _links_for(urls, kinds):
    """({address as given: Link} for these addresses, how many were created): the missing ones
    are created, and a kind the content names (the demo's) is set on its link."""
    normalized = {url: normalize_url(url) for url in urls}
    wanted = {}
    for url, target in normalized.items():
        wanted.setdefault(target, url)
    links = {link.normalized_url: link for link in Link.objects.filter(normalized_url__in=wanted)}
    missing = [Link(url=url) for target, url in wanted.items() if target not in links]
    for link in missing:
        link.prepare_to_save()
    created = Link.objects.bulk_create(missing)
    links.update((link.normalized_url, link) for link in created)
    fetch_metadata_after_commit(link.pk for link in created)
    recast = []
    for url, kind in kinds.items():
        link = links[normalized[url]]
        if kind and link.kind != kind:
            link.kind = kind
            recast.append(link)
    Link.objects.bulk_update(recast, ["kind"])
    return {url: links[target] for url, target in normalized.items()}, len(missing)


def _topics_named(names):
    """{casefolded name: Topic} for these names, creating the missing ones. Topics are matched
    without regard to case, as taggit does (TAGGIT_CASE_INSENSITIVE)."""
    wanted = {}
    for name in names:
        wanted.setdefault(name.casefold(), name)
    found = Topic.objects.annotate(lowered=Lower("name")).filter(
        Q(lowered__in=[name.lower() for name in wanted.values()]) | Q(name__in=wanted.values())
    )
    topics = {topic.name.casefold(): topic for topic in found}
    for key, name in wanted.items():
        if key not in topics:
            topics[key] = Topic.objects.create(name=name)  # its save finds a free slug
    return topics


def _give_unique_slugs(posts):
    """Each new post its title's slug, numbered when taken, asking once for the whole batch."""
    bases = {post.base_slug() for post in posts}
    taken = set(Post.objects.filter(slug__in=bases).values_list("slug", flat=True))
    for post in posts:
        base = post.base_slug()
        if base in taken:
            numbered = Post.objects.filter(slug__startswith=base).values_list("slug", flat=True)
            post.slug = post.unique_slug(taken=taken | set(numbered))
        else:
            post.slug = base
        taken.add(post.slug)


def _validate(instance, name, line, exclude=None):
    """Model validation (lengths, ranges) reported at the line the value came from."""
    try:
        instance.full_clean(exclude=exclude, validate_unique=False, validate_constraints=False)
    except ValidationError as error:
        problems = "; ".join(
            f"{field}: {message}"
            for field, messages in error.message_dict.items()
            for message in messages
        )
        raise ContentError(line, problems, name) from None


# Publishing. A published week always has a readable post: it goes out with its posts, or not
# at all. Every way of publishing a week goes through publish_week: the admin's form and actions,
# the importer, the demo loader and the benchmark seeder (through write_weeks).

NO_SUMMARY = _("a draft without a summary")
ONLY_PUBLISHED_GO_OUT = _("a draft, and only the posts already published go out")
NOT_CHOSEN = _("a draft that is not among the posts to publish")


class PublishingRefused(Exception):
    """A change that would let readers see a week without a readable post; nothing was
    written, and the message says what is not ready."""


@dataclass(frozen=True)
class Publication:
    """What publishing a week does, worked out before anything is written: the admin shows it
    on its confirmation page, and publish_week carries it out.

    The readiness rule: a post goes out with its week when it is published already, or when it
    is a draft chosen to go out (every draft, unless the caller says which) that has a summary,
    the text every page, feed entry and search result shows of it. A week is ready when at
    least one post going out is readable by the time the week is (at `at`, or now when that is
    past): otherwise readers would find an empty week. A post going out at its own later time
    does not count, nor does a draft that stays one.
    """

    week: Week
    at: datetime  # when readers see the week
    with_week: tuple[Post, ...]  # readable as soon as the week is
    later: tuple[Post, ...]  # published, readable at their own later time
    staying: tuple[tuple[Post, str], ...]  # drafts that stay drafts, and why

    @property
    def ready(self):
        return bool(self.with_week)

    @property
    def posts_to_publish(self):
        """The posts going out that are not published yet: drafts, or (written in bulk) rows
        marked published without a time."""
        return [
            post
            for post in (*self.with_week, *self.later)
            if post.status != Status.PUBLISHED or post.published_at is None
        ]

    @property
    def changes_anything(self):
        week = self.week
        unchanged = week.status == Status.PUBLISHED and week.published_at == self.at
        return not unchanged or bool(self.posts_to_publish)

    @property
    def topics(self):
        """The topics of the posts going out, by name: each has a feed that will carry them."""
        topics = {
            topic.pk: topic
            for post in (*self.with_week, *self.later)
            for topic in post.topics.all()
        }
        return sorted(topics.values(), key=lambda topic: topic.name.casefold())

    @property
    def problem(self):
        """Why the week cannot be published, or "" when it can."""
        if self.ready:
            return ""
        label = self.week.iso_label
        if not (self.later or self.staying):
            return gettext("%(week)s cannot be published: it has no posts.") % {"week": label}
        reasons = [
            *(
                gettext("“%(post)s” is %(reason)s") % {"post": post.title, "reason": reason}
                for post, reason in self.staying
            ),
            *(
                gettext("“%(post)s” is scheduled for %(time)s, after the week")
                % {"post": post.title, "time": _local_time(post.published_at)}
                for post in self.later
            ),
        ]
        message = gettext(
            "%(week)s cannot be published: none of its posts would be readable (%(reasons)s)."
        )
        return message % {
            "week": label,
            "reasons": "; ".join(str(reason) for reason in reasons),
        }


def _local_time(moment):
    return date_format(timezone.localtime(moment), "DATETIME_FORMAT")


def plan_publication(week, *, drafts=True, at=None) -> Publication:
    """What publish_week would do with these arguments, without writing anything.

    `drafts`: True for every draft of the week (those with a summary go out), False for none
    (only the posts already published go out), or the posts (or their ids) that may.
    `at`: when readers see the week; by default the week's own time (one given by hand, by the
    importer, or its first publication), else now.
    """
    now = timezone.now()
    at = at or week.published_at or now
    readable_by = max(at, now)
    chosen = drafts if isinstance(drafts, bool) else {getattr(post, "pk", post) for post in drafts}
    with_week, later, staying = [], [], []
    for post in week.posts.in_reading_order().prefetch_related("topics"):
        if post.status != Status.PUBLISHED:
            if chosen is False:
                staying.append((post, ONLY_PUBLISHED_GO_OUT))
                continue
            if chosen is not True and post.pk not in chosen:
                staying.append((post, NOT_CHOSEN))
                continue
            if not post.summary.strip():
                staying.append((post, NO_SUMMARY))
                continue
        (with_week if (post.published_at or at) <= readable_by else later).append(post)
    return Publication(week, at, tuple(with_week), tuple(later), tuple(staying))


def publish_week(week, *, drafts=True, user=None, at=None) -> Publication:
    """Publish the week with its posts that are ready (see Publication), together, or raise
    PublishingRefused and write nothing. Arguments as for plan_publication; `user`, when known,
    is recorded in the history of the week and of each post published with it.

    A post published here keeps a publication time it already has (its first, or one the
    importer gave it), else takes the week's.
    """
    with transaction.atomic():
        week = Week.objects.select_for_update().get(pk=week.pk)
        publication = plan_publication(week, drafts=drafts, at=at)
        if not publication.ready:
            raise PublishingRefused(publication.problem)
        if not publication.changes_anything:
            return publication
        now = timezone.now()
        published = []
        if week.status != Status.PUBLISHED or week.published_at != publication.at:
            Week.objects.filter(pk=week.pk).update(
                status=Status.PUBLISHED, published_at=publication.at, updated=now
            )
            published.append(week)
        posts = publication.posts_to_publish
        Post.objects.filter(pk__in=[post.pk for post in posts]).update(
            status=Status.PUBLISHED,
            published_at=Coalesce("published_at", Value(publication.at)),
            updated=now,
        )
        _record(user, [*published, *posts], history.PUBLISHED)
        if published and mails_week_when_published(publication, now):
            # Mailed once the week commits, at its publication time (archive/delivery.py).
            queue_week_delivery(week, at=publication.at)
    return publication


def unpublish_week(week, *, user=None):
    """Make the week a draft again; its posts and its publication time are kept, so publishing
    it again brings it back as it was. Returns whether it was published."""
    with transaction.atomic():
        changed = Week.objects.filter(pk=week.pk, status=Status.PUBLISHED).unpublish()
        if changed:
            _record(user, [week], history.UNPUBLISHED)
    week.status = Status.DRAFT
    return bool(changed)


def _record(user, objects, message):
    """Who published or unpublished, in each object's history (archive.history); nothing when no
    user is known (a command, the seeder)."""
    if user is not None:
        history.record_actions(user, objects, message)


def weeks_left_empty(posts):
    """The published weeks in which these posts are the only ones readable: taking them out
    (unpublished, moved, deleted) would leave readers an empty week."""
    leaving = set(posts.filter(status=Status.PUBLISHED).values_list("pk", flat=True))
    weeks = Week.objects.filter(status=Status.PUBLISHED, posts__in=leaving).distinct()
    now = timezone.now()
    emptied = []
    for week in weeks.order_by("year", "number"):
        readable_by = max(week.published_at or now, now)
        readable = set(
            week.posts.filter(status=Status.PUBLISHED, published_at__lte=readable_by).values_list(
                "pk", flat=True
            )
        )
        if readable and readable <= leaving:
            emptied.append(week)
    return emptied


def refuse_emptying(posts):
    """Raise PublishingRefused when taking these posts out would empty a published week."""
    if weeks := weeks_left_empty(posts):
        labels = ", ".join(week.iso_label for week in weeks)
        raise PublishingRefused(
            ngettext(
                "Nothing was changed: %(weeks)s is published and these are its only readable "
                "posts, so readers would find it empty. Unpublish the week first, or publish "
                "another of its posts.",
                "Nothing was changed: %(weeks)s are published and these are their only readable "
                "posts, so readers would find them empty. Unpublish the weeks first, or publish "
                "other posts in them.",
                len(weeks),
            )
            % {"weeks": labels}
        )


def unpublish_posts(posts, *, user=None):
    """Make the posts drafts again, unless that would empty a published week (then
    PublishingRefused, and nothing changes). Returns how many were published."""
    with transaction.atomic():
        refuse_emptying(posts)
        changing = list(posts.filter(status=Status.PUBLISHED))
        count = Post.objects.filter(pk__in=[post.pk for post in changing]).unpublish()
        _record(user, changing, history.UNPUBLISHED)
    return count


def move_posts_to_week(posts, iso_week):
    """Append the posts, in their current order, to the end of the week (created as a draft).

    Returns the week and how many posts moved; posts already in it stay where they are.
    Raises PublishingRefused, moving nothing, when the move would empty a published week.
    """
    with transaction.atomic():
        week = Week.objects.of(iso_week)
        moving = posts.exclude(week=week)
        refuse_emptying(moving)
        moving = list(moving.order_by("week__year", "week__number", "position", "id"))
        start = week.next_position()
        now = timezone.now()
        left = {post.week_id for post in moving} - {None}
        for offset, post in enumerate(moving):
            post.week, post.position, post.updated = week, start + offset, now
        Post.objects.bulk_update(moving, ["week", "position", "updated"])
        # The weeks they left show them no more, though no row of theirs was written.
        bulk_content_written.send(sender=Week, pks=sorted(left))
    return week, len(moving)


class OrderOutdated(Exception):
    """The order given is not of the posts the week has now: someone added, moved or removed one
    since the page showing the week was opened. Nothing was changed."""


def order_week(week, post_ids, *, user=None):
    """Put the week's posts in the order of `post_ids` (the first is read first), in one
    transaction, and return how many posts changed place. The ids must be those of every post
    the week has now, each once; otherwise OrderOutdated, and nothing changes. `user`, when
    known, is recorded in the week's history. A post that changes place counts as edited (its
    `updated` time), so a curator's form opened before cannot put back its old position
    unawares (archive.forms.EditConflictForm)."""
    with transaction.atomic():
        week = Week.objects.select_for_update().get(pk=week.pk)
        posts = {post.pk: post for post in week.posts.all()}
        if len(post_ids) != len(posts) or set(post_ids) != set(posts):
            raise OrderOutdated(
                gettext(
                    "The posts of %(week)s changed since this page was opened, so the order was "
                    "not saved. Here they are as they are now."
                )
                % {"week": week.iso_label}
            )
        now = timezone.now()
        moved = []
        for position, pk in enumerate(post_ids):
            post = posts[pk]
            if post.position != position:
                post.position, post.updated = position, now
                moved.append(post)
        Post.objects.bulk_update(moved, ["position", "updated"])
        if moved:
            _record(user, [week], history.REORDERED)
    return len(moved)


def move_within_week(week, post_id, step, *, user=None):
    """Move one post of the week `step` places later (earlier when negative) in its reading
    order, no further than the ends; returns how many posts changed place (see order_week)."""
    order = list(week.posts.in_reading_order().values_list("pk", flat=True))
    if post_id not in order:
        raise OrderOutdated(
            gettext("That post is no longer in %(week)s.") % {"week": week.iso_label}
        )
    place = order.index(post_id)
    order.insert(min(max(place + step, 0), len(order) - 1), order.pop(place))
    return order_week(week, order, user=user)


@dataclass(frozen=True)
class TopicMerge:
    kept: Topic
    merged: tuple[Topic, ...]
    posts_moved: int  # posts that had a merged topic and not the kept one


def merge_topics(keep, topics, *, user=None) -> TopicMerge:
    """Make `topics` one with `keep`, in one transaction: every post of a merged topic has the
    kept topic instead (once, however many of the merged topics it had), the merged topics are
    deleted, and each one's slug, with its own former slugs, becomes a former slug of the kept
    topic, so their pages and feeds answer with a permanent redirect (digest/addresses.py).

    A kept topic with a Korean name and no English one takes the English name of the first
    merged topic that has one, else the first merged topic's name written in Latin letters
    ("NLP" merged into "자연어처리"): readers of the English pages, and search, keep finding it
    by the word they knew. Nothing else of the kept topic changes. `user`, when known, is
    recorded in the kept topic's history and in each merged topic's. The content version goes up
    with these writes (database triggers), and the front cache forgets the pages of both topics
    and of every post moved (digest/purge.py, through the signals of these writes).
    """
    with transaction.atomic():
        keep = Topic.objects.select_for_update().get(pk=keep.pk)
        pks = {topic.pk for topic in topics} - {keep.pk}
        merged = tuple(Topic.objects.filter(pk__in=pks).order_by(Lower("name"), "pk"))
        if not merged:
            return TopicMerge(keep, (), 0)
        having_kept = set(
            PostTopic.objects.filter(tag=keep).values_list("content_object", flat=True)
        )
        moving = {}  # post → the one row that takes the kept topic
        for pk, post in (
            PostTopic.objects.filter(tag__in=merged)
            .order_by("pk")
            .values_list("pk", "content_object")
        ):
            if post not in having_kept:
                moving.setdefault(post, pk)
        PostTopic.objects.filter(pk__in=moving.values()).update(tag=keep)
        TopicSlug.objects.filter(topic__in=merged).update(topic=keep, changed=timezone.now())
        if not keep.name_en and not keep.name.isascii():
            keep.name_en = next(
                (topic.name_en for topic in merged if topic.name_en),
                next((topic.name for topic in merged if topic.name.isascii()), ""),
            )
            if keep.name_en:
                keep.save(update_fields=["name_en"])
        if user is not None:
            history.record_action(
                user,
                keep,
                history.MERGED_IN,
                values={
                    "topics": ", ".join(f"“{topic.name}”" for topic in merged),
                    "posts": len(moving),
                },
            )
            history.record_deletions(user, merged, history.MERGED_INTO, values={"topic": keep.name})
        slugs = [topic.slug for topic in merged]
        # The rows left (posts that had the kept topic already) go with their topics.
        Topic.objects.filter(pk__in=pks).delete()
        for slug in slugs:
            keep.keep_former_slug(slug)
    return TopicMerge(keep, merged, len(moving))


class SiteNotEmpty(Exception):
    def __init__(self, counts):
        super().__init__(counts)
        self.counts = counts


def write_backup(stream):
    """The site as a JSON fixture, read in one snapshot so concurrent edits cannot tear it."""
    # PostgreSQL's default isolation would let each model's query see later commits.
    snapshot = connection.vendor == "postgresql" and not connection.in_atomic_block
    with transaction.atomic():
        if snapshot:
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        call_command(
            "dumpdata",
            *BACKUP_LABELS,
            exclude=BACKUP_EXCLUDED,
            format="json-exact",
            indent=1,
            use_natural_foreign_keys=True,
            stdout=stream,
        )


def restore_backup(path: Path, *, replace=False):
    """Load a backup in one transaction, into an empty site or, with `replace`, instead of it.

    Empty means as `migrate` leaves it: groups may exist (the Curators group comes from a
    migration and is overwritten by the backup's), but no users, weeks, posts, links or topics.
    Any failure rolls back everything, the replaced rows included.
    """
    with transaction.atomic(), search.deferred():
        counts = _content_counts()
        if any(counts.values()):
            if not replace:
                raise SiteNotEmpty(counts)
            for model in (Subscriber, Post, Link, Week, Topic, AboutPage, get_user_model(), Group):
                model.objects.all().delete()
        call_command("loaddata", str(path.resolve()), verbosity=0)
        return _content_counts()


def _content_counts():
    return {
        "users": get_user_model().objects.count(),
        "weeks": Week.objects.count(),
        "posts": Post.objects.count(),
        "links": Link.objects.count(),
        "topics": Topic.objects.count(),
    }

"""Writes that span models: weeks written with their posts, published together, posts moved
between weeks, a whole site backed up and restored."""

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import connection, transaction
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone

from archive.content import ContentError, PostContent, WeekContent
from archive.models import Link, Post, PostLink, PostTopic, Status, Topic, Week
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
BACKUP_EXCLUDED = ["archive.contentversion", "archive.topiccount"]


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

    @property
    def posts_created(self):
        return sum(post.created for post in self.posts)


def write_weeks(contents, *, publish=False) -> list[WrittenWeek]:
    """Write weeks with their posts, links and topics, in one transaction: all, or nothing.

    A week is found by its ISO year and number, a post by its source link (or, when it has none,
    by its title within the week). What exists is kept as it is, because curators may have edited
    it since: only a week's empty title, intro and outro are filled in, and only missing posts
    are created, so writing the same content twice creates nothing the second time. `publish`
    publishes each week and every post of its content, at the content's `published_at` when it
    has one. Posts are written in bulk, so that years of weeks (the benchmark's) take seconds.
    Content that fails the models' validation raises ContentError at its line.
    """
    rendered = {}  # identical Markdown in one call (the seeder's) is rendered once

    def render(text):
        if text not in rendered:
            rendered[text] = render_markdown(text)
        return rendered[text]

    with transaction.atomic():
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
    for field in ("title", "intro", "outro"):
        if not getattr(week, field) and getattr(content, field):
            setattr(week, field, getattr(content, field))
            changed = True
    if publish and week.status != Status.PUBLISHED:
        week.status = Status.PUBLISHED
        week.published_at = week.published_at or content.published_at
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
            if publish and post.status != Status.PUBLISHED:
                post.status = Status.PUBLISHED
                post.save(update_fields=["status"])
            posts.append(WrittenPost(item.title, item.posted_on, post.post_links.count(), False))
        else:
            new.append((position, item))
            posts.append(WrittenPost(item.title, item.posted_on, len(item.links), True))
    links_created = _create_posts(week, new, content, publish, render)
    return WrittenWeek(content.week, created, posts, links_created)


def _existing_post(week, item, claimed):
    if item.source_url:
        return Post.objects.filter(source__normalized_url=normalize_url(item.source_url)).first()
    # Two items of one round-up may share a title: each is its own post, matched in order.
    same_title = week.posts.filter(source=None, title=item.title).exclude(pk__in=claimed)
    return same_title.order_by("position", "pk").first()


def _create_posts(week, items: list[tuple[int, PostContent]], content, publish, render):
    """The new posts of a week, with their links and topics, in a few queries however many;
    returns how many links were new."""
    if not items:
        return 0
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
            status=Status.PUBLISHED if publish else Status.DRAFT,
            published_at=content.published_at if publish else None,
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
    return links_created


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


def publish_with_posts(weeks):
    """Publish the weeks and every post in them, together or not at all.

    Returns (weeks published, posts published).
    """
    with transaction.atomic():
        posts = Post.objects.filter(week__in=list(weeks.values_list("pk", flat=True)))
        return weeks.publish(), posts.publish()


def move_posts_to_week(posts, iso_week):
    """Append the posts, in their current order, to the end of the week (created as a draft).

    Returns the week and how many posts moved; posts already in it stay where they are.
    """
    with transaction.atomic():
        week = Week.objects.of(iso_week)
        moving = list(
            posts.exclude(week=week).order_by("week__year", "week__number", "position", "id")
        )
        start = week.next_position()
        now = timezone.now()
        left = {post.week_id for post in moving} - {None}
        for offset, post in enumerate(moving):
            post.week, post.position, post.updated = week, start + offset, now
        Post.objects.bulk_update(moving, ["week", "position", "updated"])
        # The weeks they left show them no more, though no row of theirs was written.
        bulk_content_written.send(sender=Week, pks=sorted(left))
    return week, len(moving)


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
    with transaction.atomic():
        counts = _content_counts()
        if any(counts.values()):
            if not replace:
                raise SiteNotEmpty(counts)
            for model in (Post, Link, Week, Topic, get_user_model(), Group):
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

"""Writes that span models: a parsed round-up brought in, a whole site backed up and restored."""

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import connection, transaction
from taggit.models import Tag

from archive.importing import DigestFormatError, ParsedDigest, ParsedItem
from archive.models import Link, Post, PostLink, Status
from digest.models import WeeklyDigest
from digest.weeks import IsoWeek

# A site is its content, topics and people. Content types and permissions are rebuilt by migrate
# and written as natural keys, so their ids may differ between databases; every other row keeps
# its id, so posts keep their positions, links their order and tags their posts.
BACKUP_LABELS = ["auth.group", "auth.user", "taggit", "digest", "archive"]


@dataclass(frozen=True)
class ImportedPost:
    title: str
    posted_on: date
    links: int
    created: bool


@dataclass(frozen=True)
class ImportReport:
    week: IsoWeek
    digest_created: bool
    posts: list[ImportedPost]
    links_created: int

    @property
    def posts_created(self):
        return sum(post.created for post in self.posts)


def import_digest(parsed: ParsedDigest, *, publish=False, dry_run=False) -> ImportReport:
    """Write one round-up in one transaction: all of it, or nothing when anything is wrong.

    The week is found by its ISO year and week, a post by its source link (or, when it has none,
    by its title within the week). What exists is kept as it is, because curators may have edited
    it since: only the week's empty title, intro and outro are filled in, and only missing posts
    are created, so importing a file twice creates nothing the second time. `publish` publishes
    the week and every post of the file. A dry run does the same work and rolls it back, so its
    report says exactly what a real run would create.
    """
    with transaction.atomic():
        links_before = Link.objects.count()
        digest, digest_created = _digest(parsed, publish)
        claimed = set()  # posts this file's earlier items already are
        posts = [
            _post(parsed, digest, position, item, publish, claimed)
            for position, item in enumerate(parsed.items)
        ]
        report = ImportReport(
            week=parsed.week,
            digest_created=digest_created,
            posts=posts,
            links_created=Link.objects.count() - links_before,
        )
        if dry_run:
            transaction.set_rollback(True)
    return report


def _digest(parsed, publish):
    week = parsed.week
    digest = WeeklyDigest.objects.filter(year=week.year, week=week.week).first()
    created = changed = digest is None
    if created:
        digest = WeeklyDigest(year=week.year, week=week.week)
    for field in ("title", "intro", "outro"):
        if not getattr(digest, field) and getattr(parsed, field):
            setattr(digest, field, getattr(parsed, field))
            changed = True
    if publish and digest.status != Status.PUBLISHED:
        digest.status = Status.PUBLISHED
        changed = True
    if changed:
        _validate(digest, parsed.name, parsed.line)
        digest.save()
    return digest, created


def _post(parsed: ParsedDigest, digest, position, item: ParsedItem, publish, claimed):
    source = Link.objects.for_url(item.source_url) if item.source_url else None
    if source:
        post = Post.objects.filter(source=source).first()
    else:
        # Two items of one file may share a title: each is its own post, matched in order.
        same_title = digest.posts.filter(source=None, title=item.title).exclude(pk__in=claimed)
        post = same_title.order_by("position", "pk").first()
    if post is not None:
        claimed.add(post.pk)
        if publish and post.status != Status.PUBLISHED:
            post.status = Status.PUBLISHED
            post.save(update_fields=["status"])
        return ImportedPost(item.title, item.posted_on, post.post_links.count(), created=False)

    post = Post(
        title=item.title,
        posted_on=item.posted_on,
        source=source,
        summary=item.summary,
        commentary=item.commentary,
        digest=digest,
        position=position,
        status=Status.PUBLISHED if publish else Status.DRAFT,
    )
    _validate(post, parsed.name, item.line, exclude=["slug"])  # save() makes a unique slug
    post.save()
    claimed.add(post.pk)
    if item.tags:
        post.tags.add(*item.tags)
    PostLink.objects.bulk_create(
        PostLink(post=post, link=Link.objects.for_url(link.url), label=link.label, position=index)
        for index, link in enumerate(item.links)
    )
    return ImportedPost(item.title, item.posted_on, len(item.links), created=True)


def _validate(instance, name, line, exclude=None):
    """Model validation (lengths, ranges) reported at the line the value came from."""
    try:
        instance.full_clean(exclude=exclude)
    except ValidationError as error:
        problems = "; ".join(
            f"{field}: {message}"
            for field, messages in error.message_dict.items()
            for message in messages
        )
        raise DigestFormatError(line, problems, name) from None


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
            for model in (Post, Link, WeeklyDigest, Tag, get_user_model(), Group):
                model.objects.all().delete()
        call_command("loaddata", str(path.resolve()), verbosity=0)
        return _content_counts()


def _content_counts():
    return {
        "users": get_user_model().objects.count(),
        "weeks": WeeklyDigest.objects.count(),
        "posts": Post.objects.count(),
        "links": Link.objects.count(),
        "topics": Tag.objects.count(),
    }

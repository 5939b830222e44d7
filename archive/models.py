"""The archive: weeks, the posts curated into them, the links they point to, and their topics.

Readers see a row only through `.published()`; `archive/versioning.py` says how readers' caches
learn that anything here changed.
"""

import secrets
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator, MaxValueValidator, MinValueValidator
from django.db import models, transaction
from django.db.models import (
    Count,
    Exists,
    F,
    Func,
    IntegerField,
    Max,
    OuterRef,
    Prefetch,
    Q,
    Subquery,
)
from django.db.models.functions import Coalesce, Lower
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from taggit.managers import TaggableManager
from taggit.models import ItemBase, NaturalKeyManager, TagBase

from archive import search as searching
from archive.link_metadata import FetchStatus
from archive.markdown_limits import MARKDOWN_MAX_LENGTH, markdown_problem
from archive.markdown_urls import normalize_markdown_urls
from archive.normalize import (
    MAX_URL_LENGTH,
    InvalidURL,
    LinkKind,
    detect_kind,
    domain_of,
    normalize_url,
)
from archive.reading import reading_seconds, split_summary
from archive.rendering import render_markdown
from archive.signals import bulk_content_written
from archive.weeks import IsoWeek

SLUG_MAX_LENGTH = 100


def markdown_field(verbose_name, help_text=""):
    return models.TextField(
        verbose_name,
        blank=True,
        max_length=MARKDOWN_MAX_LENGTH,
        validators=[MaxLengthValidator(MARKDOWN_MAX_LENGTH)],
        help_text=help_text or _("Markdown. Quotes with >, lists, links, ``` code blocks."),
    )


def reader_language_is_korean():
    return (get_language() or "ko").startswith("ko")


class Status(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")


class ContentQuerySet(models.QuerySet):
    """Bulk writes announce themselves like single saves do (`archive.signals`)."""

    def update(self, **kwargs):
        # Which rows, read before the update can take them out of this QuerySet's filter: a
        # cache in front forgets exactly what showed them.
        pks = list(self.values_list("pk", flat=True))
        rows = super().update(**kwargs)
        if rows:
            bulk_content_written.send(sender=self.model, pks=pks)
        return rows

    def bulk_update(self, objs, fields, batch_size=None):
        rows = super().bulk_update(objs, fields, batch_size=batch_size)
        if rows:
            bulk_content_written.send(sender=self.model, pks=[obj.pk for obj in objs])
        return rows

    def bulk_create(self, objs, *args, **kwargs):
        created = super().bulk_create(objs, *args, **kwargs)
        if created:
            bulk_content_written.send(sender=self.model, pks=[obj.pk for obj in created])
        return created


class CuratedQuerySet(ContentQuerySet):
    @staticmethod
    def published_q(prefix="", now=None):
        """What makes a row readable: published, and its publication time has come (by `now`,
        the present unless given)."""
        return Q(
            **{
                f"{prefix}status": Status.PUBLISHED,
                f"{prefix}published_at__lte": now or timezone.now(),
            }
        )

    def published(self):
        return self.filter(self.published_q())

    def unpublish(self):
        return self.update(status=Status.DRAFT, updated=timezone.now())


class RendersMarkdown(models.Model):
    """A model a curator writes in Markdown: each Markdown field is rendered to its HTML field
    whenever the row is saved, in bulk too (`prepare_to_save`), never per request."""

    # Pairs of (Markdown field, rendered HTML field), rendered on every save.
    markdown_fields: tuple[tuple[str, str], ...] = ()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        self.prepare_to_save()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            kwargs["update_fields"] = {*update_fields, *self.derived_fields()}
        super().save(*args, **kwargs)

    def derived_fields(self):
        """The fields `prepare_to_save` may change, saved with any field the caller names."""
        return {field for pair in self.markdown_fields for field in pair}

    def prepare_to_save(self, render=render_markdown):
        """Everything saving derives from the curator's input, also for rows written in bulk:
        the addresses in each Markdown field in their normal form (`archive.markdown_urls`),
        and its HTML."""
        for source, target in self.markdown_fields:
            text = normalize_markdown_urls(getattr(self, source))
            setattr(self, source, text)
            setattr(self, target, render(text))

    def clean_fields(self, exclude=None):
        """Field validation, and Markdown that would take too long to render is refused."""
        try:
            super().clean_fields(exclude)
            errors = {}
        except ValidationError as error:
            errors = error.update_error_dict({})
        for source, _target in self.markdown_fields:
            if source in errors or source in (exclude or ()):
                continue
            # Checked as it will be saved: an address can grow once percent-encoded.
            if problem := markdown_problem(normalize_markdown_urls(getattr(self, source))):
                errors[source] = [ValidationError(problem, code="too_complex")]
        if errors:
            raise ValidationError(errors)


class Curated(RendersMarkdown):
    """Something a curator writes in Markdown and publishes: a post or a week."""

    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    published_at = models.DateTimeField(
        _("published at"),
        null=True,
        blank=True,
        help_text=_("Set when first published; a time in the future schedules it."),
    )
    created = models.DateTimeField(_("created"), auto_now_add=True)
    updated = models.DateTimeField(_("updated"), auto_now=True)
    # How long reading the curator's text takes, in seconds (archive/reading.py), from the
    # rendered HTML at save: a week page shows its reading time without reading its text.
    reading_seconds = models.PositiveIntegerField(_("reading time"), default=0, editable=False)

    class Meta:
        abstract = True

    def derived_fields(self):
        return {*super().derived_fields(), "published_at", "updated", "reading_seconds"}

    def prepare_to_save(self, render=render_markdown):
        """The Markdown rendered, the reading time counted from it, and the time of a first
        publication stamped."""
        super().prepare_to_save(render=render)
        self.reading_seconds = reading_seconds(
            *(getattr(self, target) for _source, target in self.markdown_fields)
        )
        if self.status == Status.PUBLISHED and self.published_at is None:
            self.published_at = timezone.now()

    @property
    def is_published(self):
        return (
            self.status == Status.PUBLISHED
            and self.published_at is not None
            and self.published_at <= timezone.now()
        )


class KeepsFormerSlugs:
    """For a model whose slug is its address (posts, topics): saving it with a new slug keeps
    the one it had as a former slug (`former_slugs`, a `FormerSlug` model), in the same
    transaction, whatever changed it. Readers' links to a former slug answer with a permanent
    redirect (`at_address` on the QuerySet finds the row; digest/addresses.py answers)."""

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        # The slug as stored, to tell a changed one when saving (None when it was deferred).
        instance._stored_slug = instance.__dict__.get("slug")
        return instance

    def save(self, *args, **kwargs):
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "slug" not in update_fields:
            return super().save(*args, **kwargs)
        if self._state.adding:
            saved = super().save(*args, **kwargs)
        else:
            with transaction.atomic(savepoint=False):
                former = getattr(self, "_stored_slug", None) or self._slug_in_database()
                saved = super().save(*args, **kwargs)
                if former and former != self.slug:
                    self.keep_former_slug(former)
        self._stored_slug = self.slug
        return saved

    def keep_former_slug(self, slug):
        """Make `slug` one of this row's former slugs: a slug another row had before now points
        here (the latest owner wins)."""
        history, owner = self.former_slugs.model.objects, self.former_slugs.field.name
        if not history.filter(slug=slug).update(**{owner: self, "changed": timezone.now()}):
            history.create(slug=slug, **{owner: self})

    def _slug_in_database(self):
        stored = type(self)._base_manager.filter(pk=self.pk).values_list("slug", flat=True)
        return stored.first()


class FormerSlug(models.Model):
    """An address a post or topic had before its slug changed."""

    slug = models.SlugField(
        _("former slug"), max_length=SLUG_MAX_LENGTH, allow_unicode=True, unique=True
    )
    changed = models.DateTimeField(_("changed"), auto_now=True)

    class Meta:
        abstract = True

    def __str__(self):
        return self.slug


class WeekQuerySet(CuratedQuerySet):
    def published(self):
        """Readers see a week when it is published, its time has come, and at least one of its
        posts is readable. Publishing refuses a week without one (`archive.services`), and this
        keeps the promise whatever happens later: its posts unpublished, moved or deleted by
        any means, or scheduled after the week itself."""
        now = timezone.now()
        return self.filter(self.published_q(now=now), self._has_readable_posts(now))

    def latest_published(self):
        """The same weeks as published(), the latest publication first (the feeds' order).

        Spelled as archive.versioning spells it, so that the publication-time index is read in
        order and only as far as needed: written as published() is, the `status = …` lookup
        would look more selective to a planner without statistics (SQLite's), which would then
        sort every published week.
        """
        now = timezone.now()
        return (
            self.filter(published_at__lte=now)
            .exclude(~self.published_q(now=now))
            .filter(self._has_readable_posts(now))
            .order_by("-published_at", "-year", "-number")
        )

    @staticmethod
    def _has_readable_posts(now):
        return Exists(Post.objects.filter(Post.objects.published_q(now=now), week=OuterRef("pk")))

    def at(self, iso_week):
        """The week of this ISO week, if there is one."""
        return self.filter(year=iso_week.year, number=iso_week.number)

    def of(self, iso_week):
        """The week, created as a draft when it does not exist yet."""
        week, _created = self.get_or_create(year=iso_week.year, number=iso_week.number)
        return week

    def of_date(self, day):
        """The week holding this day, created as a draft when it does not exist yet."""
        return self.of(IsoWeek.of(day))

    def newest_first(self):
        """The newest ISO week first: the order of the archive, a calendar of weeks (the feeds
        follow publication time instead: latest_published)."""
        return self.order_by("-year", "-number")

    def with_post_count(self):
        """Annotate each week with its number of posts, drafts included (the curator's count)."""
        return self.annotate(post_count=Count("posts"))

    def with_published_post_count(self):
        """Annotate each week with its number of published posts (whether the week itself is
        published is for the caller to filter). A subquery per week rather than a GROUP BY, so
        that `[:8]` of the newest weeks counts the posts of 8 weeks, not of the whole archive."""
        posts = Post.objects.filter(self.published_q(), week=OuterRef("pk")).order_by()
        count = posts.annotate(count=Func("pk", function="COUNT")).values("count")
        return self.annotate(post_count=Subquery(count, output_field=IntegerField()))

    def before(self, week):
        """The nearest of these weeks before `week`; None when there is none."""
        # `year__lte` bounds the index range; the OR alone would make it walk from the newest.
        earlier = Q(year__lt=week.year) | Q(year=week.year, number__lt=week.number)
        return self.filter(earlier, year__lte=week.year).newest_first().first()

    def after(self, week):
        later = Q(year__gt=week.year) | Q(year=week.year, number__gt=week.number)
        return self.filter(later, year__gte=week.year).order_by("year", "number").first()

    def years(self):
        """[(year, number of weeks), ...] newest year first, in one query."""
        return list(self.order_by("-year").values_list("year").annotate(weeks=Count("id")))


class Week(Curated):
    """One ISO week of the community, curated: an intro, its posts in reading order, an outro."""

    year = models.PositiveSmallIntegerField(
        _("year"), validators=[MinValueValidator(1), MaxValueValidator(9999)]
    )
    number = models.PositiveSmallIntegerField(
        _("week number"), validators=[MinValueValidator(1), MaxValueValidator(53)]
    )
    title = models.CharField(
        _("title"), max_length=300, blank=True, help_text=_("Leave empty to use the week's label.")
    )
    intro = markdown_field(_("intro"))
    intro_html = models.TextField(editable=False, blank=True)
    outro = markdown_field(_("outro"))
    outro_html = models.TextField(editable=False, blank=True)

    objects = WeekQuerySet.as_manager()

    markdown_fields = (("intro", "intro_html"), ("outro", "outro_html"))

    class Meta:
        verbose_name = _("week")
        verbose_name_plural = _("weeks")
        ordering = ["-year", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["year", "number"], name="unique_iso_week"),
            models.CheckConstraint(
                condition=models.Q(number__gte=1, number__lte=53), name="week_in_range"
            ),
        ]
        indexes = [
            # The newest published weeks (home, archive, neighbours) in index order, no sort.
            models.Index(fields=["status", "year", "number"], name="week_status_number"),
            # The latest publication time, for archive.versioning.
            models.Index(fields=["published_at", "status"], name="week_published_at"),
        ]

    def __str__(self):
        return self.display_title

    def get_absolute_url(self):
        return reverse("digest:week", kwargs={"year": self.year, "week": self.number})

    def clean(self):
        if self.year and self.number:
            try:
                IsoWeek(self.year, self.number)
            except ValueError:
                raise ValidationError(
                    {
                        "number": _("%(year)s has no ISO week %(week)s.")
                        % {"year": self.year, "week": self.number}
                    }
                ) from None

    def next_position(self):
        """Where a post appended to this week goes: after every post in it."""
        last = self.posts.aggregate(last=Max("position"))["last"]
        return 0 if last is None else last + 1

    @property
    def iso_week(self):
        return IsoWeek(self.year, self.number)

    @property
    def start(self):
        return self.iso_week.start

    @property
    def end(self):
        return self.iso_week.end

    @property
    def iso_label(self):
        return self.iso_week.iso_label

    @property
    def korean_label(self):
        return self.iso_week.korean_label

    @property
    def english_label(self):
        return self.iso_week.english_label

    @property
    def label(self):
        """The week's name in the reader's language."""
        if reader_language_is_korean():
            return self.korean_label
        return self.english_label

    @property
    def date_range(self):
        if reader_language_is_korean():
            return self.iso_week.korean_range
        return self.iso_week.english_range

    @property
    def display_title(self):
        return self.title or self.label


class LinkQuerySet(ContentQuerySet):
    def for_url(self, url):
        """The Link for this URL, created if no Link normalises to the same target."""
        url = url.strip()
        normalized = normalize_url(url)
        link, _created = self.get_or_create(normalized_url=normalized, defaults={"url": url})
        return link

    def with_post_count(self):
        """`post_count`: how many posts use the link, as their source or among their links."""
        using = Post.objects.filter(
            Q(source=OuterRef("pk"))
            | Exists(PostLink.objects.filter(post=OuterRef("pk"), link=OuterRef(OuterRef("pk"))))
        )
        count = using.order_by().annotate(count=Func("pk", function="COUNT")).values("count")
        return self.annotate(post_count=Coalesce(Subquery(count, output_field=IntegerField()), 0))


class Link(models.Model):
    url = models.URLField(_("URL as pasted"), max_length=MAX_URL_LENGTH)
    normalized_url = models.CharField(
        _("normalised URL"), max_length=MAX_URL_LENGTH, unique=True, editable=False
    )
    domain = models.CharField(_("domain"), max_length=255, editable=False, db_index=True)
    kind = models.CharField(
        _("kind"),
        max_length=20,
        choices=LinkKind.choices,
        blank=True,
        help_text=_("Leave empty to detect it from the URL."),
    )
    title = models.CharField(_("title"), max_length=300, blank=True)
    description = models.TextField(_("description"), blank=True, max_length=2000)
    # What the page says about itself (archive/link_metadata.py), read in the background when the
    # link is created; like the title and description, only filled in where empty.
    site_name = models.CharField(_("site name"), max_length=200, blank=True)
    image_url = models.URLField(_("image URL"), max_length=MAX_URL_LENGTH, blank=True)
    canonical_url = models.URLField(_("canonical URL"), max_length=MAX_URL_LENGTH, blank=True)
    language = models.CharField(_("language"), max_length=35, blank=True)
    fetched_at = models.DateTimeField(_("page read at"), null=True, blank=True, editable=False)
    fetch_status = models.CharField(
        _("page"), max_length=20, choices=FetchStatus.choices, blank=True, editable=False
    )
    fetch_error = models.CharField(
        _("page reading problem"), max_length=500, blank=True, editable=False
    )
    created = models.DateTimeField(_("created"), auto_now_add=True)

    objects = LinkQuerySet.as_manager()

    class Meta:
        verbose_name = _("link")
        verbose_name_plural = _("links")
        ordering = ["-created", "-id"]

    def __str__(self):
        return self.title or self.normalized_url or self.url

    def save(self, *args, **kwargs):
        self.prepare_to_save()
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return self.normalized_url

    def prepare_to_save(self):
        self.normalized_url = normalize_url(self.url)
        self.domain = domain_of(self.normalized_url)
        if not self.kind:
            self.kind = detect_kind(self.normalized_url)

    def fill_from(self, metadata):
        """Put what the page says into the fields that are still empty: a curator's words are
        never replaced. Returns the names of the fields filled."""
        filled = []
        for name, value in metadata.link_fields().items():
            field = self._meta.get_field(name)
            if not value or getattr(self, name):
                continue
            if len(value) > field.max_length:
                if isinstance(field, models.URLField) or name == "language":
                    continue  # a cut address or tag would be wrong, not short
                value = value[: field.max_length - 1].rstrip() + "…"
            setattr(self, name, value)
            filled.append(name)
        return filled

    def record_fetch(self, status, problem=""):
        self.fetched_at = timezone.now()
        self.fetch_status = status
        self.fetch_error = problem[: self._meta.get_field("fetch_error").max_length]

    @property
    def kind_label(self):
        """The kind's name in the reader's language. get_kind_display() would first translate
        every kind's name to find this one: a week page shows dozens of links."""
        return LinkKind(self.kind).label if self.kind in LinkKind.values else self.kind

    def clean(self):
        try:
            self.normalized_url = normalize_url(self.url)
        except InvalidURL as error:
            raise ValidationError({"url": str(error)}) from None
        # normalized_url is not a form field, so the unique check would not see it.
        duplicate = Link.objects.filter(normalized_url=self.normalized_url).exclude(pk=self.pk)
        if duplicate.exists():
            raise ValidationError(
                {
                    "url": _(
                        "This address is already saved as the link “%(link)s” (%(url)s); "
                        "use that one instead."
                    )
                    % {"link": duplicate.get(), "url": self.normalized_url}
                }
            )


class TopicQuerySet(ContentQuerySet):
    def published(self, state=None):
        """Topics with at least one published post, each annotated with `post_count`.

        Counting them is a pass over every post of the archive, so the counts are kept in
        TopicCount, counted again after each change (`TopicCount.objects.refresh`). They are
        used while the content is in the state they were counted in (`state`, the
        `archive.versioning.ContentState` the caller already holds, else asked for here);
        otherwise, as when a scheduled post has just come due, the topics are counted in this
        query, without writing anything.
        """
        from archive.versioning import current_state

        state = state or current_state()
        if state.topics_counted_in == state.key:
            return self.filter(published_count__isnull=False).annotate(
                post_count=F("published_count__post_count")
            )
        return self.of_posts(Post.objects.published())

    def at_address(self, slug):
        """The topic at `/topics/<slug>/`: the one with this slug, else with it in another case
        (topic names ignore case, so their addresses do), else the one that had it."""
        return (
            self.filter(slug=slug).first()
            or self.filter(slug__iexact=slug).order_by("pk").first()
            or self.filter(
                pk__in=TopicSlug.objects.filter(slug__iexact=slug).values("topic")
            ).first()
        )

    def of_posts(self, posts):
        """The topics of these posts, each annotated with how many of these posts it tags."""
        # Filtered before it is counted, so only these posts are counted.
        return self.filter(post_topics__content_object__in=posts).annotate(
            post_count=Count("post_topics")
        )


class Topic(KeepsFormerSlugs, TagBase):
    """What a post is about ("NLP", "자연어처리"); readers browse and subscribe by topic.

    `name` is the topic's name in the site's language (Korean), `name_en` its English name,
    shown under the English interface; the slug stays the name's, so addresses never change.
    """

    name_en = models.CharField(
        _("English name"),
        max_length=100,
        blank=True,
        help_text=_("Shown to readers of the English pages; leave empty to use the name."),
    )

    objects = NaturalKeyManager.from_queryset(TopicQuerySet)()

    class Meta:
        # Wherever a post's topics show (chips, feed categories, stored fragments), in one order
        # on every database: PostgreSQL returns a prefetch's rows in no order of its own.
        ordering = ["name"]
        verbose_name = _("topic")
        verbose_name_plural = _("topics")

    def get_absolute_url(self):
        return reverse("digest:topic", kwargs={"slug": self.slug})

    @property
    def label(self):
        """The topic's name in the reader's language."""
        return topic_label(self.name, self.name_en)

    @property
    def names(self):
        """Both names, the reader's first: "자연어처리 (NLP)", or the one name."""
        return topic_names(self.name, self.name_en)

    def slugify(self, tag, i=None):
        """A topic named only with symbols or emoji ("🔥"; "C++" is fine) slugifies to nothing,
        and an empty slug has no page: such a topic is addressed by its characters' code points
        instead ("u1f525")."""
        slug = super().slugify(tag)
        if not slug and tag.strip():
            slug = "-".join(f"u{ord(character):x}" for character in tag.strip())
            slug = slug[: SLUG_MAX_LENGTH - 10].rstrip("-")
        return slug if i is None else f"{slug}_{i}"


def topic_label(name, name_en):
    return name_en if name_en and not reader_language_is_korean() else name


def topic_names(name, name_en):
    first = topic_label(name, name_en)
    other = name if first == name_en else name_en
    if other and other.casefold() != first.casefold():
        return f"{first} ({other})"
    return first


class PostTopic(ItemBase):
    """A post's topic: a plain foreign key rather than taggit's generic relation, so topic
    queries join simply. django-taggit requires the names `tag` and `content_object`."""

    tag = models.ForeignKey(
        Topic, verbose_name=_("topic"), on_delete=models.CASCADE, related_name="post_topics"
    )
    content_object = models.ForeignKey(
        "Post", verbose_name=_("post"), on_delete=models.CASCADE, related_name="post_topics"
    )

    objects = NaturalKeyManager.from_queryset(ContentQuerySet)()

    class Meta:
        verbose_name = _("topic of a post")
        verbose_name_plural = _("topics of posts")
        constraints = [
            models.UniqueConstraint(fields=["content_object", "tag"], name="unique_post_tag")
        ]


class PostQuerySet(CuratedQuerySet):
    def publish(self):
        """Publish every post; one published before keeps its first publication time. (A week
        is published with its posts by `archive.services.publish_week`, nowhere else.)"""
        now = timezone.now()
        self.filter(published_at__isnull=True).update(published_at=now)
        return self.update(status=Status.PUBLISHED, updated=now)

    def published(self):
        """Readers see a post only when it and its week are both published."""
        # The week is checked by a lookup per post rather than joined, so that the post's own
        # indexes (week, date, publication time, topic) drive every query: joined, a planner
        # without statistics (SQLite's) starts from the weeks' status index instead.
        return self.filter(
            self.published_q(),
            Exists(Week.objects.filter(self.published_q(), pk=OuterRef("week"))),
        )

    def at_address(self, slug):
        """The post at `/posts/<slug>/`: the one with this slug, else the one that had it (a post
        given a former slug of another wins over that one's history)."""
        return self.filter(slug=slug).first() or self.filter(former_slugs__slug=slug).first()

    def in_reading_order(self):
        return self.order_by("position", "posted_on", "id")

    def with_readiness(self):
        """Annotate each post with what `Post.missing` reads: whether it has a link (its source
        or any other) and a topic, in the same query."""
        return self.annotate(
            has_link=Q(source__isnull=False) | Exists(PostLink.objects.filter(post=OuterRef("pk"))),
            has_topic=Exists(PostTopic.objects.filter(content_object=OuterRef("pk"))),
        )

    def newest_first(self):
        return self.order_by("-posted_on", "-id")

    def for_display(self):
        """Everything a page shows of each post, fetched in three queries however many posts."""
        return self.select_related("source", "week").prefetch_related(
            Prefetch("post_links", queryset=PostLink.objects.select_related("link")), "topics"
        )

    def search(self, query):
        """These posts holding every word of the query, best first (at most
        `archive.search.RESULTS_LIMIT`); archive/search.py says how and in which order."""
        found = searching.find(query, posts=self)
        if found is None:
            return list(self.newest_first())
        posts = self.model.objects.in_bulk([pk for _kind, pk in found.results])
        return [posts[pk] for _kind, pk in found.results]

    def topics(self):
        return Topic.objects.of_posts(self)

    def topic_counts_by_week(self):
        """{week id: [{name, slug, post_count}, ...] most used first}, in one query."""
        rows = (
            PostTopic.objects.filter(content_object__in=self)
            .values_list("content_object__week", "tag__name", "tag__name_en", "tag__slug")
            .annotate(posts=Count("id"))
            .order_by("content_object__week", "-posts", "tag__name")
        )
        counts = {}
        for week_id, name, name_en, slug, posts in rows:
            label = topic_label(name, name_en)
            topic = {"name": name, "label": label, "slug": slug, "post_count": posts}
            counts.setdefault(week_id, []).append(topic)
        return counts


class Post(KeepsFormerSlugs, Curated):
    title = models.CharField(_("title"), max_length=300)
    slug = models.SlugField(
        _("slug"),
        max_length=SLUG_MAX_LENGTH,
        unique=True,
        allow_unicode=True,
        blank=True,
        help_text=_("The post's address. Leave empty to make one from the title."),
    )
    source = models.ForeignKey(
        Link,
        verbose_name=_("source"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="sourced_posts",
        help_text=_("The community thread this post is about."),
    )
    posted_on = models.DateField(_("posted on"), help_text=_("When the original was posted."))
    summary = markdown_field(_("summary"))
    summary_html = models.TextField(editable=False, blank=True)
    # A long summary split in two at save (archive/reading.py): the lead a week page shows, and
    # the rest it folds away; the rest is empty when the summary is shown whole.
    summary_lead_html = models.TextField(editable=False, blank=True)
    summary_more_html = models.TextField(editable=False, blank=True)
    commentary = markdown_field(_("commentary"), _("The curator's own comment, in Markdown."))
    commentary_html = models.TextField(editable=False, blank=True)
    topics = TaggableManager(
        verbose_name=_("topics"),
        through=PostTopic,
        blank=True,
        help_text=_("Separate topics with commas; a topic of two words is written in quotes."),
    )
    links = models.ManyToManyField(
        Link, verbose_name=_("links"), through="PostLink", related_name="posts", blank=True
    )
    week = models.ForeignKey(
        Week,
        verbose_name=_("week"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="posts",
        help_text=_("Leave empty to use the week of the original post."),
    )
    position = models.PositiveIntegerField(_("position"), default=0)
    curator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("curator"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="curated_posts",
    )

    objects = PostQuerySet.as_manager()

    markdown_fields = (("summary", "summary_html"), ("commentary", "commentary_html"))

    class Meta:
        verbose_name = _("post")
        verbose_name_plural = _("posts")
        ordering = ["-posted_on", "-id"]
        # Reader pages find posts by week, by date and by publication time; an index led by
        # `status` would look selective to a planner without statistics (SQLite's default) and
        # win over these, though nearly every post is published.
        indexes = [
            models.Index(fields=["week", "position"], name="post_week_position"),
            models.Index(fields=["published_at", "status"], name="post_published_at"),
            models.Index(fields=["posted_on"], name="post_posted_on"),
        ]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        with transaction.atomic():
            if not self.slug:
                self.slug = self.unique_slug()
            if self.week_id is None:
                self.place_in_week()
            super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("digest:post", kwargs={"slug": self.slug})

    def derived_fields(self):
        return {*super().derived_fields(), "summary_lead_html", "summary_more_html"}

    def prepare_to_save(self, render=render_markdown):
        super().prepare_to_save(render=render)
        self.summary_lead_html, self.summary_more_html = split_summary(self.summary_html)

    @property
    def missing(self):
        """What the post lacks before a week is ready to go out (the week board's list): a
        summary, a link, a topic, and being published rather than a draft. Needs
        `with_readiness()`."""
        lacking = [
            (not self.summary.strip(), _("a summary")),
            (not self.has_link, _("a link")),
            (not self.has_topic, _("a topic")),
            (self.status != Status.PUBLISHED, _("to be published (it is a draft)")),
        ]
        return [what for lacks, what in lacking if lacks]

    def base_slug(self):
        return slugify(self.title, allow_unicode=True)[: SLUG_MAX_LENGTH - 10].strip("-") or "post"

    def unique_slug(self, taken=None):
        """The title's slug, numbered when another post has it; `taken`: the slugs known to be
        taken, when the caller already asked."""
        base = self.base_slug()
        if taken is None:
            taken = set(
                Post.objects.filter(slug__startswith=base)
                .exclude(pk=self.pk)
                .values_list("slug", flat=True)
            )
        slug, number = base, 1
        while slug in taken:
            number += 1
            slug = f"{base}-{number}"
        return slug

    def place_in_week(self):
        """Put the post last in the week of its original date, creating that week as a draft."""
        self.week = Week.objects.of_date(self.posted_on)
        self.position = self.week.next_position()


class PostLink(models.Model):
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="post_links")
    link = models.ForeignKey(
        Link, verbose_name=_("link"), on_delete=models.PROTECT, related_name="post_links"
    )
    label = models.CharField(
        _("label"), max_length=200, blank=True, help_text=_("Optional, e.g. “GitHub”.")
    )
    position = models.PositiveIntegerField(_("position"), default=0)

    objects = ContentQuerySet.as_manager()

    class Meta:
        verbose_name = _("link of a post")
        verbose_name_plural = _("links of a post")
        ordering = ["position", "id"]
        constraints = [models.UniqueConstraint(fields=["post", "link"], name="unique_post_link")]

    def __str__(self):
        return self.label or str(self.link)


class PostSlug(FormerSlug):
    post = models.ForeignKey(
        Post, verbose_name=_("post"), on_delete=models.CASCADE, related_name="former_slugs"
    )

    class Meta:
        verbose_name = _("former slug of a post")
        verbose_name_plural = _("former slugs of posts")


class TopicSlug(FormerSlug):
    topic = models.ForeignKey(
        Topic, verbose_name=_("topic"), on_delete=models.CASCADE, related_name="former_slugs"
    )

    class Meta:
        verbose_name = _("former slug of a topic")
        verbose_name_plural = _("former slugs of topics")


class ContentVersion(models.Model):
    """The one row counting the changes a reader could see; archive/versioning.py explains it."""

    number = models.PositiveBigIntegerField(_("number"), default=0)
    changed_at = models.DateTimeField(_("changed at"))
    # The content state (archive.versioning.ContentState.key) TopicCount was counted in.
    topics_counted_in = models.CharField(_("topics counted in"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("content version")
        verbose_name_plural = _("content versions")

    def __str__(self):
        return f"{self.number} ({self.changed_at:%Y-%m-%d %H:%M:%S})"


class TopicCount(models.Model):
    """How many published posts each topic has: reader pages list topics with their counts, and
    counting them is a pass over the whole archive (`TopicQuerySet.published`)."""

    topic = models.OneToOneField(
        Topic, on_delete=models.CASCADE, primary_key=True, related_name="published_count"
    )
    post_count = models.PositiveIntegerField(_("published posts"))

    class Meta:
        verbose_name = _("topic count")
        verbose_name_plural = _("topic counts")

    def __str__(self):
        return f"{self.topic_id}: {self.post_count}"


class AboutPageQuerySet(models.QuerySet):
    def current(self):
        """The about page as the curators wrote it, or an empty one (not saved: reading the
        page never writes) until they do."""
        return self.filter(pk=AboutPage.ONLY).first() or AboutPage()


class AboutPage(RendersMarkdown):
    """What the site is and which community it keeps the weeks of, for the about page; one row,
    edited in the admin."""

    ONLY = 1

    community_name = models.CharField(
        _("community name"), max_length=100, blank=True, help_text=_("E.g. “TensorflowKR”.")
    )
    community_url = models.URLField(
        _("community link"),
        max_length=MAX_URL_LENGTH,
        blank=True,
        help_text=_("Where readers find the community, e.g. its group page."),
    )
    text = markdown_field(_("text (Korean)"))
    text_html = models.TextField(editable=False, blank=True)
    text_en = markdown_field(
        _("text (English)"), _("Markdown, for the English pages; leave empty to show the Korean.")
    )
    text_en_html = models.TextField(editable=False, blank=True)
    updated = models.DateTimeField(_("updated"), auto_now=True)

    objects = AboutPageQuerySet.as_manager()

    markdown_fields = (("text", "text_html"), ("text_en", "text_en_html"))

    class Meta:
        verbose_name = _("about page")
        verbose_name_plural = _("about page")
        constraints = [models.CheckConstraint(condition=Q(id=1), name="one_about_page")]

    def __str__(self):
        return str(_("About page"))

    def save(self, *args, **kwargs):
        self.pk = self.ONLY
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("digest:about")

    @property
    def reader_text(self):
        """(rendered text, its language) for the reader's language: the English text on the
        English pages when there is one, else the Korean."""
        if self.text_en_html and not reader_language_is_korean():
            return self.text_en_html, "en"
        return self.text_html, "ko"


# Email delivery (README.md, "Email delivery"). Subscribers and deliveries are no content: no
# reader page shows them, so they are not versioned (archive/versioning.py) and writing them never
# turns a cached page stale.


def new_subscriber_key():
    return secrets.token_urlsafe(18)


class SubscriberStatus(models.TextChoices):
    PENDING = "pending", _("waiting for confirmation")
    ACTIVE = "active", _("subscribed")
    UNSUBSCRIBED = "unsubscribed", _("unsubscribed")
    DEACTIVATED = "deactivated", _("deactivated: the address refused mail")


class SubscriberQuerySet(models.QuerySet):
    def active(self):
        return self.filter(status=SubscriberStatus.ACTIVE)

    def with_address(self, email):
        return self.filter(email__iexact=email.strip())

    def to_erase(self, now=None):
        """Addresses Jugan no longer writes to, kept EMAIL_ERASE_AFTER_DAYS after they left
        (so a mistaken unsubscribe can be told apart from one never made), and pending ones
        whose confirmation link expired that long ago."""
        now = now or timezone.now()
        cutoff = now - timedelta(days=settings.EMAIL_ERASE_AFTER_DAYS)
        expired = cutoff - timedelta(days=settings.EMAIL_CONFIRM_DAYS)
        ended = [SubscriberStatus.UNSUBSCRIBED, SubscriberStatus.DEACTIVATED]
        return self.filter(
            Q(status__in=ended, ended_at__lt=cutoff)
            | Q(status=SubscriberStatus.PENDING, requested_at__lt=expired)
        )


class Subscriber(models.Model):
    """An address that asked for the weekly mail. It is mailed only once it confirmed (double
    opt-in); `key` is the secret its confirmation and unsubscribe links are signed over, so no
    link carries the address itself."""

    email = models.EmailField(_("email address"), max_length=254)
    language = models.CharField(
        _("language"), max_length=8, choices=settings.LANGUAGES, default=settings.LANGUAGE_CODE
    )
    topics = models.ManyToManyField(
        Topic,
        verbose_name=_("topics"),
        blank=True,
        related_name="subscribers",
        help_text=_("Only posts about these topics; none: every post."),
    )
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=SubscriberStatus.choices,
        default=SubscriberStatus.PENDING,
        db_index=True,
    )
    key = models.CharField(max_length=32, unique=True, default=new_subscriber_key, editable=False)
    created = models.DateTimeField(_("created"), auto_now_add=True)
    requested_at = models.DateTimeField(_("confirmation mail sent"), null=True, blank=True)
    confirmed_at = models.DateTimeField(_("confirmed"), null=True, blank=True)
    ended_at = models.DateTimeField(_("left"), null=True, blank=True)
    end_reason = models.CharField(_("why it left"), max_length=500, blank=True)

    objects = SubscriberQuerySet.as_manager()

    class Meta:
        verbose_name = _("subscriber")
        verbose_name_plural = _("subscribers")
        ordering = ["-created"]
        constraints = [
            models.UniqueConstraint(Lower("email"), name="unique_subscriber_email"),
        ]
        permissions = [("export_subscriber", _("Can export the subscriber list"))]

    def __str__(self):
        return self.email

    @property
    def is_active(self):
        return self.status == SubscriberStatus.ACTIVE


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("pending")
    SENDING = "sending", _("sending")
    SENT = "sent", _("sent")
    FAILED = "failed", _("failed")


class DeliveryQuerySet(models.QuerySet):
    def due(self, now=None):
        """Pending deliveries whose (next) attempt has come."""
        now = now or timezone.now()
        return self.filter(status=DeliveryStatus.PENDING, retry_at__lte=now)

    def status_counts(self):
        """{status: count} in one query."""
        rows = self.order_by().values_list("status").annotate(count=Count("id"))
        return dict(rows)


class Delivery(models.Model):
    """One week's mail to one subscriber: at most one row per pair, ever, so at most one mail.

    A sender claims the row (pending → sending) in its own transaction before it talks to the
    mail server, and marks it sent (or failed) after. A worker that dies in between leaves the
    row `sending`: it is never tried again, since the server may have taken the mail; the admin
    shows it as interrupted."""

    week = models.ForeignKey(
        Week, verbose_name=_("week"), on_delete=models.CASCADE, related_name="deliveries"
    )
    subscriber = models.ForeignKey(
        Subscriber,
        verbose_name=_("subscriber"),
        on_delete=models.CASCADE,
        related_name="deliveries",
    )
    status = models.CharField(
        _("status"), max_length=16, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    retry_at = models.DateTimeField(_("next attempt"), default=timezone.now)
    claimed_at = models.DateTimeField(_("claimed"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    error = models.CharField(_("reason"), max_length=500, blank=True)
    created = models.DateTimeField(_("created"), auto_now_add=True)

    objects = DeliveryQuerySet.as_manager()

    class Meta:
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        ordering = ["week", "id"]
        constraints = [
            models.UniqueConstraint(fields=["week", "subscriber"], name="one_delivery_per_pair"),
        ]
        indexes = [
            models.Index(fields=["week", "status", "retry_at"], name="delivery_due"),
        ]

    def __str__(self):
        return f"{self.week_id} → {self.subscriber_id}: {self.status}"


class SearchDocument(models.Model):
    """What search reads of one post or week: its text, normalised, in three ranks (title,
    summary, the rest); written by archive/search.py with every change of the content."""

    post = models.OneToOneField(
        Post, null=True, on_delete=models.CASCADE, related_name="search_document"
    )
    week = models.OneToOneField(
        Week, null=True, on_delete=models.CASCADE, related_name="search_document"
    )
    day = models.DateField(_("day"))
    bucket = models.IntegerField(_("calendar week"))
    title = models.TextField(_("title"), blank=True)
    summary = models.TextField(_("summary"), blank=True)
    rest = models.TextField(_("rest"), blank=True)

    class Meta:
        verbose_name = _("search document")
        verbose_name_plural = _("search documents")
        constraints = [
            models.CheckConstraint(
                condition=Q(post__isnull=False, week__isnull=True)
                | Q(post__isnull=True, week__isnull=False),
                name="search_document_of_one",
            )
        ]
        indexes = [models.Index(fields=["bucket"], name="search_document_bucket")]

    def __str__(self):
        return f"post {self.post_id}" if self.post_id else f"week {self.week_id}"


class SearchPosting(models.Model):
    """The documents of one calendar week whose text up to one rank holds a gram (a character
    or two); archive/search.py explains them."""

    gram = models.CharField(_("gram"), max_length=2)
    tier = models.PositiveSmallIntegerField(_("tier"))
    bucket = models.IntegerField(_("calendar week"))
    # Their ids, separated by spaces.
    documents = models.TextField(_("documents"))

    class Meta:
        verbose_name = _("search posting")
        verbose_name_plural = _("search postings")
        constraints = [
            models.UniqueConstraint(fields=["gram", "tier", "bucket"], name="search_posting_key")
        ]
        indexes = [models.Index(fields=["bucket"], name="search_posting_bucket")]

    def __str__(self):
        return f"{self.gram!r} ≤{self.tier} in week {self.bucket}"

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.db import models, transaction
from django.db.models import Count, Exists, Func, IntegerField, Max, OuterRef, Prefetch, Q, Subquery
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _
from taggit.managers import TaggableManager
from taggit.models import Tag, TaggedItemBase

from archive.normalize import (
    MAX_URL_LENGTH,
    InvalidURL,
    LinkKind,
    detect_kind,
    domain_of,
    normalize_url,
)
from archive.rendering import MARKDOWN_MAX_LENGTH, markdown_problem, render_markdown
from archive.search import matching_posts
from archive.signals import bulk_content_written

SLUG_MAX_LENGTH = 100


def markdown_field(verbose_name, help_text=""):
    return models.TextField(
        verbose_name,
        blank=True,
        max_length=MARKDOWN_MAX_LENGTH,
        validators=[MaxLengthValidator(MARKDOWN_MAX_LENGTH)],
        help_text=help_text or _("Markdown. Quotes with >, lists, links, ``` code blocks."),
    )


class Status(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")


class CuratedQuerySet(models.QuerySet):
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

    def publish(self):
        """Publish every row; a row published before keeps its first publication time."""
        now = timezone.now()
        self.filter(published_at__isnull=True).update(published_at=now)
        return self.update(status=Status.PUBLISHED, updated=now)

    def unpublish(self):
        return self.update(status=Status.DRAFT, updated=timezone.now())

    def update(self, **kwargs):
        # Which rows, read before the update can take them out of this QuerySet's filter: caches
        # of readers' pages forget exactly what showed them.
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


class Curated(models.Model):
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

    # Pairs of (Markdown field, rendered HTML field), rendered on every save.
    markdown_fields: tuple[tuple[str, str], ...] = ()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        for source, target in self.markdown_fields:
            setattr(self, target, render_markdown(getattr(self, source)))
        if self.status == Status.PUBLISHED and self.published_at is None:
            self.published_at = timezone.now()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            kwargs["update_fields"] = {*update_fields, "published_at", "updated"} | {
                target for _source, target in self.markdown_fields
            }
        super().save(*args, **kwargs)

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
            if problem := markdown_problem(getattr(self, source)):
                errors[source] = [ValidationError(problem, code="too_complex")]
        if errors:
            raise ValidationError(errors)

    @property
    def is_published(self):
        return (
            self.status == Status.PUBLISHED
            and self.published_at is not None
            and self.published_at <= timezone.now()
        )


class LinkQuerySet(models.QuerySet):
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
    created = models.DateTimeField(_("created"), auto_now_add=True)

    objects = LinkQuerySet.as_manager()

    class Meta:
        verbose_name = _("link")
        verbose_name_plural = _("links")
        ordering = ["-created", "-id"]

    def __str__(self):
        return self.title or self.normalized_url or self.url

    def save(self, *args, **kwargs):
        self.normalized_url = normalize_url(self.url)
        self.domain = domain_of(self.normalized_url)
        if not self.kind:
            self.kind = detect_kind(self.normalized_url)
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return self.normalized_url

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


class TaggedPost(TaggedItemBase):
    """A direct foreign key instead of taggit's generic relation, so topic queries join simply."""

    content_object = models.ForeignKey("Post", on_delete=models.CASCADE)

    class Meta:
        verbose_name = _("topic of a post")
        verbose_name_plural = _("topics of posts")
        constraints = [
            models.UniqueConstraint(fields=["content_object", "tag"], name="unique_post_tag")
        ]


class PostQuerySet(CuratedQuerySet):
    def published(self):
        """Readers see a post only when it and its week are both published."""
        # The week is checked by a lookup per post rather than joined, so that the post's own
        # indexes (week, date, publication time, topic) drive every query: joined, a planner
        # without statistics (SQLite's) starts from the weeks' status index instead.
        weeks = self.model._meta.get_field("digest").related_model.objects
        return self.filter(
            self.published_q(), Exists(weeks.filter(self.published_q(), pk=OuterRef("digest")))
        )

    def in_digest_order(self):
        return self.order_by("position", "posted_on", "id")

    def newest_first(self):
        return self.order_by("-posted_on", "-id")

    def for_display(self):
        """Everything a page shows of each post, fetched in three queries however many posts."""
        return self.select_related("source", "digest").prefetch_related(
            Prefetch("post_links", queryset=PostLink.objects.select_related("link")), "tags"
        )

    def search(self, query):
        """Posts that hold every word of the query in their title, summary, comment, or the
        title, label or address of their links; plain substrings, so `모델` finds `모델을`.
        archive/search.py says how each database answers from an index."""
        posts = self
        for term in dict.fromkeys(query.split()):
            posts = posts.filter(matching_posts(self, term))
        return posts

    def topics(self):
        """The topics of these posts, each annotated with how many of these posts it tags."""
        return Tag.objects.filter(archive_taggedpost_items__content_object__in=self).annotate(
            post_count=Count("archive_taggedpost_items")
        )

    def topic_counts_by_digest(self):
        """{digest id: [{name, slug, post_count}, ...] most used first}, in one query."""
        rows = (
            TaggedPost.objects.filter(content_object__in=self)
            .values_list("content_object__digest", "tag__name", "tag__slug")
            .annotate(posts=Count("id"))
            .order_by("content_object__digest", "-posts", "tag__name")
        )
        counts = {}
        for digest_id, name, slug, posts in rows:
            topic = {"name": name, "slug": slug, "post_count": posts}
            counts.setdefault(digest_id, []).append(topic)
        return counts


class Post(Curated):
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
    commentary = markdown_field(_("commentary"), _("The curator's own comment, in Markdown."))
    commentary_html = models.TextField(editable=False, blank=True)
    tags = TaggableManager(verbose_name=_("topics"), through=TaggedPost, blank=True)
    links = models.ManyToManyField(
        Link, verbose_name=_("links"), through="PostLink", related_name="posts", blank=True
    )
    digest = models.ForeignKey(
        "digest.WeeklyDigest",
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
            models.Index(fields=["digest", "position"], name="post_digest_position"),
            models.Index(fields=["published_at", "status"], name="post_published_at"),
            models.Index(fields=["posted_on"], name="post_posted_on"),
        ]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        with transaction.atomic():
            if not self.slug:
                self.slug = self.unique_slug()
            if self.digest_id is None:
                self.place_in_week()
            super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("digest:post", kwargs={"slug": self.slug})

    def unique_slug(self):
        base = slugify(self.title, allow_unicode=True)[: SLUG_MAX_LENGTH - 10].strip("-") or "post"
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
        from digest.models import WeeklyDigest

        self.digest = WeeklyDigest.objects.for_date(self.posted_on)
        last = self.digest.posts.exclude(pk=self.pk).aggregate(last=Max("position"))["last"]
        self.position = 0 if last is None else last + 1


class PostLink(models.Model):
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="post_links")
    link = models.ForeignKey(
        Link, verbose_name=_("link"), on_delete=models.PROTECT, related_name="post_links"
    )
    label = models.CharField(
        _("label"), max_length=200, blank=True, help_text=_("Optional, e.g. “GitHub”.")
    )
    position = models.PositiveIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("link of a post")
        verbose_name_plural = _("links of a post")
        ordering = ["position", "id"]
        constraints = [models.UniqueConstraint(fields=["post", "link"], name="unique_post_link")]

    def __str__(self):
        return self.label or str(self.link)

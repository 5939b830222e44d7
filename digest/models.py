from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Count, Func, IntegerField, OuterRef, Q, Subquery
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from taggit.models import Tag

from archive.models import Curated, CuratedQuerySet, Post, markdown_field
from digest.weeks import IsoWeek


class WeeklyDigestQuerySet(CuratedQuerySet):
    def for_date(self, day):
        """The week holding this day, created as a draft when it does not exist yet."""
        week = IsoWeek.of(day)
        digest, _created = self.get_or_create(year=week.year, week=week.week)
        return digest

    def newest_first(self):
        return self.order_by("-year", "-week")

    def with_post_count(self):
        """Annotate each week with its number of posts, drafts included (the curator's count)."""
        return self.annotate(post_count=Count("posts"))

    def with_published_post_count(self):
        """Annotate each week with its number of published posts (whether the week itself is
        published is for the caller to filter). A subquery per week rather than a GROUP BY, so
        that `[:8]` of the newest weeks counts the posts of 8 weeks, not of the whole archive."""
        posts = Post.objects.filter(self.published_q(), digest=OuterRef("pk")).order_by()
        count = posts.annotate(count=Func("pk", function="COUNT")).values("count")
        return self.annotate(post_count=Subquery(count, output_field=IntegerField()))

    def before(self, digest):
        """The nearest of these weeks before `digest`; None when there is none."""
        # `year__lte` bounds the index range; the OR alone would make it walk from the newest.
        earlier = Q(year__lt=digest.year) | Q(year=digest.year, week__lt=digest.week)
        return self.filter(earlier, year__lte=digest.year).newest_first().first()

    def after(self, digest):
        later = Q(year__gt=digest.year) | Q(year=digest.year, week__gt=digest.week)
        return self.filter(later, year__gte=digest.year).order_by("year", "week").first()

    def years(self):
        """[(year, number of weeks), ...] newest year first, in one query."""
        return list(self.order_by("-year").values_list("year").annotate(weeks=Count("id")))


class WeeklyDigest(Curated):
    year = models.PositiveSmallIntegerField(
        _("year"), validators=[MinValueValidator(1), MaxValueValidator(9999)]
    )
    week = models.PositiveSmallIntegerField(
        _("week"), validators=[MinValueValidator(1), MaxValueValidator(53)]
    )
    title = models.CharField(
        _("title"), max_length=300, blank=True, help_text=_("Leave empty to use the week's label.")
    )
    intro = markdown_field(_("intro"))
    intro_html = models.TextField(editable=False, blank=True)
    outro = markdown_field(_("outro"))
    outro_html = models.TextField(editable=False, blank=True)

    objects = WeeklyDigestQuerySet.as_manager()

    markdown_fields = (("intro", "intro_html"), ("outro", "outro_html"))

    class Meta:
        verbose_name = _("weekly digest")
        verbose_name_plural = _("weekly digests")
        ordering = ["-year", "-week"]
        constraints = [
            models.UniqueConstraint(fields=["year", "week"], name="unique_iso_week"),
            models.CheckConstraint(
                condition=models.Q(week__gte=1, week__lte=53), name="week_in_range"
            ),
        ]
        indexes = [
            # The newest published weeks (home, archive, neighbours) in index order, no sort.
            models.Index(fields=["status", "year", "week"], name="digest_status_week"),
            # The latest publication time, for digest.freshness.
            models.Index(fields=["published_at", "status"], name="digest_published_at"),
        ]

    def __str__(self):
        return self.display_title

    def clean(self):
        if self.year and self.week:
            try:
                IsoWeek(self.year, self.week)
            except ValueError:
                raise ValidationError(
                    {
                        "week": _("%(year)s has no ISO week %(week)s.")
                        % {"year": self.year, "week": self.week}
                    }
                ) from None

    def get_absolute_url(self):
        return reverse("digest:week", kwargs={"year": self.year, "week": self.week})

    @property
    def iso_week(self):
        return IsoWeek(self.year, self.week)

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
        if (get_language() or "ko").startswith("ko"):
            return self.korean_label
        return self.english_label

    @property
    def date_range(self):
        if (get_language() or "ko").startswith("ko"):
            return self.iso_week.korean_range
        return self.iso_week.english_range

    @property
    def display_title(self):
        return self.title or self.label


class ContentVersion(models.Model):
    """A single row counting the changes a reader could see; digest/freshness.py explains why.

    It lives in the database rather than the cache so that every app server, whatever cache it
    has, agrees on it, and a change commits (or rolls back) together with the content it marks.
    """

    number = models.PositiveBigIntegerField(_("number"), default=0)
    changed_at = models.DateTimeField(_("changed at"))
    # The content state (digest.freshness.Freshness.state) that TopicCount was counted in.
    topics_counted_in = models.CharField(_("topics counted in"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("content version")
        verbose_name_plural = _("content versions")

    def __str__(self):
        return f"{self.number} ({self.changed_at:%Y-%m-%d %H:%M:%S})"


class TopicCount(models.Model):
    """How many published posts each topic has: every reader page lists topics with their counts,
    and counting them is a pass over the whole archive. digest/topics.py counts them again when
    the content's state is no longer the one they were counted in."""

    tag = models.OneToOneField(
        Tag, on_delete=models.CASCADE, primary_key=True, related_name="published_count"
    )
    post_count = models.PositiveIntegerField(_("published posts"))

    class Meta:
        verbose_name = _("topic count")
        verbose_name_plural = _("topic counts")

    def __str__(self):
        return f"{self.tag_id}: {self.post_count}"

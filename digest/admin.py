from django.contrib import admin, messages
from django.db import models
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from archive.admin import TamperedListInputMixin
from archive.forms import LabelledSplitDateTime, TabularInlineFormSet
from archive.history import record_status_change
from archive.models import Post, Status
from digest.admin_actions import download_markdown
from digest.forms import WeeklyDigestAdminForm
from digest.models import WeeklyDigest
from digest.services import publish_with_posts


class PostInline(admin.TabularInline):
    """The week's running order: reorder by position, open a post to edit it."""

    model = Post
    formset = TabularInlineFormSet
    fields = ["position", "title", "status"]
    readonly_fields = ["title", "status"]
    ordering = ["position", "posted_on", "id"]
    extra = 0
    can_delete = False
    show_change_link = True
    verbose_name_plural = _("posts, in reading order")

    def has_add_permission(self, request, obj=None):
        # A post needs more than a row here; it is written on its own page.
        return False


@admin.register(WeeklyDigest)
class WeeklyDigestAdmin(TamperedListInputMixin, admin.ModelAdmin):
    form = WeeklyDigestAdminForm
    inlines = [PostInline]
    formfield_overrides = {models.DateTimeField: {"widget": LabelledSplitDateTime}}
    list_display = ["__str__", "iso_label", "status", "published_at", "post_count", "page"]
    list_filter = ["status", "year"]
    search_fields = ["title", "intro", "outro"]
    ordering = ["-year", "-week"]
    actions = ["publish", "publish_with_posts", "unpublish", download_markdown]
    fieldsets = [
        (None, {"fields": [("year", "week"), "title", "version"]}),
        (_("Text"), {"fields": ["intro", "outro"]}),
        (_("Publishing"), {"fields": ["status", "published_at"]}),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).with_post_count()

    @admin.display(description=_("ISO week"), ordering=("year", "week"))
    def iso_label(self, digest):
        return digest.iso_label

    @admin.display(description=_("posts"), ordering="post_count")
    def post_count(self, digest):
        return digest.post_count

    @admin.display(description=_("page"))
    def page(self, digest):
        """Readers' page of a published week; staff see a draft there as a preview."""
        label = _("View") if digest.is_published else _("Preview")
        return format_html('<a href="{}">{}</a>', digest.get_absolute_url(), label)

    @admin.action(description=_("Publish the selected weeks"), permissions=["change"])
    def publish(self, request, queryset):
        with record_status_change(request.user, queryset, Status.PUBLISHED):
            count = queryset.publish()
        self.message_user(
            request,
            ngettext(
                "%(count)d week published; its draft posts stay drafts.",
                "%(count)d weeks published; their draft posts stay drafts.",
                count,
            )
            % {"count": count},
            messages.SUCCESS,
        )

    @admin.action(
        description=_("Publish the selected weeks with all their posts"), permissions=["change"]
    )
    def publish_with_posts(self, request, queryset):
        their_posts = Post.objects.filter(digest__in=queryset)
        with (
            record_status_change(request.user, queryset, Status.PUBLISHED),
            record_status_change(request.user, their_posts, Status.PUBLISHED),
        ):
            weeks, posts = publish_with_posts(queryset)
        self.message_user(
            request,
            _("Published %(weeks)d week(s) and the %(posts)d post(s) in them.")
            % {"weeks": weeks, "posts": posts},
            messages.SUCCESS,
        )

    @admin.action(description=_("Unpublish the selected weeks"), permissions=["change"])
    def unpublish(self, request, queryset):
        with record_status_change(request.user, queryset, Status.DRAFT):
            count = queryset.unpublish()
        self.message_user(
            request,
            ngettext(
                "%(count)d week is a draft again; readers no longer see it or its posts.",
                "%(count)d weeks are drafts again; readers no longer see them or their posts.",
                count,
            )
            % {"count": count},
            messages.SUCCESS,
        )

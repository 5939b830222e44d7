from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import GroupAdmin, UserAdmin
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from taggit.models import Tag

from archive.forms import (
    LabelledSplitDateTime,
    LinkAdminForm,
    MoveToWeekForm,
    PostAdminForm,
    PostLinkFormSet,
    PostLinkInlineForm,
)
from archive.history import record_status_change
from archive.models import Link, Post, PostLink, Status
from archive.normalize import InvalidURL, LinkKind, normalize_url
from digest.services import move_posts_to_week

admin.site.site_header = _("Jugan curation")
admin.site.site_title = _("Jugan curation")
admin.site.index_title = _("This week's work")


class TamperedListInputMixin:
    """A list that answers a tampered request the way the admin answers an odd one.

    Django passes the ticked rows' ids to an action unchecked, so `_selected_action=abc` was a
    server error: such ids are dropped, and with none left the admin says no item was selected.
    The list takes any field lookup from its query, and a value Python or the database cannot
    take in one (`?taggedpost=99999999999999999999` on SQLite, `?created__year=0`) failed when
    the list was counted: that is a bad lookup like any other, so the admin shows the list
    without it and says so.
    """

    def response_action(self, request, queryset):
        selected = request.POST.getlist(ACTION_CHECKBOX_NAME)
        valid = [value for value in selected if self.is_primary_key(value)]
        if valid != selected:
            request.POST = request.POST.copy()
            request.POST.setlist(ACTION_CHECKBOX_NAME, valid)
        return super().response_action(request, queryset)

    def is_primary_key(self, value):
        """Whether the value could be a row's primary key: a number the database can hold."""
        primary_key = self.model._meta.pk
        try:
            primary_key.run_validators(primary_key.to_python(value))
        except ValidationError:
            return False
        return True

    def get_changelist_instance(self, request):
        # The list is counted here: a lookup value the database cannot take fails now.
        try:
            return super().get_changelist_instance(request)
        except (ValueError, OverflowError) as error:
            raise IncorrectLookupParameters(error) from error


class LinkKindFilter(admin.SimpleListFilter):
    """Posts whose source or any of whose links is of a kind: "posts with a paper"."""

    title = _("link kind")
    parameter_name = "link_kind"

    def lookups(self, request, model_admin):
        return LinkKind.choices

    def queryset(self, request, queryset):
        kind = self.value()
        if not kind:
            return queryset
        links_of_kind = PostLink.objects.filter(post=OuterRef("pk"), link__kind=kind)
        return queryset.filter(Q(source__kind=kind) | Exists(links_of_kind))


class PostLinkInline(admin.TabularInline):
    model = PostLink
    form = PostLinkInlineForm
    formset = PostLinkFormSet
    fields = ["url", "label", "position"]
    extra = 3
    verbose_name = _("link")
    verbose_name_plural = _("links (in order; paste an address, a link saved before is reused)")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("link")


@admin.register(Post)
class PostAdmin(TamperedListInputMixin, admin.ModelAdmin):
    form = PostAdminForm
    formfield_overrides = {models.DateTimeField: {"widget": LabelledSplitDateTime}}
    inlines = [PostLinkInline]
    list_display = ["title", "status", "week", "posted_on", "topics", "source_domain", "curator"]
    list_filter = ["status", "tags", ("digest", admin.RelatedOnlyFieldListFilter), LinkKindFilter]
    list_select_related = ["digest", "source", "curator"]
    search_fields = ["title", "summary", "commentary", "source__url", "links__url"]
    date_hierarchy = "posted_on"
    actions = ["publish", "unpublish", "move_to_week"]
    fieldsets = [
        (None, {"fields": ["title", "source_url", "posted_on", "tags", "version"]}),
        (_("Text"), {"fields": ["summary", "commentary"]}),
        (
            _("Publishing"),
            {"fields": ["status", "published_at", "digest", "position", "curator", "slug"]},
        ),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("tags")

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "curator":
            kwargs["queryset"] = get_user_model().objects.filter(is_staff=True)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_changeform_initial_data(self, request):
        """Prefill from the bookmarklet: `?url=&title=&text=` (text becomes a quote)."""
        initial = super().get_changeform_initial_data(request)
        initial.setdefault("curator", request.user.pk)
        initial.setdefault("posted_on", timezone.localdate())
        if url := initial.pop("url", "").strip():
            initial["source_url"] = url
        if text := initial.pop("text", "").strip():
            initial["summary"] = "\n".join(f"> {line}".rstrip() for line in text.splitlines())
        return initial

    def get_search_results(self, request, queryset, search_term):
        """A pasted address finds the posts using that link, whatever tracking it carries."""
        results, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        try:
            normalized = normalize_url(search_term)
        except InvalidURL:
            return results, may_have_duplicates
        using = PostLink.objects.filter(post=OuterRef("pk"), link__normalized_url=normalized)
        return results | queryset.filter(
            Q(source__normalized_url=normalized) | Exists(using)
        ), may_have_duplicates

    @admin.display(description=_("week"), ordering="digest")
    def week(self, post):
        return post.digest.label if post.digest else "-"

    @admin.display(description=_("topics"))
    def topics(self, post):
        return ", ".join(sorted(tag.name for tag in post.tags.all()))

    @admin.display(description=_("source"), ordering="source__domain")
    def source_domain(self, post):
        return post.source.domain if post.source else "-"

    @admin.action(description=_("Publish the selected posts"), permissions=["change"])
    def publish(self, request, queryset):
        with record_status_change(request.user, queryset, Status.PUBLISHED):
            count = queryset.publish()
        self.message_user(
            request,
            ngettext("%(count)d post published.", "%(count)d posts published.", count)
            % {"count": count},
            messages.SUCCESS,
        )
        hidden = queryset.exclude(queryset.published_q("digest__")).count()
        if hidden:
            self.message_user(
                request,
                ngettext(
                    "%(count)d of them is in a week that is not published yet; readers see it "
                    "once its week is published.",
                    "%(count)d of them are in weeks that are not published yet; readers see "
                    "them once their week is published.",
                    hidden,
                )
                % {"count": hidden},
                messages.WARNING,
            )

    @admin.action(description=_("Unpublish the selected posts"), permissions=["change"])
    def unpublish(self, request, queryset):
        with record_status_change(request.user, queryset, Status.DRAFT):
            count = queryset.unpublish()
        self.message_user(
            request,
            ngettext("%(count)d post is a draft again.", "%(count)d posts are drafts again.", count)
            % {"count": count},
            messages.SUCCESS,
        )

    @admin.action(description=_("Move the selected posts to another week…"), permissions=["change"])
    def move_to_week(self, request, queryset):
        form = MoveToWeekForm(request.POST if "apply" in request.POST else None)
        if form.is_valid():
            digest, moved = move_posts_to_week(queryset, form.cleaned_data["week"])
            self.message_user(
                request,
                ngettext(
                    "%(count)d post moved to %(week)s.", "%(count)d posts moved to %(week)s.", moved
                )
                % {"count": moved, "week": digest.iso_label},
                messages.SUCCESS,
            )
            return None
        return TemplateResponse(
            request,
            "admin/archive/post/move_to_week.html",
            {
                **self.admin_site.each_context(request),
                "title": _("Move posts to another week"),
                "opts": self.opts,
                "form": form,
                "posts": queryset,
                "action_checkbox_name": ACTION_CHECKBOX_NAME,
                "action": "move_to_week",
            },
        )


@admin.register(Link)
class LinkAdmin(TamperedListInputMixin, admin.ModelAdmin):
    form = LinkAdminForm
    list_display = ["__str__", "domain", "kind", "post_count", "created"]
    list_filter = ["kind"]
    search_fields = ["url", "normalized_url", "title", "domain"]
    readonly_fields = ["normalized_url", "domain"]
    fields = ["url", "normalized_url", "domain", "kind", "title", "description"]

    def get_queryset(self, request):
        return super().get_queryset(request).with_post_count()

    @admin.display(description=_("posts"), ordering="post_count")
    def post_count(self, link):
        return link.post_count

    def get_deleted_objects(self, objs, request):
        """A link still in use is protected: name the posts that use it, not their rows."""
        deleted, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        if protected:
            using = Post.objects.filter(Q(source__in=objs) | Q(links__in=objs)).distinct()
            protected = [
                format_html(
                    '{}: <a href="{}">{}</a>',
                    Post._meta.verbose_name.capitalize(),
                    reverse("admin:archive_post_change", args=[post.pk]),
                    post.title,
                )
                for post in using.order_by("-posted_on", "-id")
            ]
        return deleted, counts, perms_needed, protected


# taggit's own Tag admin merges tags through its generic TaggedItem, which Jugan's posts do not
# use (they have TaggedPost): its "Merge selected tags" said the tags were merged and changed no
# post, and its merge page failed with a 500 when opened without a selection. Topics are edited
# here without it.
admin.site.unregister(Tag)


@admin.register(Tag)
class TopicAdmin(TamperedListInputMixin, admin.ModelAdmin):
    list_display = ["name", "slug"]
    ordering = ["name", "slug"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}


# Django's own user and group lists answer tampered action ids the same way.
admin.site.unregister(get_user_model())
admin.site.unregister(Group)


@admin.register(get_user_model())
class GuardedUserAdmin(TamperedListInputMixin, UserAdmin):
    pass


@admin.register(Group)
class GuardedGroupAdmin(TamperedListInputMixin, GroupAdmin):
    pass

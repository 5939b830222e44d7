import contextlib
import io
import zipfile
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.admin.options import IS_POPUP_VAR, IncorrectLookupParameters
from django.contrib.admin.utils import unquote
from django.contrib.auth import get_permission_codename, get_user_model
from django.contrib.auth.admin import GroupAdmin, UserAdmin
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.db.models import Case, Count, Exists, OuterRef, Q, Value, When
from django.db.models.functions import Lower
from django.http import HttpResponse, HttpResponseRedirect, JsonResponse
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from taggit.models import Tag

from archive import search
from archive.capture import (
    as_quote,
    confirmation_key,
    featured_notice,
    is_community_thread,
    posts_featuring,
)
from archive.delivery import delivery_summary, queue_week_delivery
from archive.export import week_markdown
from archive.forms import (
    AboutPageAdminForm,
    LabelledSplitDateTime,
    LinkAdminForm,
    MergeTopicsForm,
    MoveToWeekForm,
    PostAdminForm,
    PostLinkFormSet,
    PostLinkInlineForm,
    TabularInlineFormSet,
    WeekAddForm,
    WeekAdminForm,
)
from archive.history import record_status_change
from archive.markdown_limits import markdown_problem
from archive.markdown_urls import normalize_markdown_urls
from archive.models import (
    AboutPage,
    Delivery,
    Link,
    Post,
    PostLink,
    Status,
    Subscriber,
    Topic,
    Week,
)
from archive.normalize import InvalidURL, LinkKind, normalize_url
from archive.rendering import render_markdown
from archive.services import (
    OrderOutdated,
    PublishingRefused,
    merge_topics,
    move_posts_to_week,
    move_within_week,
    order_week,
    plan_publication,
    publish_week,
    unpublish_posts,
    unpublish_week,
    weeks_left_empty,
)
from archive.subscriptions import unsubscribe
from archive.tasks import fetch_metadata_after_commit

admin.site.site_header = _("Jugan curation")
admin.site.site_title = _("Jugan curation")
admin.site.index_title = _("This week's work")


class IndexedOnceMixin:
    """A change sent through the admin (a form with its inlines and topics, an action, edits in
    the list) is written to the search index once, at its end, in its transaction, rather than
    after each row it saves (`archive.search.deferred`)."""

    def changeform_view(self, request, *args, **kwargs):
        with self._indexed_once(request):
            return super().changeform_view(request, *args, **kwargs)

    def changelist_view(self, request, *args, **kwargs):
        with self._indexed_once(request):
            return super().changelist_view(request, *args, **kwargs)

    def delete_view(self, request, *args, **kwargs):
        with self._indexed_once(request):
            return super().delete_view(request, *args, **kwargs)

    @staticmethod
    def _indexed_once(request):
        if request.method != "POST":
            return contextlib.nullcontext()
        return search.deferred()


class TamperedListInputMixin(IndexedOnceMixin):
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


# The post form's hidden fields: the edit-conflict version, the confirmed "already featured".
HIDDEN_FIELDS = ["version", "confirmed_featured"]


@admin.register(Post)
class PostAdmin(TamperedListInputMixin, admin.ModelAdmin):
    form = PostAdminForm
    formfield_overrides = {models.DateTimeField: {"widget": LabelledSplitDateTime}}
    inlines = [PostLinkInline]
    list_display = [
        "title", "status", "week_label", "posted_on", "topic_names", "source_domain", "curator",
    ]  # fmt: skip
    list_filter = ["status", "topics", ("week", admin.RelatedOnlyFieldListFilter), LinkKindFilter]
    list_select_related = ["week", "source", "curator"]
    search_fields = ["title", "summary", "commentary", "source__url", "links__url"]
    date_hierarchy = "posted_on"
    actions = ["publish", "unpublish", "move_to_week"]
    fieldsets = [
        (None, {"fields": ["title", "source_url", "posted_on", "topics", *HIDDEN_FIELDS]}),
        (_("Text"), {"fields": ["summary", "commentary"]}),
        (
            _("Publishing"),
            {"fields": ["status", "published_at", "week", "position", "curator", "slug"]},
        ),
    ]

    class Media:
        js = ["js/topic-suggestions.js", "js/markdown-preview.js"]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("topics")

    def get_urls(self):
        preview = self.admin_site.admin_view(self.preview)
        return [path("preview/", preview, name="archive_markdown_preview"), *super().get_urls()]

    def preview(self, request):
        """Markdown as readers will see it, rendered by the pipeline that renders it when saved
        (addresses normalised, then `archive.rendering`): the summary, comment, intro and outro
        fields show it under them (static/js/markdown-preview.js). Staff only; writes nothing."""
        if request.method != "POST":
            return JsonResponse({"error": gettext("Send the text with POST.")}, status=405)
        text = request.POST.get("text", "")
        if problem := markdown_problem(normalize_markdown_urls(text)):
            return JsonResponse({"error": str(problem)}, status=422)
        return JsonResponse({"html": render_markdown(normalize_markdown_urls(text))})

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "curator":
            kwargs["queryset"] = get_user_model().objects.filter(is_staff=True)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_changeform_initial_data(self, request):
        """Prefill from the bookmarklet: `?url=&title=&text=`. A community thread's address is
        the source; any other page's becomes the first link (`get_formset_kwargs`); the
        selected text becomes a quote."""
        initial = super().get_changeform_initial_data(request)
        initial.setdefault("curator", request.user.pk)
        initial.setdefault("posted_on", timezone.localdate())
        url = initial.pop("url", "").strip()
        if url and is_community_thread(url):
            initial["source_url"] = url
        if text := initial.pop("text", "").strip():
            initial["summary"] = as_quote(text)
        return initial

    def get_formset_kwargs(self, request, obj, inline, prefix):
        kwargs = super().get_formset_kwargs(request, obj, inline, prefix)
        url = request.GET.get("url", "").strip()
        adding = request.method == "GET" and (obj is None or obj.pk is None)
        if isinstance(inline, PostLinkInline) and adding and url and not is_community_thread(url):
            kwargs["initial"] = [{"url": url}]
        return kwargs

    def response_add(self, request, obj, post_url_continue=None):
        response = super().response_add(request, obj, post_url_continue)
        return self.to_the_board(request, obj) or response

    def response_change(self, request, obj):
        response = super().response_change(request, obj)
        return self.to_the_board(request, obj) or response

    def to_the_board(self, request, post):
        """ "Save and open the week board": the week the post is in, where the curator orders and
        publishes it (after the admin's own message that the post was saved)."""
        if "_board" in request.POST and post.week_id and IS_POPUP_VAR not in request.POST:
            return HttpResponseRedirect(reverse("admin:archive_week_board", args=[post.week_id]))
        return None

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        form = context["adminform"].form
        if request.method == "GET" and not form.is_bound:
            if add:
                self.warn_when_already_featured(request, context, form)
            elif obj is not None:
                self.add_what_the_curator_brought(request, form)
        return super().render_change_form(request, context, add, change, form_url, obj)

    def warn_when_already_featured(self, request, context, form):
        """The bookmarklet's page is featured already: say where, before anything is typed.
        Saving a new post anyway needs no second save (this warning was the one)."""
        url = request.GET.get("url", "").strip()
        posts = posts_featuring([url]) if url else []
        text = request.GET.get("text", "").strip()
        context["already_featured"] = [featured_notice(post, text=text) for post in posts]
        form.initial["confirmed_featured"] = confirmation_key(posts)

    def add_what_the_curator_brought(self, request, form):
        """`?text=` (a quote) and `?comment=` from an "add this to that post" link, added to the
        post's summary and comment in the form, for the curator to check and save."""
        for parameter, field, prepare in (
            ("text", "summary", as_quote),
            ("comment", "commentary", str.strip),
        ):
            if addition := prepare(request.GET.get(parameter, "")):
                current = form.initial.get(field) or ""
                form.initial[field] = f"{current.rstrip()}\n\n{addition}".strip()

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

    @admin.display(description=_("week"), ordering="week")
    def week_label(self, post):
        return post.week.label if post.week else "-"

    @admin.display(description=_("topics"))
    def topic_names(self, post):
        return ", ".join(sorted(topic.name for topic in post.topics.all()))

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
        hidden = queryset.exclude(queryset.published_q("week__")).count()
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
        try:
            count = unpublish_posts(queryset, user=request.user)
        except PublishingRefused as refusal:
            self.message_user(request, str(refusal), messages.ERROR)
            return
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
            try:
                week, moved = move_posts_to_week(queryset, form.cleaned_data["week"])
            except PublishingRefused as refusal:
                self.message_user(request, str(refusal), messages.ERROR)
                return None
            self.message_user(
                request,
                ngettext(
                    "%(count)d post moved to %(week)s.", "%(count)d posts moved to %(week)s.", moved
                )
                % {"count": moved, "week": week.iso_label},
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

    def get_deleted_objects(self, objs, request):
        """A published week's last readable posts cannot be deleted: readers would find the
        week empty. The week is named, to be unpublished first."""
        deleted, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        posts = Post.objects.filter(pk__in=[post.pk for post in objs])
        protected = [
            *protected,
            *(
                format_html(
                    '{}: <a href="{}">{}</a>. {}',
                    Week._meta.verbose_name.capitalize(),
                    reverse("admin:archive_week_change", args=[week.pk]),
                    week.iso_label,
                    gettext(
                        "It is published, and these are its only readable posts: unpublish it "
                        "first, or publish another of its posts."
                    ),
                )
                for week in weeks_left_empty(posts)
            ),
        ]
        return deleted, counts, perms_needed, protected


@admin.register(Link)
class LinkAdmin(TamperedListInputMixin, admin.ModelAdmin):
    form = LinkAdminForm
    list_display = ["__str__", "domain", "kind", "page_status", "post_count", "created"]
    list_filter = ["kind", "fetch_status"]
    search_fields = ["url", "normalized_url", "title", "domain"]
    readonly_fields = ["normalized_url", "domain", "page_status", "fetched_at", "fetch_error"]
    fieldsets = [
        (None, {"fields": ["url", "normalized_url", "domain", "kind", "title", "description"]}),
        (
            _("From the page"),
            {
                "description": _(
                    "Read in the background when the link is created; what the page says only "
                    "fills fields that are empty, so empty a field to have it read again."
                ),
                "fields": [
                    "site_name",
                    "image_url",
                    "canonical_url",
                    "language",
                    "page_status",
                    "fetched_at",
                    "fetch_error",
                ],
            },
        ),
    ]
    actions = ["fetch_again"]

    def get_queryset(self, request):
        return super().get_queryset(request).with_post_count()

    @admin.display(description=_("posts"), ordering="post_count")
    def post_count(self, link):
        return link.post_count

    @admin.display(description=_("page"), ordering="fetch_status")
    def page_status(self, link):
        if link.fetch_status:
            return link.get_fetch_status_display()
        return _("Not read yet")

    @admin.action(description=_("Fetch again"), permissions=["change"])
    def fetch_again(self, request, queryset):
        if not settings.LINK_METADATA_FETCH:
            self.message_user(
                request,
                _("Pages are not read on this site (LINK_METADATA_FETCH is off)."),
                messages.WARNING,
            )
            return
        link_ids = list(queryset.values_list("pk", flat=True))
        fetch_metadata_after_commit(link_ids)
        self.message_user(
            request,
            ngettext(
                "%(count)d page will be read again in the background; reload in a few seconds.",
                "%(count)d pages will be read again in the background; reload in a few seconds.",
                len(link_ids),
            )
            % {"count": len(link_ids)},
            messages.SUCCESS,
        )

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


# taggit's own Tag admin edits taggit's Tag, which Jugan does not use (its topics are Topic).
admin.site.unregister(Tag)


@admin.register(Topic)
class TopicAdmin(TamperedListInputMixin, admin.ModelAdmin):
    list_display = ["name", "name_en", "slug"]
    ordering = ["name", "slug"]
    search_fields = ["name", "name_en"]
    fields = ["name", "name_en", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    actions = ["merge"]

    SUGGESTIONS = 10

    @admin.action(description=_("Merge the selected topics…"), permissions=["change", "delete"])
    def merge(self, request, queryset):
        """Asks which topic stays, then merges the others into it (archive.services)."""
        if not (self.has_change_permission(request) and self.has_delete_permission(request)):
            raise PermissionDenied
        topics = queryset.annotate(post_count=Count("post_topics")).order_by(Lower("name"), "pk")
        if topics.count() < 2:
            self.message_user(
                request, gettext("Choose at least two topics to merge."), messages.WARNING
            )
            return None
        form = MergeTopicsForm(topics, request.POST if "apply" in request.POST else None)
        if form.is_valid():
            merge = merge_topics(form.cleaned_data["keep"], topics, user=request.user)
            self.message_user(
                request,
                ngettext(
                    "%(topics)s merged into “%(topic)s”; %(count)d post took it.",
                    "%(topics)s merged into “%(topic)s”; %(count)d posts took it.",
                    merge.posts_moved,
                )
                % {
                    "topics": ", ".join(f"“{topic.name}”" for topic in merge.merged),
                    "topic": merge.kept.name,
                    "count": merge.posts_moved,
                },
                messages.SUCCESS,
            )
            return None
        return TemplateResponse(
            request,
            "admin/archive/topic/merge_topics.html",
            {
                **self.admin_site.each_context(request),
                "title": _("Merge topics"),
                "opts": self.opts,
                "form": form,
                "topics": topics,
                "action_checkbox_name": ACTION_CHECKBOX_NAME,
                "action": "merge",
            },
        )

    def get_urls(self):
        suggest = self.admin_site.admin_view(self.suggest)
        return [path("suggest/", suggest, name="archive_topic_suggest"), *super().get_urls()]

    def suggest(self, request):
        """Topics whose name or English name holds what the curator is typing, those that
        start with it first, then the most used: the post form's topic field offers them
        (static/js/topic-suggestions.js). Read-only, for staff who may see topics."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        term = request.GET.get("q", "").strip()[: Topic._meta.get_field("name").max_length]
        if not term:
            return JsonResponse({"topics": []})
        starts = Q(name__istartswith=term) | Q(name_en__istartswith=term)
        topics = (
            Topic.objects.filter(Q(name__icontains=term) | Q(name_en__icontains=term))
            .annotate(
                later=Case(When(starts, then=Value(0)), default=Value(1)),
                uses=Count("post_topics"),
            )
            .order_by("later", "-uses", Lower("name"))[: self.SUGGESTIONS]
        )
        return JsonResponse(
            {"topics": [{"name": topic.name, "name_en": topic.name_en} for topic in topics]}
        )


class WeekPostInline(admin.TabularInline):
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


@admin.action(description=_("Download as Markdown"))
def download_markdown(modeladmin, request, queryset):
    """The chosen weeks, drafts and all (curators export before publishing): one .md, or a .zip."""
    weeks = list(queryset.order_by("year", "number"))
    if len(weeks) == 1:
        week = weeks[0]
        return HttpResponse(
            week_markdown(week, week.posts.all()),
            content_type="text/markdown; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="{week.iso_label}.md"'},
        )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for week in weeks:
            archive.writestr(f"{week.iso_label}.md", week_markdown(week, week.posts.all()))
    return HttpResponse(
        buffer.getvalue(),
        content_type="application/zip",
        headers={"Content-Disposition": 'attachment; filename="weeks.zip"'},
    )


@admin.register(Week)
class WeekAdmin(TamperedListInputMixin, admin.ModelAdmin):
    """Weeks are published only through the publishing service (archive/services.py), after a
    page showing what goes out: saving the form with the status "published" saves the rest as
    a draft and leads to that page; the list's publish actions show it first too."""

    form = WeekAdminForm
    inlines = [WeekPostInline]
    formfield_overrides = {models.DateTimeField: {"widget": LabelledSplitDateTime}}
    list_display = ["__str__", "iso_label", "status", "published_at", "post_count", "page"]
    list_filter = ["status", "year"]
    search_fields = ["title", "intro", "outro"]
    ordering = ["-year", "-number"]
    actions = ["publish", "publish_with_posts", "unpublish", "send_by_email", download_markdown]
    readonly_fields = ["dates", "email_delivery"]
    fieldsets = [
        (None, {"fields": ["dates", "title", "version"]}),
        (_("Text"), {"fields": ["intro", "outro"]}),
        (_("Publishing"), {"fields": ["status", "published_at"]}),
    ]
    # A new week is chosen by a day in it (WeekAddForm), never by its ISO number; it has no
    # mail yet.
    add_fieldsets = [(None, {"fields": ["day", "title", "version"]}), *fieldsets[1:]]
    fieldsets = [*fieldsets, (_("Email"), {"fields": ["email_delivery"]})]

    class Media:
        js = ["js/markdown-preview.js"]

    def get_queryset(self, request):
        return super().get_queryset(request).with_post_count()

    def get_form(self, request, obj=None, **kwargs):
        if obj is None:
            kwargs["form"] = WeekAddForm
        return super().get_form(request, obj, **kwargs)

    def get_fieldsets(self, request, obj=None):
        return self.fieldsets if obj else self.add_fieldsets

    def get_urls(self):
        publish = path(
            "<path:object_id>/publish/",
            self.admin_site.admin_view(self.publish_view),
            name="archive_week_publish",
        )
        board = path(
            "<path:object_id>/board/",
            self.admin_site.admin_view(self.board_view),
            name="archive_week_board",
        )
        return [publish, board, *super().get_urls()]

    @admin.display(description=_("week"))
    def dates(self, week):
        return format_html(
            "{} ({} – {})",
            week.iso_label,
            date_format(week.start, "DATE_FORMAT"),
            date_format(week.end, "DATE_FORMAT"),
        )

    # The week board: the week in progress on one page.

    def board_view(self, request, object_id):
        """The week's posts in reading order, to reorder (drag and drop with
        static/js/week-board.js, or the move buttons, which are a plain form), with what each
        still lacks, the preview, and the way to publishing it (publish_view)."""
        week = self.get_object(request, unquote(object_id))
        if week is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        if not self.has_view_or_change_permission(request, week):
            raise PermissionDenied
        # Reordering writes the posts' positions: it takes changing the week and its posts.
        can_reorder = self.has_change_permission(request, week) and request.user.has_perm(
            f"{Post._meta.app_label}.{get_permission_codename('change', Post._meta)}"
        )
        if request.method == "POST":
            if not can_reorder:
                raise PermissionDenied
            return self.reorder(request, week)
        posts = list(week.posts.in_reading_order().with_readiness())
        self.focus_moved(posts, request.GET.get("moved", ""))
        return TemplateResponse(
            request,
            "admin/archive/week/board.html",
            {
                **self.admin_site.each_context(request),
                "title": gettext("Week board: %(week)s") % {"week": week.iso_label},
                "opts": self.opts,
                "week": week,
                "original": week,
                "posts": posts,
                "ready_count": sum(not post.missing for post in posts),
                # Said by the script once a dragged post is saved in its place.
                "moved_message": gettext("“%(title)s” is now number %(place)s."),
                "can_reorder": can_reorder,
                "can_publish": self.has_change_permission(request, week),
                "add_post_url": reverse("admin:archive_post_add")
                + "?"
                + urlencode({"week": week.pk, "posted_on": week.start.isoformat()}),
            },
        )

    def reorder(self, request, week):
        """A new order from the board: `order` (every post id, as dragged) or `move`
        ("up-<id>", "down-<id>", a move button). Answers JSON to the script, else goes back to
        the board with the moved post's button focused."""
        wants_json = "application/json" in request.headers.get("Accept", "")
        moved = ""
        try:
            if "order" in request.POST:
                order_week(week, self.ids(request.POST.getlist("order")), user=request.user)
            else:
                direction, _dash, post_id = request.POST.get("move", "").partition("-")
                step = {"up": -1, "down": 1}.get(direction)
                (post_id,) = self.ids([post_id])
                if step is None:
                    raise OrderOutdated(gettext("Choose a post to move up or down."))
                move_within_week(week, post_id, step, user=request.user)
                moved = f"{direction}-{post_id}"
        except OrderOutdated as outdated:
            if wants_json:
                return JsonResponse({"error": str(outdated)}, status=409)
            self.message_user(request, str(outdated), messages.ERROR)
        else:
            if wants_json:
                return JsonResponse({"saved": True})
        board = reverse("admin:archive_week_board", args=[week.pk])
        return HttpResponseRedirect(f"{board}?{urlencode({'moved': moved})}" if moved else board)

    @staticmethod
    def focus_moved(posts, moved):
        """After a move button's round trip (`?moved=up-<id>`), the keyboard is back on that
        post's button for the same direction, or on its other one once it reached an end."""
        direction, _dash, post_id = moved.partition("-")
        for place, post in enumerate(posts):
            post.focus = None
            if str(post.pk) != post_id:
                continue
            first, last = place == 0, place == len(posts) - 1
            if not first and (direction == "up" or last):
                post.focus = "up"
            elif not last:
                post.focus = "down"

    @staticmethod
    def ids(values):
        try:
            return [int(value) for value in values]
        except ValueError:
            raise OrderOutdated(gettext("That is not a post of this week.")) from None

    @admin.display(description=_("ISO week"), ordering=("year", "number"))
    def iso_label(self, week):
        return week.iso_label

    @admin.display(description=_("posts"), ordering="post_count")
    def post_count(self, week):
        return week.post_count

    @admin.display(description=_("page"))
    def page(self, week):
        """Readers' page of a published week; staff see a draft there as a preview."""
        label = _("View") if week.is_published else _("Preview")
        return format_html('<a href="{}">{}</a>', week.get_absolute_url(), label)

    @admin.display(description=_("delivery by email"))
    def email_delivery(self, week):
        """Counts and reasons, no address: curators see how a week went out, and only those
        allowed to see subscribers (the Deliveries list) see to whom."""
        if week is None or week.pk is None:
            return "—"
        return render_to_string(
            "admin/archive/week/email_delivery.html", {"summary": delivery_summary(week)}
        )

    @admin.action(description=_("Send the selected weeks by email"), permissions=["change"])
    def send_by_email(self, request, queryset):
        """Queue the delivery of published weeks: each subscriber who has not had a week gets
        it; nobody gets it twice, however often this is chosen (archive/delivery.py)."""
        sent = []
        for week in queryset.order_by("-year", "-number"):
            if not Week.objects.published().filter(pk=week.pk).exists():
                self.message_user(
                    request,
                    gettext("%(week)s is not published: it cannot be sent.")
                    % {"week": week.iso_label},
                    messages.ERROR,
                )
                continue
            queue_week_delivery(week)
            sent.append(week.iso_label)
        if sent:
            self.message_user(
                request,
                gettext(
                    "Sending %(weeks)s to every subscriber who has not received it yet "
                    "(%(count)d subscribed)."
                )
                % {"weeks": ", ".join(sent), "count": Subscriber.objects.active().count()},
                messages.SUCCESS,
            )

    # The change form: the status is the publishing service's to change.

    def save_model(self, request, obj, form, change):
        obj.status_requested = form.status_change
        if form.status_change:
            obj.status = form.saved_status or Status.DRAFT
        super().save_model(request, obj, form, change)
        if form.status_change == Status.DRAFT:
            unpublish_week(obj, user=request.user)

    def log_change(self, request, obj, message):
        # Saved only to be published or unpublished: the publishing service records that.
        if message or not obj.status_requested:
            super().log_change(request, obj, message)

    def response_add(self, request, obj, post_url_continue=None):
        if confirmation := self.confirm_publishing(request, obj):
            return confirmation
        response = super().response_add(request, obj, post_url_continue)
        staying = {"_continue", "_addanother", "_saveasnew", IS_POPUP_VAR}
        if staying.isdisjoint(request.POST) and IS_POPUP_VAR not in request.GET:
            # A new week is filled in on its board.
            return HttpResponseRedirect(reverse("admin:archive_week_board", args=[obj.pk]))
        return response

    def response_change(self, request, obj):
        return self.confirm_publishing(request, obj) or super().response_change(request, obj)

    def confirm_publishing(self, request, week):
        """Where a form asking to publish the week leads: the page showing what goes out."""
        if week.status_requested != Status.PUBLISHED:
            return None
        self.message_user(
            request,
            gettext("Saved as a draft. Check what goes out, then publish it from this page."),
            messages.INFO,
        )
        return HttpResponseRedirect(reverse("admin:archive_week_publish", args=[week.pk]))

    def publish_view(self, request, object_id):
        """One week's confirmation page, then publishing it with its posts that are ready."""
        week = self.get_object(request, unquote(object_id))
        if week is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        if not self.has_change_permission(request, week):
            raise PermissionDenied
        if request.method == "POST":
            try:
                publication = publish_week(week, user=request.user)
            except PublishingRefused as refusal:
                self.message_user(request, str(refusal), messages.ERROR)
            else:
                self.report_publications(request, [publication])
                return HttpResponseRedirect(reverse("admin:archive_week_change", args=[week.pk]))
        change_url = reverse("admin:archive_week_change", args=[week.pk])
        return self.publishing_page(request, [plan_publication(week)], back_url=change_url)

    # The list's actions.

    @admin.action(
        description=_("Publish the selected weeks with the posts already published…"),
        permissions=["change"],
    )
    def publish(self, request, queryset):
        return self.publish_selected(request, queryset, drafts=False, action="publish")

    @admin.action(
        description=_("Publish the selected weeks with all their posts that are ready…"),
        permissions=["change"],
    )
    def publish_with_posts(self, request, queryset):
        return self.publish_selected(request, queryset, drafts=True, action="publish_with_posts")

    def publish_selected(self, request, queryset, *, drafts, action):
        """The confirmation page; once confirmed, each week is published or refused on its own."""
        weeks = list(queryset.order_by("-year", "-number"))
        if request.POST.get("confirmed") != "yes":
            return self.publishing_page(
                request,
                [plan_publication(week, drafts=drafts) for week in weeks],
                back_url=reverse("admin:archive_week_changelist"),
                action=action,
            )
        publications = []
        for week in weeks:
            try:
                publications.append(publish_week(week, drafts=drafts, user=request.user))
            except PublishingRefused as refusal:
                self.message_user(request, str(refusal), messages.ERROR)
        self.report_publications(request, publications)
        return None

    def publishing_page(self, request, publications, *, back_url, action=None):
        return TemplateResponse(
            request,
            "admin/archive/week/publish_confirmation.html",
            {
                **self.admin_site.each_context(request),
                "title": _("Publish weeks") if action else _("Publish this week"),
                "opts": self.opts,
                "publications": publications,
                "can_publish": any(
                    publication.ready and publication.changes_anything
                    for publication in publications
                ),
                "now": timezone.now(),
                "back_url": back_url,
                "action": action,
                "action_checkbox_name": ACTION_CHECKBOX_NAME,
            },
        )

    def report_publications(self, request, publications):
        for publication in publications:
            week = publication.week.iso_label
            if not publication.changes_anything:
                self.message_user(
                    request,
                    gettext("%(week)s was published already; nothing changed.") % {"week": week},
                    messages.INFO,
                )
                continue
            going_out = len(publication.with_week) + len(publication.later)
            message = ngettext(
                "%(week)s is published with %(count)d post.",
                "%(week)s is published with %(count)d posts.",
                going_out,
            ) % {"week": week, "count": going_out}
            if publication.staying:
                message += " " + ngettext(
                    "%(count)d post stays a draft.",
                    "%(count)d posts stay drafts.",
                    len(publication.staying),
                ) % {"count": len(publication.staying)}
            self.message_user(request, message, messages.SUCCESS)

    @admin.action(description=_("Unpublish the selected weeks"), permissions=["change"])
    def unpublish(self, request, queryset):
        count = sum(unpublish_week(week, user=request.user) for week in queryset)
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


@admin.register(Subscriber)
class SubscriberAdmin(TamperedListInputMixin, admin.ModelAdmin):
    """Addresses, for those given the permission to view subscribers (not the Curators group,
    who see counts on each week). Nobody adds one here: only the address's owner subscribes."""

    list_display = ["email", "status", "language", "topic_list", "confirmed_at", "created"]
    list_filter = ["status", "language"]
    search_fields = ["email"]
    readonly_fields = [
        "email",
        "language",
        "status",
        "created",
        "requested_at",
        "confirmed_at",
        "ended_at",
        "end_reason",
    ]
    fields = [*readonly_fields, "topics"]
    actions = ["unsubscribe_selected"]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("topics")

    def has_add_permission(self, request):
        return False

    @admin.display(description=_("topics"))
    def topic_list(self, subscriber):
        return ", ".join(topic.label for topic in subscriber.topics.all()) or _("all")

    @admin.action(description=_("Unsubscribe the selected addresses"), permissions=["change"])
    def unsubscribe_selected(self, request, queryset):
        for subscriber in queryset:
            unsubscribe(subscriber, reason=f"unsubscribed in the admin by {request.user}")
        self.message_user(request, gettext("Unsubscribed."), messages.SUCCESS)


@admin.register(Delivery)
class DeliveryAdmin(TamperedListInputMixin, admin.ModelAdmin):
    """Each week's mails, one row per subscriber: who got it, who did not and why. Shows
    addresses, so it asks for the permission to view subscribers too."""

    list_display = ["week", "subscriber", "status", "attempts", "sent_at", "error"]
    list_filter = ["status", "week"]
    search_fields = ["subscriber__email", "error"]
    list_select_related = ["week", "subscriber"]
    readonly_fields = [
        "week",
        "subscriber",
        "status",
        "attempts",
        "retry_at",
        "claimed_at",
        "sent_at",
        "error",
        "created",
    ]

    def has_view_permission(self, request, obj=None):
        return super().has_view_permission(request, obj) and request.user.has_perm(
            "archive.view_subscriber"
        )

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


# Django's own user and group lists answer tampered action ids the same way.
@admin.register(AboutPage)
class AboutPageAdmin(admin.ModelAdmin):
    """The one about page: its list leads straight to it (or to writing it, the first time),
    and it is never deleted."""

    form = AboutPageAdminForm
    fieldsets = [
        (_("Community"), {"fields": ["community_name", "community_url"]}),
        (_("Text"), {"fields": ["text", "text_en", "version"]}),
    ]

    def add_view(self, request, form_url="", extra_context=None):
        # Once written, there is only the page to change. (Checked here rather than in
        # has_add_permission, which every admin page's sidebar asks.)
        if AboutPage.objects.exists():
            return HttpResponseRedirect(self.page_url())
        return super().add_view(request, form_url, extra_context)

    def has_delete_permission(self, request, obj=None):
        return False

    def changelist_view(self, request, extra_context=None):
        return HttpResponseRedirect(self.page_url())

    def page_url(self):
        """The about page's form: to change it, or to write it the first time."""
        if AboutPage.objects.exists():
            return reverse("admin:archive_aboutpage_change", args=[AboutPage.ONLY])
        return reverse("admin:archive_aboutpage_add")


admin.site.unregister(get_user_model())
admin.site.unregister(Group)


@admin.register(get_user_model())
class GuardedUserAdmin(TamperedListInputMixin, UserAdmin):
    pass


@admin.register(Group)
class GuardedGroupAdmin(TamperedListInputMixin, GroupAdmin):
    pass

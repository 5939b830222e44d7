"""The curator's forms: a pasted URL becomes a Link, reusing the one it normalises to."""

from django import forms
from django.contrib.admin.widgets import AdminDateWidget, AdminSplitDateTime
from django.core.exceptions import ValidationError
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from django.utils.dateformat import format as date_format
from django.utils.html import format_html
from django.utils.text import capfirst
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from archive.capture import (
    confirmation_key,
    featured_notice,
    normalized_urls,
    posts_featuring,
)
from archive.models import AboutPage, Link, Post, PostLink, Status, Topic, Week, topic_names
from archive.normalize import InvalidURL, normalize_url
from archive.services import plan_publication, weeks_left_empty
from archive.weeks import IsoWeek

URL_MAX_LENGTH = Link._meta.get_field("url").max_length
TOPIC_MAX_LENGTH = Topic._meta.get_field("name").max_length


class LinkURLField(forms.URLField):
    """A pasted address, checked the way a Link will normalise it (so only http and https)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", URL_MAX_LENGTH)
        kwargs.setdefault("assume_scheme", "https")
        kwargs.setdefault("widget", forms.URLInput(attrs={"class": "vURLField"}))
        super().__init__(**kwargs)

    def validate(self, value):
        super().validate(value)
        if value:
            try:
                normalize_url(value)
            except InvalidURL as error:
                raise ValidationError(str(error), code="invalid") from None


class UnlabelledHiddenInput(forms.HiddenInput):
    """The admin writes a label for every field of a row, hidden ones too; a label `for` a
    hidden input is invalid HTML, so this input offers no id to point at."""

    def id_for_label(self, id_):
        return None


class EditConflictForm(forms.ModelForm):
    """A change form that will not save over what someone else saved since it was opened.

    The form carries the row's `updated` time from when it was opened; if the row has been saved
    since (by another curator, or a bulk action), saving is refused with the time of that save
    and the choice to make, and the form then carries the new time, so saving again replaces
    their version knowingly. The check reads the row locked, so two saves cannot both pass it.
    """

    version = forms.CharField(widget=UnlabelledHiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial["version"] = self.instance.updated.isoformat()

    def clean(self):
        cleaned_data = super().clean()
        if not self.instance.pk:
            return cleaned_data
        rows = type(self.instance)._default_manager.filter(pk=self.instance.pk)
        if connection.in_atomic_block:  # the admin saves in a transaction; the lock lasts it
            rows = rows.select_for_update()
        saved = rows.values_list("updated", flat=True).first()
        if saved is not None and cleaned_data.get("version") != saved.isoformat():
            self.data = self.data.copy()
            self.data[self.add_prefix("version")] = saved.isoformat()
            raise ValidationError(
                _(
                    "Someone else saved this %(thing)s at %(time)s, after you opened it, so "
                    "nothing was saved. To keep their changes, open it again in another tab and "
                    "copy yours there; to replace their version with yours, save again."
                )
                % {
                    "thing": self.instance._meta.verbose_name,
                    "time": date_format(timezone.localtime(saved), "H:i"),
                },
                code="edit_conflict",
            )
        return cleaned_data


def offer_preview(form, *names):
    """Markdown fields that show, under them, how readers will see them: the address of the
    preview the script asks for (static/js/markdown-preview.js). Without it they are plain."""
    address = reverse("admin:archive_markdown_preview")
    for name in names:
        form.fields[name].widget.attrs.update(
            {"data-preview": address, "data-preview-label": gettext("Preview")}
        )


class LinkAdminForm(forms.ModelForm):
    url = LinkURLField(label=_("URL as pasted"))
    image_url = forms.URLField(
        label=_("image URL"), required=False, max_length=URL_MAX_LENGTH, assume_scheme="https"
    )
    canonical_url = forms.URLField(
        label=_("canonical URL"), required=False, max_length=URL_MAX_LENGTH, assume_scheme="https"
    )

    class Meta:
        model = Link
        fields = [
            "url", "kind", "title", "description", "site_name", "image_url", "canonical_url",
            "language",
        ]  # fmt: skip


class PostAdminForm(EditConflictForm):
    source_url = LinkURLField(
        label=_("Source"),
        required=False,
        help_text=_(
            "Paste the address of the community thread; a link saved before is reused "
            "whatever tracking parameters the copy carries."
        ),
    )

    class Meta:
        model = Post
        fields = [
            "title", "slug", "posted_on", "topics", "summary", "commentary",
            "status", "published_at", "week", "position", "curator",
        ]  # fmt: skip

    # The posts an "already featured" warning named, once shown: saving with the same ones
    # confirms that this is a new post all the same.
    confirmed_featured = forms.CharField(widget=UnlabelledHiddenInput, required=False)

    # The prefix of the links inline's fields (PostLink.post's related name), whose addresses
    # are checked with the source's.
    LINKS_PREFIX = "post_links"
    MAX_LINK_ROWS = 1000

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.source_id and "source_url" not in self.initial:
            self.initial["source_url"] = self.instance.source.url
        # Still a plain comma-separated text field; with JavaScript it also suggests topics.
        self.fields["topics"].widget.attrs.update(
            {"data-suggestions": reverse("admin:archive_topic_suggest"), "autocomplete": "off"}
        )
        offer_preview(self, "summary", "commentary")

    def submitted_urls(self):
        """The source and link addresses this save would give the post."""
        urls = [self.cleaned_data.get("source_url") or ""]
        try:
            rows = int(self.data.get(f"{self.LINKS_PREFIX}-TOTAL_FORMS", 0))
        except (TypeError, ValueError):
            rows = 0  # the formset reports a broken management form itself
        for row in range(min(max(rows, 0), self.MAX_LINK_ROWS)):
            if not self.data.get(f"{self.LINKS_PREFIX}-{row}-DELETE"):
                urls.append(self.data.get(f"{self.LINKS_PREFIX}-{row}-url") or "")
        return [url for url in urls if url.strip()]

    def warn_when_already_featured(self):
        """Another post already features one of the addresses this save adds: say which, with
        links to add this one's comment there instead; saving again confirms."""
        kept = set()
        if self.instance.pk:  # addresses the post already had were confirmed before
            kept = set(self.instance.links.values_list("normalized_url", flat=True))
            if self.instance.source_id:
                kept.add(self.instance.source.normalized_url)
        added = [url for url in normalized_urls(self.submitted_urls()) if url not in kept]
        posts = posts_featuring(added, excluding=self.instance)
        key = confirmation_key(posts)
        if not posts or self.data.get(self.add_prefix("confirmed_featured")) == key:
            return
        self.data = self.data.copy()
        self.data[self.add_prefix("confirmed_featured")] = key
        comment = self.cleaned_data.get("commentary", "")
        raise ValidationError(
            [featured_notice(post, comment=comment) for post in posts]
            + [_("Nothing was saved. To file it as a new post all the same, save again.")],
            code="already_featured",
        )

    def clean(self):
        cleaned_data = super().clean()
        if self.takes_the_last_readable_post_of_its_week(cleaned_data):
            week = self.instance.week
            self.add_error(
                None,
                gettext(
                    "This is the only readable post of %(week)s, which is published: as a "
                    "draft, in another week or scheduled later, it would leave readers an empty "
                    "week. Unpublish the week first, or publish another of its posts."
                )
                % {"week": week.iso_label},
            )
        self.warn_when_already_featured()
        return cleaned_data

    def takes_the_last_readable_post_of_its_week(self, cleaned_data):
        post = self.instance
        if not post.pk or post.week is None or self.errors:
            return False
        # A post without a week goes to the week of its date.
        week = cleaned_data.get("week")
        iso_week = week.iso_week if week else IsoWeek.of(cleaned_data["posted_on"])
        published_at = cleaned_data.get("published_at")
        readable_by = max(post.week.published_at or timezone.now(), timezone.now())
        stays = (
            cleaned_data.get("status") == Status.PUBLISHED
            and iso_week == post.week.iso_week
            and (published_at is None or published_at <= readable_by)
        )
        return not stays and bool(weeks_left_empty(Post.objects.filter(pk=post.pk)))

    def clean_topics(self):
        topics = self.cleaned_data["topics"]
        too_long = [topic for topic in topics if len(topic) > TOPIC_MAX_LENGTH]
        if too_long:
            raise ValidationError(
                _("A topic can have at most %(max)d characters: %(tags)s")
                % {"max": TOPIC_MAX_LENGTH, "tags": ", ".join(too_long)}
            )
        return topics

    def save(self, commit=True):
        url = self.cleaned_data.get("source_url")
        self.instance.source = Link.objects.for_url(url) if url else None
        return super().save(commit)


class PostLinkInlineForm(forms.ModelForm):
    url = LinkURLField(label=_("URL"))

    class Meta:
        model = PostLink
        fields = ["url", "label", "position"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.link_id and "url" not in self.initial:
            self.initial["url"] = self.instance.link.url

    def has_changed(self):
        # Pasting the same target again with other tracking parameters changes nothing.
        changed = super().has_changed()
        if changed and self.changed_data == ["url"]:
            return self.points_elsewhere()
        return changed

    def points_elsewhere(self):
        """Whether the pasted address names another target than the row's saved link."""
        if not self.instance.link_id:
            return True
        try:
            return normalize_url(self["url"].value() or "") != self.instance.link.normalized_url
        except InvalidURL:
            return True

    def save(self, commit=True):
        self.instance.link = Link.objects.for_url(self.cleaned_data["url"])
        return super().save(commit)


class LabelledSplitDateTime(AdminSplitDateTime):
    """The admin's date and time inputs, each with a name a screen reader announces.

    Django's template writes "Date:" and "Time:" as bare text beside the two inputs, and the
    field's one <label> points at neither, so both are unnamed (axe: "Form elements must have
    labels"). The same words become their names.
    """

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        date, time = context["widget"]["subwidgets"]
        date["attrs"]["aria-label"] = context["date_label"]
        time["attrs"]["aria-label"] = context["time_label"]
        return context


class TabularInlineFormSet(forms.BaseInlineFormSet):
    """An inline formset the admin shows as a table, one form per row.

    There an input sits under its column's header, not beside a <label>, so nothing names it
    (axe: "Form elements must have labels"): each is named after its column. A field's help is
    only a tooltip in that header, yet Django points the input's aria-describedby at a help
    element the row never renders (an error for the Nu HTML checker): the help moves into the
    input as its placeholder, beside the reader's eyes and announced with the input.
    """

    def add_fields(self, form, index):
        super().add_fields(form, index)
        for name, field in form.fields.items():
            if field.widget.is_hidden:
                continue
            field.widget.attrs.setdefault("aria-label", capfirst(field.label or name))
            if field.help_text:
                field.widget.attrs.setdefault("placeholder", field.help_text)
                field.help_text = ""


class PostLinkFormSet(TabularInlineFormSet):
    def clean(self):
        super().clean()
        seen = {}
        for number, form in enumerate(self.forms, start=1):
            url = getattr(form, "cleaned_data", {}).get("url")
            if not url or self._should_delete_form(form):
                continue
            normalized = normalize_url(url)
            if normalized in seen:
                form.add_error(
                    "url",
                    _("This is the same address as link %(number)d above.")
                    % {"number": seen[normalized]},
                )
            else:
                seen[normalized] = number

    def save_existing_objects(self, commit=True):
        # A row may take over the link another row gives up in the same save (two rows
        # swapping addresses, or one deleted): free those rows first so the unique
        # (post, link) pair never holds both. Rows saved afterwards are inserted again.
        if commit:
            released = [
                form.instance.pk
                for form in self.initial_forms
                if form.instance.pk and (self._should_delete_form(form) or form.points_elsewhere())
            ]
            PostLink.objects.filter(pk__in=released).delete()
        return super().save_existing_objects(commit)


class IsoWeekField(forms.CharField):
    """A week typed as its ISO label, e.g. 2021-W05; cleans to an IsoWeek."""

    def __init__(self, **kwargs):
        kwargs.setdefault("help_text", _("As year-W-week, e.g. 2021-W05."))
        super().__init__(**kwargs)

    def prepare_value(self, value):
        return value.iso_label if isinstance(value, IsoWeek) else value

    def to_python(self, value):
        value = super().to_python(value)
        if not value:
            return None
        try:
            return IsoWeek.from_iso_label(value)
        except ValueError:
            raise ValidationError(
                _("%(label)s is not an ISO week; write it like 2021-W05 (weeks run 01–52 or 53).")
                % {"label": value},
                code="invalid",
            ) from None


class MoveToWeekForm(forms.Form):
    week = IsoWeekField(label=_("ISO week"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["week"].initial = IsoWeek.of(timezone.localdate())


class MergeTopicsForm(forms.Form):
    """Which of the chosen topics stays: the others are merged into it. The one most posts use
    is offered first."""

    keep = forms.ModelChoiceField(
        label=_("Topic to keep"),
        queryset=Topic.objects.none(),
        widget=forms.RadioSelect,
        empty_label=None,
        help_text=_(
            "The other topics' posts take this topic, and their addresses lead to its page."
        ),
    )

    def __init__(self, topics, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["keep"]
        field.queryset = topics
        field.label_from_instance = self.describe
        most_used = topics.order_by("-post_count", "pk").first()
        field.initial = most_used.pk if most_used else None

    @staticmethod
    def describe(topic):
        return gettext("%(names)s, %(count)d posts (/%(slug)s/)") % {
            "names": topic_names(topic.name, topic.name_en),
            "count": topic.post_count,
            "slug": topic.slug,
        }


class WeekAdminForm(EditConflictForm):
    """The week's form. Its status is not saved by the form: publishing and unpublishing are
    the publishing service's (archive/services.py, through WeekAdmin). A week that cannot be
    published is refused here, saying why."""

    class Meta:
        model = Week
        fields = ["title", "intro", "outro", "status", "published_at"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.saved_status = self.instance.status if self.instance.pk else None
        offer_preview(self, "intro", "outro")

    @property
    def status_change(self):
        """Status.PUBLISHED or Status.DRAFT when the form asks to publish or unpublish the week;
        None when it keeps its status."""
        status = getattr(self, "cleaned_data", {}).get("status")
        return status if status and status != (self.saved_status or Status.DRAFT) else None

    @property
    def changed_data(self):
        # A change of status is recorded by the publishing service, not as an edit.
        changed = super().changed_data
        return [name for name in changed if name != "status"] if self.status_change else changed

    def clean(self):
        cleaned_data = super().clean()
        if self.status_change == Status.PUBLISHED:
            if self.instance.pk:
                at = cleaned_data.get("published_at")
                problem = plan_publication(self.instance, at=at).problem
            else:
                problem = gettext(
                    "A new week has no posts yet: save it as a draft, put posts in it, then "
                    "publish it."
                )
            if problem:
                self.add_error("status", problem)
        return cleaned_data


class AboutPageAdminForm(EditConflictForm):
    class Meta:
        model = AboutPage
        fields = ["community_name", "community_url", "text", "text_en"]
        field_classes = {"community_url": LinkURLField}


class WeekAddForm(WeekAdminForm):
    """A new week, chosen by any day in it: the curator never types an ISO week number."""

    day = forms.DateField(
        label=_("A day of the week"),
        widget=AdminDateWidget,
        help_text=_("Any day from Monday to Sunday of the week (ISO weeks start on Monday)."),
    )

    field_order = ["day"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["day"].initial = timezone.localdate()

    def clean_day(self):
        day = self.cleaned_data["day"]
        iso_week = IsoWeek.of(day)
        if existing := Week.objects.at(iso_week).first():
            raise ValidationError(
                format_html(
                    '{} <a href="{}">{}</a>',
                    gettext("There is a week for %(day)s already:") % {"day": day.isoformat()},
                    reverse("admin:archive_week_board", args=[existing.pk]),
                    f"{existing.display_title} ({iso_week.iso_label})",
                ),
                code="unique",
            )
        self.instance.year, self.instance.number = iso_week.year, iso_week.number
        return day

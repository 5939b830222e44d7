from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from archive import search
from archive.models import Post, Topic, Week

# Longer than any real question, short enough that a pasted page is a form error, not a slow search.
QUERY_MAX_LENGTH = 200


class TopicChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.label} ({obj.post_count})"


class SearchForm(forms.Form):
    q = forms.CharField(
        label=_("Search posts"),
        max_length=QUERY_MAX_LENGTH,
        required=False,
        widget=forms.TextInput(attrs={"type": "search"}),
    )
    topic = TopicChoiceField(
        label=_("Topic"),
        queryset=Topic.objects.none(),  # set per form: "published" depends on the time of asking
        to_field_name="slug",
        required=False,
        empty_label=_("All topics"),
    )

    def __init__(self, data=None, *, topics, **kwargs):
        """`topics`: the topics to choose from, with their `post_count` (digest.topics)."""
        # NUL bytes are dropped, not reported: nobody types them, and PostgreSQL refuses them,
        # so they must not reach the query nor be echoed into the page.
        if data is not None and "\x00" in data.get("q", ""):
            data = data.copy()
            data["q"] = data["q"].replace("\x00", "")
        super().__init__(data, **kwargs)
        self.fields["topic"].queryset = topics.order_by("name")

    def has_criteria(self):
        return self.is_valid() and bool(self.cleaned_data["q"] or self.cleaned_data["topic"])

    def terms(self):
        return search.query_terms(self.cleaned_data["q"])

    def search(self):
        """What the form asks for, best first, as an `archive.search.Found`: published posts
        and weeks holding every word, or only posts of the topic when one is chosen; without
        words, the topic's posts, newest first. Call only when has_criteria()."""
        posts, weeks = Post.objects.published(), Week.objects.published()
        if self.cleaned_data["topic"]:
            posts, weeks = posts.filter(topics=self.cleaned_data["topic"]), None
        found = search.find(self.cleaned_data["q"], posts, weeks)
        if found is None:
            return search.Found(
                [("post", pk) for pk in posts.newest_first().values_list("pk", flat=True)], False
            )
        return found


class TopicCheckboxes(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return obj.label


class SubscribeForm(forms.Form):
    """The email subscription form (templates/includes/email_subscribe_form.html). `website` is
    a honeypot: hidden from people (and from screen readers), filled in by form-filling bots."""

    email = forms.EmailField(label=_("Email address"), max_length=254)
    language = forms.ChoiceField(label=_("Language of the mail"), choices=settings.LANGUAGES)
    topics = TopicCheckboxes(
        label=_("Only these topics (optional)"),
        queryset=Topic.objects.none(),  # set per form, as for the search form
        to_field_name="slug",
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    website = forms.CharField(required=False, max_length=200)

    def __init__(self, data=None, *, topics, **kwargs):
        super().__init__(data, **kwargs)
        self.fields["topics"].queryset = topics.order_by("name")

    def is_bot(self):
        return bool(self.data.get("website"))

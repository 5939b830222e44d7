from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from archive.models import Topic

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

    def search(self, posts):
        """These posts narrowed to the form's topic and query; call only when has_criteria()."""
        if self.cleaned_data["topic"]:
            posts = posts.filter(topics=self.cleaned_data["topic"])
        return posts.search(self.cleaned_data["q"])


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

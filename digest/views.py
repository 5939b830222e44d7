from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.generic import DetailView, ListView, TemplateView

from archive import search
from archive.export import week_markdown
from archive.models import AboutPage, Post, Week
from archive.reading import reading_minutes
from archive.weeks import IsoWeek
from digest import fragments, http_cache
from digest.addresses import at_address
from digest.caching import may_preview
from digest.forms import SearchForm
from digest.languages import address_in
from digest.structured_data import post_data, week_data
from digest.topics import published_topics, topic_index

POSTS_PER_PAGE = 20
EARLIER_WEEKS_ON_HOME = 8
TOPICS_ON_HOME = 24
TOP_TOPICS_PER_WEEK = 3


@dataclass(frozen=True)
class WeekOverview:
    """What a week page's contents list says about the week: how many posts it shows and how
    long the week takes to read, counted from the posts the page shows."""

    post_count: int
    reading_seconds: int

    @classmethod
    def of(cls, week, posts):
        seconds = week.reading_seconds + sum(post.reading_seconds for post in posts)
        return cls(post_count=len(posts), reading_seconds=seconds)

    @property
    def reading_minutes(self):
        return reading_minutes(self.reading_seconds)


class PreviewMixin:
    """Readers get published content only; staff may preview a draft on its own page.

    Lists, counts and search show published content to everyone, staff included, so what a
    curator sees there is exactly what readers see.
    """

    def visible(self, queryset):
        # may_preview: a reader without a session is no staff member, and no session is loaded
        # (a loaded one would mark the page `Vary: Cookie`, and no shared cache could keep it).
        if may_preview(self.request):
            return queryset
        return queryset.published()

    def dispatch(self, request, *args, **kwargs):
        response = super().dispatch(request, *args, **kwargs)
        if may_preview(request):
            # A preview may hold drafts: no shared cache may keep it for readers.
            http_cache.private(response)
        return response


def contents(posts):
    """A week's posts in reading order, each with its stored fragment (digest/fragments.py) and
    its topics, which the contents list names beside every title."""
    return fragments.attach(
        posts.in_reading_order().prefetch_related("topics"), only=fragments.PAGE
    )


class HomeView(TemplateView):
    """The newest week, called "this week" only while it is the current ISO week (the page's
    cache turns with the week: digest/urls.py); then the earlier weeks and the topics."""

    template_name = "digest/home.html"

    def get_context_data(self, **kwargs):
        weeks = Week.objects.published().newest_first()
        week = weeks.first()
        posts = contents(week.posts.published()) if week else []
        topics = published_topics(self.request).order_by("-post_count", "name")
        return super().get_context_data(
            week=week,
            is_this_week=week is not None and week.iso_week == IsoWeek.of(timezone.localdate()),
            posts=posts,
            overview=WeekOverview.of(week, posts) if week else None,
            earlier_weeks=weeks.with_published_post_count()[1 : EARLIER_WEEKS_ON_HOME + 1],
            topics=topics[:TOPICS_ON_HOME],
            **kwargs,
        )


class ArchiveView(TemplateView):
    """The published weeks of one year (the newest by default), with every year to jump to."""

    template_name = "digest/archive.html"

    def get_context_data(self, year=None, **kwargs):
        published = Week.objects.published()
        years = published.years()
        if year is None:
            year = years[0][0] if years else None
        elif year not in dict(years):
            raise Http404("No week was published that year")
        weeks = list(published.filter(year=year).newest_first().with_published_post_count())
        topics = Post.objects.published().filter(week__year=year).topic_counts_by_week()
        for week in weeks:
            week.top_topics = topics.get(week.pk, [])[:TOP_TOPICS_PER_WEEK]
        return super().get_context_data(year=year, years=years, weeks=weeks, **kwargs)


class WeekView(PreviewMixin, DetailView):
    template_name = "digest/week.html"
    context_object_name = "week"

    def get_object(self, queryset=None):
        return get_object_or_404(
            self.visible(Week.objects.all()), year=self.kwargs["year"], number=self.kwargs["week"]
        )

    def get_context_data(self, **kwargs):
        published = Week.objects.published()
        posts = self.visible(self.object.posts.all())
        # A preview renders every post now: a draft shows a badge no stored fragment has.
        posts = (
            list(posts.in_reading_order().for_display())
            if may_preview(self.request)
            else contents(posts)
        )
        overview = WeekOverview.of(self.object, posts)
        return super().get_context_data(
            posts=posts,
            overview=overview,
            structured_data=week_data(self.object, posts, overview.reading_seconds),
            previous_week=published.before(self.object),
            next_week=published.after(self.object),
            **kwargs,
        )


class PostView(PreviewMixin, DetailView):
    template_name = "digest/post.html"

    def get_queryset(self):
        return self.visible(Post.objects.for_display())

    def get_object(self, queryset=None):
        return at_address(self.get_queryset(), self.kwargs["slug"])

    def get_context_data(self, **kwargs):
        week = self.object.week
        week_posts = self.visible(week.posts.all()).in_reading_order() if week else ()
        return super().get_context_data(
            week_posts=week_posts, structured_data=post_data(self.object), **kwargs
        )


class TopicListView(TemplateView):
    template_name = "digest/topics.html"

    def get_context_data(self, **kwargs):
        topics = published_topics(self.request)
        return super().get_context_data(index=topic_index(topics), **kwargs)


class TopicView(ListView):
    template_name = "digest/topic.html"
    paginate_by = POSTS_PER_PAGE

    def get_queryset(self):
        self.topic = at_address(published_topics(self.request), self.kwargs["slug"])
        return Post.objects.published().filter(topics=self.topic).newest_first().for_display()

    def get_paginator(self, *args, **kwargs):
        paginator = super().get_paginator(*args, **kwargs)
        paginator.count = self.topic.post_count  # already counted: no COUNT over the topic
        return paginator

    def get_context_data(self, **kwargs):
        return super().get_context_data(topic=self.topic, **kwargs)


class SearchView(ListView):
    """Posts and weeks holding every word, best first (archive/search.py ranks them), the
    matches marked; at most archive.search.RESULTS_LIMIT of them, then "more than"."""

    template_name = "digest/search.html"
    paginate_by = POSTS_PER_PAGE

    def get_queryset(self):
        self.form = SearchForm(self.request.GET, topics=published_topics(self.request))
        self.found = self.form.search() if self.form.has_criteria() else None
        return self.found.results if self.found else []

    def paginate_queryset(self, queryset, page_size):
        """The page's posts and weeks are fetched by id, once their order is known."""
        paginator, page, refs, is_paginated = super().paginate_queryset(queryset, page_size)
        page.object_list = search.results(refs, self.form.terms()) if refs else []
        return paginator, page, page.object_list, is_paginated

    def get_context_data(self, **kwargs):
        context = super().get_context_data(
            form=self.form, more_results=bool(self.found and self.found.more), **kwargs
        )
        # A page of results is a listing like a topic's, and search engines may keep it. An
        # empty one is not: it would be a soft 404, and anyone could have engines index any
        # words by linking to them. (The bare form and invalid queries are empty too.)
        context["noindex"] = not context["object_list"]
        if context["object_list"]:
            query, topic = self.form.cleaned_data["q"], self.form.cleaned_data["topic"]
            context["address_params"] = {"q": query} if query else {}
            if topic:
                context["address_params"]["topic"] = topic.slug
        return context


class AboutView(TemplateView):
    """What the site is and the community it keeps, as the curators wrote it in the admin."""

    template_name = "digest/about.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(about=AboutPage.objects.current(), **kwargs)


def bad_request(request, exception):
    """Like server_error: the site's header around the message, which says how much a form
    may send (a curator pasting megabytes gets this, not a bare "Bad Request")."""
    context = {"upload_limit": settings.DATA_UPLOAD_MAX_MEMORY_SIZE}
    return render(request, "400.html", context, status=400)


def server_error(request):
    """Django's own handler renders 500.html without the request; this one keeps the
    site's header, so the language switcher and navigation work on the error page too."""
    return render(request, "500.html", status=500)


@never_cache
def switch_language(request, language):
    """Where the old language switcher's links (which set a cookie) lead now: the page they
    were on, at its address in that language (digest/languages.py). Nothing is remembered."""
    if language not in dict(settings.LANGUAGES):
        raise Http404("No such language")
    next_url = request.GET.get("next", "")
    if not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        next_url = reverse("digest:home")
    parts = urlsplit(next_url)
    page = parts.path + (f"?{parts.query}" if parts.query else "")
    return HttpResponseRedirect(address_in(page or "/", language))


def week_as_markdown(request, year, week):
    """A published week as Markdown, for cross-posting the round-up to a blog."""
    week = get_object_or_404(Week.objects.published(), year=year, number=week)
    http_cache.shows(request, week)
    return HttpResponse(
        week_markdown(week, week.posts.published()),
        content_type="text/markdown; charset=utf-8",
    )

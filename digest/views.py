from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.views.generic import DetailView, TemplateView

from archive.models import Post
from digest.export import digest_markdown
from digest.models import WeeklyDigest
from digest.weeks import IsoWeek


class PreviewMixin:
    """Readers get published content only; staff may preview drafts through the same page."""

    def visible(self, queryset):
        if self.request.user.is_staff:
            return queryset
        return queryset.published()


class HomeView(PreviewMixin, TemplateView):
    template_name = "digest/home.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["digest"] = WeeklyDigest.objects.published().newest_first().first()
        return context


class WeekView(PreviewMixin, DetailView):
    template_name = "digest/week.html"
    context_object_name = "digest"

    def get_object(self, queryset=None):
        try:
            week = IsoWeek(self.kwargs["year"], self.kwargs["week"])
        except ValueError:
            raise Http404("No such week") from None
        digests = self.visible(WeeklyDigest.objects.all())
        try:
            return digests.get(year=week.year, week=week.week)
        except WeeklyDigest.DoesNotExist:
            raise Http404("No such week") from None

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["posts"] = (
            self.visible(self.object.posts.all())
            .in_digest_order()
            .select_related("source")
            .prefetch_related("tags", "post_links__link")
        )
        return context


class PostView(PreviewMixin, DetailView):
    template_name = "digest/post.html"

    def get_queryset(self):
        return self.visible(Post.objects.select_related("digest", "source")).prefetch_related(
            "tags", "post_links__link"
        )


def week_markdown(request, year, week):
    """A published week as Markdown, for cross-posting the round-up to a blog."""
    digest = get_object_or_404(WeeklyDigest.objects.published(), year=year, week=week)
    return HttpResponse(
        digest_markdown(digest, digest.posts.published()),
        content_type="text/markdown; charset=utf-8",
    )

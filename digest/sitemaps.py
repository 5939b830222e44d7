"""The sitemap index at /sitemap.xml and one sitemap per kind of page, paginated by Django
at 50,000 addresses, so it stays valid however many posts the archive holds."""

from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.db.models import Max
from django.db.models.functions import Greatest
from django.urls import reverse

from archive.models import Post, Week


class SiteSitemap(Sitemap):
    """Addresses built from SITE_URL, like the pages' canonical links, whatever Host was asked;
    every page in each language, each naming the others (and Korean as the default)."""

    i18n = True
    alternates = True
    x_default = True

    def get_protocol(self, protocol=None):
        return urlsplit(settings.SITE_URL).scheme

    def get_domain(self, site=None):
        return urlsplit(settings.SITE_URL).netloc


class PageSitemap(SiteSitemap):
    changefreq = "weekly"

    def items(self):
        return ["digest:home", "digest:archive", "digest:topics", "digest:about", "digest:feeds"]

    def location(self, item):
        return reverse(item)


class UpdatedSitemap(SiteSitemap):
    """A page changes when its row is edited and when it is published (at its own time: an
    imported round-up of 2021 is dated 2021, not when it was imported). The index asks the
    database for the newest instead of loading every row, which Django's default does."""

    def lastmod(self, item):
        return item.modified

    def get_latest_lastmod(self):
        return self.items().aggregate(latest=Max("modified"))["latest"]


class WeekSitemap(UpdatedSitemap):
    def items(self):
        return (
            Week.objects.published()
            .newest_first()
            .only("year", "number")
            .annotate(modified=Greatest("updated", "published_at"))
        )


class PostSitemap(UpdatedSitemap):
    def items(self):
        # A post published before its week is seen from the week's publication.
        modified = Greatest("updated", "published_at", "week__published_at")
        return Post.objects.published().newest_first().only("slug").annotate(modified=modified)


class TopicSitemap(SiteSitemap):
    def items(self):
        return Post.objects.published().topics().order_by("name")


sitemaps = {
    "pages": PageSitemap,
    "weeks": WeekSitemap,
    "posts": PostSitemap,
    "topics": TopicSitemap,
}

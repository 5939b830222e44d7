from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.contrib.sitemaps import views as sitemap_views
from django.urls import include, path
from django.views.generic import TemplateView

from digest import views as digest_views
from digest.caching import cached_until_changed
from digest.sitemaps import sitemaps

urlpatterns = [
    path("admin/", admin.site.urls),
    # Crawlers poll these too: cached and answered with 304s until the content changes.
    path(
        "sitemap.xml",
        cached_until_changed(sitemap_views.index),
        {"sitemaps": sitemaps},
        name="sitemap",
    ),
    path(
        "sitemap-<section>.xml",
        cached_until_changed(sitemap_views.sitemap),
        {"sitemaps": sitemaps},
        name="django.contrib.sitemaps.views.sitemap",
    ),
    path(
        "robots.txt",
        TemplateView.as_view(template_name="robots.txt", content_type="text/plain; charset=utf-8"),
        name="robots",
    ),
    # The old language switcher's links, which set a cookie: now a redirect to the address.
    path("language/<str:language>/", digest_views.switch_language, name="language"),
    # Korean at today's addresses, English under /en/ (digest/languages.py).
    *i18n_patterns(path("", include("digest.urls")), prefix_default_language=False),
]

handler400 = "digest.views.bad_request"
handler500 = "digest.views.server_error"

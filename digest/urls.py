from django.urls import path, register_converter

from digest import converters, feeds, views
from digest.freshness import cached_until_changed

register_converter(converters.UnicodeSlugConverter, "uslug")
register_converter(converters.IsoWeekNumberConverter, "isoweek")
register_converter(converters.YearConverter, "year")

app_name = "digest"
# Every page a reader sees is served from the cache until the content changes, with 304s for
# browsers that kept a copy (digest/freshness.py); staff previews bypass it.
reader = cached_until_changed
urlpatterns = [
    path("", reader(views.HomeView.as_view()), name="home"),
    path("weeks/", reader(views.ArchiveView.as_view()), name="archive"),
    path("weeks/<year:year>/", reader(views.ArchiveView.as_view()), name="archive_year"),
    path("<year:year>/w<isoweek:week>/", reader(views.WeekView.as_view()), name="week"),
    path("<year:year>/w<isoweek:week>.md", reader(views.week_markdown), name="week_markdown"),
    path("posts/<uslug:slug>/", reader(views.PostView.as_view()), name="post"),
    path("topics/", reader(views.TopicListView.as_view()), name="topics"),
    path("topics/<uslug:slug>/", reader(views.TopicView.as_view()), name="topic"),
    path("search/", reader(views.SearchView.as_view()), name="search"),
    path("language/<str:language>/", views.switch_language, name="language"),
    # Feeds: polled every few minutes, so each answers 304s and caches until the content changes.
    path("feed/", cached_until_changed(feeds.WeeksFeed()), name="feed"),
    path("feed/atom/", cached_until_changed(feeds.WeeksFeed(feeds.AtomFeed)), name="feed_atom"),
    path("feed.json", cached_until_changed(feeds.WeeksFeed(feeds.JsonFeed)), name="feed_json"),
    path("feed/posts/", cached_until_changed(feeds.PostsFeed()), name="post_feed"),
    path(
        "feed/posts/atom/",
        cached_until_changed(feeds.PostsFeed(feeds.AtomFeed)),
        name="post_feed_atom",
    ),
    path("topics/<uslug:slug>/feed/", cached_until_changed(feeds.TopicFeed()), name="topic_feed"),
    path(
        "topics/<uslug:slug>/feed/atom/",
        cached_until_changed(feeds.TopicFeed(feeds.AtomFeed)),
        name="topic_feed_atom",
    ),
    path("feeds/", reader(feeds.FeedsView.as_view()), name="feeds"),
    path("feeds.opml", cached_until_changed(feeds.opml), name="feeds_opml"),
]

from django.urls import path, register_converter

from digest import converters, feeds, views
from digest.freshness import cached_until_changed

register_converter(converters.UnicodeSlugConverter, "uslug")
register_converter(converters.IsoWeekNumberConverter, "isoweek")
register_converter(converters.YearConverter, "year")

app_name = "digest"
urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("weeks/", views.ArchiveView.as_view(), name="archive"),
    path("weeks/<year:year>/", views.ArchiveView.as_view(), name="archive_year"),
    path("<year:year>/w<isoweek:week>/", views.WeekView.as_view(), name="week"),
    path("<year:year>/w<isoweek:week>.md", views.week_markdown, name="week_markdown"),
    path("posts/<uslug:slug>/", views.PostView.as_view(), name="post"),
    path("topics/", views.TopicListView.as_view(), name="topics"),
    path("topics/<uslug:slug>/", views.TopicView.as_view(), name="topic"),
    path("search/", views.SearchView.as_view(), name="search"),
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
    path("feeds/", feeds.FeedsView.as_view(), name="feeds"),
    path("feeds.opml", cached_until_changed(feeds.opml), name="feeds_opml"),
]

from django.urls import path, register_converter

from digest import converters, feeds, subscriptions, views
from digest.addresses import redirect_moved
from digest.caching import cached_until_changed

register_converter(converters.UnicodeSlugConverter, "uslug")
register_converter(converters.IsoWeekNumberConverter, "isoweek")
register_converter(converters.YearConverter, "year")

app_name = "digest"
# Every page and feed a reader sees is served from the cache until the content changes, with
# 304s for browsers and feed readers that kept a copy (digest/caching.py); staff previews
# bypass it.
urlpatterns = [
    path("", cached_until_changed(views.HomeView.as_view(), weekly=True), name="home"),
    path("weeks/", cached_until_changed(views.ArchiveView.as_view()), name="archive"),
    path(
        "weeks/<year:year>/", cached_until_changed(views.ArchiveView.as_view()), name="archive_year"
    ),
    path(
        "<year:year>/w<isoweek:week>/", cached_until_changed(views.WeekView.as_view()), name="week"
    ),
    path(
        "<year:year>/w<isoweek:week>.md",
        cached_until_changed(views.week_as_markdown),
        name="week_markdown",
    ),
    path(
        "posts/<uslug:slug>/",
        cached_until_changed(redirect_moved(views.PostView.as_view())),
        name="post",
    ),
    path("topics/", cached_until_changed(views.TopicListView.as_view()), name="topics"),
    path(
        "topics/<uslug:slug>/",
        cached_until_changed(redirect_moved(views.TopicView.as_view())),
        name="topic",
    ),
    path("about/", cached_until_changed(views.AboutView.as_view()), name="about"),
    path("search/", cached_until_changed(views.SearchView.as_view()), name="search"),
    # Email: the form's page is cached like any other (its posts go straight to the view);
    # the pages behind the links in mails are each reader's own (digest/subscriptions.py).
    path("subscribe/", cached_until_changed(subscriptions.subscribe_view), name="subscribe"),
    path(
        "subscribe/confirm/<str:token>/",
        subscriptions.confirm_view,
        name="subscribe_confirm",
    ),
    path("unsubscribe/<str:token>/", subscriptions.unsubscribe_view, name="unsubscribe"),
    # Feeds: polled every few minutes.
    path("feed/", cached_until_changed(feeds.WeeksFeed()), name="feed"),
    path("feed/atom/", cached_until_changed(feeds.WeeksFeed(feeds.AtomFeed)), name="feed_atom"),
    path("feed.json", cached_until_changed(feeds.WeeksFeed(feeds.JsonFeed)), name="feed_json"),
    path("feed/posts/", cached_until_changed(feeds.PostsFeed()), name="post_feed"),
    path(
        "feed/posts/atom/",
        cached_until_changed(feeds.PostsFeed(feeds.AtomFeed)),
        name="post_feed_atom",
    ),
    path(
        "topics/<uslug:slug>/feed/",
        cached_until_changed(redirect_moved(feeds.TopicFeed())),
        name="topic_feed",
    ),
    path(
        "topics/<uslug:slug>/feed/atom/",
        cached_until_changed(redirect_moved(feeds.TopicFeed(feeds.AtomFeed))),
        name="topic_feed_atom",
    ),
    path("feeds/", cached_until_changed(feeds.FeedsView.as_view()), name="feeds"),
    path("feeds.opml", cached_until_changed(feeds.opml), name="feeds_opml"),
]

from django.urls import path, register_converter

from digest import converters, views

register_converter(converters.UnicodeSlugConverter, "uslug")
register_converter(converters.IsoWeekNumberConverter, "isoweek")
register_converter(converters.YearConverter, "year")

app_name = "digest"
urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("weeks/", views.ArchiveView.as_view(), name="archive"),
    path("weeks/<year:year>/", views.ArchiveView.as_view(), name="archive_year"),
    path("<year:year>/w<isoweek:week>/", views.WeekView.as_view(), name="week"),
    path("posts/<uslug:slug>/", views.PostView.as_view(), name="post"),
    path("topics/", views.TopicListView.as_view(), name="topics"),
    path("topics/<uslug:slug>/", views.TopicView.as_view(), name="topic"),
    path("search/", views.SearchView.as_view(), name="search"),
]

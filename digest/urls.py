from django.urls import path, register_converter

from digest import converters, views

register_converter(converters.UnicodeSlugConverter, "uslug")
register_converter(converters.IsoWeekNumberConverter, "isoweek")
register_converter(converters.YearConverter, "year")

app_name = "digest"
urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("<year:year>/w<isoweek:week>/", views.WeekView.as_view(), name="week"),
    path("<year:year>/w<isoweek:week>.md", views.week_markdown, name="week_markdown"),
    path("posts/<uslug:slug>/", views.PostView.as_view(), name="post"),
]

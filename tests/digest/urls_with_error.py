"""The site's URLs plus one view that fails, to see the 500 page as a reader would."""

from django.urls import path

from config.urls import handler500  # noqa: F401
from config.urls import urlpatterns as site_urlpatterns


def broken(request):
    raise RuntimeError("a bug a reader should never see the details of")


urlpatterns = [path("broken/", broken), *site_urlpatterns]

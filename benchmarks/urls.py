from django.http import HttpResponse
from django.urls import path

from config.urls import handler500  # noqa: F401 (the site's own error page here too)
from config.urls import urlpatterns as site_urlpatterns


def floor(request, size):
    """The cheapest response the same server and middleware can give, as big as a real page."""
    return HttpResponse(b"x" * size, content_type="text/html; charset=utf-8")


urlpatterns = [
    path("__floor__/<int:size>/", floor),
    # Spliced in, not included: Django allows i18n_patterns only in the root URLconf.
    *site_urlpatterns,
]

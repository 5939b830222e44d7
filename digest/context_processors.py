from django.conf import settings
from django.utils.encoding import escape_uri_path


def site(request):
    """The site's name and this page's canonical address, from SITE_URL rather than the Host
    header, so every copy of a page names the same public URL."""
    return {
        "site_name": settings.SITE_NAME,
        "site_url": settings.SITE_URL,
        "canonical_url": settings.SITE_URL + escape_uri_path(request.path),
    }

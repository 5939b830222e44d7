from django.conf import settings
from django.utils.encoding import escape_uri_path
from django.utils.translation import get_language_info

from digest.languages import address_in
from digest.structured_data import SHARE_IMAGE_SIZE, share_image_url


def site(request):
    """The site's name and this page's canonical address, from SITE_URL rather than the Host
    header, so every copy of a page names the same public URL; and the same page in each
    language, for the switcher and the `hreflang` alternates."""
    path = escape_uri_path(request.path)
    full_path = request.get_full_path()
    return {
        "site_name": settings.SITE_NAME,
        "site_url": settings.SITE_URL,
        "canonical_url": settings.SITE_URL + path,
        # The picture a shared link's preview card shows (templates/includes/meta.html).
        "share_image": {
            "url": share_image_url(),
            "width": SHARE_IMAGE_SIZE[0],
            "height": SHARE_IMAGE_SIZE[1],
        },
        "translations": [
            {
                "code": code,
                "name_local": get_language_info(code)["name_local"],
                "url": settings.SITE_URL + address_in(path, code),
                "link": address_in(full_path, code),
                "is_default": code == settings.LANGUAGE_CODE,
            }
            for code, _name in settings.LANGUAGES
        ],
    }

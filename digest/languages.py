"""The language of a reader's page is in its address: Korean (LANGUAGE_CODE) at today's
addresses, every other language under its own prefix (`/en/2021/w05/`), by Django's
`i18n_patterns(prefix_default_language=False)` in config/urls.py.

So a page's bytes depend on its URL alone, and any cache, ours or one in front, can keep one
copy of it for every reader: nothing varies by `Cookie` or `Accept-Language`. Readers switch
language with plain links to the other address of the same page, and search engines find each
language through `hreflang` alternates.
"""

from urllib.parse import urlsplit

from django.conf import settings
from django.utils import translation


def prefixed_languages():
    """Languages that live under a prefix: all but the default one."""
    return [code for code, _name in settings.LANGUAGES if code != settings.LANGUAGE_CODE]


def split_address(path):
    """(language, the address without its language prefix) of a path such as `/en/2021/w05/`."""
    first, _slash, rest = path[1:].partition("/")
    if first in prefixed_languages():
        return first, "/" + rest
    return settings.LANGUAGE_CODE, path


def address_in(path, language):
    """The same page's address in `language`; a query string, if any, is kept.

    Addresses differ only by their prefix (no address is translated), so this holds for every
    path, even one that is not found: the 404 page's switcher still leads somewhere sensible.
    """
    path, question, query = path.partition("?")
    _current, bare = split_address(path)
    if language != settings.LANGUAGE_CODE:
        bare = f"/{language}{bare}"
    return bare + question + query


def language_arriving_reader_prefers(request):
    """The prefixed language a reader arriving from elsewhere asks for, or None.

    Before addresses carried the language, English readers read English at today's addresses:
    chosen with the old switcher (a cookie) or by the browser (its first Accept-Language). Their
    links and bookmarks are Korean addresses now, so a reader *arriving* at one (no Referer from
    this site) with such a preference is sent to the English address (digest.middleware). A
    reader who navigates inside the site has chosen the address's language by following a link
    to it, so the same preference is ignored then: an English browser can still read Korean by
    following the switcher.

    The front cache applies the same rule before its lookup (deploy/varnish/jugan.vcl) and
    hands such requests to Django uncached; both keep to these simple tests so that they agree.
    """
    referer = request.META.get("HTTP_REFERER")
    if referer and urlsplit(referer).netloc == request.get_host():
        return None
    prefixed = prefixed_languages()
    cookie = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
    if cookie in dict(settings.LANGUAGES):
        return cookie if cookie in prefixed else None
    # Browsers list languages in the order of the reader's preference.
    first = request.META.get("HTTP_ACCEPT_LANGUAGE", "").split(",")[0].split(";")[0].strip()
    if not first or first == "*":
        return None
    try:
        language = translation.get_supported_language_variant(first.lower())
    except LookupError:
        return None
    return language if language in prefixed else None

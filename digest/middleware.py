from functools import cache

from django.conf import settings
from django.http import HttpResponseRedirect
from django.urls import NoReverseMatch, is_valid_path, reverse
from django.utils import translation
from django.utils.cache import add_never_cache_headers, patch_vary_headers

from digest.languages import address_in, language_arriving_reader_prefers, split_address


@cache
def _curator_prefix(urlconf):
    try:
        return reverse("admin:index", urlconf=urlconf)
    except NoReverseMatch:
        return None


class LanguageFromAddressMiddleware:
    """Django's LocaleMiddleware, but a reader's page takes its language from its address only.

    Django's would add `Vary: Accept-Language` to every unprefixed (Korean) response, and no
    shared cache could then keep one copy of a page for all readers. The admin is no reader's
    page: it keeps following the curator's browser (cookie, then Accept-Language), and varies so.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        urlconf = getattr(request, "urlconf", settings.ROOT_URLCONF)
        curator_prefix = _curator_prefix(urlconf)
        for_curator = curator_prefix is not None and request.path_info.startswith(curator_prefix)
        if for_curator:
            language = translation.get_language_from_request(request)
        else:
            language, _bare = split_address(request.path_info)
            if language == settings.LANGUAGE_CODE and request.method in ("GET", "HEAD"):
                redirect = self.redirect_arriving_reader(request, urlconf)
                if redirect is not None:
                    return redirect
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        if for_curator:
            patch_vary_headers(response, ("Accept-Language",))
        response.headers.setdefault("Content-Language", language)
        return response

    def redirect_arriving_reader(self, request, urlconf):
        """An old English link (digest.languages.language_arriving_reader_prefers) leads to the
        page's English address.

        This redirect depends on request headers, unlike the page at the same address. It is
        therefore `private, no-store` (and says what it varies on): a shared cache that kept it
        would send every Korean reader of the address to the English page. The front cache also
        hands exactly these requests to Django without a lookup (deploy/varnish/jugan.vcl), so
        the Korean page it keeps for the address is never shown to them either.
        """
        language = language_arriving_reader_prefers(request)
        if language is None:
            return None
        target = address_in(request.path_info, language)
        with translation.override(language):
            if not is_valid_path(target, urlconf):
                return None  # not a reader's page (the sitemap, robots.txt…)
        response = HttpResponseRedirect(address_in(request.get_full_path(), language))
        add_never_cache_headers(response)
        patch_vary_headers(response, ("Cookie", "Accept-Language", "Referer"))
        return response

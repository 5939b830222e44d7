"""Addresses that last: a post or topic asked for at a slug it had before, or at its slug in
another case, answers with a permanent redirect to where it is now.

The domain finds the row (`at_address` on the Post and Topic QuerySets, which read the former
slugs `archive.models.KeepsFormerSlugs` keeps); a view raises `Moved` when the row it found
has another slug, and `redirect_moved`, around the view in digest/urls.py, answers with the same
page or feed at the current slug. The redirect always names the current slug, so a chain of
renames (A → B → C) takes one step from A or B to C, and can never loop.
"""

from functools import wraps

from django.http import Http404, HttpResponsePermanentRedirect
from django.urls import reverse


class Moved(Exception):
    """Raised by a view whose object was found at an address it no longer has."""

    def __init__(self, slug):
        super().__init__(slug)
        self.slug = slug


def at_address(queryset, slug):
    """The row of `queryset` at this slug; Http404 when there is none, Moved when it has
    another slug now."""
    found = queryset.at_address(slug)
    if found is None:
        raise Http404("Nothing is at this address")
    if found.slug != slug:
        raise Moved(found.slug)
    return found


def redirect_moved(view):
    """Answers a view's Moved with a permanent redirect to the same view at the current slug,
    query string kept."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except Moved as moved:
            match = request.resolver_match
            url = reverse(match.view_name, args=args, kwargs={**kwargs, "slug": moved.slug})
            if query := request.META.get("QUERY_STRING"):
                url += f"?{query}"
            # Uncached like any reader's redirect: no surrogate keys (digest.http_cache), and a
            # staff member's (who may follow a draft) is private (digest.caching).
            return HttpResponsePermanentRedirect(url)

    return wrapper

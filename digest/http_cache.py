"""What caches in front of Jugan may do with a reader's response, and what it shows.

A reader page or feed depends on nothing but its address and the public content (the language is
in the address, digest/languages.py), so any shared cache may keep one copy of it for everyone:

* `Cache-Control: public, max-age=0, s-maxage=S, stale-while-revalidate=W, stale-if-error=E`.
  Browsers ask again every time (a 304 costs one query, digest/caching.py); a shared cache
  serves its copy for S seconds (SHARED_CACHE_SECONDS), then W more while it fetches a new one,
  and up to E seconds when Django fails or is down. S stays short because one change is not
  purged: a scheduled publication coming due.
* `Surrogate-Key`: what the response shows, so a change purges exactly the responses that show
  it (digest/purge.py sends the keys, deploy/varnish/jugan.vcl bans the objects holding them):

  - `week-<pk>`: the week's page and its Markdown; the pages of its posts (which show the week's
    title and posts). (The weeks before and after it link to it by title: a change to the week
    purges their keys too.)
  - `post-<pk>`: the post's page, and the page and Markdown of the week showing it (so a post
    moved or unpublished leaves the page it was on).
  - `topic-<pk>`: the topic's page and its feeds.
  - `lists`: every other page and feed (home, the archive, topics, search, the site's feeds, the
    feed list, the sitemaps): they list the latest or count everything.
  - `all`: every response, for a change that reaches everything (a curator's name).

Staff previews, the admin, and any response setting a cookie are `private, no-store`, and name
nothing (`NeverShareCookiesMiddleware` checks the last of these as the response leaves).
"""

from django.conf import settings
from django.utils.cache import add_never_cache_headers

from archive.models import Post, Topic, Week

HEADER = "Surrogate-Key"
EVERYTHING = "all"
LISTS = "lists"
# Far below the front cache's header limit (Varnish: 8 KiB a line); a response that would name
# more (no page does today) is named `lists` instead, which any content change purges.
MAX_HEADER_LENGTH = 4000

# The reader pages whose every key is in their context; the rest of digest.urls is `lists`,
# but for the views that name what they show themselves (`shows`).
PAGE_VIEWS = {"week", "post", "topic"}


def week_key(pk):
    return f"week-{pk}"


def post_key(pk):
    return f"post-{pk}"


def topic_key(pk):
    return f"topic-{pk}"


def shows(request, *objects):
    """Record, for a view not rendered from a template context, what its response shows."""
    keys = request.__dict__.setdefault("_surrogate_keys", set())
    keys.update(key_of(thing) for thing in objects)


def key_of(thing):
    if isinstance(thing, Week):
        return week_key(thing.pk)
    if isinstance(thing, Post):
        return post_key(thing.pk)
    if isinstance(thing, Topic):
        return topic_key(thing.pk)
    raise TypeError(f"no surrogate key for {thing!r}")


def _page_keys(url_name, context):
    if url_name == "week":
        # Its neighbours' titles too, but a change to a week purges its neighbours' keys
        # (digest.purge.week_keys): a post published in the next week leaves this page alone.
        posts = {post_key(post.pk) for post in context["posts"]}
        return {week_key(context["week"].pk)} | posts
    if url_name == "post":
        post = context["object"]
        return {post_key(post.pk)} | ({week_key(post.week_id)} if post.week_id else set())
    if url_name == "topic":
        return {topic_key(context["topic"].pk)}
    raise ValueError(url_name)


def keys_of(request, response):
    """The response's surrogate keys (worked out once, kept on the response)."""
    if not hasattr(response, "surrogate_keys"):
        url_name = request.resolver_match.url_name if request.resolver_match else None
        context = getattr(response, "context_data", None)
        if url_name in PAGE_VIEWS and context is not None:
            keys = _page_keys(url_name, context)
        else:
            keys = set(getattr(request, "_surrogate_keys", ())) or {LISTS}
        value = " ".join(sorted(keys | {EVERYTHING}))
        response.surrogate_keys = (
            value if len(value) <= MAX_HEADER_LENGTH else f"{EVERYTHING} {LISTS}"
        )
    return response.surrogate_keys


def restored(response, keys):
    """A response rebuilt from Django's cache, with the keys it was stored with."""
    response.surrogate_keys = keys
    return response


def cache_control():
    return (
        f"public, max-age=0, s-maxage={settings.SHARED_CACHE_SECONDS}, "
        f"stale-while-revalidate={settings.STALE_WHILE_REVALIDATE_SECONDS}, "
        f"stale-if-error={settings.STALE_IF_ERROR_SECONDS}"
    )


def share(request, response):
    """Mark a reader's 200 or 304 as fit for any cache, and name what it shows.

    A 304 names nothing: a cache revalidating its copy keeps that copy's keys.
    """
    response.headers["Cache-Control"] = cache_control()
    if response.status_code != 200:
        return response

    def name(response):
        response.headers[HEADER] = keys_of(request, response)

    if getattr(response, "is_rendered", True):
        name(response)
    else:  # a TemplateResponse: its context is complete once rendered
        response.add_post_render_callback(name)
    return response


def private(response):
    """Never stored by a shared cache, nor kept by a browser: a preview, a form, a cookie."""
    add_never_cache_headers(response)
    if HEADER in response.headers:
        del response.headers[HEADER]
    return response


class NeverShareCookiesMiddleware:
    """A response that sets a cookie is someone's own: whatever the view said, it is private.

    Outermost but for SecurityMiddleware, so it sees the cookies every other middleware sets
    (a session, a CSRF token).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.cookies:
            private(response)
        return response

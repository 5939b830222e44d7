"""What the bookmarklet captures becomes a post: where the page goes, and whether it is news.

A page is either the community thread a post is about (its `source`: a Facebook group post, or
any page of a host in COMMUNITY_HOSTS, a forum for instance) or something the community talked
about (a repository, a paper, an article), which becomes the post's first link. Either way, if
a post already features the address, the curator is told before saving, with a way to add the
new quote or comment to that post instead.
"""

from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.db.models import Q
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext

from archive.models import Link, Post
from archive.normalize import InvalidURL, LinkKind, detect_kind, normalize_url

# How many posts featuring an address are named; more would be an archive search.
FEATURED_SHOWN = 5


def is_community_thread(url):
    """Whether the page is a community thread: a post's source, not one of its links."""
    try:
        normalized = normalize_url(url)
    except InvalidURL:
        return False
    if detect_kind(normalized) == LinkKind.COMMUNITY_POST:
        return True
    host = (urlsplit(normalized).hostname or "").lower()
    return host in settings.COMMUNITY_HOSTS or host.removeprefix("www.") in settings.COMMUNITY_HOSTS


def as_quote(text):
    """Selected text as a Markdown quote, line by line."""
    return "\n".join(f"> {line}".rstrip() for line in text.strip().splitlines())


def normalized_urls(urls):
    """The addresses' normalised forms, in order, leaving out what is no address."""
    found = {}
    for url in urls:
        try:
            found.setdefault(normalize_url(url), None)
        except InvalidURL:
            continue
    return list(found)


def posts_featuring(urls, excluding=None):
    """The posts (newest week first) that have one of these addresses as their source or among
    their links; `excluding`: a post not to count (the one being edited)."""
    links = Link.objects.filter(normalized_url__in=normalized_urls(urls))
    posts = Post.objects.filter(Q(source__in=links) | Q(post_links__link__in=links))
    if excluding is not None and excluding.pk:
        posts = posts.exclude(pk=excluding.pk)
    newest_first = (
        posts.select_related("week")
        .distinct()
        .order_by("-week__year", "-week__number", "-posted_on", "-pk")
    )
    return list(newest_first[:FEATURED_SHOWN])


def add_there_url(post, text="", comment=""):
    """The change page of `post` with the new quote (`text`) and comment filled in, unsaved."""
    address = reverse("admin:archive_post_change", args=[post.pk])
    extra = {name: value for name, value in (("text", text), ("comment", comment)) if value}
    return f"{address}?{urlencode(extra)}" if extra else address


def featured_notice(post, text="", comment=""):
    """ "Already in 2021-W47: <post>", linking to the post, with a link that opens it with the
    new quote and comment added."""
    values = {
        "post_url": reverse("admin:archive_post_change", args=[post.pk]),
        "title": post.title,
        "add_url": add_there_url(post, text, comment),
    }
    if post.week is None:
        return format_html(
            gettext(
                'Already featured: <a href="{post_url}">{title}</a> '
                '(<a href="{add_url}">add this to that post instead</a>)'
            ),
            **values,
        )
    return format_html(
        gettext(
            'Already in {week}: <a href="{post_url}">{title}</a> '
            '(<a href="{add_url}">add this to that post instead</a>)'
        ),
        week=post.week.iso_label,
        **values,
    )


def confirmation_key(posts):
    """Names the posts a warning was about: saving again with the same key confirms it."""
    return ",".join(str(pk) for pk in sorted(post.pk for post in posts))

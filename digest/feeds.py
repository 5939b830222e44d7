"""Subscribers' feeds: weeks, posts and topics, in RSS 2.0 and Atom 1.0 (weeks also in JSON Feed).

Entries come from `.published()` QuerySets only, with a fixed number of queries whatever their
number. Every URL is absolute from SITE_URL, so a cached feed is the same whichever host name
served it. Entry ids are tag: URIs made of the site's host, the creation date and the primary
key: editing a title or a slug never makes a reader see an entry twice. Text passes through
`xml_text`, because a curator can paste characters that XML cannot carry. Freshness and caching
are `digest.caching`'s job; `digest/urls.py` wraps every feed in it.
"""

import io
import json
import re
from collections import Counter
from datetime import UTC
from html import unescape
from urllib.parse import urljoin, urlsplit

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.db.models import F, Prefetch, Q, Subquery, Window
from django.db.models.functions import Greatest, Lower, RowNumber
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import feedgenerator
from django.utils.encoding import iri_to_uri
from django.utils.html import escape
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView

from archive.models import Post, PostTopic, Week
from digest import fragments, http_cache
from digest.addresses import at_address
from digest.caching import state_for
from digest.topics import published_topics

LATEST_WEEKS = 20
LATEST_POSTS = 50
# What the posts and topic feeds show of a post's fragment (digest/fragments.py).
ENTRY = ("entry_html", "categories")

# Everything outside XML 1.0's Char production: C0 controls but tab and newlines, lone
# surrogates, U+FFFE and U+FFFF.
XML_ILLEGAL = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
# An opening <a> tag of sanitised HTML: its attributes are always double-quoted, and text can hold
# no raw "<", so an href found inside one is a real attribute.
ANCHOR_TAG = re.compile(r'<a\s(?:[^>"]|"[^"]*")*>')
HREF = re.compile(r'(\shref=")([^"]*)(")')


def xml_text(value):
    """The text without the characters that would make an XML document invalid."""
    return XML_ILLEGAL.sub("", value)


def absolute_url(path):
    return settings.SITE_URL + path


def absolutize_links(html, base_url):
    """Resolve every relative href against the page the HTML appears on: feeds have no base URL."""

    def resolve(href):
        return href[1] + escape(urljoin(base_url, unescape(href[2]))) + href[3]

    return ANCHOR_TAG.sub(lambda tag: HREF.sub(resolve, tag[0]), html).strip()


def join_html(*parts):
    return "\n".join(part for part in parts if part)


def entry_id(obj, kind):
    """A tag: URI (RFC 4151) that survives any edit of the title or slug."""
    host = urlsplit(settings.SITE_URL).hostname
    created = obj.created.astimezone(UTC).date()
    return f"tag:{host},{created:%Y-%m-%d}:/{kind}/{obj.pk}"


def curator_name(user):
    # Full names only: usernames are login names, not for the public.
    return user.get_full_name() if user else ""


def visible_posts():
    """Published posts with what a feed shows of them beside their stored fragments
    (`fragments.attach` adds those, and the rest for a post without)."""
    return (
        Post.objects.published()
        .select_related("source", "week", "curator")
        # When readers could first see it: a post published ahead of its week waits for the week.
        .annotate(visible_since=Greatest("published_at", "week__published_at"))
    )


def latest_visible(posts):
    """The LATEST_POSTS of these visible posts readers could see last, without sorting them all.

    `visible_since` is the later of the post's and its week's publication, so no index holds it.
    But the newest by it are among the newest by the post's own time (ties on both broken by
    pk), or else in a week published no earlier than the LATEST_POSTS-th newest post's own time:
    two index ranges, whatever the size of the archive.
    """
    by_own_time = posts.order_by("-published_at", "-pk")
    threshold = by_own_time.values("published_at")[LATEST_POSTS - 1 : LATEST_POSTS]
    recent_weeks = Week.objects.filter(published_at__gte=Subquery(threshold))
    candidates = Q(pk__in=by_own_time.values("pk")[:LATEST_POSTS]) | Q(week__in=recent_weeks)
    return posts.filter(candidates).order_by("-visible_since", "-pk")[:LATEST_POSTS]


# Feed documents. Text is made XML-safe as it comes in, so every format gets clean values.


def _xml_safe(value):
    if isinstance(value, str):
        return xml_text(value)
    if isinstance(value, list | tuple):
        return [_xml_safe(part) for part in value]
    return value


class JuganFeedMixin:
    """Clean text on the way in, and date the document with the response's Last-Modified."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.feed = {key: _xml_safe(value) for key, value in self.feed.items()}

    def add_item(self, *args, **kwargs):
        super().add_item(*args, **kwargs)
        self.items[-1] = {key: _xml_safe(value) for key, value in self.items[-1].items()}

    def latest_post_date(self):
        # The site's Last-Modified: the same in the document and the header, even for no entries.
        return self.feed["updated"]

    def write(self, outfile, encoding):
        # The XML writer writes each tag and text on its own, and the response would keep each
        # as a chunk of its own, which gunicorn sends with a system call apiece (a weeks feed:
        # over 5,000): written here, the document goes out in one.
        document = io.StringIO()
        super().write(document, encoding)
        outfile.write(document.getvalue())


class RssFeed(JuganFeedMixin, feedgenerator.Rss201rev2Feed):
    """RSS 2.0 with the full HTML in content:encoded; description keeps the summary."""

    def rss_attributes(self):
        return {
            **super().rss_attributes(),
            "xmlns:content": "http://purl.org/rss/1.0/modules/content/",
        }

    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, item)
        handler.addQuickElement("content:encoded", item["content"])


class AtomFeed(JuganFeedMixin, feedgenerator.Atom1Feed):
    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, item)
        handler.addQuickElement("content", item["content"], {"type": "html"})


class JsonFeed(JuganFeedMixin, feedgenerator.SyndicationFeed):
    """JSON Feed 1.1 (https://jsonfeed.org/version/1.1) from the same entries."""

    content_type = "application/feed+json; charset=utf-8"

    def write(self, outfile, encoding):
        document = {
            "version": "https://jsonfeed.org/version/1.1",
            "title": self.feed["title"],
            "home_page_url": self.feed["link"],
            "feed_url": self.feed["feed_url"],
            "description": self.feed["description"],
            "language": self.feed["language"],
            "authors": [{"name": self.feed["author_name"]}],
            "items": [
                {
                    "id": item["unique_id"],
                    "url": item["link"],
                    "title": item["title"],
                    "content_html": item["content"],
                    "date_published": feedgenerator.rfc3339_date(item["pubdate"]),
                    "date_modified": feedgenerator.rfc3339_date(item["updateddate"]),
                    "authors": [{"name": item["author_name"]}],
                    "tags": item["categories"],
                }
                for item in self.items
            ],
        }
        outfile.write(json.dumps(document, ensure_ascii=False))


# What every feed shares, then what weeks and posts each put in an entry.


class SiteFeed(Feed):
    item_guid_is_permalink = False  # a tag: URI, not an address

    def __init__(self, feed_type=RssFeed):
        self.feed_type = feed_type

    def get_feed(self, obj, request):
        feed = super().get_feed(obj, request)
        feed.feed["feed_url"] = feed.feed["id"] = absolute_url(iri_to_uri(request.path))
        feed.feed["updated"] = state_for(request).last_modified
        return feed

    def link(self):
        return absolute_url(reverse("digest:home"))

    def author_name(self):
        return settings.SITE_NAME

    def item_extra_kwargs(self, item):
        return {"content": self.item_content(item)}


class WeekEntries:
    def item_title(self, week):
        return week.display_title

    def item_link(self, week):
        return absolute_url(week.get_absolute_url())

    def item_guid(self, week):
        return entry_id(week, "weeks")

    def item_pubdate(self, week):
        return week.published_at

    def item_updateddate(self, week):
        posts = week.visible_posts
        return max(
            [week.updated, week.published_at]
            + [post.updated for post in posts]
            + [post.visible_since for post in posts]
        )

    def item_author_name(self, week):
        names = dict.fromkeys(curator_name(post.curator) for post in week.visible_posts)
        return ", ".join(name for name in names if name) or settings.SITE_NAME

    def item_categories(self, week):
        return list(
            dict.fromkeys(name for post in week.visible_posts for name in post_categories(post))
        )

    def item_description(self, week):
        items = "".join(f"\n{fragments.summary_item(post)}" for post in week.visible_posts)
        return join_html(self.intro(week), f"<ol>{items}\n</ol>" if items else "")

    def item_content(self, week):
        posts = "\n".join(
            fragments.week_entry(post, number)
            for number, post in enumerate(week.visible_posts, start=1)
        )
        outro = absolutize_links(week.outro_html, self.item_link(week))
        return join_html(self.intro(week), posts, outro)

    def intro(self, week):
        return absolutize_links(week.intro_html, self.item_link(week))


class PostEntries:
    def item_title(self, post):
        return post.title

    def item_link(self, post):
        return absolute_url(post.get_absolute_url())

    def item_guid(self, post):
        return entry_id(post, "posts")

    def item_pubdate(self, post):
        return post.visible_since

    def item_updateddate(self, post):
        return max(post.updated, post.visible_since)

    def item_author_name(self, post):
        return curator_name(post.curator) or settings.SITE_NAME

    def item_categories(self, post):
        return post_categories(post)

    def item_description(self, post):
        return absolutize_links(post.summary_html, self.item_link(post))

    def item_content(self, post):
        return fragments.entry(post)


class WeeksFeed(WeekEntries, SiteFeed):
    def title(self):
        return settings.SITE_NAME

    def description(self):
        return gettext("Every published week in full: the community's links, curated.")

    subtitle = description

    def items(self):
        # What an entry shows of a post beside its fragment (`fragments.attach` completes a
        # post that has none): its week, dates and curator.
        posts = (
            visible_posts()
            .in_reading_order()
            .select_related(None)
            .select_related("curator")
            .only("week", "updated", "published_at", "curator__first_name", "curator__last_name")
        )
        # In the order of their publication, like their dates: a week of 2021 imported in 2026
        # is dated (and placed) in 2021, and a week published late comes as news.
        weeks = list(
            Week.objects.latest_published().prefetch_related(
                Prefetch("posts", posts, to_attr="visible_posts")
            )[:LATEST_WEEKS]
        )
        fragments.attach(
            (post for week in weeks for post in week.visible_posts),
            only=("week_entry_html", "summary_item_html", "categories"),
        )
        return weeks


class PostsFeed(PostEntries, SiteFeed):
    def title(self):
        return gettext("%(site)s: posts") % {"site": settings.SITE_NAME}

    def description(self):
        return gettext("Every post as soon as it is published, before its week is complete.")

    subtitle = description

    def items(self):
        return fragments.attach(latest_visible(visible_posts()), only=ENTRY)


class TopicFeed(PostEntries, SiteFeed):
    def get_object(self, request, slug):
        # Like its page, a topic's feed exists once a post on it is published: the feed names
        # the topic, and a topic only drafts use is a draft too. Like its page, it follows the
        # topic to its current address.
        topic = at_address(published_topics(request), slug)
        http_cache.shows(request, topic)
        return topic

    def title(self, topic):
        return gettext("%(site)s: %(topic)s") % {"site": settings.SITE_NAME, "topic": topic.names}

    def subtitle(self, topic):
        return gettext("Posts on the topic “%(topic)s”, newest first.") % {"topic": topic.names}

    def description(self, topic):
        # Readers show an RSS channel's description as HTML (Atom's subtitle is text): a topic
        # named <script> must stay text there.
        return escape(self.subtitle(topic))

    def link(self, topic):
        return absolute_url(topic.get_absolute_url())

    def items(self, topic):
        return fragments.attach(latest_visible(visible_posts().filter(topics=topic)), only=ENTRY)


# Discovery: a page listing every feed, and an OPML file of the feeds to follow together.
#
# Some readers (newsboat) keep an entry once, by its id, whichever feed it came in: two feeds
# carrying the same entries show as one full feed and one empty one. So the OPML file lists one
# format per feed and never a feed whose entries the others listed carry already: the weeks feed
# (entries are weeks) and the topic feeds (entries are posts), but not the posts feed, whose
# posts the topic feeds carry, and not a topic whose latest posts other topics carry too
# (`distinct_topic_feeds`). The posts feed is offered on its own on the feeds page.

SITE_FEEDS = (
    (
        pgettext_lazy("feed", "Weeks"),
        _("One entry per week, with the whole week in it."),
        (("RSS", "digest:feed"), ("Atom", "digest:feed_atom"), ("JSON Feed", "digest:feed_json")),
        True,
    ),
    (
        _("Posts"),
        _(
            "One entry per post, as soon as it is published. The topic feeds carry the same "
            "entries: follow this one or the topics, not both."
        ),
        (("RSS", "digest:post_feed"), ("Atom", "digest:post_feed_atom")),
        False,
    ),
)


def site_feeds():
    return [
        {
            "title": title,
            "description": description,
            "formats": [
                {
                    "name": name,
                    "slug": url_name.split(":")[1],
                    "url": absolute_url(reverse(url_name)),
                }
                for name, url_name in formats
            ],
            "in_opml": in_opml,
        }
        for title, description, formats, in_opml in SITE_FEEDS
    ]


def post_categories(post):
    """An entry's categories: both names of each of the post's topics."""
    if post.fragment:
        return post.fragment.categories
    return list(
        dict.fromkeys(name for topic in post.topics.all() for name in topic_categories(topic))
    )


def topic_categories(topic):
    """A topic's entry categories: both its names, so a reader filters by either."""
    return [name for name in (topic.name, topic.name_en) if name]


def topic_feeds(request):
    """Every topic with a published post, by name, with the addresses of its page and feeds."""
    topics = list(published_topics(request).order_by(Lower("name"), "pk"))
    for topic in topics:
        topic.feed_title = xml_text(topic.names)
        topic.page_url = absolute_url(topic.get_absolute_url())
        topic.rss_url = absolute_url(reverse("digest:topic_feed", kwargs={"slug": topic.slug}))
        topic.atom_url = absolute_url(
            reverse("digest:topic_feed_atom", kwargs={"slug": topic.slug})
        )
    return topics


class FeedsView(TemplateView):
    template_name = "digest/feeds.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            site_feeds=site_feeds(),
            topics=topic_feeds(self.request),
            opml_url=absolute_url(reverse("digest:feeds_opml")),
            **kwargs,
        )


def distinct_topic_feeds(topics):
    """The topics whose feeds, followed together, each carry a post no other one carries.

    A topic feed carries its topic's latest LATEST_POSTS posts (`latest_visible`). A topic whose
    feed carries only posts the others carry too is left out, the smallest first, so "한국어"
    goes when "NLP" and "자연어처리" have all its posts; of two topics with the same posts
    ("vision", "컴퓨터비전") the one named first stays. Every post of a left-out feed stays in a
    listed one, and each listed feed keeps a post of its own whatever the order a reader
    fetches them in.
    """
    topics = list(topics)
    carried = {topic.pk: set() for topic in topics}
    for topic, post in _latest_posts_by_topic(list(carried)):
        carried[topic].add(post)
    listings = Counter(post for posts in carried.values() for post in posts)
    left_out = set()
    last_named_first = sorted(topics, key=lambda topic: topic.name.casefold(), reverse=True)
    for topic in sorted(last_named_first, key=lambda topic: len(carried[topic.pk])):
        if all(listings[post] > 1 for post in carried[topic.pk]):
            left_out.add(topic.pk)
            listings.subtract(carried[topic.pk])
    return [topic for topic in topics if topic.pk not in left_out]


def _latest_posts_by_topic(topic_ids):
    """(topic id, post id) for the posts each topic's feed carries, in one query."""
    newest_first = [F("visible_since").desc(), F("content_object").desc()]
    return (
        PostTopic.objects.filter(tag__in=topic_ids, content_object__in=Post.objects.published())
        .annotate(
            visible_since=Greatest(
                "content_object__published_at", "content_object__week__published_at"
            ),
            rank=Window(RowNumber(), partition_by=F("tag"), order_by=newest_first),
        )
        .filter(rank__lte=LATEST_POSTS)
        .values_list("tag", "content_object")
    )


def opml(request):
    """OPML 2.0 (http://opml.org/spec2.opml): the feeds to follow together, imported at once."""
    content = render_to_string(
        "digest/feeds.opml",
        {
            "site_name": xml_text(settings.SITE_NAME),
            "home_url": absolute_url(reverse("digest:home")),
            "site_feeds": [feed for feed in site_feeds() if feed["in_opml"]],
            "topics_title": gettext("Topics"),
            "topics": distinct_topic_feeds(topic_feeds(request)),
            "modified": feedgenerator.rfc2822_date(state_for(request).last_modified),
        },
    )
    return HttpResponse(content, content_type="text/x-opml; charset=utf-8")

"""What a shared link's preview and a search engine read about a page: the site's share image,
and schema.org data (JSON-LD) for a week (a CollectionPage listing its posts) and a post (an
Article). Every address absolute, from SITE_URL, like the canonical links."""

from django.conf import settings
from django.templatetags.static import static
from django.utils import timezone
from django.utils.translation import get_language

from archive.reading import plain_text, reading_minutes

SCHEMA = "https://schema.org"
SHARE_IMAGE = "img/share-card.png"
SHARE_IMAGE_SIZE = (1200, 630)
DESCRIPTION_LENGTH = 200


def absolute_url(path):
    return settings.SITE_URL + path


def share_image_url():
    return absolute_url(static(SHARE_IMAGE))


def description(rendered_html):
    text = plain_text(rendered_html)
    return text if len(text) <= DESCRIPTION_LENGTH else text[: DESCRIPTION_LENGTH - 1] + "…"


def _site():
    return {"@type": "WebSite", "name": settings.SITE_NAME, "url": absolute_url("/")}


def _publisher():
    return {
        "@type": "Organization",
        "name": settings.SITE_NAME,
        "url": absolute_url("/"),
        "logo": {"@type": "ImageObject", "url": share_image_url()},
    }


def _date(value):
    return timezone.localtime(value).isoformat() if value else None


def _without_empty(data):
    return {key: value for key, value in data.items() if value not in (None, "", [])}


def week_data(week, posts, reading_seconds):
    """A week page: a CollectionPage whose main entity is the list of its posts, in order."""
    return _without_empty(
        {
            "@context": SCHEMA,
            "@type": "CollectionPage",
            "@id": absolute_url(week.get_absolute_url()),
            "url": absolute_url(week.get_absolute_url()),
            "name": week.display_title,
            "description": description(week.intro_html),
            "inLanguage": get_language(),
            "datePublished": _date(week.published_at),
            "dateModified": _date(week.updated),
            "image": share_image_url(),
            "timeRequired": f"PT{reading_minutes(reading_seconds)}M",
            "isPartOf": _site(),
            "publisher": _publisher(),
            "mainEntity": {
                "@type": "ItemList",
                "numberOfItems": len(posts),
                "itemListElement": [
                    {
                        "@type": "ListItem",
                        "position": position,
                        "name": post.title,
                        "url": absolute_url(post.get_absolute_url()),
                    }
                    for position, post in enumerate(posts, start=1)
                ],
            },
        }
    )


def post_data(post):
    """A post page: an Article about the community thread it came from, part of its week."""
    week = post.week
    return _without_empty(
        {
            "@context": SCHEMA,
            "@type": "Article",
            "@id": absolute_url(post.get_absolute_url()),
            "url": absolute_url(post.get_absolute_url()),
            "mainEntityOfPage": absolute_url(post.get_absolute_url()),
            # Search engines show a headline of up to 110 characters.
            "headline": post.title[:110],
            "description": description(post.summary_html),
            "inLanguage": get_language(),
            "datePublished": _date(post.published_at),
            "dateModified": _date(post.updated),
            "image": share_image_url(),
            "keywords": [topic.label for topic in post.topics.all()],
            "isBasedOn": post.source.get_absolute_url() if post.source else None,
            "isPartOf": (
                {
                    "@type": "CollectionPage",
                    "name": week.display_title,
                    "url": absolute_url(week.get_absolute_url()),
                }
                if week
                else _site()
            ),
            "author": _publisher(),
            "publisher": _publisher(),
            "timeRequired": f"PT{reading_minutes(post.reading_seconds)}M",
        }
    )

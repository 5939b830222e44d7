"""Curator Markdown to safe HTML: the only place Jugan turns stored text into markup.

Rendering happens when an object is saved (into its `*_html` fields), never per request.
Every bleach call lives in `sanitize_html`, so the allowlist is read and tested in one place.
"""

import re
from functools import partial
from urllib.parse import urlsplit

import bleach
import markdown
from bleach.linkifier import LinkifyFilter
from django.conf import settings

MARKDOWN_EXTENSIONS = ["fenced_code", "tables", "sane_lists"]
# Paragraphs that hold nothing but line breaks: the `<br/>` spacers hand-written posts use.
EMPTY_PARAGRAPH = re.compile(r"<p>(?:\s|<br>)*</p>\n?")

ALLOWED_TAGS = frozenset(
    {
        "a", "abbr", "b", "blockquote", "br", "code", "del", "em", "h2", "h3", "h4", "h5", "h6",
        "hr", "i", "kbd", "li", "mark", "ol", "p", "pre", "s", "strong", "sub", "sup",
        "table", "tbody", "td", "tfoot", "th", "thead", "tr", "ul",
    }
)  # fmt: skip
ALLOWED_PROTOCOLS = frozenset({"http", "https", "mailto"})
SAFE_CLASS_PREFIX = "language-"


def _allowed_attribute(tag, name, value):
    if tag == "a":
        return name in {"href", "title", "rel"}
    if tag == "abbr":
        return name == "title"
    if tag == "ol":
        return name == "start" and value.isdigit()
    if tag == "code":
        # Fenced code keeps its language for a future highlighter; nothing else may style it.
        return name == "class" and value.startswith(SAFE_CLASS_PREFIX) and value[9:].isalnum()
    return False


def _mark_external(attrs, new=False):
    """nofollow noopener on every link that leaves the site; internal links stay plain."""
    href = attrs.get((None, "href"), "")
    host = urlsplit(href).hostname
    if host and host != urlsplit(settings.SITE_URL).hostname:
        attrs[(None, "rel")] = "nofollow noopener"
    else:
        attrs.pop((None, "rel"), None)
    return attrs


def _cleaner():
    return bleach.Cleaner(
        tags=ALLOWED_TAGS,
        attributes=_allowed_attribute,
        protocols=ALLOWED_PROTOCOLS,
        strip=True,
        strip_comments=True,
        filters=[partial(LinkifyFilter, callbacks=[_mark_external], skip_tags={"pre", "code"})],
    )


def sanitize_html(html: str) -> str:
    """Reduce any HTML to the allowlist; bare URLs become links, external links get rel."""
    return _cleaner().clean(html)


def render_markdown(text: str) -> str:
    """Curator Markdown as HTML that is safe to show any reader.

    Raw HTML in the Markdown keeps only allowlisted tags (others are stripped, their text kept);
    a paragraph of nothing but `<br>` spacers is dropped, so pasted blog posts lose their layout
    hacks; table alignment is dropped because it would need a style attribute.
    """
    if not text.strip():
        return ""
    html = markdown.markdown(
        text,
        extensions=MARKDOWN_EXTENSIONS,
        output_format="html",
    )
    return EMPTY_PARAGRAPH.sub("", sanitize_html(html)).strip()
